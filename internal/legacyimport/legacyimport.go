// Package legacyimport writes the old Customer Extranet's export, as package
// legacy reads it, into the portal's database (PRODUCT.md C8,
// docs/legacy-import.md): the plan that checks every row and refuses what
// cannot be used, the digests that make a re-run write nothing, and the
// batches that each commit whole. It is called by the import command; the
// portal's password hasher and sealer come from package app.
package legacyimport

import (
	"cmp"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"asiakassivu/internal/app"
	"asiakassivu/internal/legacy"
	"asiakassivu/internal/portal"
	"asiakassivu/internal/store"
)

// DefaultBatch is how many customers (with everything that hangs on
// them) one import transaction writes: large enough that the per-commit
// cost disappears, small enough that a killed import loses little.
const DefaultBatch = 500

// Options steer Import.
type Options struct {
	// DryRun reads and checks everything against the database and reports
	// what a real run would do, without writing (or hashing) anything.
	DryRun bool
	// BatchSize is customers per transaction (DefaultBatch if 0).
	BatchSize int
	// Progress, if set, is called after each batch with the customers done
	// and the total.
	Progress func(done, total int)
}

// Counts are what an import did with the rows of one kind.
type Counts struct {
	Inserted, Updated, Unchanged, Refused int
}

// Report is the outcome of Import: counts per kind and every
// refused row as "file:line: reason", in file order.
type Report struct {
	DryRun   bool
	RunID    int64 // import_runs row; 0 when nothing was written
	Files    []string
	Checksum string
	Counts   map[legacy.Kind]*Counts
	Refused  []legacy.RowError
	Batches  int
	// Hashed is how many credentials were wrapped in argon2id, and
	// HashTime the time the hashes took, added up (one core each): the
	// import's dominant cost per credential, reported apart.
	Hashed   int
	HashTime time.Duration
}

// Changed reports whether the run inserted or updated anything.
func (r *Report) Changed() bool {
	for _, c := range r.Counts {
		if c.Inserted+c.Updated > 0 {
			return true
		}
	}
	return false
}

// Importer imports the old extranet's export into the portal's database:
// credentials are wrapped with the portal's password hasher and identity
// codes sealed with its sealer (without one, consents with payers are
// refused).
type Importer struct {
	DB     *store.DB
	Hasher *app.Hasher
	Sealer *app.Sealer
}

