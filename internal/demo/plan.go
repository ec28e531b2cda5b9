package demo

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"asiakassivu/internal/payref"
	"asiakassivu/internal/portal"
)

// The plan is the whole demo as plain values, computed from the loading
// time alone; Load only writes it. Keeping the two apart makes the data
// easy to test and the write a straight sequence of store calls.

// seed is the fixed PCG seed; each site draws from its own stream so that
// editing one site's content leaves the others unchanged.
const seed = 0x4153_4B53_5349_5655 // "ASKSSIVU"

// invoicesFrom is the first month invoiced.
var invoicesFrom = portal.NewDate(2023, time.January, 1)

type plan struct {
	now       time.Time
	today     portal.Date
	providers []portal.Provider
	sites     []sitePlan
}

type sitePlan struct {
	now       time.Time // the loading time
	id        int64     // the site's id once written
	def       *siteDef
	customer  portal.Customer
	site      portal.Site
	contracts []portal.Contract
	visits    []plannedVisit
	invoices  []portal.Invoice
	messages  []plannedMessage
	feedback  []plannedFeedback
}

type plannedVisit struct {
	portal.Visit
	contract int // index into sitePlan.contracts
}

type plannedMessage struct {
	portal.Message
	account int // author's account key, or accNone
}

type plannedFeedback struct {
	portal.Feedback
	visit string // external id of the visit, "" for general feedback
}

// occurrence is one visit of a contract's schedule, also those before the
// stored window (they still appear on invoices).
type occurrence struct {
	contract     int
	date         portal.Date
	start, end   time.Time
	status       portal.VisitStatus
	worker       string
	customerNote string
	providerNote string
	service      string
	extra        bool // an extra visit beside the regular rhythm
}

func localTime(d portal.Date, h, m int) time.Time {
	return time.Date(d.Year, d.Month, d.Day, h, m, 0, 0, portal.Helsinki)
}

func addMonths(d portal.Date, n int) portal.Date {
	t := time.Date(d.Year, d.Month+time.Month(n), d.Day, 0, 0, 0, 0, time.UTC)
	return portal.NewDate(t.Year(), t.Month(), t.Day())
}

func firstOfMonth(d portal.Date) portal.Date { return portal.NewDate(d.Year, d.Month, 1) }

func lastOfMonth(d portal.Date) portal.Date { return addMonths(firstOfMonth(d), 1).AddDays(-1) }

func daysBetween(a, b portal.Date) int { return int(b.Time().Sub(a.Time()).Hours() / 24) }

func laterOf(a, b portal.Date) portal.Date {
	if a.Before(b) {
		return b
	}
	return a
}

func netOf(hoursMilli, unitCents int64) int64 { return hoursMilli * unitCents / 1000 }

// grossOf is the net amount plus its VAT on day d.
func grossOf(net int64, d portal.Date, vatFree bool) int64 {
	return net + portal.VATOf(net, portal.VATRateOn(d, vatFree))
}

func newPlan(now time.Time) *plan {
	p := &plan{now: now, today: portal.DateOf(now)}
	for _, d := range demoProviders {
		p.providers = append(p.providers, providerOf(d))
	}
	for i := range demoSites {
		p.sites = append(p.sites, p.site(i))
	}
	return p
}

func providerOf(d providerDef) portal.Provider {
	iban, _ := payref.MakeIBAN("FI", d.bban) // fixed content: TestDemoPaymentDetails checks it
	return portal.Provider{Source: Source, ExternalID: "p-" + d.key, Name: d.name, BusinessID: businessID(d.idBase),
		City: d.city, Phone: d.phone, Email: d.email, Active: true, IBAN: iban, BIC: d.bic}
}

