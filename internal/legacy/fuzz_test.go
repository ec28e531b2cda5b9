package legacy

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

// errForm is "file:line: reason" with a positive line and a reason.
var errForm = regexp.MustCompile(`^[^:]+:[1-9][0-9]*: \S`)

// checkRead checks what any input must give: no panic, a *FileError or
// nil, every refusal and every row at a line of the file.
func checkRead(t *testing.T, x *Export, err error) {
	var fe *FileError
	if err != nil && !errors.As(err, &fe) {
		t.Fatalf("error %v is not a *FileError", err)
	}
	if err != nil && !errForm.MatchString(err.Error()) {
		t.Fatalf("error %q is not file:line: reason", err)
	}
	for _, e := range x.Refused {
		if !errForm.MatchString(e.Error()) {
			t.Fatalf("refusal %q is not file:line: reason", e.Error())
		}
	}
	for _, c := range x.Customers {
		if c.Line < 1 || c.ID == "" || c.Name == "" {
			t.Fatalf("row without position or id: %+v", c)
		}
	}
	for _, c := range x.InvoiceLines {
		if c.Line < 1 || c.ID == "" {
			t.Fatalf("row without position or id: %+v", c)
		}
	}
}

func seeds(f *testing.F, glob string) {
	paths, _ := filepath.Glob(glob)
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err == nil {
			f.Add(b)
		}
	}
}

func FuzzCSV(f *testing.F) {
	seeds(f, "testdata/good/*.csv")
	seeds(f, "testdata/refused/*/*.csv")
	f.Add([]byte("id;name\n\"C1;A\n"))
	f.Add([]byte("id,name,email\r\nC1,\"a,b\",x@y.fi\r\n,,\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, k := range []Kind{Customers, InvoiceLines, Credentials, Payers, Feedback} {
			x := &Export{}
			err := x.ReadCSV("f.csv", k, data)
			checkRead(t, x, err)
		}
	})
}

func FuzzJSON(f *testing.F) {
	seeds(f, "testdata/*.json")
	f.Add([]byte(`{"customers":[{"id":"C1","name":"A"},{"id":5,"name":null}]}`))
	f.Add([]byte(`[{"id":"C1","name":"A","email":["x"]}]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		x := &Export{}
		checkRead(t, x, x.ReadJSON("f.json", "", data))
		x = &Export{}
		checkRead(t, x, x.ReadJSON("customers.json", Customers, data))
	})
}
