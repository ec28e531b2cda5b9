package store_test

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"asiakassivu/internal/demo"
	"asiakassivu/internal/portal"
	"asiakassivu/internal/store"
	"asiakassivu/internal/store/storetest"
)

// TestSiteSummariesMatchTheirParts checks the one-query summaries the
// dashboard reads against the queries they stand for (Sites,
// ContractsOfSite, NextVisit, LatestInvoice, UnreadMessages), over the demo
// data and a site with no contract, visit or invoice, for a customer,
// staff and an admin; and SiteList against Sites and UnreadMessages.
func TestSiteSummariesMatchTheirParts(t *testing.T) {
	storetest.Each(t, nil, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if _, err := demo.Load(ctx, db, demo.Options{Now: t0,
			HashPassword: func(string) (string, error) { return "x", nil },
			Encrypt:      func(p []byte) ([]byte, error) { return p, nil }}); err != nil {
			t.Fatal(err)
		}
		err := db.Write(ctx, func(tx *store.Tx) error {
			prov, err := tx.UpsertProvider(ctx, portal.Provider{Source: "t", ExternalID: "p", Name: "Tyhjä Oy", Active: true})
			if err != nil {
				return err
			}
			cid, err := tx.UpsertCustomer(ctx, portal.Customer{Source: "t", ExternalID: "c", Name: "Tyhjä", Email: "asiakas@demo.example"})
			if err != nil {
				return err
			}
			_, err = tx.UpsertSite(ctx, portal.Site{CustomerID: cid, ProviderID: prov, Source: "t", ExternalID: "s", Street: "Tyhjätie 1"})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		now := t0.Add(time.Hour)
		scopes := []store.Scope{{EmailNorm: "asiakas@demo.example"}, {ProviderID: 1}, {All: true}}
		for _, scope := range scopes {
			err := db.Read(ctx, func(tx *store.Tx) error {
				sites, err := tx.Sites(ctx, scope)
				if err != nil {
					return err
				}
				sums, err := tx.SiteSummaries(ctx, scope, now)
				if err != nil {
					return err
				}
				list, none, err := tx.SiteList(ctx, scope, store.Reader{})
				if err != nil {
					return err
				}
				reader := store.Reader{AccountID: 1, From: []string{"provider", "system"}}
				list2, unread, err := tx.SiteList(ctx, scope, reader)
				if err != nil {
					return err
				}
				if none != nil || !reflect.DeepEqual(list, list2) {
					t.Errorf("site list without a reader: unread %v; lists differ: %v", none, !reflect.DeepEqual(list, list2))
				}
				unreadSeen := false
				if len(sites) < 2 || len(sums) != len(sites) || len(list) != len(sites) {
					t.Fatalf("scope %+v: %d sites, %d summaries, %d in the list", scope, len(sites), len(sums), len(list))
				}
				var empty, full bool
				for i, s := range sites {
					want := portal.SiteSummary{Site: s.Site, Provider: s.Provider}
					if want.Contracts, err = tx.ContractsOfSite(ctx, s.Site.ID); err != nil {
						return err
					}
					if v, err := tx.NextVisit(ctx, s.Site.ID, now); err == nil {
						want.NextVisit = &v
					} else if !errors.Is(err, portal.ErrNotFound) {
						return err
					}
					if inv, err := tx.LatestInvoice(ctx, s.Site.ID); err == nil {
						want.LatestInvoice = &inv
					} else if !errors.Is(err, portal.ErrNotFound) {
						return err
					}
					if !reflect.DeepEqual(sums[i], want) {
						t.Errorf("scope %+v, site %d:\ngot  %+v\nwant %+v", scope, s.Site.ID, sums[i], want)
					}
					wantRef := portal.Site{ID: s.Site.ID, CustomerID: s.Site.CustomerID, ProviderID: s.Site.ProviderID,
						Name: s.Site.Name, Street: s.Site.Street, PostalCode: s.Site.PostalCode, City: s.Site.City}
					if list[i] != wantRef {
						t.Errorf("site list: got %+v, want %+v", list[i], wantRef)
					}
					n, err := tx.UnreadMessages(ctx, s.Site.ID, reader.AccountID, reader.From...)
					if err != nil {
						return err
					}
					if got, ok := unread[s.Site.ID]; got != n || ok != (n != 0) {
						t.Errorf("site %d: %d unread in the list (%v), want %d", s.Site.ID, got, ok, n)
					}
					unreadSeen = unreadSeen || n != 0
					for _, r := range []store.Reader{{AccountID: 1, From: []string{"provider", "system"}}, {AccountID: 2, From: []string{"customer"}}, {}} {
						if want.Unread, err = tx.UnreadMessages(ctx, s.Site.ID, r.AccountID, r.From...); err != nil {
							return err
						}
						one, err := tx.SiteSummary(ctx, scope, s.Site.ID, now, r)
						if err != nil {
							return err
						}
						if !reflect.DeepEqual(one, want) {
							t.Errorf("scope %+v, site %d, reader %+v:\ngot  %+v\nwant %+v", scope, s.Site.ID, r, one, want)
						}
					}
					empty = empty || want.NextVisit == nil && want.LatestInvoice == nil && len(want.Contracts) == 0
					full = full || want.NextVisit != nil && want.LatestInvoice != nil && len(want.Contracts) > 1
				}
				if scope.All && (!empty || !full || !unreadSeen) {
					t.Errorf("the data lacks a site with nothing (%v), with everything (%v) or with unread messages (%v)",
						empty, full, unreadSeen)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		err = db.Read(ctx, func(tx *store.Tx) error {
			if _, err := tx.SiteSummary(ctx, store.Scope{EmailNorm: "x@example.fi"}, 1, now, store.Reader{}); !errors.Is(err, portal.ErrNotFound) {
				t.Errorf("site of another: got %v, want portal.ErrNotFound", err)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}
