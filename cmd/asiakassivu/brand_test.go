package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"asiakassivu/internal/demo"
	"asiakassivu/internal/web"
)

// TestBrandFlags: the brand comes from the flags or their ASIAKASSIVU_*
// variables (a flag beating its variable); --demo fills in the demo
// chain's; nothing set leaves the portal's own to web.
func TestBrandFlags(t *testing.T) {
	dir := t.TempDir()
	logo := filepath.Join(dir, "logo.svg")
	svg := `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><rect width="10" height="10"/></svg>`
	if err := os.WriteFile(logo, []byte(svg), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := parseServe(nil, env(nil))
	if err != nil || c.brand.Name != "" || c.brand.Color != "" || c.brand.Logo != nil {
		t.Fatalf("defaults: %+v %v", c.brand, err)
	}
	c, err = parseServe([]string{"--demo"}, env(nil))
	if err != nil || c.brand.Name != demo.BrandName || c.brand.Color != demo.BrandColor || !bytes.Equal(c.brand.Logo, demo.BrandLogo) || c.brand.LogoName != "brand-logo.svg" {
		t.Fatalf("--demo: %+v %v", c.brand, err)
	}
	c, err = parseServe([]string{"--brand-name", "Siisti Koti", "--brand-color", "#6A1B4D"},
		env(map[string]string{"ASIAKASSIVU_BRAND_NAME": "Ei tämä", "ASIAKASSIVU_BRAND_LOGO": logo}))
	if err != nil || c.brand.Name != "Siisti Koti" || c.brand.Color != "#6a1b4d" || string(c.brand.Logo) != svg || c.brand.LogoName != "brand-logo.svg" {
		t.Fatalf("flags and environment: %+v %v", c.brand, err)
	}
	c, err = parseServe([]string{"--demo", "--brand-name", "Oma"}, env(nil))
	if err != nil || c.brand.Name != "Oma" || c.brand.Color != demo.BrandColor {
		t.Fatalf("--demo with a name of its own: %+v %v", c.brand, err)
	}
}

// TestBrandFlagsRefused: a colour that fails WCAG AA, a logo that is too
// big, of the wrong kind or scripted, refuse the start with one line
// naming the flag (exit 2).
func TestBrandFlagsRefused(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	big := write("big.svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg">`+strings.Repeat("<g/>", web.MaxLogoBytes/4)+`</svg>`))
	script := write("script.svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`))
	onload := write("onload.svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>`))
	gif := write("logo.gif", []byte("GIF89a"))
	fakePNG := write("logo.png", []byte("<svg/>"))
	for _, tc := range []struct{ name, flag, value, want string }{
		{"light colour", "--brand-color", "#7fd3bd", "contrast"},
		{"yellow", "--brand-color", "#ffcc00", "contrast"},
		{"mid grey on the background", "--brand-color", "#767676", "background"},
		{"no colour", "--brand-color", "teal", "#rrggbb"},
		{"short colour", "--brand-color", "#abc", "#rrggbb"},
		{"logo too big", "--brand-logo", big, "larger"},
		{"logo with a script", "--brand-logo", script, "script"},
		{"logo with an event", "--brand-logo", onload, "event"},
		{"gif logo", "--brand-logo", gif, ".svg or .png"},
		{"png that is none", "--brand-logo", fakePNG, "no PNG"},
		{"missing logo", "--brand-logo", filepath.Join(dir, "none.svg"), "no such file"},
	} {
		var out, errb bytes.Buffer
		code := run(context.Background(), []string{"serve", "--data-dir", dir, tc.flag, tc.value}, env(nil), &out, &errb)
		msg := strings.TrimSpace(errb.String())
		if code != 2 || !strings.Contains(msg, tc.flag) || !strings.Contains(msg, tc.want) || strings.Contains(msg, "\n") {
			t.Errorf("%s: exit %d, stderr %q; want 2 and one line with %s and %q", tc.name, code, msg, tc.flag, tc.want)
		}
	}
}
