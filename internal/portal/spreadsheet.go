package portal

import "strings"

// SpreadsheetCell makes a text safe to put in a CSV cell that a person may
// open in a spreadsheet: a cell that begins with =, +, -, @, a tab or a
// carriage return would be read as a formula (=HYPERLINK(…), a DDE call),
// so it gets a leading apostrophe, which spreadsheets show as text. A plain
// number (-1250, +5, -12.05) is not a formula and is left as it is, so
// amounts stay numbers.
func SpreadsheetCell(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		if !wholeNumber(s) {
			return "'" + s
		}
	}
	return s
}

func wholeNumber(s string) bool {
	if s[0] == '-' || s[0] == '+' {
		s = s[1:]
	}
	if s == "" {
		return false
	}
	if i := strings.IndexByte(s, '.'); i > 0 && i < len(s)-1 {
		s = s[:i] + s[i+1:] // one decimal point between digits
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