// Import imports the old extranet's export (PRODUCT.md C8,
// docs/legacy-import.md). Rows are keyed by (legacy.Source, legacy id):
// a row whose digest equals the one recorded by the last import is left
// alone, so a re-run writes nothing and reports every row unchanged. A
// row that cannot be used is refused with its reason (and so are the rows
// that hang on it), the others are imported. Customers are written in
// batches, each batch with its customers' sites, contracts, credentials,
// invoices, feedback and consents in one transaction; a run that writes is
// recorded in import_runs and the audit log. The error is for failures of
// the database or the context only: what was committed stays.
func (in Importer) Import(ctx context.Context, x *legacy.Export, opt Options) (*Report, error) {
	if opt.BatchSize <= 0 {
		opt.BatchSize = DefaultBatch
	}
	rep := &Report{DryRun: opt.DryRun, Files: x.Files, Checksum: x.Checksum, Counts: map[legacy.Kind]*Counts{}}
	for _, k := range legacy.Kinds {
		rep.Counts[k] = &Counts{}
	}
	p := newImportPlan(x, rep, in.Sealer, portal.DateOf(in.DB.Now()))
	p.check()
	im := &importer{in: in, p: p, rep: rep, opt: opt, provIDs: map[string]int64{}}
	err := in.DB.Read(ctx, func(tx *store.Tx) error {
		seen, err := tx.HasImportRows(ctx, legacy.Source)
		im.fresh = !seen
		return err
	})
	if err != nil {
		return rep, fmt.Errorf("import: %w", err)
	}
	if err := im.providers(ctx); err != nil {
		return rep, err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel() // stops the hashing workers when the import ends early
	if !opt.DryRun {
		if err := im.prehash(ctx); err != nil {
			return rep, err
		}
	}
	// Batches go through two stages: prepare (digests, what the database
	// holds, hashing) and commit (the write transaction). The next batch is
	// prepared while the current one commits, so the writer waits for
	// nothing; they touch disjoint rows, so the order of their reads and
	// writes does not matter.
	total := len(p.customers)
	type prepared struct {
		commit func(context.Context) error
		err    error
	}
	prepare := func(lo int) <-chan prepared {
		ch := make(chan prepared, 1)
		go func() {
			c, err := im.prepare(ctx, p.customers[lo:min(lo+opt.BatchSize, total)])
			ch <- prepared{c, err}
		}()
		return ch
	}
	var next <-chan prepared
	if total > 0 {
		next = prepare(0)
	}
	for lo := 0; lo < total; lo += opt.BatchSize {
		r := <-next
		next = nil
		if r.err == nil && lo+opt.BatchSize < total {
			next = prepare(lo + opt.BatchSize)
		}
		if r.err == nil && r.commit != nil {
			r.err = r.commit(ctx)
		}
		if r.err != nil {
			cancel()
			if next != nil {
				<-next // the report is not touched once Import returns
			}
			return rep, r.err
		}
		rep.Batches++
		if opt.Progress != nil {
			opt.Progress(min(lo+opt.BatchSize, total), total)
		}
	}
	if total == 0 && opt.Progress != nil {
		opt.Progress(0, 0)
	}
	order := map[string]int{}
	for i, f := range x.Files {
		order[f] = i
	}
	slices.SortStableFunc(rep.Refused, func(a, b legacy.RowError) int {
		return cmp.Or(cmp.Compare(order[a.File], order[b.File]), cmp.Compare(a.Line, b.Line))
	})
	if rep.RunID != 0 {
		body, _ := json.Marshal(struct {
			Counts  map[legacy.Kind]*Counts
			Refused int
			Hashed  int
		}{rep.Counts, len(rep.Refused), rep.Hashed})
		err := in.DB.Write(ctx, func(tx *store.Tx) error {
			if err := tx.FinishImportRun(ctx, rep.RunID, string(body)); err != nil {
				return err
			}
			return tx.Audit(ctx, store.AuditEntry{ActorRole: "cli", Action: "import.legacy",
				Detail: fmt.Sprintf(`{"run":%d,"checksum":%q}`, rep.RunID, rep.Checksum)})
		})
		if err != nil {
			return rep, fmt.Errorf("import: finish run: %w", err)
		}
	}
	return rep, nil
}

// importPlan is the export checked as a whole: the rows that can be
// imported, indexed by their parents, and the refusals.
type importPlan struct {
	x       *legacy.Export
	rep     *Report
	sealer  *app.Sealer
	today   portal.Date // for payers' birth dates (portal.CheckPayerHetu)
	refused map[legacy.Kind]map[string]legacy.Pos

	providers   []*legacy.Provider
	customers   []*legacy.Customer
	provider    map[string]*legacy.Provider
	customer    map[string]*legacy.Customer
	site        map[string]*legacy.Site
	invoice     map[string]*legacy.Invoice
	consent     map[string]*legacy.Consent
	sitesOf     map[string][]*legacy.Site        // by customer
	contractsOf map[string][]*legacy.Contract    // by site
	credsOf     map[string][]*legacy.Credential  // by customer
	invoicesOf  map[string][]*legacy.Invoice     // by customer
	linesOf     map[string][]*legacy.InvoiceLine // by invoice
	feedbackOf  map[string][]*legacy.FeedbackRow // by site
	consentOf   map[string]*legacy.Consent       // by customer
	payersOf    map[string][]*legacy.Payer       // by consent
}

func newImportPlan(x *legacy.Export, rep *Report, sealer *app.Sealer, today portal.Date) *importPlan {
	nc, ns, ni := len(x.Customers), len(x.Sites), len(x.Invoices)
	return &importPlan{x: x, rep: rep, sealer: sealer, today: today, refused: map[legacy.Kind]map[string]legacy.Pos{},
		provider: map[string]*legacy.Provider{}, customer: make(map[string]*legacy.Customer, nc),
		site: make(map[string]*legacy.Site, ns), invoice: make(map[string]*legacy.Invoice, ni), consent: map[string]*legacy.Consent{},
		sitesOf: make(map[string][]*legacy.Site, nc), contractsOf: make(map[string][]*legacy.Contract, ns),
		credsOf: map[string][]*legacy.Credential{}, invoicesOf: make(map[string][]*legacy.Invoice, nc),
		linesOf: make(map[string][]*legacy.InvoiceLine, ni), feedbackOf: map[string][]*legacy.FeedbackRow{},
		consentOf: map[string]*legacy.Consent{}, payersOf: map[string][]*legacy.Payer{}}
}

// refuse reports a row; mark records its id as refused, so that rows
// referring to it say why they are refused (a duplicate does not mark:
// the id's first row stands).
func (p *importPlan) refuse(k legacy.Kind, pos legacy.Pos, id string, mark bool, format string, args ...any) {
	p.rep.Refused = append(p.rep.Refused, legacy.RowError{Pos: pos, Kind: k, ID: id, Reason: fmt.Sprintf(format, args...)})
	p.rep.Counts[k].Refused++
	if mark && id != "" {
		if p.refused[k] == nil {
			p.refused[k] = map[string]legacy.Pos{}
		}
		if _, ok := p.refused[k][id]; !ok {
			p.refused[k][id] = pos
		}
	}
}

var singular = map[legacy.Kind]string{legacy.Providers: "provider", legacy.Customers: "customer", legacy.Sites: "site",
	legacy.Invoices: "invoice", legacy.Consents: "consent"}

// missing explains why a reference to id of kind k does not resolve.
func (p *importPlan) missing(k legacy.Kind, id string) string {
	if pos, ok := p.refused[k][id]; ok {
		return fmt.Sprintf("%s %q was refused (%s)", singular[k], id, pos)
	}
	return fmt.Sprintf("unknown %s %q", singular[k], id)
}

// dedupe keeps the first row of each id (in file order) and refuses the
// others.
func dedupe[T any](p *importPlan, k legacy.Kind, rows []T, key func(*T) (string, legacy.Pos)) []*T {
	first := make(map[string]int, len(rows)) // id → index of its first row
	out := make([]*T, 0, len(rows))
	for i := range rows {
		id, pos := key(&rows[i])
		if j, dup := first[id]; dup {
			_, at := key(&rows[j])
			p.refuse(k, pos, id, false, "duplicate id %q (first at %s)", id, at)
			continue
		}
		first[id] = i
		out = append(out, &rows[i])
	}
	return out
}

// check resolves every reference and refuses what cannot be imported, in
// dependency order so that a refused parent's rows say so.
func (p *importPlan) check() {
	x := p.x
	badLines := map[string]legacy.RowError{}  // by invoice: a line the reader refused
	badPayers := map[string]legacy.RowError{} // by consent
	for _, e := range x.Refused {
		p.rep.Refused = append(p.rep.Refused, e)
		p.rep.Counts[e.Kind].Refused++
		if e.ID != "" {
			if p.refused[e.Kind] == nil {
				p.refused[e.Kind] = map[string]legacy.Pos{}
			}
			if _, ok := p.refused[e.Kind][e.ID]; !ok {
				p.refused[e.Kind][e.ID] = e.Pos
			}
		}
		if e.Kind == legacy.InvoiceLines && e.Parent != "" {
			if _, ok := badLines[e.Parent]; !ok {
				badLines[e.Parent] = e
			}
		}
		if e.Kind == legacy.Payers && e.Parent != "" {
			if _, ok := badPayers[e.Parent]; !ok {
				badPayers[e.Parent] = e
			}
		}
	}
	for _, r := range dedupe(p, legacy.Providers, x.Providers, func(r *legacy.Provider) (string, legacy.Pos) { return r.ID, r.Pos }) {
		p.provider[r.ID] = r
		p.providers = append(p.providers, r)
	}
	for _, r := range dedupe(p, legacy.Customers, x.Customers, func(r *legacy.Customer) (string, legacy.Pos) { return r.ID, r.Pos }) {
		p.customer[r.ID] = r
		p.customers = append(p.customers, r)
	}
	for _, r := range dedupe(p, legacy.Sites, x.Sites, func(r *legacy.Site) (string, legacy.Pos) { return r.ID, r.Pos }) {
		switch {
		case p.customer[r.Customer] == nil:
			p.refuse(legacy.Sites, r.Pos, r.ID, true, "%s", p.missing(legacy.Customers, r.Customer))
		case p.provider[r.Provider] == nil:
			p.refuse(legacy.Sites, r.Pos, r.ID, true, "%s", p.missing(legacy.Providers, r.Provider))
		default:
			p.site[r.ID] = r
			p.sitesOf[r.Customer] = append(p.sitesOf[r.Customer], r)
		}
	}
	for _, r := range dedupe(p, legacy.Contracts, x.Contracts, func(r *legacy.Contract) (string, legacy.Pos) { return r.ID, r.Pos }) {
		if p.site[r.Site] == nil {
			p.refuse(legacy.Contracts, r.Pos, r.ID, true, "%s", p.missing(legacy.Sites, r.Site))
			continue
		}
		p.contractsOf[r.Site] = append(p.contractsOf[r.Site], r)
	}
	usernames := map[string]*legacy.Credential{}
	for _, r := range dedupe(p, legacy.Credentials, x.Credentials, func(r *legacy.Credential) (string, legacy.Pos) { return r.ID, r.Pos }) {
		norm := store.NormalizeUsername(r.Username)
		switch {
		case p.customer[r.Customer] == nil:
			p.refuse(legacy.Credentials, r.Pos, r.ID, true, "%s", p.missing(legacy.Customers, r.Customer))
		case usernames[norm] != nil:
			p.refuse(legacy.Credentials, r.Pos, r.ID, true, "username %q is already used by credential %q (%s)",
				r.Username, usernames[norm].ID, usernames[norm].Pos)
		default:
			usernames[norm] = r
			p.credsOf[r.Customer] = append(p.credsOf[r.Customer], r)
		}
	}
	// Lines first: an invoice with a line that cannot be imported is
	// refused whole (a summary missing a line would show a wrong total).
	lines := dedupe(p, legacy.InvoiceLines, x.InvoiceLines, func(r *legacy.InvoiceLine) (string, legacy.Pos) { return r.ID, r.Pos })
	linesOf := make(map[string][]*legacy.InvoiceLine, len(x.Invoices))
	for _, l := range lines {
		linesOf[l.Invoice] = append(linesOf[l.Invoice], l)
	}
	for _, r := range dedupe(p, legacy.Invoices, x.Invoices, func(r *legacy.Invoice) (string, legacy.Pos) { return r.ID, r.Pos }) {
		reason := ""
		switch s := p.site[r.Site]; {
		case p.customer[r.Customer] == nil:
			reason = p.missing(legacy.Customers, r.Customer)
		case s == nil:
			reason = p.missing(legacy.Sites, r.Site)
		case s.Customer != r.Customer:
			reason = fmt.Sprintf("site %q belongs to customer %q, not %q", r.Site, s.Customer, r.Customer)
		}
		if e, ok := badLines[r.ID]; reason == "" && ok {
			reason = fmt.Sprintf("its line %q was refused (%s)", e.ID, e.Pos)
		}
		// Positions: a few lines per invoice, so a list beats a map.
		var kept []*legacy.InvoiceLine
		for _, l := range linesOf[r.ID] {
			var same *legacy.InvoiceLine
			for _, k := range kept {
				if k.Position == l.Position {
					same = k
				}
			}
			switch {
			case same != nil:
				p.refuse(legacy.InvoiceLines, l.Pos, l.ID, true, "position %d is already used by line %q (%s)",
					l.Position, same.ID, same.Pos)
			case !r.CreditNote && (l.QuantityMilli < 0) != (l.UnitPriceCents < 0) && l.QuantityMilli != 0 && l.UnitPriceCents != 0:
				p.refuse(legacy.InvoiceLines, l.Pos, l.ID, true, "negative amount on an invoice that is not a credit note")
			case p.site[r.Site] != nil && p.vatReason(r.Site, l) != "":
				// VAT by date is checked on the way in, as the ERP API does.
				p.refuse(legacy.InvoiceLines, l.Pos, l.ID, true, "vat_rate: %s", p.vatReason(r.Site, l))
			default:
				kept = append(kept, l)
				continue
			}
			if reason == "" {
				reason = fmt.Sprintf("its line %q was refused (%s)", l.ID, l.Pos)
			}
		}
		if reason != "" {
			p.refuse(legacy.Invoices, r.Pos, r.ID, true, "%s", reason)
			continue
		}
		p.linesOf[r.ID] = kept
		p.invoice[r.ID] = r
		p.invoicesOf[r.Customer] = append(p.invoicesOf[r.Customer], r)
	}
	for _, l := range lines {
		if p.invoice[l.Invoice] == nil {
			if _, refused := p.refused[legacy.InvoiceLines][l.ID]; !refused {
				p.refuse(legacy.InvoiceLines, l.Pos, l.ID, true, "%s", p.missing(legacy.Invoices, l.Invoice))
			}
		}
	}
	for _, r := range dedupe(p, legacy.Feedback, x.Feedback, func(r *legacy.FeedbackRow) (string, legacy.Pos) { return r.ID, r.Pos }) {
		if p.site[r.Site] == nil {
			p.refuse(legacy.Feedback, r.Pos, r.ID, true, "%s", p.missing(legacy.Sites, r.Site))
			continue
		}
		p.feedbackOf[r.Site] = append(p.feedbackOf[r.Site], r)
	}
	payers := dedupe(p, legacy.Payers, x.Payers, func(r *legacy.Payer) (string, legacy.Pos) { return r.ID, r.Pos })
	payersOf := map[string][]*legacy.Payer{}
	for _, r := range payers {
		payersOf[r.Consent] = append(payersOf[r.Consent], r)
	}
	for _, r := range dedupe(p, legacy.Consents, x.Consents, func(r *legacy.Consent) (string, legacy.Pos) { return r.ID, r.Pos }) {
		reason := ""
		share := 0
		for _, pa := range payersOf[r.ID] {
			share += pa.ShareBP
			if why := payerCodeReason[portal.CheckPayerHetu(pa.IdentityCode, p.today)]; why != "" {
				// Never the code itself: it is personal data.
				p.refuse(legacy.Payers, pa.Pos, pa.ID, true, "%s", why)
				if _, ok := badPayers[r.ID]; !ok {
					badPayers[r.ID] = legacy.RowError{Pos: pa.Pos, Kind: legacy.Payers, ID: pa.ID}
				}
			}
		}
		prev := p.consentOf[r.Customer]
		e, badPayer := badPayers[r.ID]
		ps := payersOf[r.ID]
		switch n := len(ps); {
		case p.customer[r.Customer] == nil:
			reason = p.missing(legacy.Customers, r.Customer)
		case prev != nil:
			reason = fmt.Sprintf("customer %q already has consent %q (%s)", r.Customer, prev.ID, prev.Pos)
		case badPayer:
			reason = fmt.Sprintf("its payer %q was refused (%s)", e.ID, e.Pos)
		case n > 2:
			reason = fmt.Sprintf("%d payers: at most two", n)
		case n == 2 && ps[0].IdentityCode == ps[1].IdentityCode:
			reason = fmt.Sprintf("its payers %q and %q are the same person (the same identity code)", ps[0].ID, ps[1].ID)
		case r.Enabled && n == 0:
			reason = "enabled without payers"
		case n > 0 && share != 10000:
			reason = fmt.Sprintf("payers' shares add up to %s %%, not 100 %%", percent(share))
		case n > 0 && p.sealer == nil:
			reason = "no secret key to seal identity codes with"
		}
		if reason != "" {
			p.refuse(legacy.Consents, r.Pos, r.ID, true, "%s", reason)
			continue
		}
		p.consent[r.ID] = r
		p.consentOf[r.Customer] = r
		p.payersOf[r.ID] = payersOf[r.ID]
	}
	for _, r := range payers {
		if p.consent[r.Consent] == nil {
			if _, refused := p.refused[legacy.Payers][r.ID]; !refused {
				p.refuse(legacy.Payers, r.Pos, r.ID, true, "%s", p.missing(legacy.Consents, r.Consent))
			}
		}
	}
}

// payerCodeReason is the refusal of a payer row whose identity code the
// reader took (a valid henkilötunnus) but a consent outside demo data
// cannot use (portal.CheckPayerHetu).
var payerCodeReason = map[portal.HetuProblem]string{
	portal.HetuTemporary: "identity_code is a temporary or test code (individual number 900–999)",
	portal.HetuFuture:    "identity_code has a birth date in the future",
}

// vatReason is why a line's VAT rate does not fit its performance date
// (portal.CheckVATRate, 0 % only on a VAT-free contract of the site in
// force that day), or "".
func (p *importPlan) vatReason(site string, l *legacy.InvoiceLine) string {
	vatFree := false
	for _, k := range p.contractsOf[site] {
		if k.VATFree && (portal.Contract{Start: k.Start, End: k.End}).Active(l.PerformedOn) {
			vatFree = true
		}
	}
	return portal.CheckVATRate(l.VATRateBP, l.PerformedOn, vatFree)
}

func percent(bp int) string {
	s := fmt.Sprintf("%d,%02d", bp/100, bp%100)
	return strings.TrimSuffix(s, ",00")
}

// Row digests: what a row says (its legacy references included, its file
// and line not), hashed; 16 bytes tell changed rows apart well enough.
type digester struct {
	buf []byte
	key []byte // HMAC key for rows holding personal identity codes
}

func (d *digester) reset() *digester { d.buf = d.buf[:0]; return d }

func (d *digester) s(vals ...string) *digester {
	for _, v := range vals {
		d.buf = binary.AppendUvarint(d.buf, uint64(len(v)))
		d.buf = append(d.buf, v...)
	}
	return d
}

func (d *digester) i(vals ...int64) *digester {
	for _, v := range vals {
		d.buf = binary.AppendVarint(d.buf, v)
	}
	return d
}

func (d *digester) b(v bool) *digester {
	if v {
		return d.i(1)
	}
	return d.i(0)
}

func (d *digester) date(vals ...portal.Date) *digester {
	for _, v := range vals {
		d.i(int64(v.Year), int64(v.Month), int64(v.Day))
	}
	return d
}

func (d *digester) time(v time.Time) *digester {
	if v.IsZero() {
		return d.i(0)
	}
	return d.i(v.UnixMicro())
}

func (d *digester) sum() []byte {
	s := sha256.Sum256(d.buf)
	return s[:16]
}

// keyed is the digest for rows with identity codes: an HMAC whose key
// only the holder of the secret key can derive, so the digest table does
// not let anyone test guesses of a code.
func (d *digester) keyed() []byte {
	m := hmac.New(sha256.New, d.key)
	m.Write(d.buf)
	return m.Sum(nil)[:16]
}

// digestKey derives the HMAC key of keyed digests from the sealer's key
// (app.Sealer.DerivedKey): a value only the key's holder can compute.
func digestKey(s *app.Sealer) []byte {
	if s == nil {
		return nil
	}
	return s.DerivedKey("asiakassivu legacy import digest key v1")
}

// status is what an import does with one row.
type status uint8

const (
	stUnchanged status = iota
	stInserted
	stUpdated
)

// item is one row of a batch with its digest and status.
type item[T any] struct {
	row    *T
	id     string
	digest []byte
	st     status
}

type importer struct {
	in      Importer
	p       *importPlan
	rep     *Report
	opt     Options
	dg      digester
	provIDs map[string]int64
	keyed   bool
	fresh   bool                // nothing of the source imported before
	hashed  map[string]*hashJob // by credential id, see prehash
}

// hashJob is one credential being wrapped ahead of its batch.
type hashJob struct {
	canonical string
	done      chan struct{}
	wrapped   string
	err       error
	took      time.Duration
}

// prehash finds the credentials this run will write and starts wrapping
// them in argon2id in the background, in batch order, on all cores but
// one (which stays with the database writer): at about 56 ms each they
// would otherwise hold up their batches.
func (im *importer) prehash(ctx context.Context) error {
	var items []item[legacy.Credential]
	for _, c := range im.p.customers {
		for _, k := range im.p.credsOf[c.ID] {
			items = append(items, item[legacy.Credential]{row: k, id: k.ID, digest: im.credDigest(k)})
		}
	}
	if len(items) == 0 {
		return nil
	}
	err := im.in.DB.Read(ctx, func(tx *store.Tx) error { return classify(ctx, tx, legacy.Credentials, items, im.fresh) })
	if err != nil {
		return err
	}
	im.hashed = map[string]*hashJob{}
	queue := make(chan *hashJob, len(items))
	for _, it := range changed(items) {
		j := &hashJob{canonical: it.row.Canonical, done: make(chan struct{})}
		im.hashed[it.id] = j
		queue <- j
	}
	close(queue)
	for range max(1, runtime.NumCPU()-1) {
		go func() {
			for j := range queue {
				start := time.Now()
				j.wrapped, j.err = im.in.Hasher.Hash(ctx, j.canonical)
				j.took = time.Since(start)
				close(j.done)
			}
		}()
	}
	return nil
}

func (im *importer) credDigest(k *legacy.Credential) []byte {
	return im.dg.reset().s(k.ID, k.Customer, k.Username, string(k.Algorithm), k.Hash, k.Salt).sum()
}

// classify reads the recorded digests of items and sets their status;
// fresh means that nothing was ever imported, so all are new.
func classify[T any](ctx context.Context, tx *store.Tx, k legacy.Kind, items []item[T], fresh bool) error {
	if len(items) == 0 {
		return nil
	}
	if fresh {
		for i := range items {
			items[i].st = stInserted
		}
		return nil
	}
	ids := make([]string, len(items))
	for i := range items {
		ids[i] = items[i].id
	}
	got, err := tx.ImportDigests(ctx, legacy.Source, string(k), ids)
	if err != nil {
		return fmt.Errorf("import: read digests of %s: %w", k, err)
	}
	for i := range items {
		old, ok := got[items[i].id]
		switch {
		case !ok:
			items[i].st = stInserted
		case !hmac.Equal(old, items[i].digest):
			items[i].st = stUpdated
		default:
			items[i].st = stUnchanged
		}
	}
	return nil
}

func count[T any](c *Counts, items []item[T]) {
	for _, it := range items {
		switch it.st {
		case stInserted:
			c.Inserted++
		case stUpdated:
			c.Updated++
		default:
			c.Unchanged++
		}
	}
}

func changed[T any](items []item[T]) []item[T] {
	var out []item[T]
	for _, it := range items {
		if it.st != stUnchanged {
			out = append(out, it)
		}
	}
	return out
}

func importRows[T any](items []item[T]) []store.ImportRow {
	out := make([]store.ImportRow, len(items))
	for i, it := range items {
		out[i] = store.ImportRow{ExternalID: it.id, Digest: it.digest}
	}
	return out
}

// startRun records the run in the transaction of its first write.
func (im *importer) startRun(ctx context.Context, tx *store.Tx) error {
	if im.rep.RunID != 0 {
		return nil
	}
	id, err := tx.StartImportRun(ctx, legacy.Source, strings.Join(im.rep.Files, ", "), im.rep.Checksum)
	im.rep.RunID = id
	return err
}

// providers imports the providers, in a transaction of their own, and
// reads the ids every site needs.
func (im *importer) providers(ctx context.Context) error {
	items := make([]item[legacy.Provider], len(im.p.providers))
	keys := make([]string, len(items))
	for i, r := range im.p.providers {
		d := im.dg.reset().s(r.ID, r.Name, r.BusinessID, r.City, r.Phone, r.Email)
		if r.IBAN != "" || r.BIC != "" {
			d.s(r.IBAN, r.BIC) // only when given: rows imported before the columns keep their digest
		}
		items[i] = item[legacy.Provider]{row: r, id: r.ID, digest: d.sum()}
		keys[i] = r.ID
	}
	err := im.in.DB.Read(ctx, func(tx *store.Tx) error { return classify(ctx, tx, legacy.Providers, items, im.fresh) })
	if err != nil {
		return err
	}
	count(im.rep.Counts[legacy.Providers], items)
	ch := changed(items)
	if im.opt.DryRun || len(ch) == 0 {
		return im.in.DB.Read(ctx, func(tx *store.Tx) error {
			ids, err := tx.ExternalIDs(ctx, "providers", legacy.Source, keys)
			im.provIDs = ids
			return err
		})
	}
	return im.in.DB.Write(ctx, func(tx *store.Tx) error {
		if err := im.startRun(ctx, tx); err != nil {
			return err
		}
		ps := make([]portal.Provider, len(ch))
		for i, it := range ch {
			r := it.row
			ps[i] = portal.Provider{Source: legacy.Source, ExternalID: r.ID, Name: r.Name, BusinessID: r.BusinessID, City: r.City,
				Phone: r.Phone, Email: r.Email, Active: true, IBAN: r.IBAN, BIC: r.BIC}
		}
		if _, err := tx.UpsertProviders(ctx, ps); err != nil {
			return fmt.Errorf("import: providers: %w", err)
		}
		if err := tx.PutImportRows(ctx, legacy.Source, string(legacy.Providers), importRows(ch)); err != nil {
			return err
		}
		ids, err := tx.ExternalIDs(ctx, "providers", legacy.Source, keys)
		im.provIDs = ids
		return err
	})
}

// batchItems are one batch's rows with their digests.
type batchItems struct {
	customers []item[legacy.Customer]
	sites     []item[legacy.Site]
	contracts []item[legacy.Contract]
	creds     []item[legacy.Credential]
	invoices  []item[legacy.Invoice]
	feedback  []item[legacy.FeedbackRow]
	consents  []item[legacy.Consent]
}

func (im *importer) collect(customers []*legacy.Customer) *batchItems {
	p, d := im.p, &im.dg
	b := &batchItems{}
	for _, c := range customers {
		b.customers = append(b.customers, item[legacy.Customer]{row: c, id: c.ID, digest: d.reset().s(c.ID, c.Name, c.Email, c.Phone).sum()})
		for _, s := range p.sitesOf[c.ID] {
			b.sites = append(b.sites, item[legacy.Site]{row: s, id: s.ID,
				digest: d.reset().s(s.ID, s.Customer, s.Provider, s.Name, s.Street, s.PostalCode, s.City).sum()})
			for _, k := range p.contractsOf[s.ID] {
				b.contracts = append(b.contracts, item[legacy.Contract]{row: k, id: k.ID,
					digest: d.reset().s(k.ID, k.Site, string(k.Kind), k.Service, k.WorkType, k.Rhythm).i(k.PriceCents).b(k.VATFree).
						date(k.Start, k.End).sum()})
			}
			for _, f := range p.feedbackOf[s.ID] {
				b.feedback = append(b.feedback, item[legacy.FeedbackRow]{row: f, id: f.ID,
					digest: d.reset().s(f.ID, f.Site, f.Comment, f.Reply).i(int64(f.Rating)).time(f.RepliedAt).time(f.CreatedAt).sum()})
			}
		}
		for _, k := range p.credsOf[c.ID] {
			b.creds = append(b.creds, item[legacy.Credential]{row: k, id: k.ID, digest: im.credDigest(k)})
		}
		for _, inv := range p.invoicesOf[c.ID] {
			d.reset().s(inv.ID, inv.Customer, inv.Site, inv.Number, string(inv.Status)).b(inv.CreditNote).
				date(inv.PeriodStart, inv.PeriodEnd, inv.IssuedOn, inv.DueOn, inv.PaidOn)
			if inv.Reference != "" {
				d.s(inv.Reference) // only when given: rows imported before the column keep their digest
			}
			for _, l := range p.linesOf[inv.ID] {
				d.s(l.ID, l.Description).i(int64(l.Position), l.QuantityMilli, l.UnitPriceCents, int64(l.VATRateBP)).
					date(l.PerformedOn).b(l.IsWork)
			}
			b.invoices = append(b.invoices, item[legacy.Invoice]{row: inv, id: inv.ID, digest: d.sum()})
		}
		if k := p.consentOf[c.ID]; k != nil {
			if !im.keyed {
				d.key, im.keyed = digestKey(p.sealer), true
			}
			d.reset().s(k.ID, k.Customer, k.TextVersion).b(k.Enabled)
			for _, pa := range p.payersOf[k.ID] {
				d.s(pa.ID, pa.Name, pa.IdentityCode).i(int64(pa.ShareBP))
			}
			b.consents = append(b.consents, item[legacy.Consent]{row: k, id: k.ID, digest: d.keyed()})
		}
	}
	return b
}

// prepare reads what the database holds of one batch of customers with
// their dependants, counts what the batch does, and wraps its
// credentials; it returns the batch's write (nil when there is nothing to
// write, or on a dry run).
func (im *importer) prepare(ctx context.Context, customers []*legacy.Customer) (func(context.Context) error, error) {
	b := im.collect(customers)
	var taken map[string]string // username_norm → credential id, in the database
	err := im.in.DB.Read(ctx, func(tx *store.Tx) error {
		for _, err := range []error{
			classify(ctx, tx, legacy.Customers, b.customers, im.fresh), classify(ctx, tx, legacy.Sites, b.sites, im.fresh),
			classify(ctx, tx, legacy.Contracts, b.contracts, im.fresh), classify(ctx, tx, legacy.Credentials, b.creds, im.fresh),
			classify(ctx, tx, legacy.Invoices, b.invoices, im.fresh), classify(ctx, tx, legacy.Feedback, b.feedback, im.fresh),
			classify(ctx, tx, legacy.Consents, b.consents, im.fresh),
		} {
			if err != nil {
				return err
			}
		}
		var norms []string
		for _, it := range changed(b.creds) {
			norms = append(norms, store.NormalizeUsername(it.row.Username))
		}
		var err error
		taken, err = tx.LegacyUsernamesTaken(ctx, norms)
		return err
	})
	if err != nil {
		return nil, err
	}
	// A username another credential (of an earlier import) already holds
	// cannot be written: refuse the row rather than fail the batch.
	kept := b.creds[:0]
	for _, it := range b.creds {
		if other, ok := taken[store.NormalizeUsername(it.row.Username)]; ok && other != it.id && it.st != stUnchanged {
			im.p.refuse(legacy.Credentials, it.row.Pos, it.id, false, "username %q is already used by credential %q of an earlier import",
				it.row.Username, other)
			continue
		}
		kept = append(kept, it)
	}
	b.creds = kept
	c := im.rep.Counts
	count(c[legacy.Customers], b.customers)
	count(c[legacy.Sites], b.sites)
	count(c[legacy.Contracts], b.contracts)
	count(c[legacy.Credentials], b.creds)
	count(c[legacy.Invoices], b.invoices)
	count(c[legacy.Feedback], b.feedback)
	count(c[legacy.Consents], b.consents)
	// Lines and payers are versioned with their invoice or consent: an
	// invoice written anew rewrites all its lines.
	for _, it := range b.invoices {
		n := len(im.p.linesOf[it.id])
		switch it.st {
		case stInserted:
			c[legacy.InvoiceLines].Inserted += n
		case stUpdated:
			c[legacy.InvoiceLines].Updated += n
		default:
			c[legacy.InvoiceLines].Unchanged += n
		}
	}
	for _, it := range b.consents {
		n := len(im.p.payersOf[it.id])
		switch it.st {
		case stInserted:
			c[legacy.Payers].Inserted += n
		case stUpdated:
			c[legacy.Payers].Updated += n
		default:
			c[legacy.Payers].Unchanged += n
		}
	}
	if im.opt.DryRun {
		return nil, nil
	}
	w := &batchWrite{customers: changed(b.customers), sites: changed(b.sites), contracts: changed(b.contracts),
		creds: changed(b.creds), invoices: changed(b.invoices), feedback: changed(b.feedback), consents: changed(b.consents)}
	if len(w.customers)+len(w.sites)+len(w.contracts)+len(w.creds)+len(w.invoices)+len(w.feedback)+len(w.consents) == 0 {
		return nil, nil
	}
	// Credentials are wrapped before the transaction (most already in the
	// background, see prehash), so the writer is not held for it.
	wrapped := make([]string, len(w.creds))
	if len(w.creds) > 0 {
		errs := make([]error, len(w.creds))
		took := make([]time.Duration, len(w.creds))
		var wg sync.WaitGroup
		for i, it := range w.creds {
			if j := im.hashed[it.id]; j != nil && j.canonical == it.row.Canonical {
				<-j.done
				wrapped[i], errs[i], took[i] = j.wrapped, j.err, j.took
				continue
			}
			wg.Go(func() {
				start := time.Now()
				wrapped[i], errs[i] = im.in.Hasher.Hash(ctx, it.row.Canonical)
				took[i] = time.Since(start)
			})
		}
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			return nil, fmt.Errorf("import: wrap credentials: %w", err)
		}
		im.rep.Hashed += len(w.creds)
		for _, d := range took {
			im.rep.HashTime += d
		}
	}
	// Payers' identity codes are sealed before the transaction too.
	sealed := map[string][]store.Payer{}
	for _, it := range w.consents {
		for _, pa := range im.p.payersOf[it.id] {
			enc, err := im.p.sealer.Seal([]byte(pa.IdentityCode))
			if err != nil {
				return nil, fmt.Errorf("import: seal identity code: %w", err)
			}
			sealed[it.id] = append(sealed[it.id], store.Payer{Name: pa.Name, IdentityCodeEnc: enc, ShareBP: pa.ShareBP})
		}
	}
	return func(ctx context.Context) error {
		return im.in.DB.Write(ctx, func(tx *store.Tx) error {
			if err := im.startRun(ctx, tx); err != nil {
				return err
			}
			return im.write(ctx, tx, b, w, wrapped, sealed)
		})
	}, nil
}

