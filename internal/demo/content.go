package demo

import (
	"strings"
	"time"

	"asiakassivu/internal/portal"
)

// This file holds the hand-written part of the demo: who the people are,
// where their homes are, what they have ordered and what they have said.
// plan.go turns it into dated rows relative to the loading day.

type providerDef struct {
	key, name, city, phone, email string
	idBase                        int    // seven digits of the business id; the check digit is computed
	person                        string // first name that answers messages
	// bban is the provider's Finnish account number (14 digits, made
	// up); its IBAN's check digits are computed. bic is its bank's.
	bban, bic string
}

// demoProviders are the three local providers, in the order the sites
// refer to them.
var demoProviders = []providerDef{
	{key: "tampere", name: "Siivouspalvelu Kotikulma Oy", city: "Tampere", phone: "+358 40 712 3401",
		email: "tampere@kotikulma.example", idBase: 3141592, person: "Tiina",
		bban: "57123420031415", bic: "OKOYFIHH"},
	{key: "helsinki", name: "Helsingin Kotiapu Lähimmäinen Oy", city: "Helsinki", phone: "+358 50 448 2290",
		email: "toimisto@lahimmainen.example", idBase: 2718281, person: "Kaisa",
		bban: "12345600271828", bic: "NDEAFIHH"},
	{key: "turku", name: "Turun Siisti Koti Oy", city: "Turku", phone: "+358 44 903 5512",
		email: "asiakaspalvelu@siistikoti.example", idBase: 1618033, person: "Petri",
		bban: "80001700161803", bic: "DABAFIHH"},
}

const (
	provTampere = iota
	provHelsinki
	provTurku
)

// Account keys of the demo sign-ins.
const (
	accAsiakas = iota
	accToinen
	accTuottaja
	accYllapito
	accHelsinki
	accAiti
	accNone = -1
	// accCaretaker looks after the homes marked lookedAfter.
	accCaretaker = accAsiakas
)

type accountDef struct {
	email string
	role  portal.Role
	note  string
}

var demoAccounts = []accountDef{
	accAsiakas: {"asiakas@demo.example", portal.RoleCustomer,
		"asiakas, kolme kohdetta: oma koti (Tampere), äidin koti (Helsinki), kesämökki (Parainen); lisäksi asioiden hoitaja " +
			"Aino Virtasen kodissa (Lahti) / customer with three sites who also looks after Aino's home in Lahti"},
	accToinen: {"toinen@demo.example", portal.RoleCustomer,
		"asiakas, yksi kohde Tampereella; on kutsunut uusi@:n seuraajaksi / customer with one site who has invited uusi@ to follow it"},
	accTuottaja: {"tuottaja@demo.example", portal.RoleStaff,
		"palveluntuottaja Siivouspalvelu Kotikulma Oy, Tampere / provider staff"},
	accYllapito: {"yllapito@demo.example", portal.RoleAdmin,
		"ketjun ylläpito / chain admin"},
	accHelsinki: {"lahimmainen@demo.example", portal.RoleStaff,
		"palveluntuottaja Helsingin Kotiapu Lähimmäinen Oy (äidin koti) / provider staff"},
	accAiti: {"aiti@demo.example", portal.RoleCustomer,
		"asiakas, oma koti Lahdessa; on antanut asiakas@:lle asioiden hoitajan pääsyn kotiinsa / " +
			"customer with a home in Lahti who lets asiakas@ look after it"},
}

// staffNames are the full names of the provider staff accounts, by
// provider.
var staffNames = map[int]struct {
	account int
	name    string
}{provTampere: {accTuottaja, "Tiina Laine"}, provHelsinki: {accHelsinki, "Kaisa Nieminen"}}

type contractDef struct {
	key      string
	kind     portal.ContractKind
	service  string
	workType string
	rhythm   string // "weekly", "biweekly" or "" for one-off
	vatFree  bool
	hourly   int64 // net price per hour, cents
	hours    int64 // per visit, thousandths of an hour
	startH   int   // local start time of a visit
	startM   int
	// start and end are computed from the loading day so that the data
	// keeps its shape whenever it is loaded.
	start func(today portal.Date) portal.Date
	end   func(today portal.Date) portal.Date
}

type messageDef struct {
	daysAgo  int
	h, m     int
	customer bool // false: the provider's person
	body     string
}

type feedbackDef struct {
	nthDone int // 1 = the latest done visit, 2 = the one before, ...; 0 = general feedback
	rating  int
	comment string
	reply   string
}

