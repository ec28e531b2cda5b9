package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"golang.org/x/term"

	"asiakassivu/internal/api"
	"asiakassivu/internal/app"
	"asiakassivu/internal/demo"
	"asiakassivu/internal/jobs"
	"asiakassivu/internal/portal"
	"asiakassivu/internal/realtime"
	"asiakassivu/internal/store"
	"asiakassivu/internal/web"
)

// openDB opens and migrates the database; failures to connect are
// startErrors (exit code 2).
func openDB(ctx context.Context, d dbFlags, log *slog.Logger) (*store.DB, error) {
	dsn, err := d.dsn()
	if err != nil {
		return nil, startError{err}
	}
	// The portal's one clock: everything below cmd reads the time from
	// the store (store's package comment).
	db, err := store.Open(ctx, dsn, time.Now)
	if err != nil {
		return nil, startError{err}
	}
	if err := db.Migrate(ctx, log); err != nil {
		db.Close()
		return nil, startError{err}
	}
	return db, nil
}

func migrate(ctx context.Context, args []string, getenv func(string) string, log *slog.Logger) error {
	var d dbFlags
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	d.register(fs)
	if err := parse(fs, args, getenv); err != nil {
		return err
	}
	db, err := openDB(ctx, d, log)
	if err != nil {
		return err
	}
	defer db.Close()
	log.Info("database is up to date", "engine", db.Engine())
	return nil
}

func serve(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer, log *slog.Logger) error {
	c, err := parseServe(args, getenv)
	if err != nil {
		return err
	}
	if err := startPprof(getenv(pprofEnv), log); err != nil {
		return err
	}
	db, err := openDB(ctx, c.dbFlags, log)
	if err != nil {
		return err
	}
	defer db.Close()
	sealer, err := openSealer(c.secretKeyFile, log)
	if err != nil {
		return err
	}
	hasher := app.NewHasher(app.DefaultArgon2)
	// With --smtp the portal sends real mail: no demo sign-ins printed and
	// no development outbox, whatever the mode.
	trial := (c.dev || c.demo) && c.mailer.smtp == ""
	if c.demo {
		signIns := stdout
		if !trial {
			signIns = io.Discard
			fmt.Fprintln(stdout, "Demo data: with --smtp the demo sign-ins are not printed and there is no /dev/posti.")
		}
		if err := loadDemo(ctx, db, hasher, sealer, signIns, log); err != nil {
			return err
		}
	}
	// Outgoing mail: the worker sends what use cases queued in the outbox.
	sender, outbox, err := c.mailer.sender(trial && isLoopback(c.addr), db.Now, log)
	if err != nil {
		return err
	}
	worker := jobs.New(db, jobs.Options{Log: log})
	worker.RegisterMail(sender)
	// Live messages: the hub signals this process's open streams; on
	// PostgreSQL, notifications carry the signal to every instance.
	hub := realtime.NewHub()
	events := hub.Publish
	listenCtx, stopListening := context.WithCancel(context.WithoutCancel(ctx))
	defer stopListening()
	if db.Engine() == store.Postgres {
		pg := realtime.NewPG(hub, db.SQL(), c.database, log)
		go pg.Listen(listenCtx, nil)
		events = pg.Publish
	}
	a := app.New(db, hasher, log,
		app.WithMailer(jobs.MailQueue{SignInURL: c.base.JoinPath("kirjaudu").String()}),
		app.WithWake(worker.Notify),
		app.WithSealer(sealer),
		app.WithBrand(c.brand.Name),
		app.WithEvents(events),
		app.WithBaseURL(strings.TrimSuffix(c.base.String(), "/")))
	worker.Register(app.KindMessageUnread, a.EmailIfUnread)
	worker.Register(app.KindVisitReminders, a.SendReminders)
	if err := a.ScheduleReminders(ctx); err != nil {
		return fmt.Errorf("schedule visit reminders: %w", err)
	}
	if err := registerPush(ctx, a, worker, c.mailer.mailFrom, log); err != nil {
		return err
	}
	wc := web.Config{BaseURL: c.base, Log: log, Brand: c.brand,
		PoolStats: db.PoolStats, DevOutbox: sentMail(outbox), Hub: hub, API: api.New(a, api.Config{Log: log}),
		TrustedProxies: c.trustedProxies, PlainStreams: c.plainStreams}
	if c.demo && outbox != nil {
		// The demo's staff and admin accounts share one authenticator
		// secret; the development outbox shows its code.
		wc.DevTOTP = func() string { return portal.TOTPCode(demo.TOTPSecret, portal.TOTPStep(db.Now())) }
	}
	h, err := web.New(wc, a)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", c.addr)
	if err != nil {
		return startError{fmt.Errorf("listen on %s: %w", c.addr, err)}
	}
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	// Message streams never go idle: they end when shutdown begins, so
	// that Shutdown can wait for the other requests alone.
	srv.RegisterOnShutdown(hub.Close)
	log.Info("listening", "addr", ln.Addr().String(), "base_url", c.base.String(), "engine", db.Engine())
	fmt.Fprintf(stdout, "Asiakassivu: %s\n", c.base.String())
	// The worker outlives the signal until the requests in flight are done
	// (they may queue mail), then stops between jobs.
	workerCtx, stopWorker := context.WithCancel(context.WithoutCancel(ctx))
	defer stopWorker()
	workerDone := make(chan struct{})
	go func() {
		defer close(workerDone)
		worker.Run(workerCtx)
	}()
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	stopWorker()
	select {
	case <-workerDone:
	case <-shutdownCtx.Done():
		log.Warn("job worker still busy at shutdown: its job is taken over when the lease runs out")
	}
	return nil
}

