package store

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"asiakassivu/internal/portal"
)

// Scope limits which sites a query may return. The app builds it from the
// signed-in person (see app.Viewer); the store only applies it. The zero
// Scope matches nothing.
type Scope struct {
	EmailNorm string // a verified customer's normalised email: their own sites
	// GranteeID adds, to EmailNorm's own sites, the sites that an active
	// grant (family access) gives this account — only caretaker grants
	// when CaretakerOnly. The grant is checked in the query itself, so a
	// revoked grant stops matching at once. Without EmailNorm only the
	// granted sites match: a query about one site the account reaches by
	// a grant looks up that grant alone.
	GranteeID     int64
	CaretakerOnly bool
	ProviderID    int64 // provider staff: the provider's sites
	All           bool  // chain admin
}

func (s Scope) where(arg int) (string, []any) {
	cond, args := s.match(arg)
	// Records the ERP deleted stay in the database but are seen by no one:
	// every query that takes a scope joins the site (s) and its customer (c).
	return "(" + cond + ") AND s.deleted_at IS NULL AND c.deleted_at IS NULL", args
}

// kind tells which condition match makes of the scope: the fields it
// reads, so two scopes of one kind make the same query text.
func (s Scope) kind() int {
	switch {
	case s.All:
		return 1
	case s.ProviderID != 0:
		return 2
	case s.EmailNorm != "" && s.GranteeID != 0 && s.CaretakerOnly:
		return 5
	case s.EmailNorm != "" && s.GranteeID != 0:
		return 4
	case s.EmailNorm != "":
		return 3
	case s.GranteeID != 0 && s.CaretakerOnly:
		return 7
	case s.GranteeID != 0:
		return 6
	}
	return 0
}

// activeGrantSites is the subquery of the sites an active grant gives the
// account in parameter $n (any role, or caretaker grants only).
func activeGrantSites(n string, caretakerOnly bool) string {
	q := `SELECT g.site_id FROM site_grants g WHERE g.grantee_account_id = ` + n +
		` AND g.accepted_at IS NOT NULL AND g.ended_at IS NULL`
	if caretakerOnly {
		q += ` AND g.role = 'caretaker'`
	}
	return q
}

func (s Scope) match(arg int) (string, []any) {
	switch {
	case s.All:
		return "TRUE", nil
	case s.ProviderID != 0:
		return "s.provider_id = $" + strconv.Itoa(arg), []any{s.ProviderID}
	case s.EmailNorm != "" && s.GranteeID != 0:
		// The own sites and the granted ones as one set of site ids, so
		// that both engines look sites up by id from it (an OR over the
		// two would scan every site).
		a, b := "$"+strconv.Itoa(arg), "$"+strconv.Itoa(arg+1)
		return `s.id IN (SELECT os.id FROM sites os JOIN customers oc ON oc.id = os.customer_id WHERE oc.email_norm = ` + a +
			` UNION ALL ` + activeGrantSites(b, s.CaretakerOnly) + `)`, []any{s.EmailNorm, s.GranteeID}
	case s.EmailNorm != "":
		return "c.email_norm = $" + strconv.Itoa(arg), []any{s.EmailNorm}
	case s.GranteeID != 0:
		// The grant of each site looked at, by the grants' site index.
		q := `EXISTS (SELECT 1 FROM site_grants g WHERE g.site_id = s.id AND g.grantee_account_id = $` + strconv.Itoa(arg) +
			` AND g.accepted_at IS NOT NULL AND g.ended_at IS NULL`
		if s.CaretakerOnly {
			q += ` AND g.role = 'caretaker'`
		}
		return q + `)`, []any{s.GranteeID}
	}
	return "FALSE", nil
}

