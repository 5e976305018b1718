package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/ospod/ospod/api"
	"github.com/ospod/ospod/federation"
)

// option is one configuration setting: its environment variable, flag,
// default and whether it is a secret (masked by 'ospod config').
type option struct {
	env, flag, def, help string
	secret               bool
	validate             func(string) error
}

// options is the declared configuration table; README.md documents it.
var options = []option{
	{env: "OSPO_LISTEN", flag: "listen", def: ":8080", help: "address the HTTP server listens on"},
	{env: "OSPO_BASE_URL", flag: "base-url", def: "http://localhost:8080", help: "public origin of the node (ids of every object)",
		validate: func(v string) error { _, err := federation.ParseBaseURL(v); return err }},
	{env: "OSPO_DATA", flag: "data", def: "./data", help: "data folder (SQLite database)"},
	{env: "OSPO_HANDLE", flag: "handle", def: "ospo", help: "the OSPO's username: acct:HANDLE@HOST",
		validate: func(v string) error {
			if !federation.ValidHandle(v) {
				return fmt.Errorf("use 1-30 lower-case letters, digits, '_' or '.'")
			}
			return nil
		}},
	{env: "OSPO_ADMIN_TOKEN", flag: "admin-token", def: "", secret: true,
		help: "admin API bearer token; when empty the node makes one on first start and prints it once"},
	{env: "OSPO_ALLOW_PRIVATE_NETWORKS", flag: "allow-private-networks", def: "false", validate: validBool,
		help: "let the node federate with loopback and private addresses (local networks, demos, tests)"},
	{env: "OSPO_HTTP_TIMEOUT", flag: "http-timeout", def: "30s", validate: validDuration,
		help: "time limit of each outgoing request (fetches and deliveries)"},
	{env: "OSPO_DELIVERY_WORKERS", flag: "delivery-workers", def: "128", validate: validPositive,
		help: "deliveries in flight at once"},
	{env: "OSPO_INBOX_RATE", flag: "inbox-rate", def: "50", validate: validFloat,
		help: "inbox requests per second from one remote address, bursts of ten times as many (0: no limit; raise it behind a reverse proxy)"},
	{env: "OSPO_RETRY_BASE", flag: "retry-base", def: "30s", validate: validDuration,
		help: "first delivery retry delay, doubled at each retry (retries stop after 3 days)"},
	{env: "OSPO_SEED_PEERS", flag: "seed-peers", def: "",
		help: "OSPOs to discover the network from: handles (ospo@city.example) or actor URLs, comma-separated"},
	{env: "OSPO_DISCOVERY_INTERVAL", flag: "discovery-interval", def: "1h", validate: validDuration,
		help: "time between two discovery rounds"},
	{env: "OSPO_DATA_LICENCE", flag: "data-licence", def: "CC0-1.0",
		help: "SPDX id of the licence of this node's open data (exports and feeds)",
		validate: func(v string) error {
			if !api.ValidDataLicence(v) {
				return fmt.Errorf("not an SPDX licence identifier")
			}
			return nil
		}},
	{env: "OSPO_SESSION_IDLE", flag: "session-idle", def: "12h", validate: validDuration,
		help: "a staff session of the admin pages ends after this long without use"},
	{env: "OSPO_OIDC_ISSUER", flag: "oidc-issuer", def: "", validate: validIssuer,
		help: "issuer URL of an OpenID Connect provider for single sign-on to the admin pages (empty: off; docs/admin.md)"},
	{env: "OSPO_OIDC_CLIENT_ID", flag: "oidc-client-id", def: "", help: "this node's client id at the OpenID Connect provider"},
	{env: "OSPO_OIDC_CLIENT_SECRET", flag: "oidc-client-secret", def: "", secret: true,
		help: "this node's client secret at the OpenID Connect provider"},
	{env: "OSPO_OIDC_NAME", flag: "oidc-name", def: "",
		help: "the provider's name on the sign-in page, \"Sign in with NAME\" (default: the issuer's host)"},
	{env: "OSPO_PPROF_LISTEN", flag: "pprof-listen", def: "",
		help:     "loopback address serving Go's profiler under /debug/pprof/ (e.g. 127.0.0.1:6060; empty: off)",
		validate: validLoopbackAddr},
	{env: "OSPO_LOG_LEVEL", flag: "log-level", def: "info", help: "debug, info, warn or error",
		validate: func(v string) error { var l slog.Level; return l.UnmarshalText([]byte(v)) }},
	{env: "OSPO_LOG_FORMAT", flag: "log-format", def: "text", help: "text or json",
		validate: func(v string) error {
			if v != "text" && v != "json" {
				return fmt.Errorf("want text or json")
			}
			return nil
		}},
}

// errHelp ends a command after -h printed its flags: exit code 0.
var errHelp = errors.New("help requested")

func validDuration(v string) error {
	d, err := time.ParseDuration(v)
	if err == nil && d <= 0 {
		return fmt.Errorf("must be positive")
	}
	return err
}

func validPositive(v string) error {
	n, err := strconv.Atoi(v)
	if err == nil && n <= 0 {
		return fmt.Errorf("must be positive")
	}
	return err
}

