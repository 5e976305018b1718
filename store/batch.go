package store

import (
	"context"
	"errors"
	"fmt"
)

// Group commit for many small, independent write transactions (the inbox).
//
// Each commit of a WAL database appends every page the transaction dirtied,
// and the inbox's transactions dirty mostly the same pages (the ends of the
// inbox_seen, remote_events and calendar b-trees and the FTS segment), so
// one commit for many activities writes a fraction of the pages. Callers
// keep their semantics: each fn runs in its own SAVEPOINT (its error undoes
// only its own changes), and Batch returns only after the transaction that
// holds fn's changes has committed, so an acknowledgement sent after
// Batch returns is never lost to a crash.

// maxBatch bounds the functions committed together: a batch holds the write
// lock, and other writers wait for it.
const maxBatch = 64

type batchJob struct {
	ctx  context.Context
	fn   func(*Tx) error
	done chan error
}

// Batch runs fn inside a write transaction shared with concurrent Batch
// calls and returns fn's error or, when fn succeeded, the commit's; when fn
// fails, its changes are undone and the others' kept. fn must not start
// another transaction, must not hold on to tx, and may run more than once
// (see runBatch), so it must have no effect outside tx. Its statements
// should not use a context that may end: SQLite rolls back the whole
// transaction, everyone's, when a statement is interrupted. A batch forms
// only from calls that wait while another batch is committing.
func (s *Store) Batch(ctx context.Context, fn func(*Tx) error) error {
	j := &batchJob{ctx: ctx, fn: fn, done: make(chan error, 1)}
	select {
	case s.batchQ <- j:
	case <-s.batchStop:
		return errors.New("store: closed")
	case <-ctx.Done():
		return ctx.Err()
	}
	// Once queued, wait for the outcome even if ctx ends: the caller must
	// not report failure for changes that may yet commit.
	return <-j.done
}

// startCommitter starts the goroutine that runs batches (from Open).
func (s *Store) startCommitter() {
	s.batchQ = make(chan *batchJob, 1024)
	s.batchStop = make(chan struct{})
	s.batchDone = make(chan struct{})
	go s.committer()
}

// stopCommitter ends the committer after its current batch (from Close).
func (s *Store) stopCommitter() {
	s.stopOnce.Do(func() { close(s.batchStop) })
	<-s.batchDone
}

// committer runs batches until the store closes.
func (s *Store) committer() {
	defer close(s.batchDone)
	for {
		var first *batchJob
		select {
		case first = <-s.batchQ:
		case <-s.batchStop:
			s.failQueued()
			return
		}
		jobs := []*batchJob{first}
	more:
		for len(jobs) < maxBatch {
			select {
			case j := <-s.batchQ:
				jobs = append(jobs, j)
			default:
				break more
			}
		}
		s.runBatch(jobs)
	}
}

func (s *Store) failQueued() {
	for {
		select {
		case j := <-s.batchQ:
			j.done <- errors.New("store: closed")
		default:
			return
		}
	}
}

// NoChange marks the error of a Batch function that changed nothing (a
// duplicate activity, say): the batch then goes on without undoing or
// running again the other functions. errors.Is and errors.As see err.
func NoChange(err error) error { return noChangeError{err} }

type noChangeError struct{ error }

func (e noChangeError) Unwrap() error { return e.error }

// errRetryWithSavepoints ends a batch's first attempt when a function failed.
var errRetryWithSavepoints = errors.New("store: a batched function failed")

// runBatch commits jobs in one transaction. It first runs them one after
// the other without savepoints, which cost two statements per function.
// Functions rarely fail (a refused activity); when one does, the
// transaction is rolled back and the batch runs again with a savepoint for
// each function, so the failure undoes only that function's changes. An
// error marked NoChange (a duplicate) needs neither.
func (s *Store) runBatch(jobs []*batchJob) {
	results := make([]error, len(jobs))
	run := func(withSavepoints bool) error {
		return s.InTx(context.Background(), func(tx *Tx) error {
			for i, j := range jobs {
				if err := j.ctx.Err(); err != nil {
					results[i] = err // the caller gave up before its turn: nothing done
					continue
				}
				// Statements must not be interrupted by the caller's context:
				// SQLite rolls back the whole transaction on an interrupt.
				ctx := context.WithoutCancel(j.ctx)
				if !withSavepoints {
					results[i] = callSafely(j.fn, tx)
					if results[i] != nil && !errors.As(results[i], new(noChangeError)) {
						return errRetryWithSavepoints
					}
					continue
				}
				res, err := tx.savepoint(ctx, j.fn)
				if err != nil {
					return err // the savepoint itself failed: give up the batch
				}
				results[i] = res
			}
			return nil
		})
	}
	err := run(false)
	if errors.Is(err, errRetryWithSavepoints) {
		if len(jobs) == 1 {
			err = nil // the rollback undid the lone function's changes: its error is its result
		} else {
			clear(results)
			err = run(true)
		}
	}
	for i, j := range jobs {
		if err != nil {
			j.done <- err
		} else {
			j.done <- results[i]
		}
	}
}

// savepoint runs fn in a savepoint: fn's error rolls back fn's changes only
// and is returned as res; err reports a failure of the savepoint itself.
func (t *Tx) savepoint(ctx context.Context, fn func(*Tx) error) (res, err error) {
	if _, err := t.tx.ExecContext(ctx, "SAVEPOINT batch_item"); err != nil {
		return nil, fmt.Errorf("store: savepoint: %w", err)
	}
	if res = callSafely(fn, t); res != nil {
		if _, err := t.tx.ExecContext(ctx, "ROLLBACK TO batch_item"); err != nil {
			return nil, fmt.Errorf("store: rollback to savepoint: %w", err)
		}
	}
	if _, err := t.tx.ExecContext(ctx, "RELEASE batch_item"); err != nil {
		return nil, fmt.Errorf("store: release savepoint: %w", err)
	}
	return res, nil
}

// callSafely turns a panic in fn into an error: fn runs on the committer's
// goroutine, where no HTTP recoverer would catch it.
func callSafely(fn func(*Tx) error, t *Tx) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("store: panic in batched transaction: %v", r)
		}
	}()
	return fn(t)
}
