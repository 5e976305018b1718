package federation_test

import (
	"testing"

	"github.com/ospod/ospod/federation"
	"github.com/ospod/ospod/store"
)

func TestActorFactsAndListedFollower(t *testing.T) {
	tests := []struct {
		name   string
		doc    string
		ospo   bool
		want   federation.ActorFacts
		listed bool
	}{
		{"an OSPO", `{"name":"City OSPO"}`, true, federation.ActorFacts{Name: "City OSPO", Discoverable: true}, true},
		{"an OSPO that opts out", `{"name":"City OSPO","discoverable":false}`, true, federation.ActorFacts{Name: "City OSPO"}, false},
		{"a person", `{"name":"Ann","discoverable":true}`, false, federation.ActorFacts{Name: "Ann", Discoverable: true}, false},
		{"a name of another type", `{"name":{"en":"x"},"discoverable":null}`, true, federation.ActorFacts{Discoverable: true}, true},
		{"no document", ``, true, federation.ActorFacts{Discoverable: true}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := &store.Actor{ID: "https://x.example/actor", IsOSPO: tt.ospo, Doc: tt.doc}
			if got := federation.ReadActorFacts(a); got != tt.want {
				t.Errorf("ReadActorFacts = %+v, want %+v", got, tt.want)
			}
			if got := federation.ListedFollower(a); got != tt.listed {
				t.Errorf("ListedFollower = %v, want %v", got, tt.listed)
			}
		})
	}
}
