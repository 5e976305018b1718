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
	ctx := c.Request().Context()
	byID := map[string]*networkPeer{}
	var order []string
	get := func(id string) *networkPeer {
		if p, ok := byID[id]; ok {
			return p
		}
		p := &networkPeer{Actor: id, State: "active", Events: []remoteEventResponse{}}
		byID[id] = p
		order = append(order, id)
		return p
	}
	actors, err := s.st.KnownActors(ctx)
	if err != nil {
		return err
	}
	for _, a := range actors {
		p := get(a.ID)
		p.Account, p.Name, p.IsOSPO = a.Account(), docString(a.Doc, "name"), a.IsOSPO
		p.FetchedAt, p.UpdatedAt, p.Profile = a.FetchedAt, a.UpdatedAt, json.RawMessage(a.Doc)
		p.LastSuccess = a.FetchedAt
		if r, err := s.st.RelationWith(ctx, store.Following, a.ID); err == nil {
			p.Following = r.State
		}
		if r, err := s.st.RelationWith(ctx, store.Followers, a.ID); err == nil {
			p.Follower = r.State
		}
		// Followed peers are kept fresh by push: their health is that of
		// our deliveries to their host.
		if h, err := s.st.HostHealth(ctx, a.Host); err == nil {
			if !h.LastSuccessAt.IsZero() {
				p.LastSuccess = h.LastSuccessAt
			}
			if !h.FailingSince.IsZero() {
				p.LastError = h.LastError
			}
			if h.Unreachable {
				p.State = store.PeerUnreachable
			}
		}
		events, err := s.st.RemoteEventsOf(ctx, a.ID)
		if err != nil {
			return err
		}
		for _, e := range events {
			p.Events = append(p.Events, remoteEventResponse{ID: e.ID, Name: e.Name, StartTime: e.Start, EndTime: e.End,
				Received: e.CreatedAt, Updated: e.UpdatedAt, Object: json.RawMessage(e.Doc)})
		}
	}
	entries, err := s.st.DirectoryEntries(ctx)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if e.Kind == store.KindSelf {
			continue
		}
		p := get(e.ID)
		p.Kind, p.IsOSPO, p.Page, p.Source, p.Licence = e.Kind, true, s.directoryPage(e), e.Source, e.Licence
		if p.Account == "" {
			p.Account = e.Account
		}
		name, _ := e.Profile.Name.Best(e.Profile.DefaultLanguage(), e.Profile.DefaultLanguage())
		p.Name = name
		if e.Kind == store.KindListed {
			p.State = "listed"
		}
		if e.Kind == store.KindDiscovered {
			res, err := s.st.SearchCalendar(ctx, store.CalendarFilter{OSPO: e.ID, Limit: 200})
			if err != nil {
				return err
			}
			for _, ce := range res.Entries {
				name, _ := ce.Event.Name.Best(ce.Event.Language, ce.Event.Language)
				p.Events = append(p.Events, remoteEventResponse{ID: ce.ID, Name: name, StartTime: ce.Event.Start,
					EndTime: ce.Event.End, Updated: ce.UpdatedAt})
			}
		}
	}
	peers, err := s.st.Peers(ctx)
	if err != nil {
		return err
	}
	for _, pr := range peers {
		p, ok := byID[pr.ActorID]
		if !ok {
			if pr.State != store.PeerDismissed {
				continue
			}
			p = get(pr.ActorID)
		}
		p.State, p.Depth, p.Via = pr.State, pr.Depth, pr.Via
		p.LastSuccess, p.LastError, p.NextFetch = pr.LastSuccessAt, pr.LastError, pr.NextFetchAt
	}
	out := make([]*networkPeer, 0, len(order))
	for _, id := range order {
		out = append(out, byID[id])
	}
	return c.JSON(http.StatusOK, map[string]any{"items": out, "total": len(out)})
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
	if err := s.node.BlockDomain(c.Request().Context(), in.Domain, in.Reason); err != nil {
		return &httpError{status: http.StatusBadRequest, detail: "Cannot block this domain.",
			fields: []store.FieldError{{Field: "domain", Reason: err.Error()}}}
	}
	noteAudit(c, store.NormalizeDomain(in.Domain), in.Reason)
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
		if err := s.node.SetAllowlistMode(ctx, *in.Allowlist); err != nil {
			return err
		}
		noteAudit(c, "federation", "allowlist "+strconv.FormatBool(*in.Allowlist))
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
	if err := s.node.AllowDomain(c.Request().Context(), in.Domain); err != nil {
		return err
	}
	noteAudit(c, store.NormalizeDomain(in.Domain), "")
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
