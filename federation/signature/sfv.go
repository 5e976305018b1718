package signature

// The part of RFC 8941 (Structured Field Values) that RFC 9421's
// Signature-Input and Signature and RFC 9530's Content-Digest use:
// dictionaries whose members are inner lists of strings or byte sequences,
// with parameters whose values are integers, strings, tokens or booleans.
// It is strict (no decimals, no nested lists): anything else is an error.

import (
	"encoding/base64"
	"errors"
	"strconv"
	"strings"
)

// sfParam is one parameter, its value already typed.
type sfParam struct {
	key string
	val any // int64, string, sfToken, bool
}

// sfToken is a token value (unquoted), told apart from a string.
type sfToken string

// sfItem is a string or byte-sequence item with its parameters.
type sfItem struct {
	str    string // the string, or the decoded bytes of a byte sequence
	params []sfParam
}

// sfMember is a dictionary member: an item, or an inner list of items.
type sfMember struct {
	key     string
	isList  bool
	item    sfItem   // when !isList
	list    []sfItem // when isList
	params  []sfParam
	isBytes bool // item is a byte sequence
}

type sfParser struct {
	s string
	i int
}

var errSF = errors.New("malformed structured field")

// parseDictionary parses an RFC 8941 dictionary (§4.2.2).
func parseDictionary(s string) ([]sfMember, error) {
	p := &sfParser{s: s}
	p.skipSP()
	var out []sfMember
	for p.i < len(p.s) {
		key, err := p.key()
		if err != nil {
			return nil, err
		}
		m := sfMember{key: key}
		if p.peek() == '=' {
			p.i++
			if p.peek() == '(' {
				m.isList = true
				if m.list, err = p.innerList(); err != nil {
					return nil, err
				}
			} else {
				if m.item, m.isBytes, err = p.bareItem(); err != nil {
					return nil, err
				}
			}
		} else {
			m.item.str = "?1" // a bare key is Boolean true; never a valid member here
		}
		if m.params, err = p.params(); err != nil {
			return nil, err
		}
		for _, o := range out {
			if o.key == key {
				return nil, errors.New("duplicate dictionary key")
			}
		}
		out = append(out, m)
		p.skipOWS()
		if p.i == len(p.s) {
			return out, nil
		}
		if p.peek() != ',' {
			return nil, errSF
		}
		p.i++
		p.skipOWS()
		if p.i == len(p.s) {
			return nil, errSF // trailing comma
		}
	}
	return out, nil
}

func (p *sfParser) peek() byte {
	if p.i < len(p.s) {
		return p.s[p.i]
	}
	return 0
}

func (p *sfParser) skipSP() {
	for p.i < len(p.s) && p.s[p.i] == ' ' {
		p.i++
	}
}

func (p *sfParser) skipOWS() {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\t') {
		p.i++
	}
}

// key parses a key: lcalpha or "*", then lcalpha, digits, "_-.*".
func (p *sfParser) key() (string, error) {
	start := p.i
	if c := p.peek(); !(c >= 'a' && c <= 'z' || c == '*') {
		return "", errSF
	}
	for p.i < len(p.s) {
		c := p.s[p.i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || strings.IndexByte("_-.*", c) >= 0) {
			break
		}
		p.i++
	}
	return p.s[start:p.i], nil
}

// innerList parses "(" item* ")" where items are strings.
func (p *sfParser) innerList() ([]sfItem, error) {
	p.i++ // "("
	var out []sfItem
	for {
		p.skipSP()
		if p.peek() == ')' {
			p.i++
			return out, nil
		}
		if p.peek() != '"' {
			return nil, errSF
		}
		s, err := p.str()
		if err != nil {
			return nil, err
		}
		it := sfItem{str: s}
		if it.params, err = p.params(); err != nil {
			return nil, err
		}
		out = append(out, it)
		if c := p.peek(); c != ' ' && c != ')' {
			return nil, errSF
		}
	}
}

