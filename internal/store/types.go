package store

import (
	"database/sql/driver"
	"fmt"
	"time"

	"asiakassivu/internal/portal"
)

// dateCol scans a DATE column from either engine (SQLite may hand back text
// or a time, PostgreSQL a time) into a portal.Date; NULL gives the zero Date.
type dateCol struct{ d *portal.Date }

func (c dateCol) Scan(v any) error {
	switch x := v.(type) {
	case nil:
		*c.d = portal.Date{}
	case time.Time:
		y, m, d := x.Date()
		*c.d = portal.NewDate(y, m, d)
	case string:
		return c.parse(x)
	case []byte:
		return c.parse(string(x))
	default:
		return fmt.Errorf("date column: unexpected %T", v)
	}
	return nil
}

func (c dateCol) parse(s string) error {
	if len(s) > 10 {
		s = s[:10]
	}
	d, err := portal.ParseDate(s)
	if err != nil {
		return fmt.Errorf("date column: %w", err)
	}
	*c.d = d
	return nil
}

// dateArg is the value stored for a date: midnight UTC, or NULL for the
// zero Date.
func dateArg(d portal.Date) driver.Value {
	if d.IsZero() {
		return nil
	}
	return d.Time()
}

// timeCol scans a nullable timestamp into a UTC time (zero for NULL).
type timeCol struct{ t *time.Time }

func (c timeCol) Scan(v any) error {
	switch x := v.(type) {
	case nil:
		*c.t = time.Time{}
	case time.Time:
		*c.t = x.UTC()
	case string:
		t, err := parseSQLiteTime(x)
		if err != nil {
			return err
		}
		*c.t = t
	case []byte:
		t, err := parseSQLiteTime(string(x))
		if err != nil {
			return err
		}
		*c.t = t
	default:
		return fmt.Errorf("time column: unexpected %T", v)
	}
	return nil
}

func parseSQLiteTime(s string) (time.Time, error) {
	for _, layout := range []string{"2006-01-02 15:04:05.999999999-07:00", "2006-01-02 15:04:05", time.RFC3339Nano} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("time column: cannot parse %q", s)
}

// timeArg is the value stored for a time: UTC, or NULL for the zero time.
func timeArg(t time.Time) driver.Value {
	if t.IsZero() {
		return nil
	}
	return t.UTC()
}

// nullID stores 0 as NULL for optional references.
func nullID(id int64) driver.Value {
	if id == 0 {
		return nil
	}
	return id
}

// idCol scans a nullable reference into an id (0 for NULL).
type idCol struct{ id *int64 }

func (c idCol) Scan(v any) error {
	switch x := v.(type) {
	case nil:
		*c.id = 0
	case int64:
		*c.id = x
	default:
		return fmt.Errorf("id column: unexpected %T", v)
	}
	return nil
}
