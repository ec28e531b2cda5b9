package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"asiakassivu/internal/app"
	"asiakassivu/internal/portal"
)

// A customer's cancellation that costs money takes two posts to the same
// address: the first (without confirm) only shows the confirmation page,
// which repeats the visit and the fee for the reason chosen (illness or
// not); the second (confirm=yes, with the visit's sequence and the terms
// shown) cancels. A free cancellation posts confirm=yes at once. Either
// post refuses a visit that changed since the page was shown.

// cancelConfirmPage is the confirmation step: the visit, the terms of
// cancelling it now for the chosen reason, and the form that cancels.
type cancelConfirmPage struct {
	layout
	app.VisitDetail
	Illness bool
}

// cancelVisit shows the confirmation step, or cancels on the terms the
// confirmation (or the free form) showed; if they changed, the visit's
// page shows the new ones and nothing is cancelled.
func (s *Server) cancelVisit(w http.ResponseWriter, r *http.Request, v *viewer) error {
	site, visit, err := s.visitIDs(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return err
	}
	if r.PostForm.Get("confirm") != "yes" {
		return s.cancelPreview(w, r, v, site, visit)
	}
	var changed *app.TermsChangedError
	return s.postForm(w, r, v, formFlow{
		Run: func(in url.Values) (string, string, error) {
			seq, _ := strconv.Atoi(in.Get("sequence"))
			deadline, _ := strconv.ParseInt(in.Get("deadline"), 10, 64)
			fee, _ := strconv.ParseInt(in.Get("fee"), 10, 64)
			shown := app.ShownTerms{Sequence: seq, Deadline: time.Unix(deadline, 0), FeeCents: fee}
			_, err := s.app.CancelVisit(r.Context(), v.Viewer, site, visit, in.Get("illness") == "yes", shown)
			return visitPath(site, visit), "peruttu", err
		},
		Refuse: func(err error, f *form) int {
			if errors.As(err, &changed) {
				return http.StatusConflict
			}
			return refuseReadOnly(http.StatusConflict)(err, f)
		},
		Page: func(f form, status int) error {
			return s.cancelRefused(w, r, v, site, visit, f, status, changed != nil)
		},
	})
}

// cancelPreview renders the confirmation step; nothing changes.
func (s *Server) cancelPreview(w http.ResponseWriter, r *http.Request, v *viewer, site, visit int64) error {
	seq, err := strconv.Atoi(r.PostForm.Get("sequence"))
	if err != nil {
		seq = -1
	}
	illness := r.PostForm.Get("illness") == "yes"
	d, err := s.app.CancelPreview(r.Context(), v.Viewer, site, visit, illness, seq)
	var changed *app.TermsChangedError
	switch {
	case errors.As(err, &changed):
		return s.cancelRefused(w, r, v, site, visit, newForm(), http.StatusConflict, true)
	case errors.Is(err, app.ErrReadOnly):
		f := newForm()
		f.FormError = "visit.readOnly"
		return s.cancelRefused(w, r, v, site, visit, f, http.StatusConflict, false)
	case err != nil:
		return err
	}
	p := cancelConfirmPage{layout: s.base(r, v, "cancelflow.confirm.title"), VisitDetail: d, Illness: illness}
	// The language switch and the feedback link lead back to the visit:
	// the confirmation is the answer to a post, not a page of its own.
	p.CurrentSite, p.Section, p.Path = site, "visits", visitPath(site, visit)
	return s.render(w, r, http.StatusOK, "cancelconfirm", p)
}

// cancelRefused shows the visit's page again with the refusal f above the
// note form (which keeps the note) and, when the terms changed, the new
// terms.
func (s *Server) cancelRefused(w http.ResponseWriter, r *http.Request, v *viewer, site, visit int64, f form, status int, changed bool) error {
	p, err := s.visitPage(r, v, site, visit)
	if err != nil {
		return err
	}
	f.Values = p.Form.Values
	p.Form, p.Changed, p.Path = f, changed, visitPath(site, visit)
	return s.render(w, r, status, "visit", p)
}

// cancelOutcome says what a cancelled visit's cancellation cost, in the
// reader's language: "Maksu 112,57 € veloitetaan", "Maksuton peruminen" or
// "Sairauden vuoksi, ei maksua"; "" for a visit that is not cancelled, or
// whose fee is not known (cancelled before the portal kept it). A
// provider's cancellation is never charged.
func (l texts) cancelOutcome(v portal.Visit) string {
	switch {
	case !v.Status.Cancelled():
		return ""
	case v.Status == portal.VisitCancelledByProvider:
		return l.T("cancelflow.outcome.free")
	case v.CancelFeeReason == portal.FeeCharged:
		return l.T("cancelflow.outcome.charged", "fee", l.Money(v.CancelFeeCents))
	case v.CancelFeeReason == portal.FeeIllness:
		return l.T("cancelflow.outcome.illness")
	case v.CancelFeeReason == portal.FeeFree:
		return l.T("cancelflow.outcome.free")
	}
	return ""
}

// cancelPrice is the cost of cancelling on terms, as the cancel form and
// the confirmation show it.
func (l texts) cancelPrice(t portal.CancelTerms) string {
	if t.Illness {
		return l.T("cancelflow.price.illness")
	}
	return l.T("cancelflow.price", "fee", l.Money(t.FeeCents))
}

// termsOutcome is cancelOutcome for terms not yet taken: what cancelling
// on them will cost.
func (l texts) termsOutcome(t portal.CancelTerms) string {
	switch t.Reason() {
	case portal.FeeCharged:
		return l.T("cancelflow.outcome.charged", "fee", l.Money(t.FeeCents))
	case portal.FeeIllness:
		return l.T("cancelflow.outcome.illness")
	}
	return l.T("cancelflow.outcome.free")
}

// feeClass is the class of a cancelled visit's fee line: its colour.
func feeClass(v portal.Visit) string {
	if v.Status == portal.VisitCancelledByProvider || v.CancelFeeReason == portal.FeeUnknown {
		return "fee-free"
	}
	return "fee-" + string(v.CancelFeeReason)
}
