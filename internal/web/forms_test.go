package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"asiakassivu/internal/i18n"
	"asiakassivu/internal/store"
	"asiakassivu/internal/store/storetest"
)

// TestWithNotice: the notice key goes into the query, before a fragment,
// beside a query the address has already.
func TestWithNotice(t *testing.T) {
	for _, tt := range []struct{ to, key, want string }{
		{"/profiili", "salasana", "/profiili?ok=salasana"},
		{"/profiili#kirjautuminen", "tunnistus", "/profiili?ok=tunnistus#kirjautuminen"},
		{"/yllapito/vahennyssaannot?vuosi=2027", "saanto", "/yllapito/vahennyssaannot?vuosi=2027&ok=saanto"},
		{"/vahvista", "", "/vahvista"},
	} {
		if got := withNotice(tt.to, tt.key); got != tt.want {
			t.Errorf("withNotice(%q, %q) = %q, want %q", tt.to, tt.key, got, tt.want)
		}
	}
}

// TestNoticesHaveTexts: every notice key has its text in every language.
func TestNoticesHaveTexts(t *testing.T) {
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	for ok, key := range notices {
		if !cat.Has(key) {
			t.Errorf("notice %s: unknown text key %q", ok, key)
		}
	}
}

// TestOneNoticeOneSummary: a page shows the notice of its ?ok= key once,
// first in <main>, with the focus; an unknown key shows nothing; a refused
// form's page has its error summary with the focus, and only the form's
// own fields in its order.
func TestOneNoticeOneSummary(t *testing.T) {
	storetest.Each(t, nil, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, "")
		c := e.client(t)
		e.signIn(t, c, "maija@example.fi")
		const notice = `<main id="main" tabindex="-1">
<p class="notice" id="ilmoitus" role="status" tabindex="-1" autofocus>Salasana on vaihdettu. Muut laitteet kirjattiin ulos.</p>`
		r := do(t, c, "GET", e.srv.URL+"/profiili?ok=salasana", nil)
		if !strings.Contains(r.body, notice) || strings.Count(r.body, `class="notice"`) != 1 {
			t.Errorf("profile after a password change: no single notice first in main:\n%s", r.body)
		}
		for _, bad := range []string{"tuntematon", "1", "<script>"} {
			r := do(t, c, "GET", e.srv.URL+"/profiili?ok="+url.QueryEscape(bad), nil)
			if strings.Contains(r.body, `id="ilmoitus"`) {
				t.Errorf("?ok=%s shows a notice", bad)
			}
		}

		r = do(t, c, "POST", e.srv.URL+"/profiili/salasana", url.Values{"current": {"väärä"}, "password": {"lyhyt"}})
		if r.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("wrong current password: %d, want 422", r.StatusCode)
		}
		if !strings.Contains(r.body, `<div class="error-summary" role="alert" tabindex="-1" autofocus>`) ||
			strings.Count(r.body, `class="error-summary"`) != 1 {
			t.Errorf("refused password change: no single focused error summary:\n%s", r.body)
		}
		cur, pw := strings.Index(r.body, `href="#pw-current"`), strings.Index(r.body, `href="#pw-password"`)
		if cur < 0 || (pw >= 0 && pw < cur) {
			t.Errorf("summary order: current at %d, new password at %d; want the current password first", cur, pw)
		}
	})
}
