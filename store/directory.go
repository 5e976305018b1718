package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strings"
	"time"
)

// Directory entry kinds.
const (
	KindSelf       = "self"       // this node's own OSPO
	KindFollowed   = "followed"   // an OSPO this node follows
	KindFollower   = "follower"   // an OSPO that follows this node
	KindDiscovered = "discovered" // found through the network, not followed
	KindListed     = "listed"     // imported from a list, no node known
)

// DirectoryEntry is one OSPO of the network directory.
type DirectoryEntry struct {
	ID        string    // the actor's id (or the OSPO's URL for a listed entry)
	Slug      string    // short stable key for URLs, derived from ID
	Kind      string    // KindSelf, KindFollowed...
	Host      string    // origin host of the data
	Account   string    // handle, user@host ("" for listed entries)
	Profile   *Profile  // normalised profile
	Source    string    // where the data came from (URL)
	Licence   string    // licence of the data, for imported lists
	UpdatedAt time.Time // when our copy last changed
}

// PutDirectoryEntry inserts or replaces a directory entry (and its search index row).
func (t *Tx) PutDirectoryEntry(ctx context.Context, e *DirectoryEntry) error {
	doc, err := json.Marshal(e.Profile)
	if err != nil {
		return err
	}
	areas, _ := json.Marshal(nonNil(e.Profile.SupportAreas))
	langs, _ := json.Marshal(nonNil(e.Profile.Languages()))
	name, _ := e.Profile.Name.Best(e.Profile.DefaultLanguage(), e.Profile.DefaultLanguage())
	e.UpdatedAt = t.now
	e.Slug = Slug(e.ID)
	_, err = t.exec(ctx, `INSERT INTO directory (id, slug, kind, host, account, profile, country, level, areas,
		languages, sort_name, search_name, search_text, source, licence, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, host = excluded.host, account = excluded.account,
		  profile = excluded.profile, country = excluded.country, level = excluded.level, areas = excluded.areas,
		  languages = excluded.languages, sort_name = excluded.sort_name, search_name = excluded.search_name,
		  search_text = excluded.search_text, source = excluded.source, licence = excluded.licence,
		  updated_at = excluded.updated_at`,
		e.ID, e.Slug, e.Kind, e.Host, e.Account, string(doc), e.Profile.Country, e.Profile.GovernmentLevel,
		string(areas), string(langs), strings.ToLower(name), joinTexts(e.Profile.Name, e.Profile.ParentOrganization),
		profileText(e.Profile), e.Source, e.Licence, fmtTime(t.now))
	return err
}

// DeleteDirectoryEntry removes an entry and, by cascade, its calendar rows.
func (t *Tx) DeleteDirectoryEntry(ctx context.Context, id string) error {
	_, err := t.tx.ExecContext(ctx, `DELETE FROM directory WHERE id = ?`, id)
	return err
}

// DirectoryKind returns the kind of an entry, or ErrNotFound.
func (t *Tx) DirectoryKind(ctx context.Context, id string) (string, error) {
	var kind string
	err := t.queryRow(ctx, `SELECT kind FROM directory WHERE id = ?`, id).Scan(&kind)
	if errors.Is(err, sql.ErrNoRows) {
		return "", ErrNotFound
	}
	return kind, err
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func joinTexts(names LangMap, parent *Organization) string {
	parts := []string{}
	for _, t := range names.Languages() {
		parts = append(parts, names[t])
	}
	if parent != nil {
		for _, t := range parent.Name.Languages() {
			parts = append(parts, parent.Name[t])
		}
	}
	return strings.Join(parts, " \n")
}

// profileText is what full-text search sees of a profile besides its names.
func profileText(p *Profile) string {
	var parts []string
	for _, m := range []LangMap{p.Summary, p.Mandate} {
		for _, t := range m.Languages() {
			parts = append(parts, m[t])
		}
	}
	parts = append(parts, p.SupportAreas...)
	for _, a := range p.SupportAreas {
		parts = append(parts, strings.ReplaceAll(a, "-", " "))
	}
	if p.Location != nil {
		parts = append(parts, p.Location.Name)
		if a := p.Location.Address; a != nil {
			parts = append(parts, a.AddressLocality, a.AddressRegion)
		}
	}
	for _, m := range p.Memberships {
		for _, t := range m.Name.Languages() {
			parts = append(parts, m.Name[t])
		}
	}
	parts = append(parts, p.Country, p.GovernmentLevel)
	return strings.Join(parts, " \n")
}

func scanDirectory(row interface{ Scan(...any) error }) (*DirectoryEntry, error) {
	e := &DirectoryEntry{Profile: &Profile{}}
	var doc, updated string
	err := row.Scan(&e.ID, &e.Slug, &e.Kind, &e.Host, &e.Account, &doc, &e.Source, &e.Licence, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(doc), e.Profile); err != nil {
		return nil, err
	}
	e.UpdatedAt = parseTime(updated)
	return e, nil
}

// DirectoryEntry returns one entry by id or by slug.
func (s *Store) DirectoryEntry(ctx context.Context, idOrSlug string) (*DirectoryEntry, error) {
	return scanDirectory(s.r.QueryRowContext(ctx, `SELECT id, slug, kind, host, account, profile, source, licence,
		updated_at FROM directory WHERE id = ? OR slug = ?`, idOrSlug, idOrSlug))
}

// Slug is the short URL key of a directory or calendar entry: 16 hex digits
// of the SHA-256 of its id.
func Slug(id string) string {
	sum := sha256.Sum256([]byte(id))
	return hex.EncodeToString(sum[:8])
}
