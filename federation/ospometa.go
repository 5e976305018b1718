package federation

import (
	"bytes"
	"context"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/ospod/ospod/store"
)

// OSPOmetaEntry is one OSPO in the OSPOmeta YAML format used by the
// FLOSS-PSO directory: a map from the OSPO's URL to these fields.
type OSPOmetaEntry struct {
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

// OSPOmetaFor converts a profile to an OSPOmeta entry and its key (the OSPO's URL).
func OSPOmetaFor(p *store.Profile, fallbackURL string) (string, OSPOmetaEntry) {
	lang := p.DefaultLanguage()
	name, _ := p.Name.Best(lang, lang)
	e := OSPOmetaEntry{
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

// OSPOmeta returns the node's own OSPO as an OSPOmeta YAML document.
// Before the administrator sets a profile there is nothing valid to
// publish: store.ErrNotFound.
func (n *Node) OSPOmeta(ctx context.Context) ([]byte, error) {
	p, err := n.st.Profile(ctx)
	if err != nil {
		return nil, err
	}
	key, e := OSPOmetaFor(p, n.URLs.Actor)
	e.Actor, e.Account = n.URLs.Actor, n.Account()
	var buf bytes.Buffer
	buf.WriteString("# OSPOmeta (https://floss-pso.network) description of this OSPO, served by ospod.\n")
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(map[string]OSPOmetaEntry{key: e}); err != nil {
		return nil, err
	}
	return buf.Bytes(), enc.Close()
}

// OSPOmetaDirectory renders directory entries as one OSPOmeta document, so
// a FLOSS-PSO-style list can be rebuilt from any node. Each OSPO is keyed
// by its website as OSPOmetaFor does (the actor id when it has none, or
// when several OSPOs give the same website). header becomes comment lines
// at the top (e.g. the licence).
func OSPOmetaDirectory(entries []*store.DirectoryEntry, header string) ([]byte, error) {
	seen := map[string]int{}
	for _, d := range entries {
		key, _ := OSPOmetaFor(d.Profile, d.ID)
		seen[key]++
	}
	doc := make(map[string]OSPOmetaEntry, len(entries))
	for _, d := range entries {
		key, e := OSPOmetaFor(d.Profile, d.ID)
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
