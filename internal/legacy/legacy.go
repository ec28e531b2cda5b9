// Package legacy reads the old Customer Extranet's export (PRODUCT.md C8,
// docs/legacy-import.md) into typed rows, each with the file and line it
// came from. It checks what one row can tell on its own (dates, amounts,
// email, hash algorithm); what needs several rows (duplicate ids, missing
// parents) is the importer's (internal/app). A row the reader cannot use
// becomes a RowError "file:line: reason" and the reading goes on.
package legacy

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"asiakassivu/internal/portal"
)

// Source is the source value of every record the import writes, so its
// (source, legacy id) keys never meet the ERP's or the demo's.
const Source = "extranet"

// Kind names one kind of row, and the file (kind.csv, kind.json) that
// holds it.
type Kind string

// The kinds of the export, in the order their rows depend on each other.
const (
	Providers    Kind = "providers"
	Customers    Kind = "customers"
	Sites        Kind = "sites"
	Contracts    Kind = "contracts"
	Credentials  Kind = "credentials"
	Invoices     Kind = "invoices"
	InvoiceLines Kind = "invoice_lines"
	Feedback     Kind = "feedback"
	Consents     Kind = "consents"
	Payers       Kind = "payers"
)

// Kinds lists every kind in dependency order (parents first).
var Kinds = []Kind{Providers, Customers, Sites, Contracts, Credentials, Invoices, InvoiceLines, Feedback, Consents, Payers}

// Pos is where a row starts: the file's base name and the 1-based line.
type Pos struct {
	File string
	Line int
}

// String returns "file:line", the prefix of every message about the row.
func (p Pos) String() string { return fmt.Sprintf("%s:%d", p.File, p.Line) }

// RowError is a row the import refuses. ID and Parent are the row's own
// legacy id and its parent's, as far as they could be read, so that the
// importer can refuse the row's dependants (or its parent invoice or
// consent) with a reason that points here.
type RowError struct {
	Pos
	Kind   Kind
	ID     string
	Parent string
	Reason string
}

// Error returns "file:line: reason".
func (e RowError) Error() string { return e.Pos.String() + ": " + e.Reason }

// FileError is a problem with a whole file (its encoding, its header, its
// JSON syntax): the file cannot be read reliably, so the import stops
// before writing anything.
type FileError struct {
	Pos
	Reason string
}

// Error returns "file:line: reason".
func (e FileError) Error() string { return e.Pos.String() + ": " + e.Reason }

// Provider is a service provider row; sites name theirs.
type Provider struct {
	Pos
	ID, Name, BusinessID, City, Phone, Email string
	IBAN, BIC                                string // electronic form; empty when not exported
}

// Customer is a customer record; its email links it to an account.
type Customer struct {
	Pos
	ID, Name, Email, Phone string
}

// Site is a home of a customer, served by a provider.
type Site struct {
	Pos
	ID, Customer, Provider, Name, Street, PostalCode, City string
}

// Contract is a contract at a site.
type Contract struct {
	Pos
	ID, Site   string
	Kind       portal.ContractKind
	Service    string
	WorkType   string
	Rhythm     string
	PriceCents int64
	VATFree    bool
	Start, End portal.Date
}

// Credential is an old extranet sign-in. Params and Canonical are what
// SplitHash made of the exported hash.
type Credential struct {
	Pos
	ID, Customer, Username string
	Algorithm              portal.LegacyAlgorithm
	Hash, Salt             string
	Params, Canonical      string
}

// Invoice is a billing summary; its total is the sum of its lines.
type Invoice struct {
	Pos
	ID, Customer, Site, Number string
	PeriodStart, PeriodEnd     portal.Date
	IssuedOn, DueOn, PaidOn    portal.Date
	Status                     portal.InvoiceStatus
	CreditNote                 bool
	Reference                  string // electronic form; empty when not exported
}

