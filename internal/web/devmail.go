package web

import (
	"net/http"
	"time"

	"asiakassivu/internal/portal"
)

// SentMail is one mail the development outbox kept, as its page shows it.
type SentMail struct {
	To, Subject, Text string
	At                time.Time
	Err               string // the delivery error, if any
}

type devMailPage struct {
	layout
	Messages []devMail
	TOTP     string // the demo staff's authenticator code now, if any
}

type devMail struct {
	To, Subject, Text, Err string
	At                     string
}

// devMail lists the mail the server sent lately, bodies and codes
// included, so that sign-up can be tried without a mail server. It exists
// only when Config.DevOutbox is set, which the command does with --dev or
// --demo on a loopback address; otherwise the page is not found.
func (s *Server) devMail(w http.ResponseWriter, r *http.Request, v *viewer) error {
	if s.cfg.DevOutbox == nil {
		return portal.ErrNotFound
	}
	p := devMailPage{layout: s.base(r, v, "devmail.title")}
	p.NoIndex = true
	if s.cfg.DevTOTP != nil {
		p.TOTP = s.cfg.DevTOTP()
	}
	for _, m := range s.cfg.DevOutbox() {
		at := m.At.In(portal.Helsinki)
		p.Messages = append(p.Messages, devMail{To: m.To, Subject: m.Subject, Text: m.Text, Err: m.Err,
			At: p.L.Date(at.Date()) + " " + at.Format("15.04.05")})
	}
	return s.render(w, r, http.StatusOK, "devmail", p)
}
