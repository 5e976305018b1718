package api

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/ospod/ospod/api/auth"
	"github.com/ospod/ospod/store"
)

// The users page (/admin/users, admins only): staff accounts, invitations
// by one-time link, roles, disabling and removal. A changed, disabled or
// removed account loses its sessions (store.ChangeStaffAccount).

// inviteLifetime is how long an invitation link works.
const inviteLifetime = 72 * time.Hour

type usersView struct {
	Accounts       []userRow
	Invite         string // the link just made, shown once
	InviteFor      string
	InviteExpires  string
	Error          string
	Name, Role     string // the add form, kept after an error
	Email          string
	RequireFactor  bool
	Self           string
	MinPasswordLen int
	SSOName        string // single sign-on's provider, when it is on
	SignUpRole     string // the role of accounts made at single sign-on; "" when off
}

type userRow struct {
	store.StaffAccount
	State, Created string
}

// adminUsersPage is GET /admin/users.
func (s *Server) adminUsersPage(c echo.Context) error {
	return s.renderUsers(c, http.StatusOK, usersView{Role: store.RoleEditor})
}

func (s *Server) renderUsers(c echo.Context, status int, v usersView) error {
	r := s.reader(c)
	accounts, err := s.st.StaffAccounts(c.Request().Context())
	if err != nil {
		return err
	}
	for _, a := range accounts {
		row := userRow{StaffAccount: a, State: r.T("admin.users.active"), Created: r.L.Date(a.Created)}
		switch {
		case a.Disabled:
			row.State = r.T("admin.users.disabled")
		case a.PasswordHash == "" && a.Email != "" && s.oidc != nil:
			row.State = r.T("admin.users.ssoOnly", "name", s.oidcName)
		case a.PasswordHash == "":
			row.State = r.T("admin.users.invited")
		}
		v.Accounts = append(v.Accounts, row)
	}
	v.RequireFactor = s.requireSecondFactor(c)
	if s.oidc != nil {
		v.SSOName, v.SignUpRole = s.oidcName, s.signUpRole(c.Request().Context())
	}
	v.Self = staffOf(c).Account.Name
	return s.renderAdmin(c, status, "admin_users.html", adminPage{Title: r.T("admin.nav.users"), Section: "users", Data: v})
}

// adminUserAdd is POST /admin/users: a new account and its invitation link.
func (s *Server) adminUserAdd(c echo.Context) error {
	ctx := c.Request().Context()
	r := s.reader(c)
	v := usersView{Name: strings.TrimSpace(c.FormValue("name")), Role: c.FormValue("role"), Email: strings.TrimSpace(c.FormValue("email"))}
	switch {
	case !store.ValidStaffName(v.Name):
		v.Error = r.T("admin.users.badName")
	case !store.ValidRole(v.Role):
		v.Error = r.T("admin.users.badRole")
	case v.Email != "" && !store.ValidEmail(v.Email):
		v.Error = r.T("admin.users.badEmail")
	}
	if v.Error != "" {
		return s.renderUsers(c, http.StatusBadRequest, v)
	}
	a := &store.StaffAccount{Name: v.Name, Role: v.Role, Email: v.Email}
	if err := s.st.AddStaffAccount(ctx, a); errors.Is(err, store.ErrConflict) {
		v.Error = r.T("admin.users.taken")
		return s.renderUsers(c, http.StatusConflict, v)
	} else if errors.Is(err, store.ErrEmailTaken) {
		v.Error = r.T("admin.users.emailTaken")
		return s.renderUsers(c, http.StatusConflict, v)
	} else if err != nil {
		return err
	}
	s.audit(c, "account.add", a.Name, "role "+a.Role)
	return s.showInvite(c, a)
}

// showInvite makes a fresh invitation for an account and shows its link once.
func (s *Server) showInvite(c echo.Context, a *store.StaffAccount) error {
	ctx := c.Request().Context()
	token := auth.NewToken()
	expires := s.st.Now().Add(inviteLifetime)
	if err := s.st.DeleteStaffInvites(ctx, a.ID); err != nil {
		return err
	}
	if err := s.st.CreateStaffInvite(ctx, auth.TokenHash(token), a.ID, expires); err != nil {
		return err
	}
	r := s.reader(c)
	return s.renderUsers(c, http.StatusOK, usersView{Role: store.RoleEditor, Invite: s.node.URLs.Base + "/admin/invite/" + token,
		InviteFor: a.Name, InviteExpires: r.L.DateTime(expires)})
}

// adminUserChange is POST /admin/users/:name/:action with action role,
// disable, enable, remove or invite (a new link, e.g. after a lost password).
func (s *Server) adminUserChange(c echo.Context) error {
	ctx := c.Request().Context()
	name, action := c.Param("name"), c.Param("action")
	a, err := s.st.StaffAccount(ctx, name)
	if err != nil {
		return err
	}
	if action == "email" {
		return s.adminUserEmail(c, a)
	}
	if strings.EqualFold(a.Name, staffOf(c).Account.Name) && action != "invite" {
		return s.renderUsers(c, http.StatusBadRequest, usersView{Role: store.RoleEditor, Error: s.reader(c).T("admin.users.notSelf")})
	}
	var ch store.StaffChange
	summary := ""
	switch action {
	case "role":
		role := c.FormValue("role")
		if !store.ValidRole(role) {
			return s.renderUsers(c, http.StatusBadRequest, usersView{Role: store.RoleEditor, Error: s.reader(c).T("admin.users.badRole")})
		}
		ch.Role, summary = &role, "role "+role
	case "disable", "enable":
		disabled := action == "disable"
		ch.Disabled = &disabled
	case "remove":
		if err := s.st.RemoveStaffAccount(ctx, a.Name); err != nil {
			return err
		}
		s.audit(c, "account.remove", a.Name, "")
		return c.Redirect(http.StatusSeeOther, "/admin/users?done=removed")
	case "invite":
		s.audit(c, "account.invite", a.Name, "")
		return s.showInvite(c, a)
	default:
		return echo.ErrNotFound
	}
	if err := s.st.ChangeStaffAccount(ctx, a.Name, ch); err != nil {
		return err
	}
	s.audit(c, "account."+action, a.Name, summary)
	return c.Redirect(http.StatusSeeOther, "/admin/users?done=saved")
}

