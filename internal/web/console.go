package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"asiakassivu/internal/app"
	"asiakassivu/internal/emailaddr"
	"asiakassivu/internal/portal"
)

// The chain admin's console under /yllapito. The routes are of access
// level admin, so anyone but a chain admin gets 404 before a handler runs;
// the app checks the role again. After a change each form redirects back
// with a notice (see postForm).

// consolePath is the console's root.
const consolePath = "/yllapito"

// providerConsolePath is a provider's page in the console.
func providerConsolePath(id int64) string {
	return consolePath + "/tuottajat/" + strconv.FormatInt(id, 10)
}

// consoleLayout is the shared page data of the console: no site switcher
// (an admin sees every site; the menu would list them all).
func (s *Server) consoleLayout(r *http.Request, v *viewer, title, section string) layout {
	l := s.base(r, v, title)
	l.MenuSites, l.CurrentSite, l.Section = nil, 0, section
	return l
}

// cfield is the data of the "console-field" partial: one labelled input.
// Unlike "field", it may be optional, and its input type and keyboard
// (inputmode) are free.
type cfield struct {
	ID, Name, Label, Type, Hint, Autocomplete, Inputmode string
	Value, Error                                         string
	Required                                             bool
	// DescribedBy lists the ids of the hint and error, for screen readers.
	DescribedBy string
}

// cfield makes the partial's data for an input of form f; prefix keeps ids
// unique when a page has several forms.
func (f form) cfield(prefix, name, label, typ, hint string, required bool) cfield {
	c := cfield{ID: prefix + name, Name: name, Label: label, Type: typ, Hint: hint, Value: f.Values[name], Error: f.Errors[name],
		Required: required}
	switch typ {
	case "email":
		c.Autocomplete, c.Inputmode = "off", "email"
	case "tel":
		c.Autocomplete = "off"
	case "number":
		c.Type, c.Inputmode = "text", "numeric" // a text input keeps what was typed, even when it is no number
	case "decimal":
		c.Type, c.Inputmode = "text", "decimal"
	}
	var ids []string
	if hint != "" {
		ids = append(ids, c.ID+"-hint")
	}
	if c.Error != "" {
		ids = append(ids, c.ID+"-error")
	}
	c.DescribedBy = strings.Join(ids, " ")
	return c
}

type consoleHomePage struct{ layout }

// consoleHome links to the parts of the console.
func (s *Server) consoleHome(w http.ResponseWriter, r *http.Request, v *viewer) error {
	return s.render(w, r, http.StatusOK, "console", consoleHomePage{s.consoleLayout(r, v, "console.title", "home")})
}

type consoleProvidersPage struct {
	layout
	Providers []portal.ProviderSummary
	Form      form
	Fields    []cfield
}

// providerFields are the inputs of the provider form.
func providerFields(f form, prefix string) []cfield {
	return []cfield{
		f.cfield(prefix, "name", "console.field.name", "text", "", true),
		f.cfield(prefix, "business_id", "console.field.businessId", "text", "console.field.businessId.hint", false),
		f.cfield(prefix, "city", "console.field.city", "text", "", false),
		f.cfield(prefix, "phone", "console.field.phone", "tel", "", false),
		f.cfield(prefix, "provider_email", "console.field.email", "email", "", false),
	}
}

func (s *Server) providersPage(r *http.Request, v *viewer, f form) (consoleProvidersPage, error) {
	list, err := s.app.ConsoleProviders(r.Context(), v.Viewer)
	return consoleProvidersPage{layout: s.consoleLayout(r, v, "console.providers.title", "providers"), Providers: list,
		Form: f, Fields: providerFields(f, "new-")}, err
}

// consoleProviders lists the providers, with the form that adds one.
func (s *Server) consoleProviders(w http.ResponseWriter, r *http.Request, v *viewer) error {
	p, err := s.providersPage(r, v, newForm())
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "consoleproviders", p)
}

// providerFormFields are the inputs of the provider form, in its order.
var providerFormFields = []string{"name", "business_id", "city", "phone", "provider_email"}

// providerInput reads the provider form.
func providerInput(in url.Values) app.ProviderInput {
	return app.ProviderInput{Name: in.Get("name"), BusinessID: in.Get("business_id"), City: in.Get("city"),
		Phone: in.Get("phone"), Email: in.Get("provider_email")}
}

// keepProviderInput keeps what was typed in the provider form in f.
func keepProviderInput(in url.Values, f form) {
	for _, k := range providerFormFields {
		f.Values[k] = clip(in.Get(k), 4*app.MaxProviderName)
	}
}

