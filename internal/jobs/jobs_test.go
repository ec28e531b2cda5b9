package jobs_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"asiakassivu/internal/jobs"
	"asiakassivu/internal/mail"
	"asiakassivu/internal/mail/mailtest"
	"asiakassivu/internal/store"
	"asiakassivu/internal/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

var t0 = time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)

// recorder is a mail.Sender that keeps what it is given and fails the
// first fail sends.
type recorder struct {
	mu   sync.Mutex
	msgs []mail.Message
	fail int
	err  error
}

func (r *recorder) Send(_ context.Context, m mail.Message) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail > 0 {
		r.fail--
		if r.err != nil {
			return r.err
		}
		return errors.New("451 4.3.0 try again later")
	}
	r.msgs = append(r.msgs, m)
	return nil
}

func (r *recorder) sent() []mail.Message {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]mail.Message(nil), r.msgs...)
}

func msg(to string) mail.Message {
	return mail.Message{To: to, Subject: "Vahvistuskoodisi", Text: "Koodisi on 123456.", HTML: "<p>Koodisi on <b>123456</b>.</p>"}
}

func enqueueMail(t *testing.T, db *store.DB, m mail.Message) int64 {
	t.Helper()
	var id int64
	err := db.Write(context.Background(), func(tx *store.Tx) error {
		if err := jobs.EnqueueMail(context.Background(), tx, m); err != nil {
			return err
		}
		// The id of the job just written, for the checks: these tests
		// delete no jobs, so ids run 1, 2, 3...
		var err error
		id, err = tx.Count(context.Background(), "jobs")
		return err
	})
	if err != nil {
		t.Fatalf("enqueue: %v", err)
	}
	return id
}

func jobOf(t *testing.T, db *store.DB, id int64) store.Job {
	t.Helper()
	var j store.Job
	err := db.Read(context.Background(), func(tx *store.Tx) (err error) {
		j, err = tx.JobByID(context.Background(), id)
		return err
	})
	if err != nil {
		t.Fatalf("job %d: %v", id, err)
	}
	return j
}

func newWorker(db *store.DB, clock *storetest.Clock, s mail.Sender, o jobs.Options) *jobs.Worker {
	if o.Name == "" {
		o.Name = "test"
	}
	w := jobs.New(db, o)
	w.RegisterMail(s)
	return w
}

func TestMailIsDelivered(t *testing.T) {
	clock := storetest.NewClock(t0)
	storetest.Each(t, clock.Now, func(t *testing.T, db *store.DB) {
		clock.Set(t0)
		ctx := context.Background()
		rec := &recorder{}
		w := newWorker(db, clock, rec, jobs.Options{})
		if did, err := w.RunOnce(ctx); did || err != nil {
			t.Fatalf("empty outbox: %v %v", did, err)
		}
		m := msg("maija@example.fi")
		id := enqueueMail(t, db, m)
		if did, err := w.RunOnce(ctx); !did || err != nil {
			t.Fatalf("RunOnce: %v %v", did, err)
		}
		if got := rec.sent(); len(got) != 1 || got[0] != m {
			t.Fatalf("sent %+v, want %+v", got, m)
		}
		j := jobOf(t, db, id)
		if j.DoneAt.IsZero() || j.Failed() || j.Attempts != 1 || j.Kind != jobs.KindMail {
			t.Errorf("job after delivery %+v", j)
		}
		if !strings.Contains(string(j.Payload), `"to":"maija@example.fi"`) {
			t.Errorf("payload %s", j.Payload)
		}
		if did, _ := w.RunOnce(ctx); did {
			t.Error("a done job ran again")
		}
	})
}

func TestEnqueueMailRefusesBadMessage(t *testing.T) {
	db := storetest.Open(t, store.SQLite, nil)
	err := db.Write(context.Background(), func(tx *store.Tx) error {
		return jobs.EnqueueMail(context.Background(), tx, mail.Message{To: "a@example.fi\nBcc: b@evil.example", Subject: "s", Text: "t"})
	})
	if !errors.Is(err, mail.ErrHeaderInjection) {
		t.Errorf("enqueue with a line break in To: %v", err)
	}
}

