package federation

import (
	"context"

	"github.com/ospod/ospod/federation/as2"
	"github.com/ospod/ospod/store"
)

// ActorFacts are what the node's views show of a stored remote actor
// beyond its columns, read from its ActivityPub document by as2.
type ActorFacts = as2.ActorFacts

// ReadActorFacts reads an actor's facts from its stored document. A
// document without them (or none: store.ActorByKey reads none) gives the
// defaults.
func ReadActorFacts(a *store.Actor) ActorFacts {
	if a == nil {
		return as2.ReadActorFacts(nil)
	}
	return as2.ReadActorFacts([]byte(a.Doc))
}

// ListedFollower reports whether a follower is named in the node's public
// followers collection: OSPOs are, so that the network can be discovered,
// unless their actor opts out of discovery; individual accounts are only
// counted.
func ListedFollower(a *store.Actor) bool {
	return a.IsOSPO && ReadActorFacts(a).Discoverable
}

// PublicFollowers returns the number of accepted followers and the actor
// ids the public followers collection lists (see ListedFollower).
func (n *Node) PublicFollowers(ctx context.Context) (total int, listed []string, err error) {
	rels, err := n.st.Relations(ctx, store.Followers, store.FollowAccepted)
	if err != nil {
		return 0, nil, err
	}
	listed = []string{}
	for _, r := range rels {
		if ListedFollower(r.Actor) {
			listed = append(listed, r.ActorID)
		}
	}
	return len(rels), listed, nil
}

// PeerName is how the network view names a peer: its directory profile's
// name when it is in the directory, else its actor's display name.
func PeerName(p *store.NetworkPeer) string {
	if p.Entry != nil {
		return p.DirectoryName()
	}
	return ReadActorFacts(p.Actor).Name
}