func (p *plan) site(idx int) sitePlan {
	def := &demoSites[idx]
	rng := rand.New(rand.NewPCG(seed, uint64(idx+1)))
	sp := sitePlan{def: def, now: p.now}
	sp.customer = portal.Customer{Source: Source, ExternalID: "c-" + def.key, Name: def.custName, Email: def.custEmail,
		Phone: def.custPhone}
	sp.site = portal.Site{Source: Source, ExternalID: "s-" + def.key, Name: def.name, Street: def.street,
		PostalCode: def.postal, City: def.city, Access: def.access}
	for _, c := range def.contracts {
		k := portal.Contract{Source: Source, ExternalID: "k-" + def.key + "-" + c.key, Kind: c.kind, Service: c.service,
			WorkType: c.workType, Rhythm: c.rhythm, VATFree: c.vatFree, Start: c.start(p.today)}
		if c.end != nil {
			k.End = c.end(p.today)
		}
		k.PriceCents = grossOf(netOf(c.hours, c.hourly), p.today, c.vatFree)
		k.ServiceSV, k.ServiceEN = serviceNames(c.service)
		sp.contracts = append(sp.contracts, k)
	}
	occ := p.schedule(&sp, rng)
	sp.visits = p.visits(&sp, occ)
	sp.invoices = p.invoices(&sp, idx, occ, rng)
	sp.messages = p.messages(&sp)
	sp.feedback = p.feedback(&sp)
	return sp
}

// primary returns the index of the site's first regular contract in force
// today.
func (sp *sitePlan) primary(today portal.Date) int {
	for i, c := range sp.contracts {
		if c.Kind == portal.ContractRegular && c.Active(today) {
			return i
		}
	}
	panic("demo: site " + sp.def.key + " has no regular contract in force")
}

