package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"asiakassivu/internal/mail"
	"asiakassivu/internal/store"
	"asiakassivu/internal/store/storetest"
)

// TestDevOutboxPage: the sent mails are listed newest first with their
// bodies when the outbox is on, and the page does not exist otherwise.
func TestDevOutboxPage(t *testing.T) {
	db := storetest.Open(t, store.SQLite, nil)
	e := newEnv(t, db, "")
	if r := do(t, e.client(t), "GET", e.srv.URL+"/dev/posti", nil); r.StatusCode != http.StatusNotFound {
		t.Errorf("without the outbox: %d, want 404", r.StatusCode)
	}

	at := time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)
	o := mail.NewDevOutbox(nil, func() time.Time { return at })
	for _, m := range []mail.Message{
		{To: "maija@example.fi", Subject: "Vanhempi viesti", Text: "Koodisi on 111111."},
		{To: "matti@example.fi", Subject: "Uusin <viesti>", Text: "Koodisi on 222222."},
	} {
		o.Send(context.Background(), m)
	}
	u, _ := url.Parse(e.srv.URL)
	s, err := New(Config{BaseURL: u, DevOutbox: sentMail(o)}, e.srv.Config.Handler.(*Server).app)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s)
	defer srv.Close()
	r := do(t, e.client(t), "GET", srv.URL+"/dev/posti", nil)
	if r.StatusCode != http.StatusOK {
		t.Fatalf("status %d", r.StatusCode)
	}
	for _, want := range []string{"matti@example.fi", "Uusin &lt;viesti&gt;", "Koodisi on 222222.", "Koodisi on 111111.",
		"28.11.2026 12.00.00"} {
		if !strings.Contains(r.body, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if strings.Index(r.body, "222222") > strings.Index(r.body, "111111") {
		t.Error("not newest first")
	}
	if r.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("Cache-Control %q", r.Header.Get("Cache-Control"))
	}
}

// sentMail hands a mail outbox to the page as the command does.
func sentMail(o *mail.DevOutbox) func() []SentMail {
	return func() []SentMail {
		var out []SentMail
		for _, m := range o.Messages() {
			out = append(out, SentMail{To: m.To, Subject: m.Subject, Text: m.Text, At: m.At, Err: m.Err})
		}
		return out
	}
}
