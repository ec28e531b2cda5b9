package e2e

// The reliability drills of SECURITY.md, run against the real binary:
// a server killed with SIGKILL while customers write loses no write it
// acknowledged; a backup taken under load is one consistent snapshot that
// restores and opens; SIGTERM under load loses nothing and exits 0.
// TestGracefulShutdown (shutdown_test.go) covers the request held open
// across SIGTERM; the drill here adds the load and the count of writes.
// Each drill takes well under a minute:
//
//	go test ./e2e -run Drill -count=1 -v

import (
	"bufio"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"asiakassivu/internal/store"
)

// loadFor is how long the clients write before the drill strikes.
const loadFor = 2 * time.Second

// TestDrillKillUnderWrites: SIGKILL mid-stream; after a restart on the
// same data directory every acknowledged write is there and the database
// passes PRAGMA integrity_check.
func TestDrillKillUnderWrites(t *testing.T) {
	start := time.Now()
	srv := startServer(t)
	ld := startLoad(t, srv)
	time.Sleep(loadFor)
	if err := srv.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	srv.cmd.Wait() // "signal: killed": no cleanup, no checkpoint ran
	ld.stop()
	t.Logf("killed with SIGKILL after %s of load: %s", loadFor, ld.summary())
	if ld.acked() == 0 {
		t.Fatal("no write was acknowledged before the kill")
	}
	// What the kill left: commits that live only in the write-ahead log
	// until the restart's recovery.
	if fi, err := os.Stat(filepath.Join(srv.dataDir, "asiakassivu.db-wal")); err == nil {
		t.Logf("write-ahead log left by the kill: %d KiB", fi.Size()/1024)
	}
	restarted := serveOn(t, srv.bin, srv.dataDir)
	ld.verify(t, restarted, false)
	t.Logf("drill took %s", time.Since(start).Round(time.Millisecond))
}

// TestDrillGracefulShutdownUnderWrites: SIGTERM while clients write; the
// process exits 0 and after a restart every acknowledged write is there.
func TestDrillGracefulShutdownUnderWrites(t *testing.T) {
	start := time.Now()
	srv := startServer(t)
	ld := startLoad(t, srv)
	time.Sleep(loadFor)
	signalled := time.Now()
	if err := srv.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- srv.cmd.Wait() }()
	select {
	case err := <-exited:
		if err != nil {
			t.Errorf("exit after SIGTERM under load: %v, want status 0", err)
		}
	case <-time.After(25 * time.Second):
		srv.cmd.Process.Kill()
		t.Fatal("the process did not exit within 25 s of SIGTERM")
	}
	stopped := time.Since(signalled)
	ld.stop()
	t.Logf("SIGTERM after %s of load, exited in %s: %s", loadFor, stopped.Round(time.Millisecond), ld.summary())
	if ld.acked() == 0 {
		t.Fatal("no write was acknowledged before SIGTERM")
	}
	// A graceful stop answers every request it runs, so nothing is stored
	// that its client was not told about either.
	restarted := serveOn(t, srv.bin, srv.dataDir)
	ld.verify(t, restarted, true)
	t.Logf("drill took %s", time.Since(start).Round(time.Millisecond))
}

