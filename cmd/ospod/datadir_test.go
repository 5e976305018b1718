package main

import (
	"os"
	"strings"
	"testing"
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
