package federation

import (
	"context"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/ospod/ospod/federation/as2"
	"github.com/ospod/ospod/federation/markup"
	"github.com/ospod/ospod/federation/signature"
	"github.com/ospod/ospod/store"
)

// InboxError is a refusal of an inbox request with its HTTP status.
type InboxError struct {
	Status int
	Reason string
}

func (e *InboxError) Error() string { return e.Reason }

func refuse(status int, format string, args ...any) error {
	return &InboxError{Status: status, Reason: fmt.Sprintf(format, args...)}
}

// errSkip ends processing of a request that is valid but not for us; the
// caller answers 202 and stores nothing.
var errSkip = errors.New("skipped")

// Receive authenticates and applies one activity POSTed to an inbox.
// Authentication comes first: the signature (with its digest, date and
// signed-header checks), then that the signer is the activity's actor and
// that the activity comes from the actor's origin. Only then is anything
// written, in one transaction with the de-duplication record. It returns nil
// (202) for accepted or knowingly ignored activities, *signature.Error (401)
// or *InboxError (400/403) otherwise.
func (n *Node) Receive(ctx context.Context, r *http.Request, body []byte) error {
	if host := keyIDHost(r.Header); host != "" && !n.Allowed(ctx, host) {
		return refuse(http.StatusForbidden, "this node does not federate with %s", host)
	}
	// An actor deleting itself that we never knew: nothing to do, and no
	// fetch of a key that is likely gone (federation-security.md D17).
	unknown := func() bool { return n.isDeleteOfUnknownActor(ctx, body) }
	var signer *store.Actor // the key's owner, as the store holds it after verification
	resolve := func(ctx context.Context, keyID string, refresh bool) (*rsa.PublicKey, error) {
		a, pub, err := n.resolveKey(ctx, keyID, refresh, unknown)
		if err == nil {
			signer = a
		}
		return pub, err
	}
	if r.URL.Scheme == "" {
		// RFC 9421's @target-uri is the URL the sender used: our public
		// scheme, whether or not a proxy ended TLS in front of us.
		u := *r.URL
		u.Scheme = n.base.Scheme
		r = r.WithContext(ctx)
		r.URL = &u
	}
	keyID, err := signature.Verify(ctx, r, body, n.now(), resolve)
	if errors.Is(err, errSkip) {
		return nil
	}
	if err != nil {
		return err
	}
	if signer == nil || signer.KeyID != keyID {
		return &signature.Error{Reason: "the signing key's actor is unknown"}
	}
	in, err := as2.ParseActivity(body)
	if err != nil {
		return refuse(http.StatusBadRequest, "malformed activity: %v", err)
	}
	if in.Actor != signer.ID {
		return &signature.Error{Reason: "the activity's actor is not the key's owner"}
	}
	if !as2.SameOrigin(in.ID, signer.ID) {
		return refuse(http.StatusForbidden, "the activity id is not on the actor's origin")
	}
	// A verified request proves the host is alive: resume deliveries to it.
	if err := n.st.ReviveHost(ctx, signer.Host); err != nil {
		n.log.Warn("revive host", "host", signer.Host, "err", err)
	}
	err = n.apply(ctx, signer, in)
	if errors.Is(err, errSkip) {
		return nil
	}
	if err == nil && in.Type == "Accept" {
		// Our follow was accepted: fetch the events published before it.
		n.background("backfill", func(ctx context.Context) { n.backfillEvents(ctx, signer.ID) })
		n.nudgeDiscovery()
	}
	if err == nil {
		n.log.Info("inbox", "type", in.Type, "actor", in.Actor, "id", in.ID)
	}
	return err
}

// isDeleteOfUnknownActor reports whether body is an actor deleting itself
// and we hold nothing of that actor.
func (n *Node) isDeleteOfUnknownActor(ctx context.Context, body []byte) bool {
	in, err := as2.ParseActivity(body)
	if err != nil || in.Type != "Delete" || in.ObjectID != in.Actor {
		return false
	}
	_, err = n.st.Actor(ctx, in.Actor)
	return errors.Is(err, store.ErrNotFound)
}

