package store

import (
	"context"
	"fmt"
	"io/fs"
)

// SettingHealthProbe is the setting the readiness check rewrites to prove
// that the database takes writes.
const SettingHealthProbe = "health.probe"

// LatestSchemaVersion is the number of the last migration this build carries.
func LatestSchemaVersion() int {
	names, _ := fs.Glob(migrations, "migrations/*.sql")
	return len(names)
}

// CheckReady reports whether the database serves: every migration of this
// build is applied and a write commits (a full disk, a read-only file or a
// lost lock fail here rather than on the next real write).
func (s *Store) CheckReady(ctx context.Context) error {
	v, err := s.SchemaVersion(ctx)
	if err != nil {
		return fmt.Errorf("read the schema version: %w", err)
	}
	if latest := LatestSchemaVersion(); v != latest {
		return fmt.Errorf("schema version %d, want %d", v, latest)
	}
	if err := s.SetSetting(ctx, SettingHealthProbe, fmtTime(s.Now())); err != nil {
		return fmt.Errorf("database not writable: %w", err)
	}
	return nil
}