// TestDrillBackupUnderWrites: "asiakassivu backup" while clients write
// gives a file that passes its checks, holds every write acknowledged
// before the backup began and is one moment's snapshot (no message
// without its thread, no more rows than the live database); restored into
// a fresh data directory it opens in a server with the same row counts.
func TestDrillBackupUnderWrites(t *testing.T) {
	ctx := context.Background()
	start := time.Now()
	srv := startServer(t)
	ld := startLoad(t, srv)
	time.Sleep(loadFor / 2)

	file := filepath.Join(t.TempDir(), "varmuuskopio.db")
	begun := time.Now()
	bctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(bctx, srv.bin, "backup", "--data-dir", srv.dataDir, "--out", file)
	cmd.Env = append(os.Environ(), "ASIAKASSIVU_DATABASE=")
	out, err := cmd.Output()
	took := time.Since(begun)
	if err != nil {
		var stderr []byte
		if ee, ok := errors.AsType[*exec.ExitError](err); ok {
			stderr = ee.Stderr
		}
		t.Fatalf("backup under load: %v\n%s%s", err, out, stderr)
	}
	if !strings.Contains(string(out), "integrity check ok") {
		t.Errorf("backup output lacks the integrity check:\n%s", out)
	}
	ended := time.Now()
	time.Sleep(loadFor / 2) // writes go on after the backup
	ld.stop()
	first, _, _ := strings.Cut(string(out), "\n")
	t.Logf("backup under load took %s (%s): %s", took.Round(time.Millisecond), first, ld.summary())
	if n := ld.failures(); n > 0 {
		t.Errorf("%d writes failed while the server ran; the backup must not disturb it", n)
	}

	backup, err := store.CheckFile(ctx, file)
	if err != nil {
		t.Fatal(err)
	}
	if !backup.OK() {
		t.Errorf("backup: integrity %q, %d foreign-key problems", backup.Integrity, backup.ForeignKeyProblems)
	}
	live, err := store.CheckFile(ctx, filepath.Join(srv.dataDir, "asiakassivu.db"))
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range backup.Counts {
		if c.Rows > live.Counts[i].Rows {
			t.Errorf("%s: %d rows in the backup, more than the %d live", c.Table, c.Rows, live.Counts[i].Rows)
		}
	}
	bdb := openSQLite(t, file)
	var orphans int
	if err := bdb.QueryRow(`SELECT count(*) FROM messages m WHERE NOT EXISTS (SELECT 1 FROM threads t WHERE t.id = m.thread_id)`).Scan(&orphans); err != nil || orphans != 0 {
		t.Errorf("messages without their thread in the backup: %d (%v)", orphans, err)
	}
	inBackup := drillMessages(t, bdb)
	before, after := 0, 0
	for body, at := range ld.ackedMessages() {
		switch {
		case at.Before(begun):
			before++
			if !inBackup[body] {
				t.Errorf("message %q acknowledged before the backup began is not in it", body)
			}
		case at.After(ended):
			after++
		}
	}
	if before == 0 || after == 0 {
		t.Errorf("messages acknowledged before the backup %d, after it %d: want some of both", before, after)
	}
	if bm, lm := count(backup, "messages"), count(live, "messages"); bm >= lm {
		t.Errorf("messages: %d in the backup, %d live; the writes after the backup must not be in it", bm, lm)
	}
	srv.cmd.Process.Signal(syscall.SIGTERM) // done with the live one

	// Restore as the README says: a fresh data directory, the backup as
	// its database, the secret key beside it.
	dir := filepath.Join(t.TempDir(), "palautettu")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	copyFile(t, file, filepath.Join(dir, "asiakassivu.db"))
	copyFile(t, filepath.Join(srv.dataDir, "secret.key"), filepath.Join(dir, "secret.key"))
	restoredAt := time.Now()
	restored := serveOn(t, srv.bin, dir)
	t.Logf("the restored server answered in %s", time.Since(restoredAt).Round(time.Millisecond))
	restoredCheck, err := store.CheckFile(ctx, filepath.Join(dir, "asiakassivu.db"))
	if err != nil {
		t.Fatal(err)
	}
	if !restoredCheck.OK() {
		t.Errorf("restored: integrity %q, %d foreign-key problems", restoredCheck.Integrity, restoredCheck.ForeignKeyProblems)
	}
	for i, c := range restoredCheck.Counts {
		if c != backup.Counts[i] {
			t.Errorf("%s: the restored server has %d rows, the backup %d", c.Table, c.Rows, backup.Counts[i].Rows)
		}
	}
	// And it serves them: a customer signs in and reads her last message.
	var last string
	var site int64
	err = bdb.QueryRow(`SELECT m.body, t.site_id FROM messages m JOIN threads t ON t.id = m.thread_id
		WHERE m.body LIKE 'drill %' ORDER BY m.id DESC LIMIT 1`).Scan(&last, &site)
	if err != nil {
		t.Fatal(err)
	}
	c := client(t, restored.url, ld.ownerOf(site))
	if page := get(t, c, fmt.Sprintf("%s/kohteet/%d/viestit", restored.url, site)); !strings.Contains(page, last) {
		t.Errorf("the restored server's thread of site %d lacks the backup's last message %q", site, last)
	}
	t.Logf("backup rows: %s", countsText(backup))
	t.Logf("drill took %s", time.Since(start).Round(time.Millisecond))
}

// load is a few signed-in customers writing as fast as the server lets
// them, each on a site of their own, and the ledger of what the server
// acknowledged.
type load struct {
	wg     sync.WaitGroup
	cancel context.CancelFunc
	owners map[int64]string // site → the customer's email

	mu         sync.Mutex
	msgs       map[string]time.Time // body → when acknowledged
	notes      map[int64]*noteLog   // visit → its notes
	cxl        map[int64]bool       // visits whose cancellation was acknowledged
	tried      struct{ msgs, notes, cxl int }
	notesAcked int
	fails      []string // answers that were neither an acknowledgement nor a dropped connection
}

