package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ospod/ospod/store"
)

// TestCLIReports lists the received reports and answers them: resolved
// with a note and a block, dismissed; each answer is in the audit trail.
func TestCLIReports(t *testing.T) {
	dir := newDataDir(t)
	env := map[string]string{"OSPO_DATA": dir}
	ctx := context.Background()
	st, err := store.Open(ctx, store.Options{Path: filepath.Join(dir, "ospod.db")})
	if err != nil {
		t.Fatal(err)
	}
	err = st.InTx(ctx, func(tx *store.Tx) error {
		for _, a := range []string{"https://r.example/flags/1", "https://r.example/flags/2"} {
			if err := tx.AddReport(ctx, &store.Report{ActivityID: a, ActorID: "https://r.example/actor",
				Objects: []string{"https://spam.example/u/bot"}, Content: "spam"}); err != nil {
				return err
			}
		}
		return nil
	})
	st.Close()
	if err != nil {
		t.Fatal(err)
	}
	out := mustCLI(t, env, "report", "list").stdout
	if !strings.Contains(out, "open") || !strings.Contains(out, "spam.example") {
		t.Errorf("report list:\n%s", out)
	}
	if r := cli(t, env, "", "report", "dismiss", "2", "-block", "spam.example"); r.code != 2 {
		t.Errorf("dismiss with -block: exit %d", r.code)
	}
	if r := cli(t, env, "", "report", "resolve", "99"); r.err == nil {
		t.Error("an unknown report was answered")
	}
	mustCLI(t, env, "report", "resolve", "1", "-note", "bot account", "-block", "spam.example")
	mustCLI(t, env, "report", "dismiss", "2", "-note", "same report again")
	if out := mustCLI(t, env, "report", "list", "-state", "open").stdout; strings.Contains(out, "spam.example") {
		t.Errorf("open reports after answering:\n%s", out)
	}
	if out := mustCLI(t, env, "blocks").stdout; !strings.Contains(out, "spam.example") || !strings.Contains(out, "report 1: bot account") {
		t.Errorf("blocks:\n%s", out)
	}
	st, err = store.Open(ctx, store.Options{Path: filepath.Join(dir, "ospod.db")})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	r, err := st.Report(ctx, 1)
	if err != nil || r.State != store.ReportResolved || r.ResolvedBy != store.AuditActorCLI || r.Note != "bot account" {
		t.Errorf("report 1: %+v %v", r, err)
	}
	entries, _, err := st.AuditEntries(ctx, store.AuditFilter{Kind: "report"})
	if err != nil || len(entries) != 2 {
		t.Errorf("audit entries for reports: %v %v", entries, err)
	}
}
