package e2e

import (
	"context"
	"net"
	"net/url"
	"os/exec"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/webauthn"
	"github.com/chromedp/chromedp"
)

// virtualAuthenticator gives the browser a platform authenticator that
// keeps passkeys and verifies its user at once.
func virtualAuthenticator(t *testing.T, ctx context.Context) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, webauthn.Enable, webauthn.EnableParams{}); err != nil {
		t.Fatalf("virtual authenticator: %v", err)
	}
	_, err := chromedp.Call(ctx, webauthn.AddVirtualAuthenticator, webauthn.AddVirtualAuthenticatorParams{
		Options: &webauthn.VirtualAuthenticatorOptions{
			Protocol: webauthn.AuthenticatorProtocolCtap2, Ctap2version: webauthn.Ctap2versionCtap21,
			Transport: webauthn.AuthenticatorTransportInternal, HasResidentKey: true, HasUserVerification: true,
			IsUserVerified: true, AutomaticPresenceSimulation: true}})
	if err != nil {
		t.Fatalf("virtual authenticator: %v", err)
	}
}

// localhost is the server's address by name: passkeys are bound to a
// domain, never to an IP address.
func localhost(t *testing.T, srv *server) string {
	u, err := url.Parse(srv.url)
	if err != nil {
		t.Fatal(err)
	}
	_, port, _ := net.SplitHostPort(u.Host)
	return "http://localhost:" + port
}

// TestAdminSignsInWithPasskey is the admin issue's browser test: the demo
// admin adds a passkey in the profile (after the password and the
// authenticator code), signs out, signs in with the passkey alone, and
// shortens the free-cancellation deadline to 3 days; the demo customer's
// visit page then shows the new deadline. A customer calling the console
// gets 404.
func TestAdminSignsInWithPasskey(t *testing.T) {
	srv := startServer(t, "--base-url", "http://localhost:{port}")
	base := localhost(t, srv)
	ctx := browser(t, 360, 740)
	virtualAuthenticator(t, ctx)
	// The console's tabs: every page has an h1, the sign-in page and the
	// second-factor page too.
	signInTo(t, ctx, base, "yllapito@demo.example", "demo-salasana-2025", "nav.tabs")
	err := chromedp.Do(ctx,
		chromedp.Navigate(base+"/profiili/kirjautuminen"),
		chromedp.WaitVisible(chromedp.CSS("[data-passkey-register]")),
		chromedp.Click(chromedp.CSS("[data-passkey-register]")),
		chromedp.WaitVisible(chromedp.CSS("[data-recovery] [data-codes] code")),
	)
	if err != nil {
		t.Fatalf("add a passkey: %v", err)
	}
	shot(t, ctx, "passkey-recovery-codes")
	codes, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("[data-recovery] [data-codes] code").length`))
	if codes != 10 {
		t.Errorf("%d recovery codes shown, want 10", codes)
	}
	err = chromedp.Do(ctx,
		chromedp.Navigate(base+"/profiili/kirjautuminen"),
		chromedp.WaitVisible(chromedp.CSS("#kirjautuminen")),
		chromedp.Click(chromedp.CSS("details.menu > summary")),
		chromedp.Click(chromedp.CSS("form.signout button")),
		chromedp.WaitVisible(chromedp.CSS("[data-passkey-signin]")),
		// The button's script signs in and then goes on to the front page.
		leavePage(chromedp.Click(chromedp.CSS("[data-passkey-signin]"))),
		chromedp.Navigate(base+"/profiili/kirjautuminen"),
		chromedp.WaitVisible(chromedp.CSS("#kirjautuminen")),
	)
	if err != nil {
		t.Fatalf("sign in with the passkey: %v", err)
	}
	text, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main")))
	email, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('input[name=email][autocomplete=username]').value`))
	if email != "yllapito@demo.example" || !strings.Contains(text, "Lisätty") {
		t.Errorf("after the passkey sign-in the profile shows:\n%s", text)
	}
	shot(t, ctx, "passkey-profile")

	err = chromedp.Do(ctx,
		chromedp.Navigate(base+"/yllapito/ehdot"),
		chromedp.WaitVisible(chromedp.CSS("#cancel_deadline_days")),
		chromedp.SetValue(chromedp.CSS("#cancel_deadline_days"), "3"),
		chromedp.Click(chromedp.CSS(`form[action="/yllapito/ehdot"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`p.notice[role=status]`)),
		chromedp.Click(chromedp.CSS("details.menu > summary")),
		chromedp.Click(chromedp.CSS("form.signout button")),
		chromedp.WaitVisible(chromedp.CSS("#password")),
	)
	if err != nil {
		t.Fatalf("change the cancellation deadline: %v", err)
	}
	signIn(t, ctx, base, "asiakas@demo.example", "demo-salasana-2025")
	openParentsVisits(t, ctx)
	openVisitOn(t, ctx, helsinkiDay(10))
	if text := mainText(t, ctx); !strings.Contains(text, "Peruminen on maksutonta "+helsinkiDay(7)) {
		t.Errorf("visit at +10 days after the deadline became 3 days:\n%s", text)
	}
	status, err := chromedp.Run(ctx, chromedp.Evaluate[int](`fetch("/yllapito/ehdot").then(r => r.status)`, chromedp.EvalAwaitPromise))
	if err != nil || status != 404 {
		t.Errorf("a customer calling the console: %d %v, want 404", status, err)
	}
	// A new admin (the other demo customer, made admin on the server's
	// command line) has no second factor yet: after the password the
	// portal asks to set one up before anything else.
	if out, err := exec.Command(srv.bin, "admin", "create", "toinen@demo.example", "--data-dir", srv.dataDir).CombinedOutput(); err != nil {
		t.Fatalf("admin create: %v\n%s", err, out)
	}
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS("details.menu > summary")),
		chromedp.Click(chromedp.CSS("form.signout button")),
		chromedp.WaitVisible(chromedp.CSS("#password")),
	)
	if err != nil {
		t.Fatal(err)
	}
	signInTo(t, ctx, base, "toinen@demo.example", "demo-salasana-2025", `form[action="/kaksivaihe/sovellus"]`)
	if path, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`location.pathname`)); path != "/kaksivaihe/kayttoon" {
		t.Errorf("a new admin after the password is at %s, want the set-up page", path)
	}
	shot(t, ctx, "mfa-enrol")
}