// noteLog is the notes written to one visit: the last one acknowledged
// and the ones sent after it without an answer, any of which may have
// been committed just before the server died.
type noteLog struct {
	acked   string
	unknown []string
}

// startLoad signs in one client per demo customer site (three sites of
// asiakas@, one of toinen@) and starts them writing: mostly messages,
// a note on a visit now and then, and a few cancellations.
func startLoad(t *testing.T, srv *server) *load {
	t.Helper()
	ld := &load{owners: map[int64]string{}, msgs: map[string]time.Time{}, notes: map[int64]*noteLog{}, cxl: map[int64]bool{}}
	db := openSQLite(t, filepath.Join(srv.dataDir, "asiakassivu.db"))
	// Visits far enough ahead that a customer may still cancel them.
	soon := time.Now().UTC().Add(72 * time.Hour).Format("2006-01-02 15:04:05")
	rows, err := db.Query(`SELECT c.email_norm, s.id, v.id FROM sites s
		JOIN customers c ON c.id = s.customer_id
		JOIN visits v ON v.site_id = s.id AND v.status IN ('planned', 'confirmed') AND v.starts_at > $1
		WHERE c.email_norm IN ('asiakas@demo.example', 'toinen@demo.example')
		ORDER BY s.id, v.starts_at`, soon)
	if err != nil {
		t.Fatal(err)
	}
	visits := map[int64][]int64{}
	for rows.Next() {
		var email string
		var site, visit int64
		if err := rows.Scan(&email, &site, &visit); err != nil {
			t.Fatal(err)
		}
		ld.owners[site] = email
		visits[site] = append(visits[site], visit)
	}
	rows.Close()
	db.Close()
	if len(ld.owners) < 4 {
		t.Fatalf("the demo customers have %d sites with visits ahead, want 4", len(ld.owners))
	}
	ctx, cancel := context.WithCancel(context.Background())
	ld.cancel = cancel
	for site, email := range ld.owners {
		c := client(t, srv.url, email)
		vs := visits[site]
		// The first visits are cancelled, the rest get notes.
		n := min(3, len(vs)/2)
		w := &drillWriter{ld: ld, c: c, base: srv.url, site: site, cancel: vs[:n], note: vs[n:]}
		ld.wg.Go(func() { w.run(ctx) })
	}
	return ld
}

// drillWriter is one client's loop.
type drillWriter struct {
	ld     *load
	c      *http.Client
	base   string
	site   int64
	cancel []int64
	note   []int64
}

var cancelField = regexp.MustCompile(`name="(sequence|deadline|fee)" value="(-?\d+)"`)

func (w *drillWriter) run(ctx context.Context) {
	for i := 0; ctx.Err() == nil; i++ {
		var err error
		switch {
		case i%10 == 5 && len(w.cancel) > 0:
			v := w.cancel[0]
			w.cancel = w.cancel[1:]
			err = w.cancelVisit(ctx, v)
		case i%4 == 1 && len(w.note) > 0:
			err = w.writeNote(ctx, w.note[i%len(w.note)], fmt.Sprintf("drill note s%d n%d", w.site, i))
		default:
			err = w.postMessage(ctx, fmt.Sprintf("drill s%d n%d", w.site, i))
		}
		if err != nil {
			// The server is gone (killed, or shutting down): the write
			// in flight is neither acknowledged nor refused.
			return
		}
	}
}

