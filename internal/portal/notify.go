package portal

// NotificationKind is a kind of notification (PRODUCT.md C5). Each kind can
// be turned off per account; every kind is on until the person turns it off.
type NotificationKind string

// The kinds of notification.
const (
	// NotifyMessage: a new message in a site's thread.
	NotifyMessage NotificationKind = "message"
	// NotifyVisitChanged: the provider moved or cancelled a visit, or a
	// relative acting under a grant cancelled one or asked to move it.
	NotifyVisitChanged NotificationKind = "visit_changed"
	// NotifyVisitReminder: a visit tomorrow (sent the day before, 18:00
	// Helsinki).
	NotifyVisitReminder NotificationKind = "visit_reminder"
	// NotifyInvoice: a new billing summary.
	NotifyInvoice NotificationKind = "invoice"
	// NotifyVisitLive: the worker is on the way to today's visit, or has
	// finished it (C12).
	NotifyVisitLive NotificationKind = "visit_live"
)

// NotificationKinds lists every kind, in the order the profile shows them.
func NotificationKinds() []NotificationKind {
	return []NotificationKind{NotifyMessage, NotifyVisitChanged, NotifyVisitLive, NotifyVisitReminder, NotifyInvoice}
}

// Valid reports whether k is one of the kinds.
func (k NotificationKind) Valid() bool {
	switch k {
	case NotifyMessage, NotifyVisitChanged, NotifyVisitLive, NotifyVisitReminder, NotifyInvoice:
		return true
	}
	return false
}

// LocalURL reports whether u is a path on this site that a notification may
// open: it starts with a single "/" (not "//" or "/\", which browsers read
// as another host) and holds no control characters or backslashes.
func LocalURL(u string) bool {
	if len(u) == 0 || u[0] != '/' || len(u) > 2000 {
		return false
	}
	if len(u) > 1 && (u[1] == '/' || u[1] == '\\') {
		return false
	}
	for _, r := range u {
		if r < 0x20 || r == 0x7f || r == '\\' {
			return false
		}
	}
	return true
}
