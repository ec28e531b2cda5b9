package push

import (
	"bytes"
	"crypto/ecdh"
	"crypto/rand"
	"encoding/base64"
	"fmt"
)

// Keys is the server's VAPID key pair (RFC 8292), base64url without
// padding: the public key as an uncompressed P-256 point (what the browser's
// PushManager.subscribe takes as applicationServerKey), the private key as
// its 32-byte scalar. Every instance must sign with the same pair, since
// browsers bind each subscription to the public key it was made with.
type Keys struct {
	Public  string
	Private string
}

// GenerateKeys makes a new key pair.
func GenerateKeys() (Keys, error) {
	k, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		return Keys{}, fmt.Errorf("generate vapid keys: %w", err)
	}
	return Keys{
		Public:  base64.RawURLEncoding.EncodeToString(k.PublicKey().Bytes()),
		Private: base64.RawURLEncoding.EncodeToString(k.Bytes()),
	}, nil
}

// Check reports whether the pair is well formed and the public key belongs
// to the private one (a mismatch would sign tokens push services refuse).
func (k Keys) Check() error {
	priv, err := base64.RawURLEncoding.DecodeString(k.Private)
	if err != nil {
		return fmt.Errorf("vapid private key: %w", err)
	}
	key, err := ecdh.P256().NewPrivateKey(priv)
	if err != nil {
		return fmt.Errorf("vapid private key: %w", err)
	}
	pub, err := base64.RawURLEncoding.DecodeString(k.Public)
	if err != nil {
		return fmt.Errorf("vapid public key: %w", err)
	}
	if !bytes.Equal(key.PublicKey().Bytes(), pub) {
		return fmt.Errorf("vapid public key does not match the private key")
	}
	return nil
}
