package legacy

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"asiakassivu/internal/portal"
)

// clearPos zeroes every row's position, so exports read from different
// files can be compared by content.
func clearPos(x *Export) {
	for i := range x.Providers {
		x.Providers[i].Pos = Pos{}
	}
	for i := range x.Customers {
		x.Customers[i].Pos = Pos{}
	}
	for i := range x.Sites {
		x.Sites[i].Pos = Pos{}
	}
	for i := range x.Contracts {
		x.Contracts[i].Pos = Pos{}
	}
	for i := range x.Credentials {
		x.Credentials[i].Pos = Pos{}
	}
	for i := range x.Invoices {
		x.Invoices[i].Pos = Pos{}
	}
	for i := range x.InvoiceLines {
		x.InvoiceLines[i].Pos = Pos{}
	}
	for i := range x.Feedback {
		x.Feedback[i].Pos = Pos{}
	}
	for i := range x.Consents {
		x.Consents[i].Pos = Pos{}
	}
	for i := range x.Payers {
		x.Payers[i].Pos = Pos{}
	}
	x.Files, x.Checksum, x.sum = nil, "", nil
}

// TestGoodExport reads the hand-written export in both forms: the CSV
// files (UTF-8 with and without BOM, one in Windows-1252, both separators,
// decimal commas, Finnish and ISO dates, a quoted multi-line field) and the
// JSON file give the same rows.
func TestGoodExport(t *testing.T) {
	csv, err := ReadPath("testdata/good")
	if err != nil {
		t.Fatal(err)
	}
	if len(csv.Refused) != 0 {
		t.Fatalf("refused: %v", csv.Refused)
	}
	if got, want := len(csv.Files), 10; got != want {
		t.Errorf("read %d files, want %d", got, want)
	}
	if c := csv.Customers[0]; c.Name != "Maija Mäkinen" || c.Email != "Maija.Makinen@Example.fi" || c.Pos != (Pos{"customers.csv", 2}) {
		t.Errorf("customer from Windows-1252 = %+v", c)
	}
	if p := csv.Providers[0]; p.ID != "P1" || p.Pos.Line != 2 {
		t.Errorf("provider after a BOM = %+v", p)
	}
	if k := csv.Contracts[0]; k.PriceCents != 123450 || k.Start != portal.NewDate(2023, 3, 1) || !k.End.IsZero() {
		t.Errorf("contract = %+v", k)
	}
	if l := csv.InvoiceLines[2]; l.QuantityMilli != 2500 || l.UnitPriceCents != 3596 || l.VATRateBP != 2400 || !l.IsWork {
		t.Errorf("line = %+v", l)
	}
	if l := csv.InvoiceLines[0]; l.Description != "Kotisiivous (2 käyntiä; 6 h)" || l.VATRateBP != 2550 {
		t.Errorf("line with a quoted separator = %+v", l)
	}
	f := csv.Feedback[0]
	if want := time.Date(2024, 10, 21, 6, 15, 0, 0, time.UTC); !f.RepliedAt.Equal(want) || f.Comment != "Kiitos, todella siistiä!\nIkkunatkin kiiltävät." {
		t.Errorf("feedback = %+v", f)
	}
	if c := csv.Credentials[0]; c.Params != c.Hash[:29] || c.Canonical != c.Hash {
		t.Errorf("credential split = %+v", c)
	}
	if p := csv.Payers[1]; p.ShareBP != 4000 || p.IdentityCode != "220392-789T" {
		t.Errorf("payer = %+v", p)
	}
	js, err := ReadPath("testdata/good.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(js.Refused) != 0 {
		t.Fatalf("JSON refused: %v", js.Refused)
	}
	if js.Customers[1].Pos != (Pos{"good.json", 20}) {
		t.Errorf("JSON position %v, want good.json:20", js.Customers[1].Pos)
	}
	clearPos(csv)
	clearPos(js)
	if !reflect.DeepEqual(csv, js) {
		t.Errorf("CSV and JSON differ:\ncsv  %+v\njson %+v", csv, js)
	}
}

