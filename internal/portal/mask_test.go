package portal

import "testing"

func TestMaskEmail(t *testing.T) {
	for in, want := range map[string]string{
		"maija.m@example.fi":   "m***@e***.fi",
		"Äiti@esimerkki.co.uk": "Ä***@e***.uk",
		"x@localhost":          "x***@l***",
		"nonsense":             "n***",
		"":                     "***",
	} {
		if got := MaskEmail(in); got != want {
			t.Errorf("MaskEmail(%q) = %q, want %q", in, got, want)
		}
	}
}
