package api

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/ospod/ospod/federation"
	"github.com/ospod/ospod/store"
)

// The moderation page (/admin/moderation, admins only): domain blocks with
// their reasons, allow-list mode and its domains. The same federation
// methods as the JSON API's: a block purges what came from the domain.

type moderationView struct {
	Blocks, Allows []ruleRow
	Allowlist      bool
	Block          formView
	Domain, Reason *formField
	Allow          formView
	AllowDomain    *formField
}

type ruleRow struct {
	Domain, Reason, Since, Path string
}

// adminModerationPage is GET /admin/moderation.
func (s *Server) adminModerationPage(c echo.Context) error {
	return s.renderModeration(c, http.StatusOK, "", "", nil, "", nil)
}

func (s *Server) renderModeration(c echo.Context, status int, domain, reason string, blockErr formErrors, allow string, allowErr formErrors) error {
	ctx := c.Request().Context()
	r := s.reader(c)
	v := moderationView{Allowlist: s.node.AllowlistMode(ctx), Block: formView{Action: "/admin/moderation/blocks"},
		Allow: formView{Action: "/admin/moderation/allows"}}
	rows := func(rules []store.DomainRule) []ruleRow {
		var out []ruleRow
		for _, b := range rules {
			out = append(out, ruleRow{Domain: b.Domain, Reason: b.Reason, Since: r.L.DateTime(b.CreatedAt), Path: url.PathEscape(b.Domain)})
		}
		return out
	}
	blocks, err := s.st.DomainBlocks(ctx)
	if err != nil {
		return err
	}
	allows, err := s.st.DomainAllows(ctx)
	if err != nil {
		return err
	}
	v.Blocks, v.Allows = rows(blocks), rows(allows)
	v.Domain = field("domain", r.T("admin.col.domain"), domain)
	v.Domain.Hint, v.Domain.Required, v.Domain.Autocomplete = r.T("admin.moderation.domainHint"), true, "off"
	v.Reason = field("reason", r.T("admin.col.reason"), reason)
	v.Block.summarize([]*formField{v.Domain, v.Reason}, blockErr)
	v.AllowDomain = field("allow", r.T("admin.col.domain"), allow)
	v.AllowDomain.ID, v.AllowDomain.Required, v.AllowDomain.Autocomplete = "f-allow-domain", true, "off"
	v.Allow.summarize([]*formField{v.AllowDomain}, allowErr)
	return s.renderAdmin(c, status, "admin_moderation.html", adminPage{Title: r.T("admin.nav.moderation"), Section: "moderation", Data: v})
}

// adminBlockSave is POST /admin/moderation/blocks.
func (s *Server) adminBlockSave(c echo.Context) error {
	r := s.reader(c)
	domain, reason := strings.TrimSpace(c.FormValue("domain")), strings.TrimSpace(c.FormValue("reason"))
	if domain == "" {
		return s.renderModeration(c, http.StatusBadRequest, domain, reason, formErrors{"domain": r.T("admin.err.required")}, "", nil)
	}
	unchanged := s.blockUnchanged(c, domain, reason)
	if err := s.node.BlockDomain(c.Request().Context(), domain, reason); err != nil {
		var de *federation.DomainError
		if errors.As(err, &de) {
			return s.renderModeration(c, http.StatusBadRequest, domain, reason, formErrors{"domain": r.T("admin.moderation.badDomain", "reason", de.Reason)}, "", nil)
		}
		return err
	}
	if !unchanged {
		s.audit(c, "block.add", store.NormalizeDomain(domain), reason)
	}
	return c.Redirect(http.StatusSeeOther, "/admin/moderation?done=blocked")
}

// adminBlockRemove is POST /admin/moderation/blocks/:domain/remove.
func (s *Server) adminBlockRemove(c echo.Context) error {
	domain, _ := url.PathUnescape(c.Param("domain"))
	if err := s.node.UnblockDomain(c.Request().Context(), domain); err != nil {
		return err
	}
	s.audit(c, "block.remove", store.NormalizeDomain(domain), "")
	return c.Redirect(http.StatusSeeOther, "/admin/moderation?done=unblocked")
}

// adminAllowlistMode is POST /admin/moderation/allowlist (on=true|false).
func (s *Server) adminAllowlistMode(c echo.Context) error {
	on := c.FormValue("on") == "true"
	unchanged := s.node.AllowlistMode(c.Request().Context()) == on
	if err := s.node.SetAllowlistMode(c.Request().Context(), on); err != nil {
		return err
	}
	if !unchanged {
		s.audit(c, "federation.mode", "federation", "allowlist "+strconv.FormatBool(on))
	}
	return c.Redirect(http.StatusSeeOther, "/admin/moderation?done=saved")
}

// adminAllowSave is POST /admin/moderation/allows.
func (s *Server) adminAllowSave(c echo.Context) error {
	r := s.reader(c)
	domain := strings.TrimSpace(c.FormValue("allow"))
	if d := store.NormalizeDomain(domain); d == "" || strings.ContainsAny(d, " /@") {
		return s.renderModeration(c, http.StatusBadRequest, "", "", nil, domain, formErrors{"allow": r.T("admin.moderation.badDomain", "reason", domain)})
	}
	unchanged := s.allowUnchanged(c, domain)
	if err := s.node.AllowDomain(c.Request().Context(), domain); err != nil {
		return err
	}
	if !unchanged {
		s.audit(c, "allow.add", store.NormalizeDomain(domain), "")
	}
	return c.Redirect(http.StatusSeeOther, "/admin/moderation?done=saved")
}

// adminAllowRemove is POST /admin/moderation/allows/:domain/remove.
func (s *Server) adminAllowRemove(c echo.Context) error {
	domain, _ := url.PathUnescape(c.Param("domain"))
	if err := s.node.DisallowDomain(c.Request().Context(), domain); err != nil {
		return err
	}
	s.audit(c, "allow.remove", store.NormalizeDomain(domain), "")
	return c.Redirect(http.StatusSeeOther, "/admin/moderation?done=removed")
}
