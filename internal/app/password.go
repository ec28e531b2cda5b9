package app

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"runtime"
	"strings"

	"golang.org/x/crypto/argon2"
	"golang.org/x/text/unicode/norm"
)

// Argon2Params are the argon2id cost parameters (SECURITY.md: m ≥ 19 MiB,
// t ≥ 2, p = 1).
type Argon2Params struct {
	MemoryKiB uint32
	Time      uint32
	Threads   uint8
}

// DefaultArgon2 is the cost used for new hashes.
var DefaultArgon2 = Argon2Params{MemoryKiB: 19 * 1024, Time: 2, Threads: 1}

const (
	saltLen = 16
	keyLen  = 32
)

// Hasher hashes and checks passwords with argon2id, at most a few at a time
// so that a burst of sign-ins cannot exhaust memory.
type Hasher struct {
	params Argon2Params
	slots  chan struct{}
	dummy  string
	count  func() // called once per hash computed; tests count work
}

// NewHasher returns a hasher with the given parameters, running at most
// max(1, NumCPU) hashes at once.
func NewHasher(p Argon2Params) *Hasher {
	h := &Hasher{params: p, slots: make(chan struct{}, max(1, runtime.NumCPU()))}
	b := make([]byte, 32)
	rand.Read(b)
	h.dummy, _ = h.Hash(context.Background(), base64.RawStdEncoding.EncodeToString(b))
	return h
}

// ErrPasswordMismatch means the password does not match the hash.
var ErrPasswordMismatch = errors.New("password mismatch")

// normPassword applies NFKC, so that the same password typed on another
// keyboard layout or device matches.
func normPassword(pw string) []byte { return []byte(norm.NFKC.String(pw)) }

// Hash returns the PHC string of pw.
func (h *Hasher) Hash(ctx context.Context, pw string) (string, error) {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("salt: %w", err)
	}
	key, err := h.compute(ctx, normPassword(pw), salt, h.params)
	if err != nil {
		return "", err
	}
	return encodePHC(h.params, salt, key), nil
}

// Check compares pw with a PHC string. It reports whether the hash should
// be replaced because its parameters are not the current ones.
func (h *Hasher) Check(ctx context.Context, phc, pw string) (rehash bool, err error) {
	p, salt, want, err := decodePHC(phc)
	if err != nil {
		return false, err
	}
	got, err := h.compute(ctx, normPassword(pw), salt, p)
	if err != nil {
		return false, err
	}
	if subtle.ConstantTimeCompare(got, want) != 1 {
		return false, ErrPasswordMismatch
	}
	return p != h.params, nil
}

// CheckDummy does the work of a Check against no account, so that an
// unknown address takes as long as a known one. It always fails.
func (h *Hasher) CheckDummy(ctx context.Context, pw string) error {
	h.Check(ctx, h.dummy, pw)
	return ErrPasswordMismatch
}

func (h *Hasher) compute(ctx context.Context, pw, salt []byte, p Argon2Params) ([]byte, error) {
	select {
	case h.slots <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-h.slots }()
	if h.count != nil {
		h.count()
	}
	return argon2.IDKey(pw, salt, p.Time, p.MemoryKiB, p.Threads, keyLen), nil
}

func encodePHC(p Argon2Params, salt, key []byte) string {
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.MemoryKiB, p.Time, p.Threads,
		b64.EncodeToString(salt), b64.EncodeToString(key))
}

var errBadPHC = errors.New("malformed password hash")

func decodePHC(s string) (Argon2Params, []byte, []byte, error) {
	var p Argon2Params
	parts := strings.Split(s, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return p, nil, nil, errBadPHC
	}
	var v int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &v); err != nil || v != argon2.Version {
		return p, nil, nil, errBadPHC
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.MemoryKiB, &p.Time, &p.Threads); err != nil {
		return p, nil, nil, errBadPHC
	}
	if p.MemoryKiB < 8*1024 || p.MemoryKiB > 1<<20 || p.Time < 1 || p.Time > 10 || p.Threads < 1 {
		return p, nil, nil, errBadPHC
	}
	b64 := base64.RawStdEncoding
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return p, nil, nil, errBadPHC
	}
	key, err := b64.DecodeString(parts[5])
	if err != nil || len(key) == 0 {
		return p, nil, nil, errBadPHC
	}
	return p, salt, key, nil
}
