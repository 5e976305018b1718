package remote

import (
	"errors"
	"testing"
)

func TestFetchDocumentID(t *testing.T) {
	tests := []struct {
		in, id string // id "" = error
	}{
		{`{"id":"https://a.example/x"}`, "https://a.example/x"},
		{` {"type":"Note","id":"https://a.example/x","nested":{"id":"y","id":"z"}} `, "https://a.example/x"},
		{`{"i\u0064":"https://a.example/x"}`, "https://a.example/x"},
		{`{"id":"a","i\u0064":"b"}`, ""},
		{`{"id":""}`, ""},
		{`{"id":null}`, ""},
		{`{"id":["a"]}`, ""},
		{`{"id":{"id":"a"}}`, ""},
		{`{"Id":"a"}`, ""},
		{`{}`, ""},
		{`null`, ""},
		{`"a"`, ""},
		{``, ""},
		{`{"id":"a"} x`, ""},
		{`{"id":"a",}`, ""},
	}
	for _, tt := range tests {
		id, err := documentID([]byte(tt.in))
		if id != tt.id || (err == nil) != (tt.id != "") {
			t.Errorf("documentID(%s) = %q, %v; want %q", tt.in, id, err, tt.id)
		}
		if err != nil && !errors.Is(err, ErrInvalidDocument) {
			t.Errorf("documentID(%s): %v is not ErrInvalidDocument", tt.in, err)
		}
	}
}