// TestNotifyWakesTheWorker: a running worker with a long poll interval
// sends at once when notified, and cleans the sent mail's payload away.
func TestNotifyWakesTheWorker(t *testing.T) {
	clock := storetest.NewClock(t0)
	storetest.Each(t, clock.Now, func(t *testing.T, db *store.DB) {
		clock.Set(t0)
		rec := &recorder{}
		w := newWorker(db, clock, rec, jobs.Options{Poll: time.Hour, CleanupEvery: time.Millisecond})
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error)
		go func() { done <- w.Run(ctx) }()
		id := enqueueMail(t, db, msg("matti@example.fi"))
		w.Notify()
		waitFor(t, "the mail to be sent", func() bool { return len(rec.sent()) == 1 })
		// The next wake-up after CleanupEvery (on the portal's clock) runs
		// the cleanup, which empties sent mail.
		clock.Advance(time.Millisecond)
		w.Notify()
		waitFor(t, "the payload to be emptied", func() bool { return len(jobOf(t, db, id).Payload) == 0 })
		cancel()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	})
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestRetryWithBackoff: a failing send is tried again after 30 s, then
// after 2 min, and then succeeds.
func TestRetryWithBackoff(t *testing.T) {
	clock := storetest.NewClock(t0)
	storetest.Each(t, clock.Now, func(t *testing.T, db *store.DB) {
		clock.Set(t0)
		ctx := context.Background()
		rec := &recorder{fail: 2}
		var logBuf strings.Builder
		w := newWorker(db, clock, rec, jobs.Options{Log: slog.New(slog.NewJSONHandler(&logBuf, nil))})
		id := enqueueMail(t, db, msg("maija@example.fi"))
		for i, pause := range []time.Duration{30 * time.Second, 2 * time.Minute} {
			if did, err := w.RunOnce(ctx); !did || err != nil {
				t.Fatalf("attempt %d: %v %v", i+1, did, err)
			}
			j := jobOf(t, db, id)
			if !j.DoneAt.IsZero() || j.Attempts != i+1 || !j.RunAt.Equal(clock.Now().Add(pause)) || !strings.Contains(j.LastError, "451") {
				t.Fatalf("after failed attempt %d: %+v", i+1, j)
			}
			clock.Advance(pause - time.Second)
			if did, _ := w.RunOnce(ctx); did {
				t.Fatalf("attempt %d retried before its pause of %s", i+1, pause)
			}
			clock.Advance(time.Second)
		}
		if did, err := w.RunOnce(ctx); !did || err != nil {
			t.Fatalf("third attempt: %v %v", did, err)
		}
		j := jobOf(t, db, id)
		if j.DoneAt.IsZero() || j.Failed() || j.Attempts != 3 || len(rec.sent()) != 1 {
			t.Errorf("after success: %+v, %d sent", j, len(rec.sent()))
		}
		if strings.Contains(logBuf.String(), "123456") {
			t.Errorf("log holds the mail body: %s", logBuf.String())
		}
	})
}

func TestGiveUp(t *testing.T) {
	clock := storetest.NewClock(t0)
	storetest.Each(t, clock.Now, func(t *testing.T, db *store.DB) {
		clock.Set(t0)
		ctx := context.Background()
		var logBuf strings.Builder
		rec := &recorder{fail: 100}
		w := newWorker(db, clock, rec, jobs.Options{MaxAttempts: 3, Log: slog.New(slog.NewJSONHandler(&logBuf, nil))})
		id := enqueueMail(t, db, msg("maija@example.fi"))
		for range 3 {
			if did, err := w.RunOnce(ctx); !did || err != nil {
				t.Fatal(did, err)
			}
			clock.Advance(time.Hour)
		}
		if j := jobOf(t, db, id); !j.Failed() || j.Attempts != 3 {
			t.Errorf("after 3 failed attempts: %+v", j)
		}
		if did, _ := w.RunOnce(ctx); did {
			t.Error("a given-up job ran again")
		}
		if !strings.Contains(logBuf.String(), `"level":"ERROR","msg":"job given up"`) {
			t.Errorf("giving up not logged as an error:\n%s", logBuf.String())
		}

		// A permanent error gives up at once.
		rec.err = fmt.Errorf("550 no such user: %w", mail.ErrPermanent)
		id = enqueueMail(t, db, msg("nobody@example.fi"))
		if did, err := w.RunOnce(ctx); !did || err != nil {
			t.Fatal(did, err)
		}
		if j := jobOf(t, db, id); !j.Failed() || j.Attempts != 1 || !strings.Contains(j.LastError, "550") {
			t.Errorf("after a permanent error: %+v", j)
		}
	})
}

