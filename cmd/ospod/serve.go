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
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ospod/ospod/api"
	"github.com/ospod/ospod/federation"
	"github.com/ospod/ospod/store"
)

// node is an opened data folder: the store and the federation node on it.
type node struct {
	cfg *config
	st  *store.Store
	fed *federation.Node
}

func (e *env) openNode(ctx context.Context, cfg *config) (*node, error) {
	log := cfg.logger(e.stderr)
	st, err := store.Open(ctx, store.Options{Path: cfg.dbPath()})
	if err != nil {
		return nil, err
	}
	fed, err := federation.New(ctx, st, federation.Options{
		BaseURL:              cfg.get("OSPO_BASE_URL"),
		Handle:               cfg.get("OSPO_HANDLE"),
		AllowPrivateNetworks: cfg.bool("OSPO_ALLOW_PRIVATE_NETWORKS"),
		HTTPTimeout:          cfg.duration("OSPO_HTTP_TIMEOUT"),
		Delivery: federation.DeliveryOptions{
			Workers:   cfg.int("OSPO_DELIVERY_WORKERS"),
			RetryBase: cfg.duration("OSPO_RETRY_BASE"),
		},
		Discovery: federation.DiscoveryOptions{
			Seeds:    splitList(cfg.get("OSPO_SEED_PEERS")),
			Interval: cfg.duration("OSPO_DISCOVERY_INTERVAL"),
		},
		Logger: log,
	})
	if err != nil {
		st.Close()
		return nil, err
	}
	return &node{cfg: cfg, st: st, fed: fed}, nil
}

func (e *env) serve(ctx context.Context, args []string) error {
	cfg, err := e.loadConfig("serve", args, nil)
	if err != nil {
		return err
	}
	log := cfg.logger(e.stderr)
	sso, err := cfg.oidcOptions()
	if err != nil {
		return err
	}
	// The profiler first, before the node's goroutines allocate: it turns
	// heap-profile sampling on (main turns it off).
	if addr := cfg.get("OSPO_PPROF_LISTEN"); addr != "" {
		stop, err := servePprof(addr)
		if err != nil {
			return err
		}
		defer stop()
		log.Info("profiler listening", "addr", addr)
	}
	n, err := e.openNode(ctx, cfg)
	if err != nil {
		return err
	}
	defer n.st.Close()
	tokenHash, err := e.adminTokenHash(ctx, n)
	if err != nil {
		return err
	}
	inboxRate, _ := strconv.ParseFloat(cfg.get("OSPO_INBOX_RATE"), 64)
	if inboxRate == 0 {
		inboxRate = -1 // api.Options: negative is no limit, zero the default
	}
	srv := api.New(n.fed, api.Options{AdminTokenHash: tokenHash, Logger: log, DataLicence: cfg.get("OSPO_DATA_LICENCE"),
		InboxRate: inboxRate, SessionIdle: cfg.duration("OSPO_SESSION_IDLE"), OIDC: sso})
	l, err := net.Listen("tcp", cfg.get("OSPO_LISTEN"))
	if err != nil {
		return err
	}
	log.Info("ospod listening", "addr", l.Addr().String(), "base_url", n.fed.URLs.Base,
		"account", n.fed.Account(), "data", cfg.get("OSPO_DATA"), "version", version())
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	wg.Add(3)
	go func() {
		defer wg.Done()
		_ = n.fed.RunDiscovery(ctx)
	}()
	go func() {
		defer wg.Done()
		if err := n.fed.RunDelivery(ctx); err != nil {
			log.Error("delivery worker stopped", "err", err)
		}
	}()
	go func() {
		defer wg.Done()
		_ = n.fed.RunMaintenance(ctx)
	}()
	err = srv.Serve(ctx, l)
	cancel()
	wg.Wait() // in-flight deliveries end; unfinished ones are retried after restart
	log.Info("ospod stopped")
	return err
}

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
func (e *env) adminTokenHash(ctx context.Context, n *node) ([]byte, error) {
	if t := n.cfg.get("OSPO_ADMIN_TOKEN"); t != "" {
		return api.HashToken(t), nil
	}
	h, err := n.st.Setting(ctx, store.SettingAdminTokenHash)
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
	created, err := n.st.SetSettingIfAbsent(ctx, store.SettingAdminTokenHash, hex.EncodeToString(api.HashToken(token)))
	if err != nil {
		return nil, err
	}
	if created {
		printToken(e, token, "first start")
	}
	h, err = n.st.Setting(ctx, store.SettingAdminTokenHash)
	if err != nil {
		return nil, err
	}
	return hex.DecodeString(h)
}

// splitList splits a comma- or space-separated list.
func splitList(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' })
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
	defer n.st.Close()
	token, err := newToken()
	if err != nil {
		return err
	}
	if err := n.st.SetSetting(ctx, store.SettingAdminTokenHash, hex.EncodeToString(api.HashToken(token))); err != nil {
		return err
	}
	printToken(e, token, "reset; restart the node to use it")
	if cfg.get("OSPO_ADMIN_TOKEN") != "" {
		fmt.Fprintln(e.stderr, "note: OSPO_ADMIN_TOKEN is set and takes precedence over the stored token")
	}
	return nil
}
