package federation

import (
	"bytes"
	"html"
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

// SanitizeHTML passes untrusted HTML through the allow-list.
func SanitizeHTML(s string) string { return htmlPolicy().Sanitize(s) }

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
	return strings.TrimSpace(SanitizeHTML(buf.String()))
}

// MarkdownToText renders Markdown (or text) as plain text, for formats
// without markup such as iCalendar.
func MarkdownToText(src string) string { return plainText(MarkdownToHTML(src)) }

// plainToHTML turns a plain text into escaped paragraphs.
func plainToHTML(s string) string {
	var b strings.Builder
	for _, para := range strings.Split(strings.TrimSpace(s), "\n\n") {
		if para = strings.TrimSpace(para); para != "" {
			b.WriteString("<p>" + strings.ReplaceAll(html.EscapeString(para), "\n", "<br>") + "</p>")
		}
	}
	return b.String()
}