type payerDef struct {
	name  string
	birth portal.Date
	nnn   int
	share int
}

type siteDef struct {
	key string
	// customer record
	custName, custEmail, custPhone string
	account                        int // account that sees the record, or accNone
	// site
	provider                   int
	name, street, postal, city string
	access                     portal.AccessInstructions
	workers                    []string // the regular worker first, then substitutes
	contracts                  []contractDef
	messages                   []messageDef
	feedback                   []feedbackDef
	payers                     []payerDef // non-empty: a migrated, enabled deduction consent
	// legacyUser: the customer's old extranet username (password
	// LegacyPassword), empty for none.
	legacyUser string
	// lateDecember pays the invoices issued in December in late December;
	// otherwise they are paid in early January (cross-year for the tax
	// statement).
	lateDecember bool
	// unpaid is how many of the latest invoices are still open and overdue;
	// other invoices are paid unless their payment day is still ahead.
	unpaid int
	// creditNote: one earlier invoice bills a visit twice and a credit
	// note corrects it.
	creditNote bool
	// forced visit states, for a story the messages tell.
	forced []forcedDef
	// nextNote is the customer's note on the visit two days ahead.
	nextNote string
	// inProgress: this site has a visit in progress at loading time (when
	// loading in the daytime).
	inProgress bool
	// lookedAfter: the customer has made Maija (asiakas@, accCaretaker)
	// the home's asioiden hoitaja (an active grant, family access).
	// caretakerCancel, when not 0, is how many days ahead the visit is
	// (the nearest regular one) that she cancelled for the customer.
	// byCaretaker lists the customer's messages (indexes into messages)
	// that the caretaker wrote.
	lookedAfter     bool
	caretakerCancel int
	byCaretaker     []int
}

// forcedDef sets the state of the primary contract's visit nearest to
// today + offset days.
type forcedDef struct {
	offset int
	status portal.VisitStatus
	note   string
}

func fixed(y int, m time.Month, d int) func(portal.Date) portal.Date {
	return func(portal.Date) portal.Date { return portal.NewDate(y, m, d) }
}

// monthsAgo returns the first day of the month n months before today's.
func monthsAgo(n int) func(portal.Date) portal.Date {
	return func(today portal.Date) portal.Date {
		t := time.Date(today.Year, today.Month-time.Month(n), 1, 0, 0, 0, 0, time.UTC)
		return portal.NewDate(t.Year(), t.Month(), 1)
	}
}

// daysAgo returns the day n days before today.
func daysAgo(n int) func(portal.Date) portal.Date {
	return func(today portal.Date) portal.Date { return today.AddDays(-n) }
}

// summerOf returns May–September of the year n years before today's.
func summerOf(n int, end bool) func(portal.Date) portal.Date {
	return func(today portal.Date) portal.Date {
		if end {
			return portal.NewDate(today.Year-n, time.September, 30)
		}
		return portal.NewDate(today.Year-n, time.May, 2)
	}
}

const (
	cleaning = "Säännöllinen siivous"
	homeHelp = "Kotiapu"
	// care is VAT-free home help; the customer sees a plain service
	// name, and the VAT class only on the bill's VAT lines.
	care = "Kotiapu ja hoiva"
	// extraVisit ends the service of a visit added to the rhythm.
	extraVisit = ", lisäkäynti"
)

// serviceNames gives a demo service in Swedish and English, as an ERP may
// send them (portal.InLanguage); "" for a name it has none for.
func serviceNames(fi string) (sv, en string) {
	names := map[string][2]string{
		cleaning:                {"Regelbunden städning", "Regular cleaning"},
		homeHelp:                {"Hemhjälp", "Home help"},
		care:                    {"Hemhjälp och omsorg", "Home help and care"},
		"Ikkunanpesu":           {"Fönstertvätt", "Window cleaning"},
		"Piha- ja puutarhatyöt": {"Gård- och trädgårdsarbete", "Yard and garden work"},
	}
	base, extra := strings.CutSuffix(fi, extraVisit)
	n, ok := names[base]
	if !ok {
		return "", ""
	}
	if extra {
		return n[0] + ", extrabesök", n[1] + ", extra visit"
	}
	return n[0], n[1]
}

