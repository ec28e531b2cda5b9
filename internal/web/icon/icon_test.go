package icon

import (
	"bytes"
	"image/color"
	"image/png"
	"testing"
)

// TestIconShapes: a maskable icon is opaque to the edge and keeps the
// house inside the safe zone; an "any" icon has transparent corners.
func TestIconShapes(t *testing.T) {
	const background, light = "#0b5d4b", "#f7f5f0"
	icons, err := All(background, light)
	if err != nil {
		t.Fatal(err)
	}
	bg, house := hexColor(background), hexColor(light)
	for _, ic := range icons {
		img, err := png.Decode(bytes.NewReader(ic.PNG))
		if err != nil {
			t.Fatal(err)
		}
		size := img.Bounds().Dx()
		at := func(x, y int) color.NRGBA { return color.NRGBAModel.Convert(img.At(x, y)).(color.NRGBA) }
		if at(size/2, size/2) != house {
			t.Errorf("%s: centre is %v, want the house colour", ic.Name, at(size/2, size/2))
		}
		switch ic.Purpose {
		case "any":
			if at(0, 0).A != 0 {
				t.Errorf("%s: corner is not transparent", ic.Name)
			}
		default: // maskable and apple-touch-icon: full bleed
			if at(0, 0) != bg || at(size-1, size-1) != bg {
				t.Errorf("%s: corners %v %v, want the theme colour", ic.Name, at(0, 0), at(size-1, size-1))
			}
		}
		if ic.Purpose != "maskable" {
			continue
		}
		r := 0.4 * float64(size)
		for y := 0; y < size; y++ {
			for x := 0; x < size; x++ {
				dx, dy := float64(x)+0.5-float64(size)/2, float64(y)+0.5-float64(size)/2
				if dx*dx+dy*dy > r*r && at(x, y) != bg {
					t.Fatalf("%s: pixel %d,%d outside the safe zone is %v", ic.Name, x, y, at(x, y))
				}
			}
		}
	}
}
