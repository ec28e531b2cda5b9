package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// SMTPConfig says how to reach the SMTP server.
type SMTPConfig struct {
	Host     string
	Port     int
	Username string // empty: no authentication
	Password string
	// ImplicitTLS connects with TLS from the start (smtps://, usually port
	// 465); otherwise STARTTLS is used when the server offers it.
	ImplicitTLS bool
}

// ParseSMTPURL reads smtp://[USER:PASS@]HOST:PORT (or smtps:// for TLS
// from the start). A user name or password with special characters must
// be percent-encoded.
func ParseSMTPURL(s string) (SMTPConfig, error) {
	const want = "want smtp://[user:password@]host:port"
	u, err := url.Parse(s)
	if err != nil {
		return SMTPConfig{}, errors.New(want)
	}
	var c SMTPConfig
	switch u.Scheme {
	case "smtp":
	case "smtps":
		c.ImplicitTLS = true
	default:
		return SMTPConfig{}, errors.New(want)
	}
	if u.Opaque != "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		return SMTPConfig{}, errors.New(want)
	}
	host, port, err := net.SplitHostPort(u.Host)
	if err != nil || host == "" {
		return SMTPConfig{}, errors.New(want)
	}
	c.Host = host
	if c.Port, err = strconv.Atoi(port); err != nil || c.Port < 1 || c.Port > 65535 {
		return SMTPConfig{}, fmt.Errorf("port %q: %s", port, want)
	}
	if u.User != nil {
		c.Username = u.User.Username()
		c.Password, _ = u.User.Password()
		if c.Username == "" {
			return SMTPConfig{}, errors.New("empty user name: " + want)
		}
	}
	return c, nil
}

// SMTPSender delivers mail over SMTP, one connection per message (the job
// worker sends one message at a time). Messages are multipart text and
// HTML in UTF-8, quoted-printable. STARTTLS is used when the server offers
// it; with a user name it authenticates with PLAIN or LOGIN, which the
// client sends only over TLS or to a server on localhost.
type SMTPSender struct {
	cfg     SMTPConfig
	from    string
	tls     *tls.Config
	timeout time.Duration
}

// NewSMTPSender returns a sender for the server of cfg with the given From
// address ("Name <noreply@example.fi>").
func NewSMTPSender(cfg SMTPConfig, from string) (*SMTPSender, error) {
	if cfg.Host == "" || cfg.Port == 0 {
		return nil, errors.New("smtp: no server")
	}
	if _, err := ParseAddress(from); err != nil {
		return nil, fmt.Errorf("mail from: %w", err)
	}
	return &SMTPSender{cfg: cfg, from: from, timeout: 30 * time.Second,
		tls: &tls.Config{ServerName: cfg.Host, MinVersion: tls.VersionTLS12}}, nil
}

// SetTLSConfig replaces the TLS settings (tests trust their own CA with it).
func (s *SMTPSender) SetTLSConfig(c *tls.Config) { s.tls = c }

// Send delivers m. A refusal with a 5xx reply wraps ErrPermanent.
func (s *SMTPSender) Send(ctx context.Context, m Message) error {
	msg, err := s.build(m)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrPermanent, err)
	}
	opts := []gomail.Option{
		gomail.WithPort(s.cfg.Port),
		gomail.WithTimeout(s.timeout),
		gomail.WithTLSConfig(s.tls),
	}
	if s.cfg.ImplicitTLS {
		opts = append(opts, gomail.WithSSL())
	} else {
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSOpportunistic))
	}
	if s.cfg.Username != "" {
		opts = append(opts, gomail.WithOpportunisticSMTPAuth(gomail.SMTPAuthPlain, gomail.SMTPAuthLogin),
			gomail.WithUsername(s.cfg.Username), gomail.WithPassword(s.cfg.Password))
	}
	c, err := gomail.NewClient(s.cfg.Host, opts...)
	if err != nil {
		return fmt.Errorf("smtp client: %w", err)
	}
	if err := c.DialAndSendWithContext(ctx, msg); err != nil {
		var se *gomail.SendError
		if errors.As(err, &se) && se.ErrorCode() >= 500 && se.ErrorCode() < 600 {
			return fmt.Errorf("smtp %s:%d: %w: %w", s.cfg.Host, s.cfg.Port, ErrPermanent, err)
		}
		return fmt.Errorf("smtp %s:%d: %w", s.cfg.Host, s.cfg.Port, err)
	}
	return nil
}

// build turns m into a go-mail message, refusing header injection first
// (go-mail would encode a line break; we do not want one at all).
func (s *SMTPSender) build(m Message) (*gomail.Msg, error) {
	if err := headerValue("From", s.from); err != nil {
		return nil, err
	}
	if err := m.Validate(); err != nil {
		return nil, err
	}
	msg := gomail.NewMsg()
	if err := msg.From(s.from); err != nil {
		return nil, fmt.Errorf("mail from: %w", err)
	}
	if err := msg.To(m.To); err != nil {
		return nil, fmt.Errorf("mail to: %w", err)
	}
	msg.Subject(m.Subject)
	msg.SetMessageID()
	msg.SetDate()
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	if m.HTML != "" {
		msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	}
	return msg, nil
}
