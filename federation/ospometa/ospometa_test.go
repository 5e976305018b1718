package ospometa

import (
	"strings"
	"testing"

	"github.com/ospod/ospod/store"
)

func TestForFallsBackToActor(t *testing.T) {
	p := &store.Profile{Name: store.LangMap{"fr": "Bureau", "en": "Office"}, Language: "fr", Country: "FR"}
	key, e := For(p, "https://node.example/actor")
	if key != "https://node.example/actor" || e.Name != "Bureau" || e.Country != "FR" || e.Description != nil {
		t.Errorf("For = %q, %+v", key, e)
	}
}

// TestParse: each entry is checked on its own; a broken one carries its
// issues by field, a good one its profile.
func TestParse(t *testing.T) {
	list, err := Parse([]byte(`
https://ospo.city.example:
  name: City OSPO
  country: fr
  description: {en: Our office, fr: Notre bureau}
  code: [https://git.city.example]
https://broken.example:
  name: ""
  country: Atlantis
  email: not-an-address
`))
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].Key != "https://broken.example" || list[1].Key != "https://ospo.city.example" {
		t.Fatalf("Parse = %+v, want two entries in key order", list)
	}
	var fields []string
	for _, i := range list[0].Issues {
		fields = append(fields, i.Field)
	}
	if got := strings.Join(fields, ","); got != "name,country,email" || list[0].Profile != nil {
		t.Errorf("broken entry: issues %q, profile %v", got, list[0].Profile)
	}
	good := list[1]
	if len(good.Issues) != 0 || good.Profile.Country != "FR" || good.Profile.Summary["fr"] != "Notre bureau" {
		t.Errorf("good entry: %+v %+v", good.Issues, good.Profile)
	}
	if _, err := Parse([]byte("- a list\n- not a map\n")); err == nil {
		t.Error("a YAML list parsed as OSPOmeta")
	}
}
