package e2e

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"asiakassivu/internal/store/storetest"
)

// client is a signed-in HTTP client of a server (no browser needed).
func client(t testing.TB, base, email string) *http.Client {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	r, err := c.PostForm(base+"/kirjaudu", url.Values{"email": {email}, "password": {"demo-salasana-2025"}})
	if err != nil {
		t.Fatal(err)
	}
	r.Body.Close()
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign in %s: %d", email, r.StatusCode)
	}
	// Staff and admins give the demo's authenticator code.
	if r, err = c.Get(base + "/profiili"); err == nil && strings.HasPrefix(r.Header.Get("Location"), "/kaksivaihe") {
		r.Body.Close()
		for try := 0; ; try++ {
			if try == 6 {
				t.Fatalf("sign in %s: no authenticator code was accepted", email)
			}
			r, err = c.PostForm(base+"/kaksivaihe", url.Values{"code": {demoCode(try)}})
			if err != nil {
				t.Fatal(err)
			}
			r.Body.Close()
			if r.StatusCode == http.StatusSeeOther {
				break
			}
		}
	} else if err == nil {
		r.Body.Close()
	}
	return c
}

// post sends a message to a site's thread.
func post(t testing.TB, c *http.Client, base string, site int, text string) {
	t.Helper()
	r, err := c.PostForm(fmt.Sprintf("%s/kohteet/%d/viestit", base, site), url.Values{"body": {text}})
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, r.Body)
	r.Body.Close()
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("post: %d", r.StatusCode)
	}
}

// stream opens a site's message stream and sends the data of each event
// on the returned channel.
func stream(t testing.TB, ctx context.Context, c *http.Client, base string, site int) <-chan string {
	t.Helper()
	req, _ := http.NewRequestWithContext(ctx, "GET", fmt.Sprintf("%s/kohteet/%d/viestit/tapahtumat?jalkeen=0", base, site), nil)
	r, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if r.StatusCode != 200 {
		t.Fatalf("stream: %d", r.StatusCode)
	}
	out := make(chan string, 64)
	go func() {
		defer close(out)
		defer r.Body.Close()
		sc := bufio.NewScanner(r.Body)
		var data strings.Builder
		for sc.Scan() {
			switch line := sc.Text(); {
			case strings.HasPrefix(line, "data: "):
				data.WriteString(line[6:])
			case line == "" && data.Len() > 0:
				out <- data.String()
				data.Reset()
			}
		}
	}()
	return out
}

// twoInstances starts two servers on one fresh PostgreSQL database.
func twoInstances(t testing.TB) (a, b *server) {
	dsn := storetest.EmptyPostgres(t)
	// Instances behind one load balancer share the database and the key
	// that opens identity codes.
	key := filepath.Join(t.TempDir(), "secret.key")
	a = startServer(t, "--database", dsn, "--secret-key-file", key)
	b = startServer(t, "--database", dsn, "--secret-key-file", key)
	return a, b
}

// TestTwoInstancesShareMessages: a message posted through instance A
// reaches a stream served by instance B (PostgreSQL LISTEN/NOTIFY).
func TestTwoInstancesShareMessages(t *testing.T) {
	if os.Getenv(storetest.EnvPostgres) == "" && os.Getenv("CI") == "true" {
		t.Fatal(storetest.EnvPostgres + " must be set in CI")
	}
	a, b := twoInstances(t)
	customer := client(t, a.url, "asiakas@demo.example")
	staff := client(t, b.url, "tuottaja@demo.example")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	events := stream(t, ctx, staff, b.url, 1)
	time.Sleep(200 * time.Millisecond) // the stream subscribes before the post
	post(t, customer, a.url, 1, "Viesti palvelimen A kautta")
	// The stream first catches up on the thread's earlier messages.
	deadline := time.After(10 * time.Second)
	for {
		select {
		case data := <-events:
			if strings.Contains(data, "Viesti palvelimen A kautta") {
				return
			}
		case <-deadline:
			t.Fatal("B's stream did not get the message within 10 s")
		}
	}
}

// BenchmarkMessageLatency measures the time from posting a message to
// its event on an open stream: on one node (SQLite), and from one node to
// another (PostgreSQL, when ASIAKASSIVU_TEST_POSTGRES is set). Run with
//
//	go test ./e2e -run '^$' -bench MessageLatency -benchtime 200x
func BenchmarkMessageLatency(b *testing.B) {
	b.Run("one-node-sqlite", func(b *testing.B) {
		s := startServer(b)
		latency(b, s, s)
	})
	b.Run("two-nodes-postgres", func(b *testing.B) {
		x, y := twoInstances(b)
		latency(b, x, y)
	})
}