// TestCrashedWorkerJobIsDeliveredAfterLease: a worker that took a job and
// died before finishing it does not hold it forever.
func TestCrashedWorkerJobIsDeliveredAfterLease(t *testing.T) {
	clock := storetest.NewClock(t0)
	storetest.Each(t, clock.Now, func(t *testing.T, db *store.DB) {
		clock.Set(t0)
		ctx := context.Background()
		id := enqueueMail(t, db, msg("maija@example.fi"))
		if _, err := db.ClaimJob(ctx, "crashed", []string{jobs.KindMail}, 5*time.Minute); err != nil {
			t.Fatal(err)
		}
		rec := &recorder{}
		w := newWorker(db, clock, rec, jobs.Options{Lease: 5 * time.Minute})
		if did, _ := w.RunOnce(ctx); did {
			t.Fatal("took a job another worker holds")
		}
		clock.Advance(5 * time.Minute)
		if did, err := w.RunOnce(ctx); !did || err != nil {
			t.Fatalf("after the lease: %v %v", did, err)
		}
		if j := jobOf(t, db, id); j.DoneAt.IsZero() || j.Attempts != 2 || len(rec.sent()) != 1 {
			t.Errorf("after take-over: %+v, %d sent", j, len(rec.sent()))
		}
	})
}

// blocker is a sender that waits to be released, to hold a job in flight.
type blocker struct {
	started chan struct{}
	release chan struct{}
	ctxErr  error
	rec     recorder
}

func (b *blocker) Send(ctx context.Context, m mail.Message) error {
	b.started <- struct{}{}
	<-b.release
	b.ctxErr = ctx.Err()
	return b.rec.Send(ctx, m)
}

// TestShutdownStopsBetweenJobs: cancelling the worker lets the job in
// flight finish (its context is not cancelled) and starts no other.
func TestShutdownStopsBetweenJobs(t *testing.T) {
	clock := storetest.NewClock(t0)
	storetest.Each(t, clock.Now, func(t *testing.T, db *store.DB) {
		clock.Set(t0)
		first := enqueueMail(t, db, msg("first@example.fi"))
		second := enqueueMail(t, db, msg("second@example.fi"))
		b := &blocker{started: make(chan struct{}), release: make(chan struct{})}
		w := newWorker(db, clock, b, jobs.Options{Poll: 10 * time.Millisecond})
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error)
		go func() { done <- w.Run(ctx) }()
		<-b.started
		cancel()
		select {
		case <-done:
			t.Fatal("Run returned with a job in flight")
		case <-time.After(50 * time.Millisecond):
		}
		close(b.release)
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		if b.ctxErr != nil {
			t.Errorf("the job in flight saw its context cancelled: %v", b.ctxErr)
		}
		if j := jobOf(t, db, first); j.DoneAt.IsZero() {
			t.Errorf("job in flight not finished: %+v", j)
		}
		if j := jobOf(t, db, second); j.Attempts != 0 || !j.DoneAt.IsZero() {
			t.Errorf("a job started after shutdown: %+v", j)
		}
	})
}

