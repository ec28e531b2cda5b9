package web

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"asiakassivu/internal/app"
	"asiakassivu/internal/i18n"
	"asiakassivu/internal/portal"
	"asiakassivu/internal/web/sse"
)

// The customer's side of the live visit status (PRODUCT.md C12): the
// dashboard card and the visit page show where today's visit is ("on the
// way", "arrived", "done") on load, and an open page hears of each step
// over one event stream per page (liveEvents), which covers every home
// the viewer may see. Without JavaScript the page shows the status it
// was loaded with.

// liveStreamPath is the address of the live stream of a page rendered
// when the journal's newest row was from: it delivers what came after.
func liveStreamPath(from int64) string {
	return "/palveluvuorot/tapahtumat?jalkeen=" + strconv.FormatInt(from, 10)
}

// liveStream is the address of the live stream for a page the viewer
// opens now; "" for staff and admins, whose pages have no stream.
func (s *Server) liveStream(r *http.Request, v *viewer) (string, error) {
	if v.Role != portal.RoleCustomer {
		return "", nil
	}
	from, err := s.app.LiveStart(r.Context())
	if err != nil {
		return "", err
	}
	return liveStreamPath(from), nil
}

// liveEvents streams the live-status changes of the visits of the
// viewer's homes as server-sent events (package sse): each event is the
// visit's status line, ready to replace the one on the page, with the
// journal's number as its id.
func (s *Server) liveEvents(w http.ResponseWriter, r *http.Request, v *viewer) error {
	sites, err := s.app.LiveSites(r.Context(), v.Viewer)
	if err != nil {
		return err
	}
	last, _ := strconv.ParseInt(r.URL.Query().Get("jalkeen"), 10, 64)
	if id, err := strconv.ParseInt(r.Header.Get("Last-Event-ID"), 10, 64); err == nil {
		last = id
	}
	if last <= 0 {
		if last, err = s.app.LiveStart(r.Context()); err != nil {
			return err
		}
	}
	f := &liveFeed{s: s, viewer: v.Viewer, token: strings.Clone(v.token), l: s.texts(r, v)}
	return s.streams.Serve(w, r, f, func(wake func()) func() {
		stops := make([]func(), len(sites))
		for i, site := range sites {
			stops[i] = s.cfg.Hub.Subscribe(site, wake)
		}
		return func() {
			for _, stop := range stops {
				stop()
			}
		}
	}, last)
}

// liveFeed is the live status of a viewer's visits as their stream
// delivers it.
type liveFeed struct {
	s      *Server
	viewer app.Viewer
	token  string // the session's (a copy: not the whole Cookie header)
	l      texts
}

// Stands reports whether the stream's session still stands.
func (f *liveFeed) Stands(ctx context.Context) bool {
	err := f.s.app.SessionStands(ctx, f.token, f.viewer)
	if err != nil && !errors.Is(err, portal.ErrUnauthenticated) {
		f.s.log.Info("live stream", "err", err)
	}
	return err == nil
}

// After reads the live changes after last, each rendered as the visit's
// status line.
func (f *liveFeed) After(ctx context.Context, last int64) ([]sse.Event, error) {
	changes, err := f.s.app.LiveChanges(ctx, f.viewer, last)
	if err != nil {
		f.s.log.Info("live stream", "err", err)
		return nil, err
	}
	now := f.s.app.Now()
	evs := make([]sse.Event, len(changes))
	var line bytes.Buffer
	for i, c := range changes {
		line.Reset()
		if err := liveStatusView(f.l, c.Visit, "", app.CanRate(c.Visit, now)).Render(ctx, &line); err != nil {
			f.s.log.Error("live stream", "err", err)
			return nil, err
		}
		evs[i] = sse.Event{ID: c.Seq, Name: "visit", Data: line.String()}
	}
	return evs, nil
}

// liveText is where a visit is now, in the reader's language: "Sanna on
// matkalla, perillä noin klo 9.20", "Sanna on perillä. Saapui klo 9.12.",
// "Valmis klo 11.40."; "" before the worker has set off, and for a visit
// done in the ERP (the status says it).
func (l texts) liveText(v portal.Visit) string {
	worker := orText(v.WorkerFirstName, l.T("live.worker"))
	switch {
	case !v.DoneAt.IsZero():
		return l.T("live.done", "time", l.Clock(v.DoneAt.In(portal.Helsinki)))
	case v.Status == portal.VisitDone || v.Status.Cancelled():
		return ""
	case !v.ArrivedAt.IsZero():
		return l.T("live.arrived", "worker", worker, "time", l.Clock(v.ArrivedAt.In(portal.Helsinki)))
	case !v.ArrivalEstimate.IsZero():
		return l.T("live.departed.eta", "worker", worker, "time", l.Clock(v.ArrivalEstimate.In(portal.Helsinki)))
	case !v.DepartedAt.IsZero():
		return l.T("live.departed", "worker", worker)
	}
	return ""
}

// liveNote is the worker's note with "done": "Sannan terveiset: …"; ""
// without one. The Finnish text takes the name in the genitive.
func (l texts) liveNote(v portal.Visit) string {
	if v.DoneNote == "" || v.DoneAt.IsZero() {
		return ""
	}
	worker := orText(v.WorkerFirstName, l.T("live.worker"))
	if l.Lang == i18n.Finnish {
		worker = genitive(worker)
	}
	return l.T("live.done.note", "worker", worker, "note", v.DoneNote)
}

// genitive is a Finnish first name in the genitive ("Sanna" → "Sannan",
// "Mikael" → "Mikaelin"), for the Finnish note line; the other languages
// do not use it.
func genitive(name string) string {
	r, _ := utf8.DecodeLastRuneInString(name)
	if strings.ContainsRune("aeiouyäöAEIOUYÄÖ", r) {
		return name + "n"
	}
	return name + "in"
}
