package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/ospod/ospod/api/auth"
	"github.com/ospod/ospod/store"
)

const userUsage = `usage: ospod user add NAME --role admin|editor [--email ADDRESS]   (password: one line on standard input)
       ospod user email NAME [ADDRESS]   (the address single sign-on maps to the account; none removes it)
       ospod user list | disable NAME | enable NAME | remove NAME`

// user implements 'ospod user add|email|list|disable|enable|remove': the staff
// accounts that sign in to the admin pages. Every change is in the audit
// trail as made from the command line.
func (e *env) user(ctx context.Context, args []string) error {
	var role, email string
	cfg, err := e.loadConfig("user", args, func(fs *flag.FlagSet) {
		fs.StringVar(&role, "role", "", "with add: admin or editor")
		fs.StringVar(&email, "email", "", "with add: the person's e-mail address (for single sign-on)")
	})
	if err != nil {
		return err
	}
	a := cfg.args
	if len(a) == 0 || (a[0] == "list") != (len(a) == 1) || len(a) > 3 || (len(a) == 3 && a[0] != "email") {
		return usageError{msg: userUsage}
	}
	if a[0] == "email" && len(a) == 3 {
		email = a[2]
	}
	if email = strings.TrimSpace(email); email != "" && !store.ValidEmail(email) {
		return usageError{msg: fmt.Sprintf("%q is not an e-mail address", email)}
	}
	if a[0] == "add" {
		if !store.ValidRole(role) {
			return usageError{msg: "ospod user add NAME --role admin|editor: the role must be admin or editor"}
		}
		if !store.ValidStaffName(a[1]) {
			return usageError{msg: "a user name has 1-64 letters, digits, '.', '_', '-' or '@'"}
		}
	}
	var password string
	if a[0] == "add" { // read before opening the database: a bad password changes nothing
		if password, err = readPassword(e.stdin); err != nil {
			return usageError{msg: err.Error()}
		}
	}
	n, err := e.openNode(ctx, cfg)
	if err != nil {
		return err
	}
	defer n.Close()
	switch a[0] {
	case "list":
		return e.listUsers(ctx, n.Store())
	case "add":
		return e.addUser(ctx, n.Store(), &store.StaffAccount{Name: a[1], Role: role, Email: email}, password)
	case "email":
		if err := n.Store().ChangeStaffAccount(ctx, a[1], store.StaffChange{Email: &email, KeepSessions: true}); err != nil {
			return userError(a[1], err)
		}
		fmt.Fprintf(e.stdout, "user %s: e-mail %q\n", a[1], email)
		return cliAudit(ctx, n.Store(), "account.email", a[1], email)
	case "disable", "enable":
		disabled := a[0] == "disable"
		if err := n.Store().ChangeStaffAccount(ctx, a[1], store.StaffChange{Disabled: &disabled}); err != nil {
			return userError(a[1], err)
		}
		fmt.Fprintf(e.stdout, "user %s %sd\n", a[1], a[0])
		return cliAudit(ctx, n.Store(), "account."+a[0], a[1], "")
	case "remove":
		if err := n.Store().RemoveStaffAccount(ctx, a[1]); err != nil {
			return userError(a[1], err)
		}
		fmt.Fprintf(e.stdout, "user %s removed\n", a[1])
		return cliAudit(ctx, n.Store(), "account.remove", a[1], "")
	}
	return usageError{msg: userUsage}
}

func (e *env) addUser(ctx context.Context, st *store.Store, acc *store.StaffAccount, password string) error {
	hash, err := auth.HashPassword(password)
	if err != nil {
		return usageError{msg: err.Error()}
	}
	acc.PasswordHash = hash
	if err := st.AddStaffAccount(ctx, acc); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return fmt.Errorf("user %s already exists", acc.Name)
		}
		return userError(acc.Name, err)
	}
	fmt.Fprintf(e.stdout, "user %s added (%s); sign in at /admin/login\n", acc.Name, acc.Role)
	return cliAudit(ctx, st, "account.add", acc.Name, "role "+acc.Role)
}

func (e *env) listUsers(ctx context.Context, st *store.Store) error {
	accounts, err := st.StaffAccounts(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(e.stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tROLE\tSTATE\tSECOND FACTOR\tE-MAIL\tCREATED")
	for _, a := range accounts {
		state := "active"
		switch {
		case a.Disabled:
			state = "disabled"
		case a.PasswordHash == "" && a.Email != "":
			state = "no password"
		case a.PasswordHash == "":
			state = "invited"
		}
		factor := "off"
		if a.TOTPEnabled {
			factor = "on"
		}
		email := a.Email
		if email == "" {
			email = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", a.Name, a.Role, state, factor, email, a.Created.Format("2006-01-02"))
	}
	return tw.Flush()
}

// readPassword reads one line from standard input and checks the password rules.
func readPassword(r io.Reader) (string, error) {
	line, err := bufio.NewReader(io.LimitReader(r, 4096)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", err
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", fmt.Errorf("no password on standard input: printf '%%s\\n' 'a long password' | ospod user add NAME --role admin")
	}
	if err := auth.CheckPasswordRules(line); err != nil {
		return "", fmt.Errorf("password refused: %w", err)
	}
	return line, nil
}

func userError(name string, err error) error {
	switch {
	case errors.Is(err, store.ErrNotFound):
		return fmt.Errorf("no user %s (see ospod user list)", name)
	case errors.Is(err, store.ErrEmailTaken):
		return fmt.Errorf("user %s: another account has this e-mail address", name)
	}
	return err
}

// cliAudit records a change made from the command line in the audit trail.
func cliAudit(ctx context.Context, st *store.Store, kind, object, summary string) error {
	return st.AddAudit(ctx, &store.AuditEntry{Actor: store.AuditActorCLI, Kind: kind, Object: object, Summary: summary})
}
