package legacy

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"runtime"
	"sort"
	"strings"
	"sync"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
)

// badLine is a line whose bytes could not be decoded.
type badLine struct {
	line   int
	reason string
}

// decodeText turns a CSV file's bytes into UTF-8. UTF-8 (with or without
// a byte order mark) is taken as is. A file with bytes that are not UTF-8
// and no UTF-8 sequence at all is Windows-1252 (what Excel on Windows
// writes) and is converted. A file that mixes both is UTF-8 with broken
// lines. Bytes that fit neither are replaced, and their lines returned so
// that the rows on them can be refused; UTF-16 is refused as a whole.
func decodeText(name string, data []byte) ([]byte, []badLine, error) {
	if bytes.HasPrefix(data, []byte{0xFF, 0xFE}) || bytes.HasPrefix(data, []byte{0xFE, 0xFF}) {
		return nil, nil, &FileError{Pos{name, 1}, "UTF-16 text (byte order mark " + fmt.Sprintf("% X", data[:2]) +
			") is not supported: export as UTF-8 (or Windows-1252)"}
	}
	data = bytes.TrimPrefix(data, []byte{0xEF, 0xBB, 0xBF})
	if utf8.Valid(data) {
		return data, nil, nil
	}
	hasUTF8 := false
	for i := 0; i < len(data); {
		r, n := utf8.DecodeRune(data[i:])
		if r != utf8.RuneError && n > 1 {
			hasUTF8 = true
			break
		}
		i += n
	}
	var out bytes.Buffer
	out.Grow(len(data) + len(data)/8)
	var bad []badLine
	line := 1
	mark := func(reason string) {
		if len(bad) == 0 || bad[len(bad)-1].line != line {
			bad = append(bad, badLine{line, reason})
		}
	}
	dec := charmap.Windows1252
	for i := 0; i < len(data); {
		c := data[i]
		if c == '\n' {
			line++
		}
		if hasUTF8 {
			r, n := utf8.DecodeRune(data[i:])
			if r == utf8.RuneError && n <= 1 {
				mark(fmt.Sprintf("byte 0x%02X is not valid UTF-8 (the rest of the file is UTF-8)", c))
				out.WriteRune(utf8.RuneError)
				i++
				continue
			}
			out.Write(data[i : i+n])
			i += n
			continue
		}
		r := dec.DecodeByte(c)
		if r == utf8.RuneError {
			mark(fmt.Sprintf("byte 0x%02X is neither UTF-8 nor Windows-1252", c))
		}
		out.WriteRune(r)
		i++
	}
	return out.Bytes(), bad, nil
}

// separator picks ';' or ',' by counting both in the header line outside
// quotes: Finnish Excel writes ';' (the comma is the decimal sign).
func separator(text []byte) rune {
	semi, comma, quoted := 0, 0, false
	for _, c := range text {
		switch {
		case c == '"':
			quoted = !quoted
		case quoted:
		case c == '\n':
			if semi > comma {
				return ';'
			}
			return ','
		case c == ';':
			semi++
		case c == ',':
			comma++
		}
	}
	if semi > comma {
		return ';'
	}
	return ','
}

