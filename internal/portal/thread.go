package portal

import (
	"strings"
	"time"
	"unicode/utf8"
)

// MaxMessageLength is the longest message, in characters.
const MaxMessageLength = 5000

// ThreadKeptOpen is how long a site's thread stays open after its last
// visit once all its contracts have ended.
const ThreadKeptOpen = 90 * 24 * time.Hour

// ThreadOpen reports whether messages can still be written in a site's
// thread at now: always while a contract is in force or ahead; after that
// until ThreadKeptOpen after the last visit ended.
func ThreadOpen(contracts []Contract, lastVisitEnd, now time.Time) bool {
	if !ReadOnly(contracts, DateOf(now)) {
		return true
	}
	return !lastVisitEnd.IsZero() && now.Before(lastVisitEnd.Add(ThreadKeptOpen))
}

// Problems with a message's text, as text keys.
const (
	MessageEmpty = "error.message.empty"
	MessageLong  = "error.message.long"
)

// CleanMessage normalises a message's text (valid UTF-8, line breaks as
// \n, no surrounding blank space) and checks its length: 1 to
// MaxMessageLength characters. It returns the text and the problem's key
// ("" when none).
func CleanMessage(s string) (string, string) {
	s = strings.ToValidUTF8(s, "")
	s = strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
	s = strings.TrimSpace(s)
	switch n := utf8.RuneCountInString(s); {
	case n == 0:
		return s, MessageEmpty
	case n > MaxMessageLength:
		return s, MessageLong
	}
	return s, ""
}
