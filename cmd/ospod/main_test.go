package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ospod/ospod/store"
	"github.com/ospod/ospod/store/storetest"
)

var (
	binOnce sync.Once
	binDir  string
	binPath string
	binErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// newDataDir is an OSPO_DATA folder whose database already holds the
// committed test key (RSA generation is slow under -race).
func newDataDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	key, err := os.ReadFile(filepath.Join("..", "..", "federation", "testdata", "test_key.pem"))
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(context.Background(), store.Options{Path: filepath.Join(dir, "ospod.db")})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.SetSetting(context.Background(), store.SettingPrivateKey, string(key)); err != nil {
		t.Fatal(err)
	}
	return dir
}

type cliResult struct {
	stdout, stderr string
	err            error
	code           int
}

// cli runs the command in-process with exactly the given environment.
func cli(t *testing.T, env map[string]string, stdin string, args ...string) cliResult {
	t.Helper()
	var out, errOut bytes.Buffer
	getenv := func(k string) string { return env[k] }
	err := run(context.Background(), args, getenv, strings.NewReader(stdin), &out, &errOut)
	var codeOut bytes.Buffer
	return cliResult{stdout: out.String(), stderr: errOut.String(), err: err, code: exitCode(err, &codeOut)}
}

// mustCLI runs a command that must succeed.
func mustCLI(t *testing.T, env map[string]string, args ...string) cliResult {
	t.Helper()
	r := cli(t, env, "", args...)
	if r.err != nil {
		t.Fatalf("ospod %s: %v\nstderr: %s", strings.Join(args, " "), r.err, r.stderr)
	}
	return r
}

func examplePath(name string) string { return filepath.Join("..", "..", "docs", "examples", name) }

// writeJSON writes v to a file in a temporary folder and returns its path.
func writeJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "doc.json")
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func editExample(t *testing.T, name string, change func(m map[string]any)) string {
	t.Helper()
	b, err := os.ReadFile(examplePath(name))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	change(m)
	return writeJSON(t, m)
}

// eventFile is a valid event document starting at start.
func eventFile(t *testing.T, start time.Time, name string) string {
	t.Helper()
	e := storetest.Event(start)
	e.Name = store.LangMap{"en": name}
	return writeJSON(t, e)
}

func TestCLIProfile(t *testing.T) {
	env := map[string]string{"OSPO_DATA": newDataDir(t)}

	var placeholder map[string]any
	r := mustCLI(t, env, "profile", "show")
	if err := json.Unmarshal([]byte(r.stdout), &placeholder); err != nil || !reflect.DeepEqual(placeholder["name"], map[string]any{"en": "ospo"}) {
		t.Errorf("profile show before set: %v %s", err, r.stdout)
	}

	r = mustCLI(t, env, "profile", "set", examplePath("profile.json"))
	if !strings.Contains(r.stderr, "profile saved; actor http://localhost:8080/actor") {
		t.Errorf("profile set stderr = %q", r.stderr)
	}
	r = mustCLI(t, env, "profile", "show")
	var got, want map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatalf("profile show: %v\n%s", err, r.stdout)
	}
	b, _ := os.ReadFile(examplePath("profile.json"))
	if err := json.Unmarshal(b, &want); err != nil {
		t.Fatal(err)
	}
	for k, v := range want {
		if !reflect.DeepEqual(got[k], v) {
			t.Errorf("profile show: %s = %v, want %v", k, got[k], v)
		}
	}

	// Another base URL or handle on the same data folder is refused: it would
	// publish as another actor with this actor's key.
	doc := `{"name":"Stdin OSPO","country":"de","governmentLevel":"regional"}`
	for _, flags := range [][]string{{"-base-url", "https://ospo.example.org"}, {"-handle", "other"}} {
		r = cli(t, env, doc, append(append([]string{"profile"}, flags...), "set", "-")...)
		if r.err == nil || !strings.Contains(r.err.Error(), "this data folder belongs to the node") {
			t.Fatalf("profile set %v on another node's folder: %v %s", flags, r.err, r.stderr)
		}
	}
	// From stdin.
	r = cli(t, env, doc, "profile", "set", "-")
	if r.err != nil || !strings.Contains(r.stderr, "actor http://localhost:8080/actor") {
		t.Fatalf("profile set -: %v %s", r.err, r.stderr)
	}
	r = mustCLI(t, env, "profile", "show")
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatal(err)
	}
	if got["country"] != "DE" || !reflect.DeepEqual(got["name"], map[string]any{"en": "Stdin OSPO"}) {
		t.Errorf("after set from stdin: country %v name %v", got["country"], got["name"])
	}

	for _, args := range [][]string{{"profile"}, {"profile", "frob"}, {"profile", "set"}, {"profile", "show", "extra"}} {
		if r := cli(t, env, "", args...); r.code != 2 {
			t.Errorf("ospod %s: exit %d (%v), want 2", strings.Join(args, " "), r.code, r.err)
		}
	}
	if r := cli(t, env, "", "profile", "set", filepath.Join(t.TempDir(), "missing.json")); r.code != 1 {
		t.Errorf("profile set of a missing file: exit %d (%v), want 1", r.code, r.err)
	}
}

