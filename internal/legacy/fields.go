package legacy

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"asiakassivu/internal/emailaddr"
	"asiakassivu/internal/payref"
	"asiakassivu/internal/portal"
)

// column is one column of a kind's file; a required one must be in the
// header and have a value in every row.
type column struct {
	name     string
	required bool
}

func req(n string) column { return column{n, true} }
func opt(n string) column { return column{n, false} }

// columns is the format of docs/legacy-import.md: every kind's columns.
// Other columns are ignored, so an export may carry more than we read.
var columns = map[Kind][]column{
	Providers:    {req("id"), req("name"), opt("business_id"), opt("city"), opt("phone"), opt("email"), opt("iban"), opt("bic")},
	Customers:    {req("id"), req("name"), opt("email"), opt("phone")},
	Sites:        {req("id"), req("customer"), req("provider"), opt("name"), req("street"), opt("postal_code"), opt("city")},
	Contracts:    {req("id"), req("site"), req("kind"), req("service"), opt("work_type"), opt("rhythm"), opt("price"), opt("vat_free"), req("start"), opt("end")},
	Credentials:  {req("id"), req("customer"), req("username"), req("algorithm"), req("hash"), opt("salt")},
	Invoices:     {req("id"), req("customer"), req("site"), req("number"), req("period_start"), req("period_end"), req("issued_on"), req("due_on"), opt("paid_on"), req("status"), opt("credit_note"), opt("reference")},
	InvoiceLines: {req("id"), req("invoice"), req("position"), req("description"), req("performed_on"), req("quantity"), req("unit_price"), req("vat_rate"), opt("is_work")},
	Feedback:     {req("id"), req("site"), opt("rating"), opt("comment"), opt("reply"), opt("replied_at"), req("created_at")},
	Consents:     {req("id"), req("customer"), req("enabled"), opt("text_version")},
	Payers:       {req("id"), req("consent"), req("name"), req("identity_code"), req("share")},
}

// parentColumn names the column that refers to a row's parent.
var parentColumn = map[Kind]string{
	Sites: "customer", Contracts: "site", Credentials: "customer", Invoices: "customer",
	InvoiceLines: "invoice", Feedback: "site", Consents: "customer", Payers: "consent",
}

// Limits on values: generous for real data, small enough that a garbled
// file cannot blow up the database.
const (
	maxID    = 100
	maxShort = 200
	maxText  = 4000
)

// fields reads one row's values by column name and keeps the first
// problem as the row's reason.
type fields struct {
	get    func(string) string
	reason string
}

func (f *fields) fail(format string, args ...any) {
	if f.reason == "" {
		f.reason = fmt.Sprintf(format, args...)
	}
}

// iban returns a column's IBAN in electronic form ("" when empty),
// refusing one whose mod-97 check digits are wrong.
func (f *fields) iban(col string) string {
	s, err := payref.NormalizeIBAN(f.str(col, false, maxShort))
	if err != nil {
		f.fail("%s is not a valid IBAN (its check digits do not match; e.g. FI21 1234 5600 0007 85)", col)
	}
	return s
}

// bic returns a column's BIC upper-cased ("" when empty).
func (f *fields) bic(col string) string {
	s, err := payref.NormalizeBIC(f.str(col, false, maxShort))
	if err != nil {
		f.fail("%s is not a valid BIC (8 or 11 letters and digits, e.g. OKOYFIHH)", col)
	}
	return s
}

// reference returns a column's reference number in electronic form (""
// when empty), refusing a wrong check digit and an RF reference that no
// virtual barcode can carry.
func (f *fields) reference(col string) string {
	s, err := payref.NormalizeReference(f.str(col, false, maxShort))
	switch {
	case err != nil:
		f.fail("%s is not a valid reference number (a Finnish one's last digit is the 7-3-1 check digit of the others; an RF one's check digits must match)", col)
	case s != "" && !payref.Barcodeable(s):
		f.fail("%s: an RF reference must have digits only after its check digits", col)
	}
	return s
}

// str returns a column's trimmed text, checking presence and length.
func (f *fields) str(col string, required bool, maxLen int) string {
	s := strings.TrimSpace(f.get(col))
	switch {
	case s == "" && required:
		f.fail("%s is missing", col)
	case len(s) > maxLen && utf8.RuneCountInString(s) > maxLen:
		f.fail("%s is longer than %d characters", col, maxLen)
	case hasControl(s):
		f.fail("%s contains control characters", col)
	}
	return s
}