const (
	siteCols = `s.id, s.customer_id, s.provider_id, s.source, s.external_id, s.name, s.street, s.postal_code, s.city,
	s.access_keys, s.access_door_code, s.access_pets, s.access_parking, s.access_other,
	p.id, p.source, p.external_id, p.name, p.business_id, p.city, p.phone, p.email, p.active, p.iban, p.bic`
	siteFrom   = ` FROM sites s JOIN customers c ON c.id = s.customer_id JOIN providers p ON p.id = s.provider_id`
	siteSelect = `SELECT ` + siteCols + siteFrom
)

// siteDest are the scan destinations of siteCols.
func siteDest(x *portal.SiteWithProvider) []any {
	s, p := &x.Site, &x.Provider
	return []any{&s.ID, &s.CustomerID, &s.ProviderID, &s.Source, &s.ExternalID, &s.Name, &s.Street, &s.PostalCode, &s.City,
		&s.Access.Keys, &s.Access.DoorCode, &s.Access.Pets, &s.Access.Parking, &s.Access.Other,
		&p.ID, &p.Source, &p.ExternalID, &p.Name, &p.BusinessID, &p.City, &p.Phone, &p.Email, &p.Active,
		&p.IBAN, &p.BIC}
}

func scanSite(r interface{ Scan(...any) error }) (portal.SiteWithProvider, error) {
	var x portal.SiteWithProvider
	err := r.Scan(siteDest(&x)...)
	return x, mapErr(err)
}

// Sites lists the sites within scope, in a stable order.
func (tx *Tx) Sites(ctx context.Context, scope Scope) ([]portal.SiteWithProvider, error) {
	w, args := scope.where(1)
	rows, err := tx.query(ctx, siteSelect+` WHERE `+w+` ORDER BY s.id`, args...)
	return scanAll(rows, err, func(r *sql.Rows) (portal.SiteWithProvider, error) { return scanSite(r) })
}

// SiteList lists the sites within scope in the order of Sites, with only
// what a list of them shows (ids, name, address): no access instructions,
// no provider. When r names author kinds, unread counts per site the
// messages r has not read (as UnreadMessages; sites without any are left
// out, and the map is nil when none has any), in the same query. Every
// signed-in page reads it, for the site switcher and the navigation.
func (tx *Tx) SiteList(ctx context.Context, scope Scope, r Reader) (sites []portal.Site, unread map[int64]int, err error) {
	w, args := scope.where(1)
	count := "0"
	if len(r.From) > 0 {
		count, args = unreadCount("s.id", r.AccountID, r.From, args)
	}
	rows, err := tx.query(ctx, `SELECT s.id, s.customer_id, s.provider_id, s.name, s.street, s.postal_code, s.city, `+count+`
		FROM sites s JOIN customers c ON c.id = s.customer_id WHERE `+w+` ORDER BY s.id`, args...)
	sites, err = scanAll(rows, err, func(r *sql.Rows) (portal.Site, error) {
		var s portal.Site
		var n int
		err := r.Scan(&s.ID, &s.CustomerID, &s.ProviderID, &s.Name, &s.Street, &s.PostalCode, &s.City, &n)
		if n != 0 {
			if unread == nil {
				unread = map[int64]int{}
			}
			unread[s.ID] = n
		}
		return s, err
	})
	return sites, unread, err
}

// Site returns one site within scope, or portal.ErrNotFound when it does
// not exist or lies outside the scope.
func (tx *Tx) Site(ctx context.Context, scope Scope, id int64) (portal.SiteWithProvider, error) {
	w, args := scope.where(2)
	return scanSite(tx.queryRow(ctx, siteSelect+` WHERE s.id = $1 AND `+w, append([]any{id}, args...)...))
}

const contractCols = `id, site_id, source, external_id, kind, service, work_type, rhythm, price_cents, vat_free,
	start_date, end_date, service_sv, service_en`

