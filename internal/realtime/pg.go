package realtime

import (
	"context"
	"database/sql"
	"log/slog"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
)

// Channel is the PostgreSQL notification channel of thread events.
const Channel = "asiakassivu_threads"

// PG carries thread events between instances on one PostgreSQL database.
type PG struct {
	hub *Hub
	db  *sql.DB
	dsn string
	log *slog.Logger
}

// NewPG returns the PostgreSQL transport for hub: db sends notifications,
// and Listen opens its own connection to dsn to receive them.
func NewPG(hub *Hub, db *sql.DB, dsn string, log *slog.Logger) *PG {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &PG{hub: hub, db: db, dsn: dsn, log: log}
}

// Publish notifies every instance, this one included (through its
// listener), that a site has news. A failure is logged: the message is
// stored either way, and open pages catch up on their next event.
func (p *PG) Publish(site int64) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := p.db.ExecContext(ctx, `SELECT pg_notify($1, $2)`, Channel, strconv.FormatInt(site, 10)); err != nil {
		p.log.Warn("notify", "err", err)
		p.hub.Publish(site) // at least this instance's pages
	}
}

// Listen receives notifications until ctx ends, reconnecting with a
// pause after a lost connection. After each (re)connection every local
// stream is signalled, since events may have been missed meanwhile. ready,
// when not nil, is called each time the listener is listening.
func (p *PG) Listen(ctx context.Context, ready func()) {
	pause := 100 * time.Millisecond
	for ctx.Err() == nil {
		err := p.listenOnce(ctx, ready)
		if ctx.Err() != nil {
			return
		}
		p.log.Warn("listen for thread events", "err", err, "retry_in_ms", pause.Milliseconds())
		select {
		case <-ctx.Done():
			return
		case <-time.After(pause):
		}
		pause = min(2*pause, 10*time.Second)
	}
}

func (p *PG) listenOnce(ctx context.Context, ready func()) error {
	conn, err := pgx.Connect(ctx, p.dsn)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, "LISTEN "+Channel); err != nil {
		return err
	}
	p.hub.PublishAll()
	if ready != nil {
		ready()
	}
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		if site, err := strconv.ParseInt(n.Payload, 10, 64); err == nil {
			p.hub.Publish(site)
		}
	}
}