// apply performs an authenticated activity in one transaction with its
// de-duplication record: a replayed or concurrent copy has no second effect.
func (n *Node) apply(ctx context.Context, signer *store.Actor, in *as2.Activity) error {
	// Objects given by reference are fetched (outside the transaction) from
	// their origin, which must be the actor's.
	if (in.Type == "Create" || in.Type == "Update") && in.ObjectType == "" {
		if !as2.SameOrigin(in.ObjectID, signer.ID) {
			return refuse(http.StatusForbidden, "the object is not on the actor's origin")
		}
		doc, err := n.getActivity(ctx, in.ObjectID)
		if err != nil {
			return refuse(http.StatusBadRequest, "could not fetch the object: %v", err)
		}
		in.Object = doc
		in.SetObject(doc)
	}
	var event *remoteEvent // read and checked before the transaction: the single writer only writes
	if (in.Type == "Create" || in.Type == "Update") && !(in.Type == "Update" && in.ObjectID == signer.ID) {
		var err error
		if event, err = acceptRemoteEvent(signer.ID, in.ObjectMap, in.Object); err != nil {
			return refuseEvent(err)
		}
	}
	// Batch, not InTx: concurrent activities share one commit (group
	// commit), and a refused one undoes only its own changes; Batch returns
	// after the commit, so the 202 still follows durable storage. The
	// function may run twice (store.Batch): it only touches tx. Its
	// statements run to the end even if the sender hangs up: interrupting
	// one would roll back the other activities of the batch.
	err := n.st.Batch(ctx, func(tx *store.Tx) error {
		ctx := context.WithoutCancel(ctx)
		fresh, err := tx.MarkSeen(ctx, in.ID, signer.ID, in.Type)
		if err != nil {
			return err
		}
		if !fresh {
			return store.NoChange(errSkip) // already applied: the batch need not run again
		}
		switch in.Type {
		case "Follow":
			err = n.onFollow(ctx, tx, signer, in)
		case "Undo":
			err = n.onUndo(ctx, tx, signer, in)
		case "Accept", "Reject":
			err = n.onAnswer(ctx, tx, signer, in)
		case "Create", "Update":
			err = n.onCreateOrUpdate(ctx, tx, signer, in, event)
		case "Delete":
			err = n.onDelete(ctx, tx, signer, in)
		case "Join":
			err = n.onJoin(ctx, tx, signer, in)
		case "Block":
			err = n.onBlock(ctx, tx, signer, in)
		case "Flag":
			err = tx.AddReport(ctx, &store.Report{ActivityID: in.ID, ActorID: signer.ID,
				Objects: as2.IDsOf(in.Raw["object"]), Content: markup.PlainText(as2.OptString(in.Raw, "content"))})
		default:
			// Like, Announce... are recorded as seen and otherwise ignored.
		}
		return err
	})
	n.nudge(err)
	return err
}

// onFollow records a new follower; it is accepted at once (an Accept is
// queued) unless the profile asks for manual approval.
func (n *Node) onFollow(ctx context.Context, tx *store.Tx, signer *store.Actor, in *as2.Activity) error {
	if in.ObjectID != n.URLs.Actor {
		return refuse(http.StatusForbidden, "this node follows requests only for %s", n.URLs.Actor)
	}
	p, err := n.profileTx(ctx)
	if err != nil {
		return err
	}
	state := store.FollowAccepted
	if p.ManuallyApprovesFollowers {
		state = store.FollowPending
		if old, err := tx.RelationWith(ctx, store.Followers, signer.ID); err == nil && old.State == store.FollowAccepted {
			state = store.FollowAccepted // already approved: a repeated Follow is re-accepted
		}
	}
	if _, err := tx.PutRelation(ctx, store.Followers, signer.ID, in.ID, state); err != nil {
		return err
	}
	if err := n.indexPeer(ctx, tx, signer.ID); err != nil {
		return err
	}
	if state == store.FollowPending {
		return nil
	}
	id, doc, err := as2.Accept(n.URLs, in.ID, signer.ID, tx.Now())
	if err != nil {
		return err
	}
	return n.sendTo(ctx, tx, id, "Accept", in.ID, doc, signer.Inbox)
}