// contractDest are the scan destinations of contractCols.
func contractDest(c *portal.Contract) []any {
	return []any{&c.ID, &c.SiteID, &c.Source, &c.ExternalID, &c.Kind, &c.Service, &c.WorkType, &c.Rhythm, &c.PriceCents,
		&c.VATFree, dateCol{&c.Start}, dateCol{&c.End}, &c.ServiceSV, &c.ServiceEN}
}

// ContractsOfSite lists a site's contracts, newest start first.
func (tx *Tx) ContractsOfSite(ctx context.Context, siteID int64) ([]portal.Contract, error) {
	rows, err := tx.query(ctx, `SELECT `+contractCols+` FROM contracts WHERE site_id = $1 AND deleted_at IS NULL ORDER BY start_date DESC, id`, siteID)
	return scanAll(rows, err, func(r *sql.Rows) (portal.Contract, error) {
		var c portal.Contract
		err := r.Scan(contractDest(&c)...)
		return c, err
	})
}

const visitCols = `id, site_id, contract_id, source, external_id, starts_at, ends_at, status, service, worker_first_name,
	price_cents, customer_note, provider_note, sequence, cancel_fee_cents, cancel_fee_reason, service_sv, service_en,
	departed_at, arrival_estimate, arrived_at, done_at, done_note`

// visitDest are the scan destinations of visitCols.
func visitDest(v *portal.Visit) []any {
	return []any{&v.ID, &v.SiteID, idCol{&v.ContractID}, &v.Source, &v.ExternalID, timeCol{&v.StartsAt}, timeCol{&v.EndsAt},
		&v.Status, &v.Service, &v.WorkerFirstName, &v.PriceCents, &v.CustomerNote, &v.ProviderNote, &v.Sequence,
		&v.CancelFeeCents, &v.CancelFeeReason, &v.ServiceSV, &v.ServiceEN,
		timeCol{&v.DepartedAt}, timeCol{&v.ArrivalEstimate}, timeCol{&v.ArrivedAt}, timeCol{&v.DoneAt}, &v.DoneNote}
}

func scanVisit(r interface{ Scan(...any) error }) (portal.Visit, error) {
	var v portal.Visit
	err := r.Scan(visitDest(&v)...)
	return v, mapErr(err)
}

// nextVisitID is the subquery that picks a site's next visit: the first
// by start that has not ended by now and is neither cancelled nor done.
// site and now are SQL expressions.
func nextVisitID(site, now string) string {
	return `(SELECT id FROM visits WHERE site_id = ` + site + ` AND ends_at > ` + now + `
		AND status NOT IN ('cancelled_customer', 'cancelled_provider', 'done') AND deleted_at IS NULL ORDER BY starts_at LIMIT 1)`
}

// NextVisit returns the first visit of a site that has not ended by now and
// is not cancelled; portal.ErrNotFound when there is none.
func (tx *Tx) NextVisit(ctx context.Context, siteID int64, now time.Time) (portal.Visit, error) {
	return scanVisit(tx.queryRow(ctx, `SELECT `+visitCols+` FROM visits WHERE id = `+nextVisitID("$1", "$2"),
		siteID, now.UTC()))
}

const invoiceCols = `id, customer_id, site_id, source, external_id, number, period_start, period_end, issued_on, due_on,
	paid_on, status, is_credit_note, total_cents, reference, provider_business_id, provider_name, provider_iban, provider_bic`

// invoiceDest are the scan destinations of invoiceCols.
func invoiceDest(i *portal.Invoice) []any {
	return []any{&i.ID, &i.CustomerID, &i.SiteID, &i.Source, &i.ExternalID, &i.Number, dateCol{&i.PeriodStart},
		dateCol{&i.PeriodEnd}, dateCol{&i.IssuedOn}, dateCol{&i.DueOn}, dateCol{&i.PaidOn}, &i.Status, &i.IsCreditNote,
		&i.TotalCents, &i.Reference, stampCol{&i.Issuer.BusinessID, &i.Issuer.Stamped}, stampCol{s: &i.Issuer.Name},
		&i.Issuer.IBAN, &i.Issuer.BIC}
}

