package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
)

// Profile is the OSPO's self-description: the document the admin API takes
// and returns (schema in docs/profile.md). It is stored as JSON.
type Profile struct {
	Name               LangMap        `json:"name"`
	Summary            LangMap        `json:"summary,omitempty"`
	Mandate            LangMap        `json:"mandate,omitempty"`
	Language           string         `json:"language,omitempty"`
	ParentOrganization *Organization  `json:"parentOrganization,omitempty"`
	Country            string         `json:"country,omitempty"`
	GovernmentLevel    string         `json:"governmentLevel,omitempty"`
	Founded            string         `json:"founded,omitempty"`
	SupportAreas       []string       `json:"supportAreas,omitempty"`
	Website            string         `json:"website,omitempty"`
	Email              string         `json:"email,omitempty"`
	CodeForges         []string       `json:"codeForges,omitempty"`
	FlossPolicy        string         `json:"flossPolicy,omitempty"`
	TeamSize           *int           `json:"teamSize,omitempty"`
	Identifiers        []Identifier   `json:"identifiers,omitempty"`
	Location           *Place         `json:"location,omitempty"`
	Logo               string         `json:"logo,omitempty"`
	Memberships        []Organization `json:"memberships,omitempty"`
	// ManuallyApprovesFollowers holds new followers for the administrator's decision.
	ManuallyApprovesFollowers bool `json:"manuallyApprovesFollowers"`
	// Discoverable lets other nodes list this OSPO in their directories (default true).
	Discoverable *bool `json:"discoverable,omitempty"`

	// Read-only, filled from the database; ignored on input.
	Published time.Time `json:"published,omitzero"`
	Updated   time.Time `json:"updated,omitzero"`
}

// Organization is a named organisation with an optional web address.
type Organization struct {
	Name LangMap `json:"name"`
	URL  string  `json:"url,omitempty"`
}

// Identifier is an official identifier of the OSPO in some register.
type Identifier struct {
	Scheme string `json:"scheme"`
	Value  string `json:"value"`
	URL    string `json:"url,omitempty"`
}

// Place is a physical location: a name, a postal address, coordinates.
type Place struct {
	Name      string         `json:"name,omitempty"`
	Address   *PostalAddress `json:"address,omitempty"`
	Latitude  *float64       `json:"latitude,omitempty"`
	Longitude *float64       `json:"longitude,omitempty"`
}

// PostalAddress follows schema.org's PostalAddress.
type PostalAddress struct {
	StreetAddress   string `json:"streetAddress,omitempty"`
	PostalCode      string `json:"postalCode,omitempty"`
	AddressLocality string `json:"addressLocality,omitempty"`
	AddressRegion   string `json:"addressRegion,omitempty"`
	AddressCountry  string `json:"addressCountry,omitempty"`
}

// Text is a one-line description of the place: its name and address, or its
// coordinates when it has neither.
func (p *Place) Text() string {
	var parts []string
	if p.Name != "" {
		parts = append(parts, p.Name)
	}
	if a := p.Address; a != nil {
		for _, s := range []string{a.StreetAddress, strings.TrimSpace(a.PostalCode + " " + a.AddressLocality), a.AddressRegion, a.AddressCountry} {
			if s != "" {
				parts = append(parts, s)
			}
		}
	}
	if len(parts) == 0 && p.Latitude != nil && p.Longitude != nil {
		parts = append(parts, fmt.Sprintf("%.5f, %.5f", *p.Latitude, *p.Longitude))
	}
	return strings.Join(parts, ", ")
}

// IsDiscoverable reports the discoverable flag, true when unset.
func (p *Profile) IsDiscoverable() bool { return p.Discoverable == nil || *p.Discoverable }

// DefaultLanguage returns the profile's main language ("en" when unset).
func (p *Profile) DefaultLanguage() string {
	if p.Language != "" {
		return p.Language
	}
	return "en"
}

// Languages returns every language the profile's texts are written in.
func (p *Profile) Languages() []string {
	seen := map[string]bool{}
	var out []string
	for _, m := range []LangMap{p.Name, p.Summary, p.Mandate} {
		for _, t := range m.Languages() {
			if !seen[t] && t != UndeterminedLanguage {
				seen[t] = true
				out = append(out, t)
			}
		}
	}
	return out
}

