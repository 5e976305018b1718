package api

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/ospod/ospod/federation"
	"github.com/ospod/ospod/store"
)

// Reports (Flag activities from other servers): the page (/admin/reports,
// admins only) and the JSON API answer each with a note, resolved or
// dismissed; resolving may block the reported domain in the same step.

// maxNote bounds the note of an answer.
const maxNote = 2000

type reportsView struct {
	Reports []reportRow
}

type reportRow struct {
	ID                  int64
	Reporter, Content   string
	Objects             []string
	Received, State     string
	Open                bool
	Note, By, When      string
	Domain              string // the reported domain, offered for a block
	NoteField, BlockBox *formField
	ResolveURL, Dismiss string
	Invalid             bool
}

// adminReportsPage is GET /admin/reports.
func (s *Server) adminReportsPage(c echo.Context) error {
	return s.renderReports(c, http.StatusOK, 0, "", nil)
}

func (s *Server) renderReports(c echo.Context, status int, failedID int64, note string, fe formErrors) error {
	r := s.reader(c)
	reports, err := s.st.Reports(c.Request().Context(), store.ReportFilter{Limit: 200})
	if err != nil {
		return err
	}
	var v reportsView
	for _, rep := range reports {
		row := reportRow{ID: rep.ID, Reporter: rep.ActorID, Content: rep.Content, Objects: rep.Objects,
			Received: r.L.DateTime(rep.ReceivedAt), State: r.T("admin.reports.state." + rep.State), Open: rep.State == store.ReportOpen,
			Note: rep.Note, By: rep.ResolvedBy, Domain: s.node.ReportedDomain(rep)}
		if !rep.ResolvedAt.IsZero() {
			row.When = r.L.DateTime(rep.ResolvedAt)
		}
		id := strconv.FormatInt(rep.ID, 10)
		row.ResolveURL, row.Dismiss = "/admin/reports/"+id+"/resolve", "/admin/reports/"+id+"/dismiss"
		row.NoteField = field("note", r.T("admin.reports.note"), "")
		row.NoteField.ID, row.NoteField.Type = "f-note-"+id, "textarea"
		if row.Domain != "" {
			row.BlockBox = &formField{ID: "f-block-" + id, Name: "blockDomain", Type: "checkbox", Value: row.Domain,
				Label: r.T("admin.reports.block", "domain", row.Domain)}
		}
		if rep.ID == failedID {
			row.NoteField.Value = note
			attach([]*formField{row.NoteField}, fe)
			if row.BlockBox != nil {
				attach([]*formField{row.BlockBox}, formErrors{"blockDomain": fe["blockDomain"]})
			}
			row.Invalid = true
		}
		v.Reports = append(v.Reports, row)
	}
	return s.renderAdmin(c, status, "admin_reports.html", adminPage{Title: r.T("admin.nav.reports"), Section: "reports", Data: v})
}

// adminReportAnswerPage is POST /admin/reports/:id/(resolve|dismiss).
func (s *Server) adminReportAnswerPage(c echo.Context) error {
	r := s.reader(c)
	id, state, err := reportTarget(c)
	if err != nil {
		return err
	}
	note, block := strings.TrimSpace(c.FormValue("note")), strings.TrimSpace(c.FormValue("blockDomain"))
	if n := len([]rune(note)); n > maxNote {
		return s.renderReports(c, http.StatusBadRequest, id, note, formErrors{"note": r.T("admin.err.tooLong")})
	}
	rep, err := s.answerReport(c, id, state, note, block)
	var de *federation.DomainError
	if errors.As(err, &de) {
		return s.renderReports(c, http.StatusBadRequest, id, note, formErrors{"blockDomain": r.T("admin.moderation.badDomain", "reason", de.Reason)})
	}
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/admin/reports?done="+rep.State)
}

func reportTarget(c echo.Context) (int64, string, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return 0, "", store.ErrNotFound
	}
	switch c.Param("action") {
	case "resolve":
		return id, store.ReportResolved, nil
	case "dismiss":
		return id, store.ReportDismissed, nil
	}
	return 0, "", echo.ErrNotFound
}

// answerReport answers a report and records it in the audit trail.
func (s *Server) answerReport(c echo.Context, id int64, state, note, block string) (*store.Report, error) {
	by := store.AuditActorToken
	if st := staffOf(c); st != nil {
		by = st.Account.Name
	}
	if state != store.ReportResolved {
		block = ""
	}
	rep, err := s.node.AnswerReport(c.Request().Context(), id, state, note, by, block)
	if err != nil {
		return nil, err
	}
	summary := note
	if block != "" {
		summary = strings.TrimSpace("blocked " + store.NormalizeDomain(block) + "; " + note)
		s.audit(c, "block.add", store.NormalizeDomain(block), "report "+strconv.FormatInt(id, 10))
	}
	kind := "report.resolve"
	if state == store.ReportDismissed {
		kind = "report.dismiss"
	}
	s.audit(c, kind, strconv.FormatInt(id, 10), summary)
	return rep, nil
}

// adminReports is GET /api/v1/admin/reports[?state=open|resolved|dismissed].
func (s *Server) adminReports(c echo.Context) error {
	state := c.QueryParam("state")
	switch state {
	case "", store.ReportOpen, store.ReportResolved, store.ReportDismissed:
	default:
		return fieldProblem("state", "must be open, resolved or dismissed")
	}
	reports, err := s.st.Reports(c.Request().Context(), store.ReportFilter{State: state, Limit: 500})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"items": reports, "total": len(reports)})
}

// adminReportAnswer is POST /api/v1/admin/reports/:id/(resolve|dismiss)
// with an optional body {"note": "...", "blockDomain": "spam.example"}.
func (s *Server) adminReportAnswer(c echo.Context) error {
	id, state, err := reportTarget(c)
	if err != nil {
		return err
	}
	var in struct {
		Note        string `json:"note"`
		BlockDomain string `json:"blockDomain"`
	}
	if c.Request().ContentLength != 0 {
		if err := decodeJSON(c, &in); err != nil {
			var he *httpError
			if !errors.As(err, &he) || !strings.HasPrefix(he.detail, "The request body is empty") {
				return err
			}
		}
	}
	switch {
	case len([]rune(in.Note)) > maxNote:
		return fieldProblem("note", "is too long (at most 2000 characters)")
	case in.BlockDomain != "" && state != store.ReportResolved:
		return fieldProblem("blockDomain", "goes only with resolve")
	}
	rep, err := s.answerReport(c, id, state, strings.TrimSpace(in.Note), strings.TrimSpace(in.BlockDomain))
	var de *federation.DomainError
	if errors.As(err, &de) {
		return fieldProblem("blockDomain", de.Reason)
	}
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, rep)
}
