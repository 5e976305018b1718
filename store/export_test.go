package store

import (
	"context"
	"time"
)

// WriterPragma reads a PRAGMA on the writer connection, for store_test.go.
func WriterPragma(ctx context.Context, s *Store, name string) (string, error) {
	var v string
	err := s.w.QueryRowContext(ctx, "PRAGMA "+name).Scan(&v)
	return v, err
}

// ReaderPragma reads a PRAGMA on a reader connection, for store_test.go.
func ReaderPragma(ctx context.Context, s *Store, name string) (string, error) {
	var v string
	err := s.r.QueryRowContext(ctx, "PRAGMA "+name).Scan(&v)
	return v, err
}

// PutHostHealth writes a host's delivery health directly, for network_test.go
// (the delivery worker's path to it needs deliveries and their results).
func PutHostHealth(ctx context.Context, s *Store, host, lastError string, failingSince time.Time, unreachable bool) error {
	_, err := s.w.ExecContext(ctx, `INSERT INTO hosts (host, failing_since, last_error, unreachable, updated_at)
		VALUES (?, ?, ?, ?, ?)`, host, fmtTime(failingSince), lastError, unreachable, fmtTime(s.Now()))
	return err
}
