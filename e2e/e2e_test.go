// Package e2e drives the real binary in real Chromium: the README's
// "serve --demo" command, a person signing in and seeing their sites.
package e2e

import (
	"bufio"
	"context"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"asiakassivu/internal/demo"
	"asiakassivu/internal/portal"
)

// chromium returns the browser to drive. Without one the test skips on a
// developer machine and fails in CI (CI=true), where it must run.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{os.Getenv("ASIAKASSIVU_CHROMIUM"), "chromium", "chromium-browser", "google-chrome"} {
		if name == "" {
			continue
		}
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("Chromium not found; CI must install it (apt-get install chromium)")
	}
	t.Skip("Chromium not found; install the chromium package to run browser tests")
	return ""
}

// server is a running asiakassivu binary.
type server struct {
	url     string
	out     *syncBuilder // what the server printed on stdout
	cmd     *exec.Cmd
	bin     string // the binary, for running other commands on the same data
	dataDir string
}

// startServer builds the binary and runs "serve --demo" on a free loopback
// port with a fresh data directory.
func startServer(t testing.TB, extra ...string) *server {
	t.Helper()
	dir := t.TempDir()
	bin := filepath.Join(dir, "asiakassivu")
	build := exec.Command("go", "build", "-o", bin, "../cmd/asiakassivu")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	return serveOn(t, bin, filepath.Join(dir, "data"), append([]string{"--demo"}, extra...)...)
}

// serveOn runs "serve" of a built binary on dataDir on a free loopback
// port: with --demo a new portal, without it one restarted on its data
// (after a crash or a restore). It stops at the end of the test.
func serveOn(t testing.TB, bin, dataDir string, extra ...string) *server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	// "{port}" in an extra argument is the port chosen here (for a
	// --base-url on localhost, which passkeys need: an IP address is no
	// WebAuthn relying party).
	_, port, _ := net.SplitHostPort(addr)
	args := []string{"serve", "--addr", addr, "--data-dir", dataDir}
	for _, a := range extra {
		args = append(args, strings.ReplaceAll(a, "{port}", port))
	}
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), "ASIAKASSIVU_DATABASE=") // the flag set decides
	stdout, _ := cmd.StdoutPipe()
	var logs syncBuilder
	cmd.Stderr = &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			cmd.Process.Kill()
			t.Error("server did not stop on SIGINT within 15 s")
		}
		if t.Failed() {
			t.Logf("server log:\n%s", logs.String())
		}
	})
	s := &server{url: "http://" + addr, out: &syncBuilder{}, cmd: cmd, bin: bin, dataDir: dataDir}
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			s.out.Write([]byte(sc.Text() + "\n"))
		}
	}()
	deadline := time.Now().Add(60 * time.Second)
	for {
		r, err := http.Get(s.url + "/readyz")
		if err == nil {
			r.Body.Close()
			if r.StatusCode == 200 {
				return s
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("server did not come up: %v\n%s", err, logs.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// syncBuilder is a strings.Builder that the child's output copiers and
// the test may use at once.
type syncBuilder struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuilder) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuilder) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// browser starts headless Chromium with the flags this machine needs.
func browser(t *testing.T, width, height int) context.Context {
	t.Helper()
	return browserWithin(t, width, height, 90*time.Second)
}

// browserWithin is browser for a test that needs it for longer than 90 s
// (a walk over every page).
func browserWithin(t *testing.T, width, height int, limit time.Duration) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium(t)),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("lang", "fi-FI"),
		chromedp.Flag("accept-lang", "fi-FI,fi"),
		chromedp.WindowSize(width, height),
		chromedp.UserDataDir(t.TempDir()),
	)
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	ctx, cancel2 := chromedp.NewContext(actx)
	t.Cleanup(cancel2)
	ctx, cancel3 := context.WithTimeout(ctx, limit)
	t.Cleanup(cancel3)
	// A window cannot be narrower than Chromium's minimum, so the viewport
	// is emulated: a 360-px phone is really 360 CSS pixels wide.
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(int64(width), int64(height))); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return ctx
}

// shot saves a screenshot when ASIAKASSIVU_SCREENSHOTS names a directory.
func shot(t *testing.T, ctx context.Context, name string) {
	dir := os.Getenv("ASIAKASSIVU_SCREENSHOTS")
	if dir == "" {
		return
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Errorf("screenshot %s: %v", name, err)
		return
	}
	os.MkdirAll(dir, 0o755)
	os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644)
}