// TestHandlerPanicIsRetried: a panicking handler does not kill the worker.
func TestHandlerPanicIsRetried(t *testing.T) {
	clock := storetest.NewClock(t0)
	db := storetest.Open(t, store.SQLite, clock.Now)
	ctx := context.Background()
	w := jobs.New(db, jobs.Options{Name: "w"})
	calls := 0
	w.Register("boom", func(context.Context, []byte) error {
		calls++
		if calls == 1 {
			panic("kaboom")
		}
		return nil
	})
	var id int64
	db.Write(ctx, func(tx *store.Tx) (err error) {
		id, err = tx.EnqueueJob(ctx, "boom", []byte(`{}`), time.Time{})
		return err
	})
	if did, err := w.RunOnce(ctx); !did || err != nil {
		t.Fatal(did, err)
	}
	if j := jobOf(t, db, id); !strings.Contains(j.LastError, "kaboom") || !j.DoneAt.IsZero() {
		t.Errorf("after panic: %+v", j)
	}
	clock.Advance(jobs.DefaultBackoff(1))
	if did, err := w.RunOnce(ctx); !did || err != nil || calls != 2 {
		t.Fatal(did, err, calls)
	}
}

// TestRoutineGiveUp: a routine end gives the job up at once like a
// permanent error, logged at info level instead of error.
func TestRoutineGiveUp(t *testing.T) {
	clock := storetest.NewClock(t0)
	db := storetest.Open(t, store.SQLite, clock.Now)
	ctx := context.Background()
	var logBuf strings.Builder
	w := jobs.New(db, jobs.Options{Name: "w", Log: slog.New(slog.NewJSONHandler(&logBuf, nil))})
	w.Register("gone", func(context.Context, []byte) error { return jobs.Routine(errors.New("device gone")) })
	var id int64
	db.Write(ctx, func(tx *store.Tx) (err error) {
		id, err = tx.EnqueueJob(ctx, "gone", []byte(`{}`), time.Time{})
		return err
	})
	if did, err := w.RunOnce(ctx); !did || err != nil {
		t.Fatal(did, err)
	}
	if j := jobOf(t, db, id); !j.Failed() || j.Attempts != 1 || j.LastError != "device gone" {
		t.Errorf("after a routine end: %+v", j)
	}
	if !strings.Contains(logBuf.String(), `"level":"INFO","msg":"job given up"`) || strings.Contains(logBuf.String(), "ERROR") {
		t.Errorf("routine end not logged at info level:\n%s", logBuf.String())
	}
	if jobs.Routine(nil) != nil || !jobs.IsPermanent(jobs.Routine(errors.New("x"))) {
		t.Error("Routine(nil) must be nil and a routine end permanent")
	}
}

// TestUnknownKindsAreLeft: a job kind this worker has no handler for stays
// for a worker that has one.
func TestUnknownKindsAreLeft(t *testing.T) {
	clock := storetest.NewClock(t0)
	db := storetest.Open(t, store.SQLite, clock.Now)
	ctx := context.Background()
	w := newWorker(db, clock, &recorder{}, jobs.Options{})
	var id int64
	db.Write(ctx, func(tx *store.Tx) (err error) {
		id, err = tx.EnqueueJob(ctx, "push", []byte(`{}`), time.Time{})
		return err
	})
	if did, _ := w.RunOnce(ctx); did {
		t.Error("took a push job")
	}
	if j := jobOf(t, db, id); j.Attempts != 0 {
		t.Errorf("push job touched: %+v", j)
	}
}

// TestWorkersTogether: several running workers deliver every mail exactly
// once.
func TestWorkersTogether(t *testing.T) {
	clock := storetest.NewClock(t0)
	storetest.Each(t, clock.Now, func(t *testing.T, db *store.DB) {
		clock.Set(t0)
		const n = 30
		for i := range n {
			enqueueMail(t, db, msg(fmt.Sprintf("u%d@example.fi", i)))
		}
		rec := &recorder{}
		ctx, cancel := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		for i := range 4 {
			w := newWorker(db, clock, rec, jobs.Options{Name: fmt.Sprintf("w%d", i), Poll: 5 * time.Millisecond})
			wg.Go(func() { w.Run(ctx) })
		}
		waitFor(t, "every mail", func() bool { return len(rec.sent()) >= n })
		cancel()
		wg.Wait()
		seen := map[string]int{}
		for _, m := range rec.sent() {
			seen[m.To]++
		}
		if len(seen) != n {
			t.Errorf("%d distinct recipients, want %d", len(seen), n)
		}
		for to, k := range seen {
			if k != 1 {
				t.Errorf("%s got %d mails", to, k)
			}
		}
	})
}

