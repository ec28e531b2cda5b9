// Package pdf lays out the portal's printable documents (billing
// summaries, yearly statements): A4 pages in the Go fonts, embedded as
// UTF-8 fonts so that ä, ö, å and € print and copy back as text, with a
// title, label–value lines, tables and notes. What a document says, in
// the reader's language, is web's.
package pdf

import (
	"bytes"
	"image/color"
	"strings"

	"codeberg.org/go-pdf/fpdf"
	"github.com/boombuler/barcode/code128"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
)

// font is the family name the Go fonts are registered under.
const font = "go"

// Doc is a document being laid out, top to bottom.
type Doc struct {
	f *fpdf.Fpdf
}

// New starts an A4 document whose first line is its title, in large bold;
// the text after it is regular 10 pt.
func New(title string) *Doc {
	f := fpdf.New("P", "mm", "A4", "")
	f.AddUTF8FontFromBytes(font, "", goregular.TTF)
	f.AddUTF8FontFromBytes(font, "B", gobold.TTF)
	f.SetTitle(title, true)
	f.SetCreator("Asiakassivu", true)
	f.SetMargins(15, 15, 15)
	f.AddPage()
	d := &Doc{f: f}
	d.Font(true, 16)
	f.CellFormat(0, 9, title, "", 1, "L", false, 0, "")
	d.Font(false, 10)
	return d
}

// Font sets the text that follows in bold or regular, of size points.
func (d *Doc) Font(bold bool, size float64) {
	style := ""
	if bold {
		style = "B"
	}
	d.f.SetFont(font, style, size)
}

// Gap leaves mm millimetres of space.
func (d *Doc) Gap(mm float64) { d.f.Ln(mm) }

// Field writes a label and its value on one line, the values aligned.
func (d *Doc) Field(label, value string) {
	d.f.CellFormat(50, 6, label, "", 0, "L", false, 0, "")
	d.f.CellFormat(0, 6, value, "", 1, "L", false, 0, "")
}

// Heading writes a line of text that opens a part.
func (d *Doc) Heading(text string) {
	d.f.CellFormat(0, 7, text, "", 1, "L", false, 0, "")
}

// RuledLine writes a line of text with a rule above it across the page.
func (d *Doc) RuledLine(text string) {
	d.f.CellFormat(0, 6, text, "T", 1, "L", false, 0, "")
}

// Amount writes a label and an amount at the right margin; with total, a
// taller line with a rule above (a sum of the lines before).
func (d *Doc) Amount(label, amount string, total bool) {
	h, border := 6.0, ""
	if total {
		h, border = 7, "T"
	}
	d.f.CellFormat(110, h, label, border, 0, "L", false, 0, "")
	d.f.CellFormat(0, h, amount, border, 1, "R", false, 0, "")
}

// Line writes a line of text; a line too long for the page wraps.
func (d *Doc) Line(text string) { d.f.MultiCell(0, 6, text, "", "L", false) }

// Note writes a paragraph of small print.
func (d *Doc) Note(text string) { d.f.MultiCell(0, 5, text, "", "L", false) }

// Table writes a table in 8 pt: the heads in bold over a rule, then the
// rows. widths are the columns' in millimetres; align says each column's
// alignment, "L" or "R" ("LRRL…"). A first-column text too wide for it is
// cut with an ellipsis.
func (d *Doc) Table(widths []float64, align string, heads []string, rows [][]string) {
	d.Font(true, 8)
	for i, h := range heads {
		d.f.CellFormat(widths[i], 7, h, "B", 0, align[i:i+1], false, 0, "")
	}
	d.f.Ln(-1)
	d.Font(false, 8)
	for _, row := range rows {
		for i, c := range row {
			if i == 0 {
				c = d.fit(c, widths[0]-1)
			}
			d.f.CellFormat(widths[i], 6, c, "", 0, align[i:i+1], false, 0, "")
		}
		d.f.Ln(-1)
	}
}

// fit cuts s with an ellipsis until it is at most width wide.
func (d *Doc) fit(s string, width float64) string {
	for d.f.GetStringWidth(s) > width && len([]rune(s)) > 4 {
		rs := []rune(s)
		s = string(rs[:len(rs)-2]) + "…"
		s = strings.Replace(s, "……", "…", 1)
	}
	return s
}

// Barcode module size: the narrowest bar is 0.3 mm wide (a 54-digit
// Code 128 set C symbol is 332 modules, about 100 mm), the bars 15 mm
// tall, with a quiet zone of ten modules on each side, as bank apps and
// scanners read the virtual barcode.
const (
	moduleMM   = 0.3
	barsMM     = 15.0
	quietZones = 10
)

// Barcode draws content as a Code 128 symbol (set C for an even number of
// digits, as the virtual barcode is) in vector bars, sharp at any zoom
// and in print, with the content in small print under it.
func (d *Doc) Barcode(content string) error {
	bc, err := code128.Encode(content)
	if err != nil {
		return err
	}
	n := bc.Bounds().Dx()
	x0, _, _, _ := d.f.GetMargins()
	x0 += quietZones * moduleMM
	_, pageH := d.f.GetPageSize()
	_, _, _, bottom := d.f.GetMargins()
	if d.f.GetY()+2+barsMM+6 > pageH-bottom {
		d.f.AddPage() // bars are drawn, not written: no automatic page break
	}
	y := d.f.GetY() + 2
	d.f.SetFillColor(0, 0, 0)
	for i := 0; i < n; {
		if !dark(bc.At(i, 0)) {
			i++
			continue
		}
		j := i
		for j < n && dark(bc.At(j, 0)) {
			j++
		}
		d.f.Rect(x0+float64(i)*moduleMM, y, float64(j-i)*moduleMM, barsMM, "F")
		i = j
	}
	d.f.SetY(y + barsMM + 1)
	d.Font(false, 8)
	d.f.SetX(x0)
	d.f.CellFormat(float64(n)*moduleMM, 4, content, "", 1, "C", false, 0, "")
	return nil
}

func dark(c color.Color) bool {
	r, g, b, _ := c.RGBA()
	return r+g+b < 3*0x8000
}

// Bytes is the finished document.
func (d *Doc) Bytes() ([]byte, error) {
	var buf bytes.Buffer
	if err := d.f.Output(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
