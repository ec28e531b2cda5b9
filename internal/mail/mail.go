// Package mail sends the portal's email: the localised texts (Render), a
// Sender over SMTP, a Sender that only logs when no SMTP server is
// configured, and a development outbox that keeps the last messages for a
// page on the local server. Mail is sent by the job worker (package jobs),
// never during a request.
package mail

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/mail"
	"strings"
	"sync"
	"time"
)

// Message is one email to one recipient, with a plain-text and an HTML
// version of the same content.
type Message struct {
	To      string // one address, "name@example.fi" or "Name <name@example.fi>"
	Subject string
	Text    string
	HTML    string
}

// Sender delivers messages.
type Sender interface {
	// Send delivers m. An error that wraps ErrPermanent will fail again
	// if tried again (a rejected address); other errors may pass later.
	Send(ctx context.Context, m Message) error
}

// ErrPermanent marks a delivery failure that retrying will not cure.
var ErrPermanent = errors.New("permanent mail failure")

// ErrHeaderInjection is returned for a header value holding a line break,
// which would let it add headers of its own.
var ErrHeaderInjection = errors.New("line break in a mail header")

// Validate checks that m has exactly one valid recipient and a subject
// and body, and that no header value holds a line break.
func (m Message) Validate() error {
	if err := headerValue("To", m.To); err != nil {
		return err
	}
	if err := headerValue("Subject", m.Subject); err != nil {
		return err
	}
	if _, err := ParseAddress(m.To); err != nil {
		return fmt.Errorf("mail To: %w", err)
	}
	if strings.TrimSpace(m.Subject) == "" {
		return errors.New("mail has no subject")
	}
	if strings.TrimSpace(m.Text) == "" {
		return errors.New("mail has no text")
	}
	return nil
}

func headerValue(name, v string) error {
	if strings.ContainsAny(v, "\r\n") {
		return fmt.Errorf("mail %s: %w", name, ErrHeaderInjection)
	}
	return nil
}

// ParseAddress parses one address ("a@example.fi" or
// "Name <a@example.fi>"), refusing line breaks and lists.
func ParseAddress(s string) (*mail.Address, error) {
	if err := headerValue("address", s); err != nil {
		return nil, err
	}
	list, err := mail.ParseAddressList(s)
	if err != nil {
		return nil, fmt.Errorf("address %q: %w", s, err)
	}
	if len(list) != 1 {
		return nil, fmt.Errorf("address %q: want exactly one address", s)
	}
	return list[0], nil
}

// LogSender stands in for SMTP when none is configured: it logs that a
// message would have been sent, with its recipient and subject only. The
// body may hold a one-time code and is never logged.
type LogSender struct {
	log *slog.Logger
}

// NewLogSender returns a LogSender writing to log.
func NewLogSender(log *slog.Logger) *LogSender {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &LogSender{log: log}
}

// Send logs the recipient and subject of m.
func (s *LogSender) Send(ctx context.Context, m Message) error {
	if err := m.Validate(); err != nil {
		return fmt.Errorf("%w: %w", ErrPermanent, err)
	}
	s.log.InfoContext(ctx, "mail not sent: no SMTP server configured", "to", m.To, "subject", m.Subject)
	return nil
}

// DevOutboxSize is how many messages a DevOutbox keeps.
const DevOutboxSize = 50

// Captured is a message kept by a DevOutbox.
type Captured struct {
	Message
	At  time.Time
	Err string // the delivery error of the wrapped Sender, if any
}

// DevOutbox is a Sender for development: it keeps the last DevOutboxSize
// messages for the development outbox page, where their bodies (with
// codes) can be read, and hands each on to the wrapped Sender. Enable it
// only on a server that listens on a loopback address.
type DevOutbox struct {
	next Sender
	now  func() time.Time
	mu   sync.Mutex
	msgs []*Captured // oldest first
}

// NewDevOutbox returns an outbox in front of next (nil: deliver nowhere);
// now is the portal's clock (the store's), which stamps each message.
func NewDevOutbox(next Sender, now func() time.Time) *DevOutbox {
	return &DevOutbox{next: next, now: now}
}

// Send keeps m, shown at once, and hands it on; a delivery error is noted
// with the kept message.
func (o *DevOutbox) Send(ctx context.Context, m Message) error {
	c := &Captured{Message: m, At: o.now()}
	o.mu.Lock()
	o.msgs = append(o.msgs, c)
	if len(o.msgs) > DevOutboxSize {
		o.msgs = append([]*Captured(nil), o.msgs[len(o.msgs)-DevOutboxSize:]...)
	}
	o.mu.Unlock()
	if o.next == nil {
		return nil
	}
	err := o.next.Send(ctx, m)
	if err != nil {
		o.mu.Lock()
		c.Err = err.Error()
		o.mu.Unlock()
	}
	return err
}

// Messages returns the kept messages, newest first.
func (o *DevOutbox) Messages() []Captured {
	o.mu.Lock()
	defer o.mu.Unlock()
	out := make([]Captured, len(o.msgs))
	for i, c := range o.msgs {
		out[len(o.msgs)-1-i] = *c
	}
	return out
}