// onUndo handles Undo(Follow) from a follower; other Undos are ignored. An
// actor may only undo its own activities.
func (n *Node) onUndo(ctx context.Context, tx *store.Tx, signer *store.Actor, in *as2.Activity) error {
	inner := map[string]json.RawMessage{}
	_ = json.Unmarshal(in.Object, &inner)
	if actor, err := as2.IDOf(inner["actor"]); err == nil && actor != signer.ID {
		return refuse(http.StatusForbidden, "an Undo may only withdraw the actor's own activity")
	}
	if !as2.SameOrigin(in.ObjectID, signer.ID) {
		return refuse(http.StatusForbidden, "the undone activity is not on the actor's origin")
	}
	rel, err := tx.RelationWith(ctx, store.Followers, signer.ID)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	switch {
	case in.ObjectID == rel.FollowID:
	case as2.OptString(inner, "type") == "Follow":
		if object, _ := as2.IDOf(inner["object"]); object != n.URLs.Actor {
			return nil
		}
	default:
		return nil // an Undo of something else (Like, Announce...)
	}
	if _, err = tx.DeleteRelation(ctx, store.Followers, signer.ID); err != nil {
		return err
	}
	return n.indexPeer(ctx, tx, signer.ID)
}

// onAnswer applies an Accept or Reject of our Follow. Only the followed
// actor can answer (Pixelfed's CVE-2025-30741 came from trusting others).
func (n *Node) onAnswer(ctx context.Context, tx *store.Tx, signer *store.Actor, in *as2.Activity) error {
	rel, err := tx.RelationWith(ctx, store.Following, signer.ID)
	if errors.Is(err, store.ErrNotFound) {
		return refuse(http.StatusForbidden, "we have not asked to follow %s", signer.ID)
	}
	if err != nil {
		return err
	}
	inner := map[string]json.RawMessage{}
	_ = json.Unmarshal(in.Object, &inner)
	matches := in.ObjectID == rel.FollowID
	if !matches && as2.OptString(inner, "type") == "Follow" {
		actor, _ := as2.IDOf(inner["actor"])
		object, _ := as2.IDOf(inner["object"])
		matches = actor == n.URLs.Actor && object == signer.ID
	}
	if !matches {
		return refuse(http.StatusForbidden, "the %s does not answer our Follow of %s", in.Type, signer.ID)
	}
	state := store.FollowAccepted
	if in.Type == "Reject" {
		state = store.FollowRejected
		if err := tx.DeleteRemoteEventsOf(ctx, signer.ID); err != nil {
			return err
		}
	}
	if err := tx.SetRelationState(ctx, store.Following, rel.ID, state); err != nil {
		return err
	}
	return n.indexPeer(ctx, tx, signer.ID)
}

// onCreateOrUpdate stores a remote event (remote_event.go says which we
// accept), or refreshes an actor's profile from its own Update.
func (n *Node) onCreateOrUpdate(ctx context.Context, tx *store.Tx, signer *store.Actor, in *as2.Activity, event *remoteEvent) error {
	if in.Type == "Update" && in.ObjectID == signer.ID {
		return n.onUpdateActor(ctx, tx, signer, in)
	}
	if event.id != in.ObjectID {
		return refuse(http.StatusBadRequest, "the object's id differs from the one the activity names")
	}
	return refuseEvent(n.storeRemoteEvent(ctx, tx, event))
}

// refuseEvent turns a refused remote event into the inbox's answer: 403
// when refused for who sent it, 400 for what it says.
func refuseEvent(err error) error {
	var refused *eventRefusal
	if !errors.As(err, &refused) {
		return err
	}
	if refused.forbidden {
		return refuse(http.StatusForbidden, "%s", refused.reason)
	}
	return refuse(http.StatusBadRequest, "%s", refused.reason)
}

