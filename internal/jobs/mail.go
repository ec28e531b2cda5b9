package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"time"

	"asiakassivu/internal/mail"
	"asiakassivu/internal/store"
)

// KindMail is the job kind of an outgoing email.
const KindMail = "mail"

// mailPayload is the stored form of a mail job:
// {"to":"…","subject":"…","text":"…","html":"…"}.
type mailPayload struct {
	To      string `json:"to"`
	Subject string `json:"subject"`
	Text    string `json:"text"`
	HTML    string `json:"html,omitempty"`
}

// EnqueueMail writes m as a mail job in tx, the transaction of the change
// the mail tells about, so that the mail is sent exactly when the change
// commits. Call the worker's Notify after the commit for a prompt send.
// An invalid message (no recipient, a line break in a header) is refused
// here, where the use case can still fail.
func EnqueueMail(ctx context.Context, tx *store.Tx, m mail.Message) error {
	if err := m.Validate(); err != nil {
		return fmt.Errorf("enqueue mail: %w", err)
	}
	b, err := json.Marshal(mailPayload{To: m.To, Subject: m.Subject, Text: m.Text, HTML: m.HTML})
	if err != nil {
		return fmt.Errorf("enqueue mail: %w", err)
	}
	if _, err := tx.EnqueueJob(ctx, KindMail, b, time.Time{}); err != nil {
		return fmt.Errorf("enqueue mail: %w", err)
	}
	return nil
}

// MailHandler sends mail jobs through s. A payload that does not decode or
// a message the sender refuses for good (mail.ErrPermanent) fails the job
// at once; other errors are retried.
func MailHandler(s mail.Sender) Handler {
	return func(ctx context.Context, payload []byte) error {
		var p mailPayload
		if err := json.Unmarshal(payload, &p); err != nil {
			return Permanent(fmt.Errorf("mail job payload: %w", err))
		}
		m := mail.Message{To: p.To, Subject: p.Subject, Text: p.Text, HTML: p.HTML}
		if err := m.Validate(); err != nil {
			return Permanent(fmt.Errorf("mail job: %w", err))
		}
		if err := s.Send(ctx, m); err != nil {
			if errors.Is(err, mail.ErrPermanent) {
				return Permanent(err)
			}
			return err
		}
		return nil
	}
}

// RegisterMail makes w send mail jobs through s, and empty the payloads of
// sent mail in its cleanup (they may hold a one-time code).
func (w *Worker) RegisterMail(s mail.Sender) {
	w.Register(KindMail, MailHandler(s))
	w.scrubPayload(KindMail)
}

// MailQueue renders mails from their templates (mail.Render) and queues
// them in the use case's transaction. Its Enqueue method has the shape of
// app.Mailer.
type MailQueue struct {
	// SignInURL, when set, is given to every mail as its "url" (a link to
	// the portal) unless the data has one.
	SignInURL string
}

// Enqueue renders the mail of kind in lang with data and queues it to to.
func (q MailQueue) Enqueue(ctx context.Context, tx *store.Tx, kind, lang, to string, data map[string]string) error {
	if q.SignInURL != "" && data["url"] == "" {
		d := make(map[string]string, len(data)+1)
		maps.Copy(d, data)
		d["url"] = q.SignInURL
		data = d
	}
	m, err := mail.Render(kind, lang, data)
	if err != nil {
		return fmt.Errorf("enqueue mail: %w", err)
	}
	m.To = to
	return EnqueueMail(ctx, tx, m)
}
