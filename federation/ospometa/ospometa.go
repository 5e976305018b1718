// Package ospometa reads and writes OSPOmeta, the YAML format of the
// FLOSS-PSO directory of public-sector OSPOs: a map from each OSPO's URL to
// its name, country, description, email, created, floss_policy and code.
// The YAML library lives here and nowhere else.
package ospometa

import (
	"bytes"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/ospod/ospod/store"
)

// Entry is one OSPO in the OSPOmeta YAML format used by the
// FLOSS-PSO directory: a map from the OSPO's URL to these fields.
type Entry struct {
	Name        string            `yaml:"name"`
	Country     string            `yaml:"country"`
	Description map[string]string `yaml:"description,omitempty"`
	Email       string            `yaml:"email,omitempty"`
	Created     string            `yaml:"created,omitempty"`
	FlossPolicy string            `yaml:"floss_policy,omitempty"`
	Code        []string          `yaml:"code,omitempty"`
	// Fields beyond OSPOmeta 0.0.1, ignored by readers that do not know them.
	Level    string `yaml:"level,omitempty"`
	Actor    string `yaml:"activitypub_actor,omitempty"`
	Account  string `yaml:"fediverse,omitempty"`
	Language string `yaml:"language,omitempty"`
	// Source and Licence tell where a node got the entry and under which
	// terms, when known (set in directory exports only).
	Source  string `yaml:"source,omitempty"`
	Licence string `yaml:"licence,omitempty"`
}

// For converts a profile to an OSPOmeta entry and its key (the OSPO's URL).
func For(p *store.Profile, fallbackURL string) (string, Entry) {
	lang := p.DefaultLanguage()
	name, _ := p.Name.Best(lang, lang)
	e := Entry{
		Name: name, Country: p.Country, Email: p.Email, Created: p.Founded,
		FlossPolicy: p.FlossPolicy, Code: p.CodeForges, Level: p.GovernmentLevel, Language: p.Language,
	}
	if len(p.Summary) > 0 {
		e.Description = map[string]string(p.Summary)
	}
	key := p.Website
	if key == "" {
		key = fallbackURL
	}
	return key, e
}

// Document renders one OSPO as an OSPOmeta document, keyed by its website
// (fallbackURL when it has none); actor and account name its node.
func Document(p *store.Profile, fallbackURL, actor, account string) ([]byte, error) {
	key, e := For(p, fallbackURL)
	e.Actor, e.Account = actor, account
	return encode("OSPOmeta (https://floss-pso.network) description of this OSPO, served by ospod.",
		map[string]Entry{key: e})
}

// Directory renders directory entries as one OSPOmeta document, so
// a FLOSS-PSO-style list can be rebuilt from any node. Each OSPO is keyed
// by its website as For does (the actor id when it has none, or
// when several OSPOs give the same website). header becomes comment lines
// at the top (e.g. the licence).
func Directory(entries []*store.DirectoryEntry, header string) ([]byte, error) {
	seen := map[string]int{}
	for _, d := range entries {
		key, _ := For(d.Profile, d.ID)
		seen[key]++
	}
	doc := make(map[string]Entry, len(entries))
	for _, d := range entries {
		key, e := For(d.Profile, d.ID)
		if seen[key] > 1 {
			key = d.ID
		}
		if _, taken := doc[key]; taken { // another OSPO's website is this actor id
			key = d.ID + "#" + d.Slug
		}
		if d.Kind != store.KindListed {
			e.Actor, e.Account = d.ID, d.Account
		}
		e.Source, e.Licence = d.Source, d.Licence
		doc[key] = e
	}
	return encode(header, doc)
}

// encode writes header as comment lines, then doc as YAML indented by two.
func encode(header string, doc map[string]Entry) ([]byte, error) {
	var buf bytes.Buffer
	for _, line := range strings.Split(strings.TrimSpace(header), "\n") {
		buf.WriteString(strings.TrimRight("# "+line, " ") + "\n")
	}
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(doc); err != nil {
		return nil, err
	}
	return buf.Bytes(), enc.Close()
}
