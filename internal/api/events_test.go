package api

import (
	"context"
	"encoding/json"
	"maps"
	"slices"
	"testing"
	"time"

	"asiakassivu/internal/portal"
	"asiakassivu/internal/store"
	"asiakassivu/internal/store/storetest"
)

// changeKindsDocumented returns the kinds the OpenAPI document lists in
// ChangeKind's enum, and the data schema (a $ref) it names for each kind
// in Change's if/then list.
func changeKindsDocumented(t *testing.T, c *contract) ([]string, map[string]string) {
	t.Helper()
	schemas := c.doc["components"].(map[string]any)["schemas"].(map[string]any)
	var enum []string
	for _, k := range schemas["ChangeKind"].(map[string]any)["enum"].([]any) {
		enum = append(enum, k.(string))
	}
	data := map[string]string{}
	change := schemas["Change"].(map[string]any)
	if kind := change["properties"].(map[string]any)["kind"].(map[string]any); kind["$ref"] != "#/components/schemas/ChangeKind" {
		t.Errorf("Change.kind is %v, not the ChangeKind enum", kind)
	}
	for _, rule := range change["allOf"].([]any) {
		r := rule.(map[string]any)
		kind := r["if"].(map[string]any)["properties"].(map[string]any)["kind"].(map[string]any)["const"].(string)
		ref := r["then"].(map[string]any)["properties"].(map[string]any)["data"].(map[string]any)["$ref"].(string)
		if _, dup := data[kind]; dup {
			t.Errorf("Change: two data rules for %s", kind)
		}
		data[kind] = ref
	}
	return enum, data
}

// TestOpenAPIChangeKinds: the OpenAPI document lists exactly the kinds of
// change the portal declares (portal.Events), each with the shape of its
// data: a schema that names every key as required and allows no other,
// so that the contract check of a feed answer checks the data exactly.
func TestOpenAPIChangeKinds(t *testing.T) {
	c := newContract(t)
	enum, data := changeKindsDocumented(t, c)
	declared := map[string]bool{}
	for _, e := range portal.Events() {
		k := string(e.Kind())
		declared[k] = true
		if !slices.Contains(enum, k) {
			t.Errorf("kind %s (%T) is missing from ChangeKind in openapi.json", k, e)
		}
		if data[k] == "" {
			t.Errorf("kind %s (%T) has no data schema in Change in openapi.json", k, e)
		}
	}
	for _, k := range enum {
		if !declared[k] {
			t.Errorf("openapi.json lists kind %s, which no event type declares", k)
		}
	}
	for k, ref := range data {
		if !declared[k] {
			t.Errorf("openapi.json has a data schema for kind %s, which no event type declares", k)
			continue
		}
		s := c.deref(map[string]any{"$ref": ref})
		props, _ := s["properties"].(map[string]any)
		var required []string
		for _, r := range s["required"].([]any) {
			required = append(required, r.(string))
		}
		if s["additionalProperties"] != false || !slices.Equal(slices.Sorted(maps.Keys(props)), slices.Sorted(slices.Values(required))) {
			t.Errorf("%s: data schema %s must require every key it lists and allow no other", k, ref)
		}
	}
	if len(enum) != len(declared) {
		t.Errorf("ChangeKind lists %d kinds (some twice?), the portal declares %d", len(enum), len(declared))
	}
}

