package app

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"asiakassivu/internal/portal"
	"asiakassivu/internal/store"
	"asiakassivu/internal/store/storetest"
)

// unreadJob runs the unread check of a message as the worker would.
func unreadJob(t *testing.T, w *world, id int64) {
	t.Helper()
	payload, _ := json.Marshal(map[string]int64{"message_id": id})
	if err := w.app.EmailIfUnread(context.Background(), payload); err != nil {
		t.Fatal(err)
	}
}

func TestMessagesBetweenCustomerAndProvider(t *testing.T) {
	clock := storetest.NewClock(t0)
	storetest.Each(t, clock.Now, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w, mails, _ := accountsWorld(t, db, clock)
		visitWorld(t, w)
		db.Write(ctx, func(tx *store.Tx) error {
			_, err := tx.UpsertProvider(ctx, portal.Provider{Source: "t", ExternalID: "A", Name: "Tuottaja A",
				Email: "toimisto@a.example", Active: true})
			return err
		})
		maija, matti, staff, staffB := w.signIn(t, "maija@example.fi"), w.signIn(t, "matti@example.fi"),
			w.signIn(t, "staff@example.fi"), staffOfB(t, w)
		site := w.sites["koti"]

		// Bad input: nothing stored.
		var bad InvalidInput
		for _, text := range []string{"", "  \n ", strings.Repeat("x", portal.MaxMessageLength+1)} {
			if _, err := w.app.PostMessage(ctx, maija, site, text); !errors.As(err, &bad) || bad.Field("body") == "" {
				t.Errorf("message of %d characters: %v", len(text), err)
			}
		}
		// Another account's site and another provider's site: not found.
		if _, err := w.app.PostMessage(ctx, matti, site, "Hei"); !errors.Is(err, portal.ErrNotFound) {
			t.Errorf("matti posts to maija's site: %v", err)
		}
		if _, err := w.app.PostMessage(ctx, staffB, site, "Hei"); !errors.Is(err, portal.ErrNotFound) {
			t.Errorf("provider B posts to A's site: %v", err)
		}
		if th, _ := w.app.Thread(ctx, maija, site, 0); len(th.Messages) != 0 {
			t.Fatalf("refused messages were stored: %+v", th.Messages)
		}

		m1, err := w.app.PostMessage(ctx, maija, site, "Hei!\r\nVoisitteko tulla tunnin myöhemmin? <b>kiitos</b>")
		if err != nil {
			t.Fatal(err)
		}
		if m1.AuthorKind != "customer" || m1.AuthorName != "koti" || m1.Body != "Hei!\nVoisitteko tulla tunnin myöhemmin? <b>kiitos</b>" {
			t.Errorf("stored message %+v", m1)
		}
		in, err := w.app.ProviderInbox(ctx, staff, InboxCursor{})
		if err != nil || len(in.Threads) != 1 || in.Threads[0].Unread != 1 || in.Threads[0].SiteID != site {
			t.Fatalf("inbox %+v, %v", in.Threads, err)
		}
		if in, _ := w.app.ProviderInbox(ctx, staffB, InboxCursor{}); len(in.Threads) != 0 {
			t.Errorf("provider B's inbox shows A's thread: %+v", in.Threads)
		}
		// Unread after 15 minutes: the provider is emailed once.
		clock.Advance(UnreadMailAfter)
		unreadJob(t, w, m1.ID)
		if got := mails.last(t, "message_unread", "toimisto@a.example"); !strings.Contains(got.data["url"], "/viestit") {
			t.Errorf("unread mail %+v", got)
		}
		m2, _ := w.app.PostMessage(ctx, maija, site, "Ja vielä yksi asia.")
		clock.Advance(5 * time.Minute)
		unreadJob(t, w, m2.ID)
		if n := mails.count("message_unread"); n != 1 {
			t.Errorf("%d unread mails within 15 minutes, want 1", n)
		}

		// The staff member reads and answers; the customer's count moves.
		th, err := w.app.Thread(ctx, staff, site, 0)
		if err != nil || len(th.Messages) != 2 || th.Side != "provider" || !th.Open {
			t.Fatalf("staff's thread %+v, %v", th, err)
		}
		if in, _ := w.app.ProviderInbox(ctx, staff, InboxCursor{}); in.Threads[0].Unread != 0 {
			t.Errorf("unread after reading: %d", in.Threads[0].Unread)
		}
		reply, err := w.app.PostMessage(ctx, staff, site, "Onnistuu!")
		if err != nil || reply.AuthorKind != "provider" || reply.AuthorName != "Sari" {
			t.Fatalf("reply %+v, %v", reply, err)
		}
		if sum, _ := w.app.Site(ctx, maija, site); sum.Unread != 1 {
			t.Errorf("customer's unread: %d, want 1", sum.Unread)
		}
		after, err := w.app.MessagesAfter(ctx, maija, site, m2.ID)
		if err != nil || len(after) != 1 || after[0].ID != reply.ID {
			t.Errorf("messages after %d: %+v, %v", m2.ID, after, err)
		}
		if sum, _ := w.app.Site(ctx, maija, site); sum.Unread != 0 {
			t.Errorf("customer's unread after the live page showed it: %d", sum.Unread)
		}
		// Read in time: no email to the customer.
		clock.Advance(UnreadMailAfter)
		unreadJob(t, w, reply.ID)
		if n := mails.count("message_unread"); n != 1 {
			t.Errorf("a read message was emailed (%d mails)", n)
		}
	})
}

