package as2

import (
	"encoding/json"
	"testing"
)

func TestCanonicalURL(t *testing.T) {
	for in, want := range map[string]string{
		"https://example.org/users/a":          "https://example.org/users/a",
		"HTTP://example.org/a":                 "http://example.org/a",
		"https://Example.ORG/a":                "https://example.org/a",
		"https://example.org:443/a":            "https://example.org/a",
		"http://example.org:80/a":              "http://example.org/a",
		"https://example.org:80/a":             "https://example.org:80/a",
		"http://example.org:8080/a":            "http://example.org:8080/a",
		"https://example.org./a":               "https://example.org/a",
		"https://example.org/%7Ealice":         "https://example.org/~alice",
		"https://example.org/caf%c3%a9":        "https://example.org/caf%C3%A9",
		"https://example.org/a%2fb":            "https://example.org/a%2Fb",
		"https://example.org/jöhn":             "https://example.org/jöhn",
		"https://example.org/A/B?X=%41#Frag":   "https://example.org/A/B?X=A#Frag",
		"https://[2001:db8::1]:443/a":          "https://[2001:db8::1]/a",
		"https://[2001:db8::1]/a":              "https://[2001:db8::1]/a",
		"https://example.org:443":              "https://example.org",
		"https://example.org/users/a#main-key": "https://example.org/users/a#main-key",
	} {
		if got := CanonicalURL(in); got != want {
			t.Errorf("CanonicalURL(%q) = %q, want %q", in, got, want)
		}
		if err := CheckID(in); (err == nil) != (in == want) {
			t.Errorf("CheckID(%q) = %v", in, err)
		}
	}
}

func TestCheckContext(t *testing.T) {
	for doc, ok := range map[string]bool{
		`{}`: true,
		`{"@context":"https://www.w3.org/ns/activitystreams"}`:                     true,
		`{"@context":{"ospo":"https://ospod.org/ns#"}}`:                            true,
		`{"@context":["https://www.w3.org/ns/activitystreams",{"a":"https://x"}]}`: true,
		`{"@context":42}`:      false,
		`{"@context":null}`:    false,
		`{"@context":true}`:    false,
		`{"@context":""}`:      false,
		`{"@context":["a",1]}`: false,
		`{"@context":[null]}`:  false,
		`{"@context":[["a"]]}`: false,
	} {
		var m map[string]json.RawMessage
		if err := json.Unmarshal([]byte(doc), &m); err != nil {
			t.Fatal(err)
		}
		if err := CheckContext(m); (err == nil) != ok {
			t.Errorf("CheckContext(%s) = %v, want ok %v", doc, err, ok)
		}
	}
}