// TestReaderRefusals: rows the reader refuses, with their file:line and
// reason; the other rows of the file are read.
func TestReaderRefusals(t *testing.T) {
	cases := []struct {
		kind Kind
		text string
		want string
		rows int
	}{
		{Customers, "id;name;email\nC1;A;a@example.fi\nC2;B;b@\n", `c.csv:3: bad email "b@" in email`, 1},
		{Customers, "id,name\nC1,A\n,B\n", "c.csv:3: id is missing", 1},
		{Customers, "id;name\nC1;A;extra\nC2;B\n", "c.csv:2: 3 fields, the header has 2 (check the separator and quotes)", 1},
		{Customers, "id;name\nC1;\"A\nC2;B\n", "c.csv:2: malformed CSV: extraneous or missing \" in quoted-field", 0},
		{Contracts, "id;site;kind;service;start\nK1;S1;weekly;Siivous;1.1.2024\n", `c.csv:2: bad kind "weekly": want regular or one_off`, 0},
		{Contracts, "id;site;kind;service;start;end\nK1;S1;regular;Siivous;2.1.2024;1.1.2024\n", "c.csv:2: end 1.1.2024 is before start 2.1.2024", 0},
		{Invoices, "id;customer;site;number;period_start;period_end;issued_on;due_on;status\nI1;C;S;1;1.1.2024;31.1.2024;1.2.2024;15.2.2024;paid\n", "c.csv:2: status paid needs paid_on", 0},
		{Payers, "id;consent;name;identity_code;share\nY1;D1;A;150275-456A;100\n", "c.csv:2: identity_code is not a valid henkilötunnus (date or check character)", 0},
		{Payers, "id;consent;name;identity_code;share\nY1;D1;A;150275-456B;120\n", "c.csv:2: share must be above 0 and at most 100 %", 0},
		{Feedback, "id;site;rating;created_at\nF1;S1;6;1.1.2024\n", `c.csv:2: bad number "6" in rating: want a whole number 1–5`, 0},
		{Feedback, "id;site;created_at\nF1;S1;1.1.2024 25:00\n", `c.csv:2: bad time "1.1.2024 25:00" in created_at: want d.m.yyyy [hh:mm], yyyy-mm-dd [hh:mm] or RFC 3339`, 0},
		{Consents, "id;customer;enabled\nD1;C1;\n", "c.csv:2: enabled is missing", 0},
	}
	for _, c := range cases {
		x := &Export{}
		if err := x.ReadCSV("c.csv", c.kind, []byte(c.text)); err != nil {
			t.Errorf("%q: %v", c.text, err)
			continue
		}
		if len(x.Refused) != 1 || x.Refused[0].Error() != c.want {
			t.Errorf("%q: refused %v, want %q", c.text, x.Refused, c.want)
		}
		if got := x.Rows(c.kind); got != c.rows {
			t.Errorf("%q: %d rows, want %d", c.text, got, c.rows)
		}
	}
}

// TestFileErrors: what makes a whole file unreadable stops the import.
func TestFileErrors(t *testing.T) {
	cases := []struct {
		kind Kind
		json bool
		text string
		want string
	}{
		{Customers, false, "", "f:1: empty file: want a header line"},
		{Customers, false, "id;email\n", `f:1: the header lacks column "name" (a customers file needs id, name)`},
		{Customers, false, "id;name;ID\n", `f:1: column "id" appears twice in the header`},
		{Customers, false, "\xff\xfei\x00d\x00", "f:1: UTF-16 text (byte order mark FF FE) is not supported: export as UTF-8 (or Windows-1252)"},
		{Customers, true, `[{"id":"C1","name":"A"},` + "\n" + `{"id":`, "f:2: invalid JSON: the file ends too early"},
		{Customers, true, `{"id":"C1"}`, `f:1: invalid JSON: want "["`},
		{"", true, `{"customer":[]}`, `f:1: unknown key "customer": want providers, customers, sites, contracts, credentials, invoices, invoice_lines, feedback, consents, payers`},
		{"", true, "{\n\"customers\": [\n{\"id\": \"\xff\"}]}", "f:3: not valid UTF-8 (JSON must be UTF-8)"},
		{"", true, `{"customers":[]} []`, "f:1: invalid JSON: more after the end of the data"},
	}
	for _, c := range cases {
		x := &Export{}
		var err error
		if c.json {
			err = x.ReadJSON("f", c.kind, []byte(c.text))
		} else {
			err = x.ReadCSV("f", c.kind, []byte(c.text))
		}
		if err == nil || err.Error() != c.want {
			t.Errorf("%q: error %v, want %q", c.text, err, c.want)
		}
	}
}

