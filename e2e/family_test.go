package e2e

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"asiakassivu/internal/mail/mailtest"
)

// mailWith waits for the newest mail to an address whose subject holds
// subject.
func mailWith(t *testing.T, smtp *mailtest.Server, to, subject string) mailtest.ReceivedMessage {
	t.Helper()
	for end := time.Now().Add(30 * time.Second); time.Now().Before(end); time.Sleep(100 * time.Millisecond) {
		msgs := smtp.Messages()
		for i := len(msgs) - 1; i >= 0; i-- {
			if len(msgs[i].To) == 1 && strings.EqualFold(msgs[i].To[0], to) && strings.Contains(msgs[i].Subject, subject) {
				return msgs[i]
			}
		}
	}
	t.Fatalf("no mail %q to %s within 30 s", subject, to)
	return mailtest.ReceivedMessage{}
}

var inviteLink = regexp.MustCompile(`https?://[^\s"<>]+/kutsu/[A-Za-z0-9_-]{43}`)

// TestFamilyAccess is family access in real browsers with a real SMTP
// peer: the demo customer invites a new address to her home as a
// caretaker; the invitee opens the mail's link, creates an account with
// the code mailed to her, comes back to the invitation and accepts it,
// sees only that home with a caretaker's buttons and cancels a visit; the
// owner removes her access; within 30 s the invitee's open messages page
// stops receiving (a message written after it never arrives) and the home
// is gone from her pages.
func TestFamilyAccess(t *testing.T) {
	smtp := mailtest.Start(t)
	srv := startServer(t, "--smtp", smtp.URL(), "--mail-from", "Asiakassivu <noreply@asiakassivu.example>")
	owner := browser(t, 1280, 900)
	signIn(t, owner, srv.url, "asiakas@demo.example", "demo-salasana-2025")
	home := srv.url + "/kohteet/1" // the demo's first home, Tampere
	const email, password = "sukulainen@example.fi", "Mustikkapiirakka uunissa 7"

	// The owner invites.
	err := chromedp.Do(owner,
		leavePage(chromedp.Navigate(home+"/paasy")),
		chromedp.SendKeys(chromedp.CSS("#email"), email),
		chromedp.Click(chromedp.CSS("#role-caretaker")),
		leavePage(chromedp.Click(chromedp.CSS(`form[action$="/paasy"] button[type=submit]`))),
	)
	if err != nil {
		t.Fatal(err)
	}
	waitText(t, owner, "Kutsu on lähetetty.")
	shot(t, owner, "family-owner-invited")
	invite := mailWith(t, smtp, email, "Kutsu")
	link := inviteLink.FindString(invite.Text)
	if link == "" || !strings.Contains(invite.Text, "Maija Virtanen") || !strings.Contains(invite.Text, "asioiden hoitaja") {
		t.Fatalf("invitation mail:\n%s", invite.Text)
	}

	// The invitee signs up from the link and comes back to accept.
	relative := browser(t, 360, 740)
	err = chromedp.Do(relative,
		leavePage(chromedp.Navigate(link)),
		chromedp.WaitVisible(chromedp.CSS(`a[href^="/luo-tili"]`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	if text := mainText(t, relative); !strings.Contains(text, "Maija Virtanen kutsuu sinut") || !strings.Contains(text, "Asioiden hoitaja") {
		t.Errorf("invitation page:\n%s", text)
	}
	shot(t, relative, "family-invitation")
	axeIfSet(t, relative, "invitation page, signed out")
	err = chromedp.Do(relative,
		leavePage(chromedp.Click(chromedp.CSS(`a[href^="/luo-tili"]`))),
		chromedp.WaitVisible(chromedp.CSS("#password")),
		chromedp.SendKeys(chromedp.CSS("#password"), password),
		leavePage(chromedp.Click(chromedp.CSS(`form[action="/luo-tili"] button[type=submit]`))),
		chromedp.WaitVisible(chromedp.CSS("#code")),
	)
	if err != nil {
		t.Fatal(err)
	}
	code := mailWith(t, smtp, email, "Vahvistuskoodi").Code()
	err = chromedp.Do(relative,
		chromedp.SendKeys(chromedp.CSS("#code"), code),
		leavePage(chromedp.Click(chromedp.CSS(`form[action="/vahvista"] button[type=submit]`))),
		chromedp.WaitVisible(chromedp.CSS(`form[action^="/kutsu/"] button`)),
		leavePage(chromedp.Click(chromedp.CSS(`form[action^="/kutsu/"] button`))),
		chromedp.WaitVisible(chromedp.CSS("#h-family")),
	)
	if err != nil {
		t.Fatal(err)
	}
	text := mainText(t, relative)
	for _, want := range []string{"Kutsu on hyväksytty.", "Tämä on henkilön Maija Virtanen koti. Roolisi: Asioiden hoitaja."} {
		if !strings.Contains(text, want) {
			t.Errorf("the relative's home page lacks %q:\n%s", want, text)
		}
	}
	homes, err := chromedp.Run(relative, chromedp.Evaluate[int](`document.querySelectorAll(".switcher a").length`))
	if err != nil || homes > 1 {
		t.Errorf("the relative's menu lists %d homes (%v), want only the granted one", homes, err)
	}
	shot(t, relative, "family-relative-home")
	axeIfSet(t, relative, "a caretaker's home page")

	// The caretaker cancels the next visit (a paid one has a confirmation
	// step: its button is the same form's).
	err = chromedp.Do(relative,
		leavePage(chromedp.Click(chromedp.CSS(`#h-next a, a[href$="/palveluvuorot"]`))),
		chromedp.WaitVisible(chromedp.CSS("main")),
	)
	if err != nil {
		t.Fatal(err)
	}
	if ok, _ := chromedp.Run(relative, chromedp.Evaluate[bool](`!!document.querySelector("ul.visits h2 a")`)); ok {
		if err := chromedp.Do(relative, leavePage(chromedp.Click(chromedp.CSS("ul.visits h2 a")))); err != nil {
			t.Fatal(err)
		}
	}
	for step := 0; step < 2; step++ {
		if err := chromedp.Do(relative, chromedp.WaitVisible(chromedp.CSS(`form[action$="/peru"] button[type=submit]`)),
			leavePage(chromedp.Click(chromedp.CSS(`form[action$="/peru"] button[type=submit]`)))); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(mainText(t, relative), "Käynti on peruttu.") {
			break
		}
	}
	waitText(t, relative, "Käynti on peruttu.")
	shot(t, relative, "family-relative-cancelled")

	// The relative keeps the home's messages open; the owner removes her.
	// (The mail's link names the portal by its base URL, which may be
	// another host name than the test's: the relative stays on it.)
	relHome := link[:strings.Index(link, "/kutsu/")] + "/kohteet/1"
	err = chromedp.Do(relative, leavePage(chromedp.Navigate(relHome+"/viestit")), chromedp.WaitVisible(chromedp.CSS("ol.messages")),
		chromedp.Evaluate[chromedp.Void](`window.sameLoad = true`))
	if err != nil {
		t.Fatal(err)
	}
	err = chromedp.Do(owner,
		leavePage(chromedp.Navigate(home+"/viestit")),
		chromedp.SendKeys(chromedp.CSS("#message-body"), "Ennen poistoa kirjoitettu."),
		leavePage(chromedp.Click(chromedp.CSS(`form[action$="/viestit"] button[type=submit]`))),
	)
	if err != nil {
		t.Fatal(err)
	}
	waitText(t, relative, "Ennen poistoa kirjoitettu.")
	err = chromedp.Do(owner,
		leavePage(chromedp.Navigate(home+"/paasy")),
		leavePage(chromedp.Click(chromedp.CSS(`form[action$="/poista"] button[type=submit]`))),
	)
	if err != nil {
		t.Fatal(err)
	}
	waitText(t, owner, "Pääsy on poistettu.")
	revoked := time.Now()
	err = chromedp.Do(owner,
		leavePage(chromedp.Navigate(home+"/viestit")),
		chromedp.SendKeys(chromedp.CSS("#message-body"), "Poiston jälkeen kirjoitettu."),
		leavePage(chromedp.Click(chromedp.CSS(`form[action$="/viestit"] button[type=submit]`))),
	)
	if err != nil {
		t.Fatal(err)
	}
	// Nothing written after the revocation reaches the open page, which
	// has not been reloaded.
	arrived, _ := chromedp.Run(relative, chromedp.Poll[bool](`document.querySelector("main").innerText.includes("Poiston jälkeen")`,
		chromedp.WithPollingTimeout(8*time.Second)))
	if arrived {
		t.Error("the relative's open page received a message written after the revocation")
	}
	if same, _ := chromedp.Run(relative, chromedp.Evaluate[bool](`window.sameLoad === true`)); !same {
		t.Error("the relative's page was reloaded")
	}
	if waited := time.Since(revoked); waited > 30*time.Second {
		t.Errorf("checking took %v", waited)
	}
	// The home is gone from the relative's pages.
	if err := chromedp.Do(relative, leavePage(chromedp.Navigate(relHome))); err != nil {
		t.Fatal(err)
	}
	if text := mainText(t, relative); !strings.Contains(text, "Sivua ei löytynyt") || strings.Contains(text, "Maija Virtanen") {
		t.Errorf("the home after the revocation:\n%s", text)
	}
	shot(t, relative, "family-relative-revoked")
}
