// Package push sends Web Push notifications (RFC 8030 with VAPID, RFC 8292,
// and aes128gcm payload encryption, RFC 8291) and decides which push
// endpoints the server may POST to. An endpoint is a URL the browser hands
// over, so it is checked like any URL from outside: https only, and never
// an address on this machine or its private networks.
package push

import (
	"context"
	"crypto/ecdh"
	"encoding/base64"
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// Message is what a notification shows; it is the JSON the service worker
// receives ({"title","body","url","kind"}).
type Message struct {
	Title string `json:"title"`
	Body  string `json:"body"`
	// URL is a local path ("/kohteet/12/viestit") opened on a click.
	URL  string `json:"url"`
	Kind string `json:"kind"`
}

// Subscription is where and how to reach one browser: the endpoint of its
// push service and the keys its payloads are encrypted to (base64url, as
// PushSubscription.toJSON gives them).
type Subscription struct {
	Endpoint string
	P256dh   string
	Auth     string
}

// MaxEndpointLength bounds an endpoint URL (real ones are a few hundred
// characters).
const MaxEndpointLength = 2000

// ErrEndpoint is wrapped by every refusal of an endpoint: not https, not a
// URL, or a host that is (or resolves to) a non-public address.
var ErrEndpoint = errors.New("push endpoint refused")

// ErrKeys is wrapped when a subscription's keys are not a P-256 public key
// and a 16-byte authentication secret.
var ErrKeys = errors.New("push subscription keys invalid")

// Resolver looks up the addresses of a host name; *net.Resolver is one.
// Tests give their own, so that no test depends on DNS.
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// CheckEndpoint reports whether the server may send to endpoint: an https
// URL on port 443 (PushPort) whose host is a public address, or a name all
// of whose addresses are public. Hosts in allow are accepted as they are; only tests name one
// (their push service listens on loopback).
func CheckEndpoint(ctx context.Context, endpoint string, r Resolver, allow []string) error {
	host, port, err := endpointHost(endpoint)
	if err != nil {
		return err
	}
	if slices.Contains(allow, host) {
		return nil
	}
	if port != "" && port != PushPort {
		return fmt.Errorf("%w: port %s is not %s", ErrEndpoint, port, PushPort)
	}
	if a, err := netip.ParseAddr(host); err == nil {
		if !Public(a) {
			return fmt.Errorf("%w: %s is not a public address", ErrEndpoint, a)
		}
		return nil
	}
	if !plausibleName(host) {
		return fmt.Errorf("%w: host %q is not a domain name", ErrEndpoint, host)
	}
	if _, err = publicAddrs(ctx, r, host); err != nil && !errors.Is(err, ErrEndpoint) {
		return fmt.Errorf("%w: %w", ErrEndpoint, err)
	}
	return err
}

// PushPort is the only port the server sends to: push services listen on
// https's own port, and an endpoint on another port of a public address
// (a mail relay, an admin console) is not a push service. Only the
// test-only allow-list (the loopback test service) reaches other ports.
const PushPort = "443"

// endpointHost parses an endpoint and returns its host (without port or
// brackets) and its port as written ("" when none).
func endpointHost(endpoint string) (string, string, error) {
	if endpoint == "" || len(endpoint) > MaxEndpointLength {
		return "", "", fmt.Errorf("%w: empty or too long", ErrEndpoint)
	}
	u, err := url.Parse(endpoint)
	if err != nil {
		return "", "", fmt.Errorf("%w: %w", ErrEndpoint, err)
	}
	switch {
	case u.Scheme != "https":
		return "", "", fmt.Errorf("%w: scheme %q is not https", ErrEndpoint, u.Scheme)
	case u.Opaque != "" || u.Host == "":
		return "", "", fmt.Errorf("%w: no host", ErrEndpoint)
	case u.User != nil:
		// https://push.example@10.0.0.1/ reads as one host and is another.
		return "", "", fmt.Errorf("%w: user information in the URL", ErrEndpoint)
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return "", "", fmt.Errorf("%w: port %q", ErrEndpoint, p)
		}
	}
	host := strings.ToLower(u.Hostname())
	if host == "" {
		return "", "", fmt.Errorf("%w: no host", ErrEndpoint)
	}
	return host, u.Port(), nil
}

