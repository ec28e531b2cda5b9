package mail_test

import (
	"regexp"
	"strings"
	"testing"

	"asiakassivu/internal/mail"
)

// dataFor returns complete data for a kind.
func dataFor(kind string) map[string]string {
	d := map[string]string{"url": "https://asiakassivu.example/kirjaudu"}
	switch kind {
	case mail.SignupCode, mail.ResetCode, mail.EmailChangeCode:
		d["code"] = "042917"
	case mail.EmailChangedNotice:
		d["new_email"] = "uusi.osoite@example.fi"
	case mail.MessageUnread:
		d["site"] = "Äidin koti, Mannerheimintie 85 A 7"
	case mail.VisitCancelled:
		d["site"], d["visit"], d["reason"] = "Koti, Hämeenkatu 12", "8.12.2026 10.00", "Työntekijä sairastui <b>"
	case mail.VisitChangedByRelative:
		d["site"], d["visit"], d["actor"], d["role"], d["change"] = "Koti, Hämeenkatu 12", "8.12.2026 10.00", "Liisa <Virtanen>",
			"caretaker", mail.ChangeCancelled
	case mail.StaffInvite:
		d["provider"], d["url"] = "Kotikulma <Oy>", "https://asiakassivu.example/luo-tili"
	case mail.FactorAddedNotice, mail.FactorRemovedNotice:
		d["factor"] = mail.FactorPasskey
	case mail.GrantInvite:
		d["inviter"], d["site"], d["role"] = "Aino <Virtanen>", "Koti, Hämeenkatu 12", "caretaker"
		d["url"] = "https://asiakassivu.example/kutsu/abc"
	}
	return d
}

func TestEveryKindInEveryLanguage(t *testing.T) {
	if len(mail.Kinds()) != 14 {
		t.Fatalf("kinds %v", mail.Kinds())
	}
	for _, kind := range mail.Kinds() {
		subjects := map[string]bool{}
		for _, lang := range mail.Langs() {
			m, err := mail.Render(kind, lang, dataFor(kind))
			if err != nil {
				t.Errorf("%s/%s: %v", kind, lang, err)
				continue
			}
			subjects[m.Subject] = true
			if m.Subject == "" || strings.ContainsAny(m.Subject, "\r\n") {
				t.Errorf("%s/%s: subject %q", kind, lang, m.Subject)
			}
			for part, body := range map[string]string{"text": m.Text, "html": m.HTML} {
				for _, bad := range []string{"<no value>", "{{", "}}", "%!"} {
					if strings.Contains(body, bad) {
						t.Errorf("%s/%s %s holds %q:\n%s", kind, lang, part, bad, body)
					}
				}
				if len(body) < 200 {
					t.Errorf("%s/%s %s is short:\n%s", kind, lang, part, body)
				}
			}
			if !strings.Contains(m.HTML, `<html lang="`+lang+`">`) {
				t.Errorf("%s/%s: html lang missing", kind, lang)
			}
			code := dataFor(kind)["code"]
			if code != "" {
				if !strings.Contains(m.Text, code) || !strings.Contains(m.HTML, code) {
					t.Errorf("%s/%s: code missing from text or html", kind, lang)
				}
				if strings.Contains(m.Subject, code) {
					t.Errorf("%s/%s: code in the subject", kind, lang)
				}
				if !strings.Contains(m.Text, "10") {
					t.Errorf("%s/%s: validity (10 minutes) not told", kind, lang)
				}
			}
			if kind == mail.EmailChangedNotice {
				if strings.Contains(m.Text+m.HTML, "uusi.osoite@example.fi") || strings.Contains(m.Text+m.HTML, "uusi.osoite") {
					t.Errorf("%s/%s: the new address is shown in full", kind, lang)
				}
				if !strings.Contains(m.Text, "u***@e***.fi") {
					t.Errorf("%s/%s: no masked address in\n%s", kind, lang, m.Text)
				}
			}
			if strings.Contains(m.Text, "\n\n\n") {
				t.Errorf("%s/%s: text has runs of blank lines", kind, lang)
			}
		}
		if len(subjects) != len(mail.Langs()) {
			t.Errorf("%s: subjects not translated: %v", kind, subjects)
		}
	}
}

