package store_test

import (
	"context"
	"testing"

	"asiakassivu/internal/portal"
	"asiakassivu/internal/store"
	"asiakassivu/internal/store/storetest"
)

// strayEvent is an event type the store has no encoding for.
type strayEvent struct{}

func (strayEvent) Kind() portal.EventKind { return "visit.stray" }

// TestAppendChangeRefusesUnknownEvent: an event without a journal encoding
// is an error, and takes no number (the next change is still 1).
func TestAppendChangeRefusesUnknownEvent(t *testing.T) {
	storetest.Each(t, nil, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		err := db.Write(ctx, func(tx *store.Tx) error {
			if _, err := tx.AppendChange(ctx, store.ChangeOf{}, strayEvent{}); err == nil {
				t.Error("an event without an encoding was journaled")
			}
			seq, err := tx.AppendChange(ctx, store.ChangeOf{}, portal.VisitNoteSet{VisitID: 1})
			if seq != 1 {
				t.Errorf("next change is %d, want 1", seq)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}
