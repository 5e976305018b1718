package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/ospod/ospod/api/auth"
)

// The signed-in person's own account (/admin/account): sign out
// everywhere and the second factor.

type accountView struct {
	Name, Role    string
	TOTPEnabled   bool
	NeedFactor    bool // the node requires a second factor and this account has none
	RecoveryLeft  int
	Enroll        *enrollView // set while turning the second factor on
	RecoveryCodes []string    // shown once, right after confirming
	Error         string
}

// adminAccountPage is GET /admin/account.
func (s *Server) adminAccountPage(c echo.Context) error {
	return s.renderAccount(c, http.StatusOK, accountView{})
}

func (s *Server) renderAccount(c echo.Context, status int, v accountView) error {
	st := staffOf(c)
	r := s.reader(c)
	v.Name, v.Role, v.TOTPEnabled = st.Account.Name, st.Account.Role, st.Account.TOTPEnabled
	v.NeedFactor = !v.TOTPEnabled && s.requireSecondFactor(c)
	if a := st.Account; v.Enroll == nil && !a.TOTPEnabled && a.TOTPSecret != "" && v.RecoveryCodes == nil {
		v.Enroll = &enrollView{Secret: a.TOTPSecret, URI: auth.TOTPURI(s.totpIssuer(), a.Name, a.TOTPSecret)}
	}
	if v.TOTPEnabled {
		n, err := s.st.RecoveryCodesLeft(c.Request().Context(), st.Account.ID)
		if err != nil {
			return err
		}
		v.RecoveryLeft = n
	}
	return s.renderAdmin(c, status, "admin_account.html", adminPage{Title: r.T("admin.nav.account"), Section: "account", Data: v})
}
