package store

import (
	"encoding/json"
	"fmt"
	"time"

	"asiakassivu/internal/portal"
)

// EventData is the data of an event as the changes journal keeps it and
// the ERP's feed shows it; a provider's system message in a thread keeps
// the same.
func EventData(e portal.Event) (string, error) {
	_, _, data, err := encodeEvent(e)
	return data, err
}

// encodeEvent gives the journal's entity (the table of the changed row),
// that row's id and the JSON data of an event. The data's keys are the
// feed's contract (internal/api/openapi.json); they are written in
// alphabetical order, as the maps they replace were, so that the bytes
// the ERP reads did not change. Times are written in UTC.
func encodeEvent(e portal.Event) (entity string, id int64, data string, err error) {
	var v any
	switch e := e.(type) {
	case portal.CustomerCancelledVisit:
		entity, id, v = "visits", e.VisitID, struct {
			Deadline        time.Time `json:"deadline"`
			FeeCents        int64     `json:"fee_cents"`
			FeeReason       string    `json:"fee_reason"`
			Illness         bool      `json:"illness"`
			VisitExternalID string    `json:"visit_external_id"`
		}{e.Deadline.UTC(), e.FeeCents, string(e.FeeReason), e.Illness, e.VisitExternalID}
	case portal.VisitNoteSet:
		entity, id, v = "visits", e.VisitID, struct {
			Note            string `json:"note"`
			VisitExternalID string `json:"visit_external_id"`
		}{e.Note, e.VisitExternalID}
	case portal.VisitMoveRequested:
		entity, id, v = "visits", e.VisitID, struct {
			Message         string      `json:"message"`
			Options         []time.Time `json:"options"`
			RequestID       int64       `json:"request_id"`
			VisitExternalID string      `json:"visit_external_id"`
		}{e.Message, utc(e.Options), e.RequestID, e.VisitExternalID}
	// The provider's changes also carry the portal's visit id.
	case portal.VisitRescheduled:
		entity, id, v = "visits", e.VisitID, struct {
			EndsAt          time.Time `json:"ends_at"`
			From            time.Time `json:"from"`
			StartsAt        time.Time `json:"starts_at"`
			VisitExternalID string    `json:"visit_external_id"`
			VisitID         int64     `json:"visit_id"`
		}{e.EndsAt.UTC(), e.From.UTC(), e.StartsAt.UTC(), e.VisitExternalID, e.VisitID}
	case portal.ProviderCancelledVisit:
		// fee_cents is always 0 and fee_reason "free": a provider's
		// cancellation is never charged; the keys are there as in the
		// customer's cancellation.
		entity, id, v = "visits", e.VisitID, struct {
			FeeCents        int64     `json:"fee_cents"`
			FeeReason       string    `json:"fee_reason"`
			Reason          string    `json:"reason"`
			StartsAt        time.Time `json:"starts_at"`
			VisitExternalID string    `json:"visit_external_id"`
			VisitID         int64     `json:"visit_id"`
		}{0, string(portal.FeeFree), e.Reason, e.StartsAt.UTC(), e.VisitExternalID, e.VisitID}
	case portal.VisitMarkedDone:
		entity, id, v = "visits", e.VisitID, struct {
			DoneAt          time.Time `json:"done_at"`
			Note            string    `json:"note"`
			StartsAt        time.Time `json:"starts_at"`
			VisitExternalID string    `json:"visit_external_id"`
			VisitID         int64     `json:"visit_id"`
		}{e.DoneAt.UTC(), e.Note, e.StartsAt.UTC(), e.VisitExternalID, e.VisitID}
	case portal.VisitDeparted:
		// arrival_estimate is null when the worker gave no estimate.
		entity, id, v = "visits", e.VisitID, struct {
			ArrivalEstimate *time.Time `json:"arrival_estimate"`
			DepartedAt      time.Time  `json:"departed_at"`
			StartsAt        time.Time  `json:"starts_at"`
			VisitExternalID string     `json:"visit_external_id"`
			VisitID         int64      `json:"visit_id"`
		}{optionalTime(e.ArrivalEstimate), e.DepartedAt.UTC(), e.StartsAt.UTC(), e.VisitExternalID, e.VisitID}
	case portal.VisitArrived:
		entity, id, v = "visits", e.VisitID, struct {
			ArrivedAt       time.Time `json:"arrived_at"`
			StartsAt        time.Time `json:"starts_at"`
			VisitExternalID string    `json:"visit_external_id"`
			VisitID         int64     `json:"visit_id"`
		}{e.ArrivedAt.UTC(), e.StartsAt.UTC(), e.VisitExternalID, e.VisitID}
	case portal.VisitMoveAccepted:
		entity, id, v = "visits", e.VisitID, struct {
			Answer          string    `json:"answer"`
			EndsAt          time.Time `json:"ends_at"`
			From            time.Time `json:"from"`
			RequestID       int64     `json:"request_id"`
			StartsAt        time.Time `json:"starts_at"`
			VisitExternalID string    `json:"visit_external_id"`
			VisitID         int64     `json:"visit_id"`
		}{e.Answer, e.EndsAt.UTC(), e.From.UTC(), e.RequestID, e.StartsAt.UTC(), e.VisitExternalID, e.VisitID}
	case portal.VisitMoveDeclined:
		entity, id, v = "visits", e.VisitID, struct {
			Answer          string    `json:"answer"`
			RequestID       int64     `json:"request_id"`
			StartsAt        time.Time `json:"starts_at"`
			VisitExternalID string    `json:"visit_external_id"`
			VisitID         int64     `json:"visit_id"`
		}{e.Answer, e.RequestID, e.StartsAt.UTC(), e.VisitExternalID, e.VisitID}
	case portal.VisitRated:
		entity, id, v = "feedback", e.FeedbackID, struct {
			Comment         string `json:"comment"`
			Rating          int    `json:"rating"`
			VisitExternalID string `json:"visit_external_id"`
		}{e.Comment, e.Rating, e.VisitExternalID}
	case portal.SiteFeedbackGiven:
		entity, id, v = "feedback", e.FeedbackID, struct {
			Comment string `json:"comment"`
		}{e.Comment}
	case portal.FeedbackReplied:
		entity, id, v = "feedback", e.FeedbackID, struct {
			FeedbackExternalID string `json:"feedback_external_id"`
			FeedbackID         int64  `json:"feedback_id"`
			Reply              string `json:"reply"`
		}{e.FeedbackExternalID, e.FeedbackID, e.Reply}
	case portal.SiteAccessChanged:
		entity, id, v = "sites", e.SiteID, struct {
			Fields         []string `json:"fields"`
			SiteExternalID string   `json:"site_external_id"`
		}{e.Fields, e.SiteExternalID}
	case portal.DeductionConsentChanged:
		entity, id, v = "deduction_consents", e.CustomerID, struct {
			CodesKept   int    `json:"codes_kept"`
			Enabled     bool   `json:"enabled"`
			Payers      int    `json:"payers"`
			TextVersion string `json:"text_version"`
		}{e.CodesKept, e.Enabled, e.Payers, e.TextVersion}
	// Grants (family access): who may act for the customer at a site. The
	// grantee is named by the invited address; the ERP keeps no accounts.
	case portal.GrantGiven:
		entity, id, v = "site_grants", e.GrantID, struct {
			ExpiresAt      time.Time `json:"expires_at"`
			GivenAt        time.Time `json:"given_at"`
			GrantID        int64     `json:"grant_id"`
			GranteeEmail   string    `json:"grantee_email"`
			Role           string    `json:"role"`
			SiteExternalID string    `json:"site_external_id"`
		}{e.ExpiresAt.UTC(), e.GivenAt.UTC(), e.GrantID, e.GranteeEmail, e.Role, e.SiteExternalID}
	case portal.GrantAccepted:
		entity, id, v = "site_grants", e.GrantID, struct {
			AcceptedAt     time.Time `json:"accepted_at"`
			GivenAt        time.Time `json:"given_at"`
			GrantID        int64     `json:"grant_id"`
			GranteeEmail   string    `json:"grantee_email"`
			Role           string    `json:"role"`
			SiteExternalID string    `json:"site_external_id"`
		}{e.AcceptedAt.UTC(), e.GivenAt.UTC(), e.GrantID, e.GranteeEmail, e.Role, e.SiteExternalID}
	case portal.GrantEnded:
		var accepted *time.Time
		if !e.AcceptedAt.IsZero() {
			t := e.AcceptedAt.UTC()
			accepted = &t
		}
		entity, id, v = "site_grants", e.GrantID, struct {
			AcceptedAt     *time.Time `json:"accepted_at"`
			EndedAt        time.Time  `json:"ended_at"`
			EndedBy        string     `json:"ended_by"`
			GivenAt        time.Time  `json:"given_at"`
			GrantID        int64      `json:"grant_id"`
			GranteeEmail   string     `json:"grantee_email"`
			Role           string     `json:"role"`
			SiteExternalID string     `json:"site_external_id"`
		}{accepted, e.EndedAt.UTC(), e.EndedBy, e.GivenAt.UTC(), e.GrantID, e.GranteeEmail, e.Role, e.SiteExternalID}
	default:
		return "", 0, "", fmt.Errorf("change event %T (kind %q): no journal encoding", e, e.Kind())
	}
	b, err := json.Marshal(v)
	if err != nil {
		return "", 0, "", fmt.Errorf("change event %s: %w", e.Kind(), err)
	}
	return entity, id, string(b), nil
}

// utc gives times in UTC, as the feed writes them (none: an empty list).
func utc(ts []time.Time) []time.Time {
	out := make([]time.Time, len(ts))
	for i, t := range ts {
		out[i] = t.UTC()
	}
	return out
}

// optionalTime is a time the feed writes as null when it is not given.
func optionalTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}
