package store

import (
	"strings"
	"time"
	"unicode/utf8"
)

// CleanRemote makes a profile received from another server safe to index:
// normalised, with every field that fails validation dropped rather than the
// whole profile refused (remote servers are untrusted, but one bad URL
// should not hide an OSPO). It reports false when nothing usable (no name) is left.
func (p *Profile) CleanRemote() bool {
	p.Normalize()
	for range 3 { // clearing a field can only remove errors; a few passes settle it
		err := p.Validate()
		ve, ok := err.(*ValidationError)
		if !ok {
			break
		}
		for _, f := range ve.Fields {
			p.clearField(topField(f.Field))
		}
	}
	return len(p.Name) > 0
}

func topField(path string) string {
	if i := strings.IndexAny(path, ".["); i >= 0 {
		return path[:i]
	}
	return path
}

func (p *Profile) clearField(name string) {
	switch name {
	case "name":
		p.Name = nil
	case "summary":
		p.Summary = nil
	case "mandate":
		p.Mandate = nil
	case "language":
		p.Language = ""
	case "parentOrganization":
		p.ParentOrganization = nil
	case "country":
		if !ValidCountry(p.Country) {
			p.Country = ""
		}
	case "governmentLevel":
		if !contains(governmentLevels, p.GovernmentLevel) {
			p.GovernmentLevel = ""
		}
	case "founded":
		p.Founded = ""
	case "supportAreas":
		var keep []string
		seen := map[string]bool{}
		for _, a := range p.SupportAreas {
			if contains(supportAreas, a) && !seen[a] {
				keep = append(keep, a)
				seen[a] = true
			}
		}
		p.SupportAreas = keep
	case "website":
		p.Website = ""
	case "email":
		p.Email = ""
	case "codeForges":
		p.CodeForges = nil
	case "flossPolicy":
		p.FlossPolicy = ""
	case "teamSize":
		p.TeamSize = nil
	case "identifiers":
		p.Identifiers = nil
	case "location":
		p.Location = nil
	case "logo":
		p.Logo = ""
	case "memberships":
		p.Memberships = nil
	}
}

// CleanRemote makes an event received from another server safe to index,
// dropping invalid optional fields. It reports false when the event cannot
// be used (no name, or no valid start and end).
func (e *Event) CleanRemote(defaultLang string) bool {
	e.Normalize(defaultLang)
	if e.Timezone == "" {
		e.Timezone = "UTC"
	}
	// Another server's offsets are taken as given: its instants, shown
	// in its time zone (only a person's own input is refused for them).
	for _, v := range []*string{&e.StartTime, &e.EndTime} {
		if t, err := time.Parse(time.RFC3339, *v); err == nil {
			*v = t.UTC().Format(time.RFC3339)
		}
	}
	for range 3 {
		err := e.Validate()
		ve, ok := err.(*ValidationError)
		if !ok {
			return err == nil
		}
		for _, f := range ve.Fields {
			switch topField(f.Field) {
			case "name", "startTime", "endTime":
				return false
			case "timezone":
				e.Timezone = "UTC"
			case "description":
				e.Description = nil
			case "status":
				e.Status = "scheduled"
			case "location":
				e.Location = nil
			case "online":
				e.Online = nil
			case "language":
				e.Language = ""
			case "tags":
				e.Tags = nil
			case "category":
				e.Category = ""
			case "registrationUrl":
				e.RegistrationURL = ""
			case "image":
				e.Image = ""
			}
		}
	}
	return e.Validate() == nil
}

// clipText cuts s to at most max bytes on a character boundary, so that a
// stored message (a remote server's error text) stays valid UTF-8.
func clipText(s string, max int) string {
	if len(s) <= max {
		return s
	}
	s = s[:max]
	for len(s) > 0 && !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s
}
