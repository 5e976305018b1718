package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/ospod/ospod/api"
	"github.com/ospod/ospod/federation"
)

// option is one configuration setting: its environment variable, flag,
// default and whether it is a secret (masked by 'ospod config'). set
// parses and checks a value and stores it in its typed field of config.
type option struct {
	env, flag, def, help string
	secret               bool
	set                  func(c *config, v string) error
}

// options is the declared configuration table; README.md documents it.
var options = []option{
	{env: "OSPO_LISTEN", flag: "listen", def: ":8080", help: "address the HTTP server listens on",
		set: field(func(c *config) *string { return &c.Listen }, anyText)},
	{env: "OSPO_BASE_URL", flag: "base-url", def: "http://localhost:8080", help: "public origin of the node (ids of every object)",
		set: field(func(c *config) **url.URL { return &c.BaseURL }, federation.ParseBaseURL)},
	{env: "OSPO_DATA", flag: "data", def: "./data", help: "data folder (SQLite database)",
		set: field(func(c *config) *string { return &c.Data }, anyText)},
	{env: "OSPO_HANDLE", flag: "handle", def: "ospo", help: "the OSPO's username: acct:HANDLE@HOST",
		set: field(func(c *config) *string { return &c.Handle }, handle)},
	{env: "OSPO_ADMIN_TOKEN", flag: "admin-token", def: "", secret: true,
		help: "admin API bearer token, at least 32 characters; when empty the node makes one on first start and prints it once",
		set:  field(func(c *config) *string { return &c.AdminToken }, anyText)},
	{env: "OSPO_ALLOW_PRIVATE_NETWORKS", flag: "allow-private-networks", def: "false",
		help: "let the node federate with loopback and private addresses (local networks, demos, tests)",
		set:  field(func(c *config) *bool { return &c.AllowPrivateNetworks }, strconv.ParseBool)},
	{env: "OSPO_HTTP_TIMEOUT", flag: "http-timeout", def: "30s",
		help: "time limit of each outgoing request (fetches and deliveries)",
		set:  field(func(c *config) *time.Duration { return &c.HTTPTimeout }, positiveDuration)},
	{env: "OSPO_DELIVERY_WORKERS", flag: "delivery-workers", def: "128", help: "deliveries in flight at once",
		set: field(func(c *config) *int { return &c.DeliveryWorkers }, positiveInt)},
	{env: "OSPO_INBOX_RATE", flag: "inbox-rate", def: "50",
		help: "inbox requests per second from one remote address, bursts of ten times as many (0: no limit; raise it behind a reverse proxy)",
		set:  field(func(c *config) *float64 { return &c.InboxRate }, nonNegativeFloat)},
	{env: "OSPO_RETRY_BASE", flag: "retry-base", def: "30s",
		help: "first delivery retry delay, doubled at each retry (retries stop after 3 days)",
		set:  field(func(c *config) *time.Duration { return &c.RetryBase }, positiveDuration)},
	{env: "OSPO_SEED_PEERS", flag: "seed-peers", def: "",
		help: "OSPOs to discover the network from: handles (ospo@city.example) or actor URLs, comma-separated",
		set:  field(func(c *config) *[]string { return &c.SeedPeers }, list)},
	{env: "OSPO_DISCOVERY_INTERVAL", flag: "discovery-interval", def: "1h", help: "time between two discovery rounds",
		set: field(func(c *config) *time.Duration { return &c.DiscoveryInterval }, positiveDuration)},
	{env: "OSPO_DATA_LICENCE", flag: "data-licence", def: "CC0-1.0",
		help: "SPDX id of the licence of this node's open data (exports and feeds)",
		set:  field(func(c *config) *string { return &c.DataLicence }, licence)},
	{env: "OSPO_SESSION_IDLE", flag: "session-idle", def: "12h",
		help: "a staff session of the admin pages ends after this long without use",
		set:  field(func(c *config) *time.Duration { return &c.SessionIdle }, positiveDuration)},
	{env: "OSPO_OIDC_ISSUER", flag: "oidc-issuer", def: "",
		help: "issuer URL of an OpenID Connect provider for single sign-on to the admin pages (empty: off; docs/admin.md)",
		set:  field(func(c *config) *string { return &c.OIDCIssuer }, issuer)},
	{env: "OSPO_OIDC_CLIENT_ID", flag: "oidc-client-id", def: "", help: "this node's client id at the OpenID Connect provider",
		set: field(func(c *config) *string { return &c.OIDCClientID }, anyText)},
	{env: "OSPO_OIDC_CLIENT_SECRET", flag: "oidc-client-secret", def: "", secret: true,
		help: "this node's client secret at the OpenID Connect provider",
		set:  field(func(c *config) *string { return &c.OIDCClientSecret }, anyText)},
	{env: "OSPO_OIDC_NAME", flag: "oidc-name", def: "",
		help: "the provider's name on the sign-in page, \"Sign in with NAME\" (default: the issuer's host)",
		set:  field(func(c *config) *string { return &c.OIDCName }, anyText)},
	{env: "OSPO_PPROF_LISTEN", flag: "pprof-listen", def: "",
		help: "loopback address serving Go's profiler under /debug/pprof/ (e.g. 127.0.0.1:6060; empty: off)",
		set:  field(func(c *config) *string { return &c.PprofListen }, loopbackAddr)},
	{env: "OSPO_LOG_LEVEL", flag: "log-level", def: "info", help: "debug, info, warn or error",
		set: field(func(c *config) *slog.Level { return &c.LogLevel }, logLevel)},
	{env: "OSPO_LOG_FORMAT", flag: "log-format", def: "text", help: "text or json",
		set: field(func(c *config) *string { return &c.LogFormat }, logFormat)},
}