// plausibleName accepts a dotted DNS name whose last label is not all
// digits: resolvers read "127.1" or "2130706433" as addresses, and no push
// service lives on a single-label name.
func plausibleName(host string) bool {
	host = strings.TrimSuffix(host, ".")
	i := strings.LastIndexByte(host, '.')
	if i <= 0 || i == len(host)-1 {
		return false
	}
	for _, r := range host {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '.' || r == '_') {
			return false
		}
	}
	tld := host[i+1:]
	return strings.ContainsFunc(tld, func(r rune) bool { return r < '0' || r > '9' })
}

// publicAddrs resolves host and returns its addresses when every one of
// them is public. One private address among public ones is refused too: a
// name that points inside may be answered differently on the next lookup.
// A failed lookup is not ErrEndpoint: when sending, it may pass.
func publicAddrs(ctx context.Context, r Resolver, host string) ([]netip.Addr, error) {
	addrs, err := r.LookupNetIP(ctx, "ip", host)
	if err != nil {
		return nil, fmt.Errorf("resolve %s: %w", host, err)
	}
	if len(addrs) == 0 {
		return nil, fmt.Errorf("resolve %s: no address", host)
	}
	for _, a := range addrs {
		if !Public(a) {
			return nil, fmt.Errorf("%w: %s resolves to %s, not a public address", ErrEndpoint, host, a)
		}
	}
	return addrs, nil
}

// nonPublic are the ranges a push endpoint may not point into: this host,
// private and shared networks, link-local, multicast and reserved space
// (IANA special-purpose registries), and IPv6 forms that are only used
// inside networks.
var nonPublic = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("10.0.0.0/8"),
	netip.MustParsePrefix("100.64.0.0/10"),
	netip.MustParsePrefix("127.0.0.0/8"),
	netip.MustParsePrefix("169.254.0.0/16"),
	netip.MustParsePrefix("172.16.0.0/12"),
	netip.MustParsePrefix("192.0.0.0/24"),
	netip.MustParsePrefix("192.168.0.0/16"),
	netip.MustParsePrefix("198.18.0.0/15"),
	netip.MustParsePrefix("224.0.0.0/4"),
	netip.MustParsePrefix("240.0.0.0/4"),
	netip.MustParsePrefix("::/96"), // unspecified, loopback, IPv4-compatible
	netip.MustParsePrefix("100::/64"),
	netip.MustParsePrefix("64:ff9b:1::/48"),
	netip.MustParsePrefix("2001::/32"), // Teredo hides the address it reaches
	netip.MustParsePrefix("fc00::/7"),
	netip.MustParsePrefix("fe80::/10"),
	netip.MustParsePrefix("fec0::/10"),
	netip.MustParsePrefix("ff00::/8"),
}

var (
	nat64     = netip.MustParsePrefix("64:ff9b::/96")
	sixToFour = netip.MustParsePrefix("2002::/16")
)

// Public reports whether a is an address on the public internet. IPv6
// forms that carry an IPv4 address (mapped, NAT64, 6to4) are judged by that
// address.
func Public(a netip.Addr) bool {
	if !a.IsValid() || a.Zone() != "" {
		return false
	}
	a = a.Unmap()
	for _, p := range nonPublic {
		if p.Contains(a) {
			return false
		}
	}
	if a.Is6() {
		b := a.As16()
		switch {
		case nat64.Contains(a):
			return Public(netip.AddrFrom4([4]byte(b[12:16])))
		case sixToFour.Contains(a):
			return Public(netip.AddrFrom4([4]byte(b[2:6])))
		}
	}
	return a.IsGlobalUnicast()
}

// CheckKeys reports whether p256dh and auth are what a browser gives: an
// uncompressed P-256 public key and a 16-byte secret, base64url (with or
// without padding).
func CheckKeys(p256dh, auth string) error {
	pub, err := decodeKey(p256dh)
	if err != nil {
		return fmt.Errorf("%w: p256dh: %w", ErrKeys, err)
	}
	if _, err := ecdh.P256().NewPublicKey(pub); err != nil {
		return fmt.Errorf("%w: p256dh: %w", ErrKeys, err)
	}
	secret, err := decodeKey(auth)
	if err != nil {
		return fmt.Errorf("%w: auth: %w", ErrKeys, err)
	}
	if len(secret) != 16 {
		return fmt.Errorf("%w: auth is %d bytes, want 16", ErrKeys, len(secret))
	}
	return nil
}

// decodeKey decodes base64url with or without padding (browsers give it
// without; some libraries add it).
func decodeKey(s string) ([]byte, error) {
	if len(s) > 200 {
		return nil, errors.New("too long")
	}
	return base64.RawURLEncoding.DecodeString(strings.TrimRight(s, "="))
}