func TestDefaultBackoff(t *testing.T) {
	want := []time.Duration{30 * time.Second, 2 * time.Minute, 10 * time.Minute, 30 * time.Minute, time.Hour, time.Hour}
	for i, d := range want {
		if got := jobs.DefaultBackoff(i + 1); got != d {
			t.Errorf("after attempt %d: %s, want %s", i+1, got, d)
		}
	}
}

// TestMailThroughSMTP: a rendered mail goes from the outbox through a real
// SMTP server; a busy server (451) is tried again later.
func TestMailThroughSMTP(t *testing.T) {
	clock := storetest.NewClock(t0)
	db := storetest.Open(t, store.SQLite, clock.Now)
	ctx := context.Background()
	srv := mailtest.Start(t)
	cfg, err := mail.ParseSMTPURL(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	sender, err := mail.NewSMTPSender(cfg, "Asiakassivu <noreply@asiakassivu.example>")
	if err != nil {
		t.Fatal(err)
	}
	w := newWorker(db, clock, sender, jobs.Options{})
	m, err := mail.Render(mail.ResetCode, "fi", map[string]string{"code": "318204"})
	if err != nil {
		t.Fatal(err)
	}
	m.To = "maija@example.fi"
	if err := db.Write(ctx, func(tx *store.Tx) error { return jobs.EnqueueMail(ctx, tx, m) }); err != nil {
		t.Fatal(err)
	}
	srv.FailNext(1)
	if did, err := w.RunOnce(ctx); !did || err != nil {
		t.Fatal(did, err)
	}
	if n := len(srv.Messages()); n != 0 {
		t.Fatalf("%d messages after a refusal", n)
	}
	clock.Advance(jobs.DefaultBackoff(1))
	if did, err := w.RunOnce(ctx); !did || err != nil {
		t.Fatal(did, err)
	}
	got := srv.WaitFor(t, "maija@example.fi", 5*time.Second)
	if got.Code() != "318204" || !strings.Contains(got.HTML, "318204") || got.Subject != m.Subject {
		t.Errorf("received %q code %q", got.Subject, got.Code())
	}
}

func TestMailQueue(t *testing.T) {
	clock := storetest.NewClock(t0)
	db := storetest.Open(t, store.SQLite, clock.Now)
	ctx := context.Background()
	q := jobs.MailQueue{SignInURL: "https://asiakassivu.example/kirjaudu"}
	data := map[string]string{}
	err := db.Write(ctx, func(tx *store.Tx) error {
		return q.Enqueue(ctx, tx, mail.SignupExists, "sv", "maija@example.fi", data)
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(data) != 0 {
		t.Error("the caller's data was changed")
	}
	err = db.Write(ctx, func(tx *store.Tx) error {
		return q.Enqueue(ctx, tx, mail.SignupCode, "fi", "maija@example.fi", map[string]string{})
	})
	if err == nil {
		t.Error("a signup_code mail without a code was queued")
	}
	rec := &recorder{}
	w := newWorker(db, clock, rec, jobs.Options{})
	if did, err := w.RunOnce(ctx); !did || err != nil {
		t.Fatal(did, err)
	}
	got := rec.sent()
	if len(got) != 1 || got[0].To != "maija@example.fi" || !strings.Contains(got[0].Text, "https://asiakassivu.example/kirjaudu") ||
		!strings.Contains(got[0].Subject, "Kundsidan") {
		t.Errorf("sent %+v", got)
	}
	if did, _ := w.RunOnce(ctx); did {
		t.Error("the refused mail was queued after all")
	}
}