// signIn signs a customer in and waits for their dashboard.
func signIn(t *testing.T, ctx context.Context, base, email, password string) {
	t.Helper()
	signInTo(t, ctx, base, email, password, "#h-next, section.empty")
}

// signInTo signs in and waits for what the front page leads to (waitFor
// is a CSS selector). It returns only when the sign-in has arrived there:
// the answer to the password, and to each authenticator code, is a new
// page, and it is read only once it has loaded (see leavePage), so that
// neither the sign-in page nor a second-factor page still on its way passes
// for the destination.
func signInTo(t *testing.T, ctx context.Context, base, email, password, waitFor string) {
	t.Helper()
	err := chromedp.Do(ctx,
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(chromedp.CSS("#email")),
		// The form may hold the device's last email already.
		chromedp.Clear(chromedp.CSS("#email")),
		chromedp.SendKeys(chromedp.CSS("#email"), email),
		chromedp.SendKeys(chromedp.CSS("#password"), password),
		leavePage(chromedp.Click(chromedp.CSS(`form[action="/kirjaudu"] button[type=submit]`))),
	)
	if err != nil {
		t.Fatalf("sign in as %s: %v", email, err)
	}
	// Staff and admins give the authenticator code of the demo next.
	for try := 0; ; try++ {
		at, err := chromedp.Run(ctx, chromedp.Evaluate[struct{ Page, Errors string }](`({
			page: document.querySelector('form[action="/kaksivaihe"] #code') ? "code"
				: document.querySelector('form[action="/kirjaudu"]') ? "signin" : "",
			errors: document.querySelector(".error-summary")?.innerText ?? "",
		})`))
		switch {
		case err != nil:
			t.Fatalf("sign in as %s: reading the page: %v", email, err)
		case at.Page == "signin":
			t.Fatalf("sign in as %s: the password was not accepted: %s", email, at.Errors)
		case at.Page != "code":
		case try == 6:
			t.Fatalf("sign in as %s: no authenticator code was accepted: %s", email, at.Errors)
		default:
			err := chromedp.Do(ctx,
				chromedp.SetValue(chromedp.CSS("#code"), demoCode(try)),
				leavePage(chromedp.Click(chromedp.CSS(`form[action="/kaksivaihe"] button[type=submit]`))),
			)
			if err != nil {
				t.Fatalf("second factor of %s: %v", email, err)
			}
			continue
		}
		break
	}
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(waitFor))); err != nil {
		t.Fatalf("sign in as %s: %v", email, err)
	}
}

// leavePage runs steps that leave the page (a click on a link, on a submit
// button, or on a button whose script goes on to another page) and waits
// until the page they lead to, after its redirects, has loaded. The wait is
// for the navigation itself (chromedp.RunResponse: the new document's load
// event), not for an element: an element that the old page has too (an h1,
// the menu) is no sign of having left it, a page read while it is still
// coming in is read in part, and a navigation started before the load
// aborts this one.
func leavePage(steps ...chromedp.Action[chromedp.Void]) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.RunResponse(ctx, steps...)
		return err
	})
}

// demoCode is an authenticator code of the demo's staff and admin accounts
// for the try-th attempt: this step's, the next step's, then (a code works
// once, and a test may sign the same account in again) after waiting for
// the step to pass.
func demoCode(try int) string {
	if try > 0 && try%2 == 0 {
		time.Sleep(time.Until(time.Now().Truncate(portal.TOTPPeriod).Add(portal.TOTPPeriod)))
	}
	return portal.TOTPCode(demo.TOTPSecret, portal.TOTPStep(time.Now().Add(time.Duration(try%2)*portal.TOTPPeriod)))
}