func TestCLIEvents(t *testing.T) {
	env := map[string]string{"OSPO_DATA": newDataDir(t)}
	idRe := regexp.MustCompile(`^[0-9a-z]{26}\n$`)

	r := mustCLI(t, env, "event", "add", eventFile(t, time.Date(2090, 5, 1, 9, 0, 0, 0, time.UTC), "Future meetup"))
	if !idRe.MatchString(r.stdout) {
		t.Fatalf("event add printed %q, want an id", r.stdout)
	}
	future := strings.TrimSpace(r.stdout)
	if !store.ValidID(future) || !strings.Contains(r.stderr, "event published: http://localhost:8080/events/"+future) {
		t.Errorf("event add: id %q stderr %q", future, r.stderr)
	}
	past := strings.TrimSpace(mustCLI(t, env, "event", "add", eventFile(t, time.Date(2001, 5, 1, 9, 0, 0, 0, time.UTC), "Past meetup")).stdout)
	example := strings.TrimSpace(mustCLI(t, env, "events", "add", examplePath("event.json")).stdout)

	tests := []struct {
		when      string
		want, not []string
		count     int
	}{
		{"all", []string{future, past, example, "Future meetup", "Past meetup", "Webinar: choosing a licence for public code"}, nil, 3},
		{"upcoming", []string{future, "Future meetup", "2090-05-01T11:00:00+02:00"}, []string{past}, -1},
		{"past", []string{past, "Past meetup", "2001-05-01T11:00:00+02:00"}, []string{future, example}, 1},
	}
	for _, tt := range tests {
		t.Run("list "+tt.when, func(t *testing.T) {
			// Flags go before the subcommand; see TestCLIEventListWhenAfterList.
			r := mustCLI(t, env, "event", "-when", tt.when, "list")
			if !strings.HasPrefix(r.stdout, "ID") {
				t.Errorf("no header: %q", r.stdout)
			}
			for _, s := range tt.want {
				if !strings.Contains(r.stdout, s) {
					t.Errorf("list lacks %q:\n%s", s, r.stdout)
				}
			}
			for _, s := range tt.not {
				if strings.Contains(r.stdout, s) {
					t.Errorf("list has %q:\n%s", s, r.stdout)
				}
			}
			if tt.count >= 0 && !strings.Contains(r.stderr, fmt.Sprintf("%d event(s)", tt.count)) {
				t.Errorf("stderr = %q, want %d event(s)", r.stderr, tt.count)
			}
		})
	}

	r = mustCLI(t, env, "event", "show", future)
	var ev map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &ev); err != nil {
		t.Fatal(err)
	}
	if ev["id"] != future || !reflect.DeepEqual(ev["name"], map[string]any{"en": "Future meetup"}) || ev["timezone"] != "Europe/Brussels" {
		t.Errorf("event show = %v", ev)
	}

	r = mustCLI(t, env, "event", "update", future, eventFile(t, time.Date(2090, 5, 2, 9, 0, 0, 0, time.UTC), "Moved meetup"))
	if !strings.Contains(r.stderr, "event updated: http://localhost:8080/events/"+future) {
		t.Errorf("update stderr = %q", r.stderr)
	}
	if err := json.Unmarshal([]byte(mustCLI(t, env, "event", "show", future).stdout), &ev); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(ev["name"], map[string]any{"en": "Moved meetup"}) || ev["startTime"] != "2090-05-02T11:00:00+02:00" {
		t.Errorf("after update: name %v start %v", ev["name"], ev["startTime"])
	}

	r = mustCLI(t, env, "event", "delete", past)
	if !strings.Contains(r.stderr, "event "+past+" deleted") {
		t.Errorf("delete stderr = %q", r.stderr)
	}
	unknown := store.NewID(time.Now())
	notFound := []struct{ args []string }{
		{[]string{"event", "show", past}},
		{[]string{"event", "delete", past}},
		{[]string{"event", "update", past, eventFile(t, time.Date(2090, 1, 1, 9, 0, 0, 0, time.UTC), "x")}},
		{[]string{"event", "show", unknown}},
		{[]string{"event", "delete", unknown}},
	}
	for _, nf := range notFound {
		r := cli(t, env, "", nf.args...)
		if r.code != 1 || r.err == nil || !strings.Contains(r.err.Error(), "not found") {
			t.Errorf("ospod %s: exit %d, %v; want 1 and not found", strings.Join(nf.args, " "), r.code, r.err)
		}
	}
	if r := mustCLI(t, env, "event", "list"); strings.Contains(r.stdout, past) || !strings.Contains(r.stderr, "2 event(s)") {
		t.Errorf("list after delete:\n%s%s", r.stdout, r.stderr)
	}

	usage := [][]string{{"event"}, {"event", "list", "extra"}, {"event", "show"}, {"event", "add"}, {"event", "update", future},
		{"event", "-when", "soon", "list"}, {"event", "frob"}, {"event", "-nope", "list"}}
	for _, args := range usage {
		if r := cli(t, env, "", args...); r.code != 2 {
			t.Errorf("ospod %s: exit %d (%v), want 2", strings.Join(args, " "), r.code, r.err)
		}
	}
}

