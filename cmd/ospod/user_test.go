package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ospod/ospod/api/auth"
	"github.com/ospod/ospod/store"
)

// TestCLIUser: 'ospod user' adds, lists, disables, enables and removes staff
// accounts, refuses bad input with exit code 2 and a clear message, and
// records each change in the audit trail as made from the command line.
func TestCLIUser(t *testing.T) {
	dir := newDataDir(t)
	env := map[string]string{"OSPO_DATA": dir, "OSPO_BASE_URL": "http://127.0.0.1:1"}
	refusals := []struct {
		name, stdin, want string
		args              []string
	}{
		{"short password", "short\n", "at least 12 characters", []string{"user", "add", "eve", "--role", "admin"}},
		{"no password", "", "no password on standard input", []string{"user", "add", "eve", "--role", "admin"}},
		{"blank password", "               \n", "at least 12 characters", []string{"user", "add", "eve", "--role", "admin"}},
		{"no role", "a long enough password\n", "admin or editor", []string{"user", "add", "eve"}},
		{"unknown role", "a long enough password\n", "admin or editor", []string{"user", "add", "eve", "--role", "owner"}},
		{"bad name", "a long enough password\n", "letters, digits", []string{"user", "add", "e ve", "--role", "admin"}},
		{"no name", "a long enough password\n", "usage", []string{"user", "add", "--role", "admin"}},
		{"no subcommand", "", "usage", []string{"user"}},
	}
	for _, r := range refusals {
		res := cli(t, env, r.stdin, r.args...)
		if res.code != 2 || res.err == nil || !strings.Contains(res.err.Error(), r.want) {
			t.Errorf("%s: exit %d, error %v; want 2 and %q", r.name, res.code, res.err, r.want)
		}
	}
	if res := cli(t, env, "correct horse battery staple\n", "user", "add", "alice", "--role", "admin"); res.err != nil {
		t.Fatalf("add: %v %s", res.err, res.stderr)
	}
	if res := cli(t, env, "another long password\r\n", "user", "add", "bob", "-role", "editor"); res.err != nil {
		t.Fatalf("add bob: %v", res.err)
	}
	if res := cli(t, env, "another long password\n", "user", "add", "ALICE", "--role", "editor"); res.code != 1 ||
		!strings.Contains(res.err.Error(), "already exists") {
		t.Errorf("duplicate: %d %v", res.code, res.err)
	}
	mustCLI(t, env, "user", "disable", "bob")
	out := mustCLI(t, env, "user", "list").stdout
	if !strings.Contains(out, "alice  admin") || !strings.Contains(out, "disabled") {
		t.Errorf("list:\n%s", out)
	}
	mustCLI(t, env, "user", "enable", "bob")
	mustCLI(t, env, "user", "remove", "bob")
	if res := cli(t, env, "", "user", "remove", "bob"); res.code != 1 || !strings.Contains(res.err.Error(), "no user bob") {
		t.Errorf("remove twice: %d %v", res.code, res.err)
	}

	st, err := store.Open(context.Background(), store.Options{Path: filepath.Join(dir, "ospod.db")})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	a, err := st.StaffAccount(context.Background(), "alice")
	if err != nil || a.Role != store.RoleAdmin || !auth.CheckPassword(a.PasswordHash, "correct horse battery staple") {
		t.Fatalf("alice: %+v %v", a, err)
	}
	if b, _ := st.StaffAccount(context.Background(), "bob"); b != nil {
		t.Error("bob was not removed")
	}
	entries, _, err := st.AuditEntries(context.Background(), store.AuditFilter{Actor: store.AuditActorCLI})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.Kind+" "+e.Object)
	}
	want := "account.remove bob, account.enable bob, account.disable bob, account.add bob, account.add alice"
	if strings.Join(got, ", ") != want {
		t.Errorf("audit: %q, want %q", strings.Join(got, ", "), want)
	}
}

// TestCLIUserEmail: 'ospod user add --email' and 'ospod user email' set the
// address single sign-on maps to; a bad or taken address is refused.
func TestCLIUserEmail(t *testing.T) {
	dir := newDataDir(t)
	env := map[string]string{"OSPO_DATA": dir, "OSPO_BASE_URL": "http://127.0.0.1:1"}
	for _, args := range [][]string{{"alice", "--role", "admin", "--email", "alice@city.example"}, {"bob", "--role", "editor"}} {
		if res := cli(t, env, "correct horse battery staple\n", append([]string{"user", "add"}, args...)...); res.err != nil {
			t.Fatalf("add %s: %v", args[0], res.err)
		}
	}
	refusals := []struct {
		name, stdin, want string
		args              []string
	}{
		{"bad address", "a long enough password\n", "not an e-mail address",
			[]string{"user", "add", "eve", "--role", "admin", "--email", "eve at city"}},
		{"taken address", "a long enough password\n", "another account has this e-mail",
			[]string{"user", "add", "eve", "--role", "admin", "--email", "ALICE@city.example"}},
		{"taken by email", "", "another account has this e-mail", []string{"user", "email", "bob", "alice@city.example"}},
		{"no such user", "", "no user zed", []string{"user", "email", "zed", "zed@city.example"}},
		{"too many arguments", "", "usage", []string{"user", "remove", "bob", "extra"}},
	}
	for _, r := range refusals {
		res := cli(t, env, r.stdin, r.args...)
		if res.code == 0 || res.err == nil || !strings.Contains(res.err.Error(), r.want) {
			t.Errorf("%s: exit %d, error %v; want %q", r.name, res.code, res.err, r.want)
		}
	}
	mustCLI(t, env, "user", "email", "bob", "bob@city.example")
	out := mustCLI(t, env, "user", "list").stdout
	if !strings.Contains(out, "alice@city.example") || !strings.Contains(out, "bob@city.example") {
		t.Errorf("list:\n%s", out)
	}
	mustCLI(t, env, "user", "email", "bob") // no address: removed
	st, err := store.Open(context.Background(), store.Options{Path: filepath.Join(dir, "ospod.db")})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if b, err := st.StaffAccount(context.Background(), "bob"); err != nil || b.Email != "" {
		t.Errorf("bob after removing his address: %+v %v", b, err)
	}
	if _, err := st.StaffAccount(context.Background(), "eve"); err == nil {
		t.Error("eve was added despite a refused address")
	}
}

// TestServeOIDCConfig: single sign-on half configured, or over http on a
// node that may not reach private networks, stops 'ospod serve' at once.
func TestServeOIDCConfig(t *testing.T) {
	dir := newDataDir(t)
	for name, env := range map[string]map[string]string{
		"no client id": {"OSPO_OIDC_ISSUER": "https://id.city.example"},
		"http issuer":  {"OSPO_OIDC_ISSUER": "http://id.city.example", "OSPO_OIDC_CLIENT_ID": "ospod"},
	} {
		env["OSPO_DATA"], env["OSPO_LISTEN"] = dir, "127.0.0.1:0"
		res := cli(t, env, "", "serve")
		if res.code != 2 || res.err == nil || !strings.Contains(res.err.Error(), "OSPO_OIDC_") {
			t.Errorf("%s: exit %d, error %v; want 2 naming the option", name, res.code, res.err)
		}
	}
}
