package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"
)

// Staff roles: an admin may do everything, an editor the profile and events.
const (
	RoleAdmin  = "admin"
	RoleEditor = "editor"
)

// SettingRequireSecondFactor ("true") makes every staff account turn on a
// second factor before it can use the admin pages.
const SettingRequireSecondFactor = "staff.require_second_factor"

// SettingSignUpRole is the role of an account made when someone unknown
// signs in with the OpenID provider; absent or "" means no such sign-up.
const SettingSignUpRole = "staff.signup_role"

// StaffAccount is a person who runs the node from a browser.
type StaffAccount struct {
	ID           int64
	Name         string
	Role         string // RoleAdmin or RoleEditor
	PasswordHash string // PHC string; "" while an invitation is open
	Email        string
	Disabled     bool
	TOTPSecret   string // base32; set while enrolling, kept once enabled
	TOTPEnabled  bool
	Created      time.Time
	Updated      time.Time
}

// ValidRole reports whether r is a staff role.
func ValidRole(r string) bool { return r == RoleAdmin || r == RoleEditor }

// ValidStaffName reports whether a staff account name is acceptable: 1-64
// letters, digits, '.', '_', '-' or '@' (an e-mail address works).
func ValidStaffName(n string) bool {
	if n == "" || len(n) > 64 {
		return false
	}
	for _, r := range n {
		ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("._-@", r)
		if !ok {
			return false
		}
	}
	return true
}

const staffColumns = `id, name, role, password_hash, email, disabled, totp_secret, totp_enabled, created_at, updated_at`

func scanStaff(row interface{ Scan(...any) error }) (*StaffAccount, error) {
	var a StaffAccount
	var created, updated string
	err := row.Scan(&a.ID, &a.Name, &a.Role, &a.PasswordHash, &a.Email, &a.Disabled, &a.TOTPSecret, &a.TOTPEnabled,
		&created, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	a.Created, a.Updated = parseTime(created), parseTime(updated)
	return &a, nil
}

// AddStaffAccount stores a new account and sets its ID and times;
// ErrConflict when the name (case-insensitive) is taken, or
// ErrEmailTaken when another account has its e-mail address.
func (s *Store) AddStaffAccount(ctx context.Context, a *StaffAccount) error {
	now := s.Now()
	return s.InTx(ctx, func(t *Tx) error {
		if err := emailFree(ctx, t, a.Email, 0); err != nil {
			return err
		}
		res, err := t.tx.ExecContext(ctx, `INSERT INTO staff_accounts
			(name, role, password_hash, email, disabled, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (name) DO NOTHING`, a.Name, a.Role, a.PasswordHash, a.Email, a.Disabled, fmtTime(now), fmtTime(now))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrConflict
		}
		a.ID, _ = res.LastInsertId()
		a.Created, a.Updated = now, now
		return nil
	})
}

// emailFree returns ErrEmailTaken when an account other than id has this
// e-mail address (case-insensitive); "" is always free.
func emailFree(ctx context.Context, t *Tx, email string, id int64) error {
	if email == "" {
		return nil
	}
	var n int
	if err := t.tx.QueryRowContext(ctx, `SELECT count(*) FROM staff_accounts WHERE email = ? COLLATE NOCASE AND id <> ?`,
		email, id).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return ErrEmailTaken
	}
	return nil
}

// StaffAccount returns the account with this name (case-insensitive), or ErrNotFound.
func (s *Store) StaffAccount(ctx context.Context, name string) (*StaffAccount, error) {
	return scanStaff(s.r.QueryRowContext(ctx, `SELECT `+staffColumns+` FROM staff_accounts WHERE name = ?`, name))
}

