package ospometa

import (
	"errors"
	"testing"

	"github.com/ospod/ospod/store"
)

// FuzzParse: the OSPOmeta importer never panics on a list from elsewhere.
// Entries come in strict key order; each has a profile or the reasons it has
// none; and a profile imported without issues still passes the profile's own
// validation after its normalisation (bar the level OSPOmeta lacks).
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"https://ospo.city.example:\n  name: City OSPO\n  country: fr\n  description: {en: Our office, fr: Notre bureau}\n  code: [https://git.city.example]\n  created: 2022-06-01\n",
		"https://broken.example:\n  name: \"\"\n  country: Atlantis\n  email: not-an-address\n",
		"https://a.example:\n  name: A\n  country: EU\n  description: one text\n  email: a@a.example\n  floss_policy: https://a.example/p\n  level: municipal\n  language: fr-fr\n",
		"a: &x [*x]\n", "- a list\n", "https://a.example: 3\n", "{}", "https://a.example:\n  name: [1]\n  created: 2022\n",
		"? [a, b]\n: c\n", "x: &a {name: A}\ny: *a\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		list, err := Parse(data)
		if err != nil {
			return
		}
		if len(list) > MaxEntries {
			t.Fatalf("%d entries", len(list))
		}
		for i, l := range list {
			if i > 0 && list[i-1].Key >= l.Key {
				t.Fatalf("keys out of order: %q then %q", list[i-1].Key, l.Key)
			}
			if l.Profile == nil && len(l.Issues) == 0 {
				t.Fatalf("entry %q has neither a profile nor issues", l.Key)
			}
			if l.Profile == nil || len(l.Issues) > 0 {
				continue
			}
			if err := l.Profile.Validate(); err != nil {
				var ve *store.ValidationError
				if !errors.As(err, &ve) {
					t.Fatalf("entry %q: %v", l.Key, err)
				}
				for _, fe := range ve.Fields {
					if fe.Field != "governmentLevel" || l.Profile.GovernmentLevel != "" {
						t.Fatalf("entry %q imported without issues, but its profile fails validation: %v", l.Key, err)
					}
				}
			}
		}
	})
}