// batchWrite is the part of a batch that is new or changed.
type batchWrite struct {
	customers []item[legacy.Customer]
	sites     []item[legacy.Site]
	contracts []item[legacy.Contract]
	creds     []item[legacy.Credential]
	invoices  []item[legacy.Invoice]
	feedback  []item[legacy.FeedbackRow]
	consents  []item[legacy.Consent]
}

// parentIDs returns the database ids of all rows of a kind in the batch:
// written ones from their upsert, the others looked up.
func parentIDs[T any](ctx context.Context, tx *store.Tx, table string, all []item[T], written []item[T], ids []int64) (map[string]int64, error) {
	out := make(map[string]int64, len(all))
	for i, it := range written {
		out[it.id] = ids[i]
	}
	var rest []string
	for _, it := range all {
		if _, ok := out[it.id]; !ok {
			rest = append(rest, it.id)
		}
	}
	if len(rest) == 0 {
		return out, nil
	}
	got, err := tx.ExternalIDs(ctx, table, legacy.Source, rest)
	if err != nil {
		return nil, err
	}
	for _, id := range rest {
		v, ok := got[id]
		if !ok {
			// Recorded as imported but gone from the table (removed by
			// hand): its dependants cannot be written.
			return nil, fmt.Errorf("import: %s %q was imported before but is no longer in the database; remove its import_rows entry to import it again: %w",
				table, id, portal.ErrConflict)
		}
		out[id] = v
	}
	return out, nil
}

