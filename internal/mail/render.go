package mail

import (
	"asiakassivu/internal/portal"
	"bytes"
	"embed"
	"fmt"
	htmltemplate "html/template"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	texttemplate "text/template"
)

//go:embed templates
var templateFiles embed.FS

// The kinds of mail Render knows, with the data each needs. Every kind
// also takes an optional "url": the portal's address, shown as a link.
// The notices that ask to contact customer service (ContactKinds) also
// take "support_phone", "support_email" and "contact_url" (the portal's
// contact page), each optional, and name them after that sentence.
// Other keys (such as "email", the recipient) are ignored.
const (
	// SignupCode carries the code that verifies a new account's address.
	// Data: "code".
	SignupCode = "signup_code"
	// SignupExists tells the owner of an address that someone tried to
	// create an account with it. No data.
	SignupExists = "signup_exists"
	// ResetCode carries a password reset code. Data: "code".
	ResetCode = "reset_code"
	// EmailChangeCode goes to the new address and carries the code that
	// confirms it. Data: "code".
	EmailChangeCode = "email_change_code"
	// EmailChangedNotice goes to the old address after a change. Data:
	// optional "new_email", the new address, which the mail shows only
	// masked ("m***@e***.fi") so the owner can recognise it.
	EmailChangedNotice = "email_changed_notice"
	// PasswordChangedNotice tells that the password was changed. No data.
	PasswordChangedNotice = "password_changed_notice"
	// AccountDeletedNotice tells that the account was deleted. No data.
	AccountDeletedNotice = "account_deleted_notice"
	// FactorAddedNotice tells that a way to confirm the sign-in was added
	// to the account. Data: "factor", FactorPasskey or FactorAuthenticator.
	FactorAddedNotice = "factor_added_notice"
	// FactorRemovedNotice tells that one was removed. Data: "factor".
	FactorRemovedNotice = "factor_removed_notice"
	// MessageUnread tells that a message in a site's thread has waited
	// unread. Data: "site", the site's name and street. The message itself
	// is not in the mail: the portal shows it after signing in.
	MessageUnread = "message_unread"
	// VisitCancelled tells the customer that the provider cancelled a
	// visit. Data: "site", "visit" (its time) and "reason".
	VisitCancelled = "visit_cancelled"
	// VisitChangedByRelative tells a site's owner that a relative acting
	// under a grant cancelled a visit or asked to move it. Data: "site",
	// "visit" (its time), "actor" (the relative's name), "role"
	// (portal.ActorFollower or portal.ActorCaretaker) and "change"
	// (ChangeCancelled or ChangeMoveRequested).
	VisitChangedByRelative = "visit_changed_by_relative"
	// StaffInvite invites a provider's new staff member, whose address has
	// no account yet, to create one at the sign-up page with this address.
	// Data: "provider", the provider's name; "url", the sign-up page.
	StaffInvite = "staff_invite"
	// GrantInvite invites a person to one home (family access): who
	// invites ("inviter", the home owner's name), to which home ("site"),
	// with which role ("role": "follower" or "caretaker", explained in the
	// mail) and the link that accepts it ("url", valid 7 days).
	GrantInvite = "grant_invite"
)

// The changes a VisitChangedByRelative tells of.
const (
	ChangeCancelled     = "cancelled"
	ChangeMoveRequested = "move_requested"
)

// The factors a FactorAddedNotice or FactorRemovedNotice names.
const (
	FactorPasskey       = "passkey"
	FactorAuthenticator = "authenticator"
	// FactorAll is an admin's reset of every way to confirm the sign-in.
	FactorAll = "all"
)

// required lists the data keys of each kind.
var required = map[string][]string{
	SignupCode:             {"code"},
	SignupExists:           nil,
	ResetCode:              {"code"},
	EmailChangeCode:        {"code"},
	EmailChangedNotice:     nil,
	PasswordChangedNotice:  nil,
	AccountDeletedNotice:   nil,
	FactorAddedNotice:      {"factor"},
	FactorRemovedNotice:    {"factor"},
	MessageUnread:          {"site"},
	VisitCancelled:         {"site", "visit", "reason"},
	VisitChangedByRelative: {"site", "visit", "actor", "role", "change"},
	StaffInvite:            {"provider"},
	GrantInvite:            {"inviter", "site", "role", "url"},
}

// ContactKinds lists the kinds that ask the reader to contact customer
// service, and so name how (support_phone, support_email, contact_url).
func ContactKinds() []string {
	return []string{EmailChangedNotice, PasswordChangedNotice, AccountDeletedNotice, FactorAddedNotice, FactorRemovedNotice}
}

