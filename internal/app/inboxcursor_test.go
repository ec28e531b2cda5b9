package app

import (
	"math"
	"strconv"
	"testing"
)

func TestParseInboxCursor(t *testing.T) {
	for _, c := range []struct {
		in   string
		want InboxCursor
	}{
		{"u123", InboxCursor{Before: 123}},
		{"r123", InboxCursor{Read: true, Before: 123}},
		{"r1", InboxCursor{Read: true, Before: 1}},
		{"u" + strconv.FormatInt(math.MaxInt64, 10), InboxCursor{Before: math.MaxInt64}},
		// Anything else is the first page.
		{"", InboxCursor{}},
		{"u", InboxCursor{}},
		{"r", InboxCursor{}},
		{"123", InboxCursor{}},
		{"x123", InboxCursor{}},
		{"U123", InboxCursor{}},
		{"u0", InboxCursor{}},
		{"u0123", InboxCursor{}},
		{"u-5", InboxCursor{}},
		{"u+5", InboxCursor{}},
		{"u12a", InboxCursor{}},
		{"u 12", InboxCursor{}},
		{"u1.5", InboxCursor{}},
		{"u9223372036854775808", InboxCursor{}}, // past int64
		{"r99999999999999999999999", InboxCursor{}},
		{"u١٢", InboxCursor{}}, // other digits
		{"2", InboxCursor{}},   // an old page number
	} {
		got := ParseInboxCursor(c.in)
		if got != c.want {
			t.Errorf("ParseInboxCursor(%q) = %+v, want %+v", c.in, got, c.want)
		}
		if !got.IsZero() && ParseInboxCursor(got.String()) != got {
			t.Errorf("cursor %+v does not survive its link %q", got, got.String())
		}
		if got.IsZero() && got.String() != "" {
			t.Errorf("the first page's cursor is %q in a link", got.String())
		}
	}
}
