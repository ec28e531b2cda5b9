package storetest

import (
	"context"
	"errors"
	"io"
	"net"
	"net/url"
	"os"
	"sync"
	"testing"
	"time"

	"asiakassivu/internal/store"
)

// Outage is a database of a test that the test can make unreachable for
// real and bring back: on PostgreSQL the store reaches the server through
// a loopback TCP proxy that Begin stops (new connections are refused, the
// open ones are cut); on SQLite Begin moves the database file away and
// puts a directory in its place, so that opening it fails as a file that
// cannot be read does. Either way Begin closes the pool's idle connections
// so that the next request feels the outage at once; End undoes it all.
type Outage struct {
	// DB is the database, reached as described above.
	DB *store.DB

	t      testing.TB
	engine store.Engine
	path   string // SQLite: the database file

	mu     sync.Mutex
	addr   string // PostgreSQL: the proxy's address
	target string // PostgreSQL: the server's address
	ln     net.Listener
	conns  map[net.Conn]bool
}

// OpenOutage returns a fresh, migrated database of engine e on clock now
// (nil: a suite clock of its own) that the test can take down and back up.
func OpenOutage(t testing.TB, e store.Engine, now func() time.Time) *Outage {
	t.Helper()
	if now == nil {
		now = SuiteClock().Now
	}
	o := &Outage{t: t, engine: e, conns: map[net.Conn]bool{}}
	dsn := DSN(t, e)
	if e == store.SQLite {
		o.path = dsn
	} else {
		u, err := url.Parse(dsn)
		if err != nil {
			t.Fatal(err)
		}
		o.target = u.Host
		if err := o.listen("127.0.0.1:0"); err != nil {
			t.Fatal(err)
		}
		u.Host = o.addr
		dsn = u.String()
		t.Cleanup(func() { o.stop() })
	}
	db, err := store.Open(context.Background(), dsn, now)
	if err != nil {
		t.Fatalf("open %s: %v", e, err)
	}
	t.Cleanup(func() { db.Close() })
	if e == store.SQLite {
		if err := db.Migrate(context.Background(), nil); err != nil {
			t.Fatalf("migrate: %v", err)
		}
	}
	o.DB = db
	return o
}

// Begin makes the database unreachable.
func (o *Outage) Begin() {
	o.t.Helper()
	if o.engine == store.SQLite {
		// Every connection closed first, so that none keeps reading the
		// file it opened before the move.
		o.closeConnections()
		for _, suffix := range []string{"", "-wal", "-shm"} {
			if err := os.Rename(o.path+suffix, o.path+suffix+".away"); err != nil && !errors.Is(err, os.ErrNotExist) {
				o.t.Fatal(err)
			}
		}
		if err := os.Mkdir(o.path, 0o700); err != nil {
			o.t.Fatal(err)
		}
		o.closeConnections()
		return
	}
	o.stop()
	o.closeConnections()
}

// End brings the database back.
func (o *Outage) End() {
	o.t.Helper()
	if o.engine == store.SQLite {
		if err := os.Remove(o.path); err != nil {
			o.t.Fatal(err)
		}
		for _, suffix := range []string{"", "-wal", "-shm"} {
			if err := os.Rename(o.path+suffix+".away", o.path+suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
				o.t.Fatal(err)
			}
		}
		return
	}
	if err := o.listen(o.addr); err != nil {
		o.t.Fatal(err)
	}
}

// closeConnections closes the pools' idle connections and waits (up to
// five seconds) until none is open: a connection in use when the outage
// began would otherwise go back to the pool.
func (o *Outage) closeConnections() {
	for i := 0; ; i++ {
		o.DB.CloseIdle()
		open := 0
		for _, s := range o.DB.PoolStats() {
			open += s.OpenConnections
		}
		if open == 0 {
			return
		}
		if i == 500 {
			o.t.Fatalf("outage: %d connections stay open", open)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// listen starts the proxy on addr.
func (o *Outage) listen(addr string) error {
	var ln net.Listener
	var err error
	for range 50 { // the port may linger a moment after stop
		if ln, err = net.Listen("tcp", addr); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		return err
	}
	o.mu.Lock()
	o.ln, o.addr = ln, ln.Addr().String()
	o.mu.Unlock()
	go o.serve(ln)
	return nil
}

func (o *Outage) serve(ln net.Listener) {
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		s, err := net.Dial("tcp", o.target)
		if err != nil {
			c.Close()
			continue
		}
		o.mu.Lock()
		if o.ln != ln { // stopped meanwhile
			o.mu.Unlock()
			c.Close()
			s.Close()
			return
		}
		o.conns[c], o.conns[s] = true, true
		o.mu.Unlock()
		go pipe(c, s)
		go pipe(s, c)
	}
}

func pipe(dst, src net.Conn) {
	io.Copy(dst, src)
	dst.Close()
	src.Close()
}

// stop closes the proxy's listener (new connections are refused) and cuts
// every connection through it.
func (o *Outage) stop() {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.ln != nil {
		o.ln.Close()
		o.ln = nil
	}
	for c := range o.conns {
		c.Close()
	}
	clear(o.conns)
}
