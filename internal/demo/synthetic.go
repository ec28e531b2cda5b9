package demo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"asiakassivu/internal/portal"
	"asiakassivu/internal/store"
)

// SyntheticSource is the source of every row Synthetic writes.
const SyntheticSource = "synthetic"

// SyntheticBatch is how many synthetic customers one transaction writes.
const SyntheticBatch = 500

// SyntheticRowsPerCustomer is how many rows one synthetic customer takes:
// customer, site, contract, 26 visits, 12 invoices with 24 lines, a thread
// and 4 messages.
const SyntheticRowsPerCustomer = 1 + 1 + 1 + syntheticVisits + syntheticInvoices*3 + 1 + len(syntheticMessages)

const (
	syntheticVisits   = 26
	syntheticInvoices = 12
)

// Synthetic adds n synthetic customers of a fixed shape for load tests:
// each has one site (at the demo providers in turn, which are created if
// missing), one biweekly contract, a year of fortnightly visits, twelve
// monthly billing summaries of two lines, and a thread of four messages.
// Customers are numbered 1..n and keyed by stable external ids, so running
// it again with the same n (for instance after an interrupted run) rewrites
// the same rows instead of adding new ones; messages are added only to
// threads that have none. It writes SyntheticBatch customers per
// transaction and calls progress (if not nil) after each. Load the demo
// (Load) first if both are wanted: Load needs an empty database.
func Synthetic(ctx context.Context, db *store.DB, n int, now time.Time, progress func(done, total int)) error {
	if n < 0 {
		return errors.New("demo: synthetic: negative count")
	}
	return synthetic(ctx, db, 1, n, now, SyntheticBatch, progress)
}