func latency(b *testing.B, from, to *server) {
	customer := client(b, from.url, "asiakas@demo.example")
	staff := client(b, to.url, "tuottaja@demo.example")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	events := stream(b, ctx, staff, to.url, 1)
	time.Sleep(200 * time.Millisecond)
	var lat []time.Duration
	b.ResetTimer()
	for i := range b.N {
		text := "mittaus " + strconv.Itoa(i)
		t0 := time.Now()
		post(b, customer, from.url, 1, text)
		for data := range events {
			if strings.Contains(data, ">"+text+"</p>") {
				break
			}
		}
		lat = append(lat, time.Since(t0))
	}
	b.StopTimer()
	slices.Sort(lat)
	pct := func(p float64) float64 {
		return float64(lat[min(len(lat)-1, int(float64(len(lat))*p))].Microseconds()) / 1000
	}
	b.ReportMetric(pct(0.5), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
}

// BenchmarkOpenStreamsMemory opens 10 000 message streams against a
// server process from this (separate) process and reports the server's
// resident memory: with the streams' connections taken over (as served
// over HTTP/1) and kept in their requests (--plain-streams, as over
// HTTP/2). Package sse keeps the taking over for the difference. Run with
//
//	go test ./e2e -run '^$' -bench OpenStreamsMemory -benchtime 1x
func BenchmarkOpenStreamsMemory(b *testing.B) {
	b.Run("taken-over", func(b *testing.B) { openStreams(b) })
	b.Run("plain", func(b *testing.B) { openStreams(b, "--plain-streams") })
}

func openStreams(b *testing.B, serverArgs ...string) {
	const streams = 10_000
	s := startServer(b, serverArgs...)
	c := client(b, s.url, "asiakas@demo.example")
	tr := &http.Transport{MaxConnsPerHost: 0, MaxIdleConnsPerHost: streams, DisableCompression: true}
	c.Transport = tr
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	before := rss(b, s)
	start := time.Now()
	for i := range streams {
		// As an open page does: the stream starts after the last message
		// the page shows.
		req, _ := http.NewRequestWithContext(ctx, "GET", fmt.Sprintf("%s/kohteet/%d/viestit/tapahtumat?jalkeen=%d", s.url, 1+i%3, 1<<40), nil)
		r, err := c.Do(req)
		if err != nil {
			b.Fatalf("stream %d: %v", i, err)
		}
		if r.StatusCode != 200 {
			b.Fatalf("stream %d: %d", i, r.StatusCode)
		}
		go func() { io.Copy(io.Discard, r.Body); r.Body.Close() }()
	}
	opened := time.Since(start)
	time.Sleep(2 * time.Second)
	after := rss(b, s)
	b.ReportMetric(float64(streams), "streams")
	b.ReportMetric(float64(before)/1024, "rss-before-MiB")
	b.ReportMetric(float64(after)/1024, "rss-MiB")
	b.ReportMetric(opened.Seconds(), "open-s")
	// Where it goes, from the server's own metrics.
	r, err := http.Get(s.url + "/metrics")
	if err != nil {
		b.Fatal(err)
	}
	raw, _ := io.ReadAll(r.Body)
	r.Body.Close()
	for line := range strings.SplitSeq(string(raw), "\n") {
		for _, name := range []string{"go_memstats_stack_inuse_bytes", "go_memstats_heap_inuse_bytes", "go_goroutines"} {
			if v, ok := strings.CutPrefix(line, name+" "); ok {
				f, _ := strconv.ParseFloat(v, 64)
				if name == "go_goroutines" {
					b.ReportMetric(f, "goroutines")
				} else {
					b.ReportMetric(f/(1<<20), strings.TrimSuffix(strings.TrimPrefix(name, "go_memstats_"), "_bytes")+"-MiB")
				}
			}
		}
	}
}

// rss reads a server process's resident memory in KiB.
func rss(b *testing.B, s *server) int {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", s.cmd.Process.Pid))
	if err != nil {
		b.Fatal(err)
	}
	for line := range strings.SplitSeq(string(raw), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(rest), " kB"))
			return kb
		}
	}
	b.Fatal("no VmRSS")
	return 0
}
