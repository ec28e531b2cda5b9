// Package icon draws the app's icons at start-up rather than keeping them
// as files: a light house on the theme colour, in the sizes and shapes the
// web app manifest and iOS ask for.
package icon

import (
	"bytes"
	"encoding/hex"
	"image"
	"image/color"
	"image/png"
)

// Icon is one drawn icon.
type Icon struct {
	// Name is the file name, e.g. "icon-192.png".
	Name string
	// Size is the side in pixels.
	Size int
	// Purpose is the manifest's: "any" or "maskable"; "" for
	// apple-touch-icon.
	Purpose string
	// PNG is the image.
	PNG []byte
}

// iconShape says how an icon is laid out.
type iconShape struct {
	rounded bool    // transparent rounded corners ("any" icons); else full bleed
	house   float64 // side of the house's box as a share of the icon
}

// All draws every icon the manifest and the layout name: a house in
// colour house on colour background (both "#rrggbb"). A maskable
// icon is full bleed with the house inside the safe zone (the centre circle
// of radius 40 %), so any mask shape the platform applies keeps it whole.
// iOS gets a full-bleed square too: it rounds the corners itself and turns
// transparency black.
func All(background, house string) ([]Icon, error) {
	specs := []struct {
		name    string
		size    int
		purpose string
		shape   iconShape
	}{
		{"icon-192.png", 192, "any", iconShape{rounded: true, house: 0.62}},
		{"icon-512.png", 512, "any", iconShape{rounded: true, house: 0.62}},
		{"maskable-192.png", 192, "maskable", iconShape{house: 0.56}},
		{"maskable-512.png", 512, "maskable", iconShape{house: 0.56}},
		{"apple-touch-icon.png", 180, "", iconShape{house: 0.62}},
	}
	icons := make([]Icon, 0, len(specs))
	for _, sp := range specs {
		var buf bytes.Buffer
		if err := png.Encode(&buf, draw(sp.size, sp.shape, hexColor(background), hexColor(house))); err != nil {
			return nil, err
		}
		icons = append(icons, Icon{Name: sp.name, Size: sp.size, Purpose: sp.purpose, PNG: buf.Bytes()})
	}
	return icons, nil
}

// layer is what covers a point of an icon.
type layer uint8

const (
	layerNone layer = iota // outside a rounded icon: transparent
	layerBackground
	layerHouse
)

// draw renders one icon. Pixels whose corners agree are filled at once;
// the others (edges) are averaged over 4×4 samples, which smooths the
// slanted roof without a vector library.
func draw(size int, sh iconShape, background, house color.NRGBA) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, size, size))
	layerColor := func(l layer) color.NRGBA {
		switch l {
		case layerBackground:
			return background
		case layerHouse:
			return house
		}
		return color.NRGBA{}
	}
	s := float64(size)
	at := func(x, y float64) layer { return sh.layerAt(x/s, y/s) }
	const n = 4
	for py := 0; py < size; py++ {
		for px := 0; px < size; px++ {
			x, y := float64(px), float64(py)
			c := at(x, y)
			if c == at(x+1, y) && c == at(x, y+1) && c == at(x+1, y+1) && c == at(x+0.5, y+0.5) {
				img.SetNRGBA(px, py, layerColor(c))
				continue
			}
			var r, g, b, a int
			for i := 0; i < n; i++ {
				for j := 0; j < n; j++ {
					l := at(x+(float64(i)+0.5)/n, y+(float64(j)+0.5)/n)
					if l == layerNone {
						continue
					}
					lc := layerColor(l)
					r, g, b, a = r+int(lc.R), g+int(lc.G), b+int(lc.B), a+1
				}
			}
			if a == 0 {
				continue
			}
			img.SetNRGBA(px, py, color.NRGBA{uint8(r / a), uint8(g / a), uint8(b / a), uint8(a * 255 / (n * n))})
		}
	}
	return img
}

// hexColor parses an opaque "#rrggbb" colour.
func hexColor(s string) color.NRGBA {
	var c color.NRGBA
	if len(s) == 7 && s[0] == '#' {
		if b, err := hex.DecodeString(s[1:]); err == nil {
			c = color.NRGBA{b[0], b[1], b[2], 0xff}
		}
	}
	return c
}

// layerAt classifies a point of the icon given in units of its side (0–1).
func (sh iconShape) layerAt(x, y float64) layer {
	if sh.rounded && outsideRoundedSquare(x, y, 0.2) {
		return layerNone
	}
	// The house's own box, centred, a little below the middle so that it
	// looks centred (the roof's tip is narrow).
	u := (x-0.5)/sh.house + 0.5
	v := (y-0.52)/sh.house + 0.5
	if inHouse(u, v) {
		return layerHouse
	}
	return layerBackground
}

// inHouse reports whether a point of the house's unit box is in the house:
// roof, chimney and walls, less the door.
func inHouse(u, v float64) bool {
	door := u >= 0.41 && u <= 0.59 && v >= 0.62 && v <= 0.94
	walls := u >= 0.16 && u <= 0.84 && v >= 0.42 && v <= 0.94
	chimney := u >= 0.68 && u <= 0.80 && v >= 0.12 && v <= 0.34
	return !door && (walls || chimney || inTriangle(u, v, 0.5, 0.06, 0.02, 0.46, 0.98, 0.46))
}

// inTriangle reports whether (x, y) is inside the triangle a, b, c.
func inTriangle(x, y, ax, ay, bx, by, cx, cy float64) bool {
	side := func(x1, y1, x2, y2 float64) float64 { return (x-x2)*(y1-y2) - (x1-x2)*(y-y2) }
	d1, d2, d3 := side(ax, ay, bx, by), side(bx, by, cx, cy), side(cx, cy, ax, ay)
	neg := d1 < 0 || d2 < 0 || d3 < 0
	pos := d1 > 0 || d2 > 0 || d3 > 0
	return !(neg && pos)
}

// outsideRoundedSquare reports whether (x, y) lies in a cut-off corner of
// the unit square rounded with radius r.
func outsideRoundedSquare(x, y, r float64) bool {
	cx := min(max(x, r), 1-r)
	cy := min(max(y, r), 1-r)
	dx, dy := x-cx, y-cy
	return dx*dx+dy*dy > r*r
}