// config is the effective configuration, each value parsed once by its
// option: code reads typed fields, so a misspelt setting does not compile.
type config struct {
	Listen               string
	BaseURL              *url.URL
	Data                 string // the data folder
	Handle               string
	AdminToken           string
	AllowPrivateNetworks bool
	HTTPTimeout          time.Duration
	DeliveryWorkers      int
	InboxRate            float64 // 0: no limit
	RetryBase            time.Duration
	SeedPeers            []string
	DiscoveryInterval    time.Duration
	DataLicence          string
	PprofListen          string // "" : no profiler
	LogLevel             slog.Level
	LogFormat            string // text or json
	SessionIdle          time.Duration
	OIDCIssuer           string // "": no single sign-on
	OIDCClientID         string
	OIDCClientSecret     string
	OIDCName             string

	args []string // positional arguments after the flags
	raw  []string // each option's value as given, in table order, for 'ospod config'
}

// field makes an option's set function from its field and its parser.
func field[T any](at func(*config) *T, parse func(string) (T, error)) func(*config, string) error {
	return func(c *config, v string) error {
		x, err := parse(v)
		if err != nil {
			return err
		}
		*at(c) = x
		return nil
	}
}

// errHelp ends a command after -h printed its flags: exit code 0.
var errHelp = errors.New("help requested")

func anyText(v string) (string, error) { return v, nil }

func handle(v string) (string, error) {
	if !federation.ValidHandle(v) {
		return "", fmt.Errorf("use 1-30 lower-case letters, digits, '_' or '.'")
	}
	return v, nil
}

func licence(v string) (string, error) {
	if !api.ValidDataLicence(v) {
		return "", fmt.Errorf("not an SPDX licence identifier")
	}
	return v, nil
}

func positiveDuration(v string) (time.Duration, error) {
	d, err := time.ParseDuration(v)
	if err == nil && d <= 0 {
		return 0, fmt.Errorf("must be positive")
	}
	return d, err
}

func positiveInt(v string) (int, error) {
	n, err := strconv.Atoi(v)
	if err == nil && n <= 0 {
		return 0, fmt.Errorf("must be positive")
	}
	return n, err
}

func nonNegativeFloat(v string) (float64, error) {
	f, err := strconv.ParseFloat(v, 64)
	if err == nil && f < 0 {
		return 0, fmt.Errorf("must not be negative")
	}
	return f, err
}

// list splits a comma- or space-separated list.
func list(v string) ([]string, error) {
	return strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' }), nil
}