// synthetic writes customers first..first+n-1 in transactions of batch
// customers.
func synthetic(ctx context.Context, db *store.DB, first, n int, now time.Time, batch int,
	progress func(done, total int)) error {
	provIDs := make([]int64, len(demoProviders))
	err := db.Write(ctx, func(tx *store.Tx) error {
		for i, d := range demoProviders {
			id, err := tx.UpsertProvider(ctx, providerOf(d))
			if err != nil {
				return err
			}
			provIDs[i] = id
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("demo: synthetic providers: %w", err)
	}
	sh := newSyntheticShape(now)
	last := first + n - 1
	for from := first; from <= last; from += batch {
		to := min(from+batch-1, last)
		err := db.Write(ctx, func(tx *store.Tx) error { return sh.writeBatch(ctx, tx, from, to, provIDs) })
		if err != nil {
			return fmt.Errorf("demo: synthetic: %w", err)
		}
		if progress != nil {
			progress(to-first+1, n)
		}
	}
	return nil
}

var (
	syntheticFirst = []string{"Aino", "Eero", "Helmi", "Juhani", "Kaarina", "Lauri", "Marjatta", "Olavi", "Pirjo",
		"Raimo", "Seija", "Tapani", "Ulla", "Veikko", "Tuula", "Kalevi", "Anneli", "Jorma", "Ritva", "Pentti", "Sirpa"}
	syntheticLast = []string{"Korhonen", "Virtanen", "Mäkinen", "Nieminen", "Mäkelä", "Hämäläinen", "Laine",
		"Heikkinen", "Koskinen", "Järvinen", "Lehtonen", "Lehtinen", "Saarinen", "Salminen", "Heinonen", "Niemi",
		"Heikkilä", "Kinnunen", "Salonen", "Turunen", "Salo", "Laitinen", "Tuominen"}
	// syntheticStreets and syntheticPostal follow demoProviders' order.
	syntheticStreets = [][]string{
		{"Hämeenpuisto", "Satakunnankatu", "Kalevantie", "Sammonkatu", "Teiskontie", "Lapintie"},
		{"Fredrikinkatu", "Runeberginkatu", "Hämeentie", "Mechelininkatu", "Sturenkatu", "Kivihaantie"},
		{"Aurakatu", "Puolalankatu", "Uudenmaankatu", "Hämeenkatu", "Martinkatu", "Itäinen Rantakatu"},
	}
	syntheticPostal  = [][]string{{"33100", "33200", "33500", "33540"}, {"00100", "00250", "00500", "00530"}, {"20100", "20500", "20810"}}
	syntheticWorkers = []string{"Aino", "Mikko", "Sanna", "Jukka", "Laura", "Teemu", "Elina", "Ville", "Riikka", "Heikki"}
)

var syntheticMessages = [...]struct {
	customer bool
	body     string
}{
	{true, "Hei! Voisitteko tuoda ensi kerralla lisää pölypusseja imuriin?"},
	{false, "Hei, toki, otamme pussit mukaan."},
	{true, "Kiitos, ja ovikoodi on edelleen sama."},
	{false, "Selvä, nähdään ensi käynnillä!"},
}

// syntheticShape holds what is the same for every synthetic customer of
// one run: the visit days relative to the customer's offset, the billed
// months, the prices.
type syntheticShape struct {
	now    time.Time
	today  portal.Date
	start  portal.Date   // contract start
	months []portal.Date // first days of the twelve billed months
}

func newSyntheticShape(now time.Time) *syntheticShape {
	today := portal.DateOf(now)
	sh := &syntheticShape{now: now, today: today, start: addMonths(firstOfMonth(today), -12)}
	for m := 12; m >= 1; m-- {
		sh.months = append(sh.months, addMonths(firstOfMonth(today), -m))
	}
	return sh
}

const (
	syntheticHourly = 2990
	syntheticHours  = 3000
)

// customer builds synthetic customer i's rows; ids are left for write.
func (sh *syntheticShape) customer(i int, providerIdx int) syntheticCustomer {
	key := fmt.Sprintf("%06d", i)
	first, last := syntheticFirst[i%len(syntheticFirst)], syntheticLast[(i/len(syntheticFirst))%len(syntheticLast)]
	streets, postal := syntheticStreets[providerIdx], syntheticPostal[providerIdx]
	var c syntheticCustomer
	c.customer = portal.Customer{Source: SyntheticSource, ExternalID: "syn-c-" + key, Name: first + " " + last,
		Email: "asiakas-" + key + "@synthetic.example", Phone: fmt.Sprintf("+358 40 %03d %04d", i/10000%1000, i%10000)}
	c.site = portal.Site{Source: SyntheticSource, ExternalID: "syn-s-" + key, Name: "Koti",
		Street:     fmt.Sprintf("%s %d A %d", streets[i%len(streets)], 1+i%97, 1+i%40),
		PostalCode: postal[i%len(postal)], City: demoProviders[providerIdx].city}
	c.contract = portal.Contract{Source: SyntheticSource, ExternalID: "syn-k-" + key, Kind: portal.ContractRegular,
		Service: cleaning, WorkType: "household", Rhythm: "biweekly", Start: sh.start,
		PriceCents: grossOf(netOf(syntheticHours, syntheticHourly), sh.today, false)}
	worker := syntheticWorkers[i%len(syntheticWorkers)]
	startH := 8 + i%3*3 // 8, 11 or 14 o'clock
	// Fortnightly from the contract's start, offset by the customer's
	// number so that visits spread over the days: 26 visits, about 22 of
	// them past.
	first0 := sh.today.AddDays(-14*22 + i%14)
	for k := range syntheticVisits {
		d := first0.AddDays(14 * k)
		st := localTime(d, startH, 0)
		end := st.Add(3 * time.Hour)
		v := portal.Visit{Source: SyntheticSource, ExternalID: fmt.Sprintf("syn-v-%s-%02d", key, k+1),
			StartsAt: st.UTC(), EndsAt: end.UTC(), Service: cleaning, WorkerFirstName: worker,
			PriceCents: grossOf(netOf(syntheticHours, syntheticHourly), d, false)}
		switch {
		case !end.After(sh.now) && (i+k)%17 == 0:
			v.Status, v.CancelFeeReason = portal.VisitCancelledByCustomer, demoCancelFee(portal.VisitCancelledByCustomer)
		case !end.After(sh.now):
			v.Status = portal.VisitDone
		case !st.After(sh.now):
			v.Status = portal.VisitInProgress
		case d.Before(sh.today.AddDays(15)):
			v.Status = portal.VisitConfirmed
		default:
			v.Status = portal.VisitPlanned
		}
		c.visits[k] = v
	}
	for k, m := range sh.months {
		issued := addMonths(m, 1).AddDays(2)
		if sh.today.Before(issued) {
			issued = sh.today
		}
		inv := portal.Invoice{Source: SyntheticSource, ExternalID: fmt.Sprintf("syn-i-%s-%02d", key, k+1),
			Number: fmt.Sprintf("%d-S%06d%02d", issued.Year, i, k+1), PeriodStart: m, PeriodEnd: lastOfMonth(m),
			IssuedOn: issued, DueOn: issued.AddDays(14), Status: portal.InvoicePaid, PaidOn: issued.AddDays(7 + i%7)}
		if k == len(sh.months)-1 || sh.today.Before(inv.PaidOn) {
			inv.Status, inv.PaidOn = portal.InvoiceOpen, portal.Date{}
		}
		mid := m.AddDays(14)
		inv.Lines = []portal.InvoiceLine{
			line(cleaning+" (2 käyntiä)", mid, 2*syntheticHours, syntheticHourly, false, true),
			line("Matkakulut (2 käyntiä)", mid, 2000, travelCents, false, false),
		}
		number(&inv)
		c.invoices[k] = inv
	}
	for k, m := range syntheticMessages {
		msg := portal.Message{AuthorKind: "provider", AuthorName: demoProviders[providerIdx].person, Body: m.body,
			CreatedAt: localTime(sh.today.AddDays(-40+k), 9+k, 30).UTC()}
		if m.customer {
			msg.AuthorKind, msg.AuthorName = "customer", c.customer.Name
		}
		c.messages[k] = msg
	}
	return c
}

type syntheticCustomer struct {
	customer portal.Customer
	site     portal.Site
	contract portal.Contract
	visits   [syntheticVisits]portal.Visit
	invoices [syntheticInvoices]portal.Invoice
	messages [len(syntheticMessages)]portal.Message
}

// writeBatch writes synthetic customers from..to: the customer, site,
// contract and thread one by one (their ids are needed), visits and
// invoices of the whole batch with the store's bulk statements.
func (sh *syntheticShape) writeBatch(ctx context.Context, tx *store.Tx, from, to int, provIDs []int64) error {
	visits := make([]portal.Visit, 0, (to-from+1)*syntheticVisits)
	invoices := make([]portal.Invoice, 0, (to-from+1)*syntheticInvoices)
	for i := from; i <= to; i++ {
		pi := (i - 1) % len(provIDs)
		c := sh.customer(i, pi)
		custID, err := tx.UpsertCustomer(ctx, c.customer)
		if err != nil {
			return fmt.Errorf("customer %d: %w", i, err)
		}
		c.site.CustomerID, c.site.ProviderID = custID, provIDs[pi]
		siteID, err := tx.UpsertSite(ctx, c.site)
		if err != nil {
			return fmt.Errorf("customer %d site: %w", i, err)
		}
		c.contract.SiteID = siteID
		contractID, err := tx.UpsertContract(ctx, c.contract)
		if err != nil {
			return fmt.Errorf("customer %d contract: %w", i, err)
		}
		for _, v := range c.visits {
			v.SiteID, v.ContractID = siteID, contractID
			visits = append(visits, v)
		}
		for _, inv := range c.invoices {
			inv.CustomerID, inv.SiteID = custID, siteID
			invoices = append(invoices, inv)
		}
		threadID, err := tx.EnsureThread(ctx, siteID)
		if err != nil {
			return fmt.Errorf("customer %d thread: %w", i, err)
		}
		// Messages are appended, not upserted: a thread that already has
		// its messages (from an earlier run) gets none again.
		if _, err := tx.SeedMessages(ctx, threadID, c.messages[:]); err != nil {
			return fmt.Errorf("customer %d messages: %w", i, err)
		}
	}
	if err := tx.UpsertVisits(ctx, visits); err != nil {
		return fmt.Errorf("visits: %w", err)
	}
	if _, err := tx.UpsertInvoices(ctx, invoices); err != nil {
		return fmt.Errorf("invoices: %w", err)
	}
	return nil
}
