package store

import "errors"

// ErrNotFound means the requested record does not exist.
var ErrNotFound = errors.New("not found")

// ErrConflict means the write would break a uniqueness rule.
var ErrConflict = errors.New("conflict")

// ErrEmailTaken means another staff account already has this e-mail
// address (it identifies a person at single sign-on).
var ErrEmailTaken = errors.New("e-mail address taken")
