package store

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
)

// DecodeJSON reads a JSON document into v (a pointer to a struct) strictly,
// and reports every problem at once, as a *ValidationError: a key given
// twice, a field this document does not have, a value of the wrong type
// (encoding/json stops at the first). Top-level keys in ignore (the
// read-only fields a GET returns) are skipped. A body that is not JSON at
// all is a *json.SyntaxError.
//
// The JSON API, the command line and (through the same document structs and
// their Validate methods) the admin forms share this one reading of a
// document, so a person sees the same messages everywhere.
func DecodeJSON(body []byte, v any, ignore ...string) error {
	if !json.Valid(body) {
		var x any
		if err := json.Unmarshal(body, &x); err != nil {
			return err // a *json.SyntaxError with the offset
		}
	}
	c := &checker{}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber() // else a number out of float64's range (1E1000) stops the walk with an UnmarshalTypeError
	if err := duplicateKeys(dec, "", c); err != nil {
		return err
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return fmt.Errorf("store: DecodeJSON into %T", v)
	}
	decodeValue(json.RawMessage(body), rv.Elem(), "", ignore, c)
	return c.err()
}

// duplicateKeys walks the token stream and names every key given twice in
// one object: encoding/json silently keeps the last, which hides a mistake.
func duplicateKeys(dec *json.Decoder, path string, c *checker) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	switch tok {
	case json.Delim('{'):
		seen := map[string]bool{}
		for dec.More() {
			kt, err := dec.Token()
			if err != nil {
				return err
			}
			k, _ := kt.(string)
			p := joinField(path, k)
			if seen[k] {
				c.add(p, "is given more than once; give each field once")
			}
			seen[k] = true
			if err := duplicateKeys(dec, p, c); err != nil {
				return err
			}
		}
		_, err = dec.Token()
		return err
	case json.Delim('['):
		for i := 0; dec.More(); i++ {
			if err := duplicateKeys(dec, fmt.Sprintf("%s[%d]", path, i), c); err != nil {
				return err
			}
		}
		_, err = dec.Token()
		return err
	}
	return nil
}

func joinField(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

var unmarshalerType = reflect.TypeFor[json.Unmarshaler]()

// decodeValue decodes raw into v (addressable), descending into structs,
// pointers and slices so that each wrong field is reported by its path.
func decodeValue(raw json.RawMessage, v reflect.Value, path string, ignore []string, c *checker) {
	t := v.Type()
	isNull := string(bytes.TrimSpace(raw)) == "null"
	switch {
	case reflect.PointerTo(t).Implements(unmarshalerType) || t.Kind() == reflect.Map || t.Kind() == reflect.Interface:
		// LangMap, time.Time, plain maps: their own rules.
	case t.Kind() == reflect.Pointer:
		if isNull {
			v.SetZero()
			return
		}
		p := reflect.New(t.Elem())
		decodeValue(raw, p.Elem(), path, ignore, c)
		v.Set(p)
		return
	case t.Kind() == reflect.Struct:
		decodeStruct(raw, v, path, ignore, c)
		return
	case t.Kind() == reflect.Slice && t.Elem().Kind() != reflect.Uint8:
		if isNull {
			v.SetZero()
			return
		}
		var items []json.RawMessage
		if json.Unmarshal(raw, &items) != nil {
			c.add(fieldName(path), "must be %s", kindName(t))
			return
		}
		s := reflect.MakeSlice(t, len(items), len(items))
		for i, it := range items {
			decodeValue(it, s.Index(i), fmt.Sprintf("%s[%d]", path, i), nil, c)
		}
		v.Set(s)
		return
	}
	if err := json.Unmarshal(raw, v.Addr().Interface()); err != nil {
		c.add(fieldName(path), "must be %s", kindName(t))
	}
}

func decodeStruct(raw json.RawMessage, v reflect.Value, path string, ignore []string, c *checker) {
	var obj map[string]json.RawMessage
	if json.Unmarshal(raw, &obj) != nil || obj == nil {
		c.add(fieldName(path), "must be an object")
		return
	}
	fields := jsonFields(v.Type())
	used := map[string]bool{}
	for _, f := range fields {
		key, ok := f.name, false
		if _, ok = obj[key]; !ok { // encoding/json also matches without case
			for k := range obj {
				if !used[k] && strings.EqualFold(k, f.name) {
					key, ok = k, true
					break
				}
			}
		}
		if !ok || slices.Contains(ignore, key) {
			continue
		}
		used[key] = true
		decodeValue(obj[key], v.FieldByIndex(f.index), joinField(path, f.name), nil, c)
	}
	unknown := make([]string, 0)
	for k := range obj {
		if !used[k] && !slices.Contains(ignore, k) {
			unknown = append(unknown, k)
		}
	}
	slices.Sort(unknown)
	for _, k := range unknown {
		c.add(joinField(path, k), "is not a known field (see docs/profile.md and docs/api.md)")
	}
}

type jsonField struct {
	name  string
	index []int
}

// jsonFields lists a struct's JSON fields, embedded structs' included.
func jsonFields(t reflect.Type) []jsonField {
	var out []jsonField
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		name, _, _ := strings.Cut(tag, ",")
		if name == "-" || (!f.IsExported() && !f.Anonymous) {
			continue
		}
		if f.Anonymous && name == "" {
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				continue // not used by our documents
			}
			if ft.Kind() == reflect.Struct {
				for _, sub := range jsonFields(ft) {
					out = append(out, jsonField{sub.name, append([]int{i}, sub.index...)})
				}
				continue
			}
		}
		if name == "" {
			name = f.Name
		}
		out = append(out, jsonField{name, []int{i}})
	}
	return out
}

func fieldName(path string) string {
	if path == "" {
		return "(document)"
	}
	return path
}

// kindName says in words what a field holds.
func kindName(t reflect.Type) string {
	switch {
	case t == reflect.TypeFor[LangMap]():
		return "a text or a map of language tags to texts"
	case t.Kind() == reflect.Pointer:
		return kindName(t.Elem())
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Struct, reflect.Map:
		return "an object"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number"
	case reflect.Float32, reflect.Float64:
		return "a number"
	}
	return "of another type"
}
