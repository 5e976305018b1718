package store_test

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"

	"github.com/ospod/ospod/store"
)

func TestDecodeJSON(t *testing.T) {
	tests := []struct {
		name, body string
		want       []string // invalid fields, in order
	}{
		{"a valid document", `{"name": {"en": "x"}, "teamSize": 3, "website": "https://a.example"}`, nil},
		{"four wrongly typed fields, all reported", `{"name": 1, "teamSize": "three", "supportAreas": "adoption", "manuallyApprovesFollowers": "yes"}`,
			[]string{"name", "supportAreas", "teamSize", "manuallyApprovesFollowers"}},
		{"nested paths", `{"location": {"name": 5, "address": {"postalCode": 1000}, "latitude": "north"}, "identifiers": [{"scheme": "x", "value": 2}]}`,
			[]string{"identifiers[0].value", "location.name", "location.address.postalCode", "location.latitude"}},
		{"unknown fields with the wrong ones", `{"nmae": "x", "country": 5, "zz": 1}`, []string{"country", "nmae", "zz"}},
		{"a key given twice", `{"name": "x", "country": "FR", "name": "y"}`, []string{"name"}},
		{"a nested key given twice", `{"name": {"en": "x", "en": "y"}, "location": {"address": {"postalCode": "1", "postalCode": "2"}}}`,
			[]string{"name.en", "location.address.postalCode"}},
		{"not an object", `[1, 2]`, []string{"(document)"}},
		{"read-only fields ignored", `{"name": "x", "published": 5, "actor": "https://a.example/actor"}`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var p store.Profile
			err := store.DecodeJSON([]byte(tt.body), &p, "actor", "published")
			var ve *store.ValidationError
			var got []string
			if errors.As(err, &ve) {
				for _, f := range ve.Fields {
					got = append(got, f.Field)
				}
			} else if err != nil {
				t.Fatalf("error %v is not a ValidationError", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("fields %q, want %q (%v)", got, tt.want, err)
			}
		})
	}
	var p store.Profile
	var se *json.SyntaxError
	if err := store.DecodeJSON([]byte(`{"name": "x",}`), &p); !errors.As(err, &se) {
		t.Errorf("invalid JSON: %v, want a SyntaxError", err)
	}
	if err := store.DecodeJSON([]byte(`{"name": {"en": "OSPO"}, "teamSize": 4, "location": {"latitude": 1.5, "longitude": 2}}`), &p); err != nil ||
		p.Name["en"] != "OSPO" || *p.TeamSize != 4 || *p.Location.Latitude != 1.5 {
		t.Errorf("decoded %+v, %v", p, err)
	}
}
