package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/pprof"
	"path/filepath"
	"runtime"
	"sync"
	"time"

	"github.com/ospod/ospod/api"
	"github.com/ospod/ospod/federation"
	"github.com/ospod/ospod/store"
)

// openNode opens the configured data folder, which must exist: the store
// and the federation node on it. Only 'serve' creates a data folder
// (createNode): a command run in the wrong place must not make a new node
// with a new key.
func (e *env) openNode(ctx context.Context, cfg *config) (*federation.Node, error) {
	return e.open(ctx, cfg, true)
}

// createNode opens the configured data folder, creating it and a new node
// when it does not exist yet.
func (e *env) createNode(ctx context.Context, cfg *config) (*federation.Node, error) {
	return e.open(ctx, cfg, false)
}

// initNode implements 'ospod init': make the data folder and the node's
// key without serving, so that commands (e.g. 'ospod user add') can run
// before the first start.
func (e *env) initNode(ctx context.Context, args []string) error {
	cfg, err := e.loadConfig("init", args, nil)
	if err != nil {
		return err
	}
	if len(cfg.args) != 0 {
		return usageError{msg: "usage: ospod init"}
	}
	n, err := e.createNode(ctx, cfg)
	if err != nil {
		return err
	}
	defer n.Close()
	fmt.Fprintf(e.stdout, "data folder %s: node %s\n", cfg.Data, n.Account())
	return nil
}

func (e *env) open(ctx context.Context, cfg *config, mustExist bool) (*federation.Node, error) {
	log := cfg.logger(e.stderr)
	if err := checkDataFolder(cfg.Data, log); err != nil {
		return nil, err
	}
	o := cfg.nodeOptions(log)
	o.MustExist = mustExist
	n, err := federation.Open(ctx, o)
	if errors.Is(err, store.ErrNoDatabase) {
		abs, _ := filepath.Abs(cfg.Data)
		return nil, fmt.Errorf("no node's data folder at %s (looked for %s): set OSPO_DATA or -data to the node's folder; "+
			"'ospod serve' creates a new one", abs, federation.DBPath(abs))
	}
	return n, err
}

func (e *env) serve(ctx context.Context, args []string) error {
	cfg, err := e.loadConfig("serve", args, nil)
	if err != nil {
		return err
	}
	if t := cfg.AdminToken; t != "" && len(t) < minAdminToken {
		return usageError{msg: fmt.Sprintf("OSPO_ADMIN_TOKEN has %d characters: use at least %d "+
			"(e.g. openssl rand -base64 32), or leave it empty for a generated one", len(t), minAdminToken)}
	}
	log := cfg.logger(e.stderr)
	sso, err := cfg.oidcOptions()
	if err != nil {
		return err
	}
	// The profiler first, before the node's goroutines allocate: it turns
	// heap-profile sampling on (main turns it off).
	if addr := cfg.PprofListen; addr != "" {
		stop, err := servePprof(addr)
		if err != nil {
			return err
		}
		defer stop()
		log.Info("profiler listening", "addr", addr)
	}
	n, err := e.createNode(ctx, cfg)
	if err != nil {
		return err
	}
	defer n.Close()
	tokenHash, err := e.adminTokenHash(ctx, cfg, n.Store())
	if err != nil {
		return err
	}
	inboxRate := cfg.InboxRate
	if inboxRate == 0 {
		inboxRate = -1 // api.Options: negative is no limit, zero the default
	}
	srv := api.New(n, api.Options{AdminTokenHash: tokenHash, Logger: log, DataLicence: cfg.DataLicence,
		InboxRate: inboxRate, SessionIdle: cfg.SessionIdle, OIDC: sso})
	l, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return err
	}
	log.Info("ospod listening", "addr", l.Addr().String(), "base_url", n.URLs.Base,
		"account", n.Account(), "data", cfg.Data, "version", version())
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	wg.Add(3)
	go func() {
		defer wg.Done()
		_ = n.RunDiscovery(ctx)
	}()
	go func() {
		defer wg.Done()
		if err := n.RunDelivery(ctx); err != nil {
			log.Error("delivery worker stopped", "err", err)
		}
	}()
	go func() {
		defer wg.Done()
		_ = n.RunMaintenance(ctx)
	}()
	err = srv.Serve(ctx, l)
	cancel()
	wg.Wait() // in-flight deliveries end; unfinished ones are retried after restart
	log.Info("ospod stopped")
	return err
}

// minAdminToken is the shortest OSPO_ADMIN_TOKEN 'serve' accepts: the
// token guards the whole admin API, and short ones can be guessed or
// brute-forced. Generated tokens have 43 characters (32 random bytes).
const minAdminToken = 32

// servePprof serves net/http/pprof on its own loopback listener, apart from
// the public router, for measuring the node under load (docs/BENCHMARKS.md).
func servePprof(addr string) (stop func(), err error) {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	runtime.MemProfileRate = 512 << 10 // Go's default, off in main: heap profiles cover what follows
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	hs := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = hs.Serve(l) }()
	return func() { _ = hs.Close() }, nil
}

// adminTokenHash returns the hash of the admin token: OSPO_ADMIN_TOKEN when
// set, else the stored one; on first start it makes a token, stores only its
// hash and prints the token once.
func (e *env) adminTokenHash(ctx context.Context, cfg *config, st *store.Store) ([]byte, error) {
	if t := cfg.AdminToken; t != "" {
		return api.HashToken(t), nil
	}
	h, err := st.Setting(ctx, store.SettingAdminTokenHash)
	if err == nil {
		return hex.DecodeString(h)
	}
	if !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	token, err := newToken()
	if err != nil {
		return nil, err
	}
	created, err := st.SetSettingIfAbsent(ctx, store.SettingAdminTokenHash, hex.EncodeToString(api.HashToken(token)))
	if err != nil {
		return nil, err
	}
	if created {
		printToken(e, token, "first start")
	}
	h, err = st.Setting(ctx, store.SettingAdminTokenHash)
	if err != nil {
		return nil, err
	}
	return hex.DecodeString(h)
}

func newToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

func printToken(e *env, token, why string) {
	fmt.Fprintf(e.stdout, `
==================================================================
 ospod admin token (%s). It is shown only this once and stored
 only hashed: keep it in a password manager.

   %s

 Use it as:  Authorization: Bearer <token>
 Lost it?    ospod token reset
==================================================================

`, why, token)
}

func (e *env) token(ctx context.Context, args []string) error {
	cfg, err := e.loadConfig("token", args, nil)
	if err != nil {
		return err
	}
	if len(cfg.args) != 1 || cfg.args[0] != "reset" {
		return usageError{msg: "usage: ospod token reset"}
	}
	n, err := e.openNode(ctx, cfg)
	if err != nil {
		return err
	}
	defer n.Close()
	token, err := newToken()
	if err != nil {
		return err
	}
	if err := n.Store().SetSetting(ctx, store.SettingAdminTokenHash, hex.EncodeToString(api.HashToken(token))); err != nil {
		return err
	}
	printToken(e, token, "reset; restart the node to use it")
	if cfg.AdminToken != "" {
		fmt.Fprintln(e.stderr, "note: OSPO_ADMIN_TOKEN is set and takes precedence over the stored token")
	}
	return nil
}
