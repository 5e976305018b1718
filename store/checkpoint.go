package store

import (
	"context"
	"time"
)

// WAL checkpoints, off the write path.
//
// With SQLite's default (wal_autocheckpoint=1000), the commit that takes the
// WAL past 1,000 pages also copies them back into the database file, on the
// writer's connection: under inbox load that was a fifth of the one
// writer's time, during which no other write could start. The writer
// therefore runs with wal_autocheckpoint=0, and a goroutine checkpoints on a
// reader connection once a second after commits. PASSIVE never blocks the
// writer or the readers; pages written several times within the second are
// copied once. SQLite still checkpoints when the last connection closes.

// checkpointEvery is the longest time committed pages wait in the WAL.
const checkpointEvery = time.Second

// walSizeLimit is what the WAL file is truncated to when SQLite restarts it
// (journal_size_limit), so a burst does not keep a large file.
const walSizeLimit = 16 << 20

// startCheckpointer starts the checkpointing goroutine (from Open).
func (s *Store) startCheckpointer() {
	s.ckptStop = make(chan struct{})
	s.ckptDone = make(chan struct{})
	go s.checkpointer()
}

// stopCheckpointer ends the goroutine (from Close).
func (s *Store) stopCheckpointer() {
	close(s.ckptStop)
	<-s.ckptDone
}

func (s *Store) checkpointer() {
	defer close(s.ckptDone)
	t := time.NewTicker(checkpointEvery)
	defer t.Stop()
	var done uint64
	for tick := 1; ; tick++ {
		select {
		case <-s.ckptStop:
			return
		case <-t.C:
		}
		// InTx counts its commits; the few writes made outside it (settings,
		// moderation lists) are caught by a checkpoint once a minute.
		if n := s.commits.Load(); n != done || tick%60 == 0 {
			if s.Checkpoint(context.Background()) == nil {
				done = n
			}
		}
	}
}

// Checkpoint copies the WAL's committed pages into the database file
// without waiting for (or blocking) the writer or readers.
func (s *Store) Checkpoint(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	var busy, walPages, copied int
	return s.r.QueryRowContext(ctx, "PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &walPages, &copied)
}