// stampCol scans a column of an invoice's provider stamp, which is NULL
// until the invoice is stamped: NULL leaves s empty (and stamped false),
// anything else is scanned into s (and sets stamped, when given).
type stampCol struct {
	s       *string
	stamped *bool
}

func (c stampCol) Scan(v any) error {
	switch x := v.(type) {
	case nil:
		*c.s = ""
		if c.stamped != nil {
			*c.stamped = false
		}
		return nil
	case string:
		*c.s = x
	case []byte:
		*c.s = string(x)
	default:
		return fmt.Errorf("provider stamp column: unexpected %T", v)
	}
	if c.stamped != nil {
		*c.stamped = true
	}
	return nil
}

func scanInvoice(r interface{ Scan(...any) error }) (portal.Invoice, error) {
	var i portal.Invoice
	err := r.Scan(invoiceDest(&i)...)
	return i, mapErr(err)
}

// latestInvoiceID is the subquery that picks a site's most recently issued
// billing summary; site is an SQL expression.
func latestInvoiceID(site string) string {
	return `(SELECT id FROM invoices WHERE site_id = ` + site + ` AND deleted_at IS NULL ORDER BY issued_on DESC, id DESC LIMIT 1)`
}

// LatestInvoice returns the most recently issued billing summary of a site;
// portal.ErrNotFound when there is none.
func (tx *Tx) LatestInvoice(ctx context.Context, siteID int64) (portal.Invoice, error) {
	return scanInvoice(tx.queryRow(ctx, `SELECT `+invoiceCols+` FROM invoices WHERE id = `+latestInvoiceID("$1"), siteID))
}

// siteSummaryCols and siteSummaryFrom read sites with their provider, next
// visit, latest billing summary and contracts in one query ($1 is now):
// one row per contract (one without any), newest start first as in
// ContractsOfSite. A page that shows them costs one round trip to
// PostgreSQL instead of four. Every summary query's rows are a part
// number (0: the summary), these columns, an unread count and a journal
// number (see SiteDashboard), so that one scan reads them all.
var (
	siteSummaryOneCols = siteCols + `, ` + prefixCols("v", visitCols) + `, ` + prefixCols("i", invoiceCols)
	siteSummaryCols    = siteSummaryOneCols + `, ` + prefixCols("k", contractCols)
	siteSummaryOne     = siteFrom + `
	LEFT JOIN visits v ON v.id = ` + nextVisitID("s.id", "$1") + `
	LEFT JOIN invoices i ON i.id = ` + latestInvoiceID("s.id")
	siteSummaryFrom = siteSummaryOne + `
	LEFT JOIN contracts k ON k.site_id = s.id AND k.deleted_at IS NULL`
	siteSummaryOrder = ` ORDER BY s.id, k.start_date DESC, k.id`
)

// prefixCols qualifies each of a list of columns with a table alias.
func prefixCols(alias, cols string) string {
	parts := strings.Split(cols, ",")
	for i, c := range parts {
		parts[i] = alias + "." + strings.TrimSpace(c)
	}
	return strings.Join(parts, ", ")
}

// colCount is the number of columns in a list of them.
func colCount(cols string) int { return strings.Count(cols, ",") + 1 }

// nulls is n NULL columns.
func nulls(n int) string { return strings.TrimSuffix(strings.Repeat("NULL, ", n), ", ") }

// SiteSummaries lists the sites within scope in the order of Sites, each
// with its provider, contracts (as ContractsOfSite), next visit (as
// NextVisit) and latest billing summary (as LatestInvoice), in one query.
// Unread is left 0.
func (tx *Tx) SiteSummaries(ctx context.Context, scope Scope, now time.Time) ([]portal.SiteSummary, error) {
	w, args := scope.where(2)
	rows, err := tx.query(ctx, `SELECT 0, `+siteSummaryCols+`, 0, 0`+siteSummaryFrom+` WHERE `+w+siteSummaryOrder,
		append([]any{now.UTC()}, args...)...)
	return scanSiteSummaries(rows, err, nil)
}

