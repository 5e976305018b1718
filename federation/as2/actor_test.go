package as2_test

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"reflect"
	"strings"
	"testing"
	"time"

	vocab "github.com/go-ap/activitypub"

	"github.com/ospod/ospod/federation/as2"
)

func TestActor(t *testing.T) {
	pemText := publicKeyPEM(t)
	doc, err := as2.Actor(testURLs, exampleProfile(t), "ospo", pemText)
	if err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "actor.golden.json", doc)

	// Core ActivityStreams fields, as a go-ap based peer reads them.
	it, err := vocab.UnmarshalJSON(doc)
	if err != nil || vocab.IsNil(it) {
		t.Fatalf("vocab.UnmarshalJSON: %v, %v", it, err)
	}
	a, err := vocab.ToActor(it)
	if err != nil {
		t.Fatal(err)
	}
	actor := testBase + "/actor"
	core := []struct{ field, got, want string }{
		{"type", string(a.Type), "Organization"},
		{"id", string(a.ID), actor},
		{"url", a.URL.GetLink().String(), actor},
		{"inbox", a.Inbox.GetLink().String(), actor + "/inbox"},
		{"outbox", a.Outbox.GetLink().String(), actor + "/outbox"},
		{"followers", a.Followers.GetLink().String(), actor + "/followers"},
		{"following", a.Following.GetLink().String(), actor + "/following"},
		{"preferredUsername", nlv(a.PreferredUsername), "ospo"},
		{"name", nlv(a.Name), "Open Source Program Office of the City of Exampleton"},
		{"summary", nlv(a.Summary), "<p>We help the city&#39;s departments use, publish and contribute to open source software.</p>"},
		{"publicKey.id", string(a.PublicKey.ID), actor + "#main-key"},
		{"publicKey.owner", a.PublicKey.Owner.String(), actor},
		{"publicKey.publicKeyPem", a.PublicKey.PublicKeyPem, pemText},
		{"published", a.Published.Format(time.RFC3339), "2026-11-25T09:30:00Z"},
		{"updated", a.Updated.Format(time.RFC3339), "2026-11-25T09:30:00Z"},
	}
	for _, c := range core {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.field, c.got, c.want)
		}
	}
	if a.Endpoints == nil || a.Endpoints.SharedInbox.GetLink().String() != testBase+"/inbox" {
		t.Errorf("endpoints.sharedInbox = %+v, want %s/inbox", a.Endpoints, testBase)
	}
	if icon, err := vocab.ToObject(a.Icon); err != nil || icon.Type != vocab.ImageType || icon.URL.GetLink().String() != "https://opensource.exampleton.example/logo.png" {
		t.Errorf("icon = %+v (%v), want an Image of the logo", a.Icon, err)
	}
	if block, _ := pem.Decode([]byte(a.PublicKey.PublicKeyPem)); block == nil {
		t.Errorf("publicKeyPem is not PEM: %q", a.PublicKey.PublicKeyPem)
	} else if key, err := x509.ParsePKIXPublicKey(block.Bytes); err != nil || key.(*rsa.PublicKey).N.BitLen() != 2048 {
		t.Errorf("publicKeyPem: %v (key %v)", err, key)
	}

	// What go-ap drops, read as plain JSON.
	m := jsonObj(t, doc)
	ctxList, ok := m["@context"].([]any)
	if !ok || len(ctxList) < 3 || ctxList[0] != "https://www.w3.org/ns/activitystreams" || ctxList[1] != "https://w3id.org/security/v1" {
		t.Errorf("@context = %v, want ActivityStreams, security/v1 and a term map", m["@context"])
	}
	if terms, _ := ctxList[len(ctxList)-1].(map[string]any); terms["ospo"] != as2.OSPONamespace || terms["schema"] != "http://schema.org#" {
		t.Errorf("@context term map lacks ospo or schema: %v", terms)
	}
	wantNameMap := map[string]any{
		"en": "Open Source Program Office of the City of Exampleton",
		"fr": "Bureau du logiciel libre de la Ville d'Exampleton",
		"de": "Open-Source-Büro der Stadt Exampleton",
	}
	if !reflect.DeepEqual(m["nameMap"], wantNameMap) {
		t.Errorf("nameMap = %v", m["nameMap"])
	}
	if got := str(t, m, "summaryMap", "fr"); got != "<p>Nous aidons les services de la ville à utiliser, publier et contribuer au logiciel libre.</p>" {
		t.Errorf("summaryMap.fr = %q", got)
	}
	plain := []struct {
		keys []string
		want any
	}{
		{[]string{"manuallyApprovesFollowers"}, false},
		{[]string{"discoverable"}, true},
		{[]string{"featured"}, testBase + "/actor/featured"},
		{[]string{"upcomingEvents"}, testBase + "/actor/upcoming-events"},
		{[]string{"ospo:country"}, "FR"},
		{[]string{"ospo:governmentLevel"}, "municipal"},
		{[]string{"ospo:founded"}, "2023-03-14"},
		{[]string{"ospo:teamSize"}, 4.0},
		{[]string{"ospo:website"}, "https://opensource.exampleton.example"},
		{[]string{"ospo:flossPolicy"}, "https://opensource.exampleton.example/policy"},
		{[]string{"ospo:parentOrganization", "url"}, "https://www.exampleton.example"},
		{[]string{"ospo:memberOf", "1", "url"}, "https://ospo-alliance.org"},
		{[]string{"ospo:identifiers", "0", "value"}, "Q4115189"},
		{[]string{"location", "type"}, "Place"},
		{[]string{"location", "address", "type"}, "PostalAddress"},
		{[]string{"location", "address", "postalCode"}, "99000"},
		{[]string{"location", "latitude"}, 48.8566},
		{[]string{"tag", "0", "type"}, "Hashtag"},
		{[]string{"tag", "0", "name"}, "#ospo_strategy"},
	}
	for _, c := range plain {
		if got := jpath(t, m, c.keys...); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s = %#v, want %#v", strings.Join(c.keys, "."), got, c.want)
		}
	}
	if got := strs(t, m, "ospo:supportAreas"); !reflect.DeepEqual(got, []string{"strategy", "licensing", "development-release", "training", "ecosystem-relations"}) {
		t.Errorf("ospo:supportAreas = %q", got)
	}
	if got := str(t, m, "ospo:mandate"); !strings.HasPrefix(got, "<p>Set up by the <strong>city council</strong>") || !strings.Contains(got, "<li>") {
		t.Errorf("ospo:mandate is not the rendered Markdown: %q", got)
	}
	// Mastodon's profile fields.
	fields := map[string]string{}
	for _, pv := range jpath(t, m, "attachment").([]any) {
		pv := pv.(map[string]any)
		if pv["type"] != "PropertyValue" {
			t.Errorf("attachment of type %v, want PropertyValue", pv["type"])
		}
		fields[pv["name"].(string)] = pv["value"].(string)
	}
	wantFields := map[string]string{
		"Country": "FR",
		"Level":   "municipal",
		"Website": `<a href="https://opensource.exampleton.example" rel="me nofollow noopener" target="_blank">opensource.exampleton.example</a>`,
		"Email":   `<a href="mailto:ospo@exampleton.example">ospo@exampleton.example</a>`,
	}
	for k, v := range wantFields {
		if fields[k] != v {
			t.Errorf("PropertyValue %s = %q, want %q", k, fields[k], v)
		}
	}
}
