package push_test

import (
	"context"
	"crypto/ecdh"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/netip"
	"strings"
	"testing"
	"time"

	"asiakassivu/internal/push"
	"asiakassivu/internal/push/pushtest"
)

// fakeResolver answers from a table, so no test depends on DNS.
type fakeResolver map[string][]string

func (f fakeResolver) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	addrs, ok := f[strings.TrimSuffix(host, ".")]
	if !ok {
		return nil, errors.New("no such host")
	}
	var out []netip.Addr
	for _, a := range addrs {
		out = append(out, netip.MustParseAddr(a))
	}
	return out, nil
}

var resolver = fakeResolver{
	"localhost":                         {"127.0.0.1", "::1"},
	"fcm.googleapis.com":                {"142.250.74.106", "2a00:1450:400f:80d::200a"},
	"updates.push.services.mozilla.com": {"34.117.47.176"},
	"inside.example.com":                {"10.1.2.3"},
	"mixed.example.com":                 {"93.184.215.14", "192.168.0.10"},
	"rebind.example.com":                {"::ffff:127.0.0.1"},
	"nat64.example.com":                 {"64:ff9b::a00:1"},
	"sixtofour.example.com":             {"2002:c0a8:101::1"},
	"metadata.example.com":              {"169.254.169.254"},
	"cgnat.example.com":                 {"100.64.0.1"},
}

// TestCheckEndpoint: only https URLs on public addresses pass; a name
// passes only when every address it resolves to is public.
func TestCheckEndpoint(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		endpoint string
		ok       bool
	}{
		{"http://fcm.googleapis.com/fcm/send/abc", false},
		{"https://127.0.0.1/push", false},
		{"https://localhost/push", false},
		{"https://10.0.0.1/push", false},
		{"https://192.168.1.1/push", false},
		{"https://169.254.1.1/push", false},
		{"https://[::1]/push", false},
		{"https://[fd00::1]/push", false},
		{"https://fcm.googleapis.com/fcm/send/abc:def", true},
		// More ways in, all refused.
		{"https://updates.push.services.mozilla.com:443/wpush/v2/gAAA", true},
		{"https://localhost./push", false},
		{"https://LOCALHOST/push", false},
		{"https://172.16.0.1/push", false},
		{"https://100.64.0.1/push", false},
		{"https://0.0.0.0/push", false},
		{"https://[::]/push", false},
		{"https://[::ffff:127.0.0.1]/push", false},
		{"https://[::ffff:10.0.0.1]/push", false},
		{"https://[fe80::1%25eth0]/push", false},
		{"https://[ff02::1]/push", false},
		{"https://224.0.0.1/push", false},
		{"https://255.255.255.255/push", false},
		{"https://inside.example.com/push", false},
		{"https://mixed.example.com/push", false},
		{"https://rebind.example.com/push", false},
		{"https://nat64.example.com/push", false},
		{"https://sixtofour.example.com/push", false},
		{"https://metadata.example.com/latest", false},
		{"https://cgnat.example.com/push", false},
		{"https://unknown.example.com/push", false},
		{"https://fcm.googleapis.com@10.0.0.1/push", false},
		{"https://127.1/push", false},
		{"https://2130706433/push", false},
		{"https://intranet/push", false},
		{"https://fcm.googleapis.com:0/push", false},
		{"ftp://fcm.googleapis.com/push", false},
		{"https:///push", false},
		{"", false},
		{"https://fcm.googleapis.com/" + strings.Repeat("a", push.MaxEndpointLength), false},
		{"https://93.184.215.14/push", true},
		{"https://93.184.215.14:443/push", true},
		{"https://93.184.215.14:8443/push", false},
		{"https://fcm.googleapis.com:25/push", false},
		{"https://[2a00:1450:400f:80d::200a]:444/push", false},
		{"https://[2a00:1450:400f:80d::200a]/push", true},
	}
	for _, c := range cases {
		err := push.CheckEndpoint(ctx, c.endpoint, resolver, nil)
		if c.ok && err != nil {
			t.Errorf("%q refused: %v", c.endpoint, err)
		}
		if !c.ok && !errors.Is(err, push.ErrEndpoint) {
			t.Errorf("%q: %v, want ErrEndpoint", c.endpoint, err)
		}
	}
	// The allow-list (tests only) lets the loopback test service through.
	if err := push.CheckEndpoint(ctx, "https://127.0.0.1:8443/push/x", resolver, []string{"127.0.0.1"}); err != nil {
		t.Errorf("allow-listed host refused: %v", err)
	}
	if err := push.CheckEndpoint(ctx, "http://127.0.0.1:8443/push/x", resolver, []string{"127.0.0.1"}); err == nil {
		t.Error("allow-listed host over http accepted")
	}
}

