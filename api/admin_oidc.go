package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/ospod/ospod/api/auth"
	"github.com/ospod/ospod/store"
)

// Single sign-on with an OpenID Connect provider (docs/admin.md). GET
// /admin/login/oidc sends the browser to the provider with a state, a
// nonce and a PKCE challenge, kept here for ten minutes under a random id
// held in a cookie; the callback takes them back once (a replay finds
// nothing), exchanges the code, and maps the verified e-mail address to an
// existing enabled account. Then sign-in goes on as with a password,
// second factor included. Every refusal counts toward the throttle.

// OIDCOptions turns on sign-in with an OpenID Connect provider.
type OIDCOptions struct {
	Issuer, ClientID, ClientSecret string
	// Name labels the sign-in link ("Sign in with NAME"); default the issuer's host.
	Name string
}

const (
	oidcCookie       = "ospod_oidc"
	oidcCookiePath   = "/admin/login/oidc"
	oidcFlowLifetime = 10 * time.Minute
	// maxOIDCFlows bounds the sign-ins in progress kept in memory.
	maxOIDCFlows = 10000
)

// oidcFlows are the sign-ins between the redirect and the callback, by the
// hash of their cookie's id.
type oidcFlows struct {
	mu sync.Mutex
	m  map[string]oidcFlow
}

type oidcFlow struct {
	state, nonce, verifier string
	expires                time.Time
}

// put keeps a flow; false when too many are in progress.
func (f *oidcFlows) put(id string, fl oidcFlow, now time.Time) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.m) >= maxOIDCFlows {
		for k, v := range f.m {
			if now.After(v.expires) {
				delete(f.m, k)
			}
		}
		if len(f.m) >= maxOIDCFlows {
			return false
		}
	}
	f.m[string(auth.TokenHash(id))] = fl
	return true
}

// take returns a live flow and forgets it: a callback works once.
func (f *oidcFlows) take(id string, now time.Time) (oidcFlow, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	k := string(auth.TokenHash(id))
	fl, ok := f.m[k]
	delete(f.m, k)
	return fl, ok && now.Before(fl.expires)
}

// setupOIDC builds the sign-in from the options (nothing when no issuer).
func (s *Server) setupOIDC(o OIDCOptions) {
	if o.Issuer == "" {
		return
	}
	s.oidcName = o.Name
	if s.oidcName == "" {
		if u, err := url.Parse(o.Issuer); err == nil {
			s.oidcName = u.Host
		}
	}
	s.oidc = auth.NewOIDC(auth.OIDCOptions{Issuer: o.Issuer, ClientID: o.ClientID, ClientSecret: o.ClientSecret,
		RedirectURL: s.node.URLs.Base + "/admin/login/oidc/callback", HTTPClient: s.node.HTTPClient()})
	s.oidcFlows = &oidcFlows{m: map[string]oidcFlow{}}
}

func (s *Server) oidcCookie(value string, maxAge int) *http.Cookie {
	return &http.Cookie{Name: oidcCookie, Value: value, Path: oidcCookiePath, MaxAge: maxAge, HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: strings.HasPrefix(s.node.URLs.Base, "https:")}
}

// adminOIDCStart is GET /admin/login/oidc: off to the provider.
func (s *Server) adminOIDCStart(c echo.Context) error {
	noStore(c)
	if s.oidc == nil {
		return echo.ErrNotFound
	}
	ctx := c.Request().Context()
	if handled, err := s.throttledAddress(c); handled {
		return err
	}
	start, err := s.oidc.Start(ctx)
	if err != nil {
		return s.oidcRefused(c, http.StatusBadGateway, "admin.oidc.down", "", err)
	}
	id := auth.NewToken()
	fl := oidcFlow{state: start.State, nonce: start.Nonce, verifier: start.Verifier,
		expires: time.Now().Add(oidcFlowLifetime)}
	if !s.oidcFlows.put(id, fl, time.Now()) {
		return s.oidcRefused(c, http.StatusServiceUnavailable, "admin.oidc.down", "", errors.New("too many sign-ins in progress"))
	}
	c.SetCookie(s.oidcCookie(id, int(oidcFlowLifetime.Seconds())))
	return c.Redirect(http.StatusSeeOther, start.URL)
}