// send posts a form and reports whether the server acknowledged it (303);
// err is set when no answer came.
func (w *drillWriter) send(ctx context.Context, path string, form url.Values) (bool, error) {
	req, err := http.NewRequestWithContext(ctx, "POST", w.base+path, strings.NewReader(form.Encode()))
	if err != nil {
		return false, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r, err := w.c.Do(req)
	if err != nil {
		return false, err
	}
	io.Copy(io.Discard, r.Body)
	r.Body.Close()
	if r.StatusCode == http.StatusSeeOther {
		return true, nil
	}
	w.ld.mu.Lock()
	w.ld.fails = append(w.ld.fails, fmt.Sprintf("POST %s: %d", path, r.StatusCode))
	w.ld.mu.Unlock()
	return false, nil
}

func (w *drillWriter) postMessage(ctx context.Context, body string) error {
	w.ld.mu.Lock()
	w.ld.tried.msgs++
	w.ld.mu.Unlock()
	ok, err := w.send(ctx, fmt.Sprintf("/kohteet/%d/viestit", w.site), url.Values{"body": {body}})
	if ok {
		w.ld.mu.Lock()
		w.ld.msgs[body] = time.Now()
		w.ld.mu.Unlock()
	}
	return err
}

func (w *drillWriter) writeNote(ctx context.Context, visit int64, note string) error {
	w.ld.mu.Lock()
	w.ld.tried.notes++
	nl := w.ld.notes[visit]
	if nl == nil {
		nl = &noteLog{}
		w.ld.notes[visit] = nl
	}
	w.ld.mu.Unlock()
	ok, err := w.send(ctx, fmt.Sprintf("/kohteet/%d/palveluvuorot/%d/lisatieto", w.site, visit), url.Values{"note": {note}})
	w.ld.mu.Lock()
	defer w.ld.mu.Unlock()
	if ok {
		nl.acked, nl.unknown = note, nil
		w.ld.notesAcked++
	} else if err != nil {
		nl.unknown = append(nl.unknown, note)
	}
	return err
}

// cancelVisit cancels on the terms its page shows, as the form and its
// confirmation do.
func (w *drillWriter) cancelVisit(ctx context.Context, visit int64) error {
	path := fmt.Sprintf("/kohteet/%d/palveluvuorot/%d", w.site, visit)
	req, err := http.NewRequestWithContext(ctx, "GET", w.base+path, nil)
	if err != nil {
		return err
	}
	r, err := w.c.Do(req)
	if err != nil {
		return err
	}
	page, err := io.ReadAll(r.Body)
	r.Body.Close()
	if err != nil {
		return err
	}
	form := url.Values{}
	for _, m := range cancelField.FindAllStringSubmatch(string(page), -1) {
		form.Set(m[1], m[2])
	}
	if len(form) != 3 {
		w.ld.mu.Lock()
		w.ld.fails = append(w.ld.fails, fmt.Sprintf("GET %s: %d, no cancellation form", path, r.StatusCode))
		w.ld.mu.Unlock()
		return nil
	}
	// The post that cancels is the confirmed one (a paid cancellation's
	// first post only shows the confirmation).
	form.Set("confirm", "yes")
	w.ld.mu.Lock()
	w.ld.tried.cxl++
	w.ld.mu.Unlock()
	ok, err := w.send(ctx, path+"/peru", form)
	if ok {
		w.ld.mu.Lock()
		w.ld.cxl[visit] = true
		w.ld.mu.Unlock()
	}
	return err
}

// stop ends the writing and waits for every client's last request.
func (ld *load) stop() {
	ld.cancel()
	ld.wg.Wait()
}

func (ld *load) acked() int {
	ld.mu.Lock()
	defer ld.mu.Unlock()
	n := len(ld.msgs) + len(ld.cxl)
	for _, nl := range ld.notes {
		if nl.acked != "" {
			n++
		}
	}
	return n
}

func (ld *load) failures() int {
	ld.mu.Lock()
	defer ld.mu.Unlock()
	return len(ld.fails)
}

func (ld *load) ownerOf(site int64) string { return ld.owners[site] }

// ackedMessages returns each acknowledged message's body and the time of
// its acknowledgement.
func (ld *load) ackedMessages() map[string]time.Time {
	ld.mu.Lock()
	defer ld.mu.Unlock()
	m := make(map[string]time.Time, len(ld.msgs))
	for k, v := range ld.msgs {
		m[k] = v
	}
	return m
}

// summary is the drill's figures for the log.
func (ld *load) summary() string {
	ld.mu.Lock()
	defer ld.mu.Unlock()
	notes := 0
	for _, nl := range ld.notes {
		if nl.acked != "" {
			notes++
		}
	}
	s := fmt.Sprintf("%d clients; acknowledged/sent: messages %d/%d, cancellations %d/%d, notes %d/%d (on %d visits)",
		len(ld.owners), len(ld.msgs), ld.tried.msgs, len(ld.cxl), ld.tried.cxl, ld.notesAcked, ld.tried.notes, notes)
	if len(ld.fails) > 0 {
		s += fmt.Sprintf("; %d refused, first: %s", len(ld.fails), ld.fails[0])
	}
	return s
}

// verify checks the restarted server's database against the ledger: every
// acknowledged message once, every acknowledged cancellation, each visit's
// note the last acknowledged one (or one sent after it whose answer was
// lost), integrity_check ok; and that the server serves the last messages.
// With exact, no message may be stored that was not acknowledged either.
func (ld *load) verify(t *testing.T, srv *server, exact bool) {
	t.Helper()
	ld.mu.Lock()
	defer ld.mu.Unlock()
	path := filepath.Join(srv.dataDir, "asiakassivu.db")
	check, err := store.CheckFile(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	if !check.OK() {
		t.Errorf("after restart: integrity %q, %d foreign-key problems", check.Integrity, check.ForeignKeyProblems)
	}
	db := openSQLite(t, path)
	stored := drillMessages(t, db)
	lost := 0
	for body := range ld.msgs {
		if !stored[body] {
			lost++
			if lost <= 5 {
				t.Errorf("acknowledged message %q is lost", body)
			}
		}
	}
	var dups int
	if err := db.QueryRow(`SELECT count(*) FROM (SELECT body FROM messages WHERE body LIKE 'drill %' GROUP BY body HAVING count(*) > 1)`).Scan(&dups); err != nil || dups != 0 {
		t.Errorf("messages stored twice: %d (%v)", dups, err)
	}
	for visit := range ld.cxl {
		var status string
		if err := db.QueryRow(`SELECT status FROM visits WHERE id = $1`, visit).Scan(&status); err != nil || status != "cancelled_customer" {
			t.Errorf("visit %d: acknowledged cancellation, status %q (%v)", visit, status, err)
		}
	}
	for visit, nl := range ld.notes {
		if nl.acked == "" && len(nl.unknown) == 0 {
			continue
		}
		var note string
		if err := db.QueryRow(`SELECT customer_note FROM visits WHERE id = $1`, visit).Scan(&note); err != nil {
			t.Fatal(err)
		}
		ok := note == nl.acked
		for _, u := range nl.unknown {
			ok = ok || note == u
		}
		if !ok {
			t.Errorf("visit %d: note %q, want the acknowledged %q (or one of %q)", visit, note, nl.acked, nl.unknown)
		}
	}
	if exact && len(stored) != len(ld.msgs) {
		t.Errorf("%d drill messages stored, %d acknowledged: want the same", len(stored), len(ld.msgs))
	}
	t.Logf("after restart: %d of %d acknowledged messages found, %d stored in all (%d sent without an answer may be there too); integrity %s",
		len(ld.msgs)-lost, len(ld.msgs), len(stored), ld.tried.msgs-len(ld.msgs), check.Integrity)
	// Through the pages too: each site's thread shows its last
	// acknowledged message.
	last := map[int64]string{}
	lastAt := map[int64]time.Time{}
	for body, at := range ld.msgs {
		var site int64
		fmt.Sscanf(body, "drill s%d", &site)
		if at.After(lastAt[site]) {
			last[site], lastAt[site] = body, at
		}
	}
	clients := map[string]*http.Client{}
	for site, body := range last {
		email := ld.owners[site]
		if clients[email] == nil {
			clients[email] = client(t, srv.url, email)
		}
		if page := get(t, clients[email], fmt.Sprintf("%s/kohteet/%d/viestit", srv.url, site)); !strings.Contains(page, ">"+body+"<") {
			t.Errorf("site %d's thread after restart lacks its last acknowledged message %q", site, body)
		}
	}
}

// openSQLite opens a database file beside whatever server uses it, for
// reading.
func openSQLite(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)&_pragma=query_only(1)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// drillMessages returns the bodies of the messages the drills wrote.
func drillMessages(t *testing.T, db *sql.DB) map[string]bool {
	t.Helper()
	rows, err := db.Query(`SELECT body FROM messages WHERE body LIKE 'drill %'`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	m := map[string]bool{}
	for rows.Next() {
		var b string
		if err := rows.Scan(&b); err != nil {
			t.Fatal(err)
		}
		m[b] = true
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return m
}

// get fetches a page as a signed-in client.
func get(t *testing.T, c *http.Client, u string) string {
	t.Helper()
	r, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Body.Close()
	b, _ := io.ReadAll(r.Body)
	if r.StatusCode != 200 {
		t.Fatalf("GET %s: %d", u, r.StatusCode)
	}
	return string(b)
}

func count(c store.FileCheck, table string) int64 {
	for _, n := range c.Counts {
		if n.Table == table {
			return n.Rows
		}
	}
	return -1
}

func countsText(c store.FileCheck) string {
	var parts []string
	for _, n := range c.Counts {
		parts = append(parts, fmt.Sprintf("%s %d", n.Table, n.Rows))
	}
	return strings.Join(parts, ", ")
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	src, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	dst, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(dst, bufio.NewReader(src)); err != nil {
		t.Fatal(err)
	}
	if err := dst.Close(); err != nil {
		t.Fatal(err)
	}
}
