package api

import (
	"context"
	"testing"

	"asiakassivu/internal/app"
	"asiakassivu/internal/portal"
	"asiakassivu/internal/store"
	"asiakassivu/internal/store/storetest"
)

// TestSyncRetiresLegacyCredentials: when the ERP moves a customer record
// onto an address that has a verified account, the record's old extranet
// credentials are deleted, as when the account is verified.
func TestSyncRetiresLegacyCredentials(t *testing.T) {
	storetest.Each(t, storetest.NewClock(t0).Now, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		e.put("/api/v1/customers/c1", customer(1, "eino@example.fi"), 201)
		count := func() (n int64) {
			err := db.Read(ctx, func(tx *store.Tx) error {
				return tx.QueryInt(ctx, `SELECT COUNT(*) FROM legacy_credentials`, &n)
			})
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		err := db.Write(ctx, func(tx *store.Tx) error {
			st, err := tx.ERPStateOf(ctx, "customers", app.ERPSource, "c1")
			if err != nil {
				return err
			}
			_, err = tx.UpsertLegacyCredential(ctx, store.LegacyCredential{CustomerID: st.ID, Source: "extranet", ExternalID: "eino",
				Username: "eino", Algorithm: portal.LegacySHA256, Params: "suola", WrappedHash: "$argon2id$x"})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		e.put("/api/v1/customers/c1", customer(2, "eino.uusi@example.fi"), 200)
		if n := count(); n != 1 {
			t.Fatalf("an address without an account: %d credentials, want 1", n)
		}
		e.put("/api/v1/customers/c1", customer(3, "Maija@Example.fi"), 200)
		if n := count(); n != 0 {
			t.Errorf("record moved to a verified account's address: %d legacy credentials, want 0", n)
		}
	})
}