func TestThreadCloses(t *testing.T) {
	clock := storetest.NewClock(t0)
	storetest.Each(t, clock.Now, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w, _, _ := accountsWorld(t, db, clock)
		matti := w.signIn(t, "matti@example.fi")
		site := w.sites["matti"]
		// The contract ended five months ago; the last visit was 100 days ago.
		err := db.Write(ctx, func(tx *store.Tx) error {
			k, err := tx.UpsertContract(ctx, portal.Contract{SiteID: site, Source: "t", ExternalID: "k-matti", Kind: portal.ContractRegular,
				Service: "Siivous", Start: portal.NewDate(2024, 1, 1), End: portal.DateOf(t0.AddDate(0, -5, 0))})
			if err != nil {
				return err
			}
			at := t0.AddDate(0, 0, -100)
			_, err = tx.UpsertVisit(ctx, portal.Visit{SiteID: site, ContractID: k, Source: "t", ExternalID: "v-matti", StartsAt: at,
				EndsAt: at.Add(2 * time.Hour), Status: portal.VisitDone})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.app.PostMessage(ctx, matti, site, "Hei"); !errors.Is(err, ErrThreadClosed) {
			t.Errorf("post to a closed thread: %v", err)
		}
		if th, err := w.app.Thread(ctx, matti, site, 0); err != nil || th.Open {
			t.Errorf("closed thread reads as open: %v", err)
		}
	})
}

// pushJobs counts the push jobs queued for an account's devices.
func pushJobs(t *testing.T, db *store.DB) int64 {
	t.Helper()
	var jobs []store.Job
	db.Read(context.Background(), func(tx *store.Tx) (err error) {
		jobs, err = tx.JobsOfKind(context.Background(), "push")
		return err
	})
	return int64(len(jobs))
}

func TestMessagesAndVisitChangesPushToTheOtherSide(t *testing.T) {
	clock := storetest.NewClock(t0)
	storetest.Each(t, clock.Now, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w, _, _ := accountsWorld(t, db, clock)
		soon, _ := visitWorld(t, w)
		maija, staff := w.signIn(t, "maija@example.fi"), w.signIn(t, "staff@example.fi")
		site := w.sites["koti"]
		// One device each.
		err := db.Write(ctx, func(tx *store.Tx) error {
			for i, v := range []Viewer{maija, staff} {
				if _, err := tx.SavePushSubscription(ctx, store.PushSubscription{AccountID: v.AccountID,
					Endpoint: "https://push.example/" + strconv.Itoa(i), P256dh: "k", Auth: "a"}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.app.PostMessage(ctx, maija, site, "Hei"); err != nil {
			t.Fatal(err)
		}
		if n := pushJobs(t, db); n != 1 {
			t.Errorf("after the customer's message: %d push jobs, want 1 (the staff member's device)", n)
		}
		if _, err := w.app.PostMessage(ctx, staff, site, "Hei Maija"); err != nil {
			t.Fatal(err)
		}
		if n := pushJobs(t, db); n != 2 {
			t.Errorf("after the reply: %d push jobs, want 2", n)
		}
		// A kind turned off sends nothing of that kind.
		if err := w.app.SetNotificationKinds(ctx, maija, []portal.NotificationKind{portal.NotifyMessage}); err != nil {
			t.Fatal(err)
		}
		pv, _ := w.app.ProviderVisit(ctx, staff, soon)
		if err := w.app.CancelVisitForProvider(ctx, staff, soon, pv.Visit.Visit.Sequence, "Sairastuminen"); err != nil {
			t.Fatal(err)
		}
		if n := pushJobs(t, db); n != 2 {
			t.Errorf("visit change with the kind off: %d push jobs, want 2", n)
		}
		if _, err := w.app.PostMessage(ctx, staff, site, "Vielä yksi"); err != nil {
			t.Fatal(err)
		}
		if n := pushJobs(t, db); n != 3 {
			t.Errorf("message with messages on: %d push jobs, want 3", n)
		}
	})
}
