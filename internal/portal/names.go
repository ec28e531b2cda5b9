package portal

// InLanguage picks the text for a reader of language lang ("fi", "sv" or
// "en") from a name the ERP gave in Finnish (fi, always there) and, when
// it had them, in Swedish (sv) and English (en): the reader's language
// when it is there, Finnish otherwise.
func InLanguage(lang, fi, sv, en string) string {
	switch {
	case lang == "sv" && sv != "":
		return sv
	case lang == "en" && en != "":
		return en
	}
	return fi
}

// ServiceIn is the contract's service in language lang (InLanguage).
func (c Contract) ServiceIn(lang string) string {
	return InLanguage(lang, c.Service, c.ServiceSV, c.ServiceEN)
}

// ServiceIn is the visit's service in language lang (InLanguage).
func (v Visit) ServiceIn(lang string) string {
	return InLanguage(lang, v.Service, v.ServiceSV, v.ServiceEN)
}

// DescriptionIn is the line's description in language lang (InLanguage).
func (l InvoiceLine) DescriptionIn(lang string) string {
	return InLanguage(lang, l.Description, l.DescriptionSV, l.DescriptionEN)
}
