package web

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"html/template"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"asiakassivu/internal/app"
	"asiakassivu/internal/portal"
)

// Open message streams (server-sent events) are many and mostly idle: a
// page left open on a tablet keeps one for days, and one instance should
// hold 10 000 of them in well under 300 MB. So a stream does not keep a
// request, its buffers and two goroutines waiting: once its head is
// written, the connection is taken over from net/http and kept in a set.
// A hub event for the site starts a short-lived send; one goroutine per
// server writes the heartbeats and closes every stream at shutdown. Taken
// over, a stream is also outside the server's read and write timeouts.

const (
	// heartbeat is how often an idle stream gets a comment line: proxies
	// keep the connection, and a vanished client shows up as a failed
	// write.
	heartbeat = 25 * time.Second
	// streamWriteTimeout bounds each write to a stream, so that a client
	// that stopped reading cannot hold a sender.
	streamWriteTimeout = 10 * time.Second
	// streamSenders is how many stream writes run at once.
	streamSenders = 32
)

// sseStream is one open stream of a site's messages.
type sseStream struct {
	set    *streamSet
	conn   net.Conn
	viewer app.Viewer
	token  string // the session's (a copy: not the whole Cookie header), checked at each heartbeat and send
	site   int64
	l      texts
	side   string
	t      *template.Template
	stop   func() // ends the hub subscription
	queued atomic.Bool

	mu     sync.Mutex // one writer at a time; guards last and closed
	last   int64
	closed bool
}

// streamSet holds a server's open streams.
type streamSet struct {
	s     *Server
	slots chan struct{}
	every time.Duration // the heartbeat; tests shorten it before a stream opens

	mu      sync.Mutex
	all     map[*sseStream]struct{}
	beating bool
}

func newStreamSet(s *Server) *streamSet {
	return &streamSet{s: s, slots: make(chan struct{}, streamSenders), every: heartbeat, all: map[*sseStream]struct{}{}}
}

// add keeps a stream and starts the heartbeat when it is the first; false
// when the server is shutting down.
func (ss *streamSet) add(st *sseStream) bool {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	select {
	case <-ss.s.cfg.Hub.Done():
		return false
	default:
	}
	ss.all[st] = struct{}{}
	if !ss.beating {
		ss.beating = true
		go ss.beat()
	}
	return true
}

func (ss *streamSet) remove(st *sseStream) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	delete(ss.all, st)
}

// Len is the number of open streams.
func (ss *streamSet) Len() int {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	return len(ss.all)
}

func (ss *streamSet) snapshot() []*sseStream {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	out := make([]*sseStream, 0, len(ss.all))
	for st := range ss.all {
		out = append(out, st)
	}
	return out
}

// beat writes the heartbeats while streams are open, and closes them all
// when the hub closes (server shutdown); it ends when no stream is left.
func (ss *streamSet) beat() {
	tick := time.NewTicker(ss.every)
	defer tick.Stop()
	for {
		select {
		case <-ss.s.cfg.Hub.Done():
			for _, st := range ss.snapshot() {
				st.close()
			}
			ss.mu.Lock()
			ss.beating = false
			ss.mu.Unlock()
			return
		case <-tick.C:
			for _, st := range ss.snapshot() {
				ss.run(st.heartbeat)
			}
			ss.mu.Lock()
			if len(ss.all) == 0 {
				ss.beating = false
				ss.mu.Unlock()
				return
			}
			ss.mu.Unlock()
		}
	}
}

// run does fn on a goroutine once a sender slot is free.
func (ss *streamSet) run(fn func()) {
	go func() {
		ss.slots <- struct{}{}
		defer func() { <-ss.slots }()
		fn()
	}()
}

// wake is the stream's hub subscriber: it queues one send, however many
// events arrive meanwhile (each send reads everything new).
func (st *sseStream) wake() {
	if st.queued.CompareAndSwap(false, true) {
		st.set.run(func() {
			st.queued.Store(false)
			st.send()
		})
	}
}

// heartbeat ends the stream when its session no longer stands (signed
// out, reset, deleted, deactivated: app.SessionStands), and otherwise
// writes a comment line.
func (st *sseStream) heartbeat() {
	ctx, cancel := context.WithTimeout(context.Background(), streamWriteTimeout)
	defer cancel()
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.closed {
		return
	}
	if !st.signedIn(ctx) {
		st.closeLocked()
		return
	}
	st.writeLocked([]byte(": ping\n\n"))
}

