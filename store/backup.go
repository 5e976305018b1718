package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
)

// Backup writes a consistent copy of the database to dest with VACUUM INTO
// while the node keeps running (a read transaction: writers go on in the
// WAL), then checks the copy with PRAGMA integrity_check. dest is created
// 0600 and must not exist: an existing file is never overwritten. A copy
// that fails its check is removed.
func (s *Store) Backup(ctx context.Context, dest string) (err error) {
	// VACUUM INTO accepts an empty file: creating it first refuses an
	// existing one atomically and fixes its mode whatever the umask.
	f, err := os.OpenFile(dest, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	if err := f.Close(); err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = os.Remove(dest)
		}
	}()
	// A connection of its own: the writer must stay free for the node, and
	// the readers are query_only.
	db, err := sql.Open("sqlite", fileURI(s.path)+"?_pragma=busy_timeout(10000)")
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, "VACUUM INTO ?", dest); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	if _, err := InspectBackup(ctx, dest); err != nil {
		return err
	}
	return nil
}

// BackupInfo is what a backup file says of the node it was taken from.
type BackupInfo struct {
	BaseURL, Handle string // "" when the backup predates the recorded identity
	PublicKeyPEM    string
	SchemaVersion   int
}

// InspectBackup checks a database file (PRAGMA integrity_check) without
// changing it, and reads the identity of its node.
func InspectBackup(ctx context.Context, path string) (BackupInfo, error) {
	var info BackupInfo
	if _, err := os.Stat(path); err != nil {
		return info, fmt.Errorf("backup: %w", err)
	}
	// immutable: no -wal or -shm file is made beside a file that nothing
	// else writes (a fresh copy, or one being restored).
	db, err := sql.Open("sqlite", fileURI(path)+"?mode=ro&immutable=1")
	if err != nil {
		return info, err
	}
	defer db.Close()
	var res string
	if err := db.QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&res); err != nil {
		return info, fmt.Errorf("backup %s: not a readable database: %w", path, err)
	}
	if res != "ok" {
		return info, fmt.Errorf("backup %s: integrity check failed: %s", path, res)
	}
	if err := db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&info.SchemaVersion); err != nil {
		return info, err
	}
	if info.SchemaVersion > LatestSchemaVersion() {
		return info, fmt.Errorf("backup %s has schema version %d, newer than this ospod knows (%d): use a newer ospod",
			path, info.SchemaVersion, LatestSchemaVersion())
	}
	for key, at := range map[string]*string{SettingBaseURL: &info.BaseURL, SettingHandle: &info.Handle, SettingPublicKey: &info.PublicKeyPEM} {
		err := db.QueryRowContext(ctx, "SELECT value FROM settings WHERE key = ?", key).Scan(at)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return info, fmt.Errorf("backup %s: read %s: %w", path, key, err)
		}
	}
	return info, nil
}

// RestoreBackup copies the backup src to dbPath, which must not exist
// (restore into an empty data folder only). The copy is written 0600 next
// to dbPath, checked, synced and renamed into place, so a failed restore
// leaves no database behind.
func RestoreBackup(ctx context.Context, src, dbPath string) (err error) {
	for _, p := range []string{dbPath, dbPath + "-wal", dbPath + "-shm"} {
		if _, err := os.Lstat(p); !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("restore: %s exists: restore only into an empty data folder of a stopped node", p)
		}
	}
	if err := os.MkdirAll(filepath.Dir(dbPath), 0o700); err != nil {
		return err
	}
	in, err := os.Open(src)
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	defer in.Close()
	tmp := dbPath + ".restoring"
	out, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	defer func() {
		if err != nil {
			_ = os.Remove(tmp)
		}
	}()
	_, err = io.Copy(out, in)
	if err == nil {
		err = out.Sync()
	}
	if e := out.Close(); err == nil {
		err = e
	}
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	if _, err := InspectBackup(ctx, tmp); err != nil {
		return err
	}
	return os.Rename(tmp, dbPath)
}

// fileURI is a file: URI of path, with '?', '#' and spaces escaped.
func fileURI(path string) string {
	return (&url.URL{Scheme: "file", OmitHost: true, Path: path}).String()
}
