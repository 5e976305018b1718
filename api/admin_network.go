package api

import (
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/ospod/ospod/federation"
	"github.com/ospod/ospod/store"
)

// networkPeer is an OSPO (or a plain fediverse account with a relation)
// known to the node, with its discovery and freshness state.
type networkPeer struct {
	Actor       string                `json:"actor"`
	Account     string                `json:"account,omitempty"`
	Name        string                `json:"name,omitempty"`
	Kind        string                `json:"kind,omitempty"` // directory kind; "" when not listed
	IsOSPO      bool                  `json:"isOspo"`
	Following   string                `json:"following,omitempty"`
	Follower    string                `json:"follower,omitempty"`
	State       string                `json:"state"`
	Depth       int                   `json:"depth,omitempty"`
	Via         string                `json:"via,omitempty"`
	LastSuccess time.Time             `json:"lastSuccess,omitzero"`
	LastError   string                `json:"lastError,omitempty"`
	NextFetch   time.Time             `json:"nextFetch,omitzero"`
	Page        string                `json:"page,omitempty"`
	Source      string                `json:"source,omitempty"`
	Licence     string                `json:"licence,omitempty"`
	FetchedAt   time.Time             `json:"fetchedAt,omitzero"`
	UpdatedAt   time.Time             `json:"updatedAt,omitzero"`
	Profile     json.RawMessage       `json:"profile,omitempty"`
	Events      []remoteEventResponse `json:"events"`
}

// adminNetwork lists every peer: followed and following accounts, and the
// OSPOs of the directory (discovered, listed), with their state.
func (s *Server) adminNetwork(c echo.Context) error {
	peers, err := s.st.Network(c.Request().Context())
	if err != nil {
		return err
	}
	out := make([]*networkPeer, 0, len(peers))
	for _, p := range peers {
		out = append(out, s.toNetworkPeer(p))
	}
	return c.JSON(http.StatusOK, map[string]any{"items": out, "total": len(out)})
}

// toNetworkPeer is a peer of the network view as the admin API shows it.
func (s *Server) toNetworkPeer(p *store.NetworkPeer) *networkPeer {
	np := &networkPeer{Actor: p.ID, Account: p.Account(), Name: federation.PeerName(p), Kind: p.Kind(), IsOSPO: p.IsOSPO(),
		Following: p.Following, Follower: p.Follower, State: p.State(), LastSuccess: p.LastSuccess(), LastError: p.LastError(),
		Events: make([]remoteEventResponse, 0, len(p.Events)+len(p.Upcoming))}
	if a := p.Actor; a != nil {
		np.FetchedAt, np.UpdatedAt, np.Profile = a.FetchedAt, a.UpdatedAt, json.RawMessage(a.Doc)
	}
	if e := p.Entry; e != nil {
		np.Page, np.Source, np.Licence = s.directoryPage(e), e.Source, e.Licence
	}
	if d := p.Discovery; d != nil {
		np.Depth, np.Via, np.NextFetch = d.Depth, d.Via, d.NextFetchAt
	}
	for _, e := range p.Events {
		np.Events = append(np.Events, remoteEventResponse{ID: e.ID, Name: e.Name, StartTime: e.Start, EndTime: e.End,
			Received: e.CreatedAt, Updated: e.UpdatedAt, Object: json.RawMessage(e.Doc)})
	}
	for _, ce := range p.Upcoming {
		name, _ := ce.Event.Name.Best(ce.Event.Language, ce.Event.Language)
		np.Events = append(np.Events, remoteEventResponse{ID: ce.ID, Name: name, StartTime: ce.Event.Start,
			EndTime: ce.Event.End, Updated: ce.UpdatedAt})
	}
	return np
}

func (s *Server) adminDiscover(c echo.Context) error {
	rep, err := s.node.DiscoverOnce(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, rep)
}

func (s *Server) adminRemovePeer(c echo.Context) error {
	id, _ := url.PathUnescape(c.Param("id"))
	if err := s.node.RemovePeer(c.Request().Context(), id); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return err
		}
		return problem(http.StatusBadRequest, err.Error())
	}
	return c.NoContent(http.StatusNoContent)
}

func (s *Server) adminListBlocks(c echo.Context) error {
	blocks, err := s.st.DomainBlocks(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"items": blocks, "total": len(blocks)})
}

