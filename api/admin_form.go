package api

import (
	"errors"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/ospod/ospod/store"
)

// The admin forms: a form is a list of fields whose input names are the
// JSON paths of the document they edit ("name.fr", "location.address.
// postalCode", "identifiers[0].scheme"). The form builds the same document
// the JSON API takes and the same Validate method checks it, so each
// store.FieldError lands next to the input of the same name, and a rule
// lives once. After an error the form is shown again with what was typed.

// formField is one input of an admin form.
type formField struct {
	ID, Name, Label, Hint string
	Type                  string // text (default), email, url, number, date, time, checkbox, textarea, select
	Value                 string
	Checked               bool
	Required              bool
	Lang                  string // the language of the text typed in, for lang=
	Autocomplete          string
	Options               []formOption
	Error                 string
	claims                []string // validation paths shown here besides Name
}

type formOption struct {
	Value, Label string
	Selected     bool
}

// Described is the ids of the hint and the error, for aria-describedby.
func (f *formField) Described() string {
	var ids []string
	if f.Hint != "" {
		ids = append(ids, f.ID+"-hint")
	}
	if f.Error != "" {
		ids = append(ids, f.ID+"-error")
	}
	return strings.Join(ids, " ")
}

// field makes a field whose id is derived from its name.
func field(name, label, value string) *formField {
	return &formField{ID: fieldID(name), Name: name, Label: label, Value: value, Type: "text"}
}

var fieldIDReplacer = strings.NewReplacer(".", "-", "[", "-", "]", "", " ", "-")

func fieldID(name string) string { return "f-" + fieldIDReplacer.Replace(name) }

// options builds a select's options, the current value selected.
func options(current string, values []string, label func(string) string) []formOption {
	out := make([]formOption, 0, len(values))
	for _, v := range values {
		out = append(out, formOption{Value: v, Label: label(v), Selected: v == current})
	}
	return out
}

// formErrors holds the messages of a refused form, by validation path.
type formErrors map[string]string

// errorsOf turns a validation error into messages for the reader; ok is
// false for any other error (which is not the person's to fix).
func errorsOf(r *reader, err error) (formErrors, bool) {
	var ve *store.ValidationError
	if !errors.As(err, &ve) {
		return nil, false
	}
	fe := formErrors{}
	for _, f := range ve.Fields {
		if _, ok := fe[f.Field]; !ok {
			fe[f.Field] = r.fieldReason(f.Reason)
		}
	}
	return fe, true
}

// fieldReason translates the common validation reasons; the others keep
// the API's (English) wording, which names the rule exactly.
func (r *reader) fieldReason(reason string) string {
	for _, m := range []struct{ prefix, key string }{
		{"is required", "admin.err.required"},
		{"is not an absolute URL", "admin.err.url"},
		{"must be an http or https URL", "admin.err.url"},
		{"is not an email address", "admin.err.email"},
		{"is too long", "admin.err.tooLong"},
		{"must be a whole number", "admin.err.number"},
		{"must be a number", "admin.err.number"},
		{"must be after startTime", "admin.err.endBeforeStart"},
		{"must be a year", "admin.err.year"},
		{"is not a BCP 47 language tag", "admin.err.language"},
	} {
		if strings.HasPrefix(reason, m.prefix) {
			return r.T(m.key)
		}
	}
	return reason
}

// attach puts each message next to its field: the field of the same name,
// else the one that claims the path, else the first field under the path
// ("name" goes to "name.en"). It returns the messages no field took.
func attach(fields []*formField, fe formErrors) []string {
	var rest []string
	paths := make([]string, 0, len(fe))
	for p := range fe {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		if f := fieldFor(fields, p); f != nil {
			if f.Error == "" {
				f.Error = fe[p]
			}
			continue
		}
		rest = append(rest, p+": "+fe[p])
	}
	return rest
}

func fieldFor(fields []*formField, path string) *formField {
	for _, f := range fields {
		if f.Name == path {
			return f
		}
	}
	for _, f := range fields {
		for _, c := range f.claims {
			if c == path || strings.HasPrefix(path, c+".") || strings.HasPrefix(path, c+"[") {
				return f
			}
		}
	}
	for _, f := range fields {
		if strings.HasPrefix(f.Name, path+".") || strings.HasPrefix(f.Name, path+"[") {
			return f
		}
	}
	return nil
}

