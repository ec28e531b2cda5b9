// Package pushtest is a push service for tests: an HTTPS server on
// loopback that checks each request the way a real push service and a
// browser would, with code of its own rather than the sending library's —
// the VAPID token (RFC 8292: ES256 signature against the key in the
// Authorization header, audience, expiry, subscriber) and the payload
// encryption (RFC 8291: aes128gcm records of RFC 8188, decrypted with the
// subscription's private key).
package pushtest

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// Service is a running test push service.
type Service struct {
	srv     *httptest.Server
	mu      sync.Mutex
	subs    map[string]*Subscriber // by the token in the endpoint's path
	answers []Answer
	got     []Delivery
}

// Answer is what the service answers to one request that passed its
// checks (a refused request always gets 400).
type Answer struct {
	Status     int
	RetryAfter string // the Retry-After header, if any
}

// Delivery is one request the service received.
type Delivery struct {
	Endpoint string
	// Plaintext is the decrypted payload.
	Plaintext []byte
	// VAPIDKey is the k= of the Authorization header (base64url).
	VAPIDKey string
	Claims   Claims
	TTL      string
	// Status is what the service answered.
	Status int
	// Err says why the request was refused (nil when it passed the checks).
	Err error
}

// Claims are the VAPID token's claims.
type Claims struct {
	Aud string `json:"aud"`
	Exp int64  `json:"exp"`
	Sub string `json:"sub"`
}

// Subscriber is one browser's subscription: the key pair and secret a
// browser makes, and the endpoint the service gave it.
type Subscriber struct {
	Endpoint string
	key      *ecdh.PrivateKey
	auth     []byte
}

// P256dh is the subscription's public key as PushSubscription.toJSON gives it.
func (s *Subscriber) P256dh() string {
	return base64.RawURLEncoding.EncodeToString(s.key.PublicKey().Bytes())
}

// Auth is the subscription's authentication secret as toJSON gives it.
func (s *Subscriber) Auth() string { return base64.RawURLEncoding.EncodeToString(s.auth) }

// New starts a service, closed when the test ends.
func New(t testing.TB) *Service {
	s := &Service{subs: map[string]*Subscriber{}}
	s.srv = httptest.NewTLSServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.srv.Close)
	return s
}

// Host is the service's host name as endpoints carry it ("127.0.0.1"), for
// the senders' allow-lists.
func (s *Service) Host() string {
	u, _ := url.Parse(s.srv.URL)
	return u.Hostname()
}

// TLS is a client configuration that trusts the service's certificate.
func (s *Service) TLS() *tls.Config {
	pool := x509.NewCertPool()
	pool.AddCert(s.srv.Certificate())
	return &tls.Config{RootCAs: pool}
}

// Subscribe makes a subscription as a browser would: a fresh P-256 key
// pair, a 16-byte secret and a new endpoint.
func (s *Service) Subscribe(t testing.TB) *Subscriber {
	t.Helper()
	key, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	auth := make([]byte, 16)
	rand.Read(auth)
	token := make([]byte, 12)
	rand.Read(token)
	sub := &Subscriber{Endpoint: s.srv.URL + "/push/" + hex.EncodeToString(token), key: key, auth: auth}
	s.mu.Lock()
	s.subs[hex.EncodeToString(token)] = sub
	s.mu.Unlock()
	return sub
}

// Answer queues answers for the next requests that pass the checks; when
// none is queued the service answers 201 Created.
func (s *Service) Answer(a ...Answer) {
	s.mu.Lock()
	s.answers = append(s.answers, a...)
	s.mu.Unlock()
}

// Deliveries returns every request received so far.
func (s *Service) Deliveries() []Delivery {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Delivery(nil), s.got...)
}

