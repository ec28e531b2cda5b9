package web

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/go-webauthn/webauthn/protocol/webauthncbor"
)

// softKey is a software passkey: it answers the server's WebAuthn options
// as a browser with a platform authenticator would (no attestation, user
// present and verified), so the tests can register and use passkeys over
// HTTP without a browser.
type softKey struct {
	origin, rpID string
	priv         *ecdsa.PrivateKey
	id           []byte
	user         []byte // the user handle the key was made for
	count        uint32
}

func newSoftKey(t *testing.T, origin string) *softKey {
	t.Helper()
	u, err := url.Parse(origin)
	if err != nil {
		t.Fatal(err)
	}
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	id := make([]byte, 16)
	rand.Read(id)
	return &softKey{origin: origin, rpID: u.Hostname(), priv: priv, id: id}
}

var b64 = base64.RawURLEncoding

func (k *softKey) authData(flags byte, attested []byte) []byte {
	rp := sha256.Sum256([]byte(k.rpID))
	k.count++
	d := append(rp[:], flags, 0, 0, 0, 0)
	binary.BigEndian.PutUint32(d[len(d)-4:], k.count)
	return append(d, attested...)
}

func (k *softKey) clientData(typ, challenge string) []byte {
	b, _ := json.Marshal(map[string]any{"type": typ, "challenge": challenge, "origin": k.origin, "crossOrigin": false})
	return b
}

// create answers the options of navigator.credentials.create.
func (k *softKey) create(t *testing.T, options json.RawMessage) json.RawMessage {
	t.Helper()
	var o struct {
		PublicKey struct {
			Challenge string `json:"challenge"`
			User      struct {
				ID string `json:"id"`
			} `json:"user"`
		} `json:"publicKey"`
	}
	if err := json.Unmarshal(options, &o); err != nil {
		t.Fatalf("creation options: %v\n%s", err, options)
	}
	var err error
	if k.user, err = b64.DecodeString(o.PublicKey.User.ID); err != nil {
		t.Fatal(err)
	}
	pub, err := webauthncbor.Marshal(map[int]any{1: 2, 3: -7, -1: 1,
		-2: k.priv.PublicKey.X.FillBytes(make([]byte, 32)), -3: k.priv.PublicKey.Y.FillBytes(make([]byte, 32))})
	if err != nil {
		t.Fatal(err)
	}
	attested := make([]byte, 16, 16+2+len(k.id)+len(pub)) // AAGUID: none
	attested = binary.BigEndian.AppendUint16(attested, uint16(len(k.id)))
	attested = append(append(attested, k.id...), pub...)
	obj, err := webauthncbor.Marshal(map[string]any{"fmt": "none", "attStmt": map[string]any{},
		"authData": k.authData(0x45, attested)}) // user present, verified, attested credential
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(map[string]any{"id": b64.EncodeToString(k.id), "rawId": b64.EncodeToString(k.id), "type": "public-key",
		"response": map[string]any{"clientDataJSON": b64.EncodeToString(k.clientData("webauthn.create", o.PublicKey.Challenge)),
			"attestationObject": b64.EncodeToString(obj), "transports": []string{"internal"}},
		"clientExtensionResults": map[string]any{}, "authenticatorAttachment": "platform"})
	return b
}

// get answers the options of navigator.credentials.get.
func (k *softKey) get(t *testing.T, options json.RawMessage) json.RawMessage {
	t.Helper()
	var o struct {
		PublicKey struct {
			Challenge string `json:"challenge"`
		} `json:"publicKey"`
	}
	if err := json.Unmarshal(options, &o); err != nil {
		t.Fatalf("request options: %v\n%s", err, options)
	}
	data := k.authData(0x05, nil)
	cd := k.clientData("webauthn.get", o.PublicKey.Challenge)
	h := sha256.Sum256(cd)
	digest := sha256.Sum256(append(append([]byte{}, data...), h[:]...))
	sig, err := ecdsa.SignASN1(rand.Reader, k.priv, digest[:])
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(map[string]any{"id": b64.EncodeToString(k.id), "rawId": b64.EncodeToString(k.id), "type": "public-key",
		"response": map[string]any{"clientDataJSON": b64.EncodeToString(cd), "authenticatorData": b64.EncodeToString(data),
			"signature": b64.EncodeToString(sig), "userHandle": b64.EncodeToString(k.user)},
		"clientExtensionResults": map[string]any{}, "authenticatorAttachment": "platform"})
	return b
}

// ceremony is a passkey endpoint's answer.
type ceremony struct {
	status int
	Token  string          `json:"token"`
	Opts   json.RawMessage `json:"options"`
	Codes  []string        `json:"codes"`
	Error  string          `json:"error"`
}

func ceremonyPost(t *testing.T, c *http.Client, u string, body any) ceremony {
	t.Helper()
	b, _ := json.Marshal(body)
	r, err := c.Post(u, "application/json", strings.NewReader(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Body.Close()
	out := ceremony{status: r.StatusCode}
	json.NewDecoder(r.Body).Decode(&out)
	return out
}

// addPasskey runs the registration ceremony of the profile with k; it
// returns the finishing answer (or the beginning's, when that was refused).
func (e *env) addPasskey(t *testing.T, c *http.Client, k *softKey) ceremony {
	t.Helper()
	begun := ceremonyPost(t, c, e.srv.URL+"/profiili/avainkoodit/aloita", nil)
	if begun.status != http.StatusOK {
		return begun
	}
	return ceremonyPost(t, c, e.srv.URL+"/profiili/avainkoodit", map[string]any{"token": begun.Token,
		"credential": k.create(t, begun.Opts), "name": "hyökkääjä"})
}

// passkeySignIn signs c in with k at the sign-in page's passkey button.
func (e *env) passkeySignIn(t *testing.T, c *http.Client, k *softKey) ceremony {
	t.Helper()
	begun := ceremonyPost(t, c, e.srv.URL+"/avainkoodi/aloita", nil)
	if begun.status != http.StatusOK {
		t.Fatalf("begin passkey sign-in: %d", begun.status)
	}
	return ceremonyPost(t, c, e.srv.URL+"/avainkoodi", map[string]any{"token": begun.Token, "credential": k.get(t, begun.Opts)})
}
