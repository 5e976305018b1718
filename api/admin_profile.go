package api

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/ospod/ospod/store"
)

// The profile page (/admin/profile): every field of the OSPO's profile,
// the texts once per language. Saving goes through federation.SetProfile,
// as PUT /api/v1/admin/profile does: the same validation, and an Update of
// the actor to the followers.

// formPage is a page that is one form made of sections.
type formPage struct {
	Form     formView
	Sections []formSection
	Submit   string
	Intro    string
	Event    *eventActions // the event form's other actions
}

type formSection struct {
	Legend, Hint, Lang string
	Fields             []*formField
}

func (p *formPage) fields() []*formField {
	var out []*formField
	for _, s := range p.Sections {
		out = append(out, s.Fields...)
	}
	return out
}

// adminProfilePage is GET /admin/profile.
func (s *Server) adminProfilePage(c echo.Context) error {
	p, err := s.node.Profile(c.Request().Context())
	if err != nil {
		return err
	}
	return s.renderProfileForm(c, http.StatusOK, p, nil, "", nil)
}

// adminProfileSave is POST /admin/profile.
func (s *Server) adminProfileSave(c echo.Context) error {
	ctx := c.Request().Context()
	r := s.reader(c)
	before, err := s.node.Profile(ctx)
	if err != nil {
		return err
	}
	_, err = s.st.Profile(ctx)
	existed := err == nil // the first save is a change even with the defaults
	form, err := c.FormParams()
	if err != nil {
		return err
	}
	p, parseErrs, newLang := profileFromForm(form, before)
	// Validate a copy even when some inputs could not be read, so that
	// every problem is listed at once; nothing is stored on any error.
	check := *p
	check.Normalize()
	fe := formErrors{}
	if verr := check.Validate(); verr != nil {
		if fe, _ = errorsOf(r, verr); fe == nil {
			return verr
		}
	}
	for k, v := range parseErrs {
		fe[k] = r.T(v)
	}
	if len(fe) == 0 {
		if err = s.node.SetProfile(ctx, p); err != nil {
			if fe, _ = errorsOf(r, err); fe == nil {
				return err
			}
		}
	}
	if len(fe) > 0 {
		return s.renderProfileForm(c, http.StatusBadRequest, p, fe, newLang, form)
	}
	if fields := changedFields(before, p); fields != "" || !existed {
		s.audit(c, "profile.update", "profile", fields)
	}
	return c.Redirect(http.StatusSeeOther, "/admin/profile?done=saved")
}

func (s *Server) renderProfileForm(c echo.Context, status int, p *store.Profile, fe formErrors, newLang string, typed url.Values) error {
	r := s.reader(c)
	v := &formPage{Form: formView{Action: "/admin/profile"}, Submit: r.T("admin.profile.save"), Intro: r.T("admin.profile.help")}
	v.Sections = profileSections(r, p, newLang)
	keepTyped(v.fields(), fe, typed)
	v.Form.summarize(v.fields(), fe)
	return s.renderAdmin(c, status, "admin_form.html", adminPage{Title: r.T("admin.nav.profile"), Section: "profile", Data: v})
}

// profileTexts are the multilingual fields, edited once per language.
var profileTexts = []struct{ name, label, kind string }{
	{"name", "admin.profile.name", "text"},
	{"summary", "admin.profile.summary", "textarea"},
	{"mandate", "admin.profile.mandate", "textarea"},
}

// profileSections lays the profile out as the form's sections.
func profileSections(r *reader, p *store.Profile, newLang string) []formSection {
	out := []formSection{profileGeneral(r, p)}
	out = append(out, profileTextSections(r, p, newLang)...)
	out = append(out, profileAreas(r, p), profileWeb(r, p), placeSection(r, "location", r.T("admin.profile.location"), p.Location))
	out = append(out, organisationSections(r, p)...)
	fed := formSection{Legend: r.T("admin.profile.federation")}
	fed.Fields = append(fed.Fields, &formField{ID: "f-manual", Name: "manuallyApprovesFollowers", Type: "checkbox",
		Label: r.T("admin.profile.manual"), Checked: p.ManuallyApprovesFollowers},
		&formField{ID: "f-discoverable", Name: "discoverable", Type: "checkbox", Label: r.T("admin.profile.discoverable"),
			Hint: r.T("admin.profile.discoverableHint"), Checked: p.IsDiscoverable()})
	return append(out, fed)
}

