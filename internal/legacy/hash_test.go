package legacy

import (
	"asiakassivu/internal/portal"
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
		params, canonical, err := SplitHash(portal.LegacyBcrypt, string(h), "")
		if err != nil {
			t.Fatalf("split %s: %v", h, err)
		}
		got, err := Hash(portal.LegacyBcrypt, params, tc.pw)
		if err != nil || !HashEqual(got, canonical) {
			t.Errorf("cost %d %q: got %s, %v; want %s", tc.cost, tc.pw, got, err, canonical)
		}
		if wrong, _ := Hash(portal.LegacyBcrypt, params, tc.pw+"!"); len(tc.pw) < 72 && HashEqual(wrong, canonical) {
			t.Errorf("wrong password matched for %q", tc.pw)
		}
	}
}

func TestLegacySHA256(t *testing.T) {
	sum := sha256.Sum256([]byte("NaCl" + "vanha-salasana"))
	hash := hex.EncodeToString(sum[:])
	params, canonical, err := SplitHash(portal.LegacySHA256, upper(hash), "NaCl")
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := Hash(portal.LegacySHA256, params, "vanha-salasana"); got != canonical {
		t.Errorf("got %s want %s", got, canonical)
	}
	if got, _ := Hash(portal.LegacySHA256, params, "väärä"); got == canonical {
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
		alg        portal.LegacyAlgorithm
		hash, salt string
		want       error
	}{
		{"unknown algorithm", "md5", "abc", "", ErrAlgorithm},
		{"bcrypt too short", portal.LegacyBcrypt, string(good[:59]), "", ErrHash},
		{"bcrypt wrong prefix", portal.LegacyBcrypt, "$1$" + string(good[3:]), "", ErrHash},
		{"bcrypt with a salt column", portal.LegacyBcrypt, string(good), "NaCl", ErrHash},
		{"bcrypt cost 3", portal.LegacyBcrypt, "$2a$03$" + string(good[7:]), "", ErrHash},
		{"sha256 not hex", portal.LegacySHA256, "zz", "NaCl", ErrHash},
		{"sha256 short", portal.LegacySHA256, "abcd", "NaCl", ErrHash},
		{"sha256 no salt", portal.LegacySHA256, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "", ErrHash},
	} {
		if _, _, err := SplitHash(tc.alg, tc.hash, tc.salt); !errors.Is(err, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.name, err, tc.want)
		}
	}
}