// hasControl reports C0 controls other than tab and line feed, DEL, and
// C1 controls (U+0080–U+009F) in s; bytewise, as it runs on every value.
func hasControl(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c < 0x20 && c != '\n' && c != '\t', c == 0x7f:
			return true
		case c == 0xc2 && i+1 < len(s) && s[i+1] >= 0x80 && s[i+1] <= 0x9f:
			return true
		}
	}
	return false
}

// id returns a legacy id (own or a reference): required, one line.
func (f *fields) id(col string) string {
	s := f.str(col, true, maxID)
	if strings.ContainsAny(s, "\n\t") {
		f.fail("%s contains a line break or tab", col)
	}
	return s
}

func (f *fields) date(col string, required bool) portal.Date {
	s := f.str(col, required, maxShort)
	if s == "" {
		return portal.Date{}
	}
	d, err := portal.ParseDay(s)
	if err != nil {
		f.fail("bad date %q in %s: want d.m.yyyy or yyyy-mm-dd", s, col)
	}
	return d
}

func (f *fields) datetime(col string, required bool) time.Time {
	s := f.str(col, required, maxShort)
	if s == "" {
		return time.Time{}
	}
	t, err := ParseTime(s)
	if err != nil {
		f.fail("bad time %q in %s: want d.m.yyyy [hh:mm], yyyy-mm-dd [hh:mm] or RFC 3339", s, col)
	}
	return t
}

// decimal reads a number with scale decimals as an integer of
// 10^-scale units; negative numbers only where allowed.
func (f *fields) decimal(col string, required bool, scale int, negative bool, what string) int64 {
	s := f.str(col, required, maxShort)
	if s == "" {
		return 0
	}
	v, err := portal.ParseDecimal(s, scale)
	switch {
	case err != nil:
		f.fail("garbled %s %q in %s: want e.g. %s", what, s, col, example(scale))
	case v < 0 && !negative:
		f.fail("negative %s %q in %s", what, s, col)
	}
	return v
}

func example(scale int) string {
	switch scale {
	case 2:
		return "1 234,50"
	case 3:
		return "2,5"
	}
	return "12"
}

func (f *fields) boolean(col string) bool {
	s := strings.ToLower(f.str(col, false, maxShort))
	switch s {
	case "", "0", "false", "ei", "e", "no", "n":
		return false
	case "1", "true", "kyllä", "k", "yes", "y", "x":
		return true
	}
	f.fail("bad yes/no value %q in %s: want 1/0, true/false or kyllä/ei", s, col)
	return false
}

func (f *fields) integer(col string, required bool, lo, hi int) int {
	s := f.str(col, required, maxShort)
	if s == "" {
		return 0
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < lo || n > hi {
		f.fail("bad number %q in %s: want a whole number %d–%d", s, col, lo, hi)
	}
	return n
}

func (f *fields) email(col string) string {
	s := f.str(col, false, emailaddr.MaxLength+10)
	if s == "" {
		return ""
	}
	e, err := emailaddr.Check(s)
	switch {
	case errors.Is(err, emailaddr.ErrNotASCII):
		f.fail("bad email %q in %s: the part before the @ must be ASCII (letters a–z) after NFC", s, col)
	case errors.Is(err, emailaddr.ErrMixedScript):
		f.fail("bad email %q in %s: a label of the domain mixes scripts", s, col)
	case err != nil:
		f.fail("bad email %q in %s", s, col)
	}
	return e
}

var errBadTime = errors.New("bad time")

// ParseTime reads a moment: RFC 3339, or a date (Finnish or ISO) with an
// optional hh:mm[:ss] in Helsinki time. A date alone is its midnight.
func ParseTime(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC(), nil
	}
	date, clock, _ := strings.Cut(s, " ")
	if clock == "" {
		date, clock, _ = strings.Cut(s, "T")
	}
	d, err := portal.ParseDay(date)
	if err != nil {
		return time.Time{}, err
	}
	h, mi, sec := 0, 0, 0
	if clock = strings.TrimSpace(clock); clock != "" {
		p := strings.Split(strings.ReplaceAll(clock, ".", ":"), ":")
		if len(p) < 2 || len(p) > 3 {
			return time.Time{}, errBadTime
		}
		vals := []*int{&h, &mi, &sec}
		for i, x := range p {
			if len(x) < 1 || len(x) > 2 {
				return time.Time{}, errBadTime
			}
			n, err := strconv.ParseUint(x, 10, 8)
			if err != nil {
				return time.Time{}, errBadTime
			}
			*vals[i] = int(n)
		}
		if h > 23 || mi > 59 || sec > 59 {
			return time.Time{}, errBadTime
		}
	}
	return time.Date(d.Year, d.Month, d.Day, h, mi, sec, 0, portal.Helsinki).UTC(), nil
}