// Reader is whose unread messages a site summary counts: the account, and
// the author kinds of the other side (none: no count).
type Reader struct {
	AccountID int64
	From      []string
}

// SiteSummary is SiteSummaries for one site, with the messages of its
// thread that r has not read counted (as UnreadMessages) in the same
// query; portal.ErrNotFound when the site does not exist or lies outside
// the scope.
func (tx *Tx) SiteSummary(ctx context.Context, scope Scope, id int64, now time.Time, r Reader) (portal.SiteSummary, error) {
	d, err := tx.SiteDashboard(ctx, scope, id, now, r, DashboardParts{})
	return d.SiteSummary, err
}

// DashboardParts is what SiteDashboard reads beside a site's summary.
type DashboardParts struct {
	// Cancelled is how many of the site's cancelled visits that have not
	// ended yet to read, soonest first.
	Cancelled int
	// Rate is whose done visits wait for a rating: the latest visit of the
	// site within this scope that was done and ended (or was marked done
	// by the worker, C12) within RateWindow before now and has no rating
	// yet, from the portal or the ERP. The zero Scope reads none.
	Rate       Scope
	RateWindow time.Duration
	// LiveFrom reads the journal's newest number (LastChange), where a
	// live stream opened with the page starts.
	LiveFrom bool
}

// SiteDashboard is SiteSummary with what the site's dashboard shows
// beside it (parts), all in one statement: the summary's row, its
// contracts, the cancelled visits ahead and the visit to rate, told apart
// by a part number. Only the summary's row checks the scope (and the
// rating's part its own): when the site lies outside it the other parts
// are dropped unread and the answer is portal.ErrNotFound.
func (tx *Tx) SiteDashboard(ctx context.Context, scope Scope, id int64, now time.Time, r Reader, parts DashboardParts) (portal.SiteDashboard, error) {
	// The text takes few shapes: each is built once, not on every page.
	key := dashboardKey{scope.kind(), len(r.From), parts.Cancelled > 0, parts.Rate.kind(), parts.LiveFrom}
	q, ok := dashboardTexts.Load(key)
	if !ok {
		q, _ = dashboardTexts.LoadOrStore(key, dashboardText(scope, len(r.From), parts))
	}
	// The parameters in the order dashboardText numbers them.
	now = now.UTC()
	args := make([]any, 0, 10+len(r.From))
	args = append(args, now, id)
	if len(r.From) > 0 {
		args = append(args, r.AccountID)
		for _, k := range r.From {
			args = append(args, k)
		}
	}
	_, wargs := scope.match(0)
	args = append(args, wargs...)
	if parts.Cancelled > 0 {
		args = append(args, parts.Cancelled)
	}
	if parts.Rate.kind() != 0 {
		_, rargs := parts.Rate.match(0)
		args = append(append(args, now.Add(-parts.RateWindow-24*time.Hour), now.Add(-parts.RateWindow)), rargs...)
	}
	rows, err := tx.query(ctx, q.(string), args...)
	var d portal.SiteDashboard
	sums, err := scanSiteSummaries(rows, err, &d)
	if err != nil {
		return portal.SiteDashboard{}, err
	}
	if len(sums) == 0 {
		return portal.SiteDashboard{}, portal.ErrNotFound
	}
	sums[0].Contracts = d.Contracts // part 3's
	d.SiteSummary = sums[0]
	// Contracts in siteSummaryOrder's order, cancelled visits by start.
	slices.SortFunc(d.Contracts, func(a, b portal.Contract) int {
		return cmp.Or(b.Start.Time().Compare(a.Start.Time()), cmp.Compare(a.ID, b.ID))
	})
	slices.SortFunc(d.Cancelled, func(a, b portal.Visit) int {
		return cmp.Or(a.StartsAt.Compare(b.StartsAt), cmp.Compare(a.ID, b.ID))
	})
	return d, nil
}

