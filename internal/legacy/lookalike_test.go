package legacy

import "testing"

// TestLookAlikeEmailRefusedOnImport: the old extranet's export cannot
// bring in a look-alike address (kİrsi.niemi@… folds onto kirsi.niemi@…);
// the row is refused with its reason and the others are read.
func TestLookAlikeEmailRefusedOnImport(t *testing.T) {
	cases := []struct{ text, want string }{
		{"id;name;email\nC1;A;a@example.fi\nC2;B;k\u0130rsi.niemi@example.fi\n",
			"c.csv:3: bad email \"k\u0130rsi.niemi@example.fi\" in email: the part before the @ must be ASCII (letters a–z) after NFC"},
		{"id;name;email\nC1;A;a@example.fi\nC2;B;kirsi.niemi@ex\u0430mple.fi\n",
			"c.csv:3: bad email \"kirsi.niemi@ex\u0430mple.fi\" in email: a label of the domain mixes scripts"},
	}
	for _, c := range cases {
		x := &Export{}
		if err := x.ReadCSV("c.csv", Customers, []byte(c.text)); err != nil {
			t.Fatal(err)
		}
		if len(x.Refused) != 1 || x.Refused[0].Error() != c.want || len(x.Customers) != 1 {
			t.Errorf("%q: refused %v, %d rows; want %q", c.text, x.Refused, len(x.Customers), c.want)
		}
	}
	x := &Export{}
	if err := x.ReadCSV("c.csv", Customers, []byte("id;name;email\nC1;A;kirsi@yhtiö.fi\n")); err != nil || len(x.Customers) != 1 ||
		x.Customers[0].Email != "kirsi@xn--yhti-8qa.fi" {
		t.Errorf("a Unicode domain is not read in its IDNA form: %v %+v", err, x.Customers)
	}
}