// demoSites are the homes of the demo, one customer record each. The order
// is part of the data: ids and invoice numbers follow it.
var demoSites = []siteDef{
	{
		key: "koti", custName: "Maija Virtanen", custEmail: "asiakas@demo.example", custPhone: "+358 40 551 2031",
		account: accAsiakas, provider: provTampere,
		name: "Koti", street: "Hämeenkatu 12 B 14", postal: "33100", city: "Tampere",
		access: portal.AccessInstructions{
			Keys:     "Avain avainsäilössä ulko-oven vieressä; koodi kerrotaan puhelimessa.",
			DoorCode: "B-rappu: 2580",
			Pets:     "Kissa Mirri, ei saa päästää ulos.",
			Parking:  "Vieraspaikka 7 pihan perällä.",
		},
		workers: []string{"Aino", "Sanna"},
		contracts: []contractDef{
			{key: "siivous", kind: portal.ContractRegular, service: cleaning, workType: "household", rhythm: "biweekly",
				hourly: 2990, hours: 3000, startH: 9, start: fixed(2021, time.September, 1)},
			{key: "ikkunat", kind: portal.ContractOneOff, service: "Ikkunanpesu", workType: "household",
				hourly: 3290, hours: 4000, startH: 12, start: daysAgo(121), end: daysAgo(121)},
		},
		messages: []messageDef{
			{16, 19, 5, true, "Hei! Kissa on nyt usein eteisessä, joten muistattehan sulkea ulko-oven heti perässänne."},
			{15, 8, 12, false, "Kiitos tiedosta, Maija! Välitän tämän Ainolle ja lisään sen kohteen tietoihin."},
			{3, 20, 30, true, "Voisiko seuraavalla kerralla pestä myös parvekkeen oven lasit?"},
			{2, 9, 15, false, "Onnistuu, lisäsin sen käynnin muistiinpanoihin. Mukavaa päivänjatkoa!"},
		},
		feedback: []feedbackDef{
			{2, 5, "Todella siisti lopputulos, kiitos Ainolle!", "Kiitos palautteesta! Välitämme terveiset Ainolle."},
			{6, 4, "Hyvä siivous, mutta kylpyhuoneen peili jäi vähän raidalliseksi.", ""},
			{11, 5, "", ""},
			{0, 0, "Olisi kätevää, jos siivousajan voisi valita itse aamu- tai iltapäivästä.", ""},
		},
		payers: []payerDef{
			{"Maija Virtanen", portal.NewDate(1961, time.March, 14), 962, 5000},
			{"Matti Virtanen", portal.NewDate(1958, time.September, 2), 917, 5000},
		},
		lateDecember: true,
		creditNote:   true,
		forced: []forcedDef{
			{-35, portal.VisitCancelledByCustomer, "Olemme matkoilla."},
			{37, portal.VisitCancelledByCustomer, "Lomamatka, peruutettu ajoissa."},
		},
		nextNote: "Pese myös parvekkeen oven lasit, kiitos!",
	},
	{
		// The record's email is in mixed case on purpose: the link to the
		// account goes through the normalised form.
		key: "aiti", custName: "Helvi Virtanen", custEmail: "Asiakas@Demo.Example", custPhone: "+358 9 876 5432",
		account: accAsiakas, provider: provHelsinki,
		name: "Äidin koti", street: "Mannerheimintie 85 A 7", postal: "00270", city: "Helsinki",
		access: portal.AccessInstructions{
			Keys:  "Helvi avaa oven itse; soita summeria kaksi kertaa.",
			Other: "Helvi kuulee huonosti, puhu selkeästi ja kasvokkain.",
		},
		workers: []string{"Sanna", "Elina", "Riikka"},
		contracts: []contractDef{
			{key: "kotiapu", kind: portal.ContractRegular, service: care, workType: "care", rhythm: "weekly",
				vatFree: true, hourly: 3450, hours: 2000, startH: 10, start: fixed(2022, time.November, 1)},
		},
		messages: []messageDef{
			{40, 18, 20, true, "Hei, äiti on ollut viime aikoina väsynyt. Voisiko kotiavussa painottaa kauppa-asiointia ja ulkoilua?"},
			{39, 10, 2, false, "Hei Maija, kiitos kun kerroit. Sanna hoitaa kauppareissut ja ulkoilee Helvin kanssa, jos sää sallii."},
			{22, 7, 45, false, "Tiedoksi: tämän viikon käynti jouduttiin perumaan työntekijän sairastumisen vuoksi. Pahoittelemme! Peruttua käyntiä ei laskuteta."},
			{21, 17, 10, true, "Selvä, kiitos tiedosta. Pärjäämme kyllä."},
		},
		feedback: []feedbackDef{
			{3, 5, "Sanna on äidille viikon kohokohta. Kiitos!", ""},
			{9, 3, "Käynti alkoi puoli tuntia myöhässä, eikä siitä ilmoitettu etukäteen.", ""},
		},
		forced:     []forcedDef{{-21, portal.VisitCancelledByProvider, "Työntekijä sairastui, pahoittelut!"}},
		inProgress: true,
	},
	{
		key: "mokki", custName: "Maija Virtanen", custEmail: "asiakas@DEMO.example", custPhone: "+358 40 551 2031",
		account: accAsiakas, provider: provTurku,
		name: "Kesämökki", street: "Saaristotie 211", postal: "21600", city: "Parainen",
		access: portal.AccessInstructions{
			Keys:    "Avain avainkaapissa saunan seinällä, koodi 1937.",
			Parking: "Pysäköinti pihatien päähän, ei nurmikolle.",
			Other:   "Laiturin portaat ovat liukkaat.",
		},
		workers: []string{"Mikko", "Laura"},
		contracts: []contractDef{
			{key: "siivous", kind: portal.ContractRegular, service: cleaning, workType: "household", rhythm: "biweekly",
				hourly: 2990, hours: 2500, startH: 12, start: monthsAgo(14)},
			{key: "piha", kind: portal.ContractRegular, service: "Piha- ja puutarhatyöt", workType: "household", rhythm: "biweekly",
				hourly: 3390, hours: 3000, startH: 8, start: summerOf(2, false), end: summerOf(2, true)},
		},
		messages: []messageDef{
			{60, 21, 0, true, "Mökin avain on nyt uudessa avainkaapissa saunan seinällä, koodi on sama kuin ennen."},
			{59, 9, 40, false, "Kiitos! Päivitin avaintiedot. Huomasimme viimeksi, että laiturin portaat ovat liukkaat – kannattaa ehkä tarkistaa."},
			{58, 12, 5, true, "Hyvä huomio, katsotaan ne ensi käynnillä."},
		},
		feedback: []feedbackDef{
			{2, 4, "Mökki oli siisti, kun saavuimme viikonloppuna.", ""},
			{5, 2, "Saunan lauteet oli unohdettu pestä.", "Pahoittelut! Lisäsimme lauteet tehtävälistaan, ja Mikko pesee ne jatkossa joka kerta."},
		},
		lateDecember: true,
	},
	{
		key: "toinen", custName: "Pekka Korhonen", custEmail: "toinen@demo.example", custPhone: "+358 50 300 7788",
		account: accToinen, provider: provTampere,
		name: "Koti", street: "Pispalan valtatie 40", postal: "33250", city: "Tampere",
		access:  portal.AccessInstructions{DoorCode: "1357", Pets: "Koira Repe on ystävällinen."},
		workers: []string{"Mikko", "Teemu"},
		contracts: []contractDef{
			{key: "siivous", kind: portal.ContractRegular, service: cleaning, workType: "household", rhythm: "weekly",
				hourly: 2990, hours: 2000, startH: 13, start: monthsAgo(8)},
		},
		messages: []messageDef{
			{10, 16, 45, true, "Hei, onko mahdollista saada sama työntekijä jatkossakin? Mikko on tehnyt tosi hyvää työtä."},
			{9, 8, 30, false, "Hei Pekka! Mikko jatkaa kohteessanne vakituisena tekijänä. Kiva kuulla, että olette tyytyväinen."},
		},
		unpaid: 2,
	},
	{
		key: "uusi", custName: "Liisa Mäkinen", custEmail: "uusi@demo.example", custPhone: "+358 45 120 4466",
		account: accNone, provider: provTampere,
		name: "Koti", street: "Insinöörinkatu 24 A 3", postal: "33720", city: "Tampere",
		access:  portal.AccessInstructions{Keys: "Avain noudetaan naapurista (A 2).", Parking: "Kadunvarsipaikat."},
		workers: []string{"Jukka", "Heidi"},
		contracts: []contractDef{
			{key: "siivous", kind: portal.ContractRegular, service: cleaning, workType: "household", rhythm: "biweekly",
				hourly: 2990, hours: 3000, startH: 8, startM: 30, start: monthsAgo(20)},
		},
		messages: []messageDef{
			{30, 12, 0, false, "Tervetuloa asiakkaaksemme! Tätä kautta tavoitat meidät kaikissa siivoukseen liittyvissä asioissa."},
			{29, 19, 25, true, "Kiitos! Ovikoodi vaihtuu ensi kuussa, päivitän uuden koodin kohteen tietoihin."},
			{5, 18, 40, true, "Uusi ovikoodi on nyt päivitetty kohteen tietoihin."},
			{5, 20, 5, false, "Kiitos, kuittaan tiedon!"},
		},
		feedback: []feedbackDef{
			{2, 5, "Erinomaista jälkeä heti alusta asti.", ""},
			{4, 4, "Hyvä, kiitos!", ""},
		},
		payers: []payerDef{
			{"Liisa Mäkinen", portal.NewDate(2001, time.July, 23), 944, 10000},
		},
	},
	{
		// A customer of the old extranet: a regular contract since before
		// the legacy cut-over, no account in the new portal yet.
		key: "vanha", custName: "Eino Nieminen", custEmail: "vanha@demo.example", custPhone: "+358 9 612 0034",
		account: accNone, provider: provHelsinki, legacyUser: LegacyUsername,
		name: "Koti", street: "Kalevankatu 20 A 9", postal: "00100", city: "Helsinki",
		access:  portal.AccessInstructions{Keys: "Talonmies avaa oven.", Other: "Hissi on pieni; imuri kannattaa viedä portaita."},
		workers: []string{"Elina", "Ville"},
		contracts: []contractDef{
			{key: "kotiapu", kind: portal.ContractRegular, service: homeHelp, workType: "household", rhythm: "weekly",
				hourly: 3190, hours: 1500, startH: 14, start: fixed(2019, time.August, 15)},
		},
		messages: []messageDef{
			{120, 11, 30, true, "Olen ollut asiakkaana jo pitkään. Toimiiko vanha Extranet-tunnukseni vielä?"},
			{119, 9, 5, false, "Hei Eino! Vanhalla tunnuksella pääsee vielä kirjautumaan, mutta kannattaa luoda uusi tili samalla sähköpostiosoitteella. Autamme mielellämme."},
		},
	},
	{
		// Aino's own home, with her own account (aiti@): she has made her
		// daughter-in-law Maija (asiakas@) its asioiden hoitaja, who
		// cancelled one visit for her (plan.go: caretakerCancel).
		key: demoLahti, custName: "Aino Virtanen", custEmail: "aiti@demo.example", custPhone: "+358 3 781 2040",
		account: accAiti, provider: provHelsinki,
		name: "Koti", street: "Vesijärvenkatu 31 B 12", postal: "15140", city: "Lahti",
		access: portal.AccessInstructions{
			Keys:  "Aino avaa oven itse; jos hän ei vastaa, soita Maijalle.",
			Other: "Aino käyttää rollaattoria; jätä eteinen vapaaksi.",
		},
		workers: []string{"Riikka", "Elina"},
		contracts: []contractDef{
			{key: "kotiapu", kind: portal.ContractRegular, service: care, workType: "care", rhythm: "weekly",
				vatFree: true, hourly: 3450, hours: 1500, startH: 11, start: monthsAgo(10)},
		},
		messages: []messageDef{
			{25, 14, 10, true, "Hei, miniäni Maija hoitaa jatkossa asioitani täällä puolestani. Hän voi siirtää ja perua käyntejä."},
			{24, 9, 0, false, "Hei Aino, kiitos tiedosta! Vastaamme Maijalle tässä samassa viestiketjussa."},
			{6, 19, 30, true, "Äidillä on lääkäriaika kahden viikon päästä käynnin aikaan, joten peruin sen käynnin. T. Maija"},
			{5, 8, 40, false, "Selvä, kiitos Maija. Nähdään seuraavalla viikolla!"},
		},
		feedback: []feedbackDef{
			{2, 5, "Riikka on aina hyväntuulinen ja huolellinen.", ""},
		},
		lookedAfter: true, caretakerCancel: 16, byCaretaker: []int{2},
	},
}

// demoLahti is the key of the home Aino Virtanen (aiti@) lets Maija
// (asiakas@) look after: family access, PRODUCT.md C11.
const demoLahti = "lahti"

// Reasons noted on visits cancelled by the customer and by the provider.
var customerCancelNotes = []string{
	"Olemme matkoilla.",
	"Lääkäriaika samaan aikaan.",
	"Remontti kesken, siivous myöhemmin.",
	"",
}

var providerCancelNotes = []string{
	"Työntekijä sairastui, pahoittelut!",
	"Liukkaiden kelien vuoksi käynti jouduttiin perumaan.",
	"Auto hajosi matkalla, pahoittelemme.",
}

// travelCents is the travel charge per visit (not deductible).
const travelCents = 490
