package store

import (
	"context"
	"database/sql"
	"errors"
	"time"
)

// Actor is a remote ActivityPub actor as we last fetched it.
type Actor struct {
	ID           string
	Type         string
	Host         string
	Username     string
	Inbox        string
	SharedInbox  string
	KeyID        string
	PublicKeyPEM string
	IsOSPO       bool
	Doc          string // the raw JSON document, as received
	FetchedAt    time.Time
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// Account is the actor's handle, "user@host", or "" when it has no
// preferredUsername.
func (a *Actor) Account() string {
	if a.Username == "" {
		return ""
	}
	return a.Username + "@" + a.Host
}

// DeliveryInbox is where activities for this actor's followers go: the
// shared inbox when there is one, so each server gets one copy.
func (a *Actor) DeliveryInbox() string {
	if a.SharedInbox != "" {
		return a.SharedInbox
	}
	return a.Inbox
}

const actorColumns = `id, type, host, username, inbox, shared_inbox, key_id, public_key_pem, is_ospo, doc,
	fetched_at, created_at, updated_at`

// actorColumnsNoDoc reads an actor without its document, for the inbox's
// lookup of each activity's signer: the key and addresses are what it needs.
const actorColumnsNoDoc = `id, type, host, username, inbox, shared_inbox, key_id, public_key_pem, is_ospo, '',
	fetched_at, created_at, updated_at`

func scanActor(row interface{ Scan(...any) error }) (*Actor, error) {
	var a Actor
	var fetched, created, updated string
	err := row.Scan(&a.ID, &a.Type, &a.Host, &a.Username, &a.Inbox, &a.SharedInbox, &a.KeyID,
		&a.PublicKeyPEM, &a.IsOSPO, &a.Doc, &fetched, &created, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	a.FetchedAt, a.CreatedAt, a.UpdatedAt = parseTime(fetched), parseTime(created), parseTime(updated)
	return &a, nil
}

// PutActor inserts or refreshes a remote actor. A key already held by
// another actor is a conflict (ErrConflict): keys are never silently moved.
func (s *Store) PutActor(ctx context.Context, a *Actor) error {
	return s.InTx(ctx, func(tx *Tx) error { return tx.PutActor(ctx, a) })
}

// PutActor is PutActor inside a transaction.
func (t *Tx) PutActor(ctx context.Context, a *Actor) error {
	now := fmtTime(t.now)
	if a.FetchedAt.IsZero() {
		a.FetchedAt = t.now
	}
	var other string
	err := t.queryRow(ctx, `SELECT id FROM actors WHERE key_id = ? AND id <> ?`, a.KeyID, a.ID).Scan(&other)
	if err == nil {
		return ErrConflict
	} else if !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	_, err = t.exec(ctx, `INSERT INTO actors (`+actorColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET type = excluded.type, host = excluded.host, username = excluded.username,
		  inbox = excluded.inbox, shared_inbox = excluded.shared_inbox, key_id = excluded.key_id,
		  public_key_pem = excluded.public_key_pem, is_ospo = excluded.is_ospo, doc = excluded.doc,
		  fetched_at = excluded.fetched_at, updated_at = excluded.updated_at`,
		a.ID, a.Type, a.Host, a.Username, a.Inbox, a.SharedInbox, a.KeyID, a.PublicKeyPEM, a.IsOSPO, a.Doc,
		fmtTime(a.FetchedAt), now, now)
	return err
}

// Actor returns a remote actor by id.
func (s *Store) Actor(ctx context.Context, id string) (*Actor, error) {
	return scanActor(s.readRow(ctx, `SELECT `+actorColumns+` FROM actors WHERE id = ?`, id))
}

// ActorByKey returns the actor holding a key id, without its document (Doc
// is empty): verifying a request needs the key and the addresses only.
func (s *Store) ActorByKey(ctx context.Context, keyID string) (*Actor, error) {
	return scanActor(s.readRow(ctx, `SELECT `+actorColumnsNoDoc+` FROM actors WHERE key_id = ?`, keyID))
}

// DeleteActor forgets a remote actor and, by cascade, its follow relations and events.
func (t *Tx) DeleteActor(ctx context.Context, id string) error {
	_, err := t.tx.ExecContext(ctx, `DELETE FROM actors WHERE id = ?`, id)
	return err
}

// Actor is Store.Actor inside a transaction.
func (t *Tx) Actor(ctx context.Context, id string) (*Actor, error) {
	return scanActor(t.queryRow(ctx, `SELECT `+actorColumns+` FROM actors WHERE id = ?`, id))
}
