package store

import "context"

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