func TestCheckKeys(t *testing.T) {
	k, _ := ecdh.P256().GenerateKey(rand.Reader)
	pub := base64.RawURLEncoding.EncodeToString(k.PublicKey().Bytes())
	auth := base64.RawURLEncoding.EncodeToString(make([]byte, 16))
	if err := push.CheckKeys(pub, auth); err != nil {
		t.Fatalf("browser keys refused: %v", err)
	}
	if err := push.CheckKeys(pub+"=", auth+"=="); err != nil {
		t.Errorf("padded keys refused: %v", err)
	}
	bad := make([]byte, 65)
	bad[0] = 4
	for _, c := range [][2]string{
		{"", auth},
		{pub, ""},
		{base64.RawURLEncoding.EncodeToString(bad), auth},
		{pub[:40], auth},
		{pub, base64.RawURLEncoding.EncodeToString(make([]byte, 15))},
		{pub, "!!!!"},
	} {
		if err := push.CheckKeys(c[0], c[1]); !errors.Is(err, push.ErrKeys) {
			t.Errorf("CheckKeys(%q, %q) = %v, want ErrKeys", c[0], c[1], err)
		}
	}
}

func TestKeys(t *testing.T) {
	a, err := push.GenerateKeys()
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Check(); err != nil {
		t.Fatalf("fresh keys: %v", err)
	}
	if pub, _ := base64.RawURLEncoding.DecodeString(a.Public); len(pub) != 65 || pub[0] != 4 {
		t.Errorf("public key is not an uncompressed P-256 point: %d bytes", len(pub))
	}
	b, _ := push.GenerateKeys()
	if err := (push.Keys{Public: b.Public, Private: a.Private}).Check(); err == nil {
		t.Error("mismatched pair passes")
	}
}

