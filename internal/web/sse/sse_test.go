package sse

import (
	"bufio"
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// feed is a Feed of numbered events; stands false ends its streams.
type feed struct {
	mu     sync.Mutex
	events []Event
	wakes  []func()
	stands atomic.Bool
	reads  atomic.Int32 // calls of After
}

func newFeed() *feed {
	f := &feed{}
	f.stands.Store(true)
	return f
}

func (f *feed) Stands(context.Context) bool { return f.stands.Load() }

func (f *feed) After(_ context.Context, last int64) ([]Event, error) {
	f.reads.Add(1)
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []Event
	for _, ev := range f.events {
		if ev.ID > last {
			out = append(out, ev)
		}
	}
	return out, nil
}

func (f *feed) subscribe(wake func()) func() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.wakes = append(f.wakes, wake)
	return func() {}
}

// add appends an event and wakes the streams.
func (f *feed) add(data string) {
	f.mu.Lock()
	f.events = append(f.events, Event{ID: int64(len(f.events) + 1), Name: "message", Data: data})
	wakes := f.wakes
	f.mu.Unlock()
	for _, w := range wakes {
		w()
	}
}

// read sends the data of each event of a stream on a channel, closed when
// the stream ends.
func read(t *testing.T, c *http.Client, u string) (<-chan string, *http.Response) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	req, _ := http.NewRequestWithContext(ctx, "GET", u, nil)
	r, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if r.StatusCode != 200 || r.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("stream: %d %s", r.StatusCode, r.Header.Get("Content-Type"))
	}
	out := make(chan string, 16)
	go func() {
		defer close(out)
		defer r.Body.Close()
		sc := bufio.NewScanner(r.Body)
		var data string
		for sc.Scan() {
			switch line := sc.Text(); {
			case strings.HasPrefix(line, "data: "):
				data += line[6:]
			case line == "" && data != "":
				out <- data
				data = ""
			}
		}
	}()
	return out, r
}

func next(t *testing.T, ch <-chan string) string {
	t.Helper()
	select {
	case d, ok := <-ch:
		if !ok {
			t.Fatal("the stream ended")
		}
		return d
	case <-time.After(5 * time.Second):
		t.Fatal("no event within 5 s")
	}
	return ""
}

func ended(t *testing.T, ch <-chan string, why string) {
	t.Helper()
	deadline := time.After(5 * time.Second)
	for {
		select {
		case _, ok := <-ch:
			if !ok {
				return
			}
		case <-deadline:
			t.Fatalf("the stream is still open 5 s after %s", why)
		}
	}
}

// TestStreams: every way a stream is served (taken over on HTTP/1, plain
// on HTTP/1, plain on HTTP/2 over TLS) catches up from its last id,
// delivers live events, outlives the server's timeouts, and ends when its
// Feed no longer stands, when the client leaves and at shutdown.
func TestStreams(t *testing.T) {
	for _, mode := range []string{"taken over", "plain", "HTTP/2"} {
		t.Run(mode, func(t *testing.T) {
			done := make(chan struct{})
			s := New(done)
			s.Heartbeat = 50 * time.Millisecond
			s.Plain = mode == "plain"
			feeds := map[string]*feed{"a": newFeed(), "b": newFeed(), "c": newFeed()}
			protos := make(chan int, 8)
			srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				protos <- r.ProtoMajor
				last, _ := strconv.ParseInt(r.URL.Query().Get("last"), 10, 64)
				f := feeds[r.URL.Query().Get("feed")]
				if err := s.Serve(w, r, f, f.subscribe, last); err != nil {
					t.Errorf("serve: %v", err)
				}
			}))
			srv.Config.ReadTimeout = 200 * time.Millisecond
			srv.Config.WriteTimeout = 200 * time.Millisecond
			if mode == "HTTP/2" {
				srv.EnableHTTP2 = true
				srv.StartTLS()
			} else {
				srv.Start()
			}
			t.Cleanup(srv.Close)
			c := srv.Client()
			want := 1
			if mode == "HTTP/2" {
				want = 2
			}

			a := feeds["a"]
			a.add("vanha")
			a.add("luettu")
			ch, _ := read(t, c, srv.URL+"?feed=a&last=1")
			if p := <-protos; p != want {
				t.Fatalf("served over HTTP/%d, want %d", p, want)
			}
			if d := next(t, ch); d != "luettu" {
				t.Errorf("catching up: %q, want only the event after the last id", d)
			}
			time.Sleep(500 * time.Millisecond) // past the server's timeouts
			a.add("rivi 1\nrivi 2")
			if d := next(t, ch); d != "rivi 1rivi 2" {
				t.Errorf("live event %q", d)
			}
			if n := s.Len(); n != 1 {
				t.Errorf("Len %d, want 1", n)
			}
			a.stands.Store(false)
			ended(t, ch, "its feed stopped standing (heartbeat)")

			// A stream whose client left is dropped and reads nothing
			// more.
			b := feeds["b"]
			ctx, cancel := context.WithCancel(context.Background())
			req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+"?feed=b", nil)
			r, err := c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			<-protos
			cancel()
			r.Body.Close()
			time.Sleep(200 * time.Millisecond)
			reads := b.reads.Load()
			b.add("kukaan ei lue")
			for end := time.Now().Add(5 * time.Second); s.Len() != 0 && time.Now().Before(end); {
				time.Sleep(20 * time.Millisecond)
			}
			if n := s.Len(); n != 0 {
				t.Errorf("%d streams open after their clients left", n)
			}
			if n := b.reads.Load() - reads; n != 0 {
				t.Errorf("a stream whose client left read its feed %d times", n)
			}

			// Shutdown ends the open streams and refuses new ones.
			ch, _ = read(t, c, srv.URL+"?feed=c")
			<-protos
			feeds["c"].add("ennen")
			next(t, ch)
			close(done)
			ended(t, ch, "shutdown")
		})
	}
}

func TestEncode(t *testing.T) {
	got := string(Encode([]Event{{ID: 7, Name: "message", Data: "<li>\n  Hei\n</li>\n"}, {ID: 8, Data: "x"}}))
	want := "id: 7\nevent: message\ndata: <li>\ndata:   Hei\ndata: </li>\n\nid: 8\ndata: x\n\n"
	if got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