func (s *Server) adminBlock(c echo.Context) error {
	var in struct {
		Domain string `json:"domain"`
		Reason string `json:"reason"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	if strings.TrimSpace(in.Domain) == "" {
		return fieldProblem("domain", "is required, e.g. spam.example")
	}
	unchanged := s.blockUnchanged(c, in.Domain, in.Reason)
	if err := s.node.BlockDomain(c.Request().Context(), in.Domain, in.Reason); err != nil {
		return &httpError{status: http.StatusBadRequest, detail: "Cannot block this domain.",
			fields: []store.FieldError{{Field: "domain", Reason: err.Error()}}}
	}
	noteAudit(c, store.NormalizeDomain(in.Domain), in.Reason)
	if unchanged {
		noteUnchanged(c)
	}
	return c.JSON(http.StatusCreated, map[string]string{"domain": store.NormalizeDomain(in.Domain), "reason": in.Reason})
}

func (s *Server) adminUnblock(c echo.Context) error {
	domain, _ := url.PathUnescape(c.Param("domain"))
	if err := s.node.UnblockDomain(c.Request().Context(), domain); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (s *Server) adminFederationMode(c echo.Context) error {
	ctx := c.Request().Context()
	if c.Request().Method == http.MethodPut {
		var in struct {
			Allowlist *bool `json:"allowlist"`
		}
		if err := decodeJSON(c, &in); err != nil {
			return err
		}
		if in.Allowlist == nil {
			return fieldProblem("allowlist", "is required: true or false")
		}
		unchanged := s.node.AllowlistMode(ctx) == *in.Allowlist
		if err := s.node.SetAllowlistMode(ctx, *in.Allowlist); err != nil {
			return err
		}
		noteAudit(c, "federation", "allowlist "+strconv.FormatBool(*in.Allowlist))
		if unchanged {
			noteUnchanged(c)
		}
	}
	allows, err := s.st.DomainAllows(ctx)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"allowlist": s.node.AllowlistMode(ctx), "allowed": allows})
}

func (s *Server) adminAllow(c echo.Context) error {
	var in struct {
		Domain string `json:"domain"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	if strings.TrimSpace(in.Domain) == "" {
		return fieldProblem("domain", "is required")
	}
	unchanged := s.allowUnchanged(c, in.Domain)
	if err := s.node.AllowDomain(c.Request().Context(), in.Domain); err != nil {
		return err
	}
	noteAudit(c, store.NormalizeDomain(in.Domain), "")
	if unchanged {
		noteUnchanged(c)
	}
	return c.JSON(http.StatusCreated, map[string]string{"domain": store.NormalizeDomain(in.Domain)})
}

func (s *Server) adminDisallow(c echo.Context) error {
	domain, _ := url.PathUnescape(c.Param("domain"))
	if err := s.node.DisallowDomain(c.Request().Context(), domain); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// adminImportOSPOmeta imports an OSPOmeta list sent as the body
// (application/yaml) or fetched from ?url=; ?licence= and ?source= describe it.
func (s *Server) adminImportOSPOmeta(c echo.Context) error {
	ctx := c.Request().Context()
	licence := c.QueryParam("licence")
	source := c.QueryParam("source")
	var data []byte
	if u := c.QueryParam("url"); u != "" {
		if err := store.CheckHTTPURL(u); err != nil {
			return fieldProblem("url", err.Error())
		}
		b, err := s.node.FetchList(ctx, u)
		if err != nil {
			return problem(http.StatusUnprocessableEntity, "Could not fetch the list: "+err.Error())
		}
		data = b
		if source == "" {
			source = u
		}
	} else {
		mt, _, _ := mime.ParseMediaType(c.Request().Header.Get(echo.HeaderContentType))
		if mt != "application/yaml" && mt != "text/yaml" && mt != "application/x-yaml" && mt != "text/plain" {
			return problem(http.StatusUnsupportedMediaType, "Send the OSPOmeta list as application/yaml, or give ?url=.")
		}
		b, err := io.ReadAll(c.Request().Body)
		if err != nil {
			return problem(http.StatusRequestEntityTooLarge, "The list is too large.")
		}
		data = b
		if source == "" {
			source = "upload"
		}
	}
	rep, err := s.node.ImportOSPOmeta(ctx, data, source, licence)
	if err != nil {
		return problem(http.StatusBadRequest, err.Error())
	}
	return c.JSON(http.StatusOK, rep)
}