func TestJSONRowRefusals(t *testing.T) {
	text := "[\n{\"id\": \"C1\", \"name\": \"A\"},\n 5,\n{\"id\": \"C3\", \"name\": {\"x\": 1}},\n{\"id\": \"C4\"}\n]"
	x := &Export{}
	if err := x.ReadJSON("customers.json", Customers, []byte(text)); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range x.Refused {
		got = append(got, e.Error())
	}
	want := []string{"customers.json:3: a row must be a JSON object", `customers.json:4: "name": want a string, number, true/false or null`,
		"customers.json:5: name is missing"}
	if !reflect.DeepEqual(got, want) || len(x.Customers) != 1 {
		t.Errorf("refused %q, want %q; rows %d", got, want, len(x.Customers))
	}
}

// TestSeparator: the header decides; a quoted comma does not count.
func TestSeparator(t *testing.T) {
	for in, want := range map[string]rune{"a;b;c\n1,5;2;3": ';', "a,b\n1;2": ',', "\"x,y\";b\n": ';', "a": ','} {
		if got := separator([]byte(in)); got != want {
			t.Errorf("separator(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestWindows1252MixedWithUTF8(t *testing.T) {
	// A UTF-8 file with one broken byte: UTF-8, and the broken line refused.
	text := "id;name\nC1;Mäkinen\nC2;M\xe4kinen\n"
	x := &Export{}
	if err := x.ReadCSV("c.csv", Customers, []byte(text)); err != nil {
		t.Fatal(err)
	}
	if len(x.Customers) != 1 || x.Customers[0].Name != "Mäkinen" || len(x.Refused) != 1 ||
		x.Refused[0].Error() != "c.csv:3: byte 0xE4 is not valid UTF-8 (the rest of the file is UTF-8)" {
		t.Errorf("rows %+v refused %v", x.Customers, x.Refused)
	}
	if !strings.Contains(x.Refused[0].ID, "C2") {
		t.Errorf("refused id %q", x.Refused[0].ID)
	}
}

// TestParallelCSV: a large file without quotes is read in parts; rows and
// line numbers are as if read in one go.
func TestParallelCSV(t *testing.T) {
	var b strings.Builder
	b.WriteString("id;name;email\n")
	n := 0
	for b.Len() < parallelCSV+1000 {
		n++
		if n == 50_000 {
			b.WriteString("X;bad;not-an-email\n")
			continue
		}
		fmt.Fprintf(&b, "C%d;Name %d;c%d@example.fi\n", n, n, n)
	}
	x := &Export{}
	if err := x.ReadCSV("customers.csv", Customers, []byte(b.String())); err != nil {
		t.Fatal(err)
	}
	if len(x.Customers) != n-1 || len(x.Refused) != 1 || x.Refused[0].Error() != `customers.csv:50001: bad email "not-an-email" in email` {
		t.Fatalf("%d rows of %d, refused %v", len(x.Customers), n-1, x.Refused)
	}
	for i, c := range x.Customers {
		line := i + 2
		if i+1 >= 50_000 {
			line++
		}
		if c.Line != line || c.ID != fmt.Sprintf("C%d", line-1) {
			t.Fatalf("row %d: %+v, want line %d", i, c, line)
		}
	}
}
