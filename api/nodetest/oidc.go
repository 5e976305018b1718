package nodetest

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"html/template"
	"math/big"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// OIDCProvider is a real OpenID Connect provider on loopback for tests,
// written with the standard library: discovery, JWKS, an authorization
// endpoint with a one-button login page, and a token endpoint that checks
// the client's secret, the code (usable once), the redirect URI and the
// PKCE verifier (S256), and answers with an RS256-signed ID token for the
// person set with SetUser.
type OIDCProvider struct {
	URL                    string // the issuer
	ClientID, ClientSecret string
	key                    *rsa.PrivateKey
	srv                    *http.Server
	l                      net.Listener

	mu       sync.Mutex
	user     OIDCUser
	redirect string
	codes    map[string]oidcGrant
	tamper   func(claims map[string]any)
}

// OIDCUser is the person the provider signs in.
type OIDCUser struct {
	Subject, Email, Name string
	EmailVerified        bool
}

type oidcGrant struct {
	user                                 OIDCUser
	nonce, challenge, redirect, clientID string
}

const oidcKeyID = "test-key-1"

// StartOIDCProvider starts a provider on 127.0.0.1:0, stopped when the test ends.
func StartOIDCProvider(t testing.TB) *OIDCProvider {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &OIDCProvider{URL: "http://" + l.Addr().String(), ClientID: "ospod-test", ClientSecret: "test-client-secret",
		key: key, l: l, codes: map[string]oidcGrant{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", p.discovery)
	mux.HandleFunc("GET /jwks", p.jwks)
	mux.HandleFunc("GET /authorize", p.authorize)
	mux.HandleFunc("POST /authorize", p.approve)
	mux.HandleFunc("POST /token", p.token)
	p.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = p.srv.Serve(l) }()
	t.Cleanup(p.Stop)
	return p
}

// Stop stops the provider (a provider that is down).
func (p *OIDCProvider) Stop() { _ = p.srv.Close() }

// SetUser sets the person whom the next sign-ins are for.
func (p *OIDCProvider) SetUser(u OIDCUser) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.user = u
}

// Tamper changes the claims of the next ID tokens before they are signed
// (nil: none), e.g. a wrong audience or nonce.
func (p *OIDCProvider) Tamper(f func(claims map[string]any)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.tamper = f
}

// AllowRedirect registers the client's redirect URI (the node's callback).
func (p *OIDCProvider) AllowRedirect(uri string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.redirect = uri
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func (p *OIDCProvider) discovery(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer": p.URL, "authorization_endpoint": p.URL + "/authorize", "token_endpoint": p.URL + "/token",
		"jwks_uri": p.URL + "/jwks", "response_types_supported": []string{"code"},
		"subject_types_supported": []string{"public"}, "id_token_signing_alg_values_supported": []string{"RS256"},
		"scopes_supported": []string{"openid", "email", "profile"}, "code_challenge_methods_supported": []string{"S256"},
		"token_endpoint_auth_methods_supported": []string{"client_secret_basic", "client_secret_post"},
	})
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

func (p *OIDCProvider) jwks(w http.ResponseWriter, _ *http.Request) {
	pub := p.key.PublicKey
	writeJSON(w, http.StatusOK, map[string]any{"keys": []map[string]string{{
		"kty": "RSA", "use": "sig", "alg": "RS256", "kid": oidcKeyID,
		"n": b64(pub.N.Bytes()), "e": b64(big.NewInt(int64(pub.E)).Bytes()),
	}}})
}

