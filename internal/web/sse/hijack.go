package sse

import (
	"bytes"
	"context"
	"errors"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// Taking a stream's connection over from net/http is kept for memory:
// with 10 000 open streams (BenchmarkOpenStreamsMemory in e2e, both ways
// in the same run, the client in another process) the server held 126 MB
// resident with the connections taken over against 566 MB with the
// streams kept in their requests (−78 %). A plain stream keeps its
// request, net/http's buffers and two goroutines (20 000 in all: 195 MB
// of stacks, 286 MB of heap against 67 MB); a taken-over one only its
// socket and this struct. A wake starts a short-lived send; one goroutine
// per server writes the heartbeats and closes every stream at shutdown.
// Taken over, a stream is also outside the server's read and write
// timeouts.

// taken is one taken-over stream.
type taken struct {
	set    *Streams
	conn   net.Conn
	feed   Feed
	stop   func() // ends the subscription
	queued atomic.Bool

	mu     sync.Mutex // one writer at a time; guards last and closed
	last   int64
	closed bool
}

// takeOver writes the response head of a stream, takes its connection
// from net/http and returns: the stream stays open in the set. The head
// carries the headers set so far (the security headers) and asks the
// client to close the connection when the stream ends, since the body has
// no length. http.ErrNotSupported: the connection cannot be taken.
func (s *Streams) takeOver(w http.ResponseWriter, f Feed, subscribe Subscribe, last int64) error {
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("X-Accel-Buffering", "no")
	h.Set("Connection", "close")
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		h.Del("Connection")
		return err
	}
	// The server's deadlines stay on a taken connection: a stream has
	// none but those of its own writes.
	conn.SetDeadline(time.Time{})
	var head bytes.Buffer
	head.WriteString("HTTP/1.1 200 OK\r\n")
	h.Write(&head)
	head.WriteString("\r\n")
	head.WriteString(retry)
	conn.SetWriteDeadline(time.Now().Add(writeTimeout))
	if _, err := conn.Write(head.Bytes()); err != nil {
		conn.Close()
		return nil // the client is gone: nothing to answer
	}
	st := &taken{set: s, conn: conn, feed: f, last: last}
	// Subscribe before the first read, so that an event in between wakes
	// the stream instead of slipping past it.
	st.stop = subscribe(st.wake)
	if !s.addTaken(st) {
		st.stop()
		conn.Close()
		return nil
	}
	st.send()
	return nil
}

// addTaken keeps a stream and starts the heartbeat when it is the first;
// false when the server is shutting down.
func (s *Streams) addTaken(st *taken) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	select {
	case <-s.done:
		return false
	default:
	}
	s.taken[st] = struct{}{}
	if !s.beating {
		s.beating = true
		go s.beat(s.Heartbeat)
	}
	return true
}

func (s *Streams) removeTaken(st *taken) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.taken, st)
}

func (s *Streams) snapshot() []*taken {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]*taken, 0, len(s.taken))
	for st := range s.taken {
		out = append(out, st)
	}
	return out
}

// beat writes the heartbeats while taken-over streams are open, and closes
// them all at shutdown; it ends when no stream is left.
func (s *Streams) beat(every time.Duration) {
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-s.done:
			for _, st := range s.snapshot() {
				st.close()
			}
			s.mu.Lock()
			s.beating = false
			s.mu.Unlock()
			return
		case <-tick.C:
			for _, st := range s.snapshot() {
				s.run(st.heartbeat)
			}
			s.mu.Lock()
			if len(s.taken) == 0 {
				s.beating = false
				s.mu.Unlock()
				return
			}
			s.mu.Unlock()
		}
	}
}

// run does fn on a goroutine once a slot is free.
func (s *Streams) run(fn func()) {
	go func() {
		s.slots <- struct{}{}
		defer func() { <-s.slots }()
		fn()
	}()
}

// wake is the stream's subscriber: it queues one send, however many
// events arrive meanwhile (each send reads everything new).
func (st *taken) wake() {
	if st.queued.CompareAndSwap(false, true) {
		st.set.run(func() {
			st.queued.Store(false)
			st.send()
		})
	}
}

// heartbeat ends the stream when its Feed no longer stands, and otherwise
// writes a comment line.
func (st *taken) heartbeat() {
	ctx, cancel := context.WithTimeout(context.Background(), writeTimeout)
	defer cancel()
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.closed {
		return
	}
	if !st.feed.Stands(ctx) {
		st.closeLocked()
		return
	}
	st.writeLocked([]byte(": ping\n\n"))
}

// send writes the events after the last one sent.
func (st *taken) send() {
	ctx, cancel := context.WithTimeout(context.Background(), writeTimeout)
	defer cancel()
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.closed {
		return
	}
	// Reading may mark what is read as read: a page that is gone must
	// not, nor a stream whose session ended since the last heartbeat.
	if !st.alive() || !st.feed.Stands(ctx) {
		st.closeLocked()
		return
	}
	evs, err := st.feed.After(ctx, st.last)
	if err != nil {
		st.closeLocked()
		return
	}
	if len(evs) == 0 {
		return
	}
	if st.writeLocked(Encode(evs)) {
		st.last = evs[len(evs)-1].ID
	}
}

// alive reports whether the client still holds the connection: a client
// that closed it (the page was left) reads as end of file at once, an open
// one has nothing to say. A stream's client never sends anything after its
// request. peekClosed (peek_unix.go) asks the socket without waiting.
func (st *taken) alive() bool {
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

func (st *taken) writeLocked(b []byte) bool {
	if st.closed {
		return false
	}
	st.conn.SetWriteDeadline(time.Now().Add(writeTimeout))
	if _, err := st.conn.Write(b); err != nil {
		st.closeLocked()
		return false
	}
	return true
}

func (st *taken) close() {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.closeLocked()
}

func (st *taken) closeLocked() {
	if st.closed {
		return
	}
	st.closed = true
	st.stop()
	st.set.removeTaken(st)
	st.conn.Close()
}
