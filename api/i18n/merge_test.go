package i18n

import (
	"strings"
	"testing"
)

// TestMergeMessages: the catalogue's folders merge, and a key defined in
// two files is refused rather than one text silently winning.
func TestMergeMessages(t *testing.T) {
	msgs := map[string]string{}
	if err := mergeMessages(msgs, []byte(`{"a": "A", "b": "B"}`)); err != nil {
		t.Fatal(err)
	}
	if err := mergeMessages(msgs, []byte(`{"c": "C"}`)); err != nil || msgs["c"] != "C" || msgs["a"] != "A" {
		t.Fatalf("merge: %v %v", msgs, err)
	}
	err := mergeMessages(msgs, []byte(`{"d": "D", "b": "other", "a": "other"}`))
	if err == nil || !strings.Contains(err.Error(), "a, b") {
		t.Errorf("a key defined twice: %v", err)
	}
	if msgs["b"] != "B" {
		t.Errorf("the second definition replaced the first: %q", msgs["b"])
	}
	if err := mergeMessages(msgs, []byte(`["not", "an object"]`)); err == nil {
		t.Error("a file that is not an object was accepted")
	}
	// The admin folder is part of the catalogue.
	if !For("fr").Has("admin.events.timezone") {
		t.Error("the admin pages' messages are not loaded")
	}
}