// onUpdateActor refreshes a known actor from its own Update. The embedded
// document passes the same checks as a fetched one, and its key may not
// change this way (GoToSocial #3198): rotation goes through a re-fetch.
func (n *Node) onUpdateActor(ctx context.Context, tx *store.Tx, signer *store.Actor, in *as2.Activity) error {
	a, p, err := readActor(in.Object)
	if err != nil {
		return refuse(http.StatusBadRequest, "invalid actor: %v", err)
	}
	if a.ID != signer.ID {
		return refuse(http.StatusForbidden, "an actor may only update itself")
	}
	if a.KeyID != signer.KeyID || a.PublicKeyPEM != signer.PublicKeyPEM {
		a.KeyID, a.PublicKeyPEM = signer.KeyID, signer.PublicKeyPEM
	}
	if err := tx.PutActor(ctx, a); err != nil {
		return err
	}
	return n.indexActor(ctx, tx, a, p)
}

// onDelete removes an actor (when it deletes itself) or one of its events.
func (n *Node) onDelete(ctx context.Context, tx *store.Tx, signer *store.Actor, in *as2.Activity) error {
	if in.ObjectID == signer.ID {
		if err := tx.DeleteDirectoryEntry(ctx, signer.ID); err != nil {
			return err
		}
		return tx.DeleteActor(ctx, signer.ID)
	}
	ev, err := tx.RemoteEvent(ctx, in.ObjectID)
	if errors.Is(err, store.ErrNotFound) {
		if !as2.SameOrigin(in.ObjectID, signer.ID) {
			return refuse(http.StatusForbidden, "the object is not on the actor's origin")
		}
		return nil
	}
	if err != nil {
		return err
	}
	if ev.ActorID != signer.ID {
		return refuse(http.StatusForbidden, "the object belongs to another actor")
	}
	if err := tx.DeleteCalendarEntry(ctx, in.ObjectID); err != nil {
		return err
	}
	return tx.DeleteRemoteEvent(ctx, in.ObjectID)
}

// onBlock ends the follows in both directions when an actor blocks ours,
// as Mastodon and GoToSocial do on either side of a Block: it no longer
// follows us, and we no longer follow it (a later follow sends a fresh
// Follow). Nothing is sent: the blocking side has ended both already.
func (n *Node) onBlock(ctx context.Context, tx *store.Tx, signer *store.Actor, in *as2.Activity) error {
	if in.ObjectID != n.URLs.Actor {
		return nil
	}
	if _, err := tx.DeleteRelation(ctx, store.Followers, signer.ID); err != nil {
		return err
	}
	if _, err := tx.RelationWith(ctx, store.Following, signer.ID); errors.Is(err, store.ErrNotFound) {
		return n.indexPeer(ctx, tx, signer.ID)
	} else if err != nil {
		return err
	}
	return n.endFollowing(ctx, tx, signer.ID)
}

// onJoin answers an RSVP with Ignore: registration happens on the event's
// registration page (FEP-8a8e).
func (n *Node) onJoin(ctx context.Context, tx *store.Tx, signer *store.Actor, in *as2.Activity) error {
	if !strings.HasPrefix(in.ObjectID, n.URLs.Base+"/events/") {
		return nil
	}
	id, doc, err := as2.Ignore(n.URLs, in.ID, signer.ID, tx.Now())
	if err != nil {
		return err
	}
	return n.sendTo(ctx, tx, id, "Ignore", in.ID, doc, signer.Inbox)
}

// profileTx reads the profile (from the reader pool: the profile row is
// written only by the administrator, never inside an inbox transaction).
func (n *Node) profileTx(ctx context.Context) (*store.Profile, error) { return n.Profile(ctx) }

func (n *Node) now() time.Time {
	if n.opts.Now != nil {
		return n.opts.Now()
	}
	return time.Now()
}
