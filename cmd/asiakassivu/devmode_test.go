package main

import (
	"bytes"
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"asiakassivu/internal/mail/mailtest"
)

// TestDevModesNeverWithSMTP: with --smtp the portal sends real mail, so it
// is not a trial on this machine: serve --demo loads the demo data but
// neither prints the demo sign-ins nor opens the development outbox
// (/dev/posti, which shows codes and the demo's second-factor code).
func TestDevModesNeverWithSMTP(t *testing.T) {
	smtpSrv := mailtest.Start(t)
	var stdout syncBuffer
	base, _, stop := startServeTo(t, &stdout, "--data-dir", t.TempDir(), "--demo", "--smtp", smtpSrv.URL(),
		"--mail-from", "Kotikulma <noreply@kotikulma.example>")
	if code, _ := get(t, base+"/dev/posti"); code != http.StatusNotFound {
		t.Errorf("/dev/posti with --demo --smtp: %d, want 404", code)
	}
	if code := stop(); code != 0 {
		t.Errorf("serve exit %d", code)
	}
	for _, s := range []string{"asiakas@demo.example", "demo-salasana"} {
		if strings.Contains(stdout.String(), s) {
			t.Errorf("serve --demo --smtp printed the demo sign-ins:\n%s", stdout.String())
			break
		}
	}
}

// TestDevModesRefuseHTTPS: an https base URL is a production layout;
// --demo (known passwords) and --dev (the development outbox) are refused
// with it, one line, exit code 2.
func TestDevModesRefuseHTTPS(t *testing.T) {
	for _, mode := range []string{"--demo", "--dev"} {
		var out, errb bytes.Buffer
		// Were it accepted, serve would run until the context ends.
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		code := run(ctx, []string{"serve", "--data-dir", t.TempDir(), "--addr", freeAddr(t), mode,
			"--base-url", "https://asiakassivu.example.fi"}, env(nil), &out, &errb)
		cancel()
		msg := strings.TrimSpace(errb.String())
		if code != 2 || !strings.Contains(msg, mode) || !strings.Contains(msg, "https") || strings.Contains(msg, "\n") {
			t.Errorf("serve %s with an https base URL: exit %d, stderr %q; want 2 and one line naming %s", mode, code, msg, mode)
		}
	}
}

// TestDevServesOutsideTheRepository: serve --dev once read its page
// templates from the working directory and, started anywhere else,
// answered every page with 500. Everything it serves is compiled in or
// embedded now: started in an empty directory, the sign-in page and a
// static file it links answer 200.
func TestDevServesOutsideTheRepository(t *testing.T) {
	t.Chdir(t.TempDir())
	base, stderr, stop := startServe(t, "--data-dir", "data", "--dev")
	code, body := get(t, base+"/kirjaudu")
	if code != http.StatusOK || !strings.Contains(body, `name="password"`) {
		t.Fatalf("GET /kirjaudu from an empty working directory: %d\n%.300s\n%s", code, body, stderr.String())
	}
	m := regexp.MustCompile(`<link rel="stylesheet" href="(/[^"]+)"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("the sign-in page links no stylesheet:\n%.600s", body)
	}
	if code, css := get(t, base+m[1]); code != http.StatusOK || len(css) < 100 {
		t.Errorf("GET %s: %d, %d bytes", m[1], code, len(css))
	}
	if code := stop(); code != 0 {
		t.Errorf("serve exit %d:\n%s", code, stderr.String())
	}
}