// TestDemoCustomerSeesThreeSites is the foundation's promise: the README's
// command, a browser, the demo customer's three sites.
func TestDemoCustomerSeesThreeSites(t *testing.T) {
	srv := startServer(t)
	for _, vp := range []struct {
		name          string
		width, height int
	}{{"desktop", 1280, 900}, {"phone", 360, 740}, {"narrow-or-200%-zoom", 320, 640}} {
		t.Run(vp.name, func(t *testing.T) {
			ctx := browser(t, vp.width, vp.height)
			if err := chromedp.Do(ctx, chromedp.Navigate(srv.url+"/"), chromedp.WaitVisible(chromedp.CSS("#email"))); err != nil {
				t.Fatal(err)
			}
			shot(t, ctx, vp.name+"-signin")
			signIn(t, ctx, srv.url, "asiakas@demo.example", "demo-salasana-2025")
			// The front page is the dashboard of a site; the menu at top left
			// switches between the three and the fourth she looks after
			// for Aino (family access).
			loc, _ := chromedp.Run(ctx, chromedp.Location())
			if !strings.Contains(loc, "/kohteet/") {
				t.Errorf("after sign-in at %s, want a site's page", loc)
			}
			text, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main")))
			for _, want := range []string{"Seuraava palveluvuoro", "Viimeisin laskutuskooste", "Palveluntuottaja"} {
				if !strings.Contains(text, want) {
					t.Errorf("dashboard lacks %q", want)
				}
			}
			shot(t, ctx, vp.name+"-dashboard")
			if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("details.menu > summary")), chromedp.WaitVisible(chromedp.CSS(".switcher"))); err != nil {
				t.Fatal(err)
			}
			n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll(".switcher > li").length`))
			if err != nil || n != 4 {
				t.Fatalf("sites in the switcher: %d, %v", n, err)
			}
			shot(t, ctx, vp.name+"-menu")
			// Switch to the second site: the dashboard follows.
			h1Before, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("h1")))
			err = chromedp.Do(ctx,
				// Every page has the menu: the wait is for the next page.
				leavePage(chromedp.Click(chromedp.CSS(`.switcher > li:nth-child(2) a`))),
				chromedp.WaitVisible(chromedp.CSS("details.menu")),
			)
			if err != nil {
				t.Fatal(err)
			}
			h1After, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("h1")))
			if h1After == h1Before {
				t.Errorf("switching site kept the dashboard at %q", h1After)
			}
			// All four on the list page.
			if err := chromedp.Do(ctx, chromedp.Navigate(srv.url+"/kohteet"), chromedp.WaitVisible(chromedp.CSS("ul.sites"))); err != nil {
				t.Fatal(err)
			}
			n, err = chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("ul.sites > li").length`))
			if err != nil || n != 4 {
				t.Fatalf("sites listed: %d, %v", n, err)
			}
			overflow, _ := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth`))
			if overflow {
				t.Errorf("page scrolls sideways at %d px", vp.width)
			}
			if w, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`window.innerWidth`)); w != vp.width {
				t.Errorf("viewport is %d px wide, want %d", w, vp.width)
			}
			shot(t, ctx, vp.name+"-sites")
			// The front page now leads to the site chosen last.
			if err := chromedp.Do(ctx, chromedp.Navigate(srv.url+"/"), chromedp.WaitVisible(chromedp.CSS("h1"))); err != nil {
				t.Fatal(err)
			}
			if h1, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("h1"))); h1 != h1After {
				t.Errorf("front page shows %q, want the remembered %q", h1, h1After)
			}
			err = chromedp.Do(ctx,
				chromedp.Click(chromedp.CSS("details.menu > summary")),
				chromedp.Click(chromedp.CSS("form.signout button")),
				chromedp.WaitVisible(chromedp.CSS("#password")),
			)
			if err != nil {
				t.Fatal(err)
			}
			email, _ := chromedp.Run(ctx, chromedp.Value(chromedp.CSS("#email")))
			if email != "asiakas@demo.example" {
				t.Errorf("sign-in form after sign-out holds %q, want the last email", email)
			}
		})
	}
	if !strings.Contains(srv.out.String(), "asiakas@demo.example") {
		t.Errorf("serve --demo did not print the demo sign-ins:\n%s", srv.out.String())
	}
}

// TestWrongPasswordInBrowser: a wrong password shows a clear message and
// keeps the email.
func TestWrongPasswordInBrowser(t *testing.T) {
	srv := startServer(t)
	ctx := browser(t, 1280, 900)
	err := chromedp.Do(ctx,
		chromedp.Navigate(srv.url+"/kirjaudu"),
		chromedp.SendKeys(chromedp.CSS("#email"), "asiakas@demo.example"),
		chromedp.SendKeys(chromedp.CSS("#password"), "väärä-salasana"),
		chromedp.Click(chromedp.CSS(`form[action="/kirjaudu"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(".error-summary")),
	)
	if err != nil {
		t.Fatal(err)
	}
	msg, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(".error-summary")))
	email, _ := chromedp.Run(ctx, chromedp.Value(chromedp.CSS("#email")))
	if !strings.Contains(msg, "ei ole oikein") || email != "asiakas@demo.example" {
		t.Errorf("message %q, email kept %q", msg, email)
	}
	shot(t, ctx, "signin-error")
}
