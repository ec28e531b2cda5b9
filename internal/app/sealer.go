package app

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Sealer encrypts personal data at rest (identity codes) with AES-256-GCM
// and a random nonce. Opening with the wrong key fails; it never returns
// garbage.
type Sealer struct{ aead cipher.AEAD }

// NewSealer returns a sealer for a 32-byte key.
func NewSealer(key []byte) (*Sealer, error) {
	if len(key) != 32 {
		return nil, fmt.Errorf("secret key must be 32 bytes, got %d", len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Sealer{aead: aead}, nil
}

// Seal encrypts plain; the result is nonce || ciphertext.
func (s *Sealer) Seal(plain []byte) ([]byte, error) {
	nonce := make([]byte, s.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	return s.aead.Seal(nonce, nonce, plain, nil), nil
}

// ErrWrongKey means sealed data cannot be opened with this key.
var ErrWrongKey = errors.New("sealed data does not open with this secret key")

// Open decrypts what Seal produced.
func (s *Sealer) Open(sealed []byte) ([]byte, error) {
	n := s.aead.NonceSize()
	if len(sealed) < n+s.aead.Overhead() {
		return nil, ErrWrongKey
	}
	plain, err := s.aead.Open(nil, sealed[:n], sealed[n:], nil)
	if err != nil {
		return nil, ErrWrongKey
	}
	return plain, nil
}

// LoadOrCreateKey reads a hex-encoded 32-byte key from path, creating the
// file with a fresh random key (mode 0600) when it does not exist.
func LoadOrCreateKey(path string) (key []byte, created bool, err error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		key = make([]byte, 32)
		if _, err := rand.Read(key); err != nil {
			return nil, false, err
		}
		// With PostgreSQL nothing else creates the data directory.
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, false, fmt.Errorf("create secret key directory: %w", err)
		}
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return nil, false, fmt.Errorf("create secret key file: %w", err)
		}
		if _, err := f.WriteString(hex.EncodeToString(key) + "\n"); err != nil {
			f.Close()
			return nil, false, fmt.Errorf("write secret key file: %w", err)
		}
		return key, true, f.Close()
	}
	if err != nil {
		return nil, false, fmt.Errorf("read secret key file: %w", err)
	}
	key, err = hex.DecodeString(strings.TrimSpace(string(b)))
	if err != nil || len(key) != 32 {
		return nil, false, fmt.Errorf("secret key file %s must hold 64 hex characters", path)
	}
	return key, false, nil
}

// DerivedKey returns a key derived from the sealer's key for one purpose,
// named by label (the legacy import's keyed digests): the encryption of
// label under the all-zero nonce, which Seal never uses (its nonces are
// random), is a value only the key's holder can compute.
func (s *Sealer) DerivedKey(label string) []byte {
	nonce := make([]byte, s.aead.NonceSize())
	return s.aead.Seal(nil, nonce, []byte(label), nil)
}