// InvoiceLine is one line of an invoice.
type InvoiceLine struct {
	Pos
	ID, Invoice    string
	Position       int
	Description    string
	PerformedOn    portal.Date
	QuantityMilli  int64
	UnitPriceCents int64
	VATRateBP      int
	IsWork         bool
}

// FeedbackRow is a customer's feedback about a site's service.
type FeedbackRow struct {
	Pos
	ID, Site  string
	Rating    int // 0: none
	Comment   string
	Reply     string
	RepliedAt time.Time
	CreatedAt time.Time
}

// Consent is a customer's consent to the sending of deduction reports.
type Consent struct {
	Pos
	ID, Customer string
	Enabled      bool
	TextVersion  string
}

// Payer is one payer of a consent, in file order.
type Payer struct {
	Pos
	ID, Consent  string
	Name         string
	IdentityCode string // normalised and checked
	ShareBP      int
}

// Export is everything read from one export: the rows of every kind in
// file order, the rows refused while reading, and what was read.
type Export struct {
	Providers    []Provider
	Customers    []Customer
	Sites        []Site
	Contracts    []Contract
	Credentials  []Credential
	Invoices     []Invoice
	InvoiceLines []InvoiceLine
	Feedback     []FeedbackRow
	Consents     []Consent
	Payers       []Payer
	Refused      []RowError
	// Files are the base names read, in order; Checksum is the SHA-256
	// (hex) over each file's name and bytes, which import_runs records.
	Files    []string
	Checksum string
	sum      []byte
	sums     [][]byte // each file's own digest, in Files order
}

// Rows returns the number of rows read of kind k (refused ones not
// counted).
func (x *Export) Rows(k Kind) int {
	switch k {
	case Providers:
		return len(x.Providers)
	case Customers:
		return len(x.Customers)
	case Sites:
		return len(x.Sites)
	case Contracts:
		return len(x.Contracts)
	case Credentials:
		return len(x.Credentials)
	case Invoices:
		return len(x.Invoices)
	case InvoiceLines:
		return len(x.InvoiceLines)
	case Feedback:
		return len(x.Feedback)
	case Consents:
		return len(x.Consents)
	case Payers:
		return len(x.Payers)
	}
	return 0
}

// ErrNoFiles means a directory holds no export file.
var ErrNoFiles = errors.New("no export files (kind.csv or .json) found")

// MaxFileSize bounds one file, which is read whole: far above a real
// export of the chain (the 100 000-customer benchmark's largest file is
// about 300 MB), well below the memory of the machine.
const MaxFileSize = 4 << 30

// ReadPath reads an export: a directory of kind.csv / kind.json files, or
// one such file, or one JSON file holding every kind. Files are read in
// dependency order (CSV before JSON of the same kind). A *FileError stops
// the reading; refused rows are in the Export.
func ReadPath(path string) (*Export, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	var files []string
	if st.IsDir() {
		ents, err := os.ReadDir(path)
		if err != nil {
			return nil, err
		}
		for _, e := range ents {
			n := e.Name()
			if e.Type().IsRegular() && (strings.EqualFold(filepath.Ext(n), ".csv") || strings.EqualFold(filepath.Ext(n), ".json")) {
				files = append(files, filepath.Join(path, n))
			}
		}
		if len(files) == 0 {
			return nil, fmt.Errorf("%s: %w", path, ErrNoFiles)
		}
	} else {
		files = []string{path}
	}
	slices.SortStableFunc(files, func(a, b string) int { return fileOrder(a) - fileOrder(b) })
	// Files are read side by side (each into an export of its own), then
	// joined in file order, so rows and checksum are as if read in turn.
	parts := make([]*Export, len(files))
	errs := make([]error, len(files))
	slots := make(chan struct{}, max(1, runtime.NumCPU()))
	var wg sync.WaitGroup
	for i, f := range files {
		wg.Go(func() {
			slots <- struct{}{}
			defer func() { <-slots }()
			parts[i] = &Export{}
			errs[i] = parts[i].readFile(f)
		})
	}
	wg.Wait()
	x := &Export{}
	for i, part := range parts {
		if errs[i] != nil {
			return nil, errs[i]
		}
		x.join(part)
	}
	x.finish()
	return x, nil
}

