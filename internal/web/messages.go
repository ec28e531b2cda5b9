package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"asiakassivu/internal/app"
	"asiakassivu/internal/portal"
	"asiakassivu/internal/web/sse"

	"github.com/a-h/templ"
)

// threadPath is the address of a site's messages.
func threadPath(site int64) string { return sitePath(site) + "/viestit" }

type messagesPage struct {
	layout
	app.Thread
	Form form
	// Events is the address of the live stream, starting after the last
	// message shown.
	Events string
	Staff  bool
}

// messageItem is the data of messageItemView: one message as
// the viewer sees it.
type messageItem struct {
	L    texts
	M    portal.Message
	Mine bool
	Text string
}

func newItem(l texts, side string, m portal.Message) messageItem {
	it := messageItem{L: l, M: m, Mine: m.AuthorKind == side, Text: m.Body}
	if m.AuthorKind == "system" {
		it.Text = l.SystemMessage(m)
	}
	return it
}

// Items are the page's messages for the template.
func (p messagesPage) Items() []messageItem {
	out := make([]messageItem, len(p.Messages))
	for i, m := range p.Messages {
		out[i] = newItem(p.L, p.Side, m)
	}
	return out
}

func (s *Server) messagesPage(r *http.Request, v *viewer, site int64) (messagesPage, error) {
	before, _ := strconv.ParseInt(r.URL.Query().Get("ennen"), 10, 64)
	th, err := s.app.Thread(r.Context(), v.Viewer, site, max(before, 0))
	p := messagesPage{layout: s.base(r, v, "messages.title"), Thread: th, Form: newForm(), Staff: th.Side == "provider"}
	p.CurrentSite, p.Section = site, "messages"
	if p.Staff {
		p.layout = s.providerLayout(r, v, "messages.title", "provider.messages")
	}
	if err != nil {
		return p, err
	}
	var last int64
	if n := len(th.Messages); n > 0 {
		last = th.Messages[n-1].ID
	}
	if before == 0 {
		p.Events = threadPath(site) + "/tapahtumat?jalkeen=" + strconv.FormatInt(last, 10)
	}
	return p, nil
}

// messages shows a site's thread, newest at the bottom beside the form,
// and marks it read.
func (s *Server) messages(w http.ResponseWriter, r *http.Request, v *viewer) error {
	site, err := pathID(r, "site")
	if err != nil {
		return err
	}
	p, err := s.messagesPage(r, v, site)
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "messages", p)
}

// postMessage writes a message; bad input shows the page again with the
// text kept.
func (s *Server) postMessage(w http.ResponseWriter, r *http.Request, v *viewer) error {
	site, err := pathID(r, "site")
	if err != nil {
		return err
	}
	return s.postForm(w, r, v, formFlow{
		Run: func(in url.Values) (string, string, error) {
			_, err := s.app.PostMessage(r.Context(), v.Viewer, site, in.Get("body"))
			return threadPath(site), "viesti", err
		},
		Refuse: func(err error, f *form) int {
			if errors.Is(err, app.ErrThreadClosed) {
				f.FormError = "messages.closed"
				return http.StatusUnprocessableEntity
			}
			return 0
		},
		Page: func(f form, status int) error {
			p, err := s.messagesPage(r, v, site)
			if err != nil {
				return err
			}
			f.Values["body"] = clip(r.PostForm.Get("body"), 8*app.MaxNoteLength)
			p.Form = f
			return s.render(w, r, status, "messages", p)
		},
	})
}

// messageEvents opens a stream of a site's new messages as server-sent
// events (package sse), each with its id, so that a reconnecting browser
// (Last-Event-ID) gets exactly what it missed.
func (s *Server) messageEvents(w http.ResponseWriter, r *http.Request, v *viewer) error {
	site, err := pathID(r, "site")
	if err != nil {
		return err
	}
	if err := s.app.CanRead(r.Context(), v.Viewer, site); err != nil {
		return err
	}
	last, _ := strconv.ParseInt(r.URL.Query().Get("jalkeen"), 10, 64)
	if id, err := strconv.ParseInt(r.Header.Get("Last-Event-ID"), 10, 64); err == nil {
		last = id
	}
	l := s.texts(r, v)
	f := &messageFeed{s: s, viewer: v.Viewer, token: strings.Clone(v.token), site: site, l: l, side: v.Side()}
	return s.streams.Serve(w, r, f, func(wake func()) func() { return s.cfg.Hub.Subscribe(site, wake) }, last)
}