// schedule lays out every visit of the site's contracts from the first
// invoiced month to three months ahead. Regular visits fall on the weekday
// two days from today, so that every site has a visit at +2 days; a visit
// at +10 days is either a weekly visit moved by a day or an extra visit.
func (p *plan) schedule(sp *sitePlan, rng *rand.Rand) []occurrence {
	def := sp.def
	anchor := p.today.AddDays(2)
	horizon := addMonths(p.today, 3)
	prim := sp.primary(p.today)
	var out []occurrence
	add := func(ci int, d portal.Date, service string) *occurrence {
		c := def.contracts[ci]
		start := localTime(d, c.startH, c.startM)
		o := occurrence{contract: ci, date: d, start: start, end: start.Add(time.Duration(c.hours) * time.Hour / 1000),
			service: service}
		// Three draws for every visit, used or not, keep the stream aligned.
		status, worker, note := rng.IntN(100), rng.IntN(100), rng.IntN(1000)
		switch {
		case !o.end.After(p.now):
			o.status = portal.VisitDone
			switch {
			case c.kind == portal.ContractOneOff:
			case status < 4:
				o.status = portal.VisitCancelledByCustomer
				o.customerNote = customerCancelNotes[note%len(customerCancelNotes)]
			case status < 6:
				o.status = portal.VisitCancelledByProvider
				o.providerNote = providerCancelNotes[note%len(providerCancelNotes)]
			}
		case o.start.After(p.now):
			o.status = portal.VisitPlanned
			if d.Before(p.today.AddDays(15)) {
				o.status = portal.VisitConfirmed
			}
		default:
			o.status = portal.VisitInProgress
		}
		o.worker = def.workers[0]
		if worker >= 85 && len(def.workers) > 1 {
			o.worker = def.workers[1+worker%(len(def.workers)-1)]
		}
		out = append(out, o)
		return &out[len(out)-1]
	}
	for ci, c := range sp.contracts {
		cd := def.contracts[ci]
		if c.Kind == portal.ContractOneOff {
			add(ci, c.Start, cd.service)
			continue
		}
		period := 14
		if c.Rhythm == "weekly" {
			period = 7
		}
		from := laterOf(c.Start, invoicesFrom)
		to := horizon
		if !c.End.IsZero() && c.End.Before(to) {
			to = c.End
		}
		// first k with anchor + k*period >= from (k may be negative)
		k := daysBetween(anchor, from) / period
		for anchor.AddDays(k * period).Before(from) {
			k++
		}
		for !anchor.AddDays((k - 1) * period).Before(from) {
			k--
		}
		for d := anchor.AddDays(k * period); !to.Before(d); d = d.AddDays(period) {
			if ci == prim && d == p.today.AddDays(9) {
				o := add(ci, p.today.AddDays(10), cd.service)
				o.providerNote = "Siirretty päivällä eteenpäin työntekijän koulutuspäivän vuoksi."
				continue
			}
			add(ci, d, cd.service)
		}
		if ci == prim && period == 14 {
			add(ci, p.today.AddDays(10), cd.service+extraVisit).extra = true
		}
	}
	if def.inProgress {
		if h := p.now.In(portal.Helsinki).Hour(); h >= 7 && h <= 19 {
			cd := def.contracts[prim]
			start := localTime(p.today, max(h-1, 7), 0)
			out = append(out, occurrence{contract: prim, date: p.today, start: start, end: start.Add(2 * time.Hour),
				status: portal.VisitInProgress, worker: def.workers[0], service: cd.service + extraVisit,
				providerNote: "Kauppa-asiointi ja apteekkikäynti.", extra: true})
		}
	}
	slices.SortStableFunc(out, func(a, b occurrence) int { return a.start.Compare(b.start) })
	for _, f := range def.forced {
		target := p.today.AddDays(f.offset)
		best := -1
		for i, o := range out {
			if o.contract != prim || o.extra {
				continue
			}
			if best < 0 || abs(daysBetween(o.date, target)) < abs(daysBetween(out[best].date, target)) {
				best = i
			}
		}
		o := &out[best]
		o.status = f.status
		o.customerNote, o.providerNote = "", ""
		if f.status == portal.VisitCancelledByCustomer {
			o.customerNote = f.note
		} else {
			o.providerNote = f.note
		}
	}
	if def.nextNote != "" {
		for i := range out {
			if out[i].date == anchor {
				out[i].customerNote = def.nextNote
			}
		}
	}
	return out
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// visits keeps the occurrences of the last 18 months and the coming three
// as stored visits, numbered in time order.
func (p *plan) visits(sp *sitePlan, occ []occurrence) []plannedVisit {
	from := addMonths(p.today, -18)
	var out []plannedVisit
	for _, o := range occ {
		if o.date.Before(from) {
			continue
		}
		cd := sp.def.contracts[o.contract]
		c := sp.contracts[o.contract]
		out = append(out, plannedVisit{contract: o.contract, Visit: portal.Visit{
			Source: Source, ExternalID: fmt.Sprintf("v-%s-%04d", sp.def.key, len(out)+1),
			StartsAt: o.start.UTC(), EndsAt: o.end.UTC(), Status: o.status, Service: o.service,
			WorkerFirstName: o.worker, PriceCents: grossOf(netOf(cd.hours, cd.hourly), o.date, c.VATFree),
			CustomerNote: o.customerNote, ProviderNote: o.providerNote, CancelFeeReason: demoCancelFee(o.status),
		}})
		v := &out[len(out)-1].Visit
		v.ServiceSV, v.ServiceEN = serviceNames(o.service)
	}
	return out
}

// demoCancelFee is the fee reason of a demo visit: the demo's customers
// cancelled in time, free (the store marks the provider's cancellations
// free by itself).
func demoCancelFee(st portal.VisitStatus) portal.FeeReason {
	if st == portal.VisitCancelledByCustomer {
		return portal.FeeFree
	}
	return portal.FeeUnknown
}

// invoices bills each month's done visits early the next month: a work
// line per visit and a travel line.
func (p *plan) invoices(sp *sitePlan, siteIdx int, occ []occurrence, rng *rand.Rand) []portal.Invoice {
	def := sp.def
	byMonth := map[portal.Date][]occurrence{}
	var months []portal.Date
	for _, o := range occ {
		if o.status != portal.VisitDone || o.date.Before(invoicesFrom) {
			continue
		}
		m := firstOfMonth(o.date)
		if _, ok := byMonth[m]; !ok {
			months = append(months, m)
		}
		byMonth[m] = append(byMonth[m], o)
	}
	slices.SortFunc(months, func(a, b portal.Date) int { return a.Time().Compare(b.Time()) })
	var out []portal.Invoice
	for _, m := range months {
		issued := addMonths(m, 1).AddDays(2)
		if p.today.Before(issued) {
			continue
		}
		inv := portal.Invoice{Source: Source, PeriodStart: m, PeriodEnd: lastOfMonth(m), IssuedOn: issued,
			DueOn: issued.AddDays(14), Status: portal.InvoicePaid}
		inv.Number = fmt.Sprintf("%d-%06d", issued.Year, invoiceSeq(m, siteIdx))
		inv.ExternalID = "i-" + inv.Number
		allFree := true
		var last portal.Date
		for _, o := range byMonth[m] {
			cd := def.contracts[o.contract]
			c := sp.contracts[o.contract]
			allFree = allFree && c.VATFree
			l := line(o.service+" "+o.date.Finnish(), o.date, cd.hours, cd.hourly, c.VATFree, true)
			sv, en := serviceNames(o.service)
			l.DescriptionSV, l.DescriptionEN = sv+" "+o.date.Finnish(), en+" "+o.date.Finnish()
			inv.Lines = append(inv.Lines, l)
			last = o.date
		}
		n := int64(len(byMonth[m]))
		travel := line(fmt.Sprintf("Matkakulut (%d käyntiä)", n), last, n*1000, travelCents, allFree, false)
		travel.DescriptionSV = fmt.Sprintf("Resekostnader (%d besök)", n)
		travel.DescriptionEN = fmt.Sprintf("Travel costs (%d visits)", n)
		inv.Lines = append(inv.Lines, travel)
		// Payment: mostly a few days before the due date, now and then late.
		day, kind := rng.IntN(7), rng.IntN(100)
		paid := inv.DueOn.AddDays(-day)
		switch {
		case issued.Month == time.December && def.lateDecember:
			paid = portal.NewDate(issued.Year, time.December, 28+day%3)
		case issued.Month == time.December:
			paid = portal.NewDate(issued.Year+1, time.January, 2+day%3)
		case kind < 20:
			paid = issued.AddDays(2 + day)
		case kind < 25:
			paid = inv.DueOn.AddDays(3 + day)
		}
		inv.PaidOn = paid
		out = append(out, inv)
	}
	unpaid := def.unpaid
	for i := range out {
		if i >= len(out)-unpaid || p.today.Before(out[i].PaidOn) {
			out[i].PaidOn = portal.Date{}
			out[i].Status = portal.InvoiceOpen
		}
	}
	if def.creditNote && len(out) > 7 {
		i := len(out) - 6
		orig := &out[i]
		dup := orig.Lines[0]
		orig.Lines = slices.Insert(orig.Lines, 1, dup)
		credit := portal.Invoice{Source: Source, PeriodStart: orig.PeriodStart, PeriodEnd: orig.PeriodEnd,
			IssuedOn: orig.IssuedOn.AddDays(17), Status: portal.InvoiceCredited, IsCreditNote: true}
		credit.DueOn, credit.PaidOn = credit.IssuedOn, credit.IssuedOn
		credit.Number = fmt.Sprintf("%d-%06d", credit.IssuedOn.Year, invoiceSeq(orig.PeriodStart, siteIdx)+1)
		credit.ExternalID = "i-" + credit.Number
		credit.Lines = []portal.InvoiceLine{line(
			fmt.Sprintf("Hyvitys: käynti %s laskutettiin kahdesti laskulla %s", dup.PerformedOn.Finnish(), orig.Number),
			dup.PerformedOn, dup.QuantityMilli, -dup.UnitPriceCents, dup.VATRateBP == portal.VATZero, true)}
		credit.Lines[0].DescriptionSV = fmt.Sprintf("Gottgörelse: besöket %s fakturerades två gånger på fakturan %s",
			dup.PerformedOn.Finnish(), orig.Number)
		credit.Lines[0].DescriptionEN = fmt.Sprintf("Credit: the visit of %s was billed twice on bill %s", dup.PerformedOn.Finnish(),
			orig.Number)
		out = slices.Insert(out, i+1, credit)
	}
	for i := range out {
		number(&out[i])
	}
	return out
}

// invoiceSeq numbers a site's invoice of month m; the odd number after it
// is free for a credit note.
func invoiceSeq(m portal.Date, siteIdx int) int {
	return 1000 + ((m.Year-invoicesFrom.Year)*12+int(m.Month)-1)*20 + siteIdx*2
}

// line prices one invoice line; VAT follows the day the work was done.
func line(desc string, d portal.Date, qtyMilli, unit int64, vatFree, work bool) portal.InvoiceLine {
	l := portal.InvoiceLine{Description: desc, PerformedOn: d, QuantityMilli: qtyMilli, UnitPriceCents: unit,
		VATRateBP: portal.VATRateOn(d, vatFree), NetCents: netOf(qtyMilli, unit), IsWork: work}
	l.VATCents = portal.VATOf(l.NetCents, l.VATRateBP)
	l.TotalCents = l.NetCents + l.VATCents
	return l
}

// number sets the line positions and the invoice total.
func number(inv *portal.Invoice) {
	// The reference number is the invoice number's digits with the check
	// digit, as Finnish billing systems commonly make it.
	digits := strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, inv.Number)
	inv.Reference, _ = payref.National(digits)
	inv.TotalCents = 0
	for i := range inv.Lines {
		inv.Lines[i].Position = i + 1
		inv.TotalCents += inv.Lines[i].TotalCents
	}
}

