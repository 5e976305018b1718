// Package i18n holds the website's message catalogue and its locale
// formatting: which interface language a reader gets, the translated
// strings, dates and times, numbers, and the names of countries, languages
// and the controlled vocabularies (levels of government, support areas,
// event statuses and categories).
//
// The catalogue is one JSON file per language in messages/ (and in each
// folder under it, one per part of the site), embedded in the binary.
// English is the reference: every other file must have every key (a test
// checks it), and a missing key falls back to English, then to the key
// itself, so a page never breaks on a missing translation.
package i18n

import (
	"embed"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"golang.org/x/text/language"
)

// Default is the interface language when nothing else matches.
const Default = "en"

// Language is an interface language and its name in itself (for the switcher).
type Language struct {
	Tag  string // BCP 47 base tag: "en", "fr"...
	Name string // autonym: "English", "Français"...
}

// Languages are the interface languages, in switcher order.
var Languages = []Language{
	{"en", "English"}, {"fr", "Français"}, {"de", "Deutsch"},
	{"it", "Italiano"}, {"es", "Español"}, {"nl", "Nederlands"},
}

//go:embed messages
var messageFS embed.FS

// messageDirs are the folders of the catalogue: messages/ and each folder
// under it (one per part of the site: admin/, software/...). Each holds one
// file per language, merged into one catalogue (a key defined twice is an
// error), so a new part adds its own folder instead of editing shared files.
func messageDirs() []string {
	dirs := []string{"messages"}
	entries, err := messageFS.ReadDir("messages")
	if err != nil {
		panic("i18n: " + err.Error())
	}
	for _, e := range entries {
		if e.IsDir() {
			dirs = append(dirs, "messages/"+e.Name())
		}
	}
	return dirs
}

var (
	locales = map[string]*Locale{}
	matcher language.Matcher
)

func init() {
	tags := make([]language.Tag, len(Languages))
	for i, l := range Languages {
		tags[i] = language.MustParse(l.Tag)
		msgs := map[string]string{}
		for _, dir := range messageDirs() {
			name := dir + "/" + l.Tag + ".json"
			b, err := messageFS.ReadFile(name)
			if err != nil {
				panic("i18n: " + err.Error())
			}
			if err := mergeMessages(msgs, b); err != nil {
				panic("i18n: " + name + ": " + err.Error())
			}
		}
		locales[l.Tag] = &Locale{Tag: l.Tag, tag: tags[i], msgs: msgs}
	}
	for _, l := range locales {
		l.fallback = locales[Default]
	}
	matcher = language.NewMatcher(tags)
}

// mergeMessages adds a catalogue file's messages to msgs; a key that msgs
// already has is an error, so two files never silently override each other.
func mergeMessages(msgs map[string]string, file []byte) error {
	more := map[string]string{}
	if err := json.Unmarshal(file, &more); err != nil {
		return err
	}
	var twice []string
	for k, v := range more {
		if _, ok := msgs[k]; ok {
			twice = append(twice, k)
			continue
		}
		msgs[k] = v
	}
	if len(twice) > 0 {
		sort.Strings(twice)
		return fmt.Errorf("keys defined twice: %s", strings.Join(twice, ", "))
	}
	return nil
}

// Supported returns the interface language for a tag the reader chose
// ("fr", "fr-BE", "FR"), and whether there is one.
func Supported(tag string) (string, bool) {
	t, err := language.Parse(strings.TrimSpace(tag))
	if err != nil {
		return "", false
	}
	base, _ := t.Base()
	if _, ok := locales[base.String()]; ok {
		return base.String(), true
	}
	return "", false
}

// Match picks the interface language for an Accept-Language header
// (English when nothing matches or the header is empty or malformed).
func Match(acceptLanguage string) string {
	tags, _, err := language.ParseAcceptLanguage(acceptLanguage)
	if err != nil || len(tags) == 0 {
		return Default
	}
	_, i, conf := matcher.Match(tags...)
	if conf == language.No {
		return Default
	}
	return Languages[i].Tag
}

// Preferences lists the base languages of an Accept-Language header, most
// wanted first (for choosing among the languages of a multilingual text).
func Preferences(acceptLanguage string) []string {
	tags, _, err := language.ParseAcceptLanguage(acceptLanguage)
	if err != nil {
		return nil
	}
	var out []string
	seen := map[string]bool{}
	for _, t := range tags {
		base, conf := t.Base()
		if conf == language.No || seen[base.String()] {
			continue
		}
		seen[base.String()] = true
		out = append(out, base.String())
	}
	return out
}

// Locale is one interface language: its messages and its formats.
type Locale struct {
	Tag      string // "en", "fr"...
	tag      language.Tag
	msgs     map[string]string
	fallback *Locale
}

// For returns the locale of an interface language (English if unknown).
func For(tag string) *Locale {
	if l, ok := locales[tag]; ok {
		return l
	}
	return locales[Default]
}

// Keys lists the message keys of a language (for tests).
func Keys(tag string) []string {
	l, ok := locales[tag]
	if !ok {
		return nil
	}
	keys := make([]string, 0, len(l.msgs))
	for k := range l.msgs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Has reports whether the locale itself (not its fallback) has a message.
func (l *Locale) Has(key string) bool { _, ok := l.msgs[key]; return ok }

// T returns the message for key with its {placeholders} filled from args,
// given as name, value pairs: T("results", "count", 3).
func (l *Locale) T(key string, args ...any) string {
	msg, ok := l.msgs[key]
	if !ok && l.fallback != nil {
		msg, ok = l.fallback.msgs[key]
	}
	if !ok {
		return key
	}
	return fill(msg, args)
}

// N returns the plural form of key for n ("key.one" or "key.other"), with
// {n} set to the formatted number and the other placeholders from args.
func (l *Locale) N(key string, n int, args ...any) string {
	form := ".other"
	if l.isOne(n) {
		form = ".one"
	}
	return l.T(key+form, append([]any{"n", l.Number(n)}, args...)...)
}

// isOne is the CLDR "one" plural category for integers.
func (l *Locale) isOne(n int) bool {
	if l.Tag == "fr" {
		return n == 0 || n == 1
	}
	return n == 1
}

func fill(msg string, args []any) string {
	if len(args) == 0 || !strings.Contains(msg, "{") {
		return msg
	}
	pairs := make([]string, 0, len(args))
	for i := 0; i+1 < len(args); i += 2 {
		pairs = append(pairs, "{"+fmt.Sprint(args[i])+"}", fmt.Sprint(args[i+1]))
	}
	return strings.NewReplacer(pairs...).Replace(msg)
}
