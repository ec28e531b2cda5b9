package payref

import (
	"errors"
	"testing"
	"time"
)

// guideExample is one of the test bills of the Finnish bankers'
// association's (Finanssiala ry) "Pankkiviivakoodi-opas", version 5.3,
// chapter "Esimerkkejä" (invoices 1–9, each given with a national
// reference for version 4 and the same reference as RF for version 5),
// with the virtual barcodes the guide prints for them.
type guideExample struct {
	iban     string
	cents    int64
	national string // as the guide prints it, in groups of five
	rf       string // as the guide prints it, in groups of four
	due      time.Time
	v4, v5   string
	// v5due is the due date of the guide's version 5 bill where it
	// differs from version 4's (invoice 2: 31.1.2010 there).
	v5due time.Time
}

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

var guide = []guideExample{
	{"FI79 4405 2020 0360 82", 488315, "86851 62596 19897", "RF09 8685 1625 9619 897", day(2010, 6, 12),
		"479440520200360820048831500000000868516259619897100612", "579440520200360820048831509000000868516259619897100612", time.Time{}},
	{"FI58 1017 1000 0001 22", 48299, "55958 22432 94671", "RF06 5595 8224 3294 671", day(2012, 1, 31),
		"458101710000001220004829900000000559582243294671120131", "558101710000001220004829906000000559582243294671100131", day(2010, 1, 31)},
	{"FI02 5000 4640 0013 02", 69380, "69 87567 20834 35364", "", day(2011, 7, 24),
		"402500046400013020006938000000069875672083435364110724", "", time.Time{}},
	{"FI15 6601 0001 5306 41", 744454, "7 75847 47906 47489", "RF84 7758 4747 9064 7489", day(2019, 12, 19),
		"415660100015306410074445400000007758474790647489191219", "515660100015306410074445484000007758474790647489191219", time.Time{}},
	{"FI16 8000 1400 0502 67", 93585, "78 77767 96566 28687", "RF60 7877 7679 6566 2868 7", time.Time{},
		"416800014000502670009358500000078777679656628687000000", "516800014000502670009358560000078777679656628687000000", time.Time{}},
	{"FI73 3131 3001 0000 58", 0, "8 68624", "RF10 8686 24", day(2013, 8, 9),
		"473313130010000580000000000000000000000000868624130809", "573313130010000580000000010000000000000000868624130809", time.Time{}},
	{"FI83 3301 0001 1007 75", 15000020, "92125 37425 25398 97737", "RF71 9212 5374 2525 3989 7737", day(2016, 5, 25),
		"483330100011007751500002000092125374252539897737160525", "583330100011007751500002071092125374252539897737160525", time.Time{}},
	{"FI39 3636 3002 0924 92", 103, "5907 38390", "RF66 5907 3839 0", day(2023, 3, 11),
		"439363630020924920000010300000000000000590738390230311", "539363630020924920000010366000000000000590738390230311", time.Time{}},
	{"FI92 3939 0001 0033 91", 2, "13 57914", "RF95 1357 914", day(2099, 12, 24),
		"492393900010033910000000200000000000000001357914991224", "592393900010033910000000295000000000000001357914991224", time.Time{}},
}

func TestVirtualBarcodeGuideExamples(t *testing.T) {
	for _, g := range guide {
		got, err := VirtualBarcode(g.iban, g.cents, g.national, g.due)
		if err != nil || got != g.v4 {
			t.Errorf("version 4 of %s %s: got %q, %v; want %q", g.iban, g.national, got, err, g.v4)
		}
		if len(got) != 54 {
			t.Errorf("version 4 of %s: %d digits, want 54", g.iban, len(got))
		}
		if g.rf == "" {
			continue
		}
		due := g.due
		if !g.v5due.IsZero() {
			due = g.v5due
		}
		got, err = VirtualBarcode(g.iban, g.cents, g.rf, due)
		if err != nil || got != g.v5 {
			t.Errorf("version 5 of %s %s: got %q, %v; want %q", g.iban, g.rf, got, err, g.v5)
		}
	}
}

