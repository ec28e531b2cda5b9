package web

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/a-h/templ"

	"asiakassivu/internal/portal"
)

// The pages are templ components (the *.templ files beside this one,
// compiled to *_templ.go by `go tool templ generate`). Each takes its
// typed page struct; the texts come from the page's layout.L (the
// reader's language), the formats (money, dates, statuses) from its
// methods, and static file URLs from layout.asset.

// views are the page components by the name handlers render them with.
// Each checks its data's type: a mismatch is an error, not a half page.
var views = map[string]func(data any) (templ.Component, bool){
	"error":            view(errorView),
	"signin":           view(signinView),
	"forgot":           view(forgotView),
	"site":             view(siteView),
	"sites":            view(sitesView),
	"signup":           view(signupView),
	"verify":           view(verifyView),
	"reset":            view(resetView),
	"emailchange":      view(emailChangeView),
	"offline":          view(offlineView),
	"install":          view(installView),
	"calendar":         view(calendarView),
	"feedback":         view(feedbackView),
	"visits":           view(visitsView),
	"visit":            view(visitView),
	"cancelconfirm":    view(cancelConfirmView),
	"portalfeedback":   view(portalFeedbackView),
	"messages":         view(messagesView),
	"inbox":            view(inboxView),
	"provider":         view(providerView),
	"providerfeedback": view(providerFeedbackView),
	"providervisit":    view(providerVisitView),
	"profile":          view(profileView),
	"mfa":              view(mfaView),
	"invoices":         view(invoicesView),
	"invoice":          view(invoiceView),
	"statement":        view(statementView),
	"consent":          view(consentView),
	"console":          view(consoleView),
	"consoleproviders": view(consoleProvidersView),
	"consoleprovider":  view(consoleProviderView),
	"consolepolicies":  view(consolePoliciesView),
	"consolerules":     view(consoleRulesView),
	"consolefeedback":  view(consoleFeedbackView),
	"consoleaudit":     view(consoleAuditView),
	"legacy":           view(legacyView),
	"contact":          view(contactView),
	"devmail":          view(devMailView),
	"grants":           view(grantsView),
	"invite":           view(inviteView),
}

// view adapts a typed page component to views.
func view[T any](c func(T) templ.Component) func(any) (templ.Component, bool) {
	return func(data any) (templ.Component, bool) {
		p, ok := data.(T)
		if !ok {
			return nil, false
		}
		return c(p), true
	}
}

// component returns the page component name for data.
func component(name string, data any) (templ.Component, error) {
	v, ok := views[name]
	if !ok {
		return nil, fmt.Errorf("no page %q", name)
	}
	c, ok := v(data)
	if !ok {
		return nil, fmt.Errorf("page %q: data of type %T", name, data)
	}
	return c, nil
}

// lang is the page's language code.
func (l layout) lang() string { return string(l.L.Lang) }

// asset is the content-hashed URL of a static file.
func (l layout) asset(name string) string { return l.assets.url(name) }

// siteName is what names a site in lists: its name, else its street.
func siteName(s portal.Site) string {
	if s.Name != "" {
		return s.Name
	}
	return s.Street
}

// queryEscape escapes s for a query parameter's value.
func queryEscape(s string) string { return url.QueryEscape(s) }

// siteSummary and portalDate shorten the component signatures.
type (
	siteSummary = portal.SiteSummary
	portalDate  = portal.Date
)

// describedBy is an input's aria-describedby: its hint's and error's ids.
func describedBy(id string, hint, err bool) string {
	switch {
	case hint && err:
		return id + "-hint " + id + "-error"
	case hint:
		return id + "-hint"
	}
	return id + "-error"
}

// mailto is the link target that writes to address; its scheme is fixed,
// so whatever the address holds cannot make it another kind of URL.
func mailto(address string) templ.SafeURL { return templ.SafeURL("mailto:" + address) }

// splitEmail cuts an address before its @ ("tampere", "@kotikulma.com"),
// so that a narrow screen may wrap it there and not mid-word; an address
// without one is all local part.
func splitEmail(address string) (local, domain string) {
	if i := strings.LastIndexByte(address, '@'); i > 0 {
		return address[:i], address[i:]
	}
	return address, ""
}

// visitAndWorker is a visit's time and, when known, who does it.
func (l texts) visitAndWorker(v portal.Visit) string {
	if v.WorkerFirstName == "" {
		return l.VisitTime(v)
	}
	return l.VisitTime(v) + ", " + l.T("site.worker", "name", v.WorkerFirstName)
}

// siteLine names a site with its address: "Koti, Pispalan valtatie 40,
// 33250 Tampere".
func siteLine(s portal.Site) string {
	if s.Name != "" {
		return s.Name + ", " + s.Address()
	}
	return s.Address()
}

// workerSuffix is " – by Sanna" when the worker is known.
func workerSuffix(l texts, name string) string {
	if name == "" {
		return ""
	}
	return " – " + l.T("site.worker", "name", name)
}

// aboutVisit says, after feedback's time, that it is about a visit.
func aboutVisit(l texts, visit int64) string {
	if visit == 0 {
		return ""
	}
	return " – " + l.T("feedback.aboutVisit")
}

