package portal

import "testing"

func TestParseDecimal(t *testing.T) {
	cases := []struct {
		in    string
		scale int
		want  int64
		ok    bool
	}{
		{"1 234,50", 2, 123450, true}, {"1\u00a0234,5", 2, 123450, true}, {"1\u202f234 €", 2, 123400, true},
		{"1234.50", 2, 123450, true}, {"0,05", 2, 5, true}, {"-12,50", 2, -1250, true}, {"−3", 2, -300, true},
		{"2,5", 3, 2500, true}, {"12 345 678,90", 2, 1234567890, true},
		{"12,3,4", 2, 0, false}, {"1,234", 2, 0, false}, {"12 34", 2, 0, false}, {"1.234,50", 2, 0, false},
		{"abc", 2, 0, false}, {"", 2, 0, false}, {",5", 2, 0, false}, {"5,", 2, 0, false}, {"1e3", 2, 0, false},
		{"99999999999999", 2, 0, false}, {"1  234", 2, 0, false},
	}
	for _, c := range cases {
		got, err := ParseDecimal(c.in, c.scale)
		if (err == nil) != c.ok || got != c.want {
			t.Errorf("ParseDecimal(%q, %d) = %d, %v; want %d, ok %v", c.in, c.scale, got, err, c.want, c.ok)
		}
	}
}

func TestParseDay(t *testing.T) {
	cases := []struct {
		in   string
		want Date
	}{
		{"1.3.2023", NewDate(2023, 3, 1)}, {"01.03.2023", NewDate(2023, 3, 1)}, {"29.2.2024", NewDate(2024, 2, 29)},
		{"2024-02-29", NewDate(2024, 2, 29)}, {"31.12.2024.", NewDate(2024, 12, 31)},
		{"29.2.2023", Date{}}, {"31.4.2024", Date{}}, {"2024-2-1", Date{}}, {"1.1.24", Date{}},
		{"0.1.2024", Date{}}, {"1/2/2024", Date{}}, {"", Date{}}, {"1.1.1800", Date{}},
	}
	for _, c := range cases {
		got, err := ParseDay(c.in)
		if got != c.want || (err == nil) == c.want.IsZero() {
			t.Errorf("ParseDay(%q) = %v, %v; want %v", c.in, got, err, c.want)
		}
	}
}
