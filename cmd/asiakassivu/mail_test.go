package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"asiakassivu/internal/jobs"
	"asiakassivu/internal/mail"
	"asiakassivu/internal/mail/mailtest"
	"asiakassivu/internal/store"
)

func TestMailFlags(t *testing.T) {
	c, err := parseServe(nil, env(nil))
	if err != nil || c.mailer.smtp != "" || c.mailer.mailFrom != "Asiakassivu <noreply@localhost>" {
		t.Fatalf("defaults: %+v %v", c.mailer, err)
	}
	c, err = parseServe([]string{"--mail-from", "Kotikulma <noreply@kotikulma.example>"},
		env(map[string]string{"ASIAKASSIVU_SMTP": "smtp://u:p%40ss@mail.example:587"}))
	if err != nil || c.mailer.smtpCfg != (mail.SMTPConfig{Host: "mail.example", Port: 587, Username: "u", Password: "p@ss"}) ||
		c.mailer.mailFrom != "Kotikulma <noreply@kotikulma.example>" {
		t.Fatalf("from env and flag: %+v %v", c.mailer, err)
	}
	cases := []struct{ name, flag, value string }{
		{"smtp no port", "--smtp", "smtp://user:hunter2@mail.example"},
		{"smtp wrong scheme", "--smtp", "http://mail.example:25"},
		{"from two addresses", "--mail-from", "a@example.fi, b@example.fi"},
		{"from no address", "--mail-from", "Asiakassivu"},
	}
	for _, tc := range cases {
		var out, errb bytes.Buffer
		code := run(context.Background(), []string{"serve", tc.flag, tc.value}, env(nil), &out, &errb)
		if code != 2 || !strings.Contains(errb.String(), tc.flag) || strings.Count(strings.TrimSpace(errb.String()), "\n") != 0 {
			t.Errorf("%s: exit %d, stderr %q", tc.name, code, errb.String())
		}
		if strings.Contains(errb.String(), "hunter2") {
			t.Errorf("%s: the password is echoed: %q", tc.name, errb.String())
		}
	}
}

func TestIsLoopback(t *testing.T) {
	for addr, want := range map[string]bool{
		"127.0.0.1:8080": true, "[::1]:8080": true, "localhost:8080": true, "127.1.2.3:80": true,
		"0.0.0.0:8080": false, ":8080": false, "[::]:8080": false, "192.168.1.10:8080": false, "example.fi:80": false, "nonsense": false,
	} {
		if got := isLoopback(addr); got != want {
			t.Errorf("isLoopback(%q) = %v, want %v", addr, got, want)
		}
	}
}

// syncBuffer is a bytes.Buffer safe for the server's log and the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// startServe runs serve until the test ends and waits until it answers.
func startServe(t *testing.T, args ...string) (base string, stderr *syncBuffer, stop func() int) {
	t.Helper()
	return startServeTo(t, io.Discard, args...)
}