// messageFeed is a site's messages as a viewer's stream delivers them.
type messageFeed struct {
	s      *Server
	viewer app.Viewer
	token  string // the session's (a copy: not the whole Cookie header)
	site   int64
	l      texts
	side   string
}

// Stands reports whether the stream's session still stands (signed out,
// reset, deleted, deactivated: app.SessionStands); an error of the
// database ends the stream too (the browser comes back and is
// authenticated afresh).
//
// A relative's stream (family access) also checks that the grant still
// stands, on every wake and heartbeat: a revocation wakes the site's
// streams (app.RevokeGrant), and the heartbeat (sse.Heartbeat, 20 s)
// bounds how long a missed wake could leave one open.
func (f *messageFeed) Stands(ctx context.Context) bool {
	err := f.s.app.SessionStands(ctx, f.token, f.viewer)
	if l, ok := f.viewer.Link(f.site); err == nil && ok && l.Role != "" {
		err = f.s.app.CanRead(ctx, f.viewer, f.site)
	}
	if err != nil && !errors.Is(err, portal.ErrUnauthenticated) && !errors.Is(err, portal.ErrNotFound) {
		f.s.log.Info("message stream", "err", err)
	}
	return err == nil
}

// After reads (and so marks read) the messages after last, each rendered
// as the thread page shows it.
func (f *messageFeed) After(ctx context.Context, last int64) ([]sse.Event, error) {
	msgs, err := f.s.app.MessagesAfter(ctx, f.viewer, f.site, last)
	if err != nil {
		f.s.log.Info("message stream", "err", err)
		return nil, err
	}
	evs := make([]sse.Event, len(msgs))
	var item bytes.Buffer
	for i, m := range msgs {
		item.Reset()
		if err := messageItemView(newItem(f.l, f.side, m)).Render(ctx, &item); err != nil {
			f.s.log.Error("message stream", "err", err)
			return nil, err
		}
		evs[i] = sse.Event{ID: m.ID, Name: "message", Data: item.String()}
	}
	return evs, nil
}

type inboxPage struct {
	layout
	app.Inbox
}

// inboxPath is the provider's inbox.
const inboxPath = "/tuottaja/viestit"

// nextPath links the page after this one (keyset paging: the cursor of
// where it starts, app.InboxCursor).
func (p inboxPage) nextPath() templ.SafeURL {
	return templ.SafeURL(inboxPath + "?" + url.Values{"jalkeen": {p.Next.String()}}.Encode())
}

// providerMessages is the provider's inbox: its sites' threads, those
// with unread customer messages first, a page from the cursor jalkeen on
// (a cursor it cannot read is the first page).
func (s *Server) providerMessages(w http.ResponseWriter, r *http.Request, v *viewer) error {
	in, err := s.app.ProviderInbox(r.Context(), v.Viewer, app.ParseInboxCursor(r.URL.Query().Get("jalkeen")))
	if err != nil {
		return err
	}
	p := inboxPage{layout: s.providerLayout(r, v, "provider.inbox.title", "provider.messages"), Inbox: in}
	return s.render(w, r, http.StatusOK, "inbox", p)
}

// systemKinds are the kinds of the system messages with a text of their
// own: the provider's change events. Others show their stored (Finnish)
// body.
var systemKinds = map[portal.EventKind]bool{portal.KindVisitRescheduled: true, portal.KindProviderCancelledVisit: true,
	portal.KindVisitMarkedDone: true, portal.KindVisitMoveAccepted: true, portal.KindVisitMoveDeclined: true}

// SystemMessage writes a system message in the reader's language from its
// kind and data.
func (l texts) SystemMessage(m portal.Message) string {
	if !systemKinds[portal.EventKind(m.Kind)] {
		return m.Body
	}
	var d struct {
		From     time.Time `json:"from"`
		StartsAt time.Time `json:"starts_at"`
		Reason   string    `json:"reason"`
		Answer   string    `json:"answer"`
		Note     string    `json:"note"` // the worker's note with "done"
	}
	if err := json.Unmarshal([]byte(m.Data), &d); err != nil {
		return m.Body
	}
	text := l.T("system."+m.Kind, "from", l.When(d.From), "start", l.When(d.StartsAt), "reason", d.Reason)
	for _, extra := range []string{d.Answer, d.Note} {
		if extra != "" {
			text += " " + extra
		}
	}
	return text
}
