package api

import (
	"crypto/subtle"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/ospod/ospod/api/auth"
	"github.com/ospod/ospod/store"
)

// Sign-in throttling: this many failures for one account or from one
// address within the window answer 429 until the window passes, even for
// the right password (else guessing would go on at full speed).
const (
	signInLimit  = 10
	signInWindow = 15 * time.Minute
)

// loginView is the sign-in page.
type loginView struct {
	Username   string
	Error      string
	NoAccounts bool      // a fresh node: explain 'ospod user add'
	RetryAt    time.Time // when throttled
	SSOName    string    // the provider's name when single sign-on is on
}

// adminLoginPage shows the sign-in form, or the dashboard when signed in.
func (s *Server) adminLoginPage(c echo.Context) error {
	noStore(c)
	if st, err := s.currentSession(c); err != nil {
		return err
	} else if st != nil && !st.Session.PendingFactor {
		return c.Redirect(http.StatusSeeOther, "/admin")
	}
	return s.renderLogin(c, http.StatusOK, loginView{})
}

func (s *Server) renderLogin(c echo.Context, status int, v loginView) error {
	n, err := s.st.CountStaffAccounts(c.Request().Context())
	if err != nil {
		return err
	}
	v.NoAccounts = n == 0
	if s.oidc != nil {
		v.SSOName = s.oidcName
	}
	r := s.reader(c)
	return s.renderAdmin(c, status, "admin_login.html", adminPage{Title: r.T("admin.login.title"), Data: v})
}

// adminLogin checks a name and password: 303 to /admin with a session
// cookie, 401 with the form again, or 429 while throttled.
func (s *Server) adminLogin(c echo.Context) error {
	noStore(c)
	if err := s.checkOrigin(c); err != nil {
		return err
	}
	ctx := c.Request().Context()
	name, password := strings.TrimSpace(c.FormValue("username")), c.FormValue("password")
	addr := c.RealIP()
	until, err := s.st.AuthBlockedUntil(ctx, name, addr, signInLimit, signInWindow)
	if err != nil {
		return err
	}
	if !until.IsZero() {
		return s.renderThrottled(c, until)
	}
	a, err := s.st.StaffAccount(ctx, name)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	if a == nil || a.Disabled || a.PasswordHash == "" {
		auth.BurnTime(password) // as slow as a wrong password: names stay secret
		a = nil
	} else if !auth.CheckPassword(a.PasswordHash, password) {
		a = nil
	}
	if a == nil {
		s.log.Warn("failed sign-in", "account", name, "address", addr)
		if err := s.st.RecordAuthFailure(ctx, name, addr, signInWindow); err != nil {
			return err
		}
		r := s.reader(c)
		return s.renderLogin(c, http.StatusUnauthorized, loginView{Username: name, Error: r.T("admin.login.wrong")})
	}
	if _, err := s.startSession(c, a, a.TOTPEnabled); err != nil {
		return err
	}
	if a.TOTPEnabled {
		return c.Redirect(http.StatusSeeOther, "/admin/login/code")
	}
	return c.Redirect(http.StatusSeeOther, "/admin")
}

// throttledAddress answers with the throttled page when the client's
// address has used up its sign-in attempts; handled reports that it did
// (or that the check failed with err).
func (s *Server) throttledAddress(c echo.Context) (handled bool, err error) {
	until, err := s.st.AuthBlockedUntil(c.Request().Context(), "", c.RealIP(), signInLimit, signInWindow)
	if err != nil {
		return true, err
	}
	if until.IsZero() {
		return false, nil
	}
	return true, s.renderThrottled(c, until)
}

// renderThrottled answers 429 with a page that says when to try again.
func (s *Server) renderThrottled(c echo.Context, until time.Time) error {
	wait := max(until.Sub(s.st.Now()), 0)
	c.Response().Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds())+1))
	r := s.reader(c)
	minutes := int(wait.Minutes()) + 1
	v := loginView{RetryAt: until, Error: r.N("admin.login.throttled", minutes)}
	return s.renderLogin(c, http.StatusTooManyRequests, v)
}

// adminLogout ends this session (POST with the CSRF token).
func (s *Server) adminLogout(c echo.Context) error {
	if err := s.endSession(c); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/admin/login?done=signed-out")
}

// adminLogoutEverywhere ends every session of the signed-in account.
func (s *Server) adminLogoutEverywhere(c echo.Context) error {
	st := staffOf(c)
	if _, err := s.st.DeleteStaffSessions(c.Request().Context(), st.Account.ID); err != nil {
		return err
	}
	s.audit(c, "account.signout-everywhere", st.Account.Name, "")
	c.SetCookie(s.sessionCookie("", -1))
	return c.Redirect(http.StatusSeeOther, "/admin/login?done=signed-out")
}

// checkBearer is the throttled bearer-token check of the JSON API: it
// reports whether the request may go on, having answered it otherwise.
func (s *Server) checkBearer(c echo.Context) error {
	header := c.Request().Header.Get(echo.HeaderAuthorization)
	scheme, token, ok := strings.Cut(header, " ")
	ctx := c.Request().Context()
	addr := c.RealIP()
	if header != "" {
		until, err := s.st.AuthBlockedUntil(ctx, "", addr, signInLimit, signInWindow)
		if err != nil {
			return err
		}
		if !until.IsZero() {
			c.Response().Header().Set("Retry-After", strconv.Itoa(int(until.Sub(s.st.Now()).Seconds())+1))
			return problem(http.StatusTooManyRequests, "Too many wrong tokens from this address; try again at "+
				until.Format(time.RFC3339)+".")
		}
	}
	if !ok || !strings.EqualFold(scheme, "Bearer") || len(s.opts.AdminTokenHash) == 0 ||
		subtle.ConstantTimeCompare(HashToken(strings.TrimSpace(token)), s.opts.AdminTokenHash) != 1 {
		if header != "" {
			s.log.Warn("wrong admin token", "address", addr, "path", c.Request().URL.Path)
			if err := s.st.RecordAuthFailure(ctx, "", addr, signInWindow); err != nil {
				return err
			}
		}
		c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Bearer realm="ospod admin"`)
		return problem(http.StatusUnauthorized, "A valid admin token is required: Authorization: Bearer <token>.")
	}
	return nil
}

// equalTokens compares two secrets in constant time (their hashes, so the
// length leaks nothing either).
func equalTokens(a, b string) bool {
	return subtle.ConstantTimeCompare(auth.TokenHash(a), auth.TokenHash(b)) == 1
}