// bareItem parses a string or a byte sequence.
func (p *sfParser) bareItem() (sfItem, bool, error) {
	switch p.peek() {
	case '"':
		s, err := p.str()
		return sfItem{str: s}, false, err
	case ':':
		end := strings.IndexByte(p.s[p.i+1:], ':')
		if end < 0 {
			return sfItem{}, false, errSF
		}
		b, err := decodeBase64(p.s[p.i+1 : p.i+1+end])
		if err != nil {
			return sfItem{}, false, errSF
		}
		p.i += end + 2
		return sfItem{str: string(b)}, true, nil
	}
	return sfItem{}, false, errSF
}

// str parses a quoted string (§4.2.5): printable ASCII, \" and \\ escapes.
func (p *sfParser) str() (string, error) {
	p.i++ // opening quote
	var b strings.Builder
	for p.i < len(p.s) {
		c := p.s[p.i]
		p.i++
		switch {
		case c == '\\':
			if p.i == len(p.s) || (p.s[p.i] != '"' && p.s[p.i] != '\\') {
				return "", errSF
			}
			b.WriteByte(p.s[p.i])
			p.i++
		case c == '"':
			return b.String(), nil
		case c < 0x20 || c > 0x7e:
			return "", errSF
		default:
			b.WriteByte(c)
		}
	}
	return "", errSF
}

// params parses ";key[=value]" parameters.
func (p *sfParser) params() ([]sfParam, error) {
	var out []sfParam
	for p.peek() == ';' {
		p.i++
		p.skipSP()
		key, err := p.key()
		if err != nil {
			return nil, err
		}
		prm := sfParam{key: key, val: true}
		if p.peek() == '=' {
			p.i++
			if prm.val, err = p.paramValue(); err != nil {
				return nil, err
			}
		}
		for _, o := range out {
			if o.key == key {
				return nil, errors.New("duplicate parameter")
			}
		}
		out = append(out, prm)
	}
	return out, nil
}

// paramValue parses an integer, a string, a token or a boolean.
func (p *sfParser) paramValue() (any, error) {
	c := p.peek()
	switch {
	case c == '"':
		return p.str()
	case c == '?':
		if p.i+1 < len(p.s) && (p.s[p.i+1] == '0' || p.s[p.i+1] == '1') {
			p.i += 2
			return p.s[p.i-1] == '1', nil
		}
		return nil, errSF
	case c == '-' || c >= '0' && c <= '9':
		start := p.i
		p.i++
		for p.i < len(p.s) && p.s[p.i] >= '0' && p.s[p.i] <= '9' {
			p.i++
		}
		if p.i < len(p.s) && p.s[p.i] == '.' {
			return nil, errSF // decimals are not used here
		}
		n, err := strconv.ParseInt(p.s[start:p.i], 10, 64)
		if err != nil || p.i-start > 16 {
			return nil, errSF
		}
		return n, nil
	case c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c == '*':
		start := p.i
		for p.i < len(p.s) && (isTChar(p.s[p.i]) || p.s[p.i] == ':' || p.s[p.i] == '/') {
			p.i++
		}
		return sfToken(p.s[start:p.i]), nil
	}
	return nil, errSF
}

func isTChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}

// serializeParams writes parameters as RFC 8941 §4.1.1.2 does.
func serializeParams(b *strings.Builder, params []sfParam) {
	for _, prm := range params {
		b.WriteString(";" + prm.key)
		switch v := prm.val.(type) {
		case bool:
			if !v {
				b.WriteString("=?0")
			}
		case int64:
			b.WriteString("=" + strconv.FormatInt(v, 10))
		case sfToken:
			b.WriteString("=" + string(v))
		case string:
			b.WriteString("=" + quoteSF(v))
		}
	}
}

// quoteSF serialises a string item.
func quoteSF(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

// decodeBase64 decodes standard base64 with canonical padding and nothing
// else: Go's decoder skips '\r' and '\n' even in Strict mode, so a digest with
// a line break inside would otherwise stand for the same bytes as one without.
func decodeBase64(s string) ([]byte, error) {
	if strings.ContainsAny(s, "\r\n") {
		return nil, errors.New("line break in base64")
	}
	return base64.StdEncoding.Strict().DecodeString(s)
}
