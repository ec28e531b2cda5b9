package portal

import "testing"

// hetuWithCheck completes DDMMYYCZZZ with its check character.
func hetuWithCheck(s string) string {
	n := 0
	for _, c := range s[:6] + s[7:10] {
		n = n*10 + int(c-'0')
	}
	return s + string(hetuChecks[n%31])
}

func TestValidHetuEveryCenturySign(t *testing.T) {
	// The well-known example 131052-308T and the same birth day and
	// individual number under every century sign.
	if !ValidHetu("131052-308T") {
		t.Error("131052-308T refused")
	}
	for _, sign := range "+-ABCDEFUVWXY" {
		code := hetuWithCheck("131052" + string(sign) + "308")
		if !ValidHetu(code) {
			t.Errorf("%s (century sign %c) refused", code, sign)
		}
	}
	for _, c := range []string{"010101A123N", "290200A902B", "311299-9872"} {
		if !ValidHetu(hetuWithCheck(c[:10])) {
			t.Errorf("%s refused", hetuWithCheck(c[:10]))
		}
	}
}

func TestValidHetuRefuses(t *testing.T) {
	for _, c := range []string{
		"131052-308U",  // wrong check character
		"131052-308",   // too short
		"131052-308TT", // too long
		"131052G308T",  // unknown century sign
		"131352-308T",  // month 13
		"310252-308T",  // no 31 February (check char aside)
		"131052-001T",  // individual number 001
		"13105x-308T",  // not a digit
		"",
	} {
		if ValidHetu(c) {
			t.Errorf("%q accepted", c)
		}
	}
	// The date must be real even with a right check character.
	if c := hetuWithCheck("290201A902"); ValidHetu(c) {
		t.Errorf("%s (29.2.2001) accepted", c)
	}
	if c := hetuWithCheck("290200A902"); !ValidHetu(c) {
		t.Errorf("%s (29.2.2000) refused", c)
	}
	// Every other check character is refused.
	good := "131052-308T"
	for i := 0; i < len(hetuChecks); i++ {
		if c := good[:10] + string(hetuChecks[i]); c != good && ValidHetu(c) {
			t.Errorf("%s accepted", c)
		}
	}
}

func TestMaskHetu(t *testing.T) {
	if got := MaskHetu("131052-308T"); got != "******-***T" {
		t.Errorf("mask = %q", got)
	}
	if got := MaskHetu("x"); got != "***********" {
		t.Errorf("mask of junk = %q", got)
	}
	if NormalizeHetu(" 131052a308t ") != "131052A308T" {
		t.Error("normalise")
	}
}

// TestCheckPayerHetu: a payer's code outside demo data is refused when it
// is no henkilötunnus, when its individual number is 900–999 (temporary and
// test codes) or when its birth date is after today; today and a number
// 002–899 pass.
func TestCheckPayerHetu(t *testing.T) {
	today := NewDate(2026, 12, 7)
	for _, c := range []struct {
		code string
		want HetuProblem
	}{
		{"131052-308T", HetuOK},
		{hetuWithCheck("131052-002"), HetuOK},
		{hetuWithCheck("131052-899"), HetuOK},
		{hetuWithCheck("071226A123"), HetuOK}, // born today
		{hetuWithCheck("131052-900"), HetuTemporary},
		{hetuWithCheck("131052-999"), HetuTemporary},
		{hetuWithCheck("290200A902"), HetuTemporary},
		{hetuWithCheck("081226A123"), HetuFuture}, // tomorrow
		{hetuWithCheck("010127A123"), HetuFuture},
		{hetuWithCheck("010150E123"), HetuFuture}, // 2050
		{hetuWithCheck("081226A923"), HetuTemporary},
		{"131052-308U", HetuInvalid},
		{"", HetuInvalid},
		{hetuWithCheck("131052-001"), HetuInvalid},
	} {
		if got := CheckPayerHetu(c.code, today); got != c.want {
			t.Errorf("%s: %q, want %q", c.code, got, c.want)
		}
	}
}
