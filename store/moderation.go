package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// SettingAllowlist turns allow-list mode on ("true"): the node federates
// only with the domains in domain_allows.
const SettingAllowlist = "federation.allowlist"

// DomainRule is a blocked or allowed domain.
type DomainRule struct {
	Domain    string    `json:"domain"`
	Reason    string    `json:"reason,omitempty"`
	CreatedAt time.Time `json:"created"`
}

// NormalizeDomain lower-cases a domain (host or host:port) and drops a trailing dot.
func NormalizeDomain(d string) string {
	d = strings.ToLower(strings.TrimSpace(d))
	if h, rest, ok := strings.Cut(d, "://"); ok && h != "" { // a URL was given
		d = rest
	}
	d, _, _ = strings.Cut(d, "/")
	return strings.TrimSuffix(d, ".")
}

// DomainMatches reports whether host (host[:port]) is rule or one of its
// subdomains. A rule with a port matches only that port.
func DomainMatches(rule, host string) bool {
	rule, host = NormalizeDomain(rule), NormalizeDomain(host)
	if rule == "" || host == "" {
		return false
	}
	if rule == host {
		return true
	}
	if strings.Contains(rule, ":") {
		return false
	}
	name := host
	if i := strings.LastIndexByte(host, ':'); i >= 0 && !strings.Contains(host[i:], "]") {
		name = host[:i]
	}
	return name == rule || strings.HasSuffix(name, "."+rule)
}

// AddDomainBlock records a block (idempotent).
func (t *Tx) AddDomainBlock(ctx context.Context, domain, reason string) error {
	_, err := t.tx.ExecContext(ctx, `INSERT INTO domain_blocks (domain, reason, created_at) VALUES (?, ?, ?)
		ON CONFLICT (domain) DO UPDATE SET reason = excluded.reason`, NormalizeDomain(domain), reason, fmtTime(t.now))
	return err
}

// RemoveDomainBlock lifts a block; ErrNotFound if there was none.
func (s *Store) RemoveDomainBlock(ctx context.Context, domain string) error {
	return s.removeRule(ctx, "domain_blocks", domain)
}

// AddDomainAllow adds a domain to the allow-list.
func (s *Store) AddDomainAllow(ctx context.Context, domain string) error {
	_, err := s.w.ExecContext(ctx, `INSERT INTO domain_allows (domain, created_at) VALUES (?, ?) ON CONFLICT DO NOTHING`,
		NormalizeDomain(domain), fmtTime(s.Now()))
	return err
}

// RemoveDomainAllow removes a domain from the allow-list.
func (s *Store) RemoveDomainAllow(ctx context.Context, domain string) error {
	return s.removeRule(ctx, "domain_allows", domain)
}

