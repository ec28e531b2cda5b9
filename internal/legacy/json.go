package legacy

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"
)

// ReadJSON reads a JSON file into the export. With a kind (the file is
// kind.json) it holds an array of row objects; without, an object whose
// keys are kinds and whose values are such arrays. A row object has the
// CSV columns as keys, with strings in the CSV syntax, numbers (a dot as
// the decimal sign), true/false or null as values. Broken JSON stops the
// file with a *FileError; a row that is not usable is refused.
func (x *Export) ReadJSON(name string, k Kind, data []byte) error {
	x.addSum(name, data)
	data = bytes.TrimPrefix(data, []byte{0xEF, 0xBB, 0xBF})
	if !utf8.Valid(data) {
		off := 0
		for off < len(data) {
			r, n := utf8.DecodeRune(data[off:])
			if r == utf8.RuneError && n <= 1 {
				break
			}
			off += n
		}
		return &FileError{Pos{name, 1 + bytes.Count(data[:off], []byte("\n"))}, "not valid UTF-8 (JSON must be UTF-8)"}
	}
	j := &jsonReader{x: x, name: name, data: data, dec: json.NewDecoder(bytes.NewReader(data))}
	j.dec.UseNumber()
	if k != "" {
		if err := j.array(k); err != nil {
			return err
		}
		return j.end()
	}
	if err := j.delim('{'); err != nil {
		return err
	}
	for j.dec.More() {
		line := j.lineAt(j.dec.InputOffset())
		t, err := j.dec.Token()
		if err != nil {
			return j.syntax(err)
		}
		key, _ := t.(string)
		switch kk := Kind(strings.ToLower(key)); {
		case slices.Contains(Kinds, kk):
			if err := j.array(kk); err != nil {
				return err
			}
		case key == "format" || key == "exported_at":
			var skip json.RawMessage
			if err := j.dec.Decode(&skip); err != nil {
				return j.syntax(err)
			}
		default:
			return &FileError{Pos{name, line}, fmt.Sprintf("unknown key %q: want %s", key, kindList())}
		}
	}
	if err := j.delim('}'); err != nil {
		return err
	}
	return j.end()
}

type jsonReader struct {
	x        *Export
	name     string
	data     []byte
	dec      *json.Decoder
	lastOff  int
	lastLine int
}

// lineAt returns the line of the first byte at or after off that is not
// white space or a comma: where the next value starts. Offsets only grow,
// so lines are counted once.
func (j *jsonReader) lineAt(off int64) int {
	o := int(off)
	for o < len(j.data) && strings.IndexByte(" \t\r\n,:", j.data[o]) >= 0 {
		o++
	}
	if j.lastLine == 0 {
		j.lastLine = 1
	}
	if o < j.lastOff {
		return j.lastLine
	}
	j.lastLine += bytes.Count(j.data[j.lastOff:o], []byte("\n"))
	j.lastOff = o
	return j.lastLine
}

func (j *jsonReader) syntax(err error) error {
	var se *json.SyntaxError
	off := j.dec.InputOffset()
	if errors.As(err, &se) {
		off = se.Offset
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		off = int64(len(j.data))
	}
	if off > int64(len(j.data)) {
		off = int64(len(j.data))
	}
	line := 1 + bytes.Count(j.data[:off], []byte("\n"))
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return &FileError{Pos{j.name, line}, "invalid JSON: the file ends too early"}
	}
	return &FileError{Pos{j.name, line}, "invalid JSON: " + err.Error()}
}

func (j *jsonReader) delim(want json.Delim) error {
	line := j.lineAt(j.dec.InputOffset())
	t, err := j.dec.Token()
	if err != nil {
		return j.syntax(err)
	}
	if d, ok := t.(json.Delim); !ok || d != want {
		return &FileError{Pos{j.name, line}, fmt.Sprintf("invalid JSON: want %q", string(want))}
	}
	return nil
}

// end checks that nothing follows the top-level value.
func (j *jsonReader) end() error {
	line := j.lineAt(j.dec.InputOffset())
	if _, err := j.dec.Token(); err == nil {
		return &FileError{Pos{j.name, line}, "invalid JSON: more after the end of the data"}
	} else if !errors.Is(err, io.EOF) {
		return j.syntax(err)
	}
	return nil
}

// array reads an array of row objects of kind k.
func (j *jsonReader) array(k Kind) error {
	if err := j.delim('['); err != nil {
		return err
	}
	for j.dec.More() {
		pos := Pos{j.name, j.lineAt(j.dec.InputOffset())}
		var raw json.RawMessage
		if err := j.dec.Decode(&raw); err != nil {
			return j.syntax(err)
		}
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(raw, &obj); err != nil || obj == nil {
			j.x.Refused = append(j.x.Refused, RowError{Pos: pos, Kind: k, Reason: "a row must be a JSON object"})
			continue
		}
		vals := make(map[string]string, len(obj))
		reason := ""
		for key, v := range obj {
			s, ok := scalar(v)
			if !ok && reason == "" {
				reason = fmt.Sprintf("%q: want a string, number, true/false or null", key)
			}
			vals[strings.ToLower(key)] = s
		}
		get := func(col string) string { return vals[col] }
		if reason == "" {
			for _, c := range columns[k] {
				if _, ok := vals[c.name]; c.required && !ok {
					reason = fmt.Sprintf("%s is missing", c.name)
					break
				}
			}
		}
		if reason != "" {
			e := RowError{Pos: pos, Kind: k, ID: oneLine(get("id")), Reason: reason}
			if pc, ok := parentColumn[k]; ok {
				e.Parent = oneLine(get(pc))
			}
			j.x.Refused = append(j.x.Refused, e)
			continue
		}
		j.x.addRow(k, pos, get)
	}
	return j.delim(']')
}

// scalar turns a JSON value into the text a CSV cell would hold.
func scalar(v json.RawMessage) (string, bool) {
	v = bytes.TrimSpace(v)
	if len(v) == 0 {
		return "", true
	}
	switch v[0] {
	case '"':
		var s string
		if err := json.Unmarshal(v, &s); err != nil {
			return "", false
		}
		return s, true
	case 'n':
		return "", true
	case 't', 'f':
		return string(v), true
	case '{', '[':
		return "", false
	}
	return string(v), true
}