// StaffAccountByEmail returns the account with this e-mail address
// (case-insensitive): ErrNotFound if none has it, ErrConflict if several
// do (then none may sign in by e-mail until an admin tells them apart).
func (s *Store) StaffAccountByEmail(ctx context.Context, email string) (*StaffAccount, error) {
	email = strings.TrimSpace(email)
	if email == "" {
		return nil, ErrNotFound
	}
	rows, err := s.r.QueryContext(ctx, `SELECT `+staffColumns+` FROM staff_accounts
		WHERE email = ? COLLATE NOCASE LIMIT 2`, email)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var found *StaffAccount
	for rows.Next() {
		a, err := scanStaff(rows)
		if err != nil {
			return nil, err
		}
		if found != nil {
			return nil, ErrConflict
		}
		found = a
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if found == nil {
		return nil, ErrNotFound
	}
	return found, nil
}

// StaffAccountByID returns the account with this id, or ErrNotFound.
func (s *Store) StaffAccountByID(ctx context.Context, id int64) (*StaffAccount, error) {
	return scanStaff(s.r.QueryRowContext(ctx, `SELECT `+staffColumns+` FROM staff_accounts WHERE id = ?`, id))
}

// StaffAccounts lists every account by name.
func (s *Store) StaffAccounts(ctx context.Context) ([]StaffAccount, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+staffColumns+` FROM staff_accounts ORDER BY name`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []StaffAccount{}
	for rows.Next() {
		a, err := scanStaff(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *a)
	}
	return out, rows.Err()
}

// CountStaffAccounts returns the number of accounts (0 on a fresh node).
func (s *Store) CountStaffAccounts(ctx context.Context) (int, error) {
	var n int
	err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM staff_accounts`).Scan(&n)
	return n, err
}

// StaffChange is a change to an account; nil fields stay as they are.
type StaffChange struct {
	Role         *string
	PasswordHash *string
	Email        *string
	Disabled     *bool
	TOTPSecret   *string
	TOTPEnabled  *bool
	// KeepSessions keeps the account's sessions; by default a change ends
	// them all (a changed role, password or state must take effect at once).
	KeepSessions bool
}

// ChangeStaffAccount applies a change to the named account and, unless
// asked not to, ends its sessions, in one transaction. ErrNotFound if there
// is no such account, ErrEmailTaken if another one has the new e-mail.
func (s *Store) ChangeStaffAccount(ctx context.Context, name string, ch StaffChange) error {
	return s.InTx(ctx, func(t *Tx) error {
		a, err := scanStaff(t.tx.QueryRowContext(ctx, `SELECT `+staffColumns+` FROM staff_accounts WHERE name = ?`, name))
		if err != nil {
			return err
		}
		set := func(dst *string, v *string) {
			if v != nil {
				*dst = *v
			}
		}
		set(&a.Role, ch.Role)
		set(&a.PasswordHash, ch.PasswordHash)
		set(&a.Email, ch.Email)
		if ch.Email != nil {
			if err := emailFree(ctx, t, a.Email, a.ID); err != nil {
				return err
			}
		}
		set(&a.TOTPSecret, ch.TOTPSecret)
		if ch.Disabled != nil {
			a.Disabled = *ch.Disabled
		}
		if ch.TOTPEnabled != nil {
			a.TOTPEnabled = *ch.TOTPEnabled
		}
		// A new secret starts with no used step: its codes have never been seen.
		if _, err := t.tx.ExecContext(ctx, `UPDATE staff_accounts SET role = ?, password_hash = ?, email = ?,
			disabled = ?, totp_last_step = CASE WHEN totp_secret = ? THEN totp_last_step ELSE 0 END,
			totp_secret = ?, totp_enabled = ?, updated_at = ? WHERE id = ?`,
			a.Role, a.PasswordHash, a.Email, a.Disabled, a.TOTPSecret, a.TOTPSecret, a.TOTPEnabled, fmtTime(t.now), a.ID); err != nil {
			return err
		}
		if ch.KeepSessions {
			return nil
		}
		_, err = t.tx.ExecContext(ctx, `DELETE FROM staff_sessions WHERE account_id = ?`, a.ID)
		return err
	})
}

// RemoveStaffAccount deletes an account with its sessions, invitations and
// recovery codes; ErrNotFound if there is none. Its audit entries stay.
func (s *Store) RemoveStaffAccount(ctx context.Context, name string) error {
	res, err := s.w.ExecContext(ctx, `DELETE FROM staff_accounts WHERE name = ?`, name)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

// SetRecoveryCodes replaces an account's recovery codes with these hashes.
func (s *Store) SetRecoveryCodes(ctx context.Context, accountID int64, hashes [][]byte) error {
	return s.InTx(ctx, func(t *Tx) error {
		if _, err := t.tx.ExecContext(ctx, `DELETE FROM staff_recovery_codes WHERE account_id = ?`, accountID); err != nil {
			return err
		}
		for _, h := range hashes {
			if _, err := t.tx.ExecContext(ctx, `INSERT INTO staff_recovery_codes (account_id, code_hash) VALUES (?, ?)
				ON CONFLICT DO NOTHING`, accountID, h); err != nil {
				return err
			}
		}
		return nil
	})
}

// UseTOTPStep records that an account's TOTP code of this time step was
// accepted, and reports false (recording nothing) when a code of this step
// or a later one was accepted before: each code works once (RFC 6238, 5.2).
func (s *Store) UseTOTPStep(ctx context.Context, accountID, step int64) (bool, error) {
	res, err := s.w.ExecContext(ctx, `UPDATE staff_accounts SET totp_last_step = ? WHERE id = ? AND totp_last_step < ?`,
		step, accountID, step)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// UseRecoveryCode deletes a recovery code and reports whether it existed.
func (s *Store) UseRecoveryCode(ctx context.Context, accountID int64, hash []byte) (bool, error) {
	res, err := s.w.ExecContext(ctx, `DELETE FROM staff_recovery_codes WHERE account_id = ? AND code_hash = ?`, accountID, hash)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// RecoveryCodesLeft counts an account's unused recovery codes.
func (s *Store) RecoveryCodesLeft(ctx context.Context, accountID int64) (int, error) {
	var n int
	err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM staff_recovery_codes WHERE account_id = ?`, accountID).Scan(&n)
	return n, err
}