// adminOIDCCallback is GET /admin/login/oidc/callback: the provider sends
// the browser back with a code (or an error) and the state.
func (s *Server) adminOIDCCallback(c echo.Context) error {
	noStore(c)
	if s.oidc == nil {
		return echo.ErrNotFound
	}
	ctx := c.Request().Context()
	if handled, err := s.throttledAddress(c); handled {
		return err
	}
	c.SetCookie(s.oidcCookie("", -1))
	var fl oidcFlow
	ok := false
	if ck, err := c.Cookie(oidcCookie); err == nil && ck.Value != "" {
		fl, ok = s.oidcFlows.take(ck.Value, time.Now())
	}
	if !ok || !auth.EqualSecrets(c.QueryParam("state"), fl.state) {
		return s.oidcRefused(c, http.StatusBadRequest, "admin.oidc.state", "", errors.New("unknown, used or expired state"))
	}
	if e := c.QueryParam("error"); e != "" {
		return s.oidcRefused(c, http.StatusUnauthorized, "admin.oidc.refused", "",
			fmt.Errorf("provider answered %q: %s", e, c.QueryParam("error_description")))
	}
	id, err := s.oidc.Finish(ctx, c.QueryParam("code"), fl.verifier, fl.nonce)
	switch {
	case errors.Is(err, auth.ErrProviderUnavailable):
		return s.oidcRefused(c, http.StatusBadGateway, "admin.oidc.down", "", err)
	case err != nil:
		return s.oidcRefused(c, http.StatusUnauthorized, "admin.oidc.refused", "", err)
	case id.Email == "" || !id.EmailVerified:
		return s.oidcRefused(c, http.StatusUnauthorized, "admin.oidc.unverified", "",
			fmt.Errorf("e-mail %q not verified (subject %s)", id.Email, id.Subject))
	}
	a, err := s.oidcAccount(ctx, c, id)
	if err != nil {
		return err
	}
	if a == nil {
		return nil // refused and answered
	}
	if _, err := s.startSession(c, a, a.TOTPEnabled); err != nil {
		return err
	}
	s.auditAs(c, a.Name, "account.signin", a.Name, "single sign-on ("+id.Email+")")
	if a.TOTPEnabled {
		return c.Redirect(http.StatusSeeOther, "/admin/login/code")
	}
	return c.Redirect(http.StatusSeeOther, "/admin")
}

// oidcAccount maps a verified identity to an enabled account, making one
// when an admin allowed sign-up. A nil account means the refusal has been
// answered.
func (s *Server) oidcAccount(ctx context.Context, c echo.Context, id *auth.Identity) (*store.StaffAccount, error) {
	a, err := s.st.StaffAccountByEmail(ctx, id.Email)
	switch {
	case errors.Is(err, store.ErrNotFound):
		role := s.signUpRole(ctx)
		if role == "" {
			return nil, s.oidcRefused(c, http.StatusUnauthorized, "admin.oidc.unknown", "",
				fmt.Errorf("no account has the e-mail %q", id.Email))
		}
		return s.oidcSignUp(ctx, c, id, role)
	case errors.Is(err, store.ErrConflict):
		return nil, s.oidcRefused(c, http.StatusUnauthorized, "admin.oidc.ambiguous", "",
			fmt.Errorf("several accounts have the e-mail %q", id.Email))
	case err != nil:
		return nil, err
	case a.Disabled:
		return nil, s.oidcRefused(c, http.StatusUnauthorized, "admin.oidc.disabled", a.Name, errors.New("account disabled"))
	}
	return a, nil
}

// oidcSignUp makes an account (without password) for a verified identity.
func (s *Server) oidcSignUp(ctx context.Context, c echo.Context, id *auth.Identity, role string) (*store.StaffAccount, error) {
	for i := 1; i < 10; i++ {
		a := &store.StaffAccount{Name: signUpName(id.Email, i), Role: role, Email: id.Email}
		err := s.st.AddStaffAccount(ctx, a)
		if errors.Is(err, store.ErrConflict) {
			continue // the name is taken: try the next one
		}
		if err != nil {
			return nil, err
		}
		s.auditAs(c, a.Name, "account.add", a.Name, "signed up by single sign-on, role "+role)
		return a, nil
	}
	return nil, s.oidcRefused(c, http.StatusUnauthorized, "admin.oidc.unknown", "", fmt.Errorf("no free name for %q", id.Email))
}

// signUpName is the name of a new account: the e-mail address when it is a
// valid name, else its characters that are allowed; a number after the
// first try.
func signUpName(email string, try int) string {
	name := strings.Map(func(r rune) rune {
		if store.ValidStaffName(string(r)) {
			return r
		}
		return '-'
	}, strings.ToLower(email))
	suffix := ""
	if try > 1 {
		suffix = fmt.Sprintf("-%d", try)
	}
	if len(name)+len(suffix) > 64 {
		name = name[:64-len(suffix)]
	}
	return name + suffix
}

// signUpRole is the role a stranger's account gets, or "" when an admin
// has not allowed sign-up.
func (s *Server) signUpRole(ctx context.Context) string {
	v, err := s.st.Setting(ctx, store.SettingSignUpRole)
	if err != nil || !store.ValidRole(v) {
		return ""
	}
	return v
}

// oidcRefused logs a refused single sign-on, counts it toward the
// throttle (for the account when known, always for the address), and
// shows the sign-in page with the message.
func (s *Server) oidcRefused(c echo.Context, status int, key, account string, why error) error {
	addr := c.RealIP()
	s.log.Warn("failed sign-in", "method", "oidc", "account", account, "address", addr, "err", why)
	if err := s.st.RecordAuthFailure(c.Request().Context(), account, addr, signInWindow); err != nil {
		return err
	}
	r := s.reader(c)
	return s.renderLogin(c, status, loginView{Error: r.T(key, "name", s.oidcName)})
}

// auditAs records an entry for a person who is not signed in yet.
func (s *Server) auditAs(c echo.Context, actor, kind, object, summary string) {
	e := &store.AuditEntry{Actor: actor, Kind: kind, Object: object, Summary: summary, Address: c.RealIP()}
	if err := s.st.AddAudit(c.Request().Context(), e); err != nil {
		s.log.Error("audit trail", "err", err, "kind", kind, "object", object)
	}
}