// join appends part's rows, refusals and files to x. A kind's rows
// usually come from one file: then the slice is taken over, not copied
// (the invoice lines of a large export are hundreds of megabytes).
func (x *Export) join(part *Export) {
	x.joinRows(part)
	for i, name := range part.Files {
		h := sha256.New()
		h.Write(x.sum)
		h.Write(part.sums[i])
		x.sum = h.Sum(nil)
		x.Files = append(x.Files, name)
	}
}

// joinRows appends part's rows and refusals to x.
func (x *Export) joinRows(part *Export) {
	x.Providers = joinRows(x.Providers, part.Providers)
	x.Customers = joinRows(x.Customers, part.Customers)
	x.Sites = joinRows(x.Sites, part.Sites)
	x.Contracts = joinRows(x.Contracts, part.Contracts)
	x.Credentials = joinRows(x.Credentials, part.Credentials)
	x.Invoices = joinRows(x.Invoices, part.Invoices)
	x.InvoiceLines = joinRows(x.InvoiceLines, part.InvoiceLines)
	x.Feedback = joinRows(x.Feedback, part.Feedback)
	x.Consents = joinRows(x.Consents, part.Consents)
	x.Payers = joinRows(x.Payers, part.Payers)
	x.Refused = joinRows(x.Refused, part.Refused)
}

func joinRows[T any](a, b []T) []T {
	if cap(a) == 0 {
		return b
	}
	return append(a, b...)
}

// fileOrder sorts files by the dependency order of their kind; files of
// no known kind (a JSON file with every kind) come first.
func fileOrder(path string) int {
	base := strings.ToLower(filepath.Base(path))
	ext := filepath.Ext(base)
	k := Kind(strings.TrimSuffix(base, ext))
	i := slices.Index(Kinds, k)
	if i < 0 {
		return -1
	}
	if ext == ".json" {
		return 2*i + 1
	}
	return 2 * i
}

func (x *Export) readFile(path string) error {
	name := filepath.Base(path)
	if st, err := os.Stat(path); err == nil && st.Size() > MaxFileSize {
		return &FileError{Pos{name, 1}, "file larger than 4 GiB"}
	}
	data, err := os.ReadFile(path) // sized from the file: no regrowing
	if err != nil {
		return fmt.Errorf("read %s: %w", path, err)
	}
	var err2 error
	ext := strings.ToLower(filepath.Ext(name))
	kind := Kind(strings.ToLower(strings.TrimSuffix(name, filepath.Ext(name))))
	switch {
	case ext == ".json":
		if !slices.Contains(Kinds, kind) {
			kind = ""
		}
		err2 = x.ReadJSON(name, kind, data)
	case ext == ".csv" && slices.Contains(Kinds, kind):
		err2 = x.ReadCSV(name, kind, data)
	default:
		return &FileError{Pos{name, 1}, fmt.Sprintf("unknown file: want one of %s as .csv or .json", kindList())}
	}
	return err2
}

func kindList() string {
	s := make([]string, len(Kinds))
	for i, k := range Kinds {
		s[i] = string(k)
	}
	return strings.Join(s, ", ")
}

// addSum adds a file to the export's checksum: the SHA-256 chain over
// each file's SHA-256 of its name, length and bytes.
func (x *Export) addSum(name string, data []byte) {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%d\x00", name, len(data))
	h.Write(data)
	fs := h.Sum(nil)
	x.sums = append(x.sums, fs)
	h.Reset()
	h.Write(x.sum)
	h.Write(fs)
	x.sum = h.Sum(nil)
	x.Files = append(x.Files, name)
}

func (x *Export) finish() { x.Checksum = hex.EncodeToString(x.sum) }
