package web

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"math"
	"net/http/httptest"
	"strings"
	"testing"

	"asiakassivu/internal/store"
	"asiakassivu/internal/store/storetest"
)

// TestContrastRatio holds the WCAG 2.2 contrast ratio to values computed
// apart from this code, straight from WCAG's definition of relative
// luminance and (L1+0.05)/(L2+0.05):
// black on white is 21:1, a colour on itself 1:1, and #767676 the
// lightest grey that still reaches 4.5:1 on white.
func TestContrastRatio(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want float64
	}{
		{"#000000", "#ffffff", 21},
		{"#ffffff", "#000000", 21},
		{"#0b5d4b", "#0b5d4b", 1},
		{"#767676", "#ffffff", 4.54},
		{"#777777", "#ffffff", 4.48},
		{"#ff0000", "#ffffff", 4.00},
		{"#0000ff", "#ffffff", 8.59},
		{"#0b5d4b", "#ffffff", 7.83},
		{"#0b5d4b", "#f7f5f0", 7.19},
	} {
		got, err := ContrastRatio(tc.a, tc.b)
		if err != nil || math.Abs(got-tc.want) > 0.01 {
			t.Errorf("ContrastRatio(%s, %s) = %.3f, %v; want %.2f", tc.a, tc.b, got, err, tc.want)
		}
	}
}

// TestCheckBrandColor: a primary colour is taken only when white text on
// it and it as text on the page's background both reach 4.5:1.
func TestCheckBrandColor(t *testing.T) {
	for _, tc := range []struct {
		color string
		ok    bool
	}{
		{DefaultBrandColor, true},
		{"#24527a", true}, // the demo chain's
		{"#6A1B4D", true}, // upper case is a colour too
		{"#000000", true},
		{"#767676", false}, // 4.54 on white, but 4.17 on the background
		{"#6e6e6e", true},  // 4.68 on the background
		{"#ff0000", false},
		{"#7fd3bd", false},
		{"#ffffff", false},
		{"teal", false},
		{"#12345", false},
		{"#12345g", false},
		{"", false},
	} {
		err := CheckBrandColor(tc.color)
		if (err == nil) != tc.ok {
			t.Errorf("CheckBrandColor(%q) = %v, want ok %v", tc.color, err, tc.ok)
		}
	}
}

// TestDarkTintReads: the dark scheme's version of every acceptable
// brand colour reads at 4.5:1 on the dark background and card, and dark
// text on it does too.
func TestDarkTintReads(t *testing.T) {
	for _, c := range []string{DefaultBrandColor, "#24527a", "#000000", "#6a1b4d", "#a4000f", "#1d1d1b"} {
		d := darkTint(c)
		for _, against := range []string{darkBackground, darkCard, darkOnAccent} {
			if r, _ := ContrastRatio(d, against); r < minContrast {
				t.Errorf("darkTint(%s) = %s: %.2f:1 against %s", c, d, r, against)
			}
		}
	}
}

// TestLoadLogo takes SVG and PNG logos and names them by kind.
func TestLoadLogo(t *testing.T) {
	var pngLogo bytes.Buffer
	img := image.NewNRGBA(image.Rect(0, 0, 4, 2))
	img.Set(0, 0, color.NRGBA{A: 255})
	if err := png.Encode(&pngLogo, img); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, content, want string
	}{
		{"logo.svg", `<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><use href="#a"/></svg>`, "brand-logo.svg"},
		{"Logo.PNG", pngLogo.String(), "brand-logo.png"},
		{"logo.svg", `<html><script>1</script></html>`, ""},
		{"logo.svg", `<svg><a href="javascript:alert(1)"><text>x</text></a></svg>`, ""},
		{"logo.svg", `<svg><foreignObject/></svg>`, ""},
		{"logo.svg", `<svg><g>`, ""},
		{"logo.svg", ``, ""},
		{"logo.jpg", pngLogo.String(), ""},
	} {
		got, err := LoadLogo(tc.name, []byte(tc.content))
		if got != tc.want || (err == nil) != (tc.want != "") {
			t.Errorf("LoadLogo(%s, %.40q) = %q, %v; want %q", tc.name, tc.content, got, err, tc.want)
		}
	}
}

// TestBrandReachesThePage: the configured name is in the header, the
// title and the footer in every language (never the catalogue's), the
// colour is the last rule of the stylesheet the page links, the logo is
// served from memory under its hashed URL with a year's caching, and
// the manifest carries both.
func TestBrandReachesThePage(t *testing.T) {
	db := storetest.Open(t, store.SQLite, nil)
	logo := []byte(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><rect width="10" height="10" fill="#6a1b4d"/></svg>`)
	e := newEnv(t, db, "")
	s, err := New(Config{Brand: Brand{Name: "Siisti Koti", Color: "#6A1B4D", Logo: logo, LogoName: "brand-logo.svg"}}, e.server.app)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	c := e.client(t)
	for _, lang := range []string{"fi", "sv", "en"} {
		r := do(t, c, "GET", srv.URL+"/kirjaudu", nil, "Accept-Language", lang)
		if !strings.Contains(r.body, `<html lang="`+lang+`" data-copy="none">`) {
			t.Fatalf("%s: the page is in another language", lang)
		}
		logoURL := s.assets.url("brand-logo.svg")
		for _, want := range []string{
			`<img src="` + logoURL + `" alt="Siisti Koti"`,
			`– Siisti Koti</title>`,
			`<p>Siisti Koti – `,
			`<meta name="theme-color" content="#6a1b4d" media="(prefers-color-scheme: light)">`,
		} {
			if !strings.Contains(r.body, want) {
				t.Errorf("%s: the page lacks %s", lang, want)
			}
		}
		for _, not := range []string{"Asiakassivu –", "Kundsidan", "Customer page"} {
			if strings.Contains(r.body, "<title>") && strings.Contains(r.body[strings.Index(r.body, "<title>"):strings.Index(r.body, "</title>")], not) {
				t.Errorf("%s: the title names %q", lang, not)
			}
		}
		css := do(t, c, "GET", srv.URL+s.assets.url("style.css"), nil)
		if !strings.Contains(css.body, ":root { --accent: #6a1b4d; }") || !strings.Contains(r.body, s.assets.url("style.css")) {
			t.Errorf("%s: the stylesheet the page links does not carry the brand colour", lang)
		}
		l := do(t, c, "GET", srv.URL+logoURL, nil)
		if l.body != string(logo) || l.Header.Get("Content-Type") != "image/svg+xml" || !strings.Contains(l.Header.Get("Cache-Control"), "immutable") {
			t.Errorf("logo: %q %q %q", l.body, l.Header.Get("Content-Type"), l.Header.Get("Cache-Control"))
		}
	}
	m := do(t, c, "GET", srv.URL+"/manifest.webmanifest", nil)
	if !strings.Contains(m.body, `"name": "Siisti Koti"`) || !strings.Contains(m.body, `"theme_color": "#6a1b4d"`) {
		t.Errorf("manifest: %s", m.body)
	}
}

// TestBrandColourRefusedByNew: web refuses a colour that fails AA even
// when a caller skipped the command's check.
func TestBrandColourRefusedByNew(t *testing.T) {
	if _, err := New(Config{Brand: Brand{Color: "#ffcc00"}}, nil); err == nil || !strings.Contains(err.Error(), "contrast") {
		t.Errorf("New with #ffcc00: %v", err)
	}
}
