package app

import (
	"strings"
	"testing"

	"github.com/trustelem/zxcvbn/frequency"
)

func TestPasswordPolicy(t *testing.T) {
	if n := len(frequency.FrequencyLists["passwords"]); n < 10000 {
		t.Fatalf("common-password list has %d entries, want ≥ 10 000", n)
	}
	tests := []struct {
		pw, email, want string
	}{
		{"", "", "error.password.empty"},
		{"lyhyt-sana", "", "error.password.short"},
		{strings.Repeat("ä", 129), "", "error.password.long"},
		{strings.ToUpper(longCommon()), "", "error.password.common"}, // on the list (case-insensitive)
		{"salasana1234", "", "error.password.guessable"},
		{"maija.virtanen1", "maija.virtanen@example.fi", "error.password.guessable"},
		{"demo-salasana-2025", "", ""},
		{"Aurinkoinen päivä 7", "", ""},
		{"Hyökkääjä tuli ensin 77", "", ""},
		{"ääääääääääää", "", "error.password.guessable"},
		{strings.Repeat("x", 11) + "ä", "", "error.password.guessable"}, // 12 characters, repetitive
		{"Ｌｏｎｇｅｒ ｆｕｌｌｗｉｄｔｈ ９", "", ""},                                  // NFKC-folded
	}
	for _, tt := range tests {
		if got := passwordProblem(tt.pw, tt.email); got != tt.want {
			t.Errorf("passwordProblem(%q) = %q, want %q", tt.pw, got, tt.want)
		}
	}
}

// longCommon returns the most common listed password of at least 12 characters.
func longCommon() string {
	for _, p := range frequency.FrequencyLists["passwords"] {
		if len(p) >= MinPasswordLength {
			return p
		}
	}
	return ""
}
