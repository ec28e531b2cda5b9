package portal

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"testing"

	"golang.org/x/crypto/bcrypt"
)

// TestLegacyBcryptRecomputes: a hash made by x/crypto/bcrypt with its own
// random salt is recomputed exactly from the stored prefix, for several
// costs, a password at bcrypt's 72-byte limit, and non-ASCII.
func TestLegacyBcryptRecomputes(t *testing.T) {
	long := "0123456789012345678901234567890123456789012345678901234567890123456789xy"
	for _, tc := range []struct {
		pw   string
		cost int
	}{{"salasana", 4}, {"Pässwörd-€", 5}, {long, 4}, {"x", 10}} {
		h, err := bcrypt.GenerateFromPassword([]byte(tc.pw), tc.cost)
		if err != nil {
			t.Fatal(err)
		}
		params, canonical, err := SplitLegacyHash(LegacyBcrypt, string(h), "")
		if err != nil {
			t.Fatalf("split %s: %v", h, err)
		}
		got, err := LegacyHash(LegacyBcrypt, params, tc.pw)
		if err != nil || !LegacyHashEqual(got, canonical) {
			t.Errorf("cost %d %q: got %s, %v; want %s", tc.cost, tc.pw, got, err, canonical)
		}
		if wrong, _ := LegacyHash(LegacyBcrypt, params, tc.pw+"!"); len(tc.pw) < 72 && LegacyHashEqual(wrong, canonical) {
			t.Errorf("wrong password matched for %q", tc.pw)
		}
	}
}

func TestLegacySHA256(t *testing.T) {
	sum := sha256.Sum256([]byte("NaCl" + "vanha-salasana"))
	hash := hex.EncodeToString(sum[:])
	params, canonical, err := SplitLegacyHash(LegacySHA256, upper(hash), "NaCl")
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := LegacyHash(LegacySHA256, params, "vanha-salasana"); got != canonical {
		t.Errorf("got %s want %s", got, canonical)
	}
	if got, _ := LegacyHash(LegacySHA256, params, "väärä"); got == canonical {
		t.Error("wrong password matched")
	}
}

func upper(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'a' && c <= 'f' {
			b[i] = c - 32
		}
	}
	return string(b)
}

func TestSplitLegacyHashRefuses(t *testing.T) {
	good, _ := bcrypt.GenerateFromPassword([]byte("x"), 4)
	for _, tc := range []struct {
		name       string
		alg        LegacyAlgorithm
		hash, salt string
		want       error
	}{
		{"unknown algorithm", "md5", "abc", "", ErrLegacyAlgorithm},
		{"bcrypt too short", LegacyBcrypt, string(good[:59]), "", ErrLegacyHash},
		{"bcrypt wrong prefix", LegacyBcrypt, "$1$" + string(good[3:]), "", ErrLegacyHash},
		{"bcrypt with a salt column", LegacyBcrypt, string(good), "NaCl", ErrLegacyHash},
		{"bcrypt cost 3", LegacyBcrypt, "$2a$03$" + string(good[7:]), "", ErrLegacyHash},
		{"sha256 not hex", LegacySHA256, "zz", "NaCl", ErrLegacyHash},
		{"sha256 short", LegacySHA256, "abcd", "NaCl", ErrLegacyHash},
		{"sha256 no salt", LegacySHA256, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "", ErrLegacyHash},
	} {
		if _, _, err := SplitLegacyHash(tc.alg, tc.hash, tc.salt); !errors.Is(err, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.name, err, tc.want)
		}
	}
}

func TestLegacyEligible(t *testing.T) {
	cut, ret := NewDate(2024, 11, 26), NewDate(2025, 3, 31)
	for _, tc := range []struct {
		name         string
		since, today Date
		want         bool
	}{
		{"old customer before retirement", NewDate(2019, 8, 15), NewDate(2025, 1, 10), true},
		{"day before retirement", NewDate(2019, 8, 15), NewDate(2025, 3, 30), true},
		{"on the retirement date", NewDate(2019, 8, 15), NewDate(2025, 3, 31), false},
		{"after retirement", NewDate(2019, 8, 15), NewDate(2026, 11, 28), false},
		{"contract began the day before the cut-over", NewDate(2024, 11, 25), NewDate(2025, 1, 10), true},
		{"contract began on the cut-over", NewDate(2024, 11, 26), NewDate(2025, 1, 10), false},
		{"no regular contract", Date{}, NewDate(2025, 1, 10), false},
	} {
		if got := LegacyEligible(tc.since, cut, ret, tc.today); got != tc.want {
			t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
		}
	}
}
