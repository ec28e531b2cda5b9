package portal

import "testing"

func TestValidBusinessID(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want bool
	}{
		{"0112038-9", true},  // 0·7+1·9+1·10+2·5+0·8+3·4+8·2 = 57; 57 mod 11 = 2; 11−2 = 9
		{"1572860-0", true},  // sum 220, remainder 0 → check 0
		{"0112038-8", false}, // wrong check digit
		{"112038-9", false},
		{"01120389", false},
		{"0112038-x", false},
		{"a112038-9", false},
		{"", false},
	} {
		if got := ValidBusinessID(tc.in); got != tc.want {
			t.Errorf("ValidBusinessID(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}
