package pdf

import (
	"bytes"
	"strings"
	"testing"

	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/sfnt"

	"asiakassivu/internal/pdftest"
)

// TestUnicodeText: the fonts map ä, ö, å and € (the text layer a reader
// copies from), and a first column too wide for its table is cut.
func TestUnicodeText(t *testing.T) {
	long := "Ikkunanpesu ja " + strings.Repeat("pääoven pesu ", 20)
	doc := New("Lasku 2026-004242")
	doc.Field("Tila", "Maksettu")
	doc.Table([]float64{62, 24}, "LR", []string{"Kuvaus", "Yhteensä"},
		[][]string{{"Ikkunanpesu – pääovi, åländsk", "125,50\u00a0€"}, {long, "1,00\u00a0€"}})
	doc.Note("Ä, Ö ja Å − kaikki")
	b, err := doc.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	// The text is written as UTF-16 with the embedded Go font, whose
	// identity ToUnicode map lets a reader copy it back.
	content := pdftest.Streams(b)
	for _, want := range []string{"2026-004242", "Ikkunanpesu – pääovi, åländsk", "125,50\u00a0€", "Ä, Ö ja Å − kaikki", "Ikkunanpesu ja pääoven"} {
		if !bytes.Contains(content, pdftest.UTF16BE(want)) {
			t.Errorf("the PDF's text has no %q", want)
		}
	}
	if bytes.Contains(content, pdftest.UTF16BE(long)) {
		t.Error("the long description was not cut to its column")
	}
	if !bytes.Contains(b, []byte("/Adobe-Identity-UCS")) {
		t.Error("no ToUnicode map")
	}
	// The font has real glyphs for the letters and signs we print.
	f, err := sfnt.Parse(goregular.TTF)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range "äöåÄÖÅ€−–\u00a0" {
		if g, err := f.GlyphIndex(nil, r); err != nil || g == 0 {
			t.Errorf("Go Regular has no glyph for %q", r)
		}
	}
}
