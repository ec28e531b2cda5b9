package app

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"

	"asiakassivu/internal/portal"
	"asiakassivu/internal/store"
)

// DeductionPayer is a payer in the yearly report, identity code in clear,
// with their share in basis points and their part of the record's amounts
// in euros (portal.SplitCents: an odd cent goes to the first payer).
type DeductionPayer struct {
	Name         string `json:"name"`
	IdentityCode string `json:"identity_code"`
	ShareBP      int    `json:"share_bp"`
	TotalPaidEUR string `json:"total_paid_eur"`
	WorkShareEUR string `json:"work_share_eur"`
}

// DeductionRecord is one consenting customer's site and work type in the
// yearly report for the Tax Administration (PRODUCT.md C6).
type DeductionRecord struct {
	CustomerID     int64            `json:"-"`
	BusinessID     string           `json:"business_id"`
	CompanyName    string           `json:"company_name"`
	WorkType       string           `json:"work_type"`
	SiteAddress    string           `json:"site_address"`
	ContractDate   string           `json:"contract_date"`
	FirstPayment   string           `json:"first_payment_date"`
	LastPayment    string           `json:"last_payment_date"`
	TotalPaidCents int64            `json:"total_paid_cents"`
	WorkShareCents int64            `json:"work_share_cents"`
	Payers         []DeductionPayer `json:"payers"`
}

// DeductionReport is the yearly report of every consenting customer.
type DeductionReport struct {
	Year    int               `json:"year"`
	Records []DeductionRecord `json:"records"`
}

// SentFile is one file a sender delivered, with its SHA-256 (hex).
type SentFile struct {
	Name   string
	SHA256 string
}

// Sender delivers the yearly report. The Tax Administration's interface
// needs a certificate this project cannot hold, so the only implementation
// writes files (FileSender).
type Sender interface {
	Send(ctx context.Context, name string, body []byte) (SentFile, error)
}

// FileSender writes each report file into a directory (mode 0600: it holds
// identity codes in clear).
type FileSender struct{ Dir string }

// Send writes body to Dir/name.
func (f FileSender) Send(_ context.Context, name string, body []byte) (SentFile, error) {
	if err := os.MkdirAll(f.Dir, 0o700); err != nil {
		return SentFile{}, err
	}
	p := filepath.Join(f.Dir, name)
	if err := os.WriteFile(p, body, 0o600); err != nil {
		return SentFile{}, err
	}
	sum := sha256.Sum256(body)
	return SentFile{Name: p, SHA256: hex.EncodeToString(sum[:])}, nil
}

// BuildDeductionReport collects the year's report: for every customer
// record whose consent is on, each site with payments in the year.
func (a *App) BuildDeductionReport(ctx context.Context, year int) (DeductionReport, error) {
	rep := DeductionReport{Year: year, Records: []DeductionRecord{}}
	if a.sealer == nil {
		return rep, errors.New("deduction report: no secret key to open identity codes")
	}
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		rows, err := tx.DeductionExportRows(ctx, year)
		if err != nil {
			return err
		}
		payers := map[int64][]DeductionPayer{}
		for _, r := range rows {
			if _, ok := payers[r.CustomerID]; !ok {
				c, err := tx.ConsentOf(ctx, r.CustomerID)
				if err != nil {
					return err
				}
				list := []DeductionPayer{}
				for _, p := range c.Payers {
					plain, err := a.sealer.Open(p.IdentityCodeEnc)
					if err != nil {
						return fmt.Errorf("customer %d: %w", r.CustomerID, err)
					}
					list = append(list, DeductionPayer{Name: p.Name, IdentityCode: string(plain), ShareBP: p.ShareBP})
				}
				payers[r.CustomerID] = list
			}
			contracts, err := tx.ContractsOfSite(ctx, r.SiteID)
			if err != nil {
				return err
			}
			all, err := tx.SiteLinesPaidInYear(ctx, r.SiteID, year)
			if err != nil {
				return err
			}
			// The row is one provider's invoices of the site: its lines only.
			lines := slices.DeleteFunc(all, func(l store.PaidLine) bool { return l.BusinessID != r.BusinessID })
			base := DeductionRecord{CustomerID: r.CustomerID, BusinessID: r.BusinessID, CompanyName: r.ProviderName,
				SiteAddress: portal.Site{Street: r.Street, PostalCode: r.PostalCode, City: r.City}.Address()}
			for _, rec := range recordsByType(base, r, contracts, lines) {
				rec.Payers = payerAmounts(payers[r.CustomerID], rec)
				rep.Records = append(rep.Records, rec)
			}
		}
		return nil
	})
	return rep, err
}

// payerAmounts copies a record's payers with each one's part of its total
// paid and work share in euros, split by their shares.
func payerAmounts(payers []DeductionPayer, rec DeductionRecord) []DeductionPayer {
	out := slices.Clone(payers)
	shares := make([]int, len(out))
	for i, p := range out {
		shares[i] = p.ShareBP
	}
	paid, work := portal.SplitCents(rec.TotalPaidCents, shares), portal.SplitCents(rec.WorkShareCents, shares)
	for i := range out {
		out[i].TotalPaidEUR, out[i].WorkShareEUR = euros(paid[i]), euros(work[i])
	}
	return out
}

// euros writes cents as euros with a point and two decimals ("-12.05"), as
// machines read them.
func euros(cents int64) string {
	sign := ""
	if cents < 0 {
		sign, cents = "-", -cents
	}
	return fmt.Sprintf("%s%d.%02d", sign, cents/100, cents%100)
}

