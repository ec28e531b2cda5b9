package web

import (
	"strings"

	"asiakassivu/internal/i18n"
	"asiakassivu/internal/portal"
)

// codeWords names the portal's codes in the reader's language for the
// admin console: audit actions (visit.cancelled_by_provider), work types
// (oil_heating) and the fields of the access instructions (pets). A
// code without words (a work type the ERP made up) shows as itself;
// TestConsoleCodesHaveWords holds every code the portal writes to words.
type codeWords struct {
	c *i18n.Catalog
	l texts
}

// first is the text of the first of keys the catalogue has, or code.
func (w codeWords) first(code string, keys ...string) string {
	for _, k := range keys {
		if w.c.Has(k) {
			return w.l.T(k)
		}
	}
	return code
}

// action names an audit log action.
func (w codeWords) action(code string) string {
	return w.first(code, "console.action."+code, "sched.action."+code)
}

// workType names a household-deduction work type.
func (w codeWords) workType(code string) string { return w.first(code, "sched.workType."+code) }

// field names a part of the access instructions.
func (w codeWords) field(code string) string { return w.first(code, "access.access_"+code) }

// detail is an audit entry's detail in words where it is a list of codes
// (the changed access fields), else as written.
func (w codeWords) detail(action, detail string) string {
	if action != string(portal.KindSiteAccessChanged) || detail == "" {
		return detail
	}
	names := strings.Split(detail, ",")
	for i, n := range names {
		names[i] = w.field(n)
	}
	return strings.Join(names, ", ")
}

// words returns the code words of a page's language.
func (s *Server) words(l texts) codeWords { return codeWords{s.catalog, l} }