func TestRenderRefusesBadData(t *testing.T) {
	cases := []struct {
		name, kind string
		data       map[string]string
	}{
		{"unknown kind", "welcome", nil},
		{"missing code", mail.SignupCode, nil},
		{"empty code", mail.ResetCode, map[string]string{"code": " "}},
		{"code not six digits", mail.ResetCode, map[string]string{"code": "12345x"}},
		{"misspelt key", mail.SignupCode, map[string]string{"Code": "123456"}},
		{"javascript url", mail.SignupExists, map[string]string{"url": "javascript:alert(1)"}},
	}
	for _, c := range cases {
		if _, err := mail.Render(c.kind, "fi", c.data); err == nil {
			t.Errorf("%s: rendered", c.name)
		}
	}
}

func TestRenderDefaultsToFinnish(t *testing.T) {
	fi, _ := mail.Render(mail.SignupCode, "fi", map[string]string{"code": "123456"})
	for _, lang := range []string{"", "de", "FI-x"} {
		m, err := mail.Render(mail.SignupCode, lang, map[string]string{"code": "123456"})
		if err != nil || m.Subject != fi.Subject || m.Text != fi.Text {
			t.Errorf("lang %q: %v %q", lang, err, m.Subject)
		}
	}
	if !strings.Contains(fi.Text, "Jos et itse pyytänyt koodia, voit jättää tämän viestin huomiotta") {
		t.Errorf("Finnish signup text:\n%s", fi.Text)
	}
}

func TestRenderEscapesHTML(t *testing.T) {
	m, err := mail.Render(mail.EmailChangedNotice, "en", map[string]string{"new_email": "<script>x@example.fi"})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(m.HTML, "<script>") || !strings.Contains(m.HTML, "&lt;***@e***.fi") {
		t.Errorf("html not escaped:\n%s", m.HTML)
	}
	m, err = mail.Render(mail.SignupExists, "en", map[string]string{"url": `https://a.example/?q="><b>x</b>`})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(m.HTML, "<b>x</b>") {
		t.Errorf("url not escaped:\n%s", m.HTML)
	}
	if !strings.Contains(m.Text, `https://a.example/?q="><b>x</b>`) {
		t.Errorf("text part should carry the address as it is:\n%s", m.Text)
	}
}

// TestNoticesHoldNoSecrets: the mails without a code carry no number
// that could pass for one.
func TestNoticesHoldNoSecrets(t *testing.T) {
	six := regexp.MustCompile(`\b[0-9]{6}\b`)
	for _, kind := range []string{mail.SignupExists, mail.EmailChangedNotice, mail.PasswordChangedNotice, mail.AccountDeletedNotice} {
		for _, lang := range mail.Langs() {
			m, err := mail.Render(kind, lang, dataFor(kind))
			if err != nil {
				t.Fatal(err)
			}
			if six.MatchString(m.Subject + m.Text + m.HTML) {
				t.Errorf("%s/%s holds a six-digit number", kind, lang)
			}
		}
	}
}

// TestRenderIgnoresOtherData: keys a kind does not use (the recipient's
// "email", a code in a notice) are not shown, and the masked new address
// is optional.
func TestRenderIgnoresOtherData(t *testing.T) {
	m, err := mail.Render(mail.PasswordChangedNotice, "fi", map[string]string{"code": "123456", "email": "maija@example.fi"})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(m.Text+m.HTML, "123456") || strings.Contains(m.Text+m.HTML, "maija@") {
		t.Errorf("unused data shown:\n%s", m.Text)
	}
	m, err = mail.Render(mail.EmailChangedNotice, "fi", map[string]string{"email": "vanha@example.fi"})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(m.Text+m.HTML, "***") || strings.Contains(m.Text+m.HTML, "vanha") ||
		!strings.Contains(m.Text, "sähköpostiosoite vaihdettiin juuri. Tähän osoitteeseen") {
		t.Errorf("notice without the new address:\n%s", m.Text)
	}
}