func sender(t *testing.T, svc *pushtest.Service, keys push.Keys, client *http.Client) *push.Sender {
	t.Helper()
	if client == nil {
		client = push.NewClient(push.ClientOptions{Allow: []string{svc.Host()}, TLS: svc.TLS()})
	}
	s, err := push.NewSender(push.SenderOptions{Keys: keys, Subscriber: "noreply@asiakassivu.example", Client: client, Now: time.Now})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestSendThroughTestService: what the library sends passes the test
// service's own checks (VAPID token, RFC 8291 decryption), and the service
// answers as told.
func TestSendThroughTestService(t *testing.T) {
	svc := pushtest.New(t)
	keys, _ := push.GenerateKeys()
	s := sender(t, svc, keys, nil)
	sub := svc.Subscribe(t)
	m := push.Message{Title: "Uusi viesti", Body: "Hei! Tulemme huomenna klo 9 – avain on ovella ✓", URL: "/kohteet/1/viestit", Kind: "message"}
	err := s.Send(context.Background(), push.Subscription{Endpoint: sub.Endpoint, P256dh: sub.P256dh(), Auth: sub.Auth()}, m)
	if err != nil {
		t.Fatal(err)
	}
	got := svc.Deliveries()
	if len(got) != 1 || got[0].Err != nil {
		t.Fatalf("deliveries %+v", got)
	}
	d := got[0]
	var back push.Message
	if err := json.Unmarshal(d.Plaintext, &back); err != nil || back != m {
		t.Errorf("decrypted %q (%v), want %+v", d.Plaintext, err, m)
	}
	if d.VAPIDKey != keys.Public || d.Claims.Sub != "mailto:noreply@asiakassivu.example" || d.TTL != "43200" {
		t.Errorf("vapid key %q, claims %+v, TTL %s", d.VAPIDKey, d.Claims, d.TTL)
	}
	if exp := time.Unix(d.Claims.Exp, 0); !exp.After(time.Now()) || exp.After(time.Now().Add(24*time.Hour)) {
		t.Errorf("exp %s", exp)
	}

	// The service's answers come back as StatusErrors.
	svc.Answer(pushtest.Answer{Status: 410}, pushtest.Answer{Status: 429, RetryAfter: "120"}, pushtest.Answer{Status: 503})
	var gone, busy, down *push.StatusError
	ps := push.Subscription{Endpoint: sub.Endpoint, P256dh: sub.P256dh(), Auth: sub.Auth()}
	err410 := s.Send(context.Background(), ps, m)
	if !errors.As(err410, &gone) || !gone.Gone() || gone.Temporary() {
		t.Errorf("410: %v", err410)
	}
	if err := s.Send(context.Background(), ps, m); !errors.As(err, &busy) || !busy.Temporary() || busy.RetryAfter != 120*time.Second {
		t.Errorf("429: %v", err)
	}
	if err := s.Send(context.Background(), ps, m); !errors.As(err, &down) || !down.Temporary() || down.Gone() {
		t.Errorf("503: %v", err)
	}
	if err := s.Send(context.Background(), ps, push.Message{Title: strings.Repeat("x", push.MaxPayload)}); !errors.Is(err, push.ErrPayload) {
		t.Errorf("oversized message: %v", err)
	}
	// The endpoint (a capability URL) is not in the error text.
	if err410 == nil || strings.Contains(err410.Error(), "/push/") {
		t.Errorf("error text holds the endpoint path: %v", err410)
	}
}

// tamper changes each request before it leaves.
type tamper struct {
	rt http.RoundTripper
	fn func(*http.Request)
}

func (t tamper) RoundTrip(r *http.Request) (*http.Response, error) {
	t.fn(r)
	return t.rt.RoundTrip(r)
}

// TestTestServiceRefusesForgeries proves the test service checks what it
// claims to: a token signed by another key, a token for another origin or
// a payload changed on the way is refused.
func TestTestServiceRefusesForgeries(t *testing.T) {
	svc := pushtest.New(t)
	keys, _ := push.GenerateKeys()
	other, _ := push.GenerateKeys()
	sub := svc.Subscribe(t)
	ps := push.Subscription{Endpoint: sub.Endpoint, P256dh: sub.P256dh(), Auth: sub.Auth()}
	m := push.Message{Title: "Muistutus", URL: "/", Kind: "visit_reminder"}
	base := push.NewClient(push.ClientOptions{Allow: []string{svc.Host()}, TLS: svc.TLS()})
	cases := map[string]func(*http.Request){
		"other key": func(r *http.Request) {
			h := r.Header.Get("Authorization")
			r.Header.Set("Authorization", strings.Replace(h, "k="+keys.Public, "k="+other.Public, 1))
		},
		"body changed": func(r *http.Request) {
			b, _ := io.ReadAll(r.Body)
			b[len(b)-20] ^= 1
			r.Body = readCloser{strings.NewReader(string(b))}
		},
		"other origin": func(r *http.Request) { r.Host = "localhost:1" },
	}
	for name, fn := range cases {
		tr := base.Transport
		client := &http.Client{Transport: tamper{tr, fn}, CheckRedirect: base.CheckRedirect}
		s := sender(t, svc, keys, client)
		var se *push.StatusError
		if err := s.Send(context.Background(), ps, m); !errors.As(err, &se) || se.Status != 400 {
			t.Errorf("%s: %v, want 400", name, err)
		}
	}
	got := svc.Deliveries()
	if len(got) != len(cases) {
		t.Errorf("%d requests reached the service, want %d", len(got), len(cases))
	}
	for _, d := range got {
		if d.Err == nil {
			t.Errorf("a forged request passed: %+v", d)
		}
		t.Logf("refused: %v", d.Err)
	}
}

type readCloser struct{ *strings.Reader }

func (readCloser) Close() error { return nil }

// TestClientRefusesPrivateAddresses: the sending client checks the
// addresses it connects to, so an endpoint whose name later points inside
// (DNS rebinding) is not reached.
// TestClientSendsOnly443: the client itself refuses another port, for a
// subscription stored before the check; nothing is dialled.
func TestClientSendsOnly443(t *testing.T) {
	svc := pushtest.New(t)
	keys, _ := push.GenerateKeys()
	sub := svc.Subscribe(t)
	client := push.NewClient(push.ClientOptions{TLS: svc.TLS(), Resolver: fakeResolver{"push.example.com": {"93.184.215.14"}}})
	s := sender(t, svc, keys, client)
	ps := push.Subscription{Endpoint: "https://push.example.com:8443/push/x", P256dh: sub.P256dh(), Auth: sub.Auth()}
	if err := s.Send(context.Background(), ps, push.Message{Title: "x", URL: "/"}); !errors.Is(err, push.ErrEndpoint) ||
		!strings.Contains(err.Error(), "port 8443") {
		t.Errorf("port 8443: %v", err)
	}
}

func TestClientRefusesPrivateAddresses(t *testing.T) {
	svc := pushtest.New(t)
	keys, _ := push.GenerateKeys()
	sub := svc.Subscribe(t)
	port := sub.Endpoint[strings.LastIndex(sub.Endpoint, ":")+1:]
	port = port[:strings.Index(port, "/")]
	ps := push.Subscription{Endpoint: sub.Endpoint, P256dh: sub.P256dh(), Auth: sub.Auth()}
	m := push.Message{Title: "x", URL: "/"}
	noAllow := push.NewClient(push.ClientOptions{TLS: svc.TLS(), Resolver: fakeResolver{"push.example.com": {"127.0.0.1"}}})
	s := sender(t, svc, keys, noAllow)
	if err := s.Send(context.Background(), ps, m); !errors.Is(err, push.ErrEndpoint) {
		t.Errorf("loopback literal without the allow-list: %v", err)
	}
	ps.Endpoint = "https://push.example.com:" + port + "/push/x"
	if err := s.Send(context.Background(), ps, m); !errors.Is(err, push.ErrEndpoint) {
		t.Errorf("name resolving to loopback: %v", err)
	}
	if n := len(svc.Deliveries()); n != 0 {
		t.Errorf("%d requests reached the service", n)
	}
}