// dashboardKey is the shape of SiteDashboard's query text; dashboardTexts
// holds the text of each shape seen.
type dashboardKey struct {
	scope, authorKinds int
	cancelled          bool
	rate               int
	liveFrom           bool
}

var dashboardTexts sync.Map

// dashboardText is SiteDashboard's query: $1 now, $2 the site, then the
// reader's account and author kinds, the scope's parameters, the number of
// cancelled visits, and the rating's window bounds and scope.
func dashboardText(scope Scope, authorKinds int, parts DashboardParts) string {
	args := []any{nil, nil}
	unread := "0"
	if authorKinds > 0 {
		unread, args = unreadCount("s.id", 0, make([]string, authorKinds), args)
	}
	w, wargs := scope.where(len(args) + 1)
	n := len(args) + len(wargs)
	last := "0"
	if parts.LiveFrom {
		last = `(SELECT value FROM change_counter WHERE id = 1)`
	}
	// The summary's one row, then its contracts as rows of their own
	// (part 3), so that the summary's sixty columns are not read once per
	// contract. PostgreSQL types the NULLs of a part by the parts before
	// it, so each column has its type in one of the first two.
	contracts := colCount(contractCols)
	q := `SELECT 0, ` + siteSummaryOneCols + `, ` + nulls(contracts) + `, ` + unread + `, ` + last + siteSummaryOne + ` WHERE s.id = $2 AND ` + w + `
		UNION ALL SELECT 3, ` + nulls(colCount(siteSummaryOneCols)) + `, ` +
		prefixCols("k", contractCols) + `, 0, 0 FROM contracts k WHERE k.site_id = $2 AND k.deleted_at IS NULL`
	// A visit of another part fills the summary's visit columns; the
	// others are NULL. The NULLs stand outside the subqueries, where
	// PostgreSQL types them by the summary's columns.
	visitRow := func(part string) string {
		return ` UNION ALL SELECT ` + part + `, ` + nulls(colCount(siteCols)) + `, ` + prefixCols("x", visitCols) + `, ` +
			nulls(colCount(invoiceCols)+colCount(contractCols)) + `, 0, 0 FROM `
	}
	if parts.Cancelled > 0 {
		n++
		q += visitRow("1") + `(SELECT ` + prefixCols("v", visitCols) + ` FROM visits v
		WHERE v.site_id = $2 AND v.ends_at > $1 AND v.status IN ('cancelled_customer', 'cancelled_provider')
		AND v.deleted_at IS NULL ORDER BY v.starts_at, v.id LIMIT $` + strconv.Itoa(n) + `) x`
	}
	if parts.Rate.kind() != 0 {
		rw, _ := parts.Rate.where(n + 3)
		q += visitRow("2") + `(SELECT ` + prefixCols("v", visitCols) + ` FROM visits v
		JOIN sites s ON s.id = v.site_id JOIN customers c ON c.id = s.customer_id
		WHERE v.site_id = $2 AND v.status = 'done' AND v.starts_at > $` + strconv.Itoa(n+1) + ` AND v.ends_at >= $` + strconv.Itoa(n+2) + `
		AND (v.ends_at <= $1 OR v.done_at <= $1) AND v.deleted_at IS NULL AND ` + rw + `
		AND NOT EXISTS (SELECT 1 FROM feedback f WHERE f.site_id = v.site_id AND f.visit_id = v.id AND f.rating > 0)
		ORDER BY v.ends_at DESC, v.id DESC LIMIT 1) x`
	}
	// No order for the whole: sorting the few wide rows would cost more
	// than the rest of the statement; SiteDashboard orders them.
	return q
}

