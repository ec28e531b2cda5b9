package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// waitText waits until the page's main text holds want.
func waitText(t *testing.T, ctx context.Context, want string) {
	t.Helper()
	ok, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.querySelector("main").innerText.includes(`+jsString(want)+`)`,
		chromedp.WithPollingTimeout(10*time.Second)))
	if err != nil || !ok {
		text, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main")))
		t.Fatalf("%q did not appear (%v):\n%s", want, err, text)
	}
}

func jsString(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(s) + `"`
}

// TestMessagesLive: the demo customer and the provider's staff member
// each have the thread of the customer's home open in their own browser;
// what one sends appears on the other's page without a reload, and the
// unread counts follow.
func TestMessagesLive(t *testing.T) {
	srv := startServer(t)
	customer := browser(t, 360, 740)
	signIn(t, customer, srv.url, "asiakas@demo.example", "demo-salasana-2025")
	home, err := chromedp.Run(customer, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	home = home[:strings.Index(home, "/kohteet/")+len("/kohteet/")] + "1" // the demo's first home, Tampere
	staff := browser(t, 1280, 900)
	signInTo(t, staff, srv.url, "tuottaja@demo.example", "demo-salasana-2025", "nav.tabs")

	for _, ctx := range []context.Context{customer, staff} {
		err := chromedp.Do(ctx, chromedp.Navigate(home+"/viestit"), chromedp.WaitVisible(chromedp.CSS("ol.messages")),
			chromedp.Evaluate[chromedp.Void](`window.sameLoad = true`))
		if err != nil {
			t.Fatal(err)
		}
	}
	// The staff member writes; the customer's open page shows it.
	err = chromedp.Do(staff,
		chromedp.SendKeys(chromedp.CSS("#message-body"), "Hei Maija! Aino tulee huomenna vartin myöhemmin."),
		leavePage(chromedp.Click(chromedp.CSS(`form[action$="/viestit"] button[type=submit]`))),
		chromedp.WaitVisible(chromedp.CSS(`p.notice[role=status]`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	waitText(t, customer, "Aino tulee huomenna vartin myöhemmin.")
	if same, _ := chromedp.Run(customer, chromedp.Evaluate[bool](`window.sameLoad === true`)); !same {
		t.Error("the customer's page was reloaded")
	}
	shot(t, customer, "messages-live-customer")
	// The customer answers; the staff member's page (reloaded by the
	// post) hears it live.
	if err := chromedp.Do(staff, chromedp.Evaluate[chromedp.Void](`window.sameLoad = true`)); err != nil {
		t.Fatal(err)
	}
	err = chromedp.Do(customer,
		chromedp.SendKeys(chromedp.CSS("#message-body"), "Selvä, kiitos tiedosta!"),
		leavePage(chromedp.Click(chromedp.CSS(`form[action$="/viestit"] button[type=submit]`))),
		chromedp.WaitVisible(chromedp.CSS(`p.notice[role=status]`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	waitText(t, staff, "Selvä, kiitos tiedosta!")
	if same, _ := chromedp.Run(staff, chromedp.Evaluate[bool](`window.sameLoad === true`)); !same {
		t.Error("the staff member's page was reloaded")
	}
	shot(t, staff, "messages-live-staff")
	// Both read everything: the counts say so.
	err = chromedp.Do(staff, chromedp.Navigate(srv.url+"/tuottaja/viestit"), chromedp.WaitVisible(chromedp.CSS("h1")))
	if err != nil {
		t.Fatal(err)
	}
	item, _ := chromedp.Run(staff, chromedp.Evaluate[string](`[...document.querySelectorAll("main li")].map(li => li.innerText).find(t => t.includes("Hämeenkatu 12")) || ""`))
	if item == "" || strings.Contains(item, "lukemat") {
		t.Errorf("staff inbox, Maija's home: %q", item)
	}
	err = chromedp.Do(customer, chromedp.Navigate(home), chromedp.WaitVisible(chromedp.CSS("#h-next")))
	if err != nil {
		t.Fatal(err)
	}
	if text, _ := chromedp.Run(customer, chromedp.Text(chromedp.CSS("main"))); !strings.Contains(text, "Ei lukemattomia viestejä") {
		t.Errorf("customer's dashboard:\n%s", text)
	}
	// A new message while the customer is elsewhere counts as unread.
	err = chromedp.Do(staff, chromedp.Navigate(home+"/viestit"), chromedp.WaitVisible(chromedp.CSS("#message-body")),
		chromedp.SendKeys(chromedp.CSS("#message-body"), "Muistathan avaimen."),
		leavePage(chromedp.Click(chromedp.CSS(`form[action$="/viestit"] button[type=submit]`))),
		chromedp.WaitVisible(chromedp.CSS(`p.notice[role=status]`)))
	if err != nil {
		t.Fatal(err)
	}
	err = chromedp.Do(customer, chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS("#h-next")))
	if err != nil {
		t.Fatal(err)
	}
	if text, _ := chromedp.Run(customer, chromedp.Text(chromedp.CSS("main"))); !strings.Contains(text, "1 lukematon viesti") {
		t.Errorf("customer's dashboard after a new message:\n%s", text)
	}
}
