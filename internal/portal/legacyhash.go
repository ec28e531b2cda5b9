package portal

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"

	"golang.org/x/crypto/blowfish"
)

// LegacyAlgorithm names how the old extranet hashed a password; each
// imported credential row names its own (PRODUCT.md C8).
type LegacyAlgorithm string

// The legacy algorithms the import accepts.
const (
	// LegacyBcrypt: a modular-crypt bcrypt string ($2a$, $2b$ or $2y$).
	LegacyBcrypt LegacyAlgorithm = "bcrypt"
	// LegacySHA256: lowercase hex of SHA-256(salt || password), the salt
	// given in its own column.
	LegacySHA256 LegacyAlgorithm = "sha256-salted"
)

// ErrLegacyHash means a legacy credential row's hash (or salt) does not
// have the shape its algorithm needs.
var ErrLegacyHash = errors.New("legacy hash not valid for its algorithm")

// ErrLegacyAlgorithm means the row names an algorithm the import does not
// know.
var ErrLegacyAlgorithm = errors.New("unknown legacy hash algorithm")

// bcryptB64 is bcrypt's own base-64 alphabet (not the standard one).
var bcryptB64 = base64.NewEncoding("./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789").WithPadding(base64.NoPadding)

// SplitLegacyHash checks a legacy hash as exported and splits it into the
// part that may be stored in the clear (params: what LegacyHash needs to
// recompute it from a typed password) and the canonical hash, which is only
// ever stored wrapped in argon2id. salt is the export's salt column (used
// by sha256-salted only).
func SplitLegacyHash(alg LegacyAlgorithm, hash, salt string) (params, canonical string, err error) {
	switch alg {
	case LegacyBcrypt:
		if _, _, err := parseBcryptPrefix(hash); err != nil || len(hash) != 60 {
			return "", "", ErrLegacyHash
		}
		if _, err := bcryptB64.DecodeString(hash[29:]); err != nil || salt != "" {
			return "", "", ErrLegacyHash
		}
		return hash[:29], hash, nil
	case LegacySHA256:
		h := strings.ToLower(hash)
		if b, err := hex.DecodeString(h); err != nil || len(b) != sha256.Size || salt == "" || len(salt) > 256 {
			return "", "", ErrLegacyHash
		}
		return salt, h, nil
	}
	return "", "", ErrLegacyAlgorithm
}

// LegacyHash recomputes the legacy hash of password with the stored
// params, for checking against the wrapped canonical hash. The password is
// used byte for byte, as the old system did.
func LegacyHash(alg LegacyAlgorithm, params, password string) (string, error) {
	switch alg {
	case LegacyBcrypt:
		cost, salt, err := parseBcryptPrefix(params)
		if err != nil || len(params) != 29 {
			return "", ErrLegacyHash
		}
		return params + bcryptB64.EncodeToString(bcryptRaw([]byte(password), salt, cost)), nil
	case LegacySHA256:
		sum := sha256.Sum256([]byte(params + password))
		return hex.EncodeToString(sum[:]), nil
	}
	return "", ErrLegacyAlgorithm
}

// parseBcryptPrefix reads "$2a$10$" and the 22-character salt after it.
func parseBcryptPrefix(s string) (cost int, salt []byte, err error) {
	if len(s) < 29 || s[0] != '$' || s[1] != '2' || !strings.ContainsRune("aby", rune(s[2])) || s[3] != '$' || s[6] != '$' {
		return 0, nil, ErrLegacyHash
	}
	cost, err = strconv.Atoi(s[4:6])
	if err != nil || cost < 4 || cost > 31 {
		return 0, nil, ErrLegacyHash
	}
	salt, err = bcryptB64.DecodeString(s[7:29])
	if err != nil || len(salt) != 16 {
		return 0, nil, ErrLegacyHash
	}
	return cost, salt, nil
}

// bcryptRaw is the bcrypt (Provos–Mazières) core: EksBlowfish setup with
// the given salt and cost, then "OrpheanBeholderScryDoubt" encrypted 64
// times; it returns the 23 bytes the modular-crypt string encodes. The
// standard library's bcrypt package only hashes with a fresh salt, and the
// import must recompute the old hash with the old one.
func bcryptRaw(password, salt []byte, cost int) []byte {
	key := append(append([]byte{}, password...), 0)
	if len(key) > 72 {
		key = key[:72]
	}
	c, _ := blowfish.NewSaltedCipher(key, salt) // key is never empty: it ends in NUL
	for i := 0; i < 1<<cost; i++ {
		blowfish.ExpandKey(key, c)
		blowfish.ExpandKey(salt, c)
	}
	text := []byte("OrpheanBeholderScryDoubt")
	for i := 0; i < 24; i += 8 {
		for range 64 {
			c.Encrypt(text[i:i+8], text[i:i+8])
		}
	}
	return text[:23]
}

// LegacyHashEqual compares two canonical legacy hashes in constant time.
func LegacyHashEqual(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// LegacyEligible is the legacy bridge's rule (PRODUCT.md C8): old
// credentials open the way to a new account for a customer whose regular
// contract began before the cut-over date, while the retirement date is
// still ahead.
func LegacyEligible(regularSince, cutover, retirement, today Date) bool {
	return !regularSince.IsZero() && regularSince.Before(cutover) && today.Before(retirement)
}
