// Package legacygen writes a synthetic export of the old extranet for the
// import's benchmark and crash drill: n customers of the demo's fixed
// shape (one site, one biweekly contract, twelve monthly invoices of two
// lines each), and a credential for every CredentialEvery-th customer.
// It writes CSV with fmt and shares no code with the reader (package
// legacy), so a mistake in one is not hidden by the same mistake in the
// other. Only tests and benchmarks use it.
package legacygen

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// Options shape the export.
type Options struct {
	// CredentialEvery gives every k-th customer a legacy credential
	// (0: none). Wrapping one in argon2id costs about 56 ms, so 100 000
	// credentials alone would take the import far past a minute.
	CredentialEvery int
	// Today fixes the dates (the twelve months before it are billed).
	Today time.Time
}

// Password is the legacy password of every generated credential.
const Password = "vanha-salasana"

// RowsPerCustomer is how many rows one customer takes: the customer, its
// site, contract, 12 invoices and 24 lines (credentials not counted).
const RowsPerCustomer = 1 + 1 + 1 + 12 + 24

// Write writes providers.csv, customers.csv, sites.csv, contracts.csv,
// credentials.csv, invoices.csv and invoice_lines.csv into dir.
func Write(dir string, n int, o Options) error {
	if o.Today.IsZero() {
		return errors.New("legacygen: Options.Today is not set")
	}
	files := map[string]*bufio.Writer{}
	var closers []*os.File
	defer func() {
		for _, f := range closers {
			f.Close()
		}
	}()
	headers := map[string]string{
		"providers":     "id;name;business_id;city",
		"customers":     "id;name;email;phone",
		"sites":         "id;customer;provider;name;street;postal_code;city",
		"contracts":     "id;site;kind;service;work_type;rhythm;price;vat_free;start;end",
		"credentials":   "id;customer;username;algorithm;hash;salt",
		"invoices":      "id;customer;site;number;period_start;period_end;issued_on;due_on;paid_on;status;credit_note",
		"invoice_lines": "id;invoice;position;description;performed_on;quantity;unit_price;vat_rate;is_work",
	}
	for name, h := range headers {
		f, err := os.Create(filepath.Join(dir, name+".csv"))
		if err != nil {
			return err
		}
		closers = append(closers, f)
		w := bufio.NewWriterSize(f, 1<<20)
		fmt.Fprintf(w, "%s\r\n", h)
		files[name] = w
	}
	cities := []struct{ city, postal, street string }{
		{"Tampere", "33100", "Hämeenpuisto"}, {"Helsinki", "00100", "Fredrikinkatu"}, {"Turku", "20100", "Aurakatu"},
	}
	for i, c := range cities {
		fmt.Fprintf(files["providers"], "P%d;Kotipalvelu %s Oy;%07d-%d;%s\r\n", i+1, c.city, 1234560+i, i, c.city)
	}
	first := []string{"Aino", "Eero", "Helmi", "Juhani", "Kaarina", "Lauri", "Marjatta", "Olavi", "Pirjo", "Väinö"}
	last := []string{"Korhonen", "Virtanen", "Mäkinen", "Nieminen", "Hämäläinen", "Laine", "Järvinen", "Öhman"}
	y, m, _ := o.Today.Date()
	thisMonth := time.Date(y, m, 1, 0, 0, 0, 0, time.UTC)
	start := thisMonth.AddDate(-1, 0, 0)
	fd := func(t time.Time) string { return fmt.Sprintf("%d.%d.%d", t.Day(), int(t.Month()), t.Year()) }
	for i := 1; i <= n; i++ {
		c := cities[i%len(cities)]
		key := fmt.Sprintf("%06d", i)
		fmt.Fprintf(files["customers"], "C%s;%s %s;asiakas-%s@extranet.example;+358 40 %03d %04d\r\n", key,
			first[i%len(first)], last[(i/len(first))%len(last)], key, i/10000%1000, i%10000)
		fmt.Fprintf(files["sites"], "S%s;C%s;P%d;Koti;%s %d A %d;%s;%s\r\n", key, key, i%len(cities)+1, c.street, 1+i%97, 1+i%40,
			c.postal, c.city)
		fmt.Fprintf(files["contracts"], "K%s;S%s;regular;Kotisiivous;household;biweekly;\"1 125,00\";0;%s;\r\n", key, key, fd(start))
		if o.CredentialEvery > 0 && i%o.CredentialEvery == 0 {
			salt := "s" + key
			sum := sha256.Sum256([]byte(salt + Password))
			fmt.Fprintf(files["credentials"], "L%s;C%s;asiakas%s;sha256-salted;%s;%s\r\n", key, key, key, hex.EncodeToString(sum[:]), salt)
		}
		for k := range 12 {
			ms := start.AddDate(0, k, 0)
			me := ms.AddDate(0, 1, -1)
			issued := me.AddDate(0, 0, 3)
			due := issued.AddDate(0, 0, 14)
			paid, status := fd(issued.AddDate(0, 0, 7+i%7)), "paid"
			if k == 11 {
				paid, status = "", "open"
			}
			inv := fmt.Sprintf("I%s-%02d", key, k+1)
			fmt.Fprintf(files["invoices"], "%s;C%s;S%s;%d-%s%02d;%s;%s;%s;%s;%s;%s;0\r\n", inv, key, key, issued.Year(), key, k+1,
				fd(ms), fd(me), fd(issued), fd(due), paid, status)
			mid := fd(ms.AddDate(0, 0, 14))
			fmt.Fprintf(files["invoice_lines"], "%s-1;%s;1;Kotisiivous (2 käyntiä);%s;6,0;29,90;25,5;1\r\n", inv, inv, mid)
			fmt.Fprintf(files["invoice_lines"], "%s-2;%s;2;Matkakulut (2 käyntiä);%s;2;5,00;25,5;0\r\n", inv, inv, mid)
		}
	}
	for _, w := range files {
		if err := w.Flush(); err != nil {
			return err
		}
	}
	for _, f := range closers {
		if err := f.Close(); err != nil {
			return err
		}
	}
	closers = nil
	return nil
}
