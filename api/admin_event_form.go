package api

import (
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/ospod/ospod/store"
)

// The event form: texts per language, the start and end as a date and a
// time of day in a time zone chosen from the IANA list, in person, online
// or hybrid. It builds the store.Event that POST /api/v1/admin/events takes.

// Attendance modes of the event form.
const (
	modeInPerson = "in-person"
	modeOnline   = "online"
	modeHybrid   = "hybrid"
)

// eventInput is an event as the form shows it: the document, and the
// inputs kept as typed (a time that does not parse is shown again).
type eventInput struct {
	e                                        *store.Event
	startDate, startClock, endDate, endClock string
	mode                                     string
}

// inputOf shows a stored event in the form.
func inputOf(e *store.Event) *eventInput {
	in := &eventInput{e: e, mode: modeInPerson}
	loc := e.TimeLocation()
	split := func(v string) (string, string) {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			return "", ""
		}
		t = t.In(loc)
		return t.Format("2006-01-02"), t.Format("15:04")
	}
	in.startDate, in.startClock = split(e.StartTime)
	in.endDate, in.endClock = split(e.EndTime)
	switch {
	case e.Online != nil && e.Location != nil:
		in.mode = modeHybrid
	case e.Online != nil:
		in.mode = modeOnline
	}
	return in
}

// eventFromForm reads the form. The times are wall-clock times in the
// chosen zone, given the zone's offset at that date; with an unknown zone
// they are read as UTC so that only the zone is reported.
func eventFromForm(form url.Values) (*eventInput, formErrors) {
	get := func(k string) string { return strings.TrimSpace(form.Get(k)) }
	bad := formErrors{}
	e := &store.Event{Language: get("language"), Timezone: get("timezone"), Status: get("status"),
		Category: get("category"), RegistrationURL: get("registrationUrl"), Image: get("image")}
	in := &eventInput{e: e, startDate: get("startDate"), startClock: get("startClock"), endDate: get("endDate"),
		endClock: get("endClock"), mode: get("mode")}
	newLang := get("newLanguage")
	e.Name, e.Description = textsFromForm(form, "name", newLang), textsFromForm(form, "description", newLang)
	if newLang == "" && (get("name.new") != "" || get("description.new") != "") {
		bad["newLanguage"] = "admin.err.required"
	}
	for _, t := range strings.FieldsFunc(form.Get("tags"), func(r rune) bool { return r == ',' || r == ' ' || r == '\n' }) {
		e.Tags = append(e.Tags, t)
	}
	loc, err := store.LoadLocation(e.Timezone)
	if err != nil || e.Timezone == "" {
		loc = nil
	}
	e.StartTime = wallTime(in.startDate, in.startClock, loc)
	e.EndTime = wallTime(in.endDate, in.endClock, loc)
	if in.mode != modeOnline {
		e.Location = placeFromForm(form, "location", bad)
	}
	switch in.mode {
	case modeOnline, modeHybrid:
		e.Online = &store.OnlineLocation{URL: get("online.url"), Name: get("online.name")}
	case modeInPerson:
	default:
		in.mode = modeInPerson
	}
	return in, bad
}

// wallTime is a date and a time of day in loc as RFC 3339 ("" when either
// is missing; the text as typed, which validation refuses, when it does
// not parse).
func wallTime(date, clock string, loc *time.Location) string {
	if date == "" || clock == "" {
		return ""
	}
	if loc == nil {
		loc = time.UTC
	}
	t, err := time.ParseInLocation("2006-01-02T15:04", date+"T"+clock, loc)
	if err != nil {
		return date + "T" + clock
	}
	return t.Format(time.RFC3339)
}

// eventSections lays an event out as the form's sections.
func eventSections(r *reader, in *eventInput, profileLangs []string, defaultLang string) []formSection {
	out := eventTextSections(r, in.e, profileLangs, defaultLang)
	return append(out, eventWhen(r, in), eventWhere(r, in),
		placeSection(r, "location", r.T("admin.events.place"), in.e.Location), eventAbout(r, in.e))
}

