package web

import (
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strconv"
	"testing"

	"asiakassivu/internal/store"
	"asiakassivu/internal/store/storetest"
)

func TestClientIPFromForwardedFor(t *testing.T) {
	proxies := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("192.0.2.7/32")}
	cases := []struct {
		name, peer string
		trusted    []netip.Prefix
		xff        []string
		want       string
	}{
		{"no proxies configured: the header is ignored", "198.51.100.1:5000", nil, []string{"203.0.113.9"}, "198.51.100.1"},
		{"untrusted peer: the header is ignored", "198.51.100.1:5000", proxies, []string{"203.0.113.9"}, "198.51.100.1"},
		{"trusted peer without the header", "10.1.2.3:443", proxies, nil, "10.1.2.3"},
		{"trusted peer, one hop", "10.1.2.3:443", proxies, []string{"203.0.113.9"}, "203.0.113.9"},
		{"spoofed hops left of the proxy's are skipped", "10.1.2.3:443", proxies, []string{"1.2.3.4, 203.0.113.9"}, "203.0.113.9"},
		{"trusted hops are walked through", "10.1.2.3:443", proxies, []string{"203.0.113.9, 192.0.2.7, 10.9.9.9"}, "203.0.113.9"},
		{"several header lines are one list", "10.1.2.3:443", proxies, []string{"1.2.3.4", "203.0.113.9, 10.0.0.2"}, "203.0.113.9"},
		{"spaces and an IPv6 hop", "10.1.2.3:443", proxies, []string{" 2001:db8::1 ,10.0.0.2 "}, "2001:db8::1"},
		{"a port and brackets on a hop", "10.1.2.3:443", proxies, []string{"[2001:db8::2]:8443"}, "2001:db8::2"},
		{"IPv4 in IPv6 form matches the IPv4 proxies", "[::ffff:10.1.2.3]:443", proxies, []string{"203.0.113.9"}, "203.0.113.9"},
		{"garbage where the client should be: the last trusted hop", "10.1.2.3:443", proxies, []string{"nonsense, 10.0.0.2"}, "10.0.0.2"},
		{"every hop trusted: the leftmost", "10.1.2.3:443", proxies, []string{"10.0.0.5, 10.0.0.2"}, "10.0.0.5"},
		{"empty entries are skipped", "10.1.2.3:443", proxies, []string{"203.0.113.9,,"}, "203.0.113.9"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := clientIP(tc.peer, tc.xff, tc.trusted); got != tc.want {
				t.Errorf("clientIP(%q, %q) = %q, want %q", tc.peer, tc.xff, got, tc.want)
			}
		})
	}
}

// proxied starts a second server on e's store whose peers (the loopback
// test clients) are trusted proxies, or not when trusted is another net.
func proxied(t *testing.T, e *env, trusted string) string {
	t.Helper()
	s, err := New(Config{Log: e.server.log, Hub: e.hub, TrustedProxies: []netip.Prefix{netip.MustParsePrefix(trusted)}}, e.server.app)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return srv.URL
}

// TestProxyThrottlesTheRealClient: behind a trusted proxy, the throttle
// keys on the client the proxy names, so one client's failures do not
// block another behind the same proxy; from an untrusted peer a forged
// X-Forwarded-For changes nothing.
func TestProxyThrottlesTheRealClient(t *testing.T) {
	storetest.Each(t, nil, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, "")
		wrong := url.Values{"email": {"matti@example.fi"}, "password": {"arvattu salasana"}}
		right := url.Values{"email": {"matti@example.fi"}, "password": {password}}
		behind := proxied(t, e, "127.0.0.0/8")
		for range 7 {
			do(t, e.client(t), "POST", behind+"/kirjaudu", wrong, "X-Forwarded-For", "203.0.113.5")
		}
		if r := do(t, e.client(t), "POST", behind+"/kirjaudu", right, "X-Forwarded-For", "203.0.113.5"); r.StatusCode != http.StatusTooManyRequests {
			t.Errorf("the guessing client behind the proxy: %d, want 429", r.StatusCode)
		}
		if r := do(t, e.client(t), "POST", behind+"/kirjaudu", right, "X-Forwarded-For", "198.51.100.7"); r.StatusCode != http.StatusSeeOther {
			t.Errorf("another client behind the same proxy: %d, want 303", r.StatusCode)
		}
		// A peer that is no trusted proxy cannot pick a fresh address per
		// guess.
		direct := proxied(t, e, "10.0.0.0/8")
		for i := range 7 {
			do(t, e.client(t), "POST", direct+"/kirjaudu", wrong, "X-Forwarded-For", "203.0.113."+strconv.Itoa(100+i))
		}
		if r := do(t, e.client(t), "POST", direct+"/kirjaudu", wrong, "X-Forwarded-For", "203.0.113.99"); r.StatusCode != http.StatusTooManyRequests {
			t.Errorf("spoofed X-Forwarded-For from an untrusted peer: %d, want 429", r.StatusCode)
		}
	})
}

// TestKnownDeviceSignsInWhileIPBlocked: failures from the owner's IP (a
// sprayer behind the same address) block that IP, but the owner's device
// that signed in before, with the right password, still signs in.
func TestKnownDeviceSignsInWhileIPBlocked(t *testing.T) {
	storetest.Each(t, nil, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, "")
		owner := e.client(t)
		e.signIn(t, owner, "matti@example.fi")
		do(t, owner, "POST", e.srv.URL+"/kirjaudu-ulos", url.Values{})
		for i := range 40 {
			do(t, e.client(t), "POST", e.srv.URL+"/kirjaudu", url.Values{"email": {"kohde" + strconv.Itoa(i) + "@example.fi"},
				"password": {"arvattu salasana"}})
		}
		if r := do(t, e.client(t), "POST", e.srv.URL+"/kirjaudu", url.Values{"email": {"maija@example.fi"}, "password": {password}}); r.StatusCode != http.StatusTooManyRequests {
			t.Fatalf("the IP is not blocked after 40 failures: %d", r.StatusCode)
		}
		r := do(t, owner, "POST", e.srv.URL+"/kirjaudu", url.Values{"email": {"matti@example.fi"}, "password": {password}})
		if r.StatusCode != http.StatusSeeOther {
			t.Errorf("the owner's known device with the right password: %d, want 303", r.StatusCode)
		}
	})
}
