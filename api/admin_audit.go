package api

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/ospod/ospod/store"
)

// The audit trail as JSON (GET /api/v1/admin/audit) and as a page
// (/admin/audit): who changed what, when, from where; filtered by person
// and by kind, newest first, paginated like the other admin lists.

func auditFilter(c echo.Context) (store.AuditFilter, int, error) {
	f := store.AuditFilter{Actor: strings.TrimSpace(c.QueryParam("actor")), Kind: strings.TrimSpace(c.QueryParam("kind"))}
	page, err := intParam(c, "page", 1, 1, 100000)
	if err != nil {
		return f, 0, err
	}
	if f.Limit, err = intParam(c, "limit", 50, 1, 500); err != nil {
		return f, 0, err
	}
	f.Offset = (page - 1) * f.Limit
	return f, page, nil
}

func auditQuery(f store.AuditFilter, page int) url.Values {
	q := url.Values{"page": {strconv.Itoa(page)}, "limit": {strconv.Itoa(f.Limit)}}
	if f.Actor != "" {
		q.Set("actor", f.Actor)
	}
	if f.Kind != "" {
		q.Set("kind", f.Kind)
	}
	return q
}

// adminAudit is GET /api/v1/admin/audit?actor=&kind=&page=&limit=.
func (s *Server) adminAudit(c echo.Context) error {
	f, page, err := auditFilter(c)
	if err != nil {
		return err
	}
	entries, total, err := s.st.AuditEntries(c.Request().Context(), f)
	if err != nil {
		return err
	}
	res := pageResponse[store.AuditEntry]{Items: entries, Total: total, Page: page, Limit: f.Limit}
	if f.Offset+len(entries) < total {
		res.Next = s.node.URLs.Base + "/api/v1/admin/audit?" + auditQuery(f, page+1).Encode()
	}
	return c.JSON(http.StatusOK, res)
}

// auditView is the audit page.
type auditView struct {
	Actor, Kind string
	Actors      []string
	Rows        []auditRow
	Total       int
	Prev, Next  string
}

type auditRow struct {
	store.AuditEntry
	When, Datetime string
}

// adminAuditPage is GET /admin/audit.
func (s *Server) adminAuditPage(c echo.Context) error {
	ctx := c.Request().Context()
	r := s.reader(c)
	f, page, err := auditFilter(c)
	if err != nil {
		return err
	}
	entries, total, err := s.st.AuditEntries(ctx, f)
	if err != nil {
		return err
	}
	actors, err := s.st.AuditActors(ctx)
	if err != nil {
		return err
	}
	if f.Actor != "" && !slices.Contains(actors, f.Actor) {
		actors = append(actors, f.Actor)
	}
	v := auditView{Actor: f.Actor, Kind: f.Kind, Actors: actors, Total: total}
	for _, e := range entries {
		v.Rows = append(v.Rows, auditRow{AuditEntry: e, When: r.L.DateTime(e.At), Datetime: e.At.Format("2006-01-02T15:04:05Z")})
	}
	if page > 1 {
		v.Prev = "/admin/audit?" + auditQuery(f, page-1).Encode()
	}
	if f.Offset+len(entries) < total {
		v.Next = "/admin/audit?" + auditQuery(f, page+1).Encode()
	}
	return s.renderAdmin(c, http.StatusOK, "admin_audit.html", adminPage{Title: r.T("admin.nav.audit"), Section: "audit", Data: v})
}

// changedFields names the top-level JSON fields that differ between two
// documents, for the summary of an audit entry ("name, summary").
func changedFields(before, after any) string {
	a, b := jsonFields(before), jsonFields(after)
	var out []string
	for k, v := range b {
		if !bytes.Equal(a[k], v) {
			out = append(out, k)
		}
	}
	for k := range a {
		if _, ok := b[k]; !ok {
			out = append(out, k)
		}
	}
	for _, k := range []string{"published", "updated", "id"} {
		out = slices.DeleteFunc(out, func(f string) bool { return f == k })
	}
	slices.Sort(out)
	return strings.Join(out, ", ")
}

func jsonFields(v any) map[string]json.RawMessage {
	m := map[string]json.RawMessage{}
	if v == nil {
		return m
	}
	b, err := json.Marshal(v)
	if err == nil {
		_ = json.Unmarshal(b, &m)
	}
	return m
}

// auditChange notes the entry of an update for s.audited, or none when
// there was a state before and no field changed.
func auditChange(c echo.Context, object string, existed bool, fields string) {
	if existed && fields == "" {
		noteUnchanged(c)
		return
	}
	noteAudit(c, object, fields)
}

// hasDomainRule reports whether rules hold domain (normalised) and, when
// reason is not nil, with that reason: whether adding it would change nothing.
func hasDomainRule(rules []store.DomainRule, domain string, reason *string) bool {
	d := store.NormalizeDomain(domain)
	return slices.ContainsFunc(rules, func(r store.DomainRule) bool {
		return r.Domain == d && (reason == nil || r.Reason == *reason)
	})
}

// blockUnchanged reports whether blocking domain with reason would change
// nothing: it is blocked already, for the same reason.
func (s *Server) blockUnchanged(c echo.Context, domain, reason string) bool {
	blocks, err := s.st.DomainBlocks(c.Request().Context())
	return err == nil && hasDomainRule(blocks, domain, &reason)
}

// allowUnchanged reports whether domain is on the allow-list already.
func (s *Server) allowUnchanged(c echo.Context, domain string) bool {
	allows, err := s.st.DomainAllows(c.Request().Context())
	return err == nil && hasDomainRule(allows, domain, nil)
}
