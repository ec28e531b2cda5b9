package legacy

// The old extranet's password hashes, recomputed for the legacy bridge.
// They live beside the export they come in so that portal imports only the
// standard library (bcrypt needs x/crypto's blowfish).

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"

	"golang.org/x/crypto/blowfish"

	"asiakassivu/internal/portal"
)

// ErrHash means a legacy credential row's hash (or salt) does not
// have the shape its algorithm needs.
var ErrHash = errors.New("legacy hash not valid for its algorithm")

// ErrAlgorithm means the row names an algorithm the import does not
// know.
var ErrAlgorithm = errors.New("unknown legacy hash algorithm")

// bcryptB64 is bcrypt's own base-64 alphabet (not the standard one).
var bcryptB64 = base64.NewEncoding("./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789").WithPadding(base64.NoPadding)

// SplitHash checks a legacy hash as exported and splits it into the
// part that may be stored in the clear (params: what Hash needs to
// recompute it from a typed password) and the canonical hash, which is only
// ever stored wrapped in argon2id. salt is the export's salt column (used
// by sha256-salted only).
func SplitHash(alg portal.LegacyAlgorithm, hash, salt string) (params, canonical string, err error) {
	switch alg {
	case portal.LegacyBcrypt:
		if _, _, err := parseBcryptPrefix(hash); err != nil || len(hash) != 60 {
			return "", "", ErrHash
		}
		if _, err := bcryptB64.DecodeString(hash[29:]); err != nil || salt != "" {
			return "", "", ErrHash
		}
		return hash[:29], hash, nil
	case portal.LegacySHA256:
		h := strings.ToLower(hash)
		if b, err := hex.DecodeString(h); err != nil || len(b) != sha256.Size || salt == "" || len(salt) > 256 {
			return "", "", ErrHash
		}
		return salt, h, nil
	}
	return "", "", ErrAlgorithm
}

// Hash recomputes the legacy hash of password with the stored
// params, for checking against the wrapped canonical hash. The password is
// used byte for byte, as the old system did.
func Hash(alg portal.LegacyAlgorithm, params, password string) (string, error) {
	switch alg {
	case portal.LegacyBcrypt:
		cost, salt, err := parseBcryptPrefix(params)
		if err != nil || len(params) != 29 {
			return "", ErrHash
		}
		return params + bcryptB64.EncodeToString(bcryptRaw([]byte(password), salt, cost)), nil
	case portal.LegacySHA256:
		sum := sha256.Sum256([]byte(params + password))
		return hex.EncodeToString(sum[:]), nil
	}
	return "", ErrAlgorithm
}

// parseBcryptPrefix reads "$2a$10$" and the 22-character salt after it.
func parseBcryptPrefix(s string) (cost int, salt []byte, err error) {
	if len(s) < 29 || s[0] != '$' || s[1] != '2' || !strings.ContainsRune("aby", rune(s[2])) || s[3] != '$' || s[6] != '$' {
		return 0, nil, ErrHash
	}
	cost, err = strconv.Atoi(s[4:6])
	if err != nil || cost < 4 || cost > 31 {
		return 0, nil, ErrHash
	}
	salt, err = bcryptB64.DecodeString(s[7:29])
	if err != nil || len(salt) != 16 {
		return 0, nil, ErrHash
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

// HashEqual compares two canonical legacy hashes in constant time.
func HashEqual(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}