// adminUserEmail changes an account's e-mail address ("" removes it): the
// address single sign-on maps to the account. Sessions stay.
func (s *Server) adminUserEmail(c echo.Context, a *store.StaffAccount) error {
	email := strings.TrimSpace(c.FormValue("email"))
	r := s.reader(c)
	if email != "" && !store.ValidEmail(email) {
		return s.renderUsers(c, http.StatusBadRequest, usersView{Role: store.RoleEditor, Error: r.T("admin.users.badEmail")})
	}
	err := s.st.ChangeStaffAccount(c.Request().Context(), a.Name, store.StaffChange{Email: &email, KeepSessions: true})
	if errors.Is(err, store.ErrEmailTaken) {
		return s.renderUsers(c, http.StatusConflict, usersView{Role: store.RoleEditor, Error: r.T("admin.users.emailTaken")})
	}
	if err != nil {
		return err
	}
	s.audit(c, "account.email", a.Name, email)
	return c.Redirect(http.StatusSeeOther, "/admin/users?done=saved")
}

// adminSignUp is POST /admin/users/sign-up: the role of accounts made when
// someone without one signs in with the provider, or "" for no sign-up.
func (s *Server) adminSignUp(c echo.Context) error {
	if s.oidc == nil {
		return echo.ErrNotFound
	}
	role := c.FormValue("role")
	if role != "" && !store.ValidRole(role) {
		return s.renderUsers(c, http.StatusBadRequest, usersView{Role: store.RoleEditor, Error: s.reader(c).T("admin.users.badRole")})
	}
	if err := s.st.SetSetting(c.Request().Context(), store.SettingSignUpRole, role); err != nil {
		return err
	}
	summary := "off"
	if role != "" {
		summary = "role " + role
	}
	s.audit(c, "setting.sign-up", "", summary)
	return c.Redirect(http.StatusSeeOther, "/admin/users?done=saved")
}

// adminRequireFactor is POST /admin/users/second-factor: require (or not)
// a second factor of every account.
func (s *Server) adminRequireFactor(c echo.Context) error {
	on := c.FormValue("require") == "true"
	v := "false"
	if on {
		v = "true"
	}
	if err := s.st.SetSetting(c.Request().Context(), store.SettingRequireSecondFactor, v); err != nil {
		return err
	}
	s.audit(c, "setting.second-factor", "", "required "+v)
	return c.Redirect(http.StatusSeeOther, "/admin/users?done=saved")
}

type inviteView struct {
	Name, Error string
	Token       string
}

// adminInvitePage is GET /admin/invite/:token: the invitee chooses a password.
func (s *Server) adminInvitePage(c echo.Context) error {
	noStore(c)
	inv, err := s.st.StaffInvite(c.Request().Context(), auth.TokenHash(c.Param("token")))
	if err != nil {
		return err // 404: unknown, used or expired
	}
	r := s.reader(c)
	return s.renderAdmin(c, http.StatusOK, "admin_invite.html", adminPage{Title: r.T("admin.invite.title"),
		Data: inviteView{Name: inv.Account.Name, Token: c.Param("token")}})
}

// adminInviteAccept is POST /admin/invite/:token: sets the password, ends the invitation.
func (s *Server) adminInviteAccept(c echo.Context) error {
	noStore(c)
	if err := s.checkOrigin(c); err != nil {
		return err
	}
	ctx := c.Request().Context()
	inv, err := s.st.StaffInvite(ctx, auth.TokenHash(c.Param("token")))
	if err != nil {
		return err
	}
	r := s.reader(c)
	p1, p2 := c.FormValue("password"), c.FormValue("confirm")
	v := inviteView{Name: inv.Account.Name, Token: c.Param("token")}
	hash, err := auth.HashPassword(p1)
	switch {
	case err != nil:
		v.Error = r.T("admin.invite.short", "n", auth.MinPasswordLength)
	case p1 != p2:
		v.Error = r.T("admin.invite.mismatch")
	}
	if v.Error != "" {
		return s.renderAdmin(c, http.StatusBadRequest, "admin_invite.html", adminPage{Title: r.T("admin.invite.title"), Data: v})
	}
	if err := s.st.ChangeStaffAccount(ctx, inv.Account.Name, store.StaffChange{PasswordHash: &hash}); err != nil {
		return err
	}
	if err := s.st.DeleteStaffInvites(ctx, inv.Account.ID); err != nil {
		return err
	}
	if err := s.st.AddAudit(ctx, &store.AuditEntry{Actor: inv.Account.Name, Kind: "account.password", Object: inv.Account.Name,
		Summary: "invitation accepted", Address: c.RealIP()}); err != nil {
		s.log.Error("audit trail", "err", err)
	}
	return c.Redirect(http.StatusSeeOther, "/admin/login?done=password-set")
}
