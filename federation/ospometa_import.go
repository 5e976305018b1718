package federation

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"sort"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/ospod/ospod/store"
)

// ImportReport says what an OSPOmeta import did.
type ImportReport struct {
	Imported []string      `json:"imported"`
	Skipped  []ImportIssue `json:"skipped"`
	Errors   []ImportIssue `json:"errors"`
}

// ImportIssue is one entry of a list that was not imported, and why.
type ImportIssue struct {
	Entry  string `json:"entry"`
	Field  string `json:"field,omitempty"`
	Reason string `json:"reason"`
}

func (i ImportIssue) String() string {
	if i.Field != "" {
		return fmt.Sprintf("%s: %s: %s", i.Entry, i.Field, i.Reason)
	}
	return fmt.Sprintf("%s: %s", i.Entry, i.Reason)
}

// maxImportEntries bounds one list.
const maxImportEntries = 10000

// ImportOSPOmeta reads an OSPOmeta YAML list (FLOSS-PSO's format: a map from
// each OSPO's URL to name, country, description, email, created,
// floss_policy, code) and lists its valid entries in the directory as
// "listed", with their source and licence. Broken entries are reported one
// by one and the rest imported. An OSPO already in the directory through its
// own node is skipped: the federated entry wins.
func (n *Node) ImportOSPOmeta(ctx context.Context, data []byte, source, licence string) (*ImportReport, error) {
	var doc map[string]yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("not an OSPOmeta YAML document: %w", err)
	}
	if len(doc) > maxImportEntries {
		return nil, fmt.Errorf("the list has %d entries, more than %d", len(doc), maxImportEntries)
	}
	rep := &ImportReport{Imported: []string{}, Skipped: []ImportIssue{}, Errors: []ImportIssue{}}
	keys := make([]string, 0, len(doc))
	for k := range doc {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	federated := map[string]bool{}
	entries, err := n.st.DirectoryEntries(ctx)
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		if e.Kind != store.KindListed && e.Profile.Website != "" {
			federated[strings.TrimSuffix(e.Profile.Website, "/")] = true
		}
	}
	var good []*store.DirectoryEntry
	for _, key := range keys {
		node := doc[key]
		p, issues := ospometaProfile(key, &node)
		if len(issues) > 0 {
			rep.Errors = append(rep.Errors, issues...)
			continue
		}
		if p, err := n.st.Peer(ctx, key); err == nil && p.State == store.PeerDismissed {
			rep.Skipped = append(rep.Skipped, ImportIssue{Entry: key, Reason: "removed from the directory by the administrator"})
			continue
		}
		if federated[strings.TrimSuffix(key, "/")] {
			rep.Skipped = append(rep.Skipped, ImportIssue{Entry: key, Reason: "already in the directory through its own node"})
			continue
		}
		good = append(good, &store.DirectoryEntry{ID: key, Kind: store.KindListed, Host: store.HostOf(key),
			Profile: p, Source: source, Licence: licence})
	}
	err = n.st.InTx(ctx, func(tx *store.Tx) error {
		for _, e := range good {
			if kind, err := tx.DirectoryKind(ctx, e.ID); err == nil && kind != store.KindListed {
				rep.Skipped = append(rep.Skipped, ImportIssue{Entry: e.ID, Reason: "already in the directory"})
				continue
			}
			if err := tx.PutDirectoryEntry(ctx, e); err != nil {
				return err
			}
			rep.Imported = append(rep.Imported, e.ID)
		}
		return nil
	})
	return rep, err
}

// ospometaEntry is one OSPO of an OSPOmeta list.
type ospometaEntry struct {
	Name        string    `yaml:"name"`
	Country     string    `yaml:"country"`
	Description yaml.Node `yaml:"description"`
	Email       string    `yaml:"email"`
	Created     string    `yaml:"created"`
	FlossPolicy string    `yaml:"floss_policy"`
	Code        []string  `yaml:"code"`
	Level       string    `yaml:"level"`
	Language    string    `yaml:"language"`
}

// ospometaProfile checks one entry and turns it into a profile.
func ospometaProfile(key string, node *yaml.Node) (*store.Profile, []ImportIssue) {
	var issues []ImportIssue
	bad := func(field, reason string) {
		issues = append(issues, ImportIssue{Entry: key, Field: field, Reason: reason})
	}
	if err := store.CheckHTTPURL(key); err != nil {
		bad("", "the entry's key (the OSPO's URL) "+err.Error())
	}
	var e ospometaEntry
	if err := node.Decode(&e); err != nil {
		bad("", "not a map of OSPOmeta fields: "+err.Error())
		return nil, issues
	}
	p := &store.Profile{Website: key, Language: e.Language}
	if strings.TrimSpace(e.Name) == "" {
		bad("name", "is required")
	}
	p.Name = store.LangMap{store.UndeterminedLanguage: e.Name}
	country := strings.ToUpper(strings.TrimSpace(e.Country))
	switch {
	case country == "":
		bad("country", "is required")
	case !store.ValidCountry(country):
		bad("country", fmt.Sprintf("%q is not an ISO 3166-1 alpha-2 code, EU or INT", e.Country))
	}
	p.Country = country
	switch e.Description.Kind {
	case 0:
	case yaml.ScalarNode:
		p.Summary = store.LangMap{store.UndeterminedLanguage: e.Description.Value}
	case yaml.MappingNode:
		m := map[string]string{}
		if err := e.Description.Decode(&m); err != nil {
			bad("description", "must be a text or a map of language codes to texts")
		}
		p.Summary = store.LangMap(m)
	default:
		bad("description", "must be a text or a map of language codes to texts")
	}
	if e.Email != "" {
		if a, err := mail.ParseAddress(e.Email); err != nil || a.Address != e.Email {
			bad("email", "is not an email address")
		}
		p.Email = e.Email
	}
	if e.Created != "" {
		if _, err := time.Parse("2006-01-02", e.Created); err != nil {
			if _, err := time.Parse("2006", e.Created); err != nil {
				bad("created", "must be an ISO 8601 date (2022-06-01)")
			}
		}
		p.Founded = e.Created
	}
	if e.FlossPolicy != "" {
		if err := store.CheckHTTPURL(e.FlossPolicy); err != nil {
			bad("floss_policy", err.Error())
		}
		p.FlossPolicy = e.FlossPolicy
	}
	for i, c := range e.Code {
		if err := store.CheckHTTPURL(c); err != nil {
			bad(fmt.Sprintf("code[%d]", i), err.Error())
		}
	}
	p.CodeForges = e.Code
	if e.Level != "" {
		p.GovernmentLevel = e.Level
	}
	if len(issues) > 0 {
		return nil, issues
	}
	// The remaining checks are the profile's own (lengths, language tags...).
	if err := p.Validate(); err != nil {
		var ve *store.ValidationError
		if errors.As(err, &ve) {
			for _, f := range ve.Fields {
				if f.Field == "governmentLevel" && e.Level == "" {
					continue // OSPOmeta has no level; a listed entry may lack it
				}
				bad(f.Field, f.Reason)
			}
		}
	}
	p.Normalize()
	return p, issues
}

// FetchList downloads a list (OSPOmeta YAML) from a URL within the usual
// bounds (size, time, private addresses, blocks).
func (n *Node) FetchList(ctx context.Context, url string) ([]byte, error) {
	if err := n.allowedURL(ctx, url); err != nil {
		return nil, err
	}
	return n.client.GetJSON(ctx, url, "application/yaml, text/yaml, text/plain;q=0.5, */*;q=0.1", nil)
}
