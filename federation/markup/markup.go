// Package markup owns every rich-text rule of the node: Markdown written by
// the OSPO's staff, HTML received from remote servers, and the plain text
// that formats without markup (iCalendar, CSV) need. goldmark and bluemonday
// live here and nowhere else.
package markup

import (
	"bytes"
	"html"
	"regexp"
	"strings"
	"sync"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
)

var (
	markdown = goldmark.New(goldmark.WithExtensions(extension.Linkify, extension.Strikethrough))
	// policyOnce builds the allow-list lazily; bluemonday policies are safe for concurrent use.
	policyOnce sync.Once
	policy     *bluemonday.Policy
)

// htmlPolicy is the allow-list every rich text passes before it is published
// or rendered: basic formatting, lists, links (http, https, mailto only).
func htmlPolicy() *bluemonday.Policy {
	policyOnce.Do(func() {
		p := bluemonday.NewPolicy()
		p.AllowElements("p", "br", "strong", "b", "em", "i", "u", "s", "del", "code", "pre",
			"blockquote", "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "span")
		p.AllowAttrs("href").OnElements("a")
		p.AllowURLSchemes("http", "https", "mailto")
		p.RequireParseableURLs(true)
		p.RequireNoFollowOnLinks(true)
		p.RequireNoReferrerOnLinks(true)
		p.AddTargetBlankToFullyQualifiedLinks(false)
		p.AllowAttrs("start").Matching(bluemonday.Integer).OnElements("ol")
		policy = p
	})
	return policy
}

// Sanitize passes untrusted HTML through the allow-list.
func Sanitize(s string) string { return htmlPolicy().Sanitize(s) }

// MarkdownToHTML renders administrator-written Markdown to sanitised HTML.
// Raw HTML in the source is dropped (goldmark's default), then the result is
// sanitised anyway, so a pasted <script> can never reach a reader.
func MarkdownToHTML(src string) string {
	src = strings.TrimSpace(src)
	if src == "" {
		return ""
	}
	var buf bytes.Buffer
	if err := markdown.Convert([]byte(src), &buf); err != nil {
		return "<p>" + html.EscapeString(src) + "</p>"
	}
	return strings.TrimSpace(Sanitize(buf.String()))
}

// MarkdownToText renders Markdown (or text) as plain text, for formats
// without markup such as iCalendar.
func MarkdownToText(src string) string { return PlainText(MarkdownToHTML(src)) }

// PlainToHTML turns a plain text into escaped paragraphs.
func PlainToHTML(s string) string {
	var b strings.Builder
	for _, para := range strings.Split(strings.TrimSpace(s), "\n\n") {
		if para = strings.TrimSpace(para); para != "" {
			b.WriteString("<p>" + strings.ReplaceAll(html.EscapeString(para), "\n", "<br>") + "</p>")
		}
	}
	return b.String()
}

var (
	stripAll   = bluemonday.StrictPolicy()
	blockBreak = regexp.MustCompile(`(?i)</p>|<br\s*/?>|</li>|</h[1-6]>`)
	manyBlank  = regexp.MustCompile(`\n{3,}`)
)

// PlainText turns remote HTML into plain text: paragraphs kept as blank
// lines, every tag and attribute dropped, entities decoded once.
func PlainText(s string) string {
	if !strings.ContainsAny(s, "<>&\r\x00") && !strings.Contains(s, "\n\n\n") {
		return strings.TrimSpace(s) // no markup: what the sanitiser would give back (most names and places)
	}
	return sanitizedText(s)
}

// sanitizedText is PlainText's general case.
func sanitizedText(s string) string {
	s = blockBreak.ReplaceAllString(s, "$0\n\n")
	s = html.UnescapeString(stripAll.Sanitize(s))
	s = strings.ReplaceAll(s, "\r", "")
	return strings.TrimSpace(manyBlank.ReplaceAllString(s, "\n\n"))
}