// loopbackAddr accepts "" or host:port on a loopback address: the
// profiler shows the node's internals and must never face the network.
func loopbackAddr(v string) (string, error) {
	if v == "" {
		return "", nil
	}
	host, _, err := net.SplitHostPort(v)
	if err != nil {
		return "", err
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return "", fmt.Errorf("must be a loopback address such as 127.0.0.1:6060")
	}
	return v, nil
}

// issuer accepts "" or an absolute http(s) URL without query or fragment
// (OpenID Connect Discovery 1.0 §2); http is refused later unless private
// networks are allowed (oidcOptions).
func issuer(v string) (string, error) {
	if v == "" {
		return "", nil
	}
	u, err := url.Parse(v)
	if err != nil {
		return "", err
	}
	if (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return "", fmt.Errorf("want an https URL such as https://id.city.example/realms/staff")
	}
	return v, nil
}

// oidcOptions is single sign-on's configuration: off without an issuer,
// else a client id is required, and an http issuer only where the node may
// reach private networks (a test or a demo: tokens over http can be read
// and its keys forged on the way).
func (c *config) oidcOptions() (api.OIDCOptions, error) {
	o := api.OIDCOptions{Issuer: c.OIDCIssuer, ClientID: c.OIDCClientID, ClientSecret: c.OIDCClientSecret, Name: c.OIDCName}
	switch {
	case o.Issuer == "":
		return api.OIDCOptions{}, nil
	case o.ClientID == "":
		return o, usageError{msg: "OSPO_OIDC_ISSUER is set: OSPO_OIDC_CLIENT_ID is required too"}
	case strings.HasPrefix(o.Issuer, "http:") && !c.AllowPrivateNetworks:
		return o, usageError{msg: "OSPO_OIDC_ISSUER must be an https URL (http only with OSPO_ALLOW_PRIVATE_NETWORKS=true)"}
	}
	return o, nil
}

func logLevel(v string) (slog.Level, error) {
	var l slog.Level
	err := l.UnmarshalText([]byte(v))
	return l, err
}

func logFormat(v string) (string, error) {
	if v != "text" && v != "json" {
		return "", fmt.Errorf("want text or json")
	}
	return v, nil
}

// loadConfig reads defaults, then the environment, then flags (flags win).
func (e *env) loadConfig(name string, args []string, extra func(*flag.FlagSet)) (*config, error) {
	fs := flag.NewFlagSet("ospod "+name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	flagVals := make([]*string, len(options))
	for i, o := range options {
		flagVals[i] = fs.String(o.flag, "", fmt.Sprintf("%s (env %s, default %q)", o.help, o.env, o.def))
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
	c := &config{args: positional, raw: make([]string, len(options))}
	for i, o := range options {
		v := o.def
		if ev := e.getenv(o.env); ev != "" {
			v = ev
		}
		if set[o.flag] {
			v = *flagVals[i]
		}
		v = strings.TrimSpace(v)
		if err := o.set(c, v); err != nil {
			return nil, usageError{msg: fmt.Sprintf("%s / -%s=%q: %v", o.env, o.flag, v, err)}
		}
		c.raw[i] = v
	}
	return c, nil
}

func (c *config) logger(w io.Writer) *slog.Logger {
	ho := &slog.HandlerOptions{Level: c.LogLevel}
	if c.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, ho))
	}
	return slog.New(slog.NewTextHandler(w, ho))
}

// nodeOptions is how the configuration opens the node's data folder.
func (c *config) nodeOptions(log *slog.Logger) federation.OpenOptions {
	return federation.OpenOptions{Dir: c.Data, Node: federation.Options{
		BaseURL:              c.BaseURL.String(),
		Handle:               c.Handle,
		AllowPrivateNetworks: c.AllowPrivateNetworks,
		HTTPTimeout:          c.HTTPTimeout,
		Delivery:             federation.DeliveryOptions{Workers: c.DeliveryWorkers, RetryBase: c.RetryBase},
		Discovery:            federation.DiscoveryOptions{Seeds: c.SeedPeers, Interval: c.DiscoveryInterval},
		Logger:               log,
	}}
}

func (e *env) config(args []string) error {
	c, err := e.loadConfig("config", args, nil)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%-30s %-28s %s\n", "VARIABLE", "FLAG", "VALUE")
	for i, o := range options {
		v := c.raw[i]
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