// formView is what a form template receives besides its fields.
type formView struct {
	Action  string
	Errors  []*formField // the fields with a message, for the summary
	Other   []string     // messages no field took
	Invalid bool
}

// summarize fills the error summary shown above a refused form.
func (v *formView) summarize(fields []*formField, fe formErrors) {
	if len(fe) == 0 {
		return
	}
	v.Invalid = true
	v.Other = attach(fields, fe)
	for _, f := range fields {
		if f.Error != "" {
			v.Errors = append(v.Errors, f)
		}
	}
}

// keepTyped shows again, as typed, the inputs that could not be read into
// the document (a number that is not one has no place in it).
func keepTyped(fields []*formField, fe formErrors, typed url.Values) {
	for _, f := range fields {
		if _, bad := fe[f.Name]; bad && typed.Has(f.Name) && f.Type != "checkbox" {
			f.Value = typed.Get(f.Name)
		}
	}
}

// placeSection edits a place (the profile's or an event's location).
func placeSection(r *reader, name, legend string, pl *store.Place) formSection {
	var p store.Place
	var a store.PostalAddress
	if pl != nil {
		p = *pl
		if p.Address != nil {
			a = *p.Address
		}
	}
	num := func(v *float64) string {
		if v == nil {
			return ""
		}
		return strconv.FormatFloat(*v, 'f', -1, 64)
	}
	sec := formSection{Legend: legend}
	for _, x := range []struct{ key, label, value, auto string }{
		{".name", "admin.place.name", p.Name, "off"},
		{".address.streetAddress", "admin.place.street", a.StreetAddress, "street-address"},
		{".address.postalCode", "admin.place.postalCode", a.PostalCode, "postal-code"},
		{".address.addressLocality", "admin.place.locality", a.AddressLocality, "address-level2"},
		{".address.addressRegion", "admin.place.region", a.AddressRegion, "address-level1"},
		{".address.addressCountry", "admin.place.country", a.AddressCountry, "off"},
		{".latitude", "admin.place.latitude", num(p.Latitude), "off"},
		{".longitude", "admin.place.longitude", num(p.Longitude), "off"},
	} {
		f := field(name+x.key, r.T(x.label), x.value)
		f.Autocomplete = x.auto
		if x.key == ".latitude" || x.key == ".longitude" {
			f.Type = "number"
		}
		if x.key == ".name" {
			f.claims = []string{name}
		}
		sec.Fields = append(sec.Fields, f)
	}
	return sec
}

// textsFromForm reads a multilingual text: "name.<tag>" inputs, and
// "name.new" under the tag typed for a new language.
func textsFromForm(form url.Values, name, newLang string) store.LangMap {
	m := store.LangMap{}
	for k, vs := range form {
		tag, ok := strings.CutPrefix(k, name+".")
		if !ok || tag == "new" || len(vs) == 0 || strings.TrimSpace(vs[0]) == "" {
			continue
		}
		m[tag] = strings.TrimSpace(vs[0])
	}
	if v := strings.TrimSpace(form.Get(name + ".new")); v != "" && newLang != "" {
		m[newLang] = v
	}
	if len(m) == 0 {
		return nil
	}
	return m
}

// placeFromForm reads a place; nil when every input is empty.
func placeFromForm(form url.Values, name string, bad formErrors) *store.Place {
	get := func(k string) string { return strings.TrimSpace(form.Get(name + k)) }
	a := &store.PostalAddress{StreetAddress: get(".address.streetAddress"), PostalCode: get(".address.postalCode"),
		AddressLocality: get(".address.addressLocality"), AddressRegion: get(".address.addressRegion"),
		AddressCountry: get(".address.addressCountry")}
	p := &store.Place{Name: get(".name")}
	if *a != (store.PostalAddress{}) {
		p.Address = a
	}
	for _, c := range []struct {
		key string
		dst **float64
	}{{".latitude", &p.Latitude}, {".longitude", &p.Longitude}} {
		if v := get(c.key); v != "" {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				bad[name+c.key] = "admin.err.number"
				continue
			}
			*c.dst = &f
		}
	}
	if p.Name == "" && p.Address == nil && p.Latitude == nil && p.Longitude == nil {
		return nil
	}
	return p
}
