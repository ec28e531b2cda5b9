package store_test

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"asiakassivu/internal/store"
	"asiakassivu/internal/store/storetest"
)

// TestBackup: the copy holds the rows, passes its checks, has no -wal of
// its own to go missing, is readable by its owner only, and never
// replaces a file unless told to. The file name has a quote and a space,
// which a VACUUM INTO built by pasting text would trip over.
func TestBackup(t *testing.T) {
	ctx := context.Background()
	db := storetest.Open(t, store.SQLite, nil)
	exec := func(q string) {
		t.Helper()
		if _, err := db.SQL().ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	exec(`INSERT INTO customers (source, external_id, name, created_at, updated_at) VALUES ('t', '1', 'A', '2026-01-01', '2026-01-01')`)
	exec(`INSERT INTO providers (source, external_id, name, created_at, updated_at) VALUES ('t', '1', 'P', '2026-01-01', '2026-01-01')`)
	exec(`INSERT INTO sites (customer_id, provider_id, source, external_id, street, created_at, updated_at) VALUES (1, 1, 't', '1', 'Katu 1', '2026-01-01', '2026-01-01')`)
	exec(`INSERT INTO threads (site_id, created_at) VALUES (1, '2026-01-01')`)
	for range 3 {
		exec(`INSERT INTO messages (thread_id, author_kind, body, created_at) VALUES (1, 'customer', 'hei', '2026-01-01')`)
	}

	out := filepath.Join(t.TempDir(), "it's a backup.db")
	b, err := db.Backup(ctx, out, false)
	if err != nil {
		t.Fatal(err)
	}
	if b.Path != out || b.Size == 0 || !b.Check.OK() {
		t.Errorf("backup %+v", b)
	}
	want := map[string]int64{"customers": 1, "sites": 1, "threads": 1, "messages": 3, "visits": 0}
	for _, c := range b.Check.Counts {
		if n, ok := want[c.Table]; ok && c.Rows != n {
			t.Errorf("%s: got %d rows, want %d", c.Table, c.Rows, n)
		}
	}
	if got, want := len(b.Check.Counts), len(store.BackupTables()); got != want {
		t.Errorf("got %d counts, want %d", got, want)
	}
	fi, err := os.Stat(out)
	if err != nil {
		t.Fatal(err)
	}
	if perm := fi.Mode().Perm(); perm != 0o600 {
		t.Errorf("backup mode %v, want 0600", perm)
	}
	for _, suffix := range []string{"-wal", "-shm", "-journal"} {
		if _, err := os.Stat(out + suffix); err == nil {
			t.Errorf("the backup left %s behind", out+suffix)
		}
	}
	check, err := store.CheckFile(ctx, out)
	if err != nil || !check.OK() {
		t.Errorf("check of the backup: %+v, %v", check, err)
	}
	// The copy is a database the server can open.
	copyDB, err := store.Open(ctx, out, storetest.SuiteClock().Now)
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if err := copyDB.SQL().QueryRowContext(ctx, `SELECT count(*) FROM messages`).Scan(&n); err != nil || n != 3 {
		t.Errorf("messages in the copy: got %d (%v), want 3", n, err)
	}
	copyDB.Close()

	// An existing file stays unless overwrite is given.
	exec(`INSERT INTO messages (thread_id, author_kind, body, created_at) VALUES (1, 'customer', 'neljäs', '2026-01-01')`)
	if _, err := db.Backup(ctx, out, false); !errors.Is(err, fs.ErrExist) {
		t.Errorf("second backup to the same file: got %v, want fs.ErrExist", err)
	}
	b, err = db.Backup(ctx, out, true)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range b.Check.Counts {
		if c.Table == "messages" && c.Rows != 4 {
			t.Errorf("overwritten backup: got %d messages, want 4", c.Rows)
		}
	}
	// No temporary files are left in the directory.
	ents, _ := os.ReadDir(filepath.Dir(out))
	if len(ents) != 1 {
		var names []string
		for _, e := range ents {
			names = append(names, e.Name())
		}
		t.Errorf("directory holds %v, want the backup only", names)
	}
}

// TestCheckFileMissing: checking a path with no database is an error and
// creates nothing.
func TestCheckFileMissing(t *testing.T) {
	p := filepath.Join(t.TempDir(), "none.db")
	if _, err := store.CheckFile(context.Background(), p); err == nil {
		t.Error("got no error for a missing file")
	}
	if _, err := os.Stat(p); err == nil {
		t.Error("CheckFile created the file")
	}
}

// TestBackupPostgres: on PostgreSQL the copy is pg_dump's job.
func TestBackupPostgres(t *testing.T) {
	db := storetest.Open(t, store.Postgres, nil)
	if _, err := db.Backup(context.Background(), filepath.Join(t.TempDir(), "b.db"), false); !errors.Is(err, store.ErrNotSQLite) {
		t.Errorf("got %v, want ErrNotSQLite", err)
	}
}