// Kinds lists every kind of mail Render knows.
func Kinds() []string {
	var ks []string
	for k := range required {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

// Langs lists the languages of the mail texts; the first is the default.
func Langs() []string { return []string{"fi", "sv", "en"} }

var appNames = map[string]string{"fi": "Asiakassivu", "sv": "Kundsidan", "en": "Asiakassivu"}

// view is what the templates see.
type view struct {
	Lang     string
	AppName  string
	Subject  string
	Code     string
	NewEmail string // masked
	URL      string
	Site     string
	Visit    string
	Reason   string
	Provider string
	Inviter  string
	// Caretaker is set when a GrantInvite's role is caretaker.
	Caretaker bool
	// ActorName and ActorRole are the relative who changed a visit and
	// their role (a portal.ActorRole); Cancelled tells a cancellation from
	// a move request (VisitChangedByRelative).
	ActorName string
	ActorRole string
	Cancelled bool
	// SupportPhone, SupportEmail and ContactURL reach customer service.
	SupportPhone, SupportEmail, ContactURL string
	Passkey                                bool              // the factor of a factor notice is a passkey
	AllGone                                bool              // … is every factor, reset by an admin (else an authenticator app)
	Body                                   htmltemplate.HTML // the layout's content
}

type templateSet struct {
	text map[string]*texttemplate.Template
	html map[string]*htmltemplate.Template
}

// templates parses the embedded templates once; they never change after.
var templates = sync.OnceValues(func() (templateSet, error) {
	ts := templateSet{text: map[string]*texttemplate.Template{}, html: map[string]*htmltemplate.Template{}}
	for _, l := range Langs() {
		t, err := texttemplate.New(l).Option("missingkey=error").ParseFS(templateFiles, "templates/"+l+".txt")
		if err != nil {
			return ts, fmt.Errorf("mail templates %s: %w", l, err)
		}
		h, err := htmltemplate.New(l).Option("missingkey=error").ParseFS(templateFiles, "templates/layout.html", "templates/"+l+".html")
		if err != nil {
			return ts, fmt.Errorf("mail templates %s: %w", l, err)
		}
		ts.text[l], ts.html[l] = t, h
	}
	return ts, nil
})

var sixDigits = regexp.MustCompile(`^[0-9]{6}$`)

// Render returns the mail of a kind in a language ("fi", "sv" or "en";
// anything else gives Finnish) filled with data. The caller sets To. It
// fails on an unknown kind, a missing data key, or a code that is not six
// digits. The subject never holds the code: a log may show it.
func Render(kind, lang string, data map[string]string) (Message, error) {
	need, ok := required[kind]
	if !ok {
		return Message{}, fmt.Errorf("render mail: unknown kind %q", kind)
	}
	for _, k := range need {
		if strings.TrimSpace(data[k]) == "" {
			return Message{}, fmt.Errorf("render mail %s: missing %q", kind, k)
		}
	}
	if !slices.Contains(Langs(), lang) {
		lang = Langs()[0]
	}
	v := view{Lang: lang, AppName: appNames[lang], Code: data["code"], URL: data["url"], Site: data["site"],
		Visit: data["visit"], Reason: data["reason"], Provider: data["provider"]}
	if slices.Contains(need, "code") && !sixDigits.MatchString(v.Code) {
		return Message{}, fmt.Errorf("render mail %s: the code is not six digits", kind)
	}
	if kind == GrantInvite {
		switch data["role"] {
		case "follower", "caretaker":
			v.Inviter, v.Caretaker = data["inviter"], data["role"] == "caretaker"
		default:
			return Message{}, fmt.Errorf("render mail %s: unknown role %q", kind, data["role"])
		}
	}
	if slices.Contains(need, "factor") {
		if f := data["factor"]; f != FactorPasskey && f != FactorAuthenticator && (f != FactorAll || kind != FactorRemovedNotice) {
			return Message{}, fmt.Errorf("render mail %s: unknown factor %q", kind, f)
		}
		v.Passkey, v.AllGone = data["factor"] == FactorPasskey, data["factor"] == FactorAll
	}
	if kind == VisitChangedByRelative {
		role, change := data["role"], data["change"]
		if role != string(portal.ActorFollower) && role != string(portal.ActorCaretaker) {
			return Message{}, fmt.Errorf("render mail %s: unknown role %q", kind, role)
		}
		if change != ChangeCancelled && change != ChangeMoveRequested {
			return Message{}, fmt.Errorf("render mail %s: unknown change %q", kind, change)
		}
		v.ActorName, v.ActorRole, v.Cancelled = data["actor"], role, change == ChangeCancelled
	}
	if kind == EmailChangedNotice && strings.TrimSpace(data["new_email"]) != "" {
		v.NewEmail = portal.MaskEmail(data["new_email"])
	}
	for _, link := range []string{v.URL, data["contact_url"]} {
		if link == "" {
			continue
		}
		u, err := url.Parse(link)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return Message{}, fmt.Errorf("render mail %s: url %q is not an http(s) address", kind, link)
		}
	}
	if slices.Contains(ContactKinds(), kind) {
		v.SupportPhone, v.SupportEmail, v.ContactURL = data["support_phone"], data["support_email"], data["contact_url"]
	}
	ts, err := templates()
	if err != nil {
		return Message{}, err
	}
	var b bytes.Buffer
	if err := ts.text[lang].ExecuteTemplate(&b, kind+".subject", v); err != nil {
		return Message{}, fmt.Errorf("render mail %s subject: %w", kind, err)
	}
	v.Subject = strings.TrimSpace(b.String())
	b.Reset()
	if err := ts.text[lang].ExecuteTemplate(&b, kind+".text", v); err != nil {
		return Message{}, fmt.Errorf("render mail %s text: %w", kind, err)
	}
	text := tidy(b.String())
	b.Reset()
	if err := ts.html[lang].ExecuteTemplate(&b, kind+".html", v); err != nil {
		return Message{}, fmt.Errorf("render mail %s html: %w", kind, err)
	}
	// The body was escaped by html/template above; the layout only frames it.
	v.Body = htmltemplate.HTML(strings.TrimSpace(b.String()))
	b.Reset()
	if err := ts.html[lang].ExecuteTemplate(&b, "layout", v); err != nil {
		return Message{}, fmt.Errorf("render mail %s layout: %w", kind, err)
	}
	return Message{Subject: v.Subject, Text: text, HTML: b.String()}, nil
}

var blankLines = regexp.MustCompile(`\n[ \t]*\n(?:[ \t]*\n)+`)

// tidy trims the text and folds runs of blank lines (left by optional
// parts) into one.
func tidy(s string) string {
	return blankLines.ReplaceAllString(strings.TrimSpace(s), "\n\n") + "\n"
}
