package store

import (
	"context"
	"database/sql"
	"sync"
)

// Prepared statements for the hot paths (inbox, delivery, document reads).
//
// The modernc driver compiles every statement it is given: for the short
// statements of the inbox, parsing and planning cost about as much as
// running them (a quarter of the inbox's serialised write time in a CPU
// profile). A stmtCache prepares each SQL text once per pool; database/sql
// then keeps it prepared on each connection and, through Tx.StmtContext,
// reuses it inside transactions on that connection (the writer pool has
// one). Only constant SQL texts may go through it: the cache never shrinks.
type stmtCache struct {
	db      *sql.DB
	mu      sync.Mutex
	m       map[string]*sql.Stmt
	pending map[string]bool // seen in a transaction, to prepare before the next one
}

func newStmtCache(db *sql.DB) *stmtCache {
	return &stmtCache{db: db, m: map[string]*sql.Stmt{}, pending: map[string]bool{}}
}

// get returns the prepared statement for q, preparing it now.
// The lock is not held while preparing: preparing waits for a connection,
// and a transaction holding the writer's only connection may be waiting for
// the lock in lookup.
func (c *stmtCache) get(ctx context.Context, q string) (*sql.Stmt, error) {
	c.mu.Lock()
	st, ok := c.m[q]
	c.mu.Unlock()
	if ok {
		return st, nil
	}
	st, err := c.db.PrepareContext(ctx, q)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.m[q]; ok { // prepared meanwhile by another caller
		st.Close()
		return old, nil
	}
	c.m[q] = st
	return st, nil
}

// lookup returns the statement if it is prepared, else notes q for
// preparePending. Inside a transaction of the one-connection writer pool,
// preparing would wait for the connection the transaction holds.
func (c *stmtCache) lookup(q string) (*sql.Stmt, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	st, ok := c.m[q]
	if !ok {
		c.pending[q] = true
	}
	return st, ok
}

// preparePending prepares the statements noted by lookup (outside any transaction).
func (c *stmtCache) preparePending(ctx context.Context) {
	c.mu.Lock()
	var qs []string
	for q := range c.pending {
		qs = append(qs, q)
	}
	clear(c.pending)
	c.mu.Unlock()
	for _, q := range qs {
		_, _ = c.get(ctx, q) // on error the statement just stays unprepared
	}
}

func (c *stmtCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, st := range c.m {
		st.Close()
	}
	clear(c.m)
}

// exec runs a constant statement inside the transaction, prepared once.
func (t *Tx) exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	if t.stmts != nil {
		if st, ok := t.stmts.lookup(q); ok {
			return t.tx.StmtContext(ctx, st).ExecContext(ctx, args...)
		}
	}
	return t.tx.ExecContext(ctx, q, args...)
}

// queryRow is QueryRowContext of a constant statement, prepared once.
func (t *Tx) queryRow(ctx context.Context, q string, args ...any) *sql.Row {
	if t.stmts != nil {
		if st, ok := t.stmts.lookup(q); ok {
			return t.tx.StmtContext(ctx, st).QueryRowContext(ctx, args...)
		}
	}
	return t.tx.QueryRowContext(ctx, q, args...)
}

// query is QueryContext of a constant statement, prepared once.
func (t *Tx) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	if t.stmts != nil {
		if st, ok := t.stmts.lookup(q); ok {
			return t.tx.StmtContext(ctx, st).QueryContext(ctx, args...)
		}
	}
	return t.tx.QueryContext(ctx, q, args...)
}

// readRow is QueryRowContext of a constant statement on the reader pool.
func (s *Store) readRow(ctx context.Context, q string, args ...any) *sql.Row {
	if st, err := s.rstmts.get(ctx, q); err == nil {
		return st.QueryRowContext(ctx, args...)
	}
	return s.r.QueryRowContext(ctx, q, args...)
}
