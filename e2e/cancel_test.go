package e2e

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// plainText is the page's main text with non-breaking spaces ("89,00 €")
// as spaces.
func plainText(t *testing.T, ctx context.Context) string {
	return strings.ReplaceAll(mainText(t, ctx), "\u00a0", " ")
}

// priceShown is the cost of cancelling the visit's form shows now.
func priceShown(t *testing.T, ctx context.Context) string {
	t.Helper()
	text, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#cancel-price")))
	if err != nil {
		t.Fatal(err)
	}
	return strings.ReplaceAll(text, "\u00a0", " ")
}

// axeIfSet runs axe-core on the page shown when ASIAKASSIVU_AXE names it
// (TestAccessibility requires it; this test runs without it too).
func axeIfSet(t *testing.T, ctx context.Context, page string) {
	t.Helper()
	if os.Getenv("ASIAKASSIVU_AXE") != "" {
		checkAxe(t, ctx, axeSource(t), page)
	}
}

// TestPaidCancellationConfirm is the browser test of a cancellation that
// costs money (the demo's visit at +2 days in the parent's home): without
// JavaScript, ticking illness leaves the form as it is and the
// confirmation step shows 0 €; with it, the paid path's confirmation
// repeats the visit and the fee, and ticking illness shows 0 € on the form
// at once; confirming says "Sairauden vuoksi, ei maksua", which the
// provider's staff see too.
func TestPaidCancellationConfirm(t *testing.T) {
	srv := startServer(t)
	ctx := browser(t, 360, 740)
	signIn(t, ctx, srv.url, "asiakas@demo.example", "demo-salasana-2025")
	openParentsVisits(t, ctx)
	openVisitOn(t, ctx, helsinkiDay(2))
	visitURL, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	fee := priceShown(t, ctx)
	if !strings.HasPrefix(fee, "Perumisen hinta: ") || !strings.HasSuffix(fee, " €") || strings.Contains(fee, " 0 €") {
		t.Fatalf("the form does not show the fee: %q", fee)
	}
	fee = strings.TrimPrefix(fee, "Perumisen hinta: ")

	// Without JavaScript: the form stays as it is, the confirmation step
	// prices the chosen reason.
	if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
		t.Fatal(err)
	}
	err = chromedp.Do(ctx, leavePage(chromedp.Navigate(visitURL)), chromedp.Click(chromedp.CSS("#illness")))
	if err != nil {
		t.Fatal(err)
	}
	if got := priceShown(t, ctx); got != "Perumisen hinta: "+fee {
		t.Errorf("without JavaScript the form shows %q", got)
	}
	if err := chromedp.Do(ctx, leavePage(chromedp.Click(chromedp.CSS(`form[action$="/peru"] button[type=submit]`)))); err != nil {
		t.Fatal(err)
	}
	text := plainText(t, ctx)
	if !strings.Contains(text, "Vahvista peruminen") || !strings.Contains(text, "0,00 €") ||
		!strings.Contains(text, "Sairauden vuoksi, ei maksua") || strings.Contains(text, "veloitetaan") {
		t.Errorf("confirmation without JavaScript, ill:\n%s", text)
	}
	shot(t, ctx, "cancel-confirm-illness-nojs")
	if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: false}); err != nil {
		t.Fatal(err)
	}

	// With JavaScript, the paid path: the confirmation repeats the visit,
	// the home and the fee; "Älä peru" goes back and nothing is cancelled.
	if err := chromedp.Do(ctx, leavePage(chromedp.Navigate(visitURL)), chromedp.WaitVisible(chromedp.CSS("#cancel-price"))); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, leavePage(chromedp.Click(chromedp.CSS(`form[action$="/peru"] button[type=submit]`)))); err != nil {
		t.Fatal(err)
	}
	text = plainText(t, ctx)
	button, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`form[action$="/peru"] button[type=submit]`)))
	if !strings.Contains(text, "Vahvista peruminen") || !strings.Contains(text, helsinkiDay(2)) || !strings.Contains(text, "Mannerheimintie") ||
		!strings.Contains(text, "Maksu "+fee+" veloitetaan") || !strings.Contains(strings.ReplaceAll(button, "\u00a0", " "), fee) {
		t.Errorf("paid confirmation (button %q):\n%s", button, text)
	}
	shot(t, ctx, "cancel-confirm-paid")
	axeIfSet(t, ctx, "paid cancellation's confirmation")
	err = chromedp.Do(ctx, leavePage(chromedp.Click(chromedp.CSS(`section.confirm a[href$="`+visitURL[strings.Index(visitURL, "/kohteet"):]+`"]`))),
		chromedp.WaitVisible(chromedp.CSS("#cancel-price")))
	if err != nil {
		t.Fatalf("back from the confirmation: %v", err)
	}

	// Ticking illness shows 0 € before confirming.
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#illness"))); err != nil {
		t.Fatal(err)
	}
	ok, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.querySelector("#cancel-price").innerText.replaceAll("\u00a0", " ").includes("0 €")`,
		chromedp.WithPollingTimeout(5*time.Second)))
	if err != nil || !ok {
		t.Fatalf("ticking illness: the price shows %q (%v)", priceShown(t, ctx), err)
	}
	if got := priceShown(t, ctx); strings.Contains(got, fee) {
		t.Errorf("ill, the form still shows the fee: %q", got)
	}
	shot(t, ctx, "cancel-illness-live")
	axeIfSet(t, ctx, "cancel form, illness ticked")
	if err := chromedp.Do(ctx, leavePage(chromedp.Click(chromedp.CSS(`form[action$="/peru"] button[type=submit]`)))); err != nil {
		t.Fatal(err)
	}
	if text := plainText(t, ctx); !strings.Contains(text, "Sairauden vuoksi, ei maksua") || !strings.Contains(text, "Peru käynti maksutta") {
		t.Fatalf("ill confirmation:\n%s", text)
	}
	err = chromedp.Do(ctx,
		leavePage(chromedp.Click(chromedp.CSS(`form[action$="/peru"] button[type=submit]`))),
		chromedp.WaitVisible(chromedp.CSS(`p.notice[role=status]`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	if text := plainText(t, ctx); !strings.Contains(text, "Käynti on peruttu.") || !strings.Contains(text, "Sairauden vuoksi, ei maksua") {
		t.Errorf("after confirming:\n%s", text)
	}
	shot(t, ctx, "cancel-done-illness")
	axeIfSet(t, ctx, "visit cancelled for illness")
	// The home's dashboard lists the cancelled visit ahead with its cost.
	err = chromedp.Do(ctx, leavePage(chromedp.Click(chromedp.CSS(`nav.sections a:first-child`))),
		chromedp.WaitVisible(chromedp.CSS("#h-next")))
	if err != nil {
		t.Fatal(err)
	}
	if text := plainText(t, ctx); !strings.Contains(text, "Perutut käynnit") || !strings.Contains(text, "Sairauden vuoksi, ei maksua") {
		t.Errorf("the dashboard:\n%s", text)
	}
	shot(t, ctx, "cancel-dashboard")

	// The provider's staff see it on their visit page.
	staff := browser(t, 1280, 900)
	signInTo(t, staff, srv.url, "lahimmainen@demo.example", "demo-salasana-2025", "main h1")
	visitID := visitURL[strings.LastIndex(visitURL, "/")+1:]
	if err := chromedp.Do(staff, leavePage(chromedp.Navigate(srv.url+"/tuottaja/palveluvuorot/"+visitID))); err != nil {
		t.Fatal(err)
	}
	if text := plainText(t, staff); !strings.Contains(text, "Sairauden vuoksi, ei maksua") {
		t.Errorf("the provider's visit page:\n%s", text)
	}
	shot(t, staff, "cancel-provider-sees")
	axeIfSet(t, staff, "provider's cancelled visit")
}
