package api

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/ospod/ospod/federation"
	"github.com/ospod/ospod/store"
)

// The followers page (requests to accept or reject, followers to remove)
// and the following page (follow an account by handle, actor URL or
// profile URL; unfollow), admins only. They call the same federation
// methods as the JSON API, which queue Accept, Reject, Follow or Undo.

type relationRow struct {
	ID                 int64
	Who, Name, Actor   string
	State, Since       string
	Pending, Following bool
}

type followersView struct {
	Pending, Accepted []relationRow
}

type followingView struct {
	Form    formView
	Account *formField
	Rows    []relationRow
}

func (s *Server) relationRows(c echo.Context, t store.RelationTable, state string) ([]relationRow, error) {
	r := s.reader(c)
	rels, err := s.st.Relations(c.Request().Context(), t, state)
	if err != nil {
		return nil, err
	}
	var out []relationRow
	for _, rel := range rels {
		row := relationRow{ID: rel.ID, Who: rel.ActorID, Actor: rel.ActorID, State: r.T("admin.follow.state." + rel.State),
			Since: r.L.DateTime(rel.CreatedAt), Pending: rel.State == store.FollowPending}
		if rel.Actor != nil {
			if a := rel.Actor.Account(); a != "" {
				row.Who = "@" + a
			}
			row.Name = federation.ReadActorFacts(rel.Actor).Name
		}
		out = append(out, row)
	}
	return out, nil
}

// adminFollowersPage is GET /admin/followers.
func (s *Server) adminFollowersPage(c echo.Context) error {
	r := s.reader(c)
	var v followersView
	var err error
	if v.Pending, err = s.relationRows(c, store.Followers, store.FollowPending); err != nil {
		return err
	}
	if v.Accepted, err = s.relationRows(c, store.Followers, store.FollowAccepted); err != nil {
		return err
	}
	return s.renderAdmin(c, http.StatusOK, "admin_followers.html", adminPage{Title: r.T("admin.nav.followers"), Section: "followers", Data: v})
}

// adminFollowerAnswer is POST /admin/followers/:id/(accept|reject|remove).
// Removing a follower is a Reject of its follow, as Mastodon does.
func (s *Server) adminFollowerAnswer(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return store.ErrNotFound
	}
	action := c.Param("action")
	if action != "accept" && action != "reject" && action != "remove" {
		return echo.ErrNotFound
	}
	rel, err := s.node.AnswerFollower(c.Request().Context(), id, action == "accept")
	if err != nil {
		return err
	}
	s.audit(c, "follower."+action, rel.ActorID, "")
	done := map[string]string{"accept": "accepted", "reject": "rejected", "remove": "removed"}[action]
	return c.Redirect(http.StatusSeeOther, "/admin/followers?done="+done)
}

// adminFollowingPage is GET /admin/following.
func (s *Server) adminFollowingPage(c echo.Context) error {
	return s.renderFollowing(c, http.StatusOK, "", nil)
}

func (s *Server) renderFollowing(c echo.Context, status int, account string, fe formErrors) error {
	r := s.reader(c)
	rows, err := s.relationRows(c, store.Following, "")
	if err != nil {
		return err
	}
	f := field("account", r.T("admin.following.account"), account)
	f.Hint, f.Required, f.Autocomplete = r.T("admin.following.accountHint"), true, "off"
	v := followingView{Form: formView{Action: "/admin/following"}, Account: f, Rows: rows}
	v.Form.summarize([]*formField{f}, fe)
	return s.renderAdmin(c, status, "admin_following.html", adminPage{Title: r.T("admin.nav.following"), Section: "following", Data: v})
}

// adminFollow is POST /admin/following: follow an account.
func (s *Server) adminFollowSave(c echo.Context) error {
	r := s.reader(c)
	acct := strings.TrimSpace(c.FormValue("account"))
	if acct == "" {
		return s.renderFollowing(c, http.StatusBadRequest, acct, formErrors{"account": r.T("admin.err.required")})
	}
	rel, created, err := s.node.Follow(c.Request().Context(), acct)
	var look *federation.LookupError
	switch {
	case errors.Is(err, federation.ErrBadAccount):
		return s.renderFollowing(c, http.StatusBadRequest, acct, formErrors{"account": r.T("admin.following.bad")})
	case errors.As(err, &look):
		return s.renderFollowing(c, http.StatusUnprocessableEntity, acct,
			formErrors{"account": r.T("admin.following.notFound", "reason", look.Err.Error())})
	case err != nil:
		return err
	}
	if !created {
		return c.Redirect(http.StatusSeeOther, "/admin/following?done=already")
	}
	s.audit(c, "follow.add", rel.ActorID, "")
	return c.Redirect(http.StatusSeeOther, "/admin/following?done=requested")
}

// adminUnfollowSave is POST /admin/following/:id/remove.
func (s *Server) adminUnfollowSave(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return store.ErrNotFound
	}
	rel, err := s.st.Relation(c.Request().Context(), store.Following, id)
	if err != nil {
		return err
	}
	if err := s.node.Unfollow(c.Request().Context(), id); err != nil {
		return err
	}
	s.audit(c, "follow.remove", rel.ActorID, "")
	return c.Redirect(http.StatusSeeOther, "/admin/following?done=unfollowed")
}
