// Package realtime tells open pages that a site's thread has new
// messages. A Hub fans an event out to the streams of this process; with
// PostgreSQL, PG carries events between instances through LISTEN/NOTIFY,
// so a message posted through one instance reaches a page served by
// another. Events say only "site N has news"; each stream then reads what
// it has not shown from the database, so a lost or doubled event never
// loses or doubles a message.
package realtime

import (
	"sync"
)

// Hub fans events out to the subscribers of each site in this process.
type Hub struct {
	mu     sync.Mutex
	subs   map[int64]map[chan struct{}]struct{}
	done   chan struct{}
	closed bool
}

// NewHub returns an empty hub.
func NewHub() *Hub {
	return &Hub{subs: map[int64]map[chan struct{}]struct{}{}, done: make(chan struct{})}
}

// Subscribe returns a channel that receives a signal whenever the site
// has news (several events may merge into one signal), and a function to
// stop.
func (h *Hub) Subscribe(site int64) (<-chan struct{}, func()) {
	ch := make(chan struct{}, 1)
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.subs[site] == nil {
		h.subs[site] = map[chan struct{}]struct{}{}
	}
	h.subs[site][ch] = struct{}{}
	return ch, func() {
		h.mu.Lock()
		defer h.mu.Unlock()
		delete(h.subs[site], ch)
		if len(h.subs[site]) == 0 {
			delete(h.subs, site)
		}
	}
}

// signal wakes a subscriber without ever blocking: a pending signal
// already says there is news.
func signal(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}

// Publish signals every subscriber of a site in this process.
func (h *Hub) Publish(site int64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for ch := range h.subs[site] {
		signal(ch)
	}
}

// PublishAll signals every subscriber: after a lost connection to the
// other instances, any site may have news.
func (h *Hub) PublishAll() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, subs := range h.subs {
		for ch := range subs {
			signal(ch)
		}
	}
}

// Done is closed when the hub closes: streams end then, so that a server
// shutting down is not held open by them.
func (h *Hub) Done() <-chan struct{} { return h.done }

// Close ends every stream; call it when the server starts shutting down.
func (h *Hub) Close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.closed {
		h.closed = true
		close(h.done)
	}
}