// TestChangeEventsRoundTrip: each kind of event written to the journal
// reaches the ERP's feed with its kind, entity, ERP ids and data, and the
// data's bytes are those the use cases wrote before events were types
// (a map[string]any marshalled: keys in alphabetical order, times in
// UTC). Every answer is checked against the OpenAPI document (e.call), so
// the data matches its kind's schema too.
func TestChangeEventsRoundTrip(t *testing.T) {
	storetest.Each(t, storetest.NewClock(t0).Now, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.seed()
		ctx := context.Background()
		customerID, siteID, visitID := e.portalID("customers", "c1"), e.portalID("sites", "s1"), e.portalID("visits", "v1")
		at := func(h int) time.Time { return time.Date(2026, 12, 3, h, 30, 0, 0, portal.Helsinki) }
		utc := func(h int) time.Time { return at(h).UTC() }
		const text = `Avain <ovella> & "koira" ä`
		onSite := store.ChangeOf{CustomerID: customerID, SiteID: siteID}
		ref := func(s string) *string { return &s }
		cases := []struct {
			of     store.ChangeOf
			event  portal.Event
			entity string
			id     *string // the entity's ERP id in the feed
			legacy map[string]any
		}{
			{onSite, portal.CustomerCancelledVisit{VisitID: visitID, VisitExternalID: "v1", FeeCents: 0, FeeReason: portal.FeeIllness,
				Illness: true, Deadline: at(9)}, "visits", ref("v1"),
				map[string]any{"fee_cents": int64(0), "fee_reason": "illness", "illness": true, "deadline": utc(9), "visit_external_id": "v1"}},
			{onSite, portal.CustomerCancelledVisit{VisitID: visitID, VisitExternalID: "v1", FeeCents: 4450, FeeReason: portal.FeeCharged,
				Deadline: at(9)}, "visits", ref("v1"),
				map[string]any{"fee_cents": int64(4450), "fee_reason": "charged", "illness": false, "deadline": utc(9), "visit_external_id": "v1"}},
			{onSite, portal.VisitNoteSet{VisitID: visitID, VisitExternalID: "v1", Note: text}, "visits", ref("v1"),
				map[string]any{"note": text, "visit_external_id": "v1"}},
			{onSite, portal.VisitMoveRequested{VisitID: visitID, VisitExternalID: "v1", RequestID: 7,
				Options: []time.Time{at(9), at(13)}, Message: text}, "visits", ref("v1"),
				map[string]any{"request_id": int64(7), "options": []time.Time{utc(9), utc(13)}, "message": text,
					"visit_external_id": "v1"}},
			{onSite, portal.VisitRescheduled{VisitID: visitID, VisitExternalID: "v1", From: at(9), StartsAt: at(12), EndsAt: at(15)},
				"visits", ref("v1"), map[string]any{"from": utc(9), "starts_at": utc(12), "ends_at": utc(15), "visit_id": visitID,
					"visit_external_id": "v1"}},
			{onSite, portal.ProviderCancelledVisit{VisitID: visitID, VisitExternalID: "v1", StartsAt: at(9), Reason: text},
				"visits", ref("v1"), map[string]any{"starts_at": utc(9), "reason": text, "fee_cents": 0, "fee_reason": "free", "visit_id": visitID,
					"visit_external_id": "v1"}},
			{onSite, portal.VisitMarkedDone{VisitID: visitID, VisitExternalID: "v1", StartsAt: at(9), DoneAt: at(11), Note: text}, "visits",
				ref("v1"), map[string]any{"starts_at": utc(9), "done_at": utc(11), "note": text, "visit_id": visitID, "visit_external_id": "v1"}},
			{onSite, portal.VisitDeparted{VisitID: visitID, VisitExternalID: "v1", StartsAt: at(9), DepartedAt: at(8),
				ArrivalEstimate: at(9)}, "visits", ref("v1"), map[string]any{"starts_at": utc(9), "departed_at": utc(8),
				"arrival_estimate": utc(9), "visit_id": visitID, "visit_external_id": "v1"}},
			{onSite, portal.VisitDeparted{VisitID: visitID, VisitExternalID: "v1", StartsAt: at(9), DepartedAt: at(8)}, "visits",
				ref("v1"), map[string]any{"starts_at": utc(9), "departed_at": utc(8), "arrival_estimate": nil, "visit_id": visitID,
					"visit_external_id": "v1"}},
			{onSite, portal.VisitArrived{VisitID: visitID, VisitExternalID: "v1", StartsAt: at(9), ArrivedAt: at(9)}, "visits",
				ref("v1"), map[string]any{"starts_at": utc(9), "arrived_at": utc(9), "visit_id": visitID, "visit_external_id": "v1"}},
			{onSite, portal.VisitMoveAccepted{VisitID: visitID, VisitExternalID: "v1", RequestID: 7, From: at(9), StartsAt: at(13),
				EndsAt: at(16), Answer: text}, "visits", ref("v1"),
				map[string]any{"request_id": int64(7), "from": utc(9), "starts_at": utc(13), "ends_at": utc(16), "answer": text,
					"visit_id": visitID, "visit_external_id": "v1"}},
			{onSite, portal.VisitMoveDeclined{VisitID: visitID, VisitExternalID: "v1", RequestID: 8, StartsAt: at(9)}, "visits",
				ref("v1"), map[string]any{"request_id": int64(8), "starts_at": utc(9), "answer": "", "visit_id": visitID,
					"visit_external_id": "v1"}},
			// The portal's own feedback rows have no ERP id.
			{onSite, portal.VisitRated{FeedbackID: 41, VisitExternalID: "v1", Rating: 4, Comment: text}, "feedback", nil,
				map[string]any{"rating": 4, "comment": text, "visit_external_id": "v1"}},
			{onSite, portal.SiteFeedbackGiven{FeedbackID: 42, Comment: text}, "feedback", nil, map[string]any{"comment": text}},
			{onSite, portal.FeedbackReplied{FeedbackID: 41, FeedbackExternalID: "rating-41", Reply: text}, "feedback", nil,
				map[string]any{"feedback_id": int64(41), "feedback_external_id": "rating-41", "reply": text}},
			{onSite, portal.SiteAccessChanged{SiteID: siteID, SiteExternalID: "s1", Fields: []string{"door_code", "pets"}}, "sites",
				ref("s1"), map[string]any{"fields": []string{"door_code", "pets"}, "site_external_id": "s1"}},
			{store.ChangeOf{CustomerID: customerID}, portal.DeductionConsentChanged{CustomerID: customerID, Enabled: true, Payers: 2,
				CodesKept: 1, TextVersion: "portal-2026-1"}, "deduction_consents", nil,
				map[string]any{"enabled": true, "payers": 2, "codes_kept": 1, "text_version": "portal-2026-1"}},
			// Grants (family access) have no ERP id: the portal's grant id
			// is in the data.
			{onSite, portal.GrantGiven{GrantID: 5, SiteExternalID: "s1", Role: "caretaker", GranteeEmail: "liisa@example.fi",
				GivenAt: at(9), ExpiresAt: at(9).AddDate(0, 0, 7)}, "site_grants", nil,
				map[string]any{"grant_id": 5, "site_external_id": "s1", "role": "caretaker", "grantee_email": "liisa@example.fi",
					"given_at": utc(9), "expires_at": utc(9).AddDate(0, 0, 7)}},
			{onSite, portal.GrantAccepted{GrantID: 5, SiteExternalID: "s1", Role: "caretaker", GranteeEmail: "liisa@example.fi",
				GivenAt: at(9), AcceptedAt: at(12)}, "site_grants", nil,
				map[string]any{"grant_id": 5, "site_external_id": "s1", "role": "caretaker", "grantee_email": "liisa@example.fi",
					"given_at": utc(9), "accepted_at": utc(12)}},
			{onSite, portal.GrantEnded{GrantID: 5, SiteExternalID: "s1", Role: "caretaker", GranteeEmail: "liisa@example.fi",
				GivenAt: at(9), AcceptedAt: at(12), EndedAt: at(15), EndedBy: "grantee"}, "site_grants", nil,
				map[string]any{"grant_id": 5, "site_external_id": "s1", "role": "caretaker", "grantee_email": "liisa@example.fi",
					"given_at": utc(9), "accepted_at": utc(12), "ended_at": utc(15), "ended_by": "grantee"}},
			// An invitation withdrawn before anyone accepted it.
			{onSite, portal.GrantEnded{GrantID: 6, SiteExternalID: "s1", Role: "follower", GranteeEmail: "pekka@example.fi",
				GivenAt: at(9), EndedAt: at(13), EndedBy: "owner"}, "site_grants", nil,
				map[string]any{"grant_id": 6, "site_external_id": "s1", "role": "follower", "grantee_email": "pekka@example.fi",
					"given_at": utc(9), "accepted_at": nil, "ended_at": utc(13), "ended_by": "owner"}},
		}
		tested := map[portal.EventKind]bool{}
		for _, c := range cases {
			tested[c.event.Kind()] = true
		}
		for _, ev := range portal.Events() {
			if !tested[ev.Kind()] {
				t.Errorf("kind %s (%T) has no round-trip case", ev.Kind(), ev)
			}
		}
		err := db.Write(ctx, func(tx *store.Tx) error {
			for _, c := range cases {
				if _, err := tx.AppendChange(ctx, c.of, c.event); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		a := e.call("GET", "/api/v1/changes", nil, conforms)
		var feed changesOut
		if err := json.Unmarshal(a.body, &feed); err != nil || len(feed.Items) != len(cases) {
			t.Fatalf("feed of %d changes, want %d (%v)\n%s", len(feed.Items), len(cases), err, a.body)
		}
		str := func(p *string) string {
			if p == nil {
				return "null"
			}
			return *p
		}
		for i, c := range cases {
			it := feed.Items[i]
			kind := string(c.event.Kind())
			if it.Kind != kind || it.Entity != c.entity || str(it.EntityID) != str(c.id) || str(it.CustomerID) != "c1" {
				t.Errorf("%s: kind %s, entity %s %s, customer %s; want %s %s %s c1", kind, it.Kind, it.Entity, str(it.EntityID),
					str(it.CustomerID), kind, c.entity, str(c.id))
			}
			if wantSite := map[bool]string{true: "s1", false: "null"}[c.of.SiteID != 0]; str(it.SiteID) != wantSite {
				t.Errorf("%s: site %s, want %s", kind, str(it.SiteID), wantSite)
			}
			want, _ := json.Marshal(c.legacy)
			if string(it.Data) != string(want) {
				t.Errorf("%s: data\n got %s\nwant %s", kind, it.Data, want)
			}
		}
	})
}

// TestChangesFeedActor: a change made on the customer's side carries who
// made it ({account_id, name, role}) in the feed; the provider's change
// carries null. Both answers conform to the OpenAPI document.
func TestChangesFeedActor(t *testing.T) {
	storetest.Each(t, storetest.NewClock(t0).Now, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.seed()
		ctx := context.Background()
		customerID, siteID, visitID := e.portalID("customers", "c1"), e.portalID("sites", "s1"), e.portalID("visits", "v1")
		liisa := portal.Actor{AccountID: 77, Name: "Liisa Virtanen", Role: portal.ActorCaretaker}
		err := db.Write(ctx, func(tx *store.Tx) error {
			if _, err := tx.AppendChange(ctx, store.ChangeOf{CustomerID: customerID, SiteID: siteID, Actor: liisa},
				portal.CustomerCancelledVisit{VisitID: visitID, VisitExternalID: "v1", FeeReason: portal.FeeFree, Deadline: t0}); err != nil {
				return err
			}
			_, err := tx.AppendChange(ctx, store.ChangeOf{CustomerID: customerID, SiteID: siteID},
				portal.VisitMarkedDone{VisitID: visitID, VisitExternalID: "v1", StartsAt: t0})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		a := e.call("GET", "/api/v1/changes", nil, conforms)
		var feed struct {
			Items []struct {
				Kind  string          `json:"kind"`
				Actor json.RawMessage `json:"actor"`
			} `json:"items"`
		}
		if err := json.Unmarshal(a.body, &feed); err != nil || len(feed.Items) != 2 {
			t.Fatalf("feed %s (%v)", a.body, err)
		}
		if got, want := string(feed.Items[0].Actor), `{"account_id":77,"name":"Liisa Virtanen","role":"caretaker"}`; got != want {
			t.Errorf("the relative's cancellation: actor %s, want %s", got, want)
		}
		if got := string(feed.Items[1].Actor); got != "null" {
			t.Errorf("the provider's change: actor %s, want null", got)
		}
	})
}
