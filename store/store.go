// Package store owns the node's SQLite file: connection pragmas, embedded
// migrations, record types and every query. It imports nothing of ours.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// busy_timeout must come before journal_mode: switching to WAL needs the
// lock that the timeout waits for (GoToSocial's note on pragma order).
//
// temp_store(MEMORY) keeps temporary b-trees (sorts, GROUP BY) and the
// savepoint sub-journal of group commits (batch.go) off the disk: with the
// default, every savepoint wrote pages to a temporary file.
const pragmas = "_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)" +
	"&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)&_pragma=temp_store(MEMORY)"

// readerCacheKiB bounds each reader connection's page cache (SQLite's
// default is 2 MiB). The file's pages are in the kernel's page cache anyway;
// SQLite's copy only saves a system call per page, and the memory it once
// held is not given back to the system (the pure-Go allocator keeps it). With
// the default, the first scans of a large directory left 3 MiB more resident
// in an idle node; the calendar and directory benchmarks did not change.
const readerCacheKiB = 512

// Store is the node's database: one serialised writer and a pool of readers.
type Store struct {
	w, r *sql.DB
	path string
	now  func() time.Time

	wstmts, rstmts *stmtCache // prepared statements (stmt.go)

	// The directory's facet table, loaded by the first search (dirtable.go).
	dirTable atomic.Pointer[dirTable]
	ranked   rankCache // ranked full-text matches of recent searches (rankcache.go)

	// Totals and facets of recent calendar searches (calcache.go).
	calCounts calendarCountCache

	// WAL checkpoints (checkpoint.go).
	commits            atomic.Uint64 // commits made by InTx
	ckptStop, ckptDone chan struct{}

	// Group commit (batch.go).
	batchQ               chan *batchJob
	batchStop, batchDone chan struct{}
	stopOnce             sync.Once
}

// Options configures Open. The zero value is usable apart from Path.
type Options struct {
	// Path of the SQLite file; its folder is created if missing.
	Path string
	// Readers is the size of the read-only connection pool (default 4).
	Readers int
	// Now is the clock (default time.Now); tests pin it.
	Now func() time.Time
	// MustExist opens only an existing database: without it, Open creates
	// the folder and the file. Commands other than 'serve' set it, so a
	// command run in the wrong place makes no new node.
	MustExist bool
}

// ErrNoDatabase is Open's error when MustExist is set and there is no database file.
var ErrNoDatabase = errors.New("no database")

// Open opens (creating if needed) the database file and applies pending migrations.
func Open(ctx context.Context, o Options) (*Store, error) {
	if o.Path == "" {
		return nil, fmt.Errorf("store: empty database path")
	}
	if o.MustExist {
		if _, err := os.Stat(o.Path); errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%w at %s", ErrNoDatabase, o.Path)
		}
	}
	if err := os.MkdirAll(filepath.Dir(o.Path), 0o700); err != nil {
		return nil, fmt.Errorf("store: create data folder: %w", err)
	}
	if err := privateFiles(o.Path); err != nil {
		return nil, err
	}
	if o.Readers <= 0 {
		o.Readers = 4
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	// Build a file: URI so that '?', '#' or spaces in the path are escaped.
	u := fileURI(o.Path)
	w, err := sql.Open("sqlite", u+"?"+pragmas+"&_txlock=immediate"+
		fmt.Sprintf("&_pragma=wal_autocheckpoint(0)&_pragma=journal_size_limit(%d)", walSizeLimit)) // checkpoint.go
	if err != nil {
		return nil, fmt.Errorf("store: open writer: %w", err)
	}
	// One writer connection: SQLite has one write lock anyway, and queuing in
	// Go is cheaper than spinning on SQLITE_BUSY.
	w.SetMaxOpenConns(1)
	w.SetConnMaxIdleTime(0)
	s := &Store{w: w, path: o.Path, now: o.Now}
	if err := s.migrate(ctx); err != nil {
		w.Close()
		return nil, err
	}
	r, err := sql.Open("sqlite", u+"?"+pragmas+"&_pragma=query_only(1)"+
		fmt.Sprintf("&_pragma=cache_size(%d)", -readerCacheKiB))
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("store: open readers: %w", err)
	}
	r.SetMaxOpenConns(o.Readers)
	r.SetMaxIdleConns(o.Readers)
	s.r = r
	s.wstmts, s.rstmts = newStmtCache(w), newStmtCache(r)
	s.startCommitter()
	s.startCheckpointer()
	return s, nil
}

// privateFiles creates the database file 0600 before SQLite does, and
// takes group and other permissions off an existing one and its -wal and
// -shm files: it holds the node's private key. SQLite gives the -wal and
// -shm files it creates the permissions of the database file.
func privateFiles(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err == nil {
		return f.Close()
	}
	if !errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("store: create the database file: %w", err)
	}
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		fi, err := os.Stat(p)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return fmt.Errorf("store: %w", err)
		}
		if fi.Mode().Perm()&0o077 != 0 {
			if err := os.Chmod(p, fi.Mode().Perm()&0o700); err != nil {
				return fmt.Errorf("store: make %s private: %w", p, err)
			}
		}
	}
	return nil
}

// Close closes both pools.
func (s *Store) Close() error {
	s.stopCommitter()
	s.stopCheckpointer()
	s.wstmts.close()
	s.rstmts.close()
	err := s.r.Close()
	if e := s.w.Close(); err == nil {
		err = e
	}
	return err
}

// Path returns the database file's path.
func (s *Store) Path() string { return s.path }

// Now returns the store's clock reading, in UTC.
func (s *Store) Now() time.Time { return s.now().UTC() }

// IntegrityCheck runs PRAGMA integrity_check and returns its first line ("ok" when sound).
func (s *Store) IntegrityCheck(ctx context.Context) (string, error) {
	var res string
	err := s.w.QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&res)
	return res, err
}

// Tx is a write transaction. Every method that changes state has a Tx variant
// so federation can write a change and its deliveries atomically.
type Tx struct {
	tx    *sql.Tx
	now   time.Time
	stmts *stmtCache // nil: statements are not cached

	calendarWritten bool // rows may wait in calendar_unindexed (migration 0009)
}

// Now is the time the transaction started, in UTC.
func (t *Tx) Now() time.Time { return t.now }

// InTx runs fn in one immediate write transaction, committing when fn returns nil.
func (s *Store) InTx(ctx context.Context, fn func(*Tx) error) error {
	s.wstmts.preparePending(ctx)
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: begin: %w", err)
	}
	t := &Tx{tx: tx, now: s.Now(), stmts: s.wstmts}
	if err := fn(t); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := t.indexCalendar(ctx); err != nil {
		_ = tx.Rollback()
		return fmt.Errorf("store: index the calendar: %w", err)
	}
	if err := t.stampLastChange(ctx); err != nil {
		_ = tx.Rollback()
		return fmt.Errorf("store: stamp the last change: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: commit: %w", err)
	}
	s.commits.Add(1)
	return nil
}

// timeFormat is how instants are stored: UTC, fixed width, so that text order is time order.
const timeFormat = "2006-01-02T15:04:05.000000Z"

func fmtTime(t time.Time) string { return t.UTC().Format(timeFormat) }

func parseTime(s string) time.Time {
	t, _ := time.Parse(timeFormat, s)
	return t
}

func nullTime(s sql.NullString) time.Time {
	if !s.Valid {
		return time.Time{}
	}
	return parseTime(s.String)
}