// profileGeneral is the section of the single-valued facts: language,
// country, level of government, founding year, team size.
func profileGeneral(r *reader, p *store.Profile) formSection {
	general := formSection{Legend: r.T("admin.profile.general")}
	f := field("language", r.T("admin.profile.language"), p.Language)
	f.Hint = r.T("admin.profile.languageHint")
	general.Fields = append(general.Fields, f)
	f = field("country", r.T("admin.profile.country"), p.Country)
	f.Hint, f.Required, f.Autocomplete = r.T("admin.profile.countryHint"), true, "off"
	general.Fields = append(general.Fields, f)
	f = field("governmentLevel", r.T("admin.profile.level"), p.GovernmentLevel)
	f.Type, f.Required = "select", true
	f.Options = append([]formOption{{Value: "", Label: r.T("admin.form.choose")}},
		options(p.GovernmentLevel, store.GovernmentLevels(), func(v string) string { return r.T("level." + v) })...)
	general.Fields = append(general.Fields, f)
	f = field("founded", r.T("admin.profile.founded"), p.Founded)
	f.Hint = r.T("admin.profile.foundedHint")
	general.Fields = append(general.Fields, f)
	team := ""
	if p.TeamSize != nil {
		team = strconv.Itoa(*p.TeamSize)
	}
	f = field("teamSize", r.T("admin.profile.teamSize"), team)
	f.Type = "number"
	general.Fields = append(general.Fields, f)
	return general
}

// profileTextSections are the multilingual texts, a section per language
// (the default one first, its name required), and one to add a language.
func profileTextSections(r *reader, p *store.Profile, newLang string) []formSection {
	lang := p.DefaultLanguage()
	langs := p.Languages()
	if !slices.Contains(langs, lang) {
		langs = append([]string{lang}, langs...)
	}
	var out []formSection
	for _, tag := range langs {
		sec := formSection{Legend: r.T("admin.form.inLanguage", "language", r.L.LanguageName(tag)), Lang: tag}
		for _, t := range profileTexts {
			m := map[string]store.LangMap{"name": p.Name, "summary": p.Summary, "mandate": p.Mandate}[t.name]
			f := field(t.name+"."+tag, r.T(t.label), m[tag])
			f.Type, f.Lang = t.kind, tag
			if tag == lang {
				f.claims = []string{t.name}
				f.Required = t.name == "name"
			}
			sec.Fields = append(sec.Fields, f)
		}
		out = append(out, sec)
	}
	add := formSection{Legend: r.T("admin.form.addLanguage"), Hint: r.T("admin.form.addLanguageHint")}
	f := field("newLanguage", r.T("admin.form.languageTag"), newLang)
	f.Autocomplete = "off"
	add.Fields = append(add.Fields, f)
	for _, t := range profileTexts {
		f := field(t.name+".new", r.T(t.label), "")
		f.Type = t.kind
		add.Fields = append(add.Fields, f)
	}
	return append(out, add)
}

// profileAreas is the section of the support areas, a checkbox each.
func profileAreas(r *reader, p *store.Profile) formSection {
	areas := formSection{Legend: r.T("admin.profile.areas")}
	for i, a := range store.SupportAreas() {
		f := &formField{ID: "f-area-" + a, Name: "supportAreas", Label: r.T("area." + a), Type: "checkbox", Value: a,
			Checked: slices.Contains(p.SupportAreas, a)}
		if i == 0 {
			f.claims = []string{"supportAreas"}
		}
		areas.Fields = append(areas.Fields, f)
	}
	return areas
}

// profileWeb is the section of the addresses: website, e-mail, policy,
// logo and code forges.
func profileWeb(r *reader, p *store.Profile) formSection {
	web := formSection{Legend: r.T("admin.profile.web")}
	for _, u := range []struct{ name, label, value string }{
		{"website", "admin.profile.website", p.Website}, {"email", "admin.profile.email", p.Email},
		{"flossPolicy", "admin.profile.flossPolicy", p.FlossPolicy}, {"logo", "admin.profile.logo", p.Logo},
	} {
		f := field(u.name, r.T(u.label), u.value)
		f.Type = "url"
		if u.name == "email" {
			f.Type, f.Autocomplete = "email", "email"
		}
		web.Fields = append(web.Fields, f)
	}
	f := field("codeForges", r.T("admin.profile.forges"), strings.Join(p.CodeForges, "\n"))
	f.Type, f.Hint, f.claims = "textarea", r.T("admin.form.onePerLine"), []string{"codeForges"}
	web.Fields = append(web.Fields, f)
	return web
}