// loadDemo loads the demo data when the database is empty and prints the
// demo sign-ins for the person at the terminal (stdout), never into the
// structured log.
func loadDemo(ctx context.Context, db *store.DB, hasher *app.Hasher, sealer *app.Sealer, stdout io.Writer, log *slog.Logger) error {
	res, err := demo.Load(ctx, db, demo.Options{
		Now:          db.Now(),
		HashPassword: func(pw string) (string, error) { return hasher.Hash(ctx, pw) },
		Encrypt:      sealer.Seal,
	})
	if errors.Is(err, demo.ErrNotEmpty) {
		log.Info("database is not empty: demo data not loaded")
		fmt.Fprintln(stdout, "The database already holds data, so the demo data was not loaded (start with an empty --data-dir to get it).")
		return nil
	}
	if err != nil {
		return fmt.Errorf("demo data: %w", err)
	}
	log.Info("demo data loaded")
	fmt.Fprintln(stdout, "Demo data loaded. Sign in with password "+demo.Password+" as:")
	for _, l := range res.Accounts {
		if l.HasAccount {
			fmt.Fprintf(stdout, "  %-24s %s\n", l.Email, l.Note)
		}
	}
	fmt.Fprintln(stdout, "Records on file but no account yet (sign up with the address):")
	for _, l := range res.Accounts {
		if !l.HasAccount {
			fmt.Fprintf(stdout, "  %-24s %s\n", l.Email, l.Note)
		}
	}
	return nil
}

func demoCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer, log *slog.Logger) error {
	var d dbFlags
	var customers int
	var secretKeyFile string
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	d.register(fs)
	fs.IntVar(&customers, "customers", 0, "add this many synthetic customers instead of the demo data")
	fs.StringVar(&secretKeyFile, "secret-key-file", "", "file holding the data encryption key (default: secret.key in the data directory)")
	if err := parse(fs, args, getenv); err != nil {
		return err
	}
	if customers < 0 || customers > 10_000_000 {
		return usageError{err: fmt.Errorf("--customers %d: want 0 to 10000000", customers)}
	}
	db, err := openDB(ctx, d, log)
	if err != nil {
		return err
	}
	defer db.Close()
	if customers == 0 {
		if secretKeyFile == "" {
			secretKeyFile = d.dataDir + "/secret.key"
		}
		sealer, err := openSealer(secretKeyFile, log)
		if err != nil {
			return err
		}
		return loadDemo(ctx, db, app.NewHasher(app.DefaultArgon2), sealer, stdout, log)
	}
	start := time.Now()
	bar := newProgress(stderr, "customers")
	err = demo.Synthetic(ctx, db, customers, db.Now(), bar.update)
	bar.done()
	if err != nil {
		return err
	}
	if err := db.Analyze(ctx); err != nil {
		return fmt.Errorf("refresh planner statistics: %w", err)
	}
	fmt.Fprintf(stdout, "Added %d synthetic customers in %s.\n", customers, time.Since(start).Round(time.Millisecond))
	return nil
}

// progress draws a bar on a terminal and plain lines elsewhere.
type progress struct {
	w     io.Writer
	what  string
	tty   bool
	last  time.Time
	start time.Time
	every time.Duration // between plain lines; 5 s if zero
}

func newProgress(w io.Writer, what string) *progress {
	tty := false
	if f, ok := w.(*os.File); ok {
		tty = term.IsTerminal(int(f.Fd()))
	}
	return &progress{w: w, what: what, tty: tty, start: time.Now()}
}

func (p *progress) update(done, total int) {
	now := time.Now()
	interval := 5 * time.Second
	if p.every > 0 {
		interval = p.every
	}
	if p.tty {
		interval = time.Second / 4
	}
	if done < total && now.Sub(p.last) < interval {
		return
	}
	p.last = now
	pct := 100 * done / max(total, 1)
	if p.tty {
		n := pct / 4
		fmt.Fprintf(p.w, "\r[%s%s] %3d%% %d/%d %s", strings.Repeat("#", n), strings.Repeat(".", 25-n), pct, done, total, p.what)
		return
	}
	fmt.Fprintf(p.w, "%d/%d %s (%d%%), %s\n", done, total, p.what, pct, now.Sub(p.start).Round(time.Second))
}

func (p *progress) done() {
	if p.tty {
		fmt.Fprintln(p.w)
	}
}

// openSealer reads the secret key file, creating it with a new key on
// first start; failures are startErrors (exit code 2).
func openSealer(path string, log *slog.Logger) (*app.Sealer, error) {
	key, created, err := app.LoadOrCreateKey(path)
	if err != nil {
		return nil, startError{err}
	}
	if created {
		log.Info("created a new secret key file", "path", path)
	}
	sealer, err := app.NewSealer(key)
	if err != nil {
		return nil, startError{err}
	}
	return sealer, nil
}
