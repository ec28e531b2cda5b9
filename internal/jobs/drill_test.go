package jobs_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"os/signal"
	"sync"
	"testing"
	"time"

	"asiakassivu/internal/jobs"
	"asiakassivu/internal/store"
	"asiakassivu/internal/store/storetest"
)

// The drills: a worker process killed while it holds a job, and two
// instances sharing one PostgreSQL outbox.

// drillKind is the job kind of the drills; its handler posts the payload to
// a sink the test runs.
const drillKind = "drill"

// envDrillChild carries a drillChild (JSON) to the test binary started
// again as a worker process; TestHelperWorkerProcess skips without it.
const envDrillChild = "ASIAKASSIVU_JOBS_DRILL_CHILD"

// drillChild configures a worker process.
type drillChild struct {
	DSN   string        // the database: a postgres:// URL or a SQLite file
	Sink  string        // where the handler posts each job's payload
	Name  string        // the worker's name in its leases, and the X-Worker header
	Lease time.Duration // the worker's lease
	// Die makes the handler, once it has posted, hold the job without
	// finishing it, for the parent to kill the process.
	Die bool
	// MaxLife ends the process if the parent never does (the parent
	// itself died).
	MaxLife time.Duration
}

// TestHelperWorkerProcess is not a test: it is the worker process that
// TestKilledWorkerProcessJobIsDeliveredAgain starts from the test binary.
// It works until interrupted (SIGINT) or killed.
func TestHelperWorkerProcess(t *testing.T) {
	raw := os.Getenv(envDrillChild)
	if raw == "" {
		t.Skip("runs only as a worker process started by TestKilledWorkerProcessJobIsDeliveredAgain")
	}
	var c drillChild
	if err := json.Unmarshal([]byte(raw), &c); err != nil {
		t.Fatalf("%s: %v", envDrillChild, err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, c.MaxLife)
	defer cancel()
	db, err := store.Open(ctx, c.DSN, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	log := slog.New(slog.NewTextHandler(os.Stderr, nil)).With("worker", c.Name)
	w := jobs.New(db, jobs.Options{Name: c.Name, Lease: c.Lease, Poll: 20 * time.Millisecond, Log: log})
	w.Register(drillKind, func(ctx context.Context, payload []byte) error {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.Sink, bytes.NewReader(payload))
		if err != nil {
			return err
		}
		req.Header.Set("X-Worker", c.Name)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return err
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusNoContent {
			return fmt.Errorf("sink answered %s", resp.Status)
		}
		if c.Die {
			// Delivered, not yet marked done: the parent kills us here.
			time.Sleep(c.MaxLife)
			log.Error("not killed in time")
			os.Exit(3)
		}
		return nil
	})
	if err := w.Run(ctx); err != nil {
		t.Fatal(err)
	}
}

// delivery is one post the sink received.
type delivery struct {
	body, worker string
	at           time.Time
}

// workerProcess is a running TestHelperWorkerProcess.
type workerProcess struct {
	cmd  *exec.Cmd
	out  bytes.Buffer  // stdout and stderr; read only after done
	done chan struct{} // closed when the process has ended
}

// startWorkerProcess runs the test binary again as a worker process. The
// process is killed when ctx ends or the test ends, whichever is first.
func startWorkerProcess(t *testing.T, ctx context.Context, c drillChild) *workerProcess {
	t.Helper()
	raw, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	p := &workerProcess{done: make(chan struct{})}
	p.cmd = exec.CommandContext(ctx, os.Args[0], "-test.run=^TestHelperWorkerProcess$", "-test.count=1")
	p.cmd.Env = append(os.Environ(), envDrillChild+"="+string(raw))
	p.cmd.Stdout, p.cmd.Stderr = &p.out, &p.out
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("start worker process %s: %v", c.Name, err)
	}
	go func() {
		p.cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		p.cmd.Process.Kill() // by its pid; an error only says it has ended
		<-p.done
		if t.Failed() {
			t.Logf("worker process %s (%s):\n%s", c.Name, p.cmd.ProcessState, p.out.String())
		}
	})
	return p
}