func (im *importer) write(ctx context.Context, tx *store.Tx, b *batchItems, w *batchWrite, wrapped []string, sealed map[string][]store.Payer) error {
	put := func(k legacy.Kind, rows []store.ImportRow) error {
		if err := tx.PutImportRows(ctx, legacy.Source, string(k), rows); err != nil {
			return fmt.Errorf("import: record %s: %w", k, err)
		}
		return nil
	}
	cs := make([]portal.Customer, len(w.customers))
	for i, it := range w.customers {
		r := it.row
		cs[i] = portal.Customer{Source: legacy.Source, ExternalID: r.ID, Name: r.Name, Email: r.Email, Phone: r.Phone}
	}
	ids, err := tx.UpsertCustomers(ctx, cs)
	if err != nil {
		return fmt.Errorf("import: customers: %w", err)
	}
	custIDs, err := parentIDs(ctx, tx, "customers", b.customers, w.customers, ids)
	if err != nil {
		return err
	}
	ss := make([]portal.Site, len(w.sites))
	for i, it := range w.sites {
		r := it.row
		ss[i] = portal.Site{CustomerID: custIDs[r.Customer], ProviderID: im.provIDs[r.Provider], Source: legacy.Source, ExternalID: r.ID,
			Name: r.Name, Street: r.Street, PostalCode: r.PostalCode, City: r.City}
	}
	if ids, err = tx.UpsertSites(ctx, ss); err != nil {
		return fmt.Errorf("import: sites: %w", err)
	}
	need := w.contracts != nil || w.invoices != nil || w.feedback != nil
	siteIDs := map[string]int64{}
	if need {
		if siteIDs, err = parentIDs(ctx, tx, "sites", b.sites, w.sites, ids); err != nil {
			return err
		}
	}
	ks := make([]portal.Contract, len(w.contracts))
	for i, it := range w.contracts {
		r := it.row
		ks[i] = portal.Contract{SiteID: siteIDs[r.Site], Source: legacy.Source, ExternalID: r.ID, Kind: r.Kind, Service: r.Service,
			WorkType: r.WorkType, Rhythm: r.Rhythm, PriceCents: r.PriceCents, VATFree: r.VATFree, Start: r.Start, End: r.End}
	}
	if _, err := tx.UpsertContracts(ctx, ks); err != nil {
		return fmt.Errorf("import: contracts: %w", err)
	}
	for i, it := range w.creds {
		r := it.row
		if _, err := tx.UpsertLegacyCredential(ctx, store.LegacyCredential{CustomerID: custIDs[r.Customer], Source: legacy.Source,
			ExternalID: r.ID, Username: r.Username, Algorithm: r.Algorithm, Params: r.Params, WrappedHash: wrapped[i]}); err != nil {
			return fmt.Errorf("import: credential %q: %w", r.ID, err)
		}
	}
	invs := make([]portal.Invoice, len(w.invoices))
	for i, it := range w.invoices {
		r := it.row
		inv := portal.Invoice{CustomerID: custIDs[r.Customer], SiteID: siteIDs[r.Site], Source: legacy.Source, ExternalID: r.ID,
			Number: r.Number, PeriodStart: r.PeriodStart, PeriodEnd: r.PeriodEnd, IssuedOn: r.IssuedOn, DueOn: r.DueOn,
			PaidOn: r.PaidOn, Status: r.Status, IsCreditNote: r.CreditNote, Reference: r.Reference}
		for _, l := range im.p.linesOf[r.ID] {
			il := portal.InvoiceLine{Position: l.Position, Description: l.Description, PerformedOn: l.PerformedOn,
				QuantityMilli: l.QuantityMilli, UnitPriceCents: l.UnitPriceCents, VATRateBP: l.VATRateBP, IsWork: l.IsWork,
				NetCents: lineNet(l.QuantityMilli, l.UnitPriceCents)}
			il.VATCents = portal.VATOf(il.NetCents, il.VATRateBP)
			il.TotalCents = il.NetCents + il.VATCents
			inv.TotalCents += il.TotalCents
			inv.Lines = append(inv.Lines, il)
		}
		invs[i] = inv
	}
	if _, err := tx.UpsertInvoices(ctx, invs); err != nil {
		return fmt.Errorf("import: invoices: %w", err)
	}
	for _, it := range w.feedback {
		r := it.row
		if _, err := tx.UpsertFeedback(ctx, portal.Feedback{SiteID: siteIDs[r.Site], Source: legacy.Source, ExternalID: r.ID,
			Rating: r.Rating, Comment: r.Comment, Reply: r.Reply, RepliedAt: r.RepliedAt, CreatedAt: r.CreatedAt}); err != nil {
			return fmt.Errorf("import: feedback %q: %w", r.ID, err)
		}
	}
	for _, it := range w.consents {
		r := it.row
		cid := custIDs[r.Customer]
		if _, err := tx.SetDeductionConsent(ctx, cid, r.Enabled, true, r.TextVersion, sealed[r.ID]); err != nil {
			return fmt.Errorf("import: consent %q: %w", r.ID, err)
		}
		if err := tx.AddConsentEvent(ctx, portal.ConsentEvent{CustomerID: cid, Enabled: r.Enabled, TextVersion: r.TextVersion,
			PayerCount: len(sealed[r.ID])}); err != nil {
			return fmt.Errorf("import: consent %q history: %w", r.ID, err)
		}
	}
	for _, err := range []error{
		put(legacy.Customers, importRows(w.customers)), put(legacy.Sites, importRows(w.sites)),
		put(legacy.Contracts, importRows(w.contracts)), put(legacy.Credentials, importRows(w.creds)),
		put(legacy.Invoices, importRows(w.invoices)), put(legacy.Feedback, importRows(w.feedback)),
		put(legacy.Consents, importRows(w.consents)),
	} {
		if err != nil {
			return err
		}
	}
	return nil
}

// lineNet is hours (thousandths) times the unit price, rounded half away
// from zero to the cent.
func lineNet(qtyMilli, unitCents int64) int64 {
	v := qtyMilli * unitCents
	if v >= 0 {
		return (v + 500) / 1000
	}
	return -((-v + 500) / 1000)
}