// TestFactorNotices: the notice names the factor that changed, and a
// factor it does not know is refused rather than guessed.
func TestFactorNotices(t *testing.T) {
	for _, kind := range []string{mail.FactorAddedNotice, mail.FactorRemovedNotice} {
		for factor, want := range map[string]string{mail.FactorPasskey: "pääsyavain", mail.FactorAuthenticator: "todennussovellus"} {
			m, err := mail.Render(kind, "fi", map[string]string{"factor": factor})
			if err != nil || !strings.Contains(m.Subject, want) || !strings.Contains(m.Text, want) || !strings.Contains(m.HTML, want) {
				t.Errorf("%s %s: %v %q", kind, factor, err, m.Subject)
			}
		}
		if _, err := mail.Render(kind, "fi", map[string]string{"factor": "sms"}); err == nil {
			t.Errorf("%s: an unknown factor was rendered", kind)
		}
	}
	// An admin's reset removes every factor; nothing adds them all.
	for _, lang := range mail.Langs() {
		m, err := mail.Render(mail.FactorRemovedNotice, lang, map[string]string{"factor": mail.FactorAll})
		if err != nil || !strings.Contains(m.Text, map[string]string{"fi": "kaikki", "sv": "alla", "en": "every"}[lang]) ||
			strings.Contains(m.Text, map[string]string{"fi": "todennussovellus. ", "sv": "appen togs just", "en": "app was just"}[lang]) {
			t.Errorf("reset notice in %s: %v\n%s", lang, err, m.Text)
		}
	}
	if _, err := mail.Render(mail.FactorAddedNotice, "fi", map[string]string{"factor": mail.FactorAll}); err == nil {
		t.Error("an added notice for every factor was rendered")
	}
}

// TestContactKindsNameCustomerService: every mail that asks to contact
// customer service names its phone, email and the contact page, in every
// language, in the text and the HTML; without them it still renders, and
// a contact page that is no http(s) address is refused.
func TestContactKindsNameCustomerService(t *testing.T) {
	asks := regexp.MustCompile(`asiakaspalveluun|kundtjänsten|customer service`)
	for _, kind := range mail.Kinds() {
		for _, lang := range mail.Langs() {
			d := dataFor(kind)
			d["support_phone"], d["support_email"], d["contact_url"] = "010 555 1234", "palvelu@ketju.example", "https://asiakassivu.example/yhteystiedot"
			m, err := mail.Render(kind, lang, d)
			if err != nil {
				t.Fatalf("%s/%s: %v", kind, lang, err)
			}
			contact := false
			for _, k := range mail.ContactKinds() {
				contact = contact || k == kind
			}
			if asks.MatchString(m.Text) != contact {
				t.Errorf("%s/%s: asks to contact customer service %v, a contact kind %v", kind, lang, asks.MatchString(m.Text), contact)
			}
			if !contact {
				if strings.Contains(m.Text, "010 555 1234") {
					t.Errorf("%s/%s names customer service without asking to contact it", kind, lang)
				}
				continue
			}
			for _, want := range []string{"010 555 1234", "palvelu@ketju.example", "https://asiakassivu.example/yhteystiedot"} {
				if !strings.Contains(m.Text, want) || !strings.Contains(m.HTML, want) {
					t.Errorf("%s/%s lacks %q (text %v, html %v)", kind, lang, want, strings.Contains(m.Text, want), strings.Contains(m.HTML, want))
				}
			}
			if _, err := mail.Render(kind, lang, dataFor(kind)); err != nil {
				t.Errorf("%s/%s without the contacts: %v", kind, lang, err)
			}
			d["contact_url"] = "javascript:alert(1)"
			if _, err := mail.Render(kind, lang, d); err == nil {
				t.Errorf("%s/%s: a javascript: contact page was accepted", kind, lang)
			}
		}
	}
}