// TestKilledWorkerProcessJobIsDeliveredAgain: a worker process killed
// (SIGKILL) after it delivered a job and before it marked it done loses
// the job at the end of its lease; the worker process started after it
// delivers the job again and marks it done. At least once, across
// restarts.
func TestKilledWorkerProcessJobIsDeliveredAgain(t *testing.T) {
	const lease = 1500 * time.Millisecond
	for _, e := range storetest.Engines() {
		t.Run(string(e), func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
			defer cancel()
			dsn := storetest.DSN(t, e)
			db, err := store.Open(ctx, dsn, time.Now)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			if e == store.SQLite { // the PostgreSQL copy comes migrated
				if err := db.Migrate(ctx, nil); err != nil {
					t.Fatal(err)
				}
			}

			got := make(chan delivery, 16)
			sink := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				b, _ := io.ReadAll(r.Body)
				select { // more than the buffer holds fails the test anyway
				case got <- delivery{body: string(b), worker: r.Header.Get("X-Worker"), at: time.Now()}:
				default:
				}
				w.WriteHeader(http.StatusNoContent)
			}))
			t.Cleanup(sink.Close)
			child := func(name string, die bool) drillChild {
				return drillChild{DSN: dsn, Sink: sink.URL, Name: name, Lease: lease, Die: die, MaxLife: 30 * time.Second}
			}
			next := func(p *workerProcess, what string) delivery {
				t.Helper()
				select {
				case d := <-got:
					return d
				case <-p.done:
					t.Fatalf("waiting for %s: the worker process ended (%s)", what, p.cmd.ProcessState)
				case <-ctx.Done():
					t.Fatalf("timed out waiting for %s", what)
				}
				panic("unreachable")
			}

			token := make([]byte, 8)
			rand.Read(token)
			payload := fmt.Sprintf(`{"drill":%q}`, hex.EncodeToString(token))
			var id int64
			err = db.Write(ctx, func(tx *store.Tx) (err error) {
				id, err = tx.EnqueueJob(ctx, drillKind, []byte(payload), time.Time{})
				return err
			})
			if err != nil {
				t.Fatal(err)
			}

			first := startWorkerProcess(t, ctx, child("drill-1", true))
			d1 := next(first, "the first delivery")
			if d1.body != payload || d1.worker != "drill-1" {
				t.Fatalf("first delivery %q from %q, want %q from drill-1", d1.body, d1.worker, payload)
			}
			if err := first.cmd.Process.Kill(); err != nil {
				t.Fatalf("kill: %v", err)
			}
			<-first.done
			if code := first.cmd.ProcessState.ExitCode(); code != -1 {
				t.Fatalf("the first worker process was not killed by a signal: %s", first.cmd.ProcessState)
			}
			held := jobOf(t, db, id)
			if !held.DoneAt.IsZero() || held.LeasedBy != "drill-1" || held.Attempts != 1 || held.LeaseUntil.IsZero() {
				t.Fatalf("job after the kill: %+v, want held by drill-1, not done, 1 attempt", held)
			}

			second := startWorkerProcess(t, ctx, child("drill-2", false))
			d2 := next(second, "the delivery after the restart")
			if d2.body != payload || d2.worker != "drill-2" {
				t.Fatalf("second delivery %q from %q, want %q from drill-2", d2.body, d2.worker, payload)
			}
			if d2.at.Before(held.LeaseUntil) {
				t.Errorf("delivered again at %s, before the dead worker's lease ran out at %s", d2.at.UTC(), held.LeaseUntil)
			}
			deadline := time.Now().Add(10 * time.Second)
			j := jobOf(t, db, id)
			for j.DoneAt.IsZero() {
				if time.Now().After(deadline) {
					t.Fatalf("job not marked done after the second delivery: %+v", j)
				}
				time.Sleep(10 * time.Millisecond)
				j = jobOf(t, db, id)
			}
			if j.Failed() || j.Attempts != 2 || j.LeasedBy != "" {
				t.Errorf("job after the restart: %+v, want done after 2 attempts", j)
			}

			if err := second.cmd.Process.Signal(os.Interrupt); err != nil {
				t.Fatalf("interrupt: %v", err)
			}
			select {
			case <-second.done:
				if !second.cmd.ProcessState.Success() {
					t.Errorf("the second worker process ended with %s", second.cmd.ProcessState)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("the second worker process did not stop when interrupted")
			}
			select {
			case d := <-got:
				t.Errorf("a third delivery: %+v", d)
			default:
			}
		})
	}
}