// scanSiteSummaries reads the rows of the summary queries, one or more
// per site. Rows of other parts (SiteDashboard's) go to d.
func scanSiteSummaries(rows *sql.Rows, err error, d *portal.SiteDashboard) ([]portal.SiteSummary, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	sc := summaryScans.Get().(*summaryScan)
	defer summaryScans.Put(sc)
	x, v, i, c := &sc.x, &sc.v, &sc.i, &sc.c
	var out []portal.SiteSummary
	for rows.Next() {
		*x, *v, *i, *c = portal.SiteWithProvider{}, portal.Visit{}, portal.Invoice{}, portal.Contract{}
		sc.unread, sc.last = 0, 0
		if err := rows.Scan(sc.dest...); err != nil {
			return nil, mapErr(err)
		}
		switch {
		case sc.part == 1 && d != nil:
			d.Cancelled = append(d.Cancelled, *v)
			continue
		case sc.part == 2 && d != nil:
			rate := *v
			d.ToRate = &rate
			continue
		case sc.part == 3 && d != nil:
			d.Contracts = append(d.Contracts, *c)
			continue
		case sc.part != 0:
			return nil, fmt.Errorf("site summary: unexpected part %d", sc.part)
		}
		if n := len(out); n == 0 || out[n-1].Site.ID != x.Site.ID {
			sum := portal.SiteSummary{Site: x.Site, Provider: x.Provider, Unread: sc.unread}
			if v.ID != 0 {
				next := *v
				sum.NextVisit = &next
			}
			if i.ID != 0 {
				latest := *i
				sum.LatestInvoice = &latest
			}
			out = append(out, sum)
			if d != nil {
				d.LiveFrom = sc.last
			}
		}
		if c.ID != 0 {
			last := &out[len(out)-1]
			last.Contracts = append(last.Contracts, *c)
		}
	}
	return out, mapErr(rows.Err())
}

// summaryScan is the scan destinations of one row of a summary query:
// all but the part may be NULL (outer joins, other parts), so they are
// reset before each row, since a NULL leaves them as they are. They are
// pooled, since every dashboard would otherwise build the sixty
// destinations anew.
type summaryScan struct {
	part     int
	x        portal.SiteWithProvider
	v        portal.Visit
	i        portal.Invoice
	c        portal.Contract
	unread   int
	last     int64
	nullable []orZero
	dest     []any
}

var summaryScans = sync.Pool{New: func() any {
	sc := new(summaryScan)
	cols := append(append(append(siteDest(&sc.x), visitDest(&sc.v)...), invoiceDest(&sc.i)...), contractDest(&sc.c)...)
	cols = append(cols, &sc.unread, &sc.last)
	sc.nullable = make([]orZero, len(cols))
	sc.dest = append(make([]any, 0, 1+len(cols)), &sc.part)
	for k, d := range cols {
		sc.nullable[k].dst = d
		sc.dest = append(sc.dest, &sc.nullable[k])
	}
	return sc
}}

// orZero scans a column that an outer join may leave NULL: NULL leaves the
// destination as it is (zero), anything else is scanned into it.
type orZero struct{ dst any }

func (o *orZero) Scan(v any) error {
	if v == nil {
		return nil
	}
	// The common destinations without reflection: a dashboard scans some
	// forty of these per row.
	switch d := o.dst.(type) {
	case sql.Scanner:
		return d.Scan(v)
	case *int64:
		if x, ok := v.(int64); ok {
			*d = x
			return nil
		}
	case *int:
		if x, ok := v.(int64); ok {
			*d = int(x)
			return nil
		}
	case *string:
		switch x := v.(type) {
		case string:
			*d = x
			return nil
		case []byte:
			*d = string(x)
			return nil
		}
	case *bool:
		switch x := v.(type) {
		case bool:
			*d = x
			return nil
		case int64: // SQLite's booleans
			*d = x != 0
			return nil
		}
	}
	e := reflect.ValueOf(o.dst).Elem()
	switch x := v.(type) {
	case int64:
		switch e.Kind() {
		case reflect.Int, reflect.Int32, reflect.Int64:
			e.SetInt(x)
			return nil
		case reflect.Bool: // SQLite's booleans
			e.SetBool(x != 0)
			return nil
		}
	case bool:
		if e.Kind() == reflect.Bool {
			e.SetBool(x)
			return nil
		}
	case string:
		if e.Kind() == reflect.String {
			e.SetString(x)
			return nil
		}
	case []byte:
		if e.Kind() == reflect.String {
			e.SetString(string(x))
			return nil
		}
	}
	return fmt.Errorf("scan %T into %T", v, o.dst)
}

