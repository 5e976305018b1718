package ospometa

import (
	"errors"
	"fmt"
	"net/mail"
	"sort"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/ospod/ospod/store"
)

// MaxEntries bounds one list.
const MaxEntries = 10000

// Issue is one entry of a list that cannot be imported, and why.
type Issue struct {
	Entry  string `json:"entry"`
	Field  string `json:"field,omitempty"`
	Reason string `json:"reason"`
}

// String is the issue as one line of a report.
func (i Issue) String() string {
	if i.Field != "" {
		return fmt.Sprintf("%s: %s: %s", i.Entry, i.Field, i.Reason)
	}
	return fmt.Sprintf("%s: %s", i.Entry, i.Reason)
}

// Listed is one entry of a list: its key (the OSPO's URL) and, when it is
// valid, its profile; otherwise the reasons it is not.
type Listed struct {
	Key     string
	Profile *store.Profile
	Issues  []Issue
}

// Parse reads an OSPOmeta list and checks each entry, in the order of their
// keys. A document that is not a map of entries, or that has more than
// MaxEntries, is an error; a broken entry only has Issues.
func Parse(data []byte) ([]Listed, error) {
	var doc map[string]yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("not an OSPOmeta YAML document: %w", err)
	}
	if len(doc) > MaxEntries {
		return nil, fmt.Errorf("the list has %d entries, more than %d", len(doc), MaxEntries)
	}
	keys := make([]string, 0, len(doc))
	for k := range doc {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]Listed, 0, len(keys))
	for _, key := range keys {
		node := doc[key]
		p, issues := profileOf(key, &node)
		out = append(out, Listed{Key: key, Profile: p, Issues: issues})
	}
	return out, nil
}

// listEntry is one OSPO of an OSPOmeta list.
type listEntry struct {
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

// profileOf checks one entry and turns it into a profile.
func profileOf(key string, node *yaml.Node) (*store.Profile, []Issue) {
	var issues []Issue
	bad := func(field, reason string) {
		issues = append(issues, Issue{Entry: key, Field: field, Reason: reason})
	}
	if err := store.CheckHTTPURL(key); err != nil {
		bad("", "the entry's key (the OSPO's URL) "+err.Error())
	}
	var e listEntry
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
	var ok bool
	if p.Summary, ok = description(&e.Description); !ok {
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

// description reads OSPOmeta's description: one text, or a map from
// language codes to texts; false when it is neither.
func description(n *yaml.Node) (store.LangMap, bool) {
	switch n.Kind {
	case 0:
		return nil, true
	case yaml.ScalarNode:
		return store.LangMap{store.UndeterminedLanguage: n.Value}, true
	case yaml.MappingNode:
		m := map[string]string{}
		err := n.Decode(&m)
		return store.LangMap(m), err == nil
	}
	return nil, false
}
