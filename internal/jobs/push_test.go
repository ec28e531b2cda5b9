package jobs_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"asiakassivu/internal/jobs"
	"asiakassivu/internal/portal"
	"asiakassivu/internal/push"
	"asiakassivu/internal/store"
	"asiakassivu/internal/store/storetest"
)

// TestEnqueuePushShortensTexts: long texts are cut to what a lock screen
// shows (and a push record holds), line breaks become spaces.
func TestEnqueuePushShortensTexts(t *testing.T) {
	db := storetest.Open(t, store.SQLite, nil)
	ctx := context.Background()
	var id int64
	err := db.Write(ctx, func(tx *store.Tx) (err error) {
		acc, err := tx.CreateAccount(ctx, portal.Account{Email: "a@example.fi", PasswordHash: "x", VerifiedAt: tx.Now()})
		if err != nil {
			return err
		}
		if _, err := tx.SavePushSubscription(ctx, store.PushSubscription{AccountID: acc, Endpoint: "https://push.example.com/a",
			P256dh: "k", Auth: "a", ConsentTextVersion: "v"}); err != nil {
			return err
		}
		n, err := jobs.EnqueuePush(ctx, tx, acc, portal.NotifyMessage, push.Message{Title: strings.Repeat("Ä", 500),
			Body: "Rivi 1\nRivi 2 " + strings.Repeat("ö", 5000), URL: "/kohteet/1/viestit", Kind: "ignored"})
		if err != nil || n != 1 {
			t.Fatalf("enqueue: %d %v", n, err)
		}
		id, err = tx.Count(ctx, "jobs")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	var p struct{ Message push.Message }
	if err := json.Unmarshal(jobOf(t, db, id).Payload, &p); err != nil {
		t.Fatal(err)
	}
	m := p.Message
	if utf8.RuneCountInString(m.Title) != jobs.MaxPushTitle || utf8.RuneCountInString(m.Body) != jobs.MaxPushBody ||
		!strings.HasSuffix(m.Body, "…") || !strings.HasPrefix(m.Body, "Rivi 1 Rivi 2") || m.Kind != "message" {
		t.Errorf("message %+v", m)
	}
	if b, err := m.JSON(); err != nil || len(b) > push.MaxPayload {
		t.Errorf("payload %d bytes (%v), over %d", len(b), err, push.MaxPayload)
	}
}