var oidcLoginPage = template.Must(template.New("login").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>Test identity provider</title></head><body><main>
<h1>Test identity provider</h1>
<form method="post" action="/authorize">
{{range $k, $v := .Query}}<input type="hidden" name="{{$k}}" value="{{index $v 0}}">{{end}}
<p>Signing in as {{.Email}}.</p>
<button type="submit" id="approve">Continue</button>
</form></main></body></html>`))

// authorize checks the request and shows the login page.
func (p *OIDCProvider) authorize(w http.ResponseWriter, r *http.Request) {
	if msg := p.checkAuthorize(r.URL.Query()); msg != "" {
		http.Error(w, msg, http.StatusBadRequest)
		return
	}
	p.mu.Lock()
	email := p.user.Email
	p.mu.Unlock()
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = oidcLoginPage.Execute(w, map[string]any{"Query": r.URL.Query(), "Email": email})
}

func (p *OIDCProvider) checkAuthorize(q url.Values) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch {
	case q.Get("response_type") != "code":
		return "response_type must be code"
	case q.Get("client_id") != p.ClientID:
		return "unknown client"
	case q.Get("redirect_uri") == "" || q.Get("redirect_uri") != p.redirect:
		return "redirect_uri not registered"
	case !strings.Contains(" "+q.Get("scope")+" ", " openid "):
		return "scope must include openid"
	case q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "":
		return "PKCE with S256 is required"
	case q.Get("state") == "" || q.Get("nonce") == "":
		return "state and nonce are required"
	}
	return ""
}

// approve is the login form's answer: a code, back to the client.
func (p *OIDCProvider) approve(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	q := r.PostForm
	if msg := p.checkAuthorize(q); msg != "" {
		http.Error(w, msg, http.StatusBadRequest)
		return
	}
	code := b64(randomBytes())
	p.mu.Lock()
	p.codes[code] = oidcGrant{user: p.user, nonce: q.Get("nonce"), challenge: q.Get("code_challenge"),
		redirect: q.Get("redirect_uri"), clientID: q.Get("client_id")}
	p.mu.Unlock()
	back := q.Get("redirect_uri") + "?" + url.Values{"code": {code}, "state": {q.Get("state")}}.Encode()
	http.Redirect(w, r, back, http.StatusFound)
}

func randomBytes() []byte {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return b
}

// token exchanges a code for an ID token (RFC 6749 §4.1.3, RFC 7636 §4.6).
func (p *OIDCProvider) token(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_request"})
		return
	}
	id, secret, ok := r.BasicAuth()
	if !ok {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	if id != p.ClientID || secret != p.ClientSecret {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_client"})
		return
	}
	code := r.PostForm.Get("code")
	p.mu.Lock()
	g, found := p.codes[code]
	delete(p.codes, code) // a code works once
	p.mu.Unlock()
	sum := sha256.Sum256([]byte(r.PostForm.Get("code_verifier")))
	if r.PostForm.Get("grant_type") != "authorization_code" || !found || g.clientID != id ||
		g.redirect != r.PostForm.Get("redirect_uri") || b64(sum[:]) != g.challenge {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_grant"})
		return
	}
	now := time.Now()
	claims := map[string]any{"iss": p.URL, "sub": g.user.Subject, "aud": p.ClientID, "iat": now.Unix(),
		"exp": now.Add(5 * time.Minute).Unix(), "nonce": g.nonce, "email": g.user.Email,
		"email_verified": g.user.EmailVerified, "name": g.user.Name}
	p.mu.Lock()
	if p.tamper != nil {
		p.tamper(claims)
	}
	p.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"access_token": b64(randomBytes()), "token_type": "Bearer",
		"expires_in": 300, "id_token": p.sign(claims)})
}

// sign makes a JWS compact serialisation with RS256 (RFC 7515, 7518 §3.3).
func (p *OIDCProvider) sign(claims map[string]any) string {
	h, _ := json.Marshal(map[string]string{"alg": "RS256", "typ": "JWT", "kid": oidcKeyID})
	c, _ := json.Marshal(claims)
	input := b64(h) + "." + b64(c)
	sum := sha256.Sum256([]byte(input))
	sig, err := rsa.SignPKCS1v15(rand.Reader, p.key, crypto.SHA256, sum[:])
	if err != nil {
		panic(err)
	}
	return input + "." + b64(sig)
}