func (s *Server) consoleCreateProvider(w http.ResponseWriter, r *http.Request, v *viewer) error {
	return s.postForm(w, r, v, formFlow{
		Run: func(in url.Values) (string, string, error) {
			id, err := s.app.CreateProvider(r.Context(), v.Viewer, providerInput(in))
			return providerConsolePath(id), "lisatty", err
		},
		Page: func(f form, status int) error {
			keepProviderInput(r.PostForm, f)
			p, err := s.providersPage(r, v, f)
			if err != nil {
				return err
			}
			return s.render(w, r, status, "consoleproviders", p)
		},
	})
}

type consoleProviderPage struct {
	layout
	app.ProviderDetail
	// Details is the contact form, Invite the staff invitation form.
	Details, Invite             form
	DetailFields, InviteFields  []cfield
	ProviderPath, ProviderTitle string
}

func (s *Server) providerPage(r *http.Request, v *viewer, details, invite *form) (consoleProviderPage, error) {
	id, err := pathID(r, "provider")
	if err != nil {
		return consoleProviderPage{}, err
	}
	d, err := s.app.ConsoleProvider(r.Context(), v.Viewer, id)
	if err != nil {
		return consoleProviderPage{}, err
	}
	if details == nil {
		f := newForm()
		f.Values["name"], f.Values["business_id"], f.Values["city"] = d.Provider.Name, d.Provider.BusinessID, d.Provider.City
		f.Values["phone"], f.Values["provider_email"] = d.Provider.Phone, d.Provider.Email
		details = &f
	}
	if invite == nil {
		f := newForm()
		invite = &f
	}
	l := s.consoleLayout(r, v, "console.providers.title", "providers")
	l.Title = d.Provider.Name
	return consoleProviderPage{layout: l, ProviderDetail: d, Details: *details, Invite: *invite,
		DetailFields: providerFields(*details, "edit-"),
		InviteFields: []cfield{
			invite.cfield("invite-", "name", "console.staff.inviteName", "text", "console.staff.inviteName.hint", true),
			invite.cfield("invite-", "email", "console.staff.inviteEmail", "email", "", true),
		},
		ProviderPath: providerConsolePath(id)}, nil
}

// consoleProvider shows a provider's details form, its staff and the
// invitation form.
func (s *Server) consoleProvider(w http.ResponseWriter, r *http.Request, v *viewer) error {
	p, err := s.providerPage(r, v, nil, nil)
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "consoleprovider", p)
}

func (s *Server) consoleUpdateProvider(w http.ResponseWriter, r *http.Request, v *viewer) error {
	id, err := pathID(r, "provider")
	if err != nil {
		return err
	}
	return s.postForm(w, r, v, formFlow{
		Run: func(in url.Values) (string, string, error) {
			return providerConsolePath(id), "tallennettu", s.app.UpdateProvider(r.Context(), v.Viewer, id, providerInput(in))
		},
		Page: func(f form, status int) error {
			keepProviderInput(r.PostForm, f)
			p, err := s.providerPage(r, v, &f, nil)
			if err != nil {
				return err
			}
			return s.render(w, r, status, "consoleprovider", p)
		},
	})
}

// consoleSwitch reads the "active" field of a switch form: "1" turns on.
func consoleSwitch(r *http.Request) bool { return r.PostFormValue("active") == "1" }

func (s *Server) consoleProviderActive(w http.ResponseWriter, r *http.Request, v *viewer) error {
	id, err := pathID(r, "provider")
	if err != nil {
		return err
	}
	active := consoleSwitch(r)
	if err := s.app.SetProviderActive(r.Context(), v.Viewer, id, active); err != nil {
		return err
	}
	ok := "pois"
	if active {
		ok = "kaytossa"
	}
	redirectNotice(w, r, providerConsolePath(id), ok)
	return nil
}

func (s *Server) consoleInviteStaff(w http.ResponseWriter, r *http.Request, v *viewer) error {
	id, err := pathID(r, "provider")
	if err != nil {
		return err
	}
	return s.postForm(w, r, v, formFlow{
		Fields: []string{"name", "email"},
		Run: func(in url.Values) (string, string, error) {
			added, err := s.app.InviteStaff(r.Context(), v.Viewer, id, in.Get("email"), in.Get("name"), string(s.texts(r, v).Lang))
			ok := "kutsuttu"
			if added {
				ok = "henkilo-lisatty"
			}
			return providerConsolePath(id), ok, err
		},
		Page: func(f form, status int) error {
			in := r.PostForm
			f.Values["email"], f.Values["name"] = clip(strings.TrimSpace(in.Get("email")), 2*emailaddr.MaxLength), clip(in.Get("name"), 4*app.MaxStaffName)
			p, err := s.providerPage(r, v, nil, &f)
			if err != nil {
				return err
			}
			return s.render(w, r, status, "consoleprovider", p)
		},
	})
}