// TestVisitChangedByRelative: the owner's mail names the relative, their
// role and what they did, in each language, escaped in the HTML; an
// unknown role or change is refused rather than mailed wrong.
func TestVisitChangedByRelative(t *testing.T) {
	want := map[string]map[string][]string{
		"fi": {"caretaker/cancelled": {"Liisa <Virtanen> (asioiden hoitaja) perui palveluvuoron 8.12.2026 10.00"},
			"follower/move_requested": {"Liisa <Virtanen> (seuraaja) pyysi siirtämään palveluvuoroa 8.12.2026 10.00"}},
		"sv": {"caretaker/cancelled": {"Liisa <Virtanen> (sköter ärendena) avbokade servicebesöket"},
			"follower/move_requested": {"(följare) bad att flytta servicebesöket"}},
		"en": {"caretaker/cancelled": {"Liisa <Virtanen> (looks after your home) cancelled the visit"},
			"follower/move_requested": {"(follows your home) asked to move the visit"}},
	}
	for lang, cases := range want {
		for c, parts := range cases {
			role, change, _ := strings.Cut(c, "/")
			d := dataFor(mail.VisitChangedByRelative)
			d["role"], d["change"] = role, change
			m, err := mail.Render(mail.VisitChangedByRelative, lang, d)
			if err != nil {
				t.Fatalf("%s %s: %v", lang, c, err)
			}
			for _, p := range parts {
				if !strings.Contains(m.Text, p) {
					t.Errorf("%s %s: text lacks %q:\n%s", lang, c, p, m.Text)
				}
			}
			if !strings.Contains(m.HTML, "Liisa &lt;Virtanen&gt;") || strings.Contains(m.HTML, "<Virtanen>") {
				t.Errorf("%s %s: the name is not escaped in the HTML:\n%s", lang, c, m.HTML)
			}
		}
	}
	for _, bad := range []map[string]string{{"role": "owner"}, {"role": "admin"}, {"change": "deleted"}} {
		d := dataFor(mail.VisitChangedByRelative)
		for k, v := range bad {
			d[k] = v
		}
		if _, err := mail.Render(mail.VisitChangedByRelative, "fi", d); err == nil {
			t.Errorf("rendered with %v", bad)
		}
	}
}

// TestGrantInviteNamesRole: the family-access invitation explains the
// role it gives, in every language, and refuses an unknown role.
func TestGrantInviteNamesRole(t *testing.T) {
	words := map[string][2]string{"fi": {"seuraaja", "asioiden hoitaja"}, "sv": {"följare", "sköter ärendena"},
		"en": {"follow the home", "look after"}}
	for _, lang := range mail.Langs() {
		for i, role := range []string{"follower", "caretaker"} {
			d := dataFor(mail.GrantInvite)
			d["role"] = role
			m, err := mail.Render(mail.GrantInvite, lang, d)
			if err != nil {
				t.Fatalf("%s/%s: %v", role, lang, err)
			}
			w, other := words[lang][i], words[lang][1-i]
			if !strings.Contains(m.Text, w) || strings.Contains(m.Text, other) || !strings.Contains(m.HTML, w) {
				t.Errorf("%s/%s: want %q and not %q:\n%s", role, lang, w, other, m.Text)
			}
			if !strings.Contains(m.Text, d["url"]) || !strings.Contains(m.HTML, "Aino &lt;Virtanen&gt;") {
				t.Errorf("%s/%s: link or escaped inviter missing:\n%s", role, lang, m.HTML)
			}
		}
		d := dataFor(mail.GrantInvite)
		d["role"] = "owner"
		if _, err := mail.Render(mail.GrantInvite, lang, d); err == nil {
			t.Errorf("%s: an unknown role was rendered", lang)
		}
	}
}
