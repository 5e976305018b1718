package store

import "errors"

// ErrNotFound means the requested record does not exist.
var ErrNotFound = errors.New("not found")

// ErrConflict means the write would break a uniqueness rule.
var ErrConflict = errors.New("conflict")