func (s *Service) serve(w http.ResponseWriter, r *http.Request) {
	d := Delivery{Endpoint: "https://" + r.Host + r.URL.Path, TTL: r.Header.Get("TTL")}
	token, ok := strings.CutPrefix(r.URL.Path, "/push/")
	s.mu.Lock()
	sub := s.subs[token]
	s.mu.Unlock()
	switch {
	case r.Method != http.MethodPost:
		d.Err = fmt.Errorf("method %s", r.Method)
	case !ok || sub == nil:
		d.Err = errors.New("unknown subscription")
	default:
		d.Err = s.check(r, sub, &d)
	}
	d.Status = http.StatusBadRequest
	if d.Err == nil {
		d.Status = http.StatusCreated
		s.mu.Lock()
		if len(s.answers) > 0 {
			a := s.answers[0]
			s.answers = s.answers[1:]
			d.Status = a.Status
			if a.RetryAfter != "" {
				w.Header().Set("Retry-After", a.RetryAfter)
			}
		}
		s.mu.Unlock()
	}
	s.mu.Lock()
	s.got = append(s.got, d)
	s.mu.Unlock()
	if d.Status == http.StatusCreated {
		w.Header().Set("Location", "/message/1")
	}
	w.WriteHeader(d.Status)
	if d.Err != nil {
		io.WriteString(w, d.Err.Error())
	}
}

// check verifies the VAPID token and decrypts the payload into d.
func (s *Service) check(r *http.Request, sub *Subscriber, d *Delivery) error {
	if ce := r.Header.Get("Content-Encoding"); ce != "aes128gcm" {
		return fmt.Errorf("Content-Encoding %q, want aes128gcm", ce)
	}
	if d.TTL == "" {
		return errors.New("no TTL header")
	}
	token, key, err := parseVAPID(r.Header.Get("Authorization"))
	if err != nil {
		return err
	}
	d.VAPIDKey = key
	if d.Claims, err = verifyJWT(token, key, "https://"+r.Host, time.Now()); err != nil {
		return err
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 8192))
	if err != nil {
		return err
	}
	d.Plaintext, err = Decrypt(body, sub.key, sub.auth)
	return err
}

// parseVAPID splits `vapid t=<jwt>, k=<key>` (RFC 8292 section 3).
func parseVAPID(h string) (token, key string, err error) {
	rest, ok := strings.CutPrefix(h, "vapid ")
	if !ok {
		return "", "", fmt.Errorf("Authorization %q is not vapid", h)
	}
	for _, part := range strings.Split(rest, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "t":
			token = v
		case "k":
			key = v
		}
	}
	if token == "" || key == "" {
		return "", "", errors.New("vapid authorization lacks t or k")
	}
	return token, key, nil
}

// verifyJWT checks an ES256 JWT against the uncompressed P-256 key k and
// the claims RFC 8292 requires: aud the endpoint's origin, exp in the
// future and at most 24 hours ahead, sub present.
func verifyJWT(token, k, origin string, now time.Time) (Claims, error) {
	var c Claims
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return c, errors.New("jwt: not three parts")
	}
	var hdr struct{ Alg, Typ string }
	if err := decodeJSON(parts[0], &hdr); err != nil {
		return c, fmt.Errorf("jwt header: %w", err)
	}
	if hdr.Alg != "ES256" {
		return c, fmt.Errorf("jwt alg %q, want ES256", hdr.Alg)
	}
	raw, err := base64.RawURLEncoding.DecodeString(k)
	if err != nil {
		return c, fmt.Errorf("vapid key: %w", err)
	}
	pub, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), raw)
	if err != nil {
		return c, fmt.Errorf("vapid key: %w", err)
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil || len(sig) != 64 {
		return c, errors.New("jwt signature is not 64 bytes of base64url")
	}
	sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if !ecdsa.Verify(pub, sum[:], new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])) {
		return c, errors.New("jwt signature does not verify")
	}
	if err := decodeJSON(parts[1], &c); err != nil {
		return c, fmt.Errorf("jwt claims: %w", err)
	}
	exp := time.Unix(c.Exp, 0)
	switch {
	case c.Aud != origin:
		return c, fmt.Errorf("jwt aud %q, want %q", c.Aud, origin)
	case !exp.After(now):
		return c, fmt.Errorf("jwt expired at %s", exp)
	case exp.After(now.Add(24*time.Hour + time.Minute)):
		return c, fmt.Errorf("jwt exp %s is more than 24 h ahead", exp)
	case !strings.HasPrefix(c.Sub, "mailto:") && !strings.HasPrefix(c.Sub, "https:"):
		return c, fmt.Errorf("jwt sub %q is not a mailto: or https: URL", c.Sub)
	case c.Sub == "mailto:":
		return c, errors.New("jwt sub has no address")
	}
	return c, nil
}

