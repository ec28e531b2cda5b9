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
	subs   map[int64]map[*subscriber]struct{}
	done   chan struct{}
	closed bool
}

// subscriber is one wake function; a pointer, so that the same function
// may subscribe twice and each stop removes its own.
type subscriber struct{ wake func() }

// NewHub returns an empty hub.
func NewHub() *Hub {
	return &Hub{subs: map[int64]map[*subscriber]struct{}{}, done: make(chan struct{})}
}

// Subscribe calls wake whenever the site has news, until stop is called.
// wake runs with the hub locked and must not block: it hands the work on
// (an open stream needs no goroutine of its own while it waits).
func (h *Hub) Subscribe(site int64, wake func()) (stop func()) {
	sub := &subscriber{wake}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.subs[site] == nil {
		h.subs[site] = map[*subscriber]struct{}{}
	}
	h.subs[site][sub] = struct{}{}
	return func() {
		h.mu.Lock()
		defer h.mu.Unlock()
		delete(h.subs[site], sub)
		if len(h.subs[site]) == 0 {
			delete(h.subs, site)
		}
	}
}

// Publish wakes every subscriber of a site in this process.
func (h *Hub) Publish(site int64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for sub := range h.subs[site] {
		sub.wake()
	}
}

// PublishAll wakes every subscriber: after a lost connection to the other
// instances, any site may have news.
func (h *Hub) PublishAll() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, subs := range h.subs {
		for sub := range subs {
			sub.wake()
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
