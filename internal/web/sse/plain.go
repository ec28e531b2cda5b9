package sse

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"
)

// addPlain counts a plain stream in (n = 1; false when the server is
// shutting down) or out (n = -1).
func (s *Streams) addPlain(n int) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if n > 0 {
		select {
		case <-s.done:
			return false
		default:
		}
	}
	s.plain += n
	return true
}

// serve keeps the stream in its request: the handler's goroutine waits for
// a wake, a heartbeat, the client's leaving or the shutdown.
func (s *Streams) serve(w http.ResponseWriter, r *http.Request, f Feed, subscribe Subscribe, last int64) error {
	rc := http.NewResponseController(w)
	// The server's read and write timeouts are for requests: a stream
	// has none but those of its own writes. A writer that cannot say
	// (ErrNotSupported) keeps them: the stream ends at the timeout and
	// the browser comes back.
	for _, set := range []func(time.Time) error{rc.SetReadDeadline, rc.SetWriteDeadline} {
		if err := set(time.Time{}); err != nil && !errors.Is(err, http.ErrNotSupported) {
			return fmt.Errorf("event stream: %w", err)
		}
	}
	wake := make(chan struct{}, 1)
	// Subscribe before the first read, so that an event in between wakes
	// the stream instead of slipping past it.
	stop := subscribe(func() {
		select {
		case wake <- struct{}{}:
		default: // one wake is enough: each read takes everything new
		}
	})
	defer stop()
	if !s.addPlain(1) {
		return nil
	}
	defer s.addPlain(-1)
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	write := func(b []byte) bool {
		rc.SetWriteDeadline(time.Now().Add(writeTimeout))
		if _, err := w.Write(b); err != nil {
			return false
		}
		return rc.Flush() == nil
	}
	if !write([]byte(retry)) {
		return nil
	}
	ctx := r.Context()
	send := func() bool {
		// Reading may mark what is read as read: a page that is gone
		// must not, nor a stream whose session ended since the last
		// heartbeat.
		select {
		case s.slots <- struct{}{}:
			defer func() { <-s.slots }()
		case <-ctx.Done():
			return false
		}
		rctx, cancel := context.WithTimeout(ctx, writeTimeout)
		defer cancel()
		if ctx.Err() != nil || !f.Stands(rctx) {
			return false
		}
		evs, err := f.After(rctx, last)
		if err != nil {
			return false
		}
		if len(evs) == 0 {
			return true
		}
		if !write(Encode(evs)) {
			return false
		}
		last = evs[len(evs)-1].ID
		return true
	}
	if !send() {
		return nil
	}
	tick := time.NewTicker(s.Heartbeat)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-s.done:
			return nil
		case <-wake:
			if !send() {
				return nil
			}
		case <-tick.C:
			hctx, cancel := context.WithTimeout(ctx, writeTimeout)
			ok := f.Stands(hctx)
			cancel()
			if !ok || !write([]byte(": ping\n\n")) {
				return nil
			}
		}
	}
}
