// Package pdftest reads back the text of the PDFs the portal writes, for
// tests: the pages' text sits in Flate streams as UTF-16 (the fonts are
// embedded with an identity map).
package pdftest

import (
	"bytes"
	"compress/zlib"
	"io"
)

// Streams inflates every Flate stream of a PDF and returns them joined.
func Streams(pdf []byte) []byte {
	var all bytes.Buffer
	for rest := pdf; ; {
		i := bytes.Index(rest, []byte("stream\n"))
		if i < 0 {
			break
		}
		rest = rest[i+len("stream\n"):]
		j := bytes.Index(rest, []byte("endstream"))
		if j < 0 {
			break
		}
		if r, err := zlib.NewReader(bytes.NewReader(rest[:j])); err == nil {
			b, _ := io.ReadAll(r)
			all.Write(b)
		}
		rest = rest[j:]
	}
	return all.Bytes()
}

// UTF16BE encodes s as the text of Streams holds it.
func UTF16BE(s string) []byte {
	var b []byte
	for _, r := range s {
		b = append(b, byte(r>>8), byte(r))
	}
	return b
}
