package api

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/ospod/ospod/federation/ospometa"
	"github.com/ospod/ospod/store"
)

// Exports of the network directory: CSV, JSON and OSPOmeta YAML, with the
// same filters as /api/v1/directory.

// exportEntries returns every directory entry matching the request's
// filters, at most maxDirectoryItems, and when the directory last changed.
// Peers that ask not to be listed elsewhere (discoverable: false) are left
// out of bulk exports.
func (s *Server) exportEntries(c echo.Context) ([]*store.DirectoryEntry, time.Time, error) {
	f, _, err := directoryFilter(c)
	if err != nil {
		return nil, time.Time{}, err
	}
	ctx := c.Request().Context()
	var out []*store.DirectoryEntry
	for offset := 0; offset < maxDirectoryItems; {
		f.Limit, f.Offset = min(storePage, maxDirectoryItems-offset), offset
		res, err := s.st.SearchDirectory(ctx, f)
		if err != nil {
			return nil, time.Time{}, err
		}
		for _, e := range res.Entries {
			if e.Kind == store.KindSelf || e.Profile.IsDiscoverable() {
				out = append(out, e)
			}
		}
		offset += len(res.Entries)
		if len(res.Entries) == 0 || offset >= res.Total {
			break
		}
	}
	modified, err := s.st.DirectoryLastModified(ctx)
	return out, modified, err
}

// csvHeader names the columns of /directory.csv.
var csvHeader = []string{"id", "name", "kind", "country", "level", "supportAreas", "languages", "website",
	"email", "account", "founded", "flossPolicy", "codeForges", "source", "licence", "updated"}

// utf8BOM starts the CSV for ?bom=1: without it Excel on Windows reads the
// file as Windows-1252 and shows "LumiÃ¨re"; other readers do not want it.
const utf8BOM = "\uFEFF"

func (s *Server) exportDirectoryCSV(c echo.Context) error {
	var withBOM bool
	switch c.QueryParam("bom") {
	case "", "0", "false", "no":
	case "1", "true", "yes":
		withBOM = true
	default:
		return &httpError{status: http.StatusBadRequest, detail: "Invalid query parameters.",
			fields: []store.FieldError{{Field: "bom", Reason: "must be 1 (start with the UTF-8 byte order mark) or 0"}}}
	}
	entries, modified, err := s.exportEntries(c)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if withBOM {
		buf.WriteString(utf8BOM)
	}
	w := csv.NewWriter(&buf)
	w.UseCRLF = true // RFC 4180
	_ = w.Write(csvHeader)
	for _, e := range entries {
		p := e.Profile
		name, _ := p.Name.Best(p.DefaultLanguage(), p.DefaultLanguage())
		row := []string{e.ID, name, e.Kind, p.Country, p.GovernmentLevel, strings.Join(p.SupportAreas, ";"),
			strings.Join(p.Languages(), ";"), p.Website, p.Email, e.Account, p.Founded, p.FlossPolicy,
			strings.Join(p.CodeForges, ";"), e.Source, e.Licence, e.UpdatedAt.UTC().Format(time.RFC3339)}
		for i := range row {
			row[i] = csvCell(row[i])
		}
		_ = w.Write(row)
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return err
	}
	return s.serveOpenData(c, mediaCSV, buf.Bytes(), modified)
}

// csvCell neutralises spreadsheet formula injection (OWASP): a cell that
// starts with = + - @, a tab or a carriage return is prefixed with a single
// quote, so spreadsheets show it as text instead of evaluating it.
func csvCell(v string) string {
	if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
		return "'" + v
	}
	return v
}

// directoryExport is the document of /directory.json. Updated is the latest
// change in the directory, not the time of the request, so equal data gives
// an equal document (and ETag).
type directoryExport struct {
	Licence dataLicence  `json:"licence"`
	Updated time.Time    `json:"updated"`
	Total   int          `json:"total"`
	Items   []exportItem `json:"items"`
}

// exportItem is an item of /api/v1/directory with the licence its source
// gave (imported lists); the node's licence covers the rest.
type exportItem struct {
	directoryItem
	Licence string `json:"licence,omitempty"`
}

func (s *Server) exportDirectoryJSON(c echo.Context) error {
	entries, modified, err := s.exportEntries(c)
	if err != nil {
		return err
	}
	doc := directoryExport{Licence: s.dataLicence(), Updated: modified.UTC(), Total: len(entries), Items: []exportItem{}}
	for _, e := range entries {
		doc.Items = append(doc.Items, exportItem{s.toDirectoryItem(e), e.Licence})
	}
	body, err := marshalExport(doc)
	if err != nil {
		return err
	}
	return s.serveOpenData(c, mediaJSON, body, modified)
}

func (s *Server) exportDirectoryOSPOmeta(c echo.Context) error {
	entries, modified, err := s.exportEntries(c)
	if err != nil {
		return err
	}
	lic := s.dataLicence()
	terms := lic.ID
	if lic.URL != "" {
		terms += " (" + lic.URL + ")"
	}
	header := "OSPOmeta (https://floss-pso.network) list of the public-sector OSPOs known to " + s.node.Host() +
		", served by ospod.\nLicence: " + terms + " for this node's own OSPO (" + s.node.URLs.Actor +
		").\nOther OSPOs are republished as received from their own nodes; \"source\" gives where each came from."
	body, err := ospometa.Directory(entries, header)
	if err != nil {
		return err
	}
	return s.serveOpenData(c, mediaYAML, body, modified)
}

// marshalExport encodes v as indented JSON.
func marshalExport(v any) ([]byte, error) {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}
