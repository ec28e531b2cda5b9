package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"asiakassivu/internal/portal"
)

// TestUnreachable checks which errors the store reads as the database
// being unreachable; the outage itself is tested for real in
// internal/api (TestDatabaseOutage).
func TestUnreachable(t *testing.T) {
	for _, c := range []struct {
		err  error
		want bool
	}{
		{&net.OpError{Op: "dial", Err: syscall.ECONNREFUSED}, true},
		{fmt.Errorf("read: %w", io.ErrUnexpectedEOF), true},
		{&pgconn.PgError{Code: "57P01"}, true},
		{&pgconn.PgError{Code: "08006"}, true},
		{&pgconn.PgError{Code: "23505"}, false},
		{sql.ErrNoRows, false},
		{context.Canceled, false},
		{fmt.Errorf("query: %w", context.DeadlineExceeded), false},
		{errors.New("something else"), false},
	} {
		if got := unreachable(c.err); got != c.want {
			t.Errorf("unreachable(%v) = %v, want %v", c.err, got, c.want)
		}
		if got := errors.Is(mapErr(c.err), portal.ErrUnavailable); got != c.want {
			t.Errorf("mapErr(%v) is ErrUnavailable: %v, want %v", c.err, got, c.want)
		}
	}
}