// organisationSections edit the parent organisation, the memberships and
// the identifiers: the ones there are, and one empty row to add another.
func organisationSections(r *reader, p *store.Profile) []formSection {
	lang := p.DefaultLanguage()
	parent := formSection{Legend: r.T("admin.profile.parent")}
	var po store.Organization
	if p.ParentOrganization != nil {
		po = *p.ParentOrganization
	}
	f := field("parentOrganization.name", r.T("admin.profile.orgName"), po.Name[lang])
	f.Lang, f.claims = lang, []string{"parentOrganization.name"}
	parent.Fields = append(parent.Fields, f)
	f = field("parentOrganization.url", r.T("admin.profile.orgURL"), po.URL)
	f.Type = "url"
	parent.Fields = append(parent.Fields, f)

	members := formSection{Legend: r.T("admin.profile.memberships"), Hint: r.T("admin.form.emptyRow")}
	for i, m := range append(slices.Clone(p.Memberships), store.Organization{}) {
		pre := "memberships[" + strconv.Itoa(i) + "]"
		f := field(pre+".name", r.T("admin.profile.orgName")+" "+strconv.Itoa(i+1), m.Name[lang])
		f.Lang, f.claims = lang, []string{pre + ".name"}
		g := field(pre+".url", r.T("admin.profile.orgURL")+" "+strconv.Itoa(i+1), m.URL)
		g.Type = "url"
		members.Fields = append(members.Fields, f, g)
	}
	ids := formSection{Legend: r.T("admin.profile.identifiers"), Hint: r.T("admin.profile.identifiersHint")}
	for i, id := range append(slices.Clone(p.Identifiers), store.Identifier{}) {
		pre := "identifiers[" + strconv.Itoa(i) + "]"
		n := " " + strconv.Itoa(i+1)
		f := field(pre+".scheme", r.T("admin.profile.scheme")+n, id.Scheme)
		f.Autocomplete = "off"
		g := field(pre+".value", r.T("admin.profile.idValue")+n, id.Value)
		h := field(pre+".url", r.T("admin.profile.orgURL")+n, id.URL)
		h.Type = "url"
		ids.Fields = append(ids.Fields, f, g, h)
	}
	return []formSection{parent, members, ids}
}

// profileFromForm reads the form into a profile; texts in languages the
// form does not show, and other languages of organisation names, are kept
// from before. It returns the inputs it could not read (message keys) and
// the language tag typed for a new language.
func profileFromForm(form url.Values, before *store.Profile) (*store.Profile, formErrors, string) {
	bad := formErrors{}
	get := func(k string) string { return strings.TrimSpace(form.Get(k)) }
	p := &store.Profile{Language: get("language"), Country: get("country"), GovernmentLevel: get("governmentLevel"),
		Founded: get("founded"), Website: get("website"), Email: get("email"), FlossPolicy: get("flossPolicy"),
		Logo: get("logo"), ManuallyApprovesFollowers: form.Get("manuallyApprovesFollowers") == "true"}
	disc := form.Get("discoverable") == "true"
	p.Discoverable = &disc
	if v := get("teamSize"); v != "" {
		if n, err := strconv.Atoi(v); err == nil {
			p.TeamSize = &n
		} else {
			bad["teamSize"] = "admin.err.number"
		}
	}
	newLang := get("newLanguage")
	p.Name, p.Summary, p.Mandate = textsFromForm(form, "name", newLang), textsFromForm(form, "summary", newLang), textsFromForm(form, "mandate", newLang)
	if newLang == "" && (get("name.new") != "" || get("summary.new") != "" || get("mandate.new") != "") {
		bad["newLanguage"] = "admin.err.required"
	}
	p.SupportAreas = form["supportAreas"]
	for _, line := range strings.Split(form.Get("codeForges"), "\n") {
		if line = strings.TrimSpace(line); line != "" {
			p.CodeForges = append(p.CodeForges, line)
		}
	}
	lang := get("language")
	if lang == "" {
		lang = "en"
	}
	org := func(pre string, old store.LangMap) store.Organization {
		o := store.Organization{Name: store.LangMap{}, URL: get(pre + ".url")}
		for k, v := range old {
			o.Name[k] = v
		}
		if v := get(pre + ".name"); v != "" {
			o.Name[lang] = v
		} else {
			delete(o.Name, lang)
		}
		return o
	}
	var oldParent store.LangMap
	if before.ParentOrganization != nil {
		oldParent = before.ParentOrganization.Name
	}
	if po := org("parentOrganization", oldParent); len(po.Name) > 0 || po.URL != "" {
		p.ParentOrganization = &po
	}
	for i := 0; form.Has("memberships[" + strconv.Itoa(i) + "].name"); i++ {
		pre := "memberships[" + strconv.Itoa(i) + "]"
		var old store.LangMap
		if i < len(before.Memberships) {
			old = before.Memberships[i].Name
		}
		if get(pre+".name") == "" && get(pre+".url") == "" {
			continue
		}
		p.Memberships = append(p.Memberships, org(pre, old))
	}
	for i := 0; form.Has("identifiers[" + strconv.Itoa(i) + "].scheme"); i++ {
		pre := "identifiers[" + strconv.Itoa(i) + "]"
		id := store.Identifier{Scheme: get(pre + ".scheme"), Value: get(pre + ".value"), URL: get(pre + ".url")}
		if id != (store.Identifier{}) {
			p.Identifiers = append(p.Identifiers, id)
		}
	}
	p.Location = placeFromForm(form, "location", bad)
	return p, bad, newLang
}
