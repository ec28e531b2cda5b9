package i18n

import "testing"

// TestFinnishGenitive: the certain patterns inflect the last name only;
// any other name takes "henkilön" and stays as it is.
func TestFinnishGenitive(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"Aino Virtanen", "Aino Virtasen"},
		{"Maija Virtanen", "Maija Virtasen"},
		{"Pekka Korhonen", "Pekka Korhosen"},
		{"Tiina Laine", "Tiina Laineen"},
		{"Kalle Mattila", "Kalle Mattilan"},
		{"Ville Salo", "Ville Salon"},
		{"Anna Rikka", "Anna Rikan"},
		{"Ella Huttu", "Ella Hutun"},
		{"Leena Leppä", "Leena Lepän"},
		{"John Smith", "John Smithin"},
		{"Sofia Lindqvist", "Sofia Lindqvistin"},
		{"Virtanen", "Virtasen"},
		{"  Aino Virtanen ", "Aino Virtasen"},
		// Uncertain: gradation or an -i stem the rules cannot know.
		{"Aino Joki", "henkilön Aino Joki"},
		{"Eero Virta", "henkilön Eero Virta"},
		{"Matti Lahti", "henkilön Matti Lahti"},
		{"Heikki Mäki", "henkilön Heikki Mäki"},
		{"Anna-Liisa Ojala-Mäki", "henkilön Anna-Liisa Ojala-Mäki"},
		{"Åsa Öst", "Åsa Östin"},
		{"X", "henkilön X"},
		{"", ""},
	} {
		if got := FinnishGenitive(c.in); got != c.want {
			t.Errorf("FinnishGenitive(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