// TestTwoWorkersThousandJobsOnPostgres: two instances (two connection
// pools on one PostgreSQL database, a worker each) share 1 000 jobs; no job
// is ever in flight in both at once, and each is delivered exactly once
// and marked done.
func TestTwoWorkersThousandJobsOnPostgres(t *testing.T) {
	if os.Getenv(storetest.EnvPostgres) == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal(storetest.EnvPostgres + " is not set: CI must run this test on PostgreSQL")
		}
		t.Skip(storetest.EnvPostgres + " not set")
	}
	const n = 1000
	ctx := context.Background()
	dsn := storetest.DSN(t, store.Postgres)
	open := func() *store.DB {
		db, err := store.Open(ctx, dsn, time.Now)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	}
	instances := []*store.DB{open(), open()}

	ids := make(map[string]int64, n) // payload → job id; written before the workers start
	err := instances[0].Write(ctx, func(tx *store.Tx) error {
		for i := range n {
			p := fmt.Sprintf(`{"n":%d}`, i)
			id, err := tx.EnqueueJob(ctx, drillKind, []byte(p), time.Time{})
			if err != nil {
				return err
			}
			ids[p] = id
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	var (
		mu        sync.Mutex
		inFlight  = map[string]int{}
		delivered = map[string]int{}
		byWorker  = map[string]int{}
		running   int // handlers running now, in both workers
		overlap   int // the most handlers that ran at once
		twice     int // times a job was taken while in flight
	)
	handler := func(worker string) jobs.Handler {
		return func(_ context.Context, payload []byte) error {
			k := string(payload)
			mu.Lock()
			inFlight[k]++
			if inFlight[k] > 1 {
				if twice++; twice <= 5 {
					t.Errorf("job %d (%s) in flight %d times at once", ids[k], k, inFlight[k])
				}
			}
			delivered[k]++
			byWorker[worker]++
			running++
			overlap = max(overlap, running)
			mu.Unlock()
			time.Sleep(500 * time.Microsecond)
			mu.Lock()
			inFlight[k]--
			running--
			mu.Unlock()
			return nil
		}
	}
	total := func() int {
		mu.Lock()
		defer mu.Unlock()
		s := 0
		for _, k := range byWorker {
			s += k
		}
		return s
	}

	start := time.Now()
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	log := slog.New(slog.NewTextHandler(t.Output(), nil))
	for i, db := range instances {
		name := fmt.Sprintf("instance-%c", 'a'+i)
		w := jobs.New(db, jobs.Options{Name: name, Poll: 5 * time.Millisecond, Lease: time.Minute, Log: log.With("worker", name)})
		w.Register(drillKind, handler(name))
		wg.Go(func() {
			if err := w.Run(runCtx); err != nil {
				t.Errorf("%s: %v", name, err)
			}
		})
	}
	count := func(where string) int {
		var k int
		err := instances[0].SQL().QueryRowContext(ctx, `SELECT count(*) FROM jobs WHERE `+where).Scan(&k)
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	deadline := time.Now().Add(30 * time.Second)
	for total() < n || count(`done_at IS NOT NULL`) < n {
		if time.Now().After(deadline) {
			t.Fatalf("after %s: %d deliveries, %d jobs done, want %d", time.Since(start).Round(time.Millisecond), total(), count(`done_at IS NOT NULL`), n)
		}
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	wg.Wait()
	t.Logf("%d jobs in %s: %v", n, time.Since(start).Round(time.Millisecond), byWorker)

	if twice > 0 {
		t.Errorf("%d times a job was taken while another worker had it in flight", twice)
	}
	if len(delivered) != n {
		t.Errorf("%d distinct jobs delivered, want %d", len(delivered), n)
	}
	again := 0
	for k, c := range delivered {
		if c != 1 {
			if again++; again <= 5 {
				t.Errorf("job %d (%s) delivered %d times", ids[k], k, c)
			}
		}
	}
	if again > 5 {
		t.Errorf("in all %d jobs delivered more than once", again)
	}
	for i := range instances {
		if name := fmt.Sprintf("instance-%c", 'a'+i); byWorker[name] == 0 {
			t.Errorf("%s delivered no job: the workers did not share the outbox", name)
		}
	}
	if overlap < 2 {
		t.Errorf("the two workers never ran a job at the same time: the drill proves nothing")
	}
	all := count(`true`)
	if done := count(`done_at IS NOT NULL AND last_error = '' AND leased_by = '' AND attempts = 1`); all != n || done != n {
		t.Errorf("%d jobs in the table, %d done after one attempt; want %d and %d", all, done, n, n)
	}
}