func validFloat(v string) error {
	f, err := strconv.ParseFloat(v, 64)
	if err == nil && f < 0 {
		return fmt.Errorf("must not be negative")
	}
	return err
}

// validLoopbackAddr accepts "" or host:port on a loopback address: the
// profiler shows the node's internals and must never face the network.
func validLoopbackAddr(v string) error {
	if v == "" {
		return nil
	}
	host, _, err := net.SplitHostPort(v)
	if err != nil {
		return err
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return fmt.Errorf("must be a loopback address such as 127.0.0.1:6060")
	}
	return nil
}

// validIssuer accepts "" or an absolute http(s) URL without query or
// fragment (OpenID Connect Discovery 1.0 §2); http is refused later unless
// private networks are allowed (oidcOptions).
func validIssuer(v string) error {
	if v == "" {
		return nil
	}
	u, err := url.Parse(v)
	if err != nil {
		return err
	}
	if (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return fmt.Errorf("want an https URL such as https://id.city.example/realms/staff")
	}
	return nil
}

// oidcOptions is single sign-on's configuration: off without an issuer,
// else a client id is required, and an http issuer only where the node may
// reach private networks (a test or a demo: tokens over http can be read
// and its keys forged on the way).
func (c *config) oidcOptions() (api.OIDCOptions, error) {
	o := api.OIDCOptions{Issuer: c.get("OSPO_OIDC_ISSUER"), ClientID: c.get("OSPO_OIDC_CLIENT_ID"),
		ClientSecret: c.get("OSPO_OIDC_CLIENT_SECRET"), Name: c.get("OSPO_OIDC_NAME")}
	switch {
	case o.Issuer == "":
		return api.OIDCOptions{}, nil
	case o.ClientID == "":
		return o, usageError{msg: "OSPO_OIDC_ISSUER is set: OSPO_OIDC_CLIENT_ID is required too"}
	case strings.HasPrefix(o.Issuer, "http:") && !c.bool("OSPO_ALLOW_PRIVATE_NETWORKS"):
		return o, usageError{msg: "OSPO_OIDC_ISSUER must be an https URL (http only with OSPO_ALLOW_PRIVATE_NETWORKS=true)"}
	}
	return o, nil
}

func validBool(v string) error {
	_, err := strconv.ParseBool(v)
	return err
}

// config is the effective configuration.
type config struct {
	values map[string]string // by env name
	args   []string          // positional arguments after the flags
}

func (c *config) get(env string) string { return c.values[env] }

func (c *config) duration(env string) time.Duration {
	d, _ := time.ParseDuration(c.values[env])
	return d
}

func (c *config) int(env string) int {
	n, _ := strconv.Atoi(c.values[env])
	return n
}

func (c *config) bool(env string) bool {
	b, _ := strconv.ParseBool(c.values[env])
	return b
}

// DBPath is the SQLite file inside the data folder.
func (c *config) dbPath() string { return filepath.Join(c.get("OSPO_DATA"), "ospod.db") }

// loadConfig reads defaults, then the environment, then flags (flags win).
func (e *env) loadConfig(name string, args []string, extra func(*flag.FlagSet)) (*config, error) {
	fs := flag.NewFlagSet("ospod "+name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	flagVals := map[string]*string{}
	for _, o := range options {
		flagVals[o.env] = fs.String(o.flag, "", fmt.Sprintf("%s (env %s, default %q)", o.help, o.env, o.def))
	}
	if extra != nil {
		extra(fs)
	}
	// Flags may come before or after the positional arguments
	// ("ospod event list -when past"): parse, take one positional, repeat.
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			if err == flag.ErrHelp {
				return nil, errHelp
			}
			return nil, usageError{msg: err.Error()}
		}
		if fs.NArg() == 0 {
			break
		}
		positional = append(positional, fs.Arg(0))
		args = fs.Args()[1:]
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	c := &config{values: map[string]string{}, args: positional}
	for _, o := range options {
		v := o.def
		if ev, ok := lookupEnv(e.getenv, o.env); ok {
			v = ev
		}
		if set[o.flag] {
			v = *flagVals[o.env]
		}
		v = strings.TrimSpace(v)
		if o.validate != nil {
			if err := o.validate(v); err != nil {
				return nil, usageError{msg: fmt.Sprintf("%s / -%s=%q: %v", o.env, o.flag, v, err)}
			}
		}
		c.values[o.env] = v
	}
	return c, nil
}

func lookupEnv(getenv func(string) string, k string) (string, bool) {
	v := getenv(k)
	return v, v != ""
}

func (c *config) logger(w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(c.get("OSPO_LOG_LEVEL")))
	ho := &slog.HandlerOptions{Level: level}
	if c.get("OSPO_LOG_FORMAT") == "json" {
		return slog.New(slog.NewJSONHandler(w, ho))
	}
	return slog.New(slog.NewTextHandler(w, ho))
}

func (e *env) config(args []string) error {
	c, err := e.loadConfig("config", args, nil)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%-30s %-28s %s\n", "VARIABLE", "FLAG", "VALUE")
	for _, o := range options {
		v := c.get(o.env)
		if o.secret && v != "" {
			v = "********"
		}
		fmt.Fprintf(e.stdout, "%-30s -%-27s %s\n", o.env, o.flag, v)
	}
	return nil
}

func version() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return federation.Version
}