// The guide's references are valid, print in its grouping, and each RF
// one is the creditor reference of the national one.
func TestReferenceGuideExamples(t *testing.T) {
	for _, g := range guide {
		n, err := NormalizeReference(g.national)
		if err != nil {
			t.Errorf("NormalizeReference(%q): %v", g.national, err)
			continue
		}
		if got := FormatReference(n); got != g.national {
			t.Errorf("FormatReference(%q) = %q, want %q", n, got, g.national)
		}
		made, err := National(n[:len(n)-1])
		if err != nil || made != n {
			t.Errorf("National(%q) = %q, %v; want %q", n[:len(n)-1], made, err, n)
		}
		if g.rf == "" {
			continue
		}
		rf, err := NormalizeReference(g.rf)
		if err != nil || !IsRF(rf) || !Barcodeable(rf) {
			t.Errorf("NormalizeReference(%q) = %q, %v", g.rf, rf, err)
			continue
		}
		if got := FormatReference(rf); got != g.rf {
			t.Errorf("FormatReference(%q) = %q, want %q", rf, got, g.rf)
		}
		if made, err := RF(n); err != nil || made != rf {
			t.Errorf("RF(%q) = %q, %v; want %q", n, made, err, rf)
		}
	}
}

func TestNationalCheckDigit(t *testing.T) {
	for _, c := range []struct {
		base string
		want byte
	}{
		// Worked by hand with the weights 7-3-1 from the right:
		// 6·7+5·3+4·1+3·7+2·3+1·1 = 89, up to 90 → 1.
		{"123456", '1'},
		// 1·7+0·3+0·1+1·7 = 14, up to 20 → 6.
		{"1001", '6'},
		// A sum that is a ten already gives 0: 0·7+5·3+5·1 = 20 → 0.
		{"550", '0'},
		// The guide's first reference without its check digit.
		{"86851625961989", '7'},
	} {
		got, err := NationalCheckDigit(c.base)
		if err != nil || got != c.want {
			t.Errorf("NationalCheckDigit(%q) = %c, %v; want %c", c.base, got, err, c.want)
		}
	}
	for _, bad := range []string{"", "12", "12a4", "12345678901234567890"} {
		if _, err := NationalCheckDigit(bad); err == nil {
			t.Errorf("NationalCheckDigit(%q): no error", bad)
		}
	}
}