// The usage text documents "ospod event list [-when W]": the flag after "list".
func TestCLIEventListWhenAfterList(t *testing.T) {
	env := map[string]string{"OSPO_DATA": newDataDir(t)}
	past := strings.TrimSpace(mustCLI(t, env, "event", "add", eventFile(t, time.Date(2001, 5, 1, 9, 0, 0, 0, time.UTC), "Past meetup")).stdout)
	mustCLI(t, env, "event", "add", eventFile(t, time.Date(2090, 5, 1, 9, 0, 0, 0, time.UTC), "Future meetup"))
	r := cli(t, env, "", "event", "list", "-when", "past")
	if r.err != nil || !strings.Contains(r.stdout, past) || strings.Contains(r.stdout, "Future meetup") || !strings.Contains(r.stderr, "1 event(s)") {
		t.Errorf("event list -when past: %v\n%s%s", r.err, r.stdout, r.stderr)
	}
}

func TestCLIInvalidDocument(t *testing.T) {
	tests := []struct {
		name    string
		args    func(t *testing.T) []string
		code    int // 0: not checked
		mention []string
	}{
		{"profile with a bad country and area", func(t *testing.T) []string {
			return []string{"profile", "set", editExample(t, "profile.json", func(m map[string]any) {
				m["country"], m["supportAreas"] = "XY", []string{"strategy", "cooking"}
			})}
		}, 2, []string{"nothing was stored", "country:", "supportAreas[1]:"}},
		{"profile without a name", func(t *testing.T) []string {
			return []string{"profile", "set", editExample(t, "profile.json", func(m map[string]any) { delete(m, "name") })}
		}, 2, []string{"name:"}},
		{"event ending before it starts", func(t *testing.T) []string {
			return []string{"event", "add", editExample(t, "event.json", func(m map[string]any) { m["endTime"] = "2032-04-14T09:00:00+02:00" })}
		}, 2, []string{"endTime:", "must be after startTime"}},
		{"event with a bad time zone", func(t *testing.T) []string {
			return []string{"event", "add", editExample(t, "event.json", func(m map[string]any) { m["timezone"] = "Europe/Nowhere" })}
		}, 2, []string{"timezone:"}},
		{"event with an unknown field", func(t *testing.T) []string {
			return []string{"event", "add", editExample(t, "event.json", func(m map[string]any) { m["colour"] = "blue" })}
		}, 2, []string{"colour: is not a known field"}},
		{"not JSON", func(t *testing.T) []string {
			p := filepath.Join(t.TempDir(), "bad.json")
			os.WriteFile(p, []byte("name: yaml?"), 0o644)
			return []string{"event", "add", p}
		}, 1, []string{"bad.json"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := map[string]string{"OSPO_DATA": newDataDir(t)}
			r := cli(t, env, "", tt.args(t)...)
			if r.err == nil {
				t.Fatal("accepted an invalid document")
			}
			if tt.code != 0 && r.code != tt.code {
				t.Errorf("exit %d, want %d (%v)", r.code, tt.code, r.err)
			}
			for _, s := range tt.mention {
				if !strings.Contains(r.err.Error(), s) {
					t.Errorf("error %q does not mention %q", r.err, s)
				}
			}
			// Nothing was stored.
			if out := mustCLI(t, env, "profile", "show").stdout; !strings.Contains(out, `"en": "ospo"`) {
				t.Errorf("profile changed:\n%s", out)
			}
			if r := mustCLI(t, env, "event", "list"); !strings.Contains(r.stderr, "0 event(s)") {
				t.Errorf("an event was stored: %s", r.stderr)
			}
		})
	}
}