// InvoiceLines returns the lines of an invoice in order.
func (tx *Tx) InvoiceLines(ctx context.Context, invoiceID int64) ([]portal.InvoiceLine, error) {
	rows, err := tx.query(ctx, `SELECT position, description, performed_on, quantity_milli, unit_price_cents, vat_rate_bp,
		net_cents, vat_cents, total_cents, is_work, description_sv, description_en FROM invoice_lines WHERE invoice_id = $1
		ORDER BY position`, invoiceID)
	return scanAll(rows, err, func(r *sql.Rows) (portal.InvoiceLine, error) {
		var l portal.InvoiceLine
		err := r.Scan(&l.Position, &l.Description, dateCol{&l.PerformedOn}, &l.QuantityMilli, &l.UnitPriceCents, &l.VATRateBP,
			&l.NetCents, &l.VATCents, &l.TotalCents, &l.IsWork, &l.DescriptionSV, &l.DescriptionEN)
		return l, err
	})
}

// UnreadMessages counts the messages of a site's thread that the account
// has not read: those written by the other side (fromKinds) after the
// account's read marker.
func (tx *Tx) UnreadMessages(ctx context.Context, siteID, accountID int64, fromKinds ...string) (int, error) {
	if len(fromKinds) == 0 {
		return 0, nil
	}
	q, args := unreadCount("$1", accountID, fromKinds, []any{siteID})
	var n int
	err := tx.queryRow(ctx, `SELECT `+q, args...).Scan(&n)
	return n, mapErr(err)
}

// unreadCount is the subquery of UnreadMessages for the site given as an
// SQL expression; the account and the author kinds (at least one) are
// appended to args as its parameters.
func unreadCount(site string, accountID int64, fromKinds []string, args []any) (string, []any) {
	args = append(args, accountID)
	return unreadCountOf(site, "$"+strconv.Itoa(len(args)), fromKinds, args)
}

// unreadCountOf is unreadCount with the reading account as an SQL
// expression (a column of the query it is part of).
func unreadCountOf(site, account string, fromKinds []string, args []any) (string, []any) {
	q := `(SELECT count(*) FROM messages m JOIN threads t ON t.id = m.thread_id
		LEFT JOIN read_markers rm ON rm.thread_id = t.id AND rm.account_id = ` + account + `
		WHERE t.site_id = ` + site + ` AND m.id > COALESCE(rm.last_read_message_id, 0) AND m.author_kind IN (`
	for i, k := range fromKinds {
		if i > 0 {
			q += ", "
		}
		args = append(args, k)
		q += "$" + strconv.Itoa(len(args))
	}
	return q + `))`, args
}

// SetAccess replaces a site's access instructions.
func (tx *Tx) SetAccess(ctx context.Context, siteID int64, a portal.AccessInstructions) error {
	res, err := tx.exec(ctx, `UPDATE sites SET access_keys = $1, access_door_code = $2, access_pets = $3, access_parking = $4,
		access_other = $5, updated_at = $6 WHERE id = $7`, a.Keys, a.DoorCode, a.Pets, a.Parking, a.Other, tx.now, siteID)
	return affected(res, err)
}