// startServeTo is startServe with the command's stdout kept in stdout.
func startServeTo(t *testing.T, stdout io.Writer, args ...string) (base string, stderr *syncBuffer, stop func() int) {
	t.Helper()
	addr := freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	stderr = &syncBuffer{}
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, append([]string{"serve", "--addr", addr}, args...), env(nil), stdout, stderr)
	}()
	base = "http://" + addr
	// The server is up when /healthz answers; the deadline only bounds a
	// server that never comes up (under -race on a busy machine, starting
	// takes tens of seconds).
	deadline := time.Now().Add(2 * time.Minute)
	for {
		r, err := http.Get(base + "/healthz")
		if err == nil {
			r.Body.Close()
			if r.StatusCode == 200 {
				break
			}
		}
		select {
		case code := <-done:
			t.Fatalf("serve exited %d:\n%s", code, stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve did not start:\n%s", stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	stopped := false
	var code int
	stop = func() int {
		if !stopped {
			stopped = true
			cancel()
			select {
			case code = <-done:
			case <-time.After(30 * time.Second):
				t.Fatal("serve did not stop")
			}
		}
		return code
	}
	t.Cleanup(func() { stop() })
	return base, stderr, stop
}

// queueMail writes a mail job into the database of a data directory, as a
// use case does.
func queueMail(t *testing.T, dir string, m mail.Message) {
	t.Helper()
	db, err := store.Open(context.Background(), filepath.Join(dir, "asiakassivu.db"), serverClock)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Write(context.Background(), func(tx *store.Tx) error { return jobs.EnqueueMail(context.Background(), tx, m) }); err != nil {
		t.Fatal(err)
	}
}

func get(t *testing.T, u string) (int, string) {
	t.Helper()
	r, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Body.Close()
	b, _ := io.ReadAll(r.Body)
	return r.StatusCode, string(b)
}

// TestServeSendsQueuedMail: serve runs the job worker, which sends a queued
// mail through the --smtp server; with --smtp there is no dev outbox, even
// with --dev on a loopback address (TestDevModesNeverWithSMTP), and
// shutdown stops the worker.
func TestServeSendsQueuedMail(t *testing.T) {
	smtpSrv := mailtest.StartWith(t, mailtest.Options{Username: "portal", Password: "salainen"})
	dir := t.TempDir()
	base, stderr, stop := startServe(t, "--data-dir", dir, "--dev", "--smtp", smtpSrv.URL(),
		"--mail-from", "Kotikulma <noreply@kotikulma.example>")
	m, err := mail.Render(mail.SignupCode, "fi", map[string]string{"code": "730194"})
	if err != nil {
		t.Fatal(err)
	}
	m.To = "maija@example.fi"
	queueMail(t, dir, m)
	got := smtpSrv.WaitFor(t, "maija@example.fi", 20*time.Second)
	if got.Code() != "730194" || got.Header.Get("From") != `"Kotikulma" <noreply@kotikulma.example>` && got.Header.Get("From") != "Kotikulma <noreply@kotikulma.example>" {
		t.Errorf("received code %q from %q", got.Code(), got.Header.Get("From"))
	}
	if code, _ := get(t, base+"/dev/posti"); code != http.StatusNotFound {
		t.Errorf("dev outbox with --smtp: %d, want 404", code)
	}
	if code := stop(); code != 0 {
		t.Errorf("serve exit %d", code)
	}
	for _, secret := range []string{"730194", "salainen"} {
		if strings.Contains(stderr.String(), secret) {
			t.Errorf("log holds %q", secret)
		}
	}
}

// TestServeWithoutSMTPLogsOnly: with no --smtp the log holds the mail's
// recipient and subject, never its code; without --dev or --demo there is
// no outbox page.
func TestServeWithoutSMTPLogsOnly(t *testing.T) {
	dir := t.TempDir()
	base, stderr, stop := startServe(t, "--data-dir", dir)
	if code, _ := get(t, base+"/dev/posti"); code != http.StatusNotFound {
		t.Errorf("/dev/posti without --dev: %d, want 404", code)
	}
	m, err := mail.Render(mail.ResetCode, "en", map[string]string{"code": "461820"})
	if err != nil {
		t.Fatal(err)
	}
	m.To = "matti@example.fi"
	queueMail(t, dir, m)
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(stderr.String(), "matti@example.fi") {
		if time.Now().After(deadline) {
			t.Fatalf("the mail was not logged:\n%s", stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	stop()
	log := stderr.String()
	if !strings.Contains(log, m.Subject) {
		t.Errorf("log lacks the subject:\n%s", log)
	}
	if strings.Contains(log, "461820") {
		t.Errorf("log holds the code:\n%s", log)
	}
}

// serverClock is the clock of what these tests open themselves in a data
// directory the command under test also uses: cmd gives the portal the
// wall clock, so a job or token written for it must be stamped on the same
// clock, or a job queued "now" would be due years away.
var serverClock = time.Now
