// Package as2 is the one place where store records become ActivityStreams 2.0
// documents and where documents received from remote servers become store
// records. It owns go-ap (github.com/go-ap/activitypub); nothing else imports
// it. It knows no Node and no database: callers pass records in and get bytes
// (or records) back.
package as2

// Public is the ActivityStreams public collection.
const Public = "https://www.w3.org/ns/activitystreams#Public"

// OSPONamespace is the namespace of the OSPO terms (docs/federation.md).
const OSPONamespace = "https://w3id.org/ospod/ns#"

// FEP8a8e is the namespace of FEP-8a8e event terms.
const FEP8a8e = "https://w3id.org/fep/8a8e/"
