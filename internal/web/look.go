package web

import "asiakassivu/internal/portal"

// Badge kinds beyond the states of visits and bills.
const badgeMoveRequested = "move_requested"

// badgeLate marks a visit the provider sees as late (portal.Late).
const badgeLate = "late"

// badgeTone is the colour family of a badge kind: good, due, bad or
// neutral.
func badgeTone(kind string) string {
	switch kind {
	case string(portal.StatePaid), string(portal.VisitDone), string(portal.VisitConfirmed):
		return "good"
	case string(portal.StateOverdue), badgeLate:
		return "bad"
	case string(portal.VisitCancelledByCustomer), string(portal.VisitCancelledByProvider), string(portal.StateCredited):
		return "off"
	case string(portal.StateOpen), badgeMoveRequested:
		return "due"
	}
	return "info"
}

// badgeIcon is the icon of a badge kind.
func badgeIcon(kind string) string {
	switch kind {
	case string(portal.StatePaid), string(portal.VisitDone), string(portal.VisitConfirmed):
		return "check"
	case string(portal.StateOverdue), badgeLate:
		return "alert"
	case string(portal.VisitCancelledByCustomer), string(portal.VisitCancelledByProvider):
		return "cross"
	case string(portal.StateCredit), string(portal.StateCredited):
		return "return"
	case badgeMoveRequested:
		return "move"
	}
	return "clock"
}

// invoiceBadge is a bill's badge kind on day today.
func invoiceBadge(inv portal.Invoice, today portal.Date) string {
	return string(inv.StateOn(today))
}

// PagePatterns are the route table's GET patterns of pages (not files,
// probes or feeds): what a walk over every page must reach.
func PagePatterns() []string {
	var s Server
	var out []string
	for _, r := range s.routes() {
		if r.method == "GET" && r.access != open {
			out = append(out, r.pattern)
		}
	}
	return out
}