// configValues parses 'ospod config' output into VARIABLE -> value.
func configValues(t *testing.T, out string) map[string]string {
	t.Helper()
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) < 2 || !strings.HasPrefix(lines[0], "VARIABLE") {
		t.Fatalf("config output:\n%s", out)
	}
	vals := map[string]string{}
	for _, l := range lines[1:] {
		f := strings.Fields(l)
		if len(f) < 2 || !strings.HasPrefix(f[1], "-") {
			t.Fatalf("config line %q", l)
		}
		vals[f[0]] = strings.Join(f[2:], " ")
	}
	return vals
}

// Each value is parsed once, into its typed field: what the commands read.
func TestConfigTypedValues(t *testing.T) {
	vars := map[string]string{"OSPO_HTTP_TIMEOUT": "5s", "OSPO_SEED_PEERS": "ospo@a.example, https://b.example/actor",
		"OSPO_INBOX_RATE": "2.5", "OSPO_LOG_LEVEL": "warn"}
	e := &env{getenv: func(k string) string { return vars[k] }, stdout: io.Discard, stderr: io.Discard}
	c, err := e.loadConfig("test", []string{"-delivery-workers", "7", "-allow-private-networks=true", "-base-url", "https://ospo.example/", "list"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.HTTPTimeout != 5*time.Second || c.DeliveryWorkers != 7 || !c.AllowPrivateNetworks || c.InboxRate != 2.5 ||
		c.LogLevel != slog.LevelWarn || c.RetryBase != 30*time.Second || c.Data != "./data" {
		t.Errorf("parsed %+v", c)
	}
	if c.BaseURL.String() != "https://ospo.example" {
		t.Errorf("base URL %q", c.BaseURL)
	}
	if want := []string{"ospo@a.example", "https://b.example/actor"}; !reflect.DeepEqual(c.SeedPeers, want) {
		t.Errorf("seed peers %q, want %q", c.SeedPeers, want)
	}
	if !reflect.DeepEqual(c.args, []string{"list"}) {
		t.Errorf("args %q", c.args)
	}
}

func TestCLIConfig(t *testing.T) {
	// The defaults the issue fixes; every other option shows its declared default.
	issueDefaults := map[string]string{
		"OSPO_LISTEN": ":8080", "OSPO_BASE_URL": "http://localhost:8080", "OSPO_DATA": "./data", "OSPO_HANDLE": "ospo",
		"OSPO_ADMIN_TOKEN": "", "OSPO_ALLOW_PRIVATE_NETWORKS": "false",
	}
	defaults := map[string]string{}
	for _, o := range options {
		defaults[o.env] = o.def
	}
	for k, v := range issueDefaults {
		if d, ok := defaults[k]; !ok || d != v {
			t.Errorf("option %s: default %q (declared: %v), want %q", k, d, ok, v)
		}
	}
	tests := []struct {
		name  string
		env   map[string]string
		flags []string
		want  map[string]string // differences from the defaults
	}{
		{"defaults", nil, nil, nil},
		{"environment", map[string]string{"OSPO_LISTEN": "127.0.0.1:9000", "OSPO_HANDLE": "city", "OSPO_ALLOW_PRIVATE_NETWORKS": "true"}, nil,
			map[string]string{"OSPO_LISTEN": "127.0.0.1:9000", "OSPO_HANDLE": "city", "OSPO_ALLOW_PRIVATE_NETWORKS": "true"}},
		{"flags win over the environment", map[string]string{"OSPO_HANDLE": "fromenv", "OSPO_BASE_URL": "https://env.example"},
			[]string{"-handle", "fromflag", "-base-url=https://flag.example"},
			map[string]string{"OSPO_HANDLE": "fromflag", "OSPO_BASE_URL": "https://flag.example"}},
		{"a valid flag overrides an invalid environment value", map[string]string{"OSPO_HANDLE": "Not Valid"}, []string{"-handle", "ok"},
			map[string]string{"OSPO_HANDLE": "ok"}},
		{"token from the environment is masked", map[string]string{"OSPO_ADMIN_TOKEN": "s3cret-env-token"}, nil,
			map[string]string{"OSPO_ADMIN_TOKEN": "********"}},
		{"token from a flag is masked", nil, []string{"-admin-token", "s3cret-flag-token"},
			map[string]string{"OSPO_ADMIN_TOKEN": "********"}},
		{"single sign-on, its secret masked", map[string]string{"OSPO_OIDC_ISSUER": "https://id.city.example/realms/staff",
			"OSPO_OIDC_CLIENT_ID": "ospod", "OSPO_OIDC_CLIENT_SECRET": "s3cret-oidc"}, []string{"-oidc-name", "City ID"},
			map[string]string{"OSPO_OIDC_ISSUER": "https://id.city.example/realms/staff", "OSPO_OIDC_CLIENT_ID": "ospod",
				"OSPO_OIDC_CLIENT_SECRET": "********", "OSPO_OIDC_NAME": "City ID"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := mustCLI(t, tt.env, append([]string{"config"}, tt.flags...)...)
			if strings.Contains(r.stdout, "s3cret") {
				t.Errorf("config prints the secret:\n%s", r.stdout)
			}
			got := configValues(t, r.stdout)
			want := map[string]string{}
			for k, v := range defaults {
				want[k] = v
			}
			for k, v := range tt.want {
				want[k] = v
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("config =\n %v\nwant\n %v", got, want)
			}
		})
	}

	invalid := []struct {
		name  string
		env   map[string]string
		flags []string
		names string
	}{
		{"bad handle", map[string]string{"OSPO_HANDLE": "Bad Handle"}, nil, "OSPO_HANDLE"},
		{"base URL with a path", nil, []string{"-base-url", "https://x.example/ospo"}, "OSPO_BASE_URL"},
		{"ftp base URL", map[string]string{"OSPO_BASE_URL": "ftp://x.example"}, nil, "OSPO_BASE_URL"},
		{"bad boolean", map[string]string{"OSPO_ALLOW_PRIVATE_NETWORKS": "perhaps"}, nil, "OSPO_ALLOW_PRIVATE_NETWORKS"},
		{"bad log format", nil, []string{"-log-format", "xml"}, "OSPO_LOG_FORMAT"},
		{"bad log level", map[string]string{"OSPO_LOG_LEVEL": "loud"}, nil, "OSPO_LOG_LEVEL"},
		{"unknown flag", nil, []string{"-colour", "blue"}, "colour"},
		{"profiler on a public address", map[string]string{"OSPO_PPROF_LISTEN": "0.0.0.0:6060"}, nil, "OSPO_PPROF_LISTEN"},
		{"profiler without a port", nil, []string{"-pprof-listen", "127.0.0.1"}, "OSPO_PPROF_LISTEN"},
		{"issuer not a URL", map[string]string{"OSPO_OIDC_ISSUER": "id.city.example"}, nil, "OSPO_OIDC_ISSUER"},
		{"issuer with a query", nil, []string{"-oidc-issuer", "https://id.city.example/?tenant=1"}, "OSPO_OIDC_ISSUER"},
	}
	for _, tt := range invalid {
		t.Run(tt.name, func(t *testing.T) {
			r := cli(t, tt.env, "", append([]string{"config"}, tt.flags...)...)
			if r.code != 2 || r.err == nil || !strings.Contains(r.err.Error(), tt.names) {
				t.Errorf("exit %d, error %v; want 2 naming %s", r.code, r.err, tt.names)
			}
		})
	}
}

func TestCommandsAndExitCodes(t *testing.T) {
	tests := []struct {
		args       []string
		code       int
		stdout     string
		errMessage string
	}{
		{[]string{"frobnicate"}, 2, "", `unknown command "frobnicate"`},
		{nil, 2, "", "Usage:"},
		{[]string{"help"}, 0, "ospod serve", ""},
		{[]string{"--help"}, 0, "ospod event add FILE", ""},
		{[]string{"version"}, 0, "ospod ", ""},
		{[]string{"token"}, 2, "", "usage: ospod token reset"},
		{[]string{"token", "renew"}, 2, "", "usage: ospod token reset"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var out, errOut bytes.Buffer
			err := run(context.Background(), tt.args, func(string) string { return "" }, strings.NewReader(""), &out, &errOut)
			var stderr bytes.Buffer
			if code := exitCode(err, &stderr); code != tt.code {
				t.Errorf("exit code %d, want %d (%v)", code, tt.code, err)
			}
			if !strings.Contains(out.String(), tt.stdout) {
				t.Errorf("stdout %q lacks %q", out.String(), tt.stdout)
			}
			if tt.errMessage != "" && !strings.Contains(stderr.String(), "ospod: "+tt.errMessage) && !strings.Contains(stderr.String(), tt.errMessage) {
				t.Errorf("stderr %q lacks %q", stderr.String(), tt.errMessage)
			}
			if tt.code == 0 && stderr.Len() != 0 {
				t.Errorf("stderr on success: %q", stderr.String())
			}
		})
	}
	if code := exitCode(errors.New("disk on fire"), io.Discard); code != 1 {
		t.Errorf("exitCode(other error) = %d, want 1", code)
	}
}

var tokenLine = regexp.MustCompile(`(?m)^   ([A-Za-z0-9_-]{43})$`)

func TestTokenReset(t *testing.T) {
	dir := newDataDir(t)
	r := mustCLI(t, map[string]string{"OSPO_DATA": dir}, "token", "reset")
	m := tokenLine.FindStringSubmatch(r.stdout)
	if m == nil {
		t.Fatalf("token reset printed no token:\n%s", r.stdout)
	}
	st := storetest.OpenWith(t, store.Options{Path: filepath.Join(dir, "ospod.db")})
	h, err := st.Setting(context.Background(), store.SettingAdminTokenHash)
	sum := sha256.Sum256([]byte(m[1]))
	if err != nil || h != hex.EncodeToString(sum[:]) {
		t.Errorf("stored hash %q (%v), want the SHA-256 of the printed token", h, err)
	}
	if strings.Contains(h, m[1]) {
		t.Error("the token is stored in clear")
	}
}

// --- the real binary ---

// ospodBinary builds cmd/ospod once into a temporary folder.
func ospodBinary(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		goTool, err := exec.LookPath("go")
		if err != nil {
			goTool = filepath.Join(runtime.GOROOT(), "bin", "go")
		}
		if binDir, binErr = os.MkdirTemp("", "ospod-bin-"); binErr != nil {
			return
		}
		binPath = filepath.Join(binDir, "ospod")
		out, err := exec.Command(goTool, "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			binErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

// freeAddr finds a free loopback port for the child process.
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) add(line string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.b.WriteString(line + "\n")
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// server is a running 'ospod serve' child process.
type server struct {
	t              *testing.T
	cmd            *exec.Cmd
	base           string
	stdout, stderr syncBuffer
	listening      chan struct{}
	tokens         chan string
	outDone        chan struct{}
	errDone        chan struct{}
	waited         bool
}

func startServer(t *testing.T, data string, env ...string) *server {
	t.Helper()
	return startServerAt(t, data, freeAddr(t), env...)
}

// startServerAt starts 'ospod serve' on a given address (a restart keeps its base URL).
func startServerAt(t *testing.T, data, addr string, env ...string) *server {
	t.Helper()
	s := &server{t: t, base: "http://" + addr, listening: make(chan struct{}), tokens: make(chan string, 4),
		outDone: make(chan struct{}), errDone: make(chan struct{})}
	s.cmd = exec.Command(ospodBinary(t), "serve")
	s.cmd.Env = append([]string{"OSPO_DATA=" + data, "OSPO_LISTEN=" + addr, "OSPO_BASE_URL=" + s.base, "OSPO_LOG_LEVEL=info"}, env...)
	stdout, err := s.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr, err := s.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		defer close(s.outDone)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			s.stdout.add(sc.Text())
			if m := tokenLine.FindStringSubmatch(sc.Text()); m != nil {
				s.tokens <- m[1]
			}
		}
	}()
	go func() {
		defer close(s.errDone)
		sc := bufio.NewScanner(stderr)
		once := sync.Once{}
		for sc.Scan() {
			s.stderr.add(sc.Text())
			if strings.Contains(sc.Text(), `msg="ospod listening"`) {
				once.Do(func() { close(s.listening) })
			}
		}
	}()
	t.Cleanup(func() {
		if !s.waited {
			s.cmd.Process.Kill()
			s.wait()
		}
	})
	// The log line comes after net.Listen: from then on connections are accepted.
	select {
	case <-s.listening:
	case <-s.errDone:
		s.wait()
		t.Fatalf("ospod serve exited before listening: %v\nstderr:\n%s", s.cmd.ProcessState, s.stderr.String())
	}
	return s
}

// token returns the admin token printed on first start (it precedes the listening log line).
func (s *server) token() string {
	s.t.Helper()
	select {
	case tok := <-s.tokens:
		return tok
	case <-s.outDone:
		s.t.Fatalf("no admin token on stdout:\n%s", s.stdout.String())
		return ""
	}
}

// wait collects the output and the exit status.
func (s *server) wait() error {
	<-s.outDone
	<-s.errDone
	s.waited = true
	return s.cmd.Wait()
}

func (s *server) stop(sig os.Signal) error {
	s.t.Helper()
	if err := s.cmd.Process.Signal(sig); err != nil {
		s.t.Fatal(err)
	}
	return s.wait()
}

func (s *server) do(method, path, token string, body []byte) (int, map[string]any) {
	s.t.Helper()
	var r io.Reader
	if body != nil {
		r = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, s.base+path, r)
	if err != nil {
		s.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/activity+json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	m := map[string]any{}
	b, _ := io.ReadAll(resp.Body)
	if len(b) > 0 {
		if err := json.Unmarshal(b, &m); err != nil {
			s.t.Fatalf("%s %s: %d %v\n%s", method, path, resp.StatusCode, err, b)
		}
	}
	return resp.StatusCode, m
}

func TestServeKillAndRestart(t *testing.T) {
	data := t.TempDir()
	profile, err := os.ReadFile(examplePath("profile.json"))
	if err != nil {
		t.Fatal(err)
	}
	event, err := os.ReadFile(examplePath("event.json"))
	if err != nil {
		t.Fatal(err)
	}

	// First start: no OSPO_ADMIN_TOKEN, so the node makes one and prints it once.
	s1 := startServer(t, data)
	tok := s1.token()
	if code, _ := s1.do("GET", "/api/v1/admin/profile", strings.Repeat("x", len(tok)), nil); code != 401 {
		t.Errorf("wrong token: %d, want 401", code)
	}
	if code, m := s1.do("PUT", "/api/v1/admin/profile", tok, profile); code != 200 {
		t.Fatalf("PUT profile with the printed token: %d %v", code, m)
	}
	code, created := s1.do("POST", "/api/v1/admin/events", tok, event)
	if code != 201 {
		t.Fatalf("POST event: %d %v", code, created)
	}
	id, _ := created["id"].(string)
	_, actor := s1.do("GET", "/actor", "", nil)
	key := actor["publicKey"].(map[string]any)["publicKeyPem"]

	err = s1.stop(syscall.SIGKILL)
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Fatalf("first run ended with %v, want killed by SIGKILL", err)
	}
	if n := strings.Count(s1.stdout.String(), tok); n != 1 {
		t.Errorf("the token was printed %d times, want once:\n%s", n, s1.stdout.String())
	}
	if strings.Contains(s1.stderr.String(), tok) {
		t.Error("the token appears in the logs")
	}

	// Second start on the same data: the token is not printed again and still works.
	s2 := startServerAt(t, data, strings.TrimPrefix(s1.base, "http://"))
	code, p := s2.do("GET", "/api/v1/admin/profile", tok, nil)
	if code != 200 || !reflect.DeepEqual(p["name"], map[string]any{
		"en": "Open Source Program Office of the City of Exampleton",
		"fr": "Bureau du logiciel libre de la Ville d'Exampleton",
		"de": "Open-Source-Büro der Stadt Exampleton",
	}) {
		t.Errorf("profile after kill -9: %d %v", code, p["name"])
	}
	if code, e := s2.do("GET", "/api/v1/admin/events/"+id, tok, nil); code != 200 || e["startTime"] != "2032-04-14T10:00:00+02:00" {
		t.Errorf("event after kill -9: %d %v", code, e)
	}
	if _, a := s2.do("GET", "/actor", "", nil); a["publicKey"].(map[string]any)["publicKeyPem"] != key {
		t.Error("the actor key changed across the restart")
	}
	if err := s2.stop(syscall.SIGTERM); err != nil {
		t.Errorf("second run: %v\nstderr:\n%s", err, s2.stderr.String())
	}
	if out := s2.stdout.String(); out != "" {
		t.Errorf("second start printed on stdout:\n%s", out)
	}

	st := storetest.OpenWith(t, store.Options{Path: filepath.Join(data, "ospod.db")})
	if res, err := st.IntegrityCheck(context.Background()); err != nil || res != "ok" {
		t.Errorf("integrity_check after kill -9 = %q, %v", res, err)
	}
}

// TestServeProfiler: OSPO_PPROF_LISTEN serves Go's profiler on its own
// loopback listener, never on the public one.
func TestServeProfiler(t *testing.T) {
	pprofAddr := freeAddr(t)
	s := startServer(t, t.TempDir(), "OSPO_PPROF_LISTEN="+pprofAddr, "OSPO_ADMIN_TOKEN=tok-0123456789abcdefghijklmnopqrstu")
	var code int
	for range 100 { // the profiler starts just after the public listener
		if resp, err := http.Get("http://" + pprofAddr + "/debug/pprof/cmdline"); err == nil {
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if code = resp.StatusCode; code == 200 && !strings.Contains(string(body), "serve") {
				t.Errorf("cmdline = %q", body)
			}
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if code != 200 {
		t.Fatalf("profiler: status %d, want 200", code)
	}
	resp, err := http.Get(s.base + "/debug/pprof/cmdline")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 404 {
		t.Errorf("the public listener answers /debug/pprof/ with %s, want 404", resp.Status)
	}
	if err := s.stop(syscall.SIGTERM); err != nil {
		t.Errorf("stop: %v\n%s", err, s.stderr.String())
	}
}

func TestServeGracefulShutdown(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		t.Run(sig.String(), func(t *testing.T) {
			data := newDataDir(t)
			s := startServer(t, data, "OSPO_ADMIN_TOKEN=given-token-for-tests-0123456789abcdef")
			if code, m := s.do("POST", "/api/v1/admin/events", "given-token-for-tests-0123456789abcdef",
				[]byte(`{"name":"Shutdown party","startTime":"2090-01-01T10:00:00Z","endTime":"2090-01-01T12:00:00Z","timezone":"UTC"}`)); code != 201 {
				t.Fatalf("POST with OSPO_ADMIN_TOKEN: %d %v", code, m)
			}
			if err := s.stop(sig); err != nil {
				t.Fatalf("exit after %v: %v, want status 0\nstderr:\n%s", sig, err, s.stderr.String())
			}
			if s.cmd.ProcessState.ExitCode() != 0 {
				t.Errorf("exit code %d", s.cmd.ProcessState.ExitCode())
			}
			if !strings.Contains(s.stderr.String(), `msg="ospod stopped"`) {
				t.Errorf("no shutdown log:\n%s", s.stderr.String())
			}
			if s.stdout.String() != "" {
				t.Errorf("a token was printed although OSPO_ADMIN_TOKEN is set:\n%s", s.stdout.String())
			}
			st := storetest.OpenWith(t, store.Options{Path: filepath.Join(data, "ospod.db")})
			if _, total, err := st.ListEvents(context.Background(), store.EventFilter{}); err != nil || total != 1 {
				t.Errorf("events after shutdown: %d, %v", total, err)
			}
			if _, err := st.Setting(context.Background(), store.SettingAdminTokenHash); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("a token hash was stored although OSPO_ADMIN_TOKEN is set: %v", err)
			}
		})
	}
}

// 'ospod peers' shows the network view of the admin API: a listed OSPO and
// a dismissed peer, which is in no directory.
func TestCLIPeers(t *testing.T) {
	dir := newDataDir(t)
	ctx := context.Background()
	st, err := store.Open(ctx, store.Options{Path: filepath.Join(dir, "ospod.db")})
	if err != nil {
		t.Fatal(err)
	}
	p := storetest.Profile()
	p.Name = store.LangMap{"en": "Lima OSPO"}
	err = st.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.PutDirectoryEntry(ctx, &store.DirectoryEntry{ID: "https://l.example/", Kind: store.KindListed,
			Profile: p, Source: "list.yml"}); err != nil {
			return err
		}
		return tx.PutPeer(ctx, &store.Peer{ActorID: "https://x.example/actor", State: store.PeerDismissed, LastError: "gone"})
	})
	st.Close()
	if err != nil {
		t.Fatal(err)
	}
	r := mustCLI(t, map[string]string{"OSPO_DATA": dir}, "peers")
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if len(lines) != 3 {
		t.Fatalf("peers:\n%s", r.stdout)
	}
	for i, want := range [][]string{{"KIND", "STATE", "OSPO", "LAST ERROR"},
		{"listed", "listed", "Lima OSPO", "https://l.example/"}, {"-", "dismissed", "https://x.example/actor", "gone"}} {
		for _, w := range want {
			if !strings.Contains(lines[i], w) {
				t.Errorf("line %d %q lacks %q", i, lines[i], w)
			}
		}
	}
}