// ReadCSV reads one CSV file of kind k (its bytes) into the export. It
// returns a *FileError when the file cannot be read at all; single rows
// it cannot use are refused and the reading goes on.
func (x *Export) ReadCSV(name string, k Kind, data []byte) error {
	x.addSum(name, data)
	if _, ok := columns[k]; !ok {
		return &FileError{Pos{name, 1}, fmt.Sprintf("unknown kind %q", k)}
	}
	text, bad, err := decodeText(name, data)
	if err != nil {
		return err
	}
	r := csv.NewReader(bytes.NewReader(text))
	r.Comma = separator(text)
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if errors.Is(err, io.EOF) {
		return &FileError{Pos{name, 1}, "empty file: want a header line"}
	}
	if err != nil {
		return &FileError{Pos{name, 1}, "cannot read the header: " + csvReason(err)}
	}
	if len(bad) > 0 && bad[0].line == 1 {
		return &FileError{Pos{name, 1}, "header: " + bad[0].reason}
	}
	idx, err := checkHeader(name, k, header)
	if err != nil {
		return err
	}
	body := text[r.InputOffset():]
	if n := runtime.NumCPU(); n > 1 && len(body) >= parallelCSV && len(bad) == 0 && bytes.IndexByte(body, '"') < 0 {
		// A large file without quotes: every line is a record, so it can be
		// cut at line ends and its parts read side by side.
		line := 1 + bytes.Count(text[:r.InputOffset()], []byte{'\n'})
		parts := make([]*Export, n)
		var wg sync.WaitGroup
		for i := range n {
			end := len(body) * (i + 1) / n
			if j := bytes.IndexByte(body[end:], '\n'); i < n-1 && j >= 0 {
				end += j + 1
			} else {
				end = len(body)
			}
			chunk, first := body[:end], line
			body, line = body[end:], line+bytes.Count(chunk, []byte{'\n'})
			parts[i] = &Export{}
			wg.Go(func() {
				cr := csv.NewReader(bytes.NewReader(chunk))
				cr.Comma, cr.FieldsPerRecord = r.Comma, -1
				parts[i].grow(k, bytes.Count(chunk, []byte{'\n'}))
				parts[i].readRecords(cr, name, k, header, idx, nil, first-1)
			})
		}
		wg.Wait()
		x.grow(k, bytes.Count(text, []byte{'\n'}))
		for _, part := range parts {
			x.joinRows(part)
		}
		return nil
	}
	x.grow(k, bytes.Count(text, []byte{'\n'}))
	return x.readRecords(r, name, k, header, idx, bad, 0)
}

// parallelCSV is the size from which a file without quotes is read in
// parts: below it, starting goroutines gains nothing.
const parallelCSV = 4 << 20

// readRecords reads the records after the header; lineOffset is added to
// the reader's line numbers (for a part of a file).
func (x *Export) readRecords(r *csv.Reader, name string, k Kind, header []string, idx map[string]int, bad []badLine, lineOffset int) error {
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			x.Refused = append(x.Refused, RowError{Pos: Pos{name, pe.StartLine + lineOffset}, Kind: k, Reason: "malformed CSV: " + csvReason(err)})
			continue
		}
		if err != nil {
			return &FileError{Pos{name, 1}, err.Error()}
		}
		line, _ := r.FieldPos(0)
		line += lineOffset
		pos := Pos{name, line}
		if blank(rec) {
			continue
		}
		get := func(col string) string {
			i, ok := idx[col]
			if !ok || i >= len(rec) {
				return ""
			}
			return rec[i]
		}
		if len(rec) != len(header) {
			x.Refused = append(x.Refused, RowError{Pos: pos, Kind: k, ID: oneLine(get("id")),
				Reason: fmt.Sprintf("%d fields, the header has %d (check the separator and quotes)", len(rec), len(header))})
			continue
		}
		if len(bad) > 0 && strings.ContainsRune(strings.Join(rec, ""), utf8.RuneError) {
			if b, ok := badFrom(bad, line); ok {
				x.Refused = append(x.Refused, RowError{Pos: Pos{name, b.line}, Kind: k, ID: oneLine(get("id")), Reason: b.reason})
				continue
			}
		}
		x.addRow(k, pos, get)
	}
}

// badFrom returns the first undecodable line at or after line.
func badFrom(bad []badLine, line int) (badLine, bool) {
	i := sort.Search(len(bad), func(i int) bool { return bad[i].line >= line })
	if i == len(bad) {
		return badLine{}, false
	}
	return bad[i], true
}

func blank(rec []string) bool {
	for _, f := range rec {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}

// csvReason is a parse error's message without the position, which the
// caller's file:line already gives.
func csvReason(err error) string {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}
