package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestDataFolderModes: a data folder that others can write is refused,
// one that others can read is used with a warning, a private one silently.
func TestDataFolderModes(t *testing.T) {
	for _, tc := range []struct {
		mode   os.FileMode
		code   int
		stderr string // a substring of stderr; "" : stderr empty
	}{
		{0o777, 1, "can be written by group or others"},
		{0o770, 1, "can be written by group or others"},
		{0o755, 0, "can be read by others"},
		{0o700, 0, ""},
	} {
		dir := newDataDir(t)
		if err := os.Chmod(dir, tc.mode); err != nil {
			t.Fatal(err)
		}
		r := cli(t, map[string]string{"OSPO_DATA": dir}, "", "event", "list")
		if r.code != tc.code {
			t.Errorf("mode %o: exit %d, want %d (%s)", tc.mode, r.code, tc.code, r.stderr)
		}
		said := r.stderr
		if r.err != nil {
			said += r.err.Error()
		}
		if tc.stderr == "" && strings.Contains(said, "data folder") || !strings.Contains(said, tc.stderr) {
			t.Errorf("mode %o: said %q, want %q", tc.mode, said, tc.stderr)
		}
	}
}

// TestCommandsNeedADataFolder: a command other than 'serve' run where there
// is no data folder says which folder it looked for, exits non-zero and
// creates nothing (it used to create a new node with a new key).
func TestCommandsNeedADataFolder(t *testing.T) {
	for _, args := range [][]string{
		{"event", "list"}, {"profile", "show"}, {"user", "list"}, {"peers"}, {"followers"},
		{"token", "reset"}, {"blocks"},
	} {
		dir := filepath.Join(t.TempDir(), "data")
		r := cli(t, map[string]string{"OSPO_DATA": dir}, "", args...)
		if r.code == 0 || r.err == nil {
			t.Errorf("ospod %s without a data folder: exit 0", strings.Join(args, " "))
			continue
		}
		if !strings.Contains(r.err.Error(), dir) {
			t.Errorf("ospod %s: %q does not name the folder %s", strings.Join(args, " "), r.err, dir)
		}
		if _, err := os.Stat(dir); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("ospod %s created %s (%v)", strings.Join(args, " "), dir, err)
		}
	}
}

// TestInitCreatesTheDataFolder: 'ospod init' makes the folder and the
// node, after which the other commands work on it.
func TestInitCreatesTheDataFolder(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	env := map[string]string{"OSPO_DATA": dir}
	if r := mustCLI(t, env, "init"); !strings.Contains(r.stdout, "ospo@localhost:8080") {
		t.Errorf("ospod init said %q", r.stdout)
	}
	mustCLI(t, env, "event", "list")
	mustCLI(t, env, "init") // again: the same node
}

// TestServeRefusesAWeakAdminToken: a short OSPO_ADMIN_TOKEN stops 'serve'
// with a usage error (exit 2) before it opens or creates anything.
func TestServeRefusesAWeakAdminToken(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	env := map[string]string{"OSPO_DATA": dir, "OSPO_LISTEN": "127.0.0.1:0", "OSPO_ADMIN_TOKEN": "tokT"}
	// A node that starts anyway is stopped after a while, so the test fails rather than hangs.
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	err := run(ctx, []string{"serve"}, func(k string) string { return env[k] }, strings.NewReader(""), io.Discard, io.Discard)
	if code := exitCode(err, io.Discard); code != 2 || !strings.Contains(fmt.Sprint(err), "OSPO_ADMIN_TOKEN has 4 characters: use at least 32") {
		t.Fatalf("serve with a 4-character token: exit %d, %v", code, err)
	}
	if _, err := os.Stat(dir); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("serve with a weak token created %s", dir)
	}
}
