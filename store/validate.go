package store

import (
	"fmt"
	"net/mail"
	"net/url"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/language"
)

// FieldError names one invalid field of a document, by JSON path.
type FieldError struct {
	Field  string `json:"field"`
	Reason string `json:"reason"`
}

// ValidationError lists every invalid field of a document.
type ValidationError struct {
	Fields []FieldError
}

func (e *ValidationError) Error() string {
	parts := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		parts[i] = f.Field + ": " + f.Reason
	}
	return "invalid document: " + strings.Join(parts, "; ")
}

// checker collects field errors while a document is validated.
type checker struct{ errs []FieldError }

func (c *checker) add(field, format string, args ...any) {
	c.errs = append(c.errs, FieldError{Field: field, Reason: fmt.Sprintf(format, args...)})
}

func (c *checker) err() error {
	if len(c.errs) == 0 {
		return nil
	}
	return &ValidationError{Fields: c.errs}
}

// text checks a plain string's length in characters.
func (c *checker) text(field, v string, max int, required bool) {
	if strings.TrimSpace(v) == "" {
		if required {
			c.add(field, "is required")
		}
		return
	}
	if !utf8.ValidString(v) {
		c.add(field, "is not valid UTF-8")
	} else if n := utf8.RuneCountInString(v); n > max {
		c.add(field, "is too long (%d characters, at most %d)", n, max)
	}
}

// langMap checks a multilingual text: valid BCP 47 keys, bounded values.
func (c *checker) langMap(field string, m LangMap, max int, required bool) {
	if len(m) == 0 {
		if required {
			c.add(field, "is required (a text or a map of language tags to texts)")
		}
		return
	}
	if len(m) > maxLanguages {
		c.add(field, "has too many languages (%d, at most %d)", len(m), maxLanguages)
		return
	}
	nonEmpty := false
	for _, tag := range m.Languages() {
		if !ValidLanguageTag(tag) {
			c.add(field+"."+tag, "is not a BCP 47 language tag")
			continue
		}
		c.text(field+"."+tag, m[tag], max, false)
		if strings.TrimSpace(m[tag]) != "" {
			nonEmpty = true
		}
	}
	if required && !nonEmpty {
		c.add(field, "is required (a text or a map of language tags to texts)")
	}
}

// httpURL checks an absolute http(s) URL.
func (c *checker) httpURL(field, v string, required bool) {
	if v == "" {
		if required {
			c.add(field, "is required")
		}
		return
	}
	if err := CheckHTTPURL(v); err != nil {
		c.add(field, "%s", err.Error())
	}
}

// CheckHTTPURL reports why v is not an absolute http or https URL without credentials.
func CheckHTTPURL(v string) error {
	if len(v) > maxURL {
		return fmt.Errorf("is too long (at most %d bytes)", maxURL)
	}
	u, err := url.Parse(v)
	if err != nil || !u.IsAbs() || u.Host == "" {
		return fmt.Errorf("is not an absolute URL")
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Errorf("must be an http or https URL")
	}
	if u.User != nil {
		return fmt.Errorf("must not contain credentials")
	}
	return nil
}

func (c *checker) email(field, v string) {
	if v == "" {
		return
	}
	if !ValidEmail(v) {
		c.add(field, "is not an email address")
	}
}

// ValidEmail reports whether v is a bare e-mail address (no display name,
// at most 254 characters).
func ValidEmail(v string) bool {
	a, err := mail.ParseAddress(v)
	return err == nil && a.Address == v && len(v) <= 254
}

// ValidLanguageTag reports whether tag is a well-formed BCP 47 tag ("und" included).
func ValidLanguageTag(tag string) bool {
	if tag == "" || len(tag) > 35 {
		return false
	}
	_, err := language.Parse(tag)
	return err == nil
}

// Bounds on what one document may hold.
const (
	maxLanguages = 24
	maxURL       = 2048
	maxName      = 200
	maxSummary   = 2000
	maxLongText  = 20000
	maxListItems = 50
)