func (s *Server) consoleStaffActive(w http.ResponseWriter, r *http.Request, v *viewer) error {
	id, err := pathID(r, "provider")
	if err != nil {
		return err
	}
	staff, err := pathID(r, "staff")
	if err != nil {
		return err
	}
	active := consoleSwitch(r)
	if err := s.app.SetStaffActive(r.Context(), v.Viewer, id, staff, active); err != nil {
		return err
	}
	ok := "henkilo-pois"
	if active {
		ok = "henkilo-kaytossa"
	}
	redirectNotice(w, r, providerConsolePath(id), ok)
	return nil
}

// consoleResetSecondFactor removes a staff member's second factors (a
// lost phone without the recovery codes).
func (s *Server) consoleResetSecondFactor(w http.ResponseWriter, r *http.Request, v *viewer) error {
	id, err := pathID(r, "provider")
	if err != nil {
		return err
	}
	staff, err := pathID(r, "staff")
	if err != nil {
		return err
	}
	if err := s.app.ResetStaffSecondFactor(r.Context(), v.Viewer, id, staff); err != nil {
		return err
	}
	redirectNotice(w, r, providerConsolePath(id), "kaksivaihe")
	return nil
}

type consolePoliciesPage struct {
	layout
	Policies portal.ChainPolicies
	Form     form
	// Cancel, Legacy, Order and Service are the fields of the form's groups.
	Cancel, Legacy, Order, Service []cfield
}

func (s *Server) policiesPage(r *http.Request, v *viewer, f *form) (consolePoliciesPage, error) {
	pol, err := s.app.ConsoleChainPolicies(r.Context(), v.Viewer)
	if err != nil {
		return consolePoliciesPage{}, err
	}
	if f == nil {
		nf := newForm()
		nf.Values["cancel_deadline_days"] = strconv.Itoa(pol.CancelDeadlineDays)
		nf.Values["late_fee_percent"] = strconv.Itoa(pol.LateFeePercent)
		nf.Values["legacy_cutover"] = pol.LegacyCutover.String()
		nf.Values["legacy_retirement"] = pol.LegacyRetirement.String()
		nf.Values["order_service_url"] = pol.OrderServiceURL
		nf.Values["customer_service_phone"] = pol.CustomerServicePhone
		nf.Values["customer_service_email"] = pol.CustomerServiceEmail
		f = &nf
	}
	return consolePoliciesPage{layout: s.consoleLayout(r, v, "console.policies.title", "policies"), Policies: pol, Form: *f,
		Cancel: []cfield{
			f.cfield("", "cancel_deadline_days", "console.policies.deadline", "number", "", true),
			f.cfield("", "late_fee_percent", "console.policies.fee", "number", "", true),
		},
		Legacy: []cfield{
			f.cfield("", "legacy_cutover", "console.policies.cutover", "date", "console.policies.cutover.hint", true),
			f.cfield("", "legacy_retirement", "console.policies.retirement", "date", "console.policies.retirement.hint", true),
		},
		Order: []cfield{f.cfield("", "order_service_url", "console.policies.order", "url", "console.policies.order.hint", true)},
		Service: []cfield{
			f.cfield("", "customer_service_phone", "pages.console.phone", "tel", "pages.console.phone.hint", false),
			f.cfield("", "customer_service_email", "pages.console.email", "email", "pages.console.email.hint", false),
		},
	}, nil
}

// consolePolicies shows the chain policies form.
func (s *Server) consolePolicies(w http.ResponseWriter, r *http.Request, v *viewer) error {
	p, err := s.policiesPage(r, v, nil)
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "consolepolicies", p)
}

func (s *Server) consoleSavePolicies(w http.ResponseWriter, r *http.Request, v *viewer) error {
	fields := []string{"cancel_deadline_days", "late_fee_percent", "legacy_cutover", "legacy_retirement", "order_service_url",
		"customer_service_phone", "customer_service_email"}
	return s.postForm(w, r, v, formFlow{
		Fields: fields,
		Run: func(pf url.Values) (string, string, error) {
			in := app.ChainPolicyForm{CancelDeadlineDays: pf.Get("cancel_deadline_days"), LateFeePercent: pf.Get("late_fee_percent"),
				LegacyCutover: pf.Get("legacy_cutover"), LegacyRetirement: pf.Get("legacy_retirement"), OrderServiceURL: pf.Get("order_service_url"),
				CustomerServicePhone: pf.Get("customer_service_phone"), CustomerServiceEmail: pf.Get("customer_service_email")}
			_, err := s.app.ChangeChainPoliciesAsAdmin(r.Context(), v.Viewer, in)
			return consolePath + "/ehdot", "ehdot", err
		},
		Page: func(f form, status int) error {
			for _, k := range fields {
				f.Values[k] = clip(r.PostForm.Get(k), 4*app.MaxOrderURLLength)
			}
			p, err := s.policiesPage(r, v, &f)
			if err != nil {
				return err
			}
			return s.render(w, r, status, "consolepolicies", p)
		},
	})
}

