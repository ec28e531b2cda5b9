package main

import (
	"bytes"
	"context"
	"net/netip"
	"slices"
	"strings"
	"testing"
)

// TestTrustedProxyFlag: --trusted-proxy (or its variable) takes CIDRs and
// single addresses, separated by commas; a bad one, or one together with
// --demo or --dev (whose development outbox trusts a loopback peer, which a
// proxy on the same machine is), is a usage error: one line, exit code 2.
func TestTrustedProxyFlag(t *testing.T) {
	want := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("192.0.2.7/32"), netip.MustParsePrefix("2001:db8::/32")}
	for _, c := range []struct {
		name string
		args []string
		env  map[string]string
	}{
		{"flag", []string{"--trusted-proxy", "10.0.0.0/8, 192.0.2.7,2001:db8::/32"}, nil},
		{"env", nil, map[string]string{"ASIAKASSIVU_TRUSTED_PROXY": "10.0.0.0/8,192.0.2.7,2001:db8::/32"}},
	} {
		got, err := parseServe(c.args, env(c.env))
		if err != nil || !slices.Equal(got.trustedProxies, want) {
			t.Errorf("%s: %v %v", c.name, got.trustedProxies, err)
		}
	}
	if got, _ := parseServe(nil, env(nil)); len(got.trustedProxies) != 0 {
		t.Errorf("default: %v", got.trustedProxies)
	}
	for _, c := range []struct {
		name string
		args []string
		want string
	}{
		{"bad cidr", []string{"serve", "--trusted-proxy", "10.0.0.0/33"}, "trusted-proxy"},
		{"with demo", []string{"serve", "--trusted-proxy", "10.0.0.0/8", "--demo"}, "--trusted-proxy"},
		{"with dev", []string{"serve", "--dev", "--trusted-proxy", "127.0.0.1"}, "--trusted-proxy"},
	} {
		var out, errb bytes.Buffer
		code := run(context.Background(), c.args, env(nil), &out, &errb)
		if code != 2 || !strings.Contains(errb.String(), c.want) || strings.Count(strings.TrimSpace(errb.String()), "\n") != 0 {
			t.Errorf("%s: exit %d, stderr %q", c.name, code, errb.String())
		}
	}
}