func (p *plan) messages(sp *sitePlan) []plannedMessage {
	def := sp.def
	var out []plannedMessage
	for i, m := range def.messages {
		pm := plannedMessage{Message: portal.Message{AuthorKind: "provider", Body: m.body,
			CreatedAt: localTime(p.today.AddDays(-m.daysAgo), m.h, m.m).UTC()}, account: accNone}
		if m.customer {
			pm.AuthorKind = "customer"
			pm.AuthorName = def.custName
			pm.account = def.account
			if def.account == accAsiakas {
				pm.AuthorName = demoSites[0].custName // the daughter writes for her mother's home too
			}
			if slices.Contains(def.byCaretaker, i) {
				pm.AuthorName, pm.account = demoSites[0].custName, accCaretaker
			}
		} else {
			pm.AuthorName = demoProviders[def.provider].person
			if st, ok := staffNames[def.provider]; ok {
				pm.account = st.account
			}
		}
		out = append(out, pm)
	}
	return out
}

// feedback rates done visits counted back from the latest, so that the
// latest done visit is left for the person to rate.
func (p *plan) feedback(sp *sitePlan) []plannedFeedback {
	var done []plannedVisit
	for i := len(sp.visits) - 1; i >= 0; i-- {
		if sp.visits[i].Status == portal.VisitDone {
			done = append(done, sp.visits[i])
		}
	}
	var out []plannedFeedback
	for i, f := range sp.def.feedback {
		pf := plannedFeedback{Feedback: portal.Feedback{Source: Source,
			ExternalID: fmt.Sprintf("f-%s-%d", sp.def.key, i+1), Rating: f.rating, Comment: f.comment}}
		if f.nthDone > 0 {
			v := done[f.nthDone-1]
			pf.visit = v.ExternalID
			pf.CreatedAt = v.EndsAt.Add(3 * time.Hour)
		} else {
			pf.CreatedAt = localTime(p.today.AddDays(-45), 20, 0).UTC()
		}
		if f.reply != "" {
			pf.Reply = f.reply
			pf.RepliedAt = pf.CreatedAt.Add(20 * time.Hour)
			if latest := p.now.Add(-time.Hour).UTC(); pf.RepliedAt.After(latest) {
				pf.RepliedAt = latest
			}
		}
		out = append(out, pf)
	}
	return out
}