func (s *Store) removeRule(ctx context.Context, table, domain string) error {
	res, err := s.w.ExecContext(ctx, `DELETE FROM `+table+` WHERE domain = ?`, NormalizeDomain(domain))
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

// DomainBlocks lists the blocked domains.
func (s *Store) DomainBlocks(ctx context.Context) ([]DomainRule, error) {
	return s.rules(ctx, `SELECT domain, reason, created_at FROM domain_blocks ORDER BY domain`)
}

// DomainAllows lists the allowed domains.
func (s *Store) DomainAllows(ctx context.Context) ([]DomainRule, error) {
	return s.rules(ctx, `SELECT domain, '', created_at FROM domain_allows ORDER BY domain`)
}

func (s *Store) rules(ctx context.Context, q string) ([]DomainRule, error) {
	rows, err := s.r.QueryContext(ctx, q)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []DomainRule{}
	for rows.Next() {
		var r DomainRule
		var created string
		if err := rows.Scan(&r.Domain, &r.Reason, &created); err != nil {
			return nil, err
		}
		r.CreatedAt = parseTime(created)
		out = append(out, r)
	}
	return out, rows.Err()
}

// PurgeDomain removes everything cached from a domain: its actors (with
// their relations and events, by cascade), its directory entries (with their
// calendar rows) and its discovery state; its pending deliveries fail.
func (t *Tx) PurgeDomain(ctx context.Context, domain string) error {
	match := func(table, col string) error {
		rows, err := t.tx.QueryContext(ctx, `SELECT DISTINCT `+col+` FROM `+table)
		if err != nil {
			return err
		}
		var hosts []string
		for rows.Next() {
			var h string
			if err := rows.Scan(&h); err != nil {
				rows.Close()
				return err
			}
			if DomainMatches(domain, h) {
				hosts = append(hosts, h)
			}
		}
		rows.Close()
		for _, h := range hosts {
			switch table {
			case "actors":
				if _, err := t.tx.ExecContext(ctx, `DELETE FROM peers WHERE actor_id IN (SELECT id FROM actors WHERE host = ?)`, h); err != nil {
					return err
				}
				if _, err := t.tx.ExecContext(ctx, `DELETE FROM actors WHERE host = ?`, h); err != nil {
					return err
				}
			case "directory":
				if _, err := t.tx.ExecContext(ctx, `DELETE FROM directory WHERE host = ? AND kind <> 'self'`, h); err != nil {
					return err
				}
			case "deliveries":
				if _, err := t.tx.ExecContext(ctx, `UPDATE deliveries SET state = 'failed', lease_until = NULL,
					last_error = 'domain blocked', updated_at = ? WHERE host = ? AND state = 'pending'`, fmtTime(t.now), h); err != nil {
					return err
				}
			}
		}
		return nil
	}
	for _, tc := range [][2]string{{"actors", "host"}, {"directory", "host"}, {"deliveries", "host"}} {
		if err := match(tc[0], tc[1]); err != nil {
			return err
		}
	}
	return nil
}

// Report states: a received report is open until someone resolves it
// (acted on it) or dismisses it (no action needed).
const (
	ReportOpen      = "open"
	ReportResolved  = "resolved"
	ReportDismissed = "dismissed"
)

// Report is a Flag received from another server.
type Report struct {
	ID         int64     `json:"id"`
	ActivityID string    `json:"activity"`
	ActorID    string    `json:"actor"`
	Objects    []string  `json:"objects"`
	Content    string    `json:"content,omitempty"`
	ReceivedAt time.Time `json:"received"`
	State      string    `json:"state"`
	Note       string    `json:"note,omitempty"`
	ResolvedBy string    `json:"resolvedBy,omitempty"`
	ResolvedAt time.Time `json:"resolvedAt,omitzero"`
}

// AddReport stores a received Flag.
func (t *Tx) AddReport(ctx context.Context, r *Report) error {
	objs, _ := json.Marshal(nonNil(r.Objects))
	if rs := []rune(r.Content); len(rs) > 5000 {
		r.Content = string(rs[:5000])
	}
	_, err := t.tx.ExecContext(ctx, `INSERT INTO reports (activity_id, actor_id, objects, content, received_at)
		VALUES (?, ?, ?, ?, ?) ON CONFLICT (activity_id) DO NOTHING`, r.ActivityID, r.ActorID, string(objs), r.Content, fmtTime(t.now))
	return err
}

// ReportFilter selects reports: by state ("" for all), at most Limit.
type ReportFilter struct {
	State string
	Limit int
}

const reportColumns = `id, activity_id, actor_id, objects, content, received_at, state, note, resolved_by, resolved_at`

func scanReport(row interface{ Scan(...any) error }) (*Report, error) {
	var r Report
	var objs, received string
	var resolved sql.NullString
	err := row.Scan(&r.ID, &r.ActivityID, &r.ActorID, &objs, &r.Content, &received, &r.State, &r.Note, &r.ResolvedBy, &resolved)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	_ = json.Unmarshal([]byte(objs), &r.Objects)
	r.ReceivedAt, r.ResolvedAt = parseTime(received), nullTime(resolved)
	return &r, nil
}

// Reports lists received reports, newest first (open ones first when all
// states are asked for).
func (s *Store) Reports(ctx context.Context, f ReportFilter) ([]*Report, error) {
	if f.Limit <= 0 {
		f.Limit = 200
	}
	rows, err := s.r.QueryContext(ctx, `SELECT `+reportColumns+` FROM reports
		WHERE (? = '' OR state = ?) ORDER BY state <> 'open', id DESC LIMIT ?`, f.State, f.State, f.Limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*Report{}
	for rows.Next() {
		r, err := scanReport(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// Report returns one report; ErrNotFound if there is none with this id.
func (s *Store) Report(ctx context.Context, id int64) (*Report, error) {
	return scanReport(s.readRow(ctx, `SELECT `+reportColumns+` FROM reports WHERE id = ?`, id))
}

// CountOpenReports counts the reports nobody has answered yet.
func (s *Store) CountOpenReports(ctx context.Context) (int, error) {
	var n int
	err := s.readRow(ctx, `SELECT count(*) FROM reports WHERE state = 'open'`).Scan(&n)
	return n, err
}

// AnswerReport resolves or dismisses a report (state ReportResolved or
// ReportDismissed) with a note, naming who answered; answering again
// replaces the answer. ErrNotFound if there is no such report.
func (t *Tx) AnswerReport(ctx context.Context, id int64, state, note, by string) error {
	if state != ReportResolved && state != ReportDismissed {
		return fmt.Errorf("store: report state %q", state)
	}
	res, err := t.tx.ExecContext(ctx, `UPDATE reports SET state = ?, note = ?, resolved_by = ?, resolved_at = ? WHERE id = ?`,
		state, note, by, fmtTime(t.now), id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}
