package mail_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"asiakassivu/internal/mail"
)

func TestValidate(t *testing.T) {
	ok := mail.Message{To: "maija@example.fi", Subject: "Hei", Text: "x"}
	if err := ok.Validate(); err != nil {
		t.Fatal(err)
	}
	named := ok
	named.To = `"Maija M" <maija@example.fi>`
	if err := named.Validate(); err != nil {
		t.Errorf("named address: %v", err)
	}
	for name, m := range map[string]mail.Message{
		"CR in To":      {To: "maija@example.fi\rBcc: x@evil.example", Subject: "Hei", Text: "x"},
		"LF in To":      {To: "maija@example.fi\nBcc: x@evil.example", Subject: "Hei", Text: "x"},
		"LF in Subject": {To: "maija@example.fi", Subject: "Hei\nBcc: x@evil.example", Text: "x"},
		"CRLF Subject":  {To: "maija@example.fi", Subject: "Hei\r\n\r\nbody", Text: "x"},
		"two To":        {To: "a@example.fi, b@example.fi", Subject: "Hei", Text: "x"},
		"bad To":        {To: "maija(at)example.fi", Subject: "Hei", Text: "x"},
		"no subject":    {To: "maija@example.fi", Text: "x"},
		"no text":       {To: "maija@example.fi", Subject: "Hei"},
	} {
		if err := m.Validate(); err == nil {
			t.Errorf("%s: valid", name)
		}
	}
	err := mail.Message{To: "a@example.fi", Subject: "a\nb", Text: "x"}.Validate()
	if !errors.Is(err, mail.ErrHeaderInjection) {
		t.Errorf("line break: %v, want ErrHeaderInjection", err)
	}
}

// TestLogSenderLogsNoBody: without SMTP the log holds the recipient and
// subject only, never the code in the body.
func TestLogSenderLogsNoBody(t *testing.T) {
	var buf strings.Builder
	s := mail.NewLogSender(slog.New(slog.NewJSONHandler(&buf, nil)))
	m, err := mail.Render(mail.SignupCode, "fi", map[string]string{"code": "907311"})
	if err != nil {
		t.Fatal(err)
	}
	m.To = "maija@example.fi"
	if err := s.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	log := buf.String()
	if strings.Contains(log, "907311") || strings.Contains(log, "voimassa") {
		t.Errorf("log holds the body: %s", log)
	}
	if !strings.Contains(log, "maija@example.fi") || !strings.Contains(log, m.Subject) {
		t.Errorf("log lacks recipient or subject: %s", log)
	}
}

type recorder struct {
	mu   sync.Mutex
	msgs []mail.Message
	err  error
}

func (r *recorder) Send(_ context.Context, m mail.Message) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.msgs = append(r.msgs, m)
	return r.err
}

func TestDevOutbox(t *testing.T) {
	at := time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)
	next := &recorder{}
	o := mail.NewDevOutbox(next, func() time.Time { return at })
	var wg sync.WaitGroup
	for i := range mail.DevOutboxSize + 10 {
		wg.Go(func() {
			o.Send(context.Background(), mail.Message{To: "a@example.fi", Subject: fmt.Sprint(i), Text: "x"})
		})
	}
	wg.Wait()
	if len(next.msgs) != mail.DevOutboxSize+10 {
		t.Errorf("handed on %d, want %d", len(next.msgs), mail.DevOutboxSize+10)
	}
	got := o.Messages()
	if len(got) != mail.DevOutboxSize {
		t.Fatalf("kept %d, want %d", len(got), mail.DevOutboxSize)
	}
	// Newest first.
	for _, subj := range []string{"older", "newest"} {
		o.Send(context.Background(), mail.Message{To: "a@example.fi", Subject: subj, Text: "x"})
	}
	if got := o.Messages(); got[0].Subject != "newest" || got[1].Subject != "older" || !got[0].At.Equal(at) || len(got) != mail.DevOutboxSize {
		t.Errorf("kept %+v ..., want the newest first", got[:2])
	}
	next.err = errors.New("smtp down")
	if err := o.Send(context.Background(), mail.Message{To: "b@example.fi", Subject: "s", Text: "x"}); err == nil {
		t.Error("error of the wrapped sender lost")
	}
	if got := o.Messages()[0]; got.To != "b@example.fi" || got.Err != "smtp down" {
		t.Errorf("failed send kept as %+v", got)
	}
}