// ruleRow is a deduction rule as the list shows it, with its edit link.
type ruleRow struct {
	portal.DeductionRule
	Rate, Max, Omavastuu string
	Edit                 string
	// TypeName is the work type in words.
	TypeName string
}

type consoleRulesPage struct {
	layout
	Rules  []ruleRow
	Form   form
	Fields []cfield
	// WorkTypes are the choices of the form's work type: the known ones
	// and those with rules, each with its words.
	WorkTypes []workTypeChoice
}

// workTypeChoice is a work type the rules form offers.
type workTypeChoice struct{ Code, Name string }

// rulesPath is the rules page.
const rulesPath = consolePath + "/vahennyssaannot"

// hundredths writes an amount in hundredths the way the form reads it:
// "35", "35,5", "1600".
func hundredths(n int64) string {
	s := strconv.FormatInt(n/100, 10)
	if c := n % 100; c != 0 {
		s += "," + strings.TrimSuffix(strconv.FormatInt(100+c, 10)[1:], "0")
	}
	return s
}

func (s *Server) rulesPage(r *http.Request, v *viewer, f *form) (consoleRulesPage, error) {
	rules, err := s.app.ConsoleDeductionRules(r.Context(), v.Viewer)
	if err != nil {
		return consoleRulesPage{}, err
	}
	p := consoleRulesPage{layout: s.consoleLayout(r, v, "console.rules.title", "rules")}
	q := r.URL.Query()
	if f == nil {
		nf := newForm()
		f = &nf
	}
	for _, ru := range rules {
		row := ruleRow{DeductionRule: ru, Rate: hundredths(int64(ru.RateBP)), Max: hundredths(ru.MaxCents), Omavastuu: hundredths(ru.OmavastuuCents),
			Edit: rulesPath + "?" + url.Values{"vuosi": {strconv.Itoa(ru.Year)}, "tyolaji": {ru.WorkType}}.Encode() + "#year"}
		// The edit link fills the form with the rule.
		if r.Method == http.MethodGet && q.Get("vuosi") == strconv.Itoa(ru.Year) && q.Get("tyolaji") == ru.WorkType {
			f.Values["year"], f.Values["work_type"] = strconv.Itoa(ru.Year), ru.WorkType
			f.Values["rate"], f.Values["max"], f.Values["omavastuu"] = row.Rate, row.Max, row.Omavastuu
		}
		p.Rules = append(p.Rules, row)
	}
	w := s.words(p.L)
	codes := slices.Clone(portal.WorkTypes)
	for i := range p.Rules {
		p.Rules[i].TypeName = w.workType(p.Rules[i].WorkType)
		if !slices.Contains(codes, p.Rules[i].WorkType) {
			codes = append(codes, p.Rules[i].WorkType)
		}
	}
	// A refused form keeps what was sent, even a code not on the list.
	if v := f.Values["work_type"]; v != "" && !slices.Contains(codes, v) {
		codes = append(codes, v)
	}
	for _, c := range codes {
		p.WorkTypes = append(p.WorkTypes, workTypeChoice{c, w.workType(c)})
	}
	p.Form = *f
	p.Fields = []cfield{
		f.cfield("", "year", "console.rules.year", "number", "", true),
		f.cfield("", "work_type", "console.rules.workType", "text", "console.rules.workType.hint", true),
		f.cfield("", "rate", "console.rules.rate", "decimal", "", true),
		f.cfield("", "max", "console.rules.max", "decimal", "", true),
		f.cfield("", "omavastuu", "console.rules.omavastuu", "decimal", "", true),
	}
	return p, nil
}

// consoleRules lists the deduction rules with the form that adds or
// changes one.
func (s *Server) consoleRules(w http.ResponseWriter, r *http.Request, v *viewer) error {
	p, err := s.rulesPage(r, v, nil)
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "consolerules", p)
}

