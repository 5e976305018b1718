package store

import (
	"context"
	"database/sql"
	"errors"
)

// Setting names used by the node.
const (
	SettingPrivateKey     = "actor.private_key_pem"
	SettingPublicKey      = "actor.public_key_pem"
	SettingAdminTokenHash = "admin.token_sha256"
	SettingBaseURL        = "node.base_url"
	SettingHandle         = "node.handle"
)

// Setting returns a setting's value, or ErrNotFound.
func (s *Store) Setting(ctx context.Context, key string) (string, error) {
	var v string
	err := s.r.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", ErrNotFound
	}
	return v, err
}

// SetSetting stores a setting, replacing any previous value.
func (s *Store) SetSetting(ctx context.Context, key, value string) error {
	_, err := s.w.ExecContext(ctx,
		`INSERT INTO settings (key, value) VALUES (?, ?)
		 ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value)
	return err
}

// SetSettingIfAbsent stores a setting only when it has no value yet and
// reports whether it did: two processes starting at once keep one key pair.
func (s *Store) SetSettingIfAbsent(ctx context.Context, key, value string) (bool, error) {
	res, err := s.w.ExecContext(ctx,
		`INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING`, key, value)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}
