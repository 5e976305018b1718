package api

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/ospod/ospod/api/auth"
	"github.com/ospod/ospod/store"
)

// The second factor: TOTP (RFC 6238) with one-time recovery codes. Turning
// it on shows the secret as text (base32 and otpauth:// URI, no QR code:
// no script, no image to generate), confirmed by a first code; sign-in then
// asks for a code after the password (/admin/login/code).

// recoveryCodeCount is how many recovery codes an account gets.
const recoveryCodeCount = 10

type enrollView struct{ Secret, URI string }

func (s *Server) totpIssuer() string { return "ospod " + s.node.Account() }

// adminFactorStart is POST /admin/account/factor/start: a new secret to confirm.
func (s *Server) adminFactorStart(c echo.Context) error {
	st := staffOf(c)
	if st.Account.TOTPEnabled {
		return c.Redirect(http.StatusSeeOther, "/admin/account")
	}
	secret, uri, err := auth.NewTOTP(s.totpIssuer(), st.Account.Name)
	if err != nil {
		return err
	}
	if err := s.st.ChangeStaffAccount(c.Request().Context(), st.Account.Name,
		store.StaffChange{TOTPSecret: &secret, KeepSessions: true}); err != nil {
		return err
	}
	return s.renderAccount(c, http.StatusOK, accountView{Enroll: &enrollView{Secret: secret, URI: uri}})
}

// adminFactorConfirm is POST /admin/account/factor/confirm: a right code
// turns the factor on and shows the recovery codes once.
func (s *Server) adminFactorConfirm(c echo.Context) error {
	ctx := c.Request().Context()
	st := staffOf(c)
	a := st.Account
	if a.TOTPEnabled || a.TOTPSecret == "" {
		return c.Redirect(http.StatusSeeOther, "/admin/account")
	}
	ok, err := s.useTOTP(c, a, c.FormValue("code"))
	if err != nil {
		return err
	}
	if !ok {
		v := accountView{Enroll: &enrollView{Secret: a.TOTPSecret, URI: auth.TOTPURI(s.totpIssuer(), a.Name, a.TOTPSecret)},
			Error: s.reader(c).T("admin.factor.wrong")}
		return s.renderAccount(c, http.StatusBadRequest, v)
	}
	codes := auth.NewRecoveryCodes(recoveryCodeCount)
	hashes := make([][]byte, len(codes))
	for i, code := range codes {
		hashes[i] = auth.RecoveryCodeHash(code)
	}
	if err := s.st.SetRecoveryCodes(ctx, a.ID, hashes); err != nil {
		return err
	}
	on := true
	// Other sessions end: they signed in without the factor.
	if _, err := s.st.DeleteStaffSessions(ctx, a.ID); err != nil {
		return err
	}
	if err := s.st.ChangeStaffAccount(ctx, a.Name, store.StaffChange{TOTPEnabled: &on}); err != nil {
		return err
	}
	if st.Session, err = s.startSession(c, a, false); err != nil {
		return err
	}
	s.audit(c, "account.second-factor", a.Name, "on")
	a.TOTPEnabled = true
	return s.renderAccount(c, http.StatusOK, accountView{RecoveryCodes: codes})
}

// adminFactorOff is POST /admin/account/factor/off (with a current code).
func (s *Server) adminFactorOff(c echo.Context) error {
	ctx := c.Request().Context()
	a := staffOf(c).Account
	if !a.TOTPEnabled {
		return c.Redirect(http.StatusSeeOther, "/admin/account")
	}
	ok, err := s.checkFactor(c, a, c.FormValue("code"))
	if err != nil {
		return err
	}
	if !ok {
		return s.renderAccount(c, http.StatusBadRequest, accountView{Error: s.reader(c).T("admin.factor.wrong")})
	}
	off, empty := false, ""
	if err := s.st.ChangeStaffAccount(ctx, a.Name, store.StaffChange{TOTPEnabled: &off, TOTPSecret: &empty, KeepSessions: true}); err != nil {
		return err
	}
	if err := s.st.SetRecoveryCodes(ctx, a.ID, nil); err != nil {
		return err
	}
	s.audit(c, "account.second-factor", a.Name, "off")
	return c.Redirect(http.StatusSeeOther, "/admin/account?done=saved")
}

// checkFactor accepts a current TOTP code not used before, or an unused
// recovery code (which it uses up).
func (s *Server) checkFactor(c echo.Context, a *store.StaffAccount, code string) (bool, error) {
	code = strings.TrimSpace(code)
	if code == "" {
		return false, nil
	}
	if ok, err := s.useTOTP(c, a, code); ok || err != nil {
		return ok, err
	}
	return s.st.UseRecoveryCode(c.Request().Context(), a.ID, auth.RecoveryCodeHash(code))
}

// useTOTP accepts a TOTP code of the account's secret once: a code whose
// time step was already used (the same code again, or an older one) is
// refused, so a code seen by someone else is worth nothing afterwards.
func (s *Server) useTOTP(c echo.Context, a *store.StaffAccount, code string) (bool, error) {
	step, ok := auth.TOTPStep(code, a.TOTPSecret, s.st.Now())
	if !ok {
		return false, nil
	}
	return s.st.UseTOTPStep(c.Request().Context(), a.ID, step)
}

// adminLoginCodePage is GET /admin/login/code: the second step of sign-in.
func (s *Server) adminLoginCodePage(c echo.Context) error {
	noStore(c)
	st, err := s.currentSession(c)
	if err != nil {
		return err
	}
	if st == nil {
		return c.Redirect(http.StatusSeeOther, "/admin/login")
	}
	if !st.Session.PendingFactor {
		return c.Redirect(http.StatusSeeOther, "/admin")
	}
	r := s.reader(c)
	return s.renderAdmin(c, http.StatusOK, "admin_code.html", adminPage{Title: r.T("admin.factor.title"), CSRF: st.CSRF(),
		Data: loginView{}})
}

// adminLoginCode is POST /admin/login/code: a right code completes the
// session; failures count towards the sign-in throttle.
func (s *Server) adminLoginCode(c echo.Context) error {
	noStore(c)
	if err := s.checkOrigin(c); err != nil {
		return err
	}
	ctx := c.Request().Context()
	st, err := s.currentSession(c)
	if err != nil {
		return err
	}
	if st == nil || !st.Session.PendingFactor {
		return c.Redirect(http.StatusSeeOther, "/admin/login")
	}
	if !validCSRF(c, st) {
		return s.refuse(c, "admin.refused.csrf", csrfRefused)
	}
	addr := c.RealIP()
	until, err := s.st.AuthBlockedUntil(ctx, st.Account.Name, addr, signInLimit, signInWindow)
	if err != nil {
		return err
	}
	if !until.IsZero() {
		_ = s.endSession(c)
		return s.renderThrottled(c, until)
	}
	ok, err := s.checkFactor(c, st.Account, c.FormValue("code"))
	if err != nil {
		return err
	}
	if !ok {
		if err := s.st.RecordAuthFailure(ctx, st.Account.Name, addr, signInWindow); err != nil {
			return err
		}
		r := s.reader(c)
		return s.renderAdmin(c, http.StatusUnauthorized, "admin_code.html",
			adminPage{Title: r.T("admin.factor.title"), CSRF: st.CSRF(), Data: loginView{Error: r.T("admin.factor.wrong")}})
	}
	if err := s.st.CompleteStaffSession(ctx, st.Session.IDHash); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/admin")
}
