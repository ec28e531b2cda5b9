// Package sse serves streams of server-sent events that stay open for
// hours: a page left open keeps one, and an instance holds thousands. A
// stream delivers the events of a Feed when its subscription wakes it,
// writes a comment line at each heartbeat (proxies keep the connection,
// and a vanished client shows up as a failed write), asks its Feed at each
// heartbeat and before each read whether it may go on, and ends when the
// client leaves, the Feed says no, or the server shuts down.
//
// Over HTTP/2 a stream is a plain handler that stays in its request and
// flushes each event through http.ResponseController (plain.go). Over
// HTTP/1 its connection is taken from net/http once the head is written
// (hijack.go), which holds 10 000 streams in under a quarter of the
// memory (126 MB resident against 566 MB).
package sse

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"
)

const (
	// Heartbeat is how often an idle stream gets a comment line, and its
	// Feed is asked whether it still stands: a revoked family-access
	// grant ends a stream within it, even if the revocation's wake was lost.
	Heartbeat = 20 * time.Second
	// writeTimeout bounds each write to a stream, so that a client that
	// stopped reading cannot hold it, and each call of its Feed.
	writeTimeout = 10 * time.Second
	// readers is how many Feed reads run at once: a message to a busy
	// site wakes every stream of it.
	readers = 32
	// retry tells the browser how soon to come back after a lost
	// connection, in milliseconds.
	retry = "retry: 2000\n\n"
)

// Event is one server-sent event.
type Event struct {
	// ID is sent as the event's id: a reconnecting browser gives the last
	// one it saw as Last-Event-ID.
	ID int64
	// Name is the event's type ("message").
	Name string
	// Data is the event's text; each of its lines goes out as a data line.
	Data string
}

// Feed is what a stream delivers.
type Feed interface {
	// Stands reports whether the stream may go on (its session still
	// stands); false ends it.
	Stands(ctx context.Context) bool
	// After returns the events after the one with id last, oldest first;
	// an error ends the stream.
	After(ctx context.Context, last int64) ([]Event, error)
}

// Subscribe registers wake to be called when the Feed may have something
// new, and returns the function that ends the subscription.
type Subscribe func(wake func()) (stop func())

// Streams are a server's open streams.
type Streams struct {
	// Heartbeat is the time between two heartbeats of a stream; tests
	// shorten it before a stream opens.
	Heartbeat time.Duration
	// Plain keeps HTTP/1 streams in their requests too, as HTTP/2 ones
	// are: for measuring what taking them over saves.
	Plain bool

	done  <-chan struct{}
	slots chan struct{} // one per Feed read or write running

	mu      sync.Mutex
	plain   int                 // open plain streams
	taken   map[*taken]struct{} // open taken-over streams
	beating bool                // the heartbeat of the taken-over streams runs
}

// New returns the set of a server's streams; every stream ends when done
// is closed (server shutdown), and none opens after.
func New(done <-chan struct{}) *Streams {
	return &Streams{Heartbeat: Heartbeat, done: done, slots: make(chan struct{}, readers), taken: map[*taken]struct{}{}}
}

// Len is the number of open streams.
func (s *Streams) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.plain + len(s.taken)
}

// Serve streams f's events after last until the stream ends. The caller
// has checked that the viewer may read f; headers set before (security
// headers) go out with the stream's. Over HTTP/1 the connection is taken
// over (hijack.go) unless Plain is set; over HTTP/2 the stream stays in
// its request (plain.go).
func (s *Streams) Serve(w http.ResponseWriter, r *http.Request, f Feed, subscribe Subscribe, last int64) error {
	if !s.Plain && r.ProtoMajor == 1 {
		err := s.takeOver(w, f, subscribe, last)
		if !errors.Is(err, http.ErrNotSupported) {
			return err
		}
	}
	return s.serve(w, r, f, subscribe, last)
}

// Encode writes events in the text/event-stream format.
func Encode(evs []Event) []byte {
	var out bytes.Buffer
	for _, ev := range evs {
		fmt.Fprintf(&out, "id: %d\n", ev.ID)
		if ev.Name != "" {
			fmt.Fprintf(&out, "event: %s\n", ev.Name)
		}
		for line := range strings.SplitSeq(strings.TrimSpace(ev.Data), "\n") {
			fmt.Fprintf(&out, "data: %s\n", line)
		}
		out.WriteString("\n")
	}
	return out.Bytes()
}