func decodeJSON(part string, v any) error {
	b, err := base64.RawURLEncoding.DecodeString(part)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

// Decrypt opens an aes128gcm body (RFC 8188) encrypted to a Web Push
// subscription (RFC 8291) with its private key ua and secret auth.
func Decrypt(body []byte, ua *ecdh.PrivateKey, auth []byte) ([]byte, error) {
	// Header: salt(16) | rs(4) | idlen(1) | keyid(idlen), keyid being the
	// sender's one-time public key.
	if len(body) < 21 {
		return nil, errors.New("aes128gcm: body shorter than its header")
	}
	salt, rs, idlen := body[:16], binary.BigEndian.Uint32(body[16:20]), int(body[20])
	if rs < 18 || len(body) < 21+idlen {
		return nil, fmt.Errorf("aes128gcm: record size %d, key id length %d", rs, idlen)
	}
	asPub, err := ecdh.P256().NewPublicKey(body[21 : 21+idlen])
	if err != nil {
		return nil, fmt.Errorf("aes128gcm: sender key: %w", err)
	}
	shared, err := ua.ECDH(asPub)
	if err != nil {
		return nil, err
	}
	// RFC 8291 section 3.4: IKM from the shared secret, keyed by the auth
	// secret and bound to both public keys; then RFC 8188's key and nonce.
	info := "WebPush: info\x00" + string(ua.PublicKey().Bytes()) + string(asPub.Bytes())
	ikm, err := hkdf.Key(sha256.New, shared, auth, info, 32)
	if err != nil {
		return nil, err
	}
	prk, err := hkdf.Extract(sha256.New, ikm, salt)
	if err != nil {
		return nil, err
	}
	cek, err := hkdf.Expand(sha256.New, prk, "Content-Encoding: aes128gcm\x00", 16)
	if err != nil {
		return nil, err
	}
	nonce, err := hkdf.Expand(sha256.New, prk, "Content-Encoding: nonce\x00", 12)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(cek)
	if err != nil {
		return nil, err
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	records := body[21+idlen:]
	if len(records) == 0 {
		return nil, errors.New("aes128gcm: no records")
	}
	var out []byte
	for seq := uint64(0); len(records) > 0; seq++ {
		n := min(int(rs), len(records))
		rec := records[:n]
		records = records[n:]
		iv := make([]byte, 12)
		copy(iv, nonce)
		// The record's sequence number is XORed into the nonce's low bits.
		var sq [8]byte
		binary.BigEndian.PutUint64(sq[:], seq)
		for i := range sq {
			iv[4+i] ^= sq[i]
		}
		plain, err := gcm.Open(nil, iv, rec, nil)
		if err != nil {
			return nil, fmt.Errorf("aes128gcm: record %d: %w", seq, err)
		}
		i := len(plain) - 1
		for i >= 0 && plain[i] == 0 {
			i--
		}
		if i < 0 {
			return nil, fmt.Errorf("aes128gcm: record %d has no padding delimiter", seq)
		}
		last := len(records) == 0
		if last && plain[i] != 2 || !last && plain[i] != 1 {
			return nil, fmt.Errorf("aes128gcm: record %d delimiter %d", seq, plain[i])
		}
		out = append(out, plain[:i]...)
	}
	return out, nil
}
