package main

import (
	"flag"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"time"

	"asiakassivu/internal/mail"
	"asiakassivu/internal/web"
)

// mailFlags are serve's flags for outgoing mail.
type mailFlags struct {
	smtp     string // smtp://[user:password@]host:port, or empty
	mailFrom string
	smtpCfg  mail.SMTPConfig // parsed from smtp when set
}

func (m *mailFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&m.smtp, "smtp", "", "SMTP server for outgoing mail: smtp://[user:password@]host:port (default: none; mail is only logged, recipient and subject)")
	fs.StringVar(&m.mailFrom, "mail-from", "Asiakassivu <noreply@localhost>", "From address of outgoing mail")
}

// check validates the flags after parsing. The error never repeats the
// --smtp value, which may hold a password.
func (m *mailFlags) check() error {
	if m.smtp != "" {
		cfg, err := mail.ParseSMTPURL(m.smtp)
		if err != nil {
			return usageError{err: fmt.Errorf("--smtp: %w", err)}
		}
		m.smtpCfg = cfg
	}
	if _, err := mail.ParseAddress(m.mailFrom); err != nil {
		return usageError{err: fmt.Errorf("--mail-from: %w", err)}
	}
	return nil
}

// sender builds the mail sender: SMTP when configured, else one that only
// logs. With devOutbox it is wrapped in the development outbox, returned
// too for its page.
func (m *mailFlags) sender(devOutbox bool, clock func() time.Time, log *slog.Logger) (mail.Sender, *mail.DevOutbox, error) {
	var s mail.Sender = mail.NewLogSender(log)
	if m.smtp != "" {
		smtp, err := mail.NewSMTPSender(m.smtpCfg, m.mailFrom)
		if err != nil {
			return nil, nil, usageError{err: fmt.Errorf("--smtp: %w", err)}
		}
		s = smtp
		log.Info("mail goes out by SMTP", "server", net.JoinHostPort(m.smtpCfg.Host, strconv.Itoa(m.smtpCfg.Port)),
			"auth", m.smtpCfg.Username != "", "from", m.mailFrom)
	} else {
		log.Warn("no --smtp server: mail is not sent, only its recipient and subject are logged")
	}
	if !devOutbox {
		return s, nil, nil
	}
	o := mail.NewDevOutbox(s, clock)
	log.Info("development outbox on: sent mail is readable at /dev/posti")
	return o, o, nil
}

// sentMail hands the development outbox to web's page; nil without one.
func sentMail(o *mail.DevOutbox) func() []web.SentMail {
	if o == nil {
		return nil
	}
	return func() []web.SentMail {
		var out []web.SentMail
		for _, m := range o.Messages() {
			out = append(out, web.SentMail{To: m.To, Subject: m.Subject, Text: m.Text, At: m.At, Err: m.Err})
		}
		return out
	}
}

// isLoopback reports whether a listen address (host:port) accepts
// connections from this machine only.
func isLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
