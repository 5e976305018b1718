package markup

import (
	"io"
	"net/url"
	"slices"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// xssSeeds are inputs a hostile peer or a careless paste may send.
var xssSeeds = []string{
	`<p>Hello <b>world</b> <a href="https://example.org/" onclick="x()">link</a></p>`,
	`<script>alert(1)</script><img src=x onerror=alert(1)>`,
	`<a href="javascript:alert(1)">x</a><a href="jav&#x09;ascript:alert(1)">y</a><a href="//evil.example/">z</a>`,
	`<svg><style><img src=x onerror=alert(1)></style></svg>`,
	`<ol start="3" onmouseover="x"><li>a</li></ol><iframe src="https://e.example/"></iframe>`,
	`<p>a</p><br/>b<h1>c</h1>&lt;script&gt;&amp;amp;`, "x < y\r\n\n\n\nz", `<!--<script>-->`, `<math><mi xlink:href="javascript:1">`,
	"# Title\n\n[link](javascript:alert(1)) <script>x</script> https://example.org *em* ~~del~~",
}

// checkSafe parses out as a browser would and fails on any element, attribute
// or link the allow-list does not name.
func checkSafe(t *testing.T, in, out string) {
	t.Helper()
	allowed := []string{"p", "br", "strong", "b", "em", "i", "u", "s", "del", "code", "pre", "blockquote", "ul", "ol",
		"li", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "span", "a"}
	z := html.NewTokenizer(strings.NewReader(out))
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			if z.Err() != io.EOF {
				t.Fatalf("Sanitize(%q) = %q does not tokenise: %v", in, out, z.Err())
			}
			return
		}
		if tt != html.StartTagToken && tt != html.SelfClosingTagToken {
			continue
		}
		tok := z.Token()
		if !slices.Contains(allowed, tok.Data) {
			t.Fatalf("Sanitize(%q) = %q keeps <%s>", in, out, tok.Data)
		}
		for _, a := range tok.Attr {
			switch {
			case a.Key == "href" && tok.Data == "a":
				u, err := url.Parse(a.Val)
				if err != nil || !slices.Contains([]string{"http", "https", "mailto"}, strings.ToLower(u.Scheme)) {
					t.Fatalf("Sanitize(%q) = %q keeps the link %q", in, out, a.Val)
				}
			case a.Key == "rel" && tok.Data == "a", a.Key == "start" && tok.Data == "ol":
			default:
				t.Fatalf("Sanitize(%q) = %q keeps the attribute %s on <%s>", in, out, a.Key, tok.Data)
			}
		}
	}
}

// FuzzSanitize: the allow-list never lets through an element, attribute or
// link scheme it does not name, however the HTML is written, and PlainText
// of a markup without entities yields no tag.
func FuzzSanitize(f *testing.F) {
	for _, s := range xssSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		checkSafe(t, s, Sanitize(s))
		text := PlainText(s)
		if strings.Contains(text, "\r") {
			t.Fatalf("PlainText(%q) = %q keeps a carriage return", s, text)
		}
		if !strings.Contains(s, "&") && !textHasLessThan(s) {
			// Without entities to decode, and without a "<" that the HTML
			// itself holds as text (as in "<<b>a>", whose text is "<a>"),
			// every "<" that opened a tag is gone.
			z := html.NewTokenizer(strings.NewReader(text))
			for tt := z.Next(); tt != html.ErrorToken; tt = z.Next() {
				if tt == html.StartTagToken || tt == html.EndTagToken || tt == html.SelfClosingTagToken {
					t.Fatalf("PlainText(%q) = %q has a tag", s, text)
				}
			}
		}
	})
}

// FuzzMarkdownToHTML: what an administrator writes in Markdown is published
// only through the same allow-list.
func FuzzMarkdownToHTML(f *testing.F) {
	for _, s := range xssSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		checkSafe(t, s, MarkdownToHTML(s))
		_ = MarkdownToText(s)
	})
}

// textHasLessThan reports whether HTML holds a literal "<" as text.
func textHasLessThan(s string) bool {
	z := html.NewTokenizer(strings.NewReader(s))
	for tt := z.Next(); tt != html.ErrorToken; tt = z.Next() {
		if tt == html.TextToken && strings.Contains(string(z.Raw()), "<") {
			return true
		}
	}
	return false
}