func (s *Server) consoleSaveRule(w http.ResponseWriter, r *http.Request, v *viewer) error {
	fields := []string{"year", "work_type", "rate", "max", "omavastuu"}
	return s.postForm(w, r, v, formFlow{
		Fields: fields,
		Run: func(pf url.Values) (string, string, error) {
			_, err := s.app.SaveDeductionRule(r.Context(), v.Viewer, app.RuleForm{Year: pf.Get("year"), WorkType: pf.Get("work_type"),
				RatePercent: pf.Get("rate"), MaxEuros: pf.Get("max"), OmavastuuEuros: pf.Get("omavastuu")})
			return rulesPath, "saanto", err
		},
		Page: func(f form, status int) error {
			for _, k := range fields {
				f.Values[k] = clip(r.PostForm.Get(k), 4*app.MaxWorkTypeLen)
			}
			p, err := s.rulesPage(r, v, &f)
			if err != nil {
				return err
			}
			return s.render(w, r, status, "consolerules", p)
		},
	})
}

type consoleFeedbackPage struct {
	layout
	Feedback []portal.PortalFeedback
	Page     int
	More     bool
}

// consoleFeedback is the portal-feedback inbox, newest first.
func (s *Server) consoleFeedback(w http.ResponseWriter, r *http.Request, v *viewer) error {
	page, _ := strconv.Atoi(r.URL.Query().Get("sivu"))
	list, more, err := s.app.PortalFeedbackInbox(r.Context(), v.Viewer, page)
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "consolefeedback", consoleFeedbackPage{
		layout: s.consoleLayout(r, v, "console.feedback.title", "feedback"), Feedback: list, Page: max(page, 1), More: more})
}

// auditRow is an audit log entry in words.
type auditRow struct {
	portal.AuditEntry
	// Who is the actor's address and role; What the action in words.
	Who, What string
}

type consoleAuditPage struct {
	layout
	Rows   []auditRow
	Form   form
	Fields []cfield
	Page   int
	More   bool
	// Newer and Older are the pager's links, with the filter.
	Newer, Older string
}

// consoleAudit is the audit log viewer. The filter is a GET form, so a
// filtered view is a link that can be shared with a colleague.
func (s *Server) consoleAudit(w http.ResponseWriter, r *http.Request, v *viewer) error {
	q := r.URL.Query()
	page, _ := strconv.Atoi(q.Get("sivu"))
	aq := app.AuditQuery{Actor: q.Get("tekija"), Customer: q.Get("asiakas"), From: q.Get("alkaen"), Until: q.Get("paattyen"), Page: page}
	f := newForm()
	f.Values["actor"], f.Values["customer"] = clip(aq.Actor, 2*emailaddr.MaxLength), clip(aq.Customer, 4*app.MaxProviderName)
	f.Values["from"], f.Values["until"] = clip(aq.From, 40), clip(aq.Until, 40)
	res, err := s.app.AuditLog(r.Context(), v.Viewer, aq)
	status := http.StatusOK
	if err != nil {
		if !f.fromInvalid(err) {
			return err
		}
		status = http.StatusUnprocessableEntity
	}
	l := s.texts(r, v)
	p := consoleAuditPage{layout: s.consoleLayout(r, v, "console.audit.title", "audit"), Form: f, Page: res.Page, More: res.More,
		Fields: []cfield{
			f.cfield("", "actor", "console.audit.actor", "text", "console.audit.actor.hint", false),
			f.cfield("", "customer", "console.audit.customer", "text", "console.audit.customer.hint", false),
			f.cfield("", "from", "console.audit.from", "date", "", false),
			f.cfield("", "until", "console.audit.until", "date", "", false),
		},
	}
	pageURL := func(n int) string {
		return consolePath + "/tapahtumaloki?" + url.Values{"tekija": {aq.Actor}, "asiakas": {aq.Customer}, "alkaen": {aq.From},
			"paattyen": {aq.Until}, "sivu": {strconv.Itoa(n)}}.Encode()
	}
	p.Newer, p.Older = pageURL(p.Page-1), pageURL(p.Page+1)
	// The inputs carry the query's names, not the app's field names.
	for i, name := range []string{"tekija", "asiakas", "alkaen", "paattyen"} {
		p.Fields[i].Name = name
	}
	for _, e := range res.Rows {
		who := l.T("console.audit.system")
		if e.ActorEmail != "" {
			who = e.ActorEmail
		}
		if k := "console.audit.role." + e.ActorRole; s.catalog.Has(k) {
			who += " (" + l.T(k) + ")"
		}
		w := s.words(l)
		row := auditRow{AuditEntry: e, Who: who, What: w.action(e.Action)}
		row.Detail = w.detail(e.Action, e.Detail)
		p.Rows = append(p.Rows, row)
	}
	return s.render(w, r, status, "consoleaudit", p)
}