var (
	foundedRe    = regexp.MustCompile(`^\d{4}(-\d{2}(-\d{2})?)?$`)
	schemeRe     = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,62}$`)
	identValueRe = regexp.MustCompile(`^[^\x00-\x1f]{1,200}$`)
)

// Normalize trims and canonicalises the document in place (upper-case country,
// canonical language tags, plain-string texts keyed by the document language).
func (p *Profile) Normalize() {
	p.Language = strings.TrimSpace(p.Language)
	if ValidLanguageTag(p.Language) {
		p.Language = canonicalTag(p.Language)
	}
	lang := p.DefaultLanguage()
	p.Name = p.Name.normalize(lang)
	p.Summary = p.Summary.normalize(lang)
	p.Mandate = p.Mandate.normalize(lang)
	p.Country = strings.ToUpper(strings.TrimSpace(p.Country))
	p.GovernmentLevel = strings.TrimSpace(p.GovernmentLevel)
	p.Email = strings.TrimSpace(strings.TrimPrefix(p.Email, "mailto:"))
	if p.ParentOrganization != nil {
		p.ParentOrganization.Name = p.ParentOrganization.Name.normalize(lang)
		if len(p.ParentOrganization.Name) == 0 && p.ParentOrganization.URL == "" {
			p.ParentOrganization = nil
		}
	}
	for i := range p.Memberships {
		p.Memberships[i].Name = p.Memberships[i].Name.normalize(lang)
	}
	if p.Location != nil && p.Location.Address != nil {
		p.Location.Address.AddressCountry = strings.ToUpper(strings.TrimSpace(p.Location.Address.AddressCountry))
	}
	p.Published, p.Updated = time.Time{}, time.Time{}
}

// Validate checks the profile and names every invalid field.
func (p *Profile) Validate() error {
	c := &checker{}
	if p.Language != "" && !ValidLanguageTag(p.Language) {
		c.add("language", "is not a BCP 47 language tag")
	}
	c.langMap("name", p.Name, maxName, true)
	c.langMap("summary", p.Summary, maxSummary, false)
	c.langMap("mandate", p.Mandate, maxLongText, false)
	if p.ParentOrganization != nil {
		c.langMap("parentOrganization.name", p.ParentOrganization.Name, maxName, true)
		c.httpURL("parentOrganization.url", p.ParentOrganization.URL, false)
	}
	switch {
	case p.Country == "":
		c.add("country", "is required (ISO 3166-1 alpha-2 code, EU or INT)")
	case !ValidCountry(p.Country):
		c.add("country", "%q is not an ISO 3166-1 alpha-2 code, EU or INT", p.Country)
	}
	switch {
	case p.GovernmentLevel == "":
		c.add("governmentLevel", "is required (one of %s)", strings.Join(governmentLevels, ", "))
	case !contains(governmentLevels, p.GovernmentLevel):
		c.add("governmentLevel", "%q is not one of %s", p.GovernmentLevel, strings.Join(governmentLevels, ", "))
	}
	if p.Founded != "" {
		if !foundedRe.MatchString(p.Founded) || !validPartialDate(p.Founded) {
			c.add("founded", "must be a year (2022) or a date (2022-06-01)")
		}
	}
	if len(p.SupportAreas) > len(supportAreas) {
		c.add("supportAreas", "lists more areas than exist")
	}
	seen := map[string]bool{}
	for i, a := range p.SupportAreas {
		f := fmt.Sprintf("supportAreas[%d]", i)
		if !contains(supportAreas, a) {
			c.add(f, "%q is not one of %s", a, strings.Join(supportAreas, ", "))
		} else if seen[a] {
			c.add(f, "%q is listed twice", a)
		}
		seen[a] = true
	}
	c.httpURL("website", p.Website, false)
	c.email("email", p.Email)
	c.urlList("codeForges", p.CodeForges)
	c.httpURL("flossPolicy", p.FlossPolicy, false)
	if p.TeamSize != nil && (*p.TeamSize < 0 || *p.TeamSize > 100000) {
		c.add("teamSize", "must be between 0 and 100000")
	}
	if len(p.Identifiers) > maxListItems {
		c.add("identifiers", "has too many items (at most %d)", maxListItems)
	}
	for i, id := range p.Identifiers {
		f := fmt.Sprintf("identifiers[%d]", i)
		if !schemeRe.MatchString(id.Scheme) {
			c.add(f+".scheme", "must be a short lower-case name such as wikidata")
		}
		if !identValueRe.MatchString(id.Value) {
			c.add(f+".value", "is required (at most 200 characters)")
		}
		c.httpURL(f+".url", id.URL, false)
	}
	c.place("location", p.Location)
	c.httpURL("logo", p.Logo, false)
	if len(p.Memberships) > maxListItems {
		c.add("memberships", "has too many items (at most %d)", maxListItems)
	}
	for i, m := range p.Memberships {
		f := fmt.Sprintf("memberships[%d]", i)
		c.langMap(f+".name", m.Name, maxName, true)
		c.httpURL(f+".url", m.URL, false)
	}
	return c.err()
}

func (c *checker) urlList(field string, list []string) {
	if len(list) > maxListItems {
		c.add(field, "has too many items (at most %d)", maxListItems)
		return
	}
	for i, u := range list {
		c.httpURL(fmt.Sprintf("%s[%d]", field, i), u, true)
	}
}

func (c *checker) place(field string, p *Place) {
	if p == nil {
		return
	}
	c.text(field+".name", p.Name, maxName, false)
	if a := p.Address; a != nil {
		c.text(field+".address.streetAddress", a.StreetAddress, maxName, false)
		c.text(field+".address.postalCode", a.PostalCode, 32, false)
		c.text(field+".address.addressLocality", a.AddressLocality, maxName, false)
		c.text(field+".address.addressRegion", a.AddressRegion, maxName, false)
		if a.AddressCountry != "" && !ValidCountry(a.AddressCountry) {
			c.add(field+".address.addressCountry", "%q is not an ISO 3166-1 alpha-2 code", a.AddressCountry)
		}
	}
	if (p.Latitude == nil) != (p.Longitude == nil) {
		c.add(field, "latitude and longitude go together")
	}
	if p.Latitude != nil && (*p.Latitude < -90 || *p.Latitude > 90) {
		c.add(field+".latitude", "must be between -90 and 90")
	}
	if p.Longitude != nil && (*p.Longitude < -180 || *p.Longitude > 180) {
		c.add(field+".longitude", "must be between -180 and 180")
	}
	if p.Name == "" && p.Address == nil && p.Latitude == nil {
		c.add(field, "needs a name, an address or coordinates")
	}
}

func validPartialDate(s string) bool {
	layout := map[int]string{4: "2006", 7: "2006-01", 10: "2006-01-02"}[len(s)]
	_, err := time.Parse(layout, s)
	return err == nil
}

// Profile returns the stored profile, or ErrNotFound before one is set.
func (s *Store) Profile(ctx context.Context) (*Profile, error) {
	var doc, created, updated string
	err := s.readRow(ctx,
		`SELECT doc, created_at, updated_at FROM profile WHERE id = 1`).Scan(&doc, &created, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	p := &Profile{}
	if err := json.Unmarshal([]byte(doc), p); err != nil {
		return nil, fmt.Errorf("store: stored profile: %w", err)
	}
	p.Published, p.Updated = parseTime(created), parseTime(updated)
	return p, nil
}

// PutProfile stores the profile (already validated) and sets its timestamps.
func (t *Tx) PutProfile(ctx context.Context, p *Profile) error {
	p.Published, p.Updated = time.Time{}, time.Time{}
	doc, err := json.Marshal(p)
	if err != nil {
		return err
	}
	now := fmtTime(t.now)
	if _, err := t.tx.ExecContext(ctx,
		`INSERT INTO profile (id, doc, created_at, updated_at) VALUES (1, ?, ?, ?)
		 ON CONFLICT (id) DO UPDATE SET doc = excluded.doc, updated_at = excluded.updated_at`,
		string(doc), now, now); err != nil {
		return err
	}
	return t.tx.QueryRowContext(ctx, `SELECT created_at, updated_at FROM profile WHERE id = 1`).
		Scan(scanTime(&p.Published), scanTime(&p.Updated))
}

// timeScanner scans a stored timestamp into a time.Time.
type timeScanner struct{ t *time.Time }

func scanTime(t *time.Time) *timeScanner { return &timeScanner{t} }

func (ts *timeScanner) Scan(v any) error {
	switch x := v.(type) {
	case string:
		*ts.t = parseTime(x)
	case nil:
		*ts.t = time.Time{}
	default:
		return fmt.Errorf("store: timestamp of type %T", v)
	}
	return nil
}