// signedIn reports whether the stream's session still stands; an error of
// the database ends the stream too (the browser comes back and is
// authenticated afresh).
func (st *sseStream) signedIn(ctx context.Context) bool {
	err := st.set.s.app.SessionStands(ctx, st.token, st.viewer)
	if err != nil && !errors.Is(err, portal.ErrUnauthenticated) {
		st.set.s.log.Info("message stream", "err", err)
	}
	return err == nil
}

// send writes the messages after the last one sent.
func (st *sseStream) send() {
	ctx, cancel := context.WithTimeout(context.Background(), streamWriteTimeout)
	defer cancel()
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.closed {
		return
	}
	// Reading marks the messages read: a page that is gone must not.
	// Nor may a stream whose session was revoked since the last heartbeat.
	if !st.alive() || !st.signedIn(ctx) {
		st.closeLocked()
		return
	}
	msgs, err := st.set.s.app.MessagesAfter(ctx, st.viewer, st.site, st.last)
	if err != nil {
		st.set.s.log.Info("message stream", "err", err)
		st.closeLocked()
		return
	}
	if len(msgs) == 0 {
		return
	}
	var out, item bytes.Buffer
	for _, m := range msgs {
		item.Reset()
		if err := st.t.ExecuteTemplate(&item, "message-item", newItem(st.l, st.side, m)); err != nil {
			st.set.s.log.Error("message stream", "err", err)
			st.closeLocked()
			return
		}
		fmt.Fprintf(&out, "id: %d\nevent: message\n", m.ID)
		for line := range strings.SplitSeq(strings.TrimSpace(item.String()), "\n") {
			fmt.Fprintf(&out, "data: %s\n", line)
		}
		out.WriteString("\n")
	}
	if st.writeLocked(out.Bytes()) {
		st.last = msgs[len(msgs)-1].ID
	}
}

// alive reports whether the client still holds the connection: a client
// that closed it (the page was left) reads as end of file at once, an open
// one has nothing to say. A stream's client never sends anything after its
// request. peekClosed (stream_unix.go) asks the socket without waiting.
func (st *sseStream) alive() bool {
	if closed, ok := peekClosed(st.conn); ok {
		return !closed
	}
	st.conn.SetReadDeadline(time.Now().Add(time.Millisecond))
	defer st.conn.SetReadDeadline(time.Time{})
	var b [1]byte
	_, err := st.conn.Read(b[:])
	var ne net.Error
	return err == nil || errors.As(err, &ne) && ne.Timeout()
}

// write writes b, closing the stream when the client is gone.
func (st *sseStream) write(b []byte) {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.writeLocked(b)
}

func (st *sseStream) writeLocked(b []byte) bool {
	if st.closed {
		return false
	}
	st.conn.SetWriteDeadline(time.Now().Add(streamWriteTimeout))
	if _, err := st.conn.Write(b); err != nil {
		st.closeLocked()
		return false
	}
	return true
}

func (st *sseStream) close() {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.closeLocked()
}

func (st *sseStream) closeLocked() {
	if st.closed {
		return
	}
	st.closed = true
	st.stop()
	st.set.remove(st)
	st.conn.Close()
}

// takeOver writes the response head of a stream and takes its connection
// from net/http: the handler may then return while the stream stays open.
// The head carries the headers set so far (the security headers) and asks
// the client to close the connection when the stream ends, since the body
// has no length.
func takeOver(w http.ResponseWriter) (net.Conn, error) {
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("X-Accel-Buffering", "no")
	h.Set("Connection", "close")
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		return nil, err
	}
	// The server's deadlines stay on a taken connection: a stream has
	// none but those of its own writes.
	conn.SetDeadline(time.Time{})
	var head bytes.Buffer
	head.WriteString("HTTP/1.1 200 OK\r\n")
	h.Write(&head)
	head.WriteString("\r\n")
	// Tell the browser how soon to come back after a lost connection.
	head.WriteString("retry: 2000\n\n")
	conn.SetWriteDeadline(time.Now().Add(streamWriteTimeout))
	if _, err := conn.Write(head.Bytes()); err != nil {
		conn.Close()
		return nil, err
	}
	return conn, nil
}