// eventTextSections are the name and description, a section per language
// (the event's own first, its name required), and one to add a language.
func eventTextSections(r *reader, e *store.Event, profileLangs []string, defaultLang string) []formSection {
	lang := e.Language
	if lang == "" {
		lang = defaultLang
	}
	langs := []string{lang}
	for _, l := range append(append(e.Name.Languages(), e.Description.Languages()...), profileLangs...) {
		if !slices.Contains(langs, l) && l != store.UndeterminedLanguage {
			langs = append(langs, l)
		}
	}
	var out []formSection
	for _, tag := range langs {
		sec := formSection{Legend: r.T("admin.form.inLanguage", "language", r.L.LanguageName(tag))}
		f := field("name."+tag, r.T("admin.events.name"), e.Name[tag])
		f.Lang = tag
		g := field("description."+tag, r.T("admin.events.description"), e.Description[tag])
		g.Lang, g.Type, g.Hint = tag, "textarea", r.T("admin.events.markdown")
		if tag == lang {
			f.Required, f.claims, g.claims = true, []string{"name"}, []string{"description"}
		}
		sec.Fields = append(sec.Fields, f, g)
		out = append(out, sec)
	}
	add := formSection{Legend: r.T("admin.form.addLanguage"), Hint: r.T("admin.form.addLanguageHint")}
	f := field("newLanguage", r.T("admin.form.languageTag"), "")
	f.Autocomplete = "off"
	g := field("name.new", r.T("admin.events.name"), "")
	h := field("description.new", r.T("admin.events.description"), "")
	h.Type = "textarea"
	add.Fields = append(add.Fields, f, g, h)
	return append(out, add)
}

// eventWhen is the section of the dates, times and time zone.
func eventWhen(r *reader, in *eventInput) formSection {
	e := in.e
	when := formSection{Legend: r.T("admin.events.when")}
	for _, x := range []struct{ name, label, typ, value, claim string }{
		{"startDate", "admin.events.startDate", "date", in.startDate, "startTime"},
		{"startClock", "admin.events.startClock", "time", in.startClock, ""},
		{"endDate", "admin.events.endDate", "date", in.endDate, "endTime"},
		{"endClock", "admin.events.endClock", "time", in.endClock, ""},
	} {
		f := field(x.name, r.T(x.label), x.value)
		f.Type, f.Required = x.typ, true
		if x.claim != "" {
			f.claims = []string{x.claim}
		}
		when.Fields = append(when.Fields, f)
	}
	zones := timeZones
	if e.Timezone != "" && !slices.Contains(zones, e.Timezone) {
		zones = append([]string{e.Timezone}, zones...)
	}
	tz := field("timezone", r.T("admin.events.timezone"), e.Timezone)
	tz.Type, tz.Required, tz.Hint = "select", true, r.T("admin.events.timezoneHint")
	tz.Options = append([]formOption{{Value: "", Label: r.T("admin.form.choose")}},
		options(e.Timezone, zones, func(z string) string { return strings.ReplaceAll(z, "_", " ") })...)
	when.Fields = append(when.Fields, tz)
	return when
}

// eventWhere is the section of the mode (in person, online, hybrid) and
// the online address; the place has a section of its own.
func eventWhere(r *reader, in *eventInput) formSection {
	where := formSection{Legend: r.T("admin.events.where")}
	mode := field("mode", r.T("admin.events.mode"), in.mode)
	mode.Type, mode.Hint = "select", r.T("admin.events.modeHint")
	mode.Options = options(in.mode, []string{modeInPerson, modeOnline, modeHybrid}, func(m string) string { return r.T("admin.events.mode." + m) })
	where.Fields = append(where.Fields, mode)
	var online store.OnlineLocation
	if in.e.Online != nil {
		online = *in.e.Online
	}
	ou := field("online.url", r.T("admin.events.onlineURL"), online.URL)
	ou.Type, ou.claims = "url", []string{"online"}
	on := field("online.name", r.T("admin.events.onlineName"), online.Name)
	where.Fields = append(where.Fields, ou, on)
	return where
}

// eventAbout is the section of the status, category, language, tags and links.
func eventAbout(r *reader, e *store.Event) formSection {
	about := formSection{Legend: r.T("admin.events.about")}
	st := field("status", r.T("admin.events.status"), e.Status)
	st.Type = "select"
	st.Options = options(e.Status, store.EventStatuses(), func(v string) string { return r.L.Status(v) })
	cat := field("category", r.T("admin.events.category"), e.Category)
	cat.Type = "select"
	cat.Options = append([]formOption{{Value: "", Label: r.T("admin.form.none")}},
		options(e.Category, store.EventCategories(), func(v string) string { return r.L.Category(v) })...)
	lg := field("language", r.T("admin.events.language"), e.Language)
	lg.Hint, lg.Autocomplete = r.T("admin.profile.languageHint"), "off"
	tags := field("tags", r.T("admin.events.tags"), strings.Join(e.Tags, ", "))
	tags.Hint, tags.claims = r.T("admin.events.tagsHint"), []string{"tags"}
	reg := field("registrationUrl", r.T("admin.events.registration"), e.RegistrationURL)
	reg.Type = "url"
	img := field("image", r.T("admin.events.image"), e.Image)
	img.Type = "url"
	about.Fields = append(about.Fields, st, cat, lg, tags, reg, img)
	return about
}
