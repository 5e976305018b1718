package auth

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// OIDCOptions configures sign-in with an OpenID Connect provider.
type OIDCOptions struct {
	Issuer       string // the provider's issuer URL, as its discovery document states it
	ClientID     string
	ClientSecret string
	RedirectURL  string       // this node's callback, registered at the provider
	HTTPClient   *http.Client // every request to the provider goes through it
}

// Errors of an OpenID Connect sign-in; test them with errors.Is.
var (
	// ErrProviderUnavailable: discovery, keys or the code exchange failed
	// on the network or with a server error.
	ErrProviderUnavailable = errors.New("oidc: the identity provider cannot be reached")
	// ErrSignInRefused: the provider refused the code, or the ID token is
	// not valid for us (signature, issuer, audience, expiry, nonce).
	ErrSignInRefused = errors.New("oidc: sign-in refused")
)

// OIDC signs people in with the authorization code flow, PKCE (S256),
// state and nonce. It discovers the provider on first use and again after
// a failure, so a node starts while its provider is down.
type OIDC struct {
	opts     OIDCOptions
	mu       sync.Mutex
	conf     *oauth2.Config
	verifier *oidc.IDTokenVerifier
}

// NewOIDC returns a sign-in with o's provider; nothing is fetched yet.
func NewOIDC(o OIDCOptions) *OIDC {
	if o.HTTPClient == nil {
		o.HTTPClient = http.DefaultClient
	}
	return &OIDC{opts: o}
}

// OIDCStart is what the node keeps between the redirect and the callback,
// and the provider URL to send the browser to.
type OIDCStart struct {
	State, Nonce, Verifier string
	URL                    string
}

// Identity is the person the provider vouches for in a valid ID token.
type Identity struct {
	Subject       string
	Email         string
	EmailVerified bool
	Name          string
}

func (o *OIDC) clientContext(ctx context.Context) context.Context {
	ctx = oidc.ClientContext(ctx, o.opts.HTTPClient)
	return context.WithValue(ctx, oauth2.HTTPClient, o.opts.HTTPClient)
}

// discover returns the provider's endpoints and token verifier, fetching
// the discovery document the first time.
func (o *OIDC) discover(ctx context.Context) (*oauth2.Config, *oidc.IDTokenVerifier, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.conf != nil {
		return o.conf, o.verifier, nil
	}
	// The provider keeps the client from this context for its key fetches,
	// but not its deadline: discovery happens during one request.
	p, err := oidc.NewProvider(o.clientContext(ctx), o.opts.Issuer)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: discovery: %v", ErrProviderUnavailable, err)
	}
	o.conf = &oauth2.Config{ClientID: o.opts.ClientID, ClientSecret: o.opts.ClientSecret, Endpoint: p.Endpoint(),
		RedirectURL: o.opts.RedirectURL, Scopes: []string{oidc.ScopeOpenID, "email", "profile"}}
	o.verifier = p.Verifier(&oidc.Config{ClientID: o.opts.ClientID})
	return o.conf, o.verifier, nil
}

// Start makes a fresh state, nonce and PKCE verifier and the provider's
// authorization URL that carries them.
func (o *OIDC) Start(ctx context.Context) (*OIDCStart, error) {
	conf, _, err := o.discover(ctx)
	if err != nil {
		return nil, err
	}
	st := &OIDCStart{State: NewToken(), Nonce: NewToken(), Verifier: oauth2.GenerateVerifier()}
	st.URL = conf.AuthCodeURL(st.State, oidc.Nonce(st.Nonce), oauth2.S256ChallengeOption(st.Verifier))
	return st, nil
}

// Finish exchanges the code (with the PKCE verifier) for tokens and
// verifies the ID token: signature, issuer, audience, expiry and nonce.
// The caller checks the e-mail address and whether it is verified.
func (o *OIDC) Finish(ctx context.Context, code, verifier, nonce string) (*Identity, error) {
	conf, idv, err := o.discover(ctx)
	if err != nil {
		return nil, err
	}
	ctx = o.clientContext(ctx)
	tok, err := conf.Exchange(ctx, code, oauth2.VerifierOption(verifier))
	if err != nil {
		if re := (*oauth2.RetrieveError)(nil); errors.As(err, &re) && re.Response != nil && re.Response.StatusCode < 500 {
			return nil, fmt.Errorf("%w: code exchange: %v", ErrSignInRefused, err)
		}
		return nil, fmt.Errorf("%w: code exchange: %v", ErrProviderUnavailable, err)
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return nil, fmt.Errorf("%w: no id_token in the token response", ErrSignInRefused)
	}
	idt, err := idv.Verify(ctx, raw)
	if err != nil {
		return nil, fmt.Errorf("%w: ID token: %v", ErrSignInRefused, err)
	}
	if idt.Nonce == "" || !EqualSecrets(idt.Nonce, nonce) {
		return nil, fmt.Errorf("%w: ID token: wrong nonce", ErrSignInRefused)
	}
	var claims struct {
		Email         string          `json:"email"`
		EmailVerified json.RawMessage `json:"email_verified"`
		Name          string          `json:"name"`
	}
	if err := idt.Claims(&claims); err != nil {
		return nil, fmt.Errorf("%w: ID token claims: %v", ErrSignInRefused, err)
	}
	return &Identity{Subject: idt.Subject, Email: strings.TrimSpace(claims.Email), Name: claims.Name,
		EmailVerified: isTrue(claims.EmailVerified)}, nil
}

// isTrue reads email_verified: JSON true, or the string "true" that some
// providers send.
func isTrue(v json.RawMessage) bool {
	s := strings.TrimSpace(string(v))
	return s == "true" || s == `"true"`
}

// EqualSecrets reports whether two secrets (a state, a nonce, a token) are
// equal, in constant time (it compares their hashes, so the length leaks
// nothing either).
func EqualSecrets(a, b string) bool {
	return subtle.ConstantTimeCompare(TokenHash(a), TokenHash(b)) == 1
}
