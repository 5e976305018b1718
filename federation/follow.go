package federation

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/ospod/ospod/federation/as2"
	"github.com/ospod/ospod/store"
)

// ErrBadAccount means a follow target is neither a handle nor an actor URL.
var ErrBadAccount = errors.New("not a handle (name@host) or an actor URL")

// LookupError is a failure to find or fetch a remote actor, with a message
// for the administrator.
type LookupError struct {
	Account string
	Err     error
}

func (e *LookupError) Error() string {
	return fmt.Sprintf("could not resolve %s: %v", e.Account, e.Err)
}
func (e *LookupError) Unwrap() error { return e.Err }

// ResolveAccount finds a remote actor by handle (name@host[:port], with or
// without a leading @ or acct:) through WebFinger, or by actor URL, and
// fetches and stores it.
func (n *Node) ResolveAccount(ctx context.Context, account string) (*store.Actor, error) {
	account = strings.TrimSpace(account)
	if as2.IsHTTPURL(account) {
		a, err := n.FetchActor(ctx, account)
		if err != nil {
			return nil, &LookupError{Account: account, Err: err}
		}
		return a, nil
	}
	acct := strings.TrimPrefix(strings.TrimPrefix(account, "acct:"), "@")
	user, host, ok := strings.Cut(acct, "@")
	if !ok || user == "" || host == "" || strings.ContainsAny(acct, "/?#\\ ") || strings.Count(acct, "@") != 1 {
		return nil, ErrBadAccount
	}
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	actorURL, err := n.webfingerLookup(ctx, user, host)
	if err != nil {
		return nil, &LookupError{Account: account, Err: err}
	}
	a, err := n.FetchActor(ctx, actorURL)
	if err != nil {
		return nil, &LookupError{Account: account, Err: err}
	}
	return a, nil
}

// webfingerLookup returns the actor URL of user@host. It asks over https
// first; on a private network (tests, demos, LANs) plain http is tried too.
func (n *Node) webfingerLookup(ctx context.Context, user, host string) (string, error) {
	schemes := []string{"https"}
	if n.opts.AllowPrivateNetworks {
		schemes = append(schemes, "http")
	}
	var lastErr error
	if !n.Allowed(ctx, host) {
		return "", ErrDomainBlocked
	}
	for _, scheme := range schemes {
		q := url.Values{"resource": {"acct:" + user + "@" + host}}
		u := scheme + "://" + host + "/.well-known/webfinger?" + q.Encode()
		body, err := n.client.GetJSON(ctx, u, "application/jrd+json, application/json", nil)
		if err != nil {
			lastErr = err
			continue
		}
		var jrd JRD
		if err := json.Unmarshal(body, &jrd); err != nil {
			return "", fmt.Errorf("webfinger answer is not JSON: %w", err)
		}
		for _, l := range jrd.Links {
			mt := strings.TrimSpace(strings.Split(l.Type, ";")[0])
			if l.Rel == "self" && (mt == as2.ContentTypeActivity || mt == "application/ld+json") && as2.IsHTTPURL(l.Href) {
				return l.Href, nil
			}
		}
		return "", errors.New("webfinger answer has no ActivityPub self link")
	}
	return "", lastErr
}

// Follow asks a remote actor to follow it: the actor is resolved and stored,
// and a pending relation and its Follow are written in one transaction. The
// relation is accepted when the actor's Accept arrives. Following again an
// actor already followed (or pending) returns the existing relation.
func (n *Node) Follow(ctx context.Context, account string) (*store.Relation, bool, error) {
	a, err := n.ResolveAccount(ctx, account)
	if err != nil {
		return nil, false, err
	}
	var rel *store.Relation
	created := false
	err = n.st.InTx(ctx, func(tx *store.Tx) error {
		if old, err := tx.RelationWith(ctx, store.Following, a.ID); err == nil && old.State != store.FollowRejected {
			rel = old
			return nil
		}
		id, doc, err := as2.Follow(n.URLs, a.ID, tx.Now())
		if err != nil {
			return err
		}
		if rel, err = tx.PutRelation(ctx, store.Following, a.ID, id, store.FollowPending); err != nil {
			return err
		}
		created = true
		return n.sendTo(ctx, tx, id, "Follow", a.ID, doc, a.Inbox)
	})
	n.nudge(err)
	return rel, created, err
}

// Unfollow withdraws a follow relation (sending Undo(Follow)) and forgets
// the actor's events, which would no longer be kept up to date.
func (n *Node) Unfollow(ctx context.Context, relationID int64) error {
	rel, err := n.st.Relation(ctx, store.Following, relationID)
	if err != nil {
		return err
	}
	err = n.st.InTx(ctx, func(tx *store.Tx) error {
		if err := n.endFollowing(ctx, tx, rel.ActorID); err != nil {
			return err
		}
		id, doc, err := as2.UndoFollow(n.URLs, rel.FollowID, rel.ActorID, tx.Now())
		if err != nil {
			return err
		}
		return n.sendTo(ctx, tx, id, "Undo", rel.FollowID, doc, rel.Actor.Inbox)
	})
	n.nudge(err)
	return err
}

// endFollowing forgets our follow of an actor and its events, which would
// no longer be kept up to date (an Unfollow, or the actor's Block).
func (n *Node) endFollowing(ctx context.Context, tx *store.Tx, actorID string) error {
	if _, err := tx.DeleteRelation(ctx, store.Following, actorID); err != nil {
		return err
	}
	if err := tx.DeleteRemoteEventsOf(ctx, actorID); err != nil {
		return err
	}
	if err := tx.DeleteCalendarEntriesOf(ctx, actorID); err != nil {
		return err
	}
	return n.indexPeer(ctx, tx, actorID)
}

// AnswerFollower accepts or rejects a pending follower (manual approval).
// Rejecting removes the follower.
func (n *Node) AnswerFollower(ctx context.Context, relationID int64, accept bool) (*store.Relation, error) {
	rel, err := n.st.Relation(ctx, store.Followers, relationID)
	if err != nil {
		return nil, err
	}
	err = n.st.InTx(ctx, func(tx *store.Tx) error {
		answer, typ := as2.Reject, "Reject"
		if accept {
			answer, typ = as2.Accept, "Accept"
			if err := tx.SetRelationState(ctx, store.Followers, rel.ID, store.FollowAccepted); err != nil {
				return err
			}
			rel.State = store.FollowAccepted
		} else if _, err := tx.DeleteRelation(ctx, store.Followers, rel.ActorID); err != nil {
			return err
		}
		if err := n.indexPeer(ctx, tx, rel.ActorID); err != nil {
			return err
		}
		id, doc, err := answer(n.URLs, rel.FollowID, rel.ActorID, tx.Now())
		if err != nil {
			return err
		}
		return n.sendTo(ctx, tx, id, typ, rel.FollowID, doc, rel.Actor.Inbox)
	})
	n.nudge(err)
	return rel, err
}
