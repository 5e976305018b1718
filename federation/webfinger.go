package federation

import (
	"context"
	"net/url"
	"slices"
	"strings"

	"github.com/ospod/ospod/federation/as2"
	"github.com/ospod/ospod/store"
)

// JRD is a WebFinger (RFC 7033) JSON Resource Descriptor.
type JRD struct {
	Subject string    `json:"subject"`
	Aliases []string  `json:"aliases,omitempty"`
	Links   []JRDLink `json:"links"`
}

// JRDLink is one link of a JRD.
type JRDLink struct {
	Rel      string `json:"rel"`
	Type     string `json:"type,omitempty"`
	Href     string `json:"href,omitempty"`
	Template string `json:"template,omitempty"`
}

// WellFormedResource reports whether a WebFinger resource is a URI a server
// can look up (RFC 7033 §4.2: a malformed one is a bad request): it has a
// scheme, and an acct URI has a user and a host (RFC 7565), the user with
// the leading @ some clients add allowed, as WebFinger allows it.
func WellFormedResource(resource string) bool {
	resource = strings.TrimSpace(resource)
	if acct, ok := strings.CutPrefix(strings.ToLower(resource), "acct:"); ok {
		user, host, ok := strings.Cut(strings.TrimPrefix(acct, "@"), "@")
		return ok && user != "" && host != ""
	}
	u, err := url.Parse(resource)
	return err == nil && u.Scheme != "" && u.Opaque+u.Host+u.Path != ""
}

// WithRels returns the descriptor with only the links of the given
// relations (RFC 7033 §4.3), or all of them when rels is empty.
func (j *JRD) WithRels(rels []string) *JRD {
	if len(rels) == 0 {
		return j
	}
	out := *j
	out.Links = []JRDLink{} // "links": [] when none is left
	for _, l := range j.Links {
		if slices.Contains(rels, l.Rel) {
			out.Links = append(out.Links, l)
		}
	}
	return &out
}

// WebFinger answers a resource query for our actor: acct:HANDLE@HOST (HOST
// with the port when the base URL has one) or the actor's URL. It reports
// false for any other resource.
func (n *Node) WebFinger(resource string) (*JRD, bool) {
	resource = strings.TrimSpace(resource)
	match := false
	if acct, ok := strings.CutPrefix(strings.ToLower(resource), "acct:"); ok {
		acct = strings.TrimPrefix(acct, "@")
		user, host, _ := strings.Cut(acct, "@")
		match = user == n.opts.Handle && strings.TrimSuffix(host, ".") == n.base.Host
	} else {
		match = resource == n.URLs.Actor || resource == n.URLs.Base+"/@"+n.opts.Handle
	}
	if !match {
		return nil, false
	}
	return &JRD{
		Subject: "acct:" + n.Account(),
		Aliases: []string{n.URLs.Actor},
		Links: []JRDLink{
			{Rel: "self", Type: as2.ContentTypeActivity, Href: n.URLs.Actor},
			{Rel: "http://webfinger.net/rel/profile-page", Type: "text/html", Href: n.URLs.Actor},
		},
	}, true
}

// HostMeta returns the /.well-known/host-meta XRD pointing at WebFinger.
func (n *Node) HostMeta() string {
	return `<?xml version="1.0" encoding="UTF-8"?>
<XRD xmlns="http://docs.oasis-open.org/ns/xri/xrd-1.0">
  <Link rel="lrdd" type="application/jrd+json" template="` + n.URLs.Base + `/.well-known/webfinger?resource={uri}"/>
</XRD>
`
}

// NodeInfoSchema is the NodeInfo version served.
const NodeInfoSchema = "http://nodeinfo.diaspora.software/ns/schema/2.1"

// OSPONodeSchemaVersion is the version of the OSPO node metadata in NodeInfo,
// which lets crawlers tell ospod nodes from other servers.
const OSPONodeSchemaVersion = "1"

// NodeInfoLinks is the /.well-known/nodeinfo document.
func (n *Node) NodeInfoLinks() map[string]any {
	return map[string]any{"links": []map[string]string{{"rel": NodeInfoSchema, "href": n.URLs.NodeInfo}}}
}

// NodeInfo returns the NodeInfo 2.1 document.
func (n *Node) NodeInfo(ctx context.Context) (map[string]any, error) {
	p, err := n.Profile(ctx)
	if err != nil {
		return nil, err
	}
	_, events, err := n.st.ListEvents(ctx, store.EventFilter{Limit: 1})
	if err != nil {
		return nil, err
	}
	lang := p.DefaultLanguage()
	name, _ := p.Name.Best(lang, lang)
	return map[string]any{
		"version": "2.1",
		"software": map[string]any{
			"name": "ospod", "version": Version,
			"repository": "https://github.com/ospod/ospod", "homepage": "https://github.com/ospod/ospod",
		},
		"protocols":         []string{"activitypub"},
		"services":          map[string]any{"inbound": []string{}, "outbound": []string{"atom1.0"}},
		"openRegistrations": false,
		"usage": map[string]any{
			"users":      map[string]int{"total": 1, "activeMonth": 1, "activeHalfyear": 1},
			"localPosts": events,
		},
		"metadata": map[string]any{
			"nodeName": name,
			"ospo": map[string]any{
				"schemaVersion":   OSPONodeSchemaVersion,
				"actor":           n.URLs.Actor,
				"account":         n.Account(),
				"country":         p.Country,
				"governmentLevel": p.GovernmentLevel,
				"discoverable":    p.IsDiscoverable(),
				"ospometa":        n.URLs.OSPOmeta,
			},
		},
	}, nil
}
