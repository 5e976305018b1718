package as2

import (
	"fmt"
	"html"
	"net/url"
	"strings"

	"github.com/ospod/ospod/federation/markup"
	"github.com/ospod/ospod/store"
)

// What microblog servers make of an Event (docs/federation.md, "What
// Mastodon and GoToSocial users see"):
//
//   - Mastodon converts it (CONVERTED_TYPES): the post is the name as a
//     heading, then the summary, then a link to url; content is not read
//     (app/lib/activitypub/parser/status_parser.rb, processed_text).
//   - GoToSocial shows content, behind a content warning that is the
//     summary, or the name when there is no summary
//     (internal/typeutils/astointernal.go, ASStatusToStatus). Every Event
//     has a name, so it is always collapsed; the summary decides what the
//     warning says.
//
// So the summary is the plain-text "when and where" line, which Mastodon
// shows under the title and GoToSocial as the warning, and the content
// starts with the title, which GoToSocial would otherwise never show.

// eventSummary is the status, date and place of an event on one line of
// plain text: both Mastodon (for converted types) and GoToSocial (as a
// content warning) take summary as plain text, as Mastodon writes its own.
func eventSummary(e *store.Event) string {
	var parts []string
	if e.Status != "scheduled" {
		parts = append(parts, "⚠️ "+strings.ToUpper(strings.ReplaceAll(e.Status, "-", " ")))
	}
	parts = append(parts, "📅 "+markup.TimeRange(e.Start, e.End, e.TimeLocation()))
	if l := e.Location; l != nil {
		parts = append(parts, "📍 "+l.Text())
	}
	if o := e.Online; o != nil {
		parts = append(parts, "💻 "+onlineLabel(o))
	}
	return strings.Join(parts, " · ")
}

// onlineLabel names an online location: its name, or its address's host.
func onlineLabel(o *store.OnlineLocation) string {
	if o.Name != "" {
		return o.Name
	}
	if u, err := url.Parse(o.URL); err == nil && u.Host != "" {
		return u.Host
	}
	return o.URL
}

// eventContent is the HTML that servers which show an Event's content
// (GoToSocial, Misskey...) display below the summary: the name in bold,
// then the links that plain-text summary cannot carry, then the
// description. The date and the place are in the summary only, so they are
// not shown twice.
func eventContent(e *store.Event, name, descMarkdown string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "<p><strong>%s</strong></p>", html.EscapeString(name))
	var links []string
	if o := e.Online; o != nil {
		links = append(links, fmt.Sprintf(`💻 <a href="%s">%s</a>`, html.EscapeString(o.URL), html.EscapeString(o.URL)))
	}
	if e.RegistrationURL != "" {
		links = append(links, fmt.Sprintf(`📝 <a href="%s">%s</a>`, html.EscapeString(e.RegistrationURL), html.EscapeString(e.RegistrationURL)))
	}
	if len(links) > 0 {
		b.WriteString("<p>" + strings.Join(links, "<br>") + "</p>")
	}
	b.WriteString(markup.MarkdownToHTML(descMarkdown))
	return b.String()
}

// document is a media attachment: Mastodon and GoToSocial show an
// attachment with an image mediaType and a url as a picture, with name as
// its description; neither shows the "image" property of an Event.
type document struct {
	MediaType string `json:"mediaType"`
	Name      string `json:"name"`
	Type      string `json:"type"`
	URL       string `json:"url"`
}

// interactionPolicy is GoToSocial's interactionPolicy (its
// docs/federation/interaction_policy.md). Each rule is written in both
// spellings of that vocabulary: GoToSocial's documentation and
// internal/ap/extract.go read always, Mastodon reads automaticApproval
// (status_parser.rb, quote_policy). No approvalRequired: the node approves
// nothing.
type interactionPolicy struct {
	CanAnnounce policyRule `json:"canAnnounce"`
	CanLike     policyRule `json:"canLike"`
	CanReply    policyRule `json:"canReply"`
}

type policyRule struct {
	Always            []string `json:"always"`
	AutomaticApproval []string `json:"automaticApproval"`
}

func allow(who string) policyRule {
	return policyRule{Always: []string{who}, AutomaticApproval: []string{who}}
}

// eventPolicy lets anyone like and boost an event but only its author reply:
// the node keeps no replies, and GoToSocial then refuses a reply in its own
// client ("you do not have permission to reply to this status") instead of
// sending one that nobody will read. canLike and canAnnounce are explicit:
// some GoToSocial versions read a missing rule as "nobody but the author"
// (internal/ap/extract.go, extractCanLike).
func eventPolicy(actor string) *interactionPolicy {
	return &interactionPolicy{CanAnnounce: allow(Public), CanLike: allow(Public), CanReply: allow(actor)}
}
