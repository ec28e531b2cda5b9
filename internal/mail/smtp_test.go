package mail_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"asiakassivu/internal/mail"
	"asiakassivu/internal/mail/mailtest"
)

func TestParseSMTPURL(t *testing.T) {
	good := map[string]mail.SMTPConfig{
		"smtp://127.0.0.1:2525":                     {Host: "127.0.0.1", Port: 2525},
		"smtp://user:p%40ss%3Aw@mail.example:587":   {Host: "mail.example", Port: 587, Username: "user", Password: "p@ss:w"},
		"smtps://u@mail.example:465":                {Host: "mail.example", Port: 465, Username: "u", ImplicitTLS: true},
		"smtp://[::1]:25":                           {Host: "::1", Port: 25},
		"smtp://noreply%40example.fi:x@smtp.ex:587": {Host: "smtp.ex", Port: 587, Username: "noreply@example.fi", Password: "x"},
	}
	for in, want := range good {
		got, err := mail.ParseSMTPURL(in)
		if err != nil || got != want {
			t.Errorf("%s: %+v %v, want %+v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "mail.example:25", "http://mail.example:25", "smtp://mail.example", "smtp://:25",
		"smtp://mail.example:0", "smtp://mail.example:99999", "smtp://mail.example:25/path", "smtp://mail.example:25?tls=no",
		"smtp://:pw@mail.example:25"} {
		if _, err := mail.ParseSMTPURL(in); err == nil {
			t.Errorf("%q accepted", in)
		}
	}
}

func newSender(t *testing.T, srv *mailtest.Server) *mail.SMTPSender {
	t.Helper()
	cfg, err := mail.ParseSMTPURL(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	s, err := mail.NewSMTPSender(cfg, "Asiakassivu <noreply@asiakassivu.example>")
	if err != nil {
		t.Fatal(err)
	}
	if c := srv.ClientTLS(); c != nil {
		s.SetTLSConfig(c)
	}
	return s
}

// TestSMTPEndToEnd delivers a rendered mail to a real SMTP server and finds
// the code in both parts of what arrived.
func TestSMTPEndToEnd(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts mailtest.Options
	}{
		{"plain", mailtest.Options{}},
		{"starttls and auth", mailtest.Options{STARTTLS: true, Username: "portal", Password: "s3cret:pw"}},
		{"auth on localhost without tls", mailtest.Options{Username: "portal", Password: "pw"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := mailtest.StartWith(t, tc.opts)
			s := newSender(t, srv)
			m, err := mail.Render(mail.SignupCode, "sv", map[string]string{"code": "583102"})
			if err != nil {
				t.Fatal(err)
			}
			m.To = "Märta Öberg <marta@example.fi>"
			if err := s.Send(context.Background(), m); err != nil {
				t.Fatal(err)
			}
			got := srv.WaitFor(t, "marta@example.fi", 5*time.Second)
			if got.Subject != m.Subject {
				t.Errorf("subject %q, want %q", got.Subject, m.Subject)
			}
			if !strings.Contains(got.Text, "583102") || !strings.Contains(got.HTML, "583102") || got.Code() != "583102" {
				t.Errorf("code not in both parts:\ntext %q\nhtml %q", got.Text, got.HTML)
			}
			if !strings.Contains(got.Text, "Berätta inte koden för någon") || !strings.Contains(got.HTML, `<html lang="sv">`) {
				t.Errorf("bodies not decoded to UTF-8:\n%s", got.Text)
			}
			if got.From != "noreply@asiakassivu.example" || len(got.To) != 1 {
				t.Errorf("envelope from %q to %v", got.From, got.To)
			}
			if !strings.Contains(got.Header.Get("Content-Type"), "multipart/alternative") {
				t.Errorf("content type %q", got.Header.Get("Content-Type"))
			}
			if got.Header.Get("Message-Id") == "" || got.Header.Get("Date") == "" {
				t.Errorf("no Message-ID or Date: %v", got.Header)
			}
			if got.TLS != tc.opts.STARTTLS || got.Authed != tc.opts.Username {
				t.Errorf("tls %v authed %q", got.TLS, got.Authed)
			}
		})
	}
}

func TestSMTPWrongPasswordFails(t *testing.T) {
	srv := mailtest.StartWith(t, mailtest.Options{Username: "portal", Password: "right"})
	cfg, _ := mail.ParseSMTPURL(srv.URL())
	cfg.Password = "wrong"
	s, _ := mail.NewSMTPSender(cfg, "noreply@asiakassivu.example")
	err := s.Send(context.Background(), mail.Message{To: "a@example.fi", Subject: "s", Text: "t"})
	if err == nil || len(srv.Messages()) != 0 {
		t.Errorf("sent with a wrong password: %v", err)
	}
}

func TestSMTPTemporaryAndPermanentErrors(t *testing.T) {
	srv := mailtest.Start(t)
	s := newSender(t, srv)
	m := mail.Message{To: "a@example.fi", Subject: "s", Text: "t"}
	srv.FailNext(1)
	err := s.Send(context.Background(), m)
	if err == nil || errors.Is(err, mail.ErrPermanent) {
		t.Errorf("451: %v, want a temporary error", err)
	}
	if err := s.Send(context.Background(), m); err != nil {
		t.Errorf("after the server recovered: %v", err)
	}
	m.To = "a@example.fi\r\nBcc: b@evil.example"
	if err := s.Send(context.Background(), m); !errors.Is(err, mail.ErrPermanent) || !errors.Is(err, mail.ErrHeaderInjection) {
		t.Errorf("injection: %v", err)
	}
	if n := len(srv.Messages()); n != 1 {
		t.Errorf("%d messages arrived, want 1", n)
	}
}

// TestSMTPRefusesHeaderInjection: a line break in To, Subject or From is an
// error, and nothing reaches the server.
func TestSMTPRefusesHeaderInjection(t *testing.T) {
	srv := mailtest.Start(t)
	s := newSender(t, srv)
	for name, m := range map[string]mail.Message{
		"to":      {To: "a@example.fi\nBcc: b@evil.example", Subject: "s", Text: "t"},
		"to cr":   {To: "a@example.fi\rBcc: b@evil.example", Subject: "s", Text: "t"},
		"subject": {To: "a@example.fi", Subject: "s\r\nBcc: b@evil.example", Text: "t"},
	} {
		if err := s.Send(context.Background(), m); !errors.Is(err, mail.ErrHeaderInjection) {
			t.Errorf("%s: %v, want ErrHeaderInjection", name, err)
		}
	}
	cfg, _ := mail.ParseSMTPURL(srv.URL())
	for _, from := range []string{"noreply@example.fi\nBcc: b@evil.example", "noreply@example.fi\r", "a@example.fi, b@example.fi", ""} {
		if _, err := mail.NewSMTPSender(cfg, from); err == nil {
			t.Errorf("from %q accepted", from)
		}
	}
	if n := len(srv.Messages()); n != 0 {
		t.Errorf("%d messages arrived", n)
	}
}

func TestSMTPServerDown(t *testing.T) {
	s, err := mail.NewSMTPSender(mail.SMTPConfig{Host: "127.0.0.1", Port: 1}, "noreply@example.fi")
	if err != nil {
		t.Fatal(err)
	}
	err = s.Send(context.Background(), mail.Message{To: "a@example.fi", Subject: "s", Text: "t"})
	if err == nil || errors.Is(err, mail.ErrPermanent) {
		t.Errorf("server down: %v, want a temporary error", err)
	}
}