// visitsPager is the address of another page of the visits list.
func visitsPager(upcoming bool, page int) templ.SafeURL {
	if upcoming {
		return templ.SafeURL("?sivu=" + strconv.Itoa(page))
	}
	return templ.SafeURL("?menneet=1&sivu=" + strconv.Itoa(page))
}

// providerVisit shortens the component signatures.
type providerVisit = portal.ProviderVisit

// withProvider is " – with Kotikulma Oy" after a thread's address, for
// the customer's side.
func withProvider(l texts, staff bool, provider string) string {
	if staff {
		return ""
	}
	return " – " + l.T("messages.with", "provider", provider)
}

// placeLine is a site's name (when it has one), street and city.
func placeLine(name, street, city string) string {
	if name != "" {
		return name + ", " + street + ", " + city
	}
	return street + ", " + city
}

// providerStatus names a visit's status for the provider: a cancellation
// says who cancelled.
func (l texts) providerStatus(st portal.VisitStatus) string {
	if st.Cancelled() {
		return l.T("provider.status." + string(st))
	}
	return l.VisitStatus(st)
}

// actorLine says who did something on the customer's side and in which
// role, by the text key ("actor.cancelled": "Peruttu: Liisa Virtanen
// (asioiden hoitaja)"); "" when it was not recorded.
func (l texts) actorLine(key string, a portal.Actor) string {
	if !a.Known() {
		return ""
	}
	return l.T(key, "name", a.Name, "role", l.T("actor.role."+string(a.Role)))
}

// cancelledBy is who cancelled a visit the customer's side cancelled
// ("" for any other visit, or when it was not recorded).
func (l texts) cancelledBy(v providerVisit) string {
	if v.Visit.Status != portal.VisitCancelledByCustomer {
		return ""
	}
	return l.actorLine("actor.cancelled", v.CancelledBy)
}

// formOf is the reply form of feedback id: the one that failed, else an
// empty one.
func (p providerFeedbackPage) formOf(id int64) form {
	if p.FormFor == id {
		return p.Form
	}
	return p.Blank
}

// siteNameAndAddress is a site's name (when it has one) and address.
func siteNameAndAddress(name string, s portal.Site) string {
	if name != "" {
		return name + ", " + s.Address()
	}
	return s.Address()
}

// orText is s, or else when s is empty.
func orText(s, orElse string) string {
	if s != "" {
		return s
	}
	return orElse
}

// thisDevice marks the device the page is seen on.
func thisDevice(l texts, this bool) string {
	if !this {
		return ""
	}
	return " – " + l.T("profile.devices.this")
}

// creditPrefix names a credit note before its number.
func creditPrefix(l texts, credit bool) string {
	if !credit {
		return ""
	}
	return l.T("invoice.credit") + " "
}

// parenthesised is " (s)", or nothing for an empty s.
func parenthesised(s string) string {
	if s == "" {
		return ""
	}
	return " (" + s + ")"
}

// statementPDF is the address of a year's statement as a PDF.
func statementPDF(year, split int) templ.SafeURL {
	u := "/vuosikooste/pdf?vuosi=" + strconv.Itoa(year)
	if split != 0 {
		u += "&jako=" + strconv.Itoa(split)
	}
	return templ.SafeURL(u)
}

// consentSites names the sites of a consent's record: "Koti, Address;
// Mökki, Address".
func consentSites(sites []portal.Site) string {
	var b strings.Builder
	for i, s := range sites {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(siteLine(s))
	}
	return b.String()
}

// onOff says whether a consent was given.
func onOff(l texts, on bool) string {
	if on {
		return l.T("consent.on")
	}
	return l.T("consent.off")
}

// activeText says whether a provider or staff member is active.
func activeText(l texts, active bool) string {
	if active {
		return l.T("console.active")
	}
	return l.T("console.inactive")
}

// policiesUpdated is " Updated …" after the policies' intro, once saved.
func policiesUpdated(l texts, at time.Time) string {
	if at.IsZero() {
		return ""
	}
	return " " + l.T("console.policies.updated", "time", l.When(at))
}

// feedbackWhere is the page and language of portal feedback, when known.
func feedbackWhere(l texts, page, lang string) string {
	var s string
	if page != "" {
		s += " · " + l.T("console.feedback.page", "page", page)
	}
	if lang != "" {
		s += " · " + l.T("console.feedback.language", "lang", lang)
	}
	return s
}

// feedbackFrom says who gave portal feedback.
func feedbackFrom(l texts, email string) string {
	if email != "" {
		return l.T("console.feedback.signedIn", "email", email)
	}
	return l.T("console.feedback.anonymous")
}

// feedbackContact says whether and where the giver may be contacted.
func feedbackContact(l texts, allowed bool, email string) string {
	if allowed && email != "" {
		return l.T("console.feedback.contact", "email", email)
	}
	return l.T("console.feedback.noContact")
}

// auditTarget names the customer and site an audit row is about.
func auditTarget(l texts, r auditRow) string {
	var s string
	if r.CustomerID != 0 {
		s = l.T("console.audit.customerN", "id", r.CustomerID)
		if r.CustomerName != "" {
			s += " " + r.CustomerName
		}
	}
	if r.SiteID != 0 {
		if r.CustomerID != 0 {
			s += ", "
		}
		s += l.T("console.audit.siteN", "id", r.SiteID)
	}
	return s
}

// brandName is the chain's name, the same in every language.
func (l layout) brandName() string { return l.assets.brand.Name }