func TestNormalizeReference(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"1234561", "1234561"},
		{" 12 34561 ", "1234561"},
		{"0001234561", "1234561"},
		// ISO 11649's own example creditor reference.
		{"RF18 5390 0754 7034", "RF18539007547034"},
		{"rf18539007547034", "RF18539007547034"},
		// ISO 11649 allows letters in the body (check digits worked by
		// hand: ABC123RF00 → 101112123271500 mod 97 = 51, 98 − 51 = 47).
		{"RF47 ABC1 23", "RF47ABC123"},
		{"", ""},
	} {
		got, err := NormalizeReference(c.in)
		if err != nil || got != c.want {
			t.Errorf("NormalizeReference(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
	for _, bad := range []string{
		"1234562",                  // wrong check digit
		"123",                      // too short
		"123456789012345678901",    // 21 digits
		"RF19 5390 0754 7034",      // wrong RF check digits
		"RF18 5390 0754 7034 1",    // body changed
		"RFAB123",                  // letters for check digits
		"RF18",                     // no body
		"12-34x61",                 // a letter
		"RF0012345678901234567890", // body over 21
	} {
		if got, err := NormalizeReference(bad); !errors.Is(err, ErrReference) {
			t.Errorf("NormalizeReference(%q) = %q, %v; want ErrReference", bad, got, err)
		}
	}
	if rf, _ := RF("ABC123"); rf != "RF47ABC123" {
		t.Errorf("RF(ABC123) = %q, want RF47ABC123", rf)
	}
	if Barcodeable("RF47ABC123") {
		t.Error("an RF reference with letters fits no virtual barcode")
	}
	if _, err := VirtualBarcode("FI2112345600000785", 100, "RF47ABC123", time.Time{}); !errors.Is(err, ErrBarcode) {
		t.Errorf("virtual barcode of a lettered RF: %v, want ErrBarcode", err)
	}
}

func TestNormalizeIBAN(t *testing.T) {
	for _, c := range []struct{ in, want, printed string }{
		// The example account of the Finnish banks' IBAN guide.
		{"FI21 1234 5600 0007 85", "FI2112345600000785", "FI21 1234 5600 0007 85"},
		{"fi2112345600000785", "FI2112345600000785", "FI21 1234 5600 0007 85"},
		// The guide's barcode examples' accounts.
		{"FI79 4405 2020 0360 82", "FI7944052020036082", "FI79 4405 2020 0360 82"},
		// ECBS's example IBANs (EBS204).
		{"GB82 WEST 1234 5698 7654 32", "GB82WEST12345698765432", "GB82 WEST 1234 5698 7654 32"},
		{"DE89 3704 0044 0532 0130 00", "DE89370400440532013000", "DE89 3704 0044 0532 0130 00"},
		{"", "", ""},
	} {
		got, err := NormalizeIBAN(c.in)
		if err != nil || got != c.want {
			t.Errorf("NormalizeIBAN(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
		if p := FormatIBAN(got); p != c.printed {
			t.Errorf("FormatIBAN(%q) = %q, want %q", got, p, c.printed)
		}
	}
	for _, bad := range []string{
		"FI21 1234 5600 0007 86",   // check fails
		"FI12 1234 5600 0007 85",   // check digits swapped
		"FI21 1234 5600 0007 8",    // Finnish length is 18
		"GB82 WEST 1234 5698 7654", // too short for GB
		"1234 5600 0007 85",        // no country
		"FI21 1234 5600 0007 8Ä",   // not ASCII
	} {
		if got, err := NormalizeIBAN(bad); !errors.Is(err, ErrIBAN) {
			t.Errorf("NormalizeIBAN(%q) = %q, %v; want ErrIBAN", bad, got, err)
		}
	}
}

func TestMakeIBAN(t *testing.T) {
	for _, c := range []struct{ country, bban, want string }{
		{"FI", "12345600000785", "FI2112345600000785"},
		{"FI", "44052020036082", "FI7944052020036082"},
		{"GB", "WEST12345698765432", "GB82WEST12345698765432"},
	} {
		if got, err := MakeIBAN(c.country, c.bban); err != nil || got != c.want {
			t.Errorf("MakeIBAN(%s, %s) = %q, %v; want %q", c.country, c.bban, got, err, c.want)
		}
	}
	if _, err := MakeIBAN("FI", "1234"); err == nil {
		t.Error("MakeIBAN of a short Finnish BBAN: no error")
	}
}

func TestNormalizeBIC(t *testing.T) {
	for _, c := range []struct{ in, want string }{{"OKOYFIHH", "OKOYFIHH"}, {"nda sfi hh", "NDASFIHH"}, {"DABAFIHHXXX", "DABAFIHHXXX"}, {"", ""}} {
		if got, err := NormalizeBIC(c.in); err != nil || got != c.want {
			t.Errorf("NormalizeBIC(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
	for _, bad := range []string{"OKOY", "OKOYF1HH", "OKOYFIHHX"} {
		if _, err := NormalizeBIC(bad); !errors.Is(err, ErrBIC) {
			t.Errorf("NormalizeBIC(%q): %v, want ErrBIC", bad, err)
		}
	}
}

func TestVirtualBarcodeRefusals(t *testing.T) {
	due := day(2026, 12, 17)
	for _, c := range []struct {
		name, iban string
		cents      int64
		ref        string
	}{
		{"Swedish IBAN", "SE45 5000 0000 0583 9825 7466", 100, "1234561"},
		{"no IBAN", "", 100, "1234561"},
		{"no reference", "FI2112345600000785", 100, ""},
		{"bad reference", "FI2112345600000785", 100, "1234562"},
		{"negative amount", "FI2112345600000785", -1, "1234561"},
	} {
		if got, err := VirtualBarcode(c.iban, c.cents, c.ref, due); !errors.Is(err, ErrBarcode) {
			t.Errorf("%s: %q, %v; want ErrBarcode", c.name, got, err)
		}
	}
	// Over 999 999,99 € the amount is left for the payer to type.
	got, err := VirtualBarcode("FI2112345600000785", 100000000, "1234561", due)
	if err != nil || got[17:25] != "00000000" {
		t.Errorf("a million euros: %q, %v; want the amount as zeros", got, err)
	}
}
