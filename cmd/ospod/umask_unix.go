//go:build unix

package main

import "syscall"

// privateUmask makes every file the process creates private to its user
// (the database, its -wal and -shm files, backups): umask 0077.
func privateUmask() { syscall.Umask(0o077) }
