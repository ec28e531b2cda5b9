package web

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"image/png"
	"io"
	"math"
	"path"
	"strconv"
	"strings"
)

// Brand is the chain's identity on every page: the name in the header,
// the titles and the app manifest (the same in every language), the
// primary colour of links, buttons and the current tab, and an optional
// logo shown instead of the name in the header.
type Brand struct {
	// Name is the chain's name, e.g. "Kotilo".
	Name string
	// Color is the primary colour, "#rrggbb"; CheckBrandColor says
	// whether it may be used.
	Color string
	// Logo is an SVG or PNG image (LoadLogo checks it); nil: the name is
	// written out.
	Logo []byte
	// LogoName is the logo's file name in the static assets,
	// "brand-logo.svg" or "brand-logo.png".
	LogoName string
}

// The portal's own identity, when the chain names none.
const (
	DefaultBrandName  = "Asiakassivu"
	DefaultBrandColor = "#0b5d4b"
)

// The light scheme's page background and the text on the primary colour
// (style.css's --bg and --accent-fg); the dark scheme's background, card
// and text on its primary colour. A brand colour is checked against the
// first two and its dark-scheme tint made to fit the others.
const (
	lightBackground = backgroundColor
	onAccent        = "#ffffff"
	darkBackground  = "#161a19"
	darkCard        = "#222826"
	darkOnAccent    = "#0d1f1a"
)

// minContrast is WCAG 2.2 AA's least contrast ratio for body text.
const minContrast = 4.5

// MaxLogoBytes bounds the logo: it is part of every first visit, and the
// first visit stays under 50 KB.
const MaxLogoBytes = 16 << 10

// rgb is a colour parsed from "#rrggbb".
type rgb [3]uint8

func parseHex(s string) (rgb, error) {
	var c rgb
	if len(s) != 7 || s[0] != '#' {
		return c, fmt.Errorf("%q is no #rrggbb colour", s)
	}
	for i := range 3 {
		v, err := strconv.ParseUint(s[1+2*i:3+2*i], 16, 8)
		if err != nil {
			return c, fmt.Errorf("%q is no #rrggbb colour", s)
		}
		c[i] = uint8(v)
	}
	return c, nil
}

func (c rgb) String() string { return fmt.Sprintf("#%02x%02x%02x", c[0], c[1], c[2]) }

// luminance is WCAG's relative luminance of an sRGB colour.
func (c rgb) luminance() float64 {
	var l [3]float64
	for i, v := range c {
		x := float64(v) / 255
		if x <= 0.04045 {
			l[i] = x / 12.92
		} else {
			l[i] = math.Pow((x+0.055)/1.055, 2.4)
		}
	}
	return 0.2126*l[0] + 0.7152*l[1] + 0.0722*l[2]
}

// contrast is WCAG's contrast ratio of two colours, from 1 to 21.
func contrast(a, b rgb) float64 {
	la, lb := a.luminance(), b.luminance()
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

// ContrastRatio is WCAG's contrast ratio of two "#rrggbb" colours.
func ContrastRatio(a, b string) (float64, error) {
	ca, err := parseHex(a)
	if err != nil {
		return 0, err
	}
	cb, err := parseHex(b)
	if err != nil {
		return 0, err
	}
	return contrast(ca, cb), nil
}

// CheckBrandColor says why color cannot be the primary colour: it is no
// #rrggbb colour, or white text on it or it as text on the page's
// background would miss WCAG AA's 4.5:1.
func CheckBrandColor(color string) error {
	c, err := parseHex(strings.ToLower(color))
	if err != nil {
		return err
	}
	white, _ := parseHex(onAccent)
	bg, _ := parseHex(lightBackground)
	if r := contrast(c, white); r < minContrast {
		return fmt.Errorf("%s: white text on it has contrast %.2f:1, WCAG AA needs %.1f:1 (choose a darker colour)", color, r, minContrast)
	}
	if r := contrast(c, bg); r < minContrast {
		return fmt.Errorf("%s: as text on the background %s it has contrast %.2f:1, WCAG AA needs %.1f:1 (choose a darker colour)", color, lightBackground, r, minContrast)
	}
	return nil
}

// darkTint is the brand colour for the dark scheme: mixed with white
// until it reads at 4.5:1 on the dark background and card, and dark text
// on it does too.
func darkTint(color string) string {
	c, err := parseHex(color)
	if err != nil {
		return color
	}
	bg, _ := parseHex(darkBackground)
	card, _ := parseHex(darkCard)
	fg, _ := parseHex(darkOnAccent)
	for step := 0; step <= 20; step++ {
		t := float64(step) / 20
		var m rgb
		for i := range 3 {
			m[i] = uint8(math.Round(float64(c[i]) + (255-float64(c[i]))*t))
		}
		if contrast(m, bg) >= minContrast && contrast(m, card) >= minContrast && contrast(m, fg) >= minContrast {
			return m.String()
		}
	}
	return "#ffffff"
}

// css is the stylesheet's last rule: the brand colour in both schemes.
func (b Brand) css() string {
	return fmt.Sprintf("\n/* The chain's colour (Brand) */\n:root { --accent: %s; }\n@media (prefers-color-scheme: dark) { :root { --accent: %s; } }\n",
		strings.ToLower(b.Color), darkTint(strings.ToLower(b.Color)))
}

// LoadLogo checks a logo file's content (name is its file name, for the
// kind): an SVG document or a PNG image of at most MaxLogoBytes, without
// scripts. It returns the logo's asset name.
func LoadLogo(name string, b []byte) (string, error) {
	if len(b) > MaxLogoBytes {
		return "", fmt.Errorf("%s is %d bytes; a logo may have at most %d (it is part of every first visit)", name, len(b), MaxLogoBytes)
	}
	switch strings.ToLower(path.Ext(name)) {
	case ".png":
		if _, err := png.DecodeConfig(bytes.NewReader(b)); err != nil {
			return "", fmt.Errorf("%s is no PNG image: %v", name, err)
		}
		return "brand-logo.png", nil
	case ".svg":
		if err := checkSVG(b); err != nil {
			return "", fmt.Errorf("%s: %v", name, err)
		}
		return "brand-logo.svg", nil
	}
	return "", fmt.Errorf("%s: a logo is an .svg or .png file", name)
}

// checkSVG accepts a well-formed XML document whose root is an svg
// element and which holds no script, event attribute or foreign object.
func checkSVG(b []byte) error {
	d := xml.NewDecoder(bytes.NewReader(b))
	root := true
	for {
		tok, err := d.Token()
		if err != nil {
			if root {
				return errors.New("no SVG document")
			}
			if errors.Is(err, io.EOF) {
				return nil
			}
			return fmt.Errorf("no well-formed SVG: %v", err)
		}
		el, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		if root && el.Name.Local != "svg" {
			return errors.New("the root element is no svg")
		}
		root = false
		if n := strings.ToLower(el.Name.Local); n == "script" || n == "foreignobject" {
			return fmt.Errorf("an SVG logo may hold no %s element", el.Name.Local)
		}
		for _, a := range el.Attr {
			if strings.HasPrefix(strings.ToLower(a.Name.Local), "on") {
				return fmt.Errorf("an SVG logo may hold no event attribute (%s)", a.Name.Local)
			}
			if v := strings.ToLower(strings.TrimSpace(a.Value)); a.Name.Local == "href" && !strings.HasPrefix(v, "#") {
				return fmt.Errorf("an SVG logo may link only inside itself (%s)", a.Value)
			}
		}
	}
}