// recordsByType splits one site's year into a record per work type: each
// paid line counts for the type portal.WorkTypeOf gives it (the work share
// from its work lines, the total paid from all its lines), the payment
// dates are those of the summaries with lines of the type, and the
// contract date is that of the type's first contract (else the site's
// first). A site whose summaries have no lines is one record of its first
// contract's type with the summaries' totals.
func recordsByType(base DeductionRecord, r store.ExportRow, contracts []portal.Contract, lines []store.PaidLine) []DeductionRecord {
	// contracts come newest first: the last one started first.
	contractDate := func(workType string) string {
		for i := len(contracts) - 1; i >= 0; i-- {
			if contracts[i].WorkType == workType || workType == "" {
				return contracts[i].Start.String()
			}
		}
		if len(contracts) > 0 {
			return contracts[len(contracts)-1].Start.String()
		}
		return ""
	}
	if len(lines) == 0 {
		rec := base
		rec.WorkType = portal.DefaultWorkType
		if n := len(contracts); n > 0 && contracts[n-1].WorkType != "" {
			rec.WorkType = contracts[n-1].WorkType
		}
		rec.ContractDate = contractDate("")
		rec.FirstPayment, rec.LastPayment = r.FirstPaid.String(), r.LastPaid.String()
		rec.TotalPaidCents, rec.WorkShareCents = r.TotalCents, r.WorkShareCents
		return []DeductionRecord{rec}
	}
	byType := map[string]*DeductionRecord{}
	var order []string
	for _, l := range lines {
		wt := portal.WorkTypeOf(contracts, l.PerformedOn, l.Description)
		rec, ok := byType[wt]
		if !ok {
			rec = &DeductionRecord{}
			*rec = base
			rec.WorkType, rec.ContractDate = wt, contractDate(wt)
			rec.FirstPayment = l.PaidOn.String()
			byType[wt] = rec
			order = append(order, wt)
		}
		rec.LastPayment = l.PaidOn.String() // lines come by payment date
		rec.TotalPaidCents += l.TotalCents
		if l.IsWork {
			rec.WorkShareCents += l.TotalCents
		}
	}
	slices.SortFunc(order, portal.CompareWorkTypes)
	out := make([]DeductionRecord, 0, len(order))
	for _, wt := range order {
		out = append(out, *byType[wt])
	}
	return out
}

// ReportCSV renders the report as CSV, one row per record and payer. Every
// cell goes through portal.SpreadsheetCell: names and addresses come from
// people and the ERP, and the file is opened in spreadsheets.
func ReportCSV(rep DeductionReport) ([]byte, error) {
	var buf bytes.Buffer
	w := spreadsheetCSV{csv.NewWriter(&buf)}
	w.Write([]string{"year", "business_id", "company_name", "work_type", "site_address", "contract_date",
		"first_payment_date", "last_payment_date", "total_paid_cents", "work_share_cents", "payer_name",
		"payer_identity_code", "payer_share_bp", "payer_total_paid_eur", "payer_work_share_eur"})
	for _, r := range rep.Records {
		ps := r.Payers
		if len(ps) == 0 {
			ps = []DeductionPayer{{}}
		}
		for _, p := range ps {
			w.Write([]string{strconv.Itoa(rep.Year), r.BusinessID, r.CompanyName, r.WorkType, r.SiteAddress, r.ContractDate,
				r.FirstPayment, r.LastPayment, strconv.FormatInt(r.TotalPaidCents, 10), strconv.FormatInt(r.WorkShareCents, 10),
				p.Name, p.IdentityCode, strconv.Itoa(p.ShareBP), p.TotalPaidEUR, p.WorkShareEUR})
		}
	}
	w.Flush()
	return buf.Bytes(), w.Error()
}

// spreadsheetCSV is a CSV writer whose cells cannot be read as formulas
// (portal.SpreadsheetCell); every CSV the product writes uses it.
type spreadsheetCSV struct{ *csv.Writer }

func (w spreadsheetCSV) Write(row []string) error {
	safe := make([]string, len(row))
	for i, cell := range row {
		safe[i] = portal.SpreadsheetCell(cell)
	}
	return w.Writer.Write(safe)
}

// ExportDeduction builds the year's report, hands its CSV and JSON to the
// sender and records the export with the files' checksums.
func (a *App) ExportDeduction(ctx context.Context, year int, s Sender) (store.DeductionExport, error) {
	rep, err := a.BuildDeductionReport(ctx, year)
	if err != nil {
		return store.DeductionExport{}, err
	}
	csvBody, err := ReportCSV(rep)
	if err != nil {
		return store.DeductionExport{}, err
	}
	jsonBody, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		return store.DeductionExport{}, err
	}
	base := fmt.Sprintf("kotitalousvahennys-%d-%s", year, a.db.Now().Format("20060102T150405Z"))
	c, err := s.Send(ctx, base+".csv", csvBody)
	if err != nil {
		return store.DeductionExport{}, err
	}
	j, err := s.Send(ctx, base+".json", append(jsonBody, '\n'))
	if err != nil {
		return store.DeductionExport{}, err
	}
	customers := map[int64]bool{}
	for _, r := range rep.Records {
		customers[r.CustomerID] = true
	}
	e := store.DeductionExport{Year: year, Customers: len(customers), CSVName: c.Name, CSVSHA256: c.SHA256,
		JSONName: j.Name, JSONSHA256: j.SHA256}
	err = a.db.Write(ctx, func(tx *store.Tx) error { return tx.AddDeductionExport(ctx, e) })
	return e, err
}

// SetDeductionRule validates and stores a rule (the chain admin's command).
func (a *App) SetDeductionRule(ctx context.Context, r portal.DeductionRule) error {
	if p := r.Check(); p != "" {
		return errors.New(p)
	}
	return a.db.Write(ctx, func(tx *store.Tx) error { return tx.SetDeductionRule(ctx, r) })
}
