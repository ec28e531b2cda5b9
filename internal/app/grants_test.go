package app

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"asiakassivu/internal/portal"
	"asiakassivu/internal/store"
	"asiakassivu/internal/store/storetest"
)

// TestGrantAllows is the table of what each grant role gives (PRODUCT.md
// C11): one row per capability, the owner's, a follower's and a
// caretaker's answer.
func TestGrantAllows(t *testing.T) {
	cases := []struct {
		c                          Capability
		owner, follower, caretaker bool
	}{
		{CapView, true, true, true},
		{CapMessage, true, true, true},
		{CapFeedback, true, true, true},
		{CapNotify, true, true, true},
		{CapCancel, true, false, true},
		{CapMove, true, false, true},
		{CapNote, true, false, true},
		{CapAccess, true, false, true},
		{CapRate, true, false, true},
		{CapBilling, true, false, true},
		{CapStatement, true, false, true},
		{CapConsent, true, false, false},
		{CapInvite, true, false, false},
		{CapOwnData, true, false, false},
	}
	if len(cases) != int(numCapabilities) {
		t.Fatalf("the table has %d capabilities, the code %d", len(cases), numCapabilities)
	}
	for _, c := range cases {
		for _, r := range []struct {
			role portal.GrantRole
			want bool
		}{{"", c.owner}, {portal.GrantFollower, c.follower}, {portal.GrantCaretaker, c.caretaker}} {
			if got := GrantAllows(r.role, c.c); got != r.want {
				t.Errorf("GrantAllows(%q, %v) = %v, want %v", r.role, c.c, got, r.want)
			}
		}
	}
	if GrantAllows("boss", CapView) || GrantAllows(portal.GrantCaretaker, numCapabilities) {
		t.Error("an unknown role or capability is allowed")
	}
}

// grantWorld is the access-rule world with a mail recorder and two more
// verified accounts: liisa (maija's daughter, no records of her own) and
// pekka (a stranger).
func grantWorld(t *testing.T, db *store.DB, clock *storetest.Clock) (*world, *recMailer) {
	t.Helper()
	clock.Set(t0)
	w := newWorld(t, db, clock)
	m := &recMailer{}
	w.app.mailer = m
	w.app.baseURL = "https://portaali.example"
	pw, _ := w.app.hasher.Hash(context.Background(), "oikea-salasana-123")
	err := db.Write(context.Background(), func(tx *store.Tx) error {
		for _, e := range []string{"liisa@example.fi", "pekka@example.fi"} {
			if _, err := tx.CreateAccount(context.Background(), portal.Account{Email: e, PasswordHash: pw, VerifiedAt: tx.Now()}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return w, m
}

// invite has maija invite an address to a site and returns the link's token.
func (w *world) invite(t *testing.T, m *recMailer, owner Viewer, site int64, email string, role portal.GrantRole) string {
	t.Helper()
	if _, err := w.app.InviteToSite(context.Background(), owner, site, Invitation{Email: email, Role: role, Language: "fi"}); err != nil {
		t.Fatalf("invite %s: %v", email, err)
	}
	mail := m.last(t, "grant_invite", email)
	u := mail.data["url"]
	i := strings.Index(u, "/kutsu/")
	if i < 0 {
		t.Fatalf("invitation mail has no link: %v", mail.data)
	}
	return u[i+len("/kutsu/"):]
}

func TestGrantInviteAcceptRevoke(t *testing.T) {
	clock := storetest.NewClock(t0)
	storetest.Each(t, clock.Now, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w, m := grantWorld(t, db, clock)
		koti, mokki := w.sites["koti"], w.sites["mokki"]
		maija := w.signIn(t, "maija@example.fi")
		token := w.invite(t, m, maija, koti, "Liisa@Example.fi", portal.GrantCaretaker)
		mail := m.last(t, "grant_invite", "Liisa@Example.fi")
		if mail.data["inviter"] != "koti" || mail.data["role"] != "caretaker" || mail.lang != "fi" {
			t.Errorf("invitation mail %+v", mail)
		}
		// The page before accepting says who invites to which home.
		iv, err := w.app.Invite(ctx, token)
		if err != nil || iv.Site.ID != koti || iv.Role != portal.GrantCaretaker || iv.Inviter != "koti" {
			t.Fatalf("invite view %+v, %v", iv, err)
		}
		// Another address cannot accept; the invitee can, once.
		pekka := w.signIn(t, "pekka@example.fi")
		if _, err := w.app.AcceptInvite(ctx, pekka, token); !errors.Is(err, ErrInviteOtherAddress) {
			t.Errorf("pekka accepts liisa's invitation: %v", err)
		}
		if _, err := w.app.AcceptInvite(ctx, maija, token); !errors.Is(err, ErrInviteOtherAddress) {
			t.Errorf("the owner accepts her own invitation: %v", err)
		}
		liisa := w.signIn(t, "liisa@example.fi")
		if len(liisa.Sites) != 0 {
			t.Fatalf("liisa sees %v before accepting", liisa.Sites)
		}
		if got, err := w.app.AcceptInvite(ctx, liisa, token); err != nil || got != koti {
			t.Fatalf("accept: %d, %v", got, err)
		}
		if _, err := w.app.AcceptInvite(ctx, liisa, token); !errors.Is(err, ErrInviteUsed) {
			t.Errorf("a reused link: %v", err)
		}
		if _, err := w.app.Invite(ctx, token); !errors.Is(err, ErrInviteUsed) {
			t.Errorf("the used link's page: %v", err)
		}
		liisa = w.signIn(t, "liisa@example.fi")
		if len(liisa.Sites) != 1 || liisa.Sites[0].ID != koti || liisa.Sites[0].Grant.Role != portal.GrantCaretaker ||
			liisa.Sites[0].Grant.OwnerName != "koti" {
			t.Fatalf("liisa's sites after accepting: %+v", liisa.Sites)
		}
		sums, err := w.app.Overview(ctx, liisa)
		if err != nil || len(sums) != 1 || sums[0].Site.ID != koti || sums[0].Site.Grant.Role != portal.GrantCaretaker {
			t.Fatalf("liisa's overview %+v, %v", sums, err)
		}
		if _, err := w.app.Site(ctx, liisa, mokki); !errors.Is(err, portal.ErrNotFound) {
			t.Errorf("liisa reaches maija's other home: %v", err)
		}
		// The owner's list: who, role, since, last used.
		list, err := w.app.SiteGrants(ctx, maija, koti)
		if err != nil || len(list) != 1 || list[0].Pending || list[0].Email != "liisa@example.fi" || !list[0].Since.Equal(t0) ||
			!list[0].LastUsed.Equal(t0) {
			t.Fatalf("maija's list %+v, %v", list, err)
		}
		// Neither the grantee nor a stranger can list or revoke.
		for _, v := range []Viewer{liisa, pekka} {
			if _, err := w.app.SiteGrants(ctx, v, koti); !errors.Is(err, portal.ErrNotFound) {
				t.Errorf("%s lists grants: %v", v.Email, err)
			}
			if err := w.app.RevokeGrant(ctx, v, koti, list[0].ID); !errors.Is(err, portal.ErrNotFound) {
				t.Errorf("%s revokes: %v", v.Email, err)
			}
		}
		// Revocation is at once, even for the viewer read before it.
		if err := w.app.RevokeGrant(ctx, maija, koti, list[0].ID); err != nil {
			t.Fatal(err)
		}
		if _, err := w.app.Site(ctx, liisa, koti); !errors.Is(err, portal.ErrNotFound) {
			t.Errorf("liisa still sees koti after the revocation: %v", err)
		}
		if _, err := w.app.Thread(ctx, liisa, koti, 0); !errors.Is(err, portal.ErrNotFound) {
			t.Errorf("liisa still reads koti's messages: %v", err)
		}
		if liisa = w.signIn(t, "liisa@example.fi"); len(liisa.Sites) != 0 {
			t.Errorf("liisa's sites after the revocation: %+v", liisa.Sites)
		}
		if list, _ := w.app.SiteGrants(ctx, maija, koti); len(list) != 0 {
			t.Errorf("maija's list after the revocation: %+v", list)
		}
		if err := w.app.RevokeGrant(ctx, maija, koti, list[0].ID); !errors.Is(err, portal.ErrNotFound) {
			t.Errorf("revoking twice: %v", err)
		}
	})
}

func TestGrantInviteRefusals(t *testing.T) {
	clock := storetest.NewClock(t0)
	storetest.Each(t, clock.Now, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w, m := grantWorld(t, db, clock)
		koti := w.sites["koti"]
		maija := w.signIn(t, "maija@example.fi")
		field := func(err error) string {
			var bad InvalidInput
			if !errors.As(err, &bad) || len(bad) == 0 {
				return "not InvalidInput: " + errString(err)
			}
			return bad[0].Field + "=" + bad[0].Key
		}
		for _, c := range []struct {
			email string
			role  portal.GrantRole
			want  string
		}{
			{"MAIJA@example.fi ", portal.GrantFollower, "email=error.grant.self"},
			{"ei-osoite", portal.GrantFollower, "email=error.email.invalid"},
			{"", portal.GrantFollower, "email=error.email.empty"},
			{"a@example.fi", "owner", "role=error.grant.role"},
		} {
			_, err := w.app.InviteToSite(ctx, maija, koti, Invitation{Email: c.email, Role: c.role})
			if got := field(err); got != c.want {
				t.Errorf("invite %q %q: %s, want %s", c.email, c.role, got, c.want)
			}
		}
		// Five places, pending invitations included; the sixth is refused.
		for i := range 5 {
			w.invite(t, m, maija, koti, string(rune('a'+i))+"@example.fi", portal.GrantFollower)
		}
		_, err := w.app.InviteToSite(ctx, maija, koti, Invitation{Email: "f@example.fi", Role: portal.GrantFollower})
		if got := field(err); got != "email=error.grant.full" {
			t.Errorf("a sixth grant: %s", got)
		}
		// Expired invitations free their place.
		clock.Advance(portal.GrantInviteTTL + time.Minute)
		if _, err := w.app.InviteToSite(ctx, maija, koti, Invitation{Email: "f@example.fi", Role: portal.GrantFollower}); err != nil {
			t.Errorf("after the others expired: %v", err)
		}
		// Only the owner invites: a stranger, staff, admin get not found.
		for _, e := range []string{"matti@example.fi", "staff@example.fi", "admin@example.fi"} {
			v := w.signIn(t, e)
			if _, err := w.app.InviteToSite(ctx, v, koti, Invitation{Email: "g@example.fi", Role: portal.GrantFollower}); !errors.Is(err, portal.ErrNotFound) {
				t.Errorf("%s invites to maija's home: %v", e, err)
			}
		}
	})
}

func TestGrantExpiredLink(t *testing.T) {
	clock := storetest.NewClock(t0)
	storetest.Each(t, clock.Now, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w, m := grantWorld(t, db, clock)
		maija := w.signIn(t, "maija@example.fi")
		token := w.invite(t, m, maija, w.sites["koti"], "liisa@example.fi", portal.GrantFollower)
		clock.Advance(portal.GrantInviteTTL)
		liisa := w.signIn(t, "liisa@example.fi")
		if _, err := w.app.AcceptInvite(ctx, liisa, token); !errors.Is(err, ErrInviteExpired) {
			t.Errorf("accepting after 7 days: %v", err)
		}
		if _, err := w.app.Invite(ctx, token); !errors.Is(err, ErrInviteExpired) {
			t.Errorf("the page after 7 days: %v", err)
		}
		if _, err := w.app.AcceptInvite(ctx, liisa, strings.Repeat("x", 43)); !errors.Is(err, portal.ErrNotFound) {
			t.Errorf("an unknown token: %v", err)
		}
		if liisa = w.signIn(t, "liisa@example.fi"); len(liisa.Sites) != 0 {
			t.Errorf("an expired link gave %+v", liisa.Sites)
		}
	})
}

func errString(err error) string {
	if err == nil {
		return "nil"
	}
	return err.Error()
}

// TestGrantNeverCountsAsOwn: a granted home never counts in the grantee's
// own yearly statement, deduction estimate, consents or data download,
// while a caretaker sees that home's bills and a follower does not.
func TestGrantNeverCountsAsOwn(t *testing.T) {
	clock := storetest.NewClock(demoNow)
	storetest.Each(t, clock.Now, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := loadDemo(t, db, clock, nil)
		m := &recMailer{}
		w.app.mailer = m
		owner, relative := w.signIn(t, "asiakas@demo.example"), w.signIn(t, "toinen@demo.example")
		before, err := w.app.YearlyStatement(ctx, relative, 2025, nil)
		if err != nil {
			t.Fatal(err)
		}
		exportBefore, err := w.app.Export(ctx, relative)
		if err != nil {
			t.Fatal(err)
		}
		consentsBefore, err := w.app.Consents(ctx, relative)
		if err != nil {
			t.Fatal(err)
		}
		ownerSites, err := w.app.Overview(ctx, owner)
		if err != nil || len(ownerSites) == 0 {
			t.Fatalf("owner's sites %v, %v", ownerSites, err)
		}
		koti := ownerSites[0].Site.ID
		ww := &world{app: w.app}
		token := ww.invite(t, m, owner, koti, "toinen@demo.example", portal.GrantCaretaker)
		if _, err := w.app.AcceptInvite(ctx, relative, token); err != nil {
			t.Fatal(err)
		}
		relative = w.signIn(t, "toinen@demo.example")
		if l, ok := relative.Link(koti); !ok || l.Role != portal.GrantCaretaker || l.OwnerName != "Maija Virtanen" {
			t.Fatalf("link %+v %v", l, ok)
		}
		after, err := w.app.YearlyStatement(ctx, relative, 2025, nil)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(before, after) {
			t.Errorf("the grant changed the relative's statement:\nbefore %+v\nafter  %+v", before, after)
		}
		exportAfter, err := w.app.Export(ctx, relative)
		if err != nil {
			t.Fatal(err)
		}
		if len(exportAfter.Customers) != len(exportBefore.Customers) || len(exportAfter.FamilyAccess.Held) != 1 {
			t.Errorf("download: %d records (was %d), %d held grants", len(exportAfter.Customers), len(exportBefore.Customers),
				len(exportAfter.FamilyAccess.Held))
		}
		if consents, err := w.app.Consents(ctx, relative); err != nil || !reflect.DeepEqual(consents, consentsBefore) {
			t.Errorf("the grant changed the relative's consents: %v", err)
		}
		// The caretaker sees the home's bills; the owner's download lists
		// who has access.
		if b, err := w.app.SiteBilling(ctx, relative, koti, 0); err != nil || len(b.Invoices) == 0 {
			t.Errorf("the caretaker's bills of the home: %d, %v", len(b.Invoices), err)
		}
		// The caretaker sees that home's statement, the same as its owner
		// sees of it.
		mine, err := w.app.SiteStatement(ctx, relative, koti, 2025, nil)
		theirs, err2 := w.app.SiteStatement(ctx, owner, koti, 2025, nil)
		if err != nil || err2 != nil || len(mine.Sites) != 1 || mine.WorkShareCents == 0 || !reflect.DeepEqual(mine, theirs) {
			t.Errorf("the home's statement: caretaker %+v (%v), owner %+v (%v)", mine, err, theirs, err2)
		}
		if ex, err := w.app.Export(ctx, owner); err != nil || len(ex.FamilyAccess.Given) != 1 || ex.FamilyAccess.Given[0].Email != "toinen@demo.example" {
			t.Errorf("owner's download of family access: %+v, %v", ex.FamilyAccess, err)
		}
		// As a follower the bills are gone, nothing else changes.
		list, _ := w.app.SiteGrants(ctx, owner, koti)
		if err := w.app.RevokeGrant(ctx, owner, koti, list[0].ID); err != nil {
			t.Fatal(err)
		}
		token = ww.invite(t, m, owner, koti, "toinen@demo.example", portal.GrantFollower)
		if _, err := w.app.AcceptInvite(ctx, relative, token); err != nil {
			t.Fatal(err)
		}
		relative = w.signIn(t, "toinen@demo.example")
		if _, err := w.app.SiteBilling(ctx, relative, koti, 0); !errors.Is(err, portal.ErrNotFound) {
			t.Errorf("a follower reads the home's bills: %v", err)
		}
		if _, err := w.app.Site(ctx, relative, koti); err != nil {
			t.Errorf("a follower's home page: %v", err)
		}
		if _, err := w.app.SiteStatement(ctx, relative, koti, 2025, nil); !errors.Is(err, portal.ErrNotFound) {
			t.Errorf("a follower reads the home's statement: %v", err)
		}
	})
}

// TestGrantsStayWithTheHome: when the ERP changes a record's email (the
// home changes owner), its grants stay: the relative keeps the home and
// the new owner, not the old one, sees and manages them.
func TestGrantsStayWithTheHome(t *testing.T) {
	clock := storetest.NewClock(t0)
	storetest.Each(t, clock.Now, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w, m := grantWorld(t, db, clock)
		mokki := w.sites["mokki"]
		maija := w.signIn(t, "maija@example.fi")
		token := w.invite(t, m, maija, mokki, "liisa@example.fi", portal.GrantFollower)
		liisa := w.signIn(t, "liisa@example.fi")
		if _, err := w.app.AcceptInvite(ctx, liisa, token); err != nil {
			t.Fatal(err)
		}
		if err := db.Write(ctx, func(tx *store.Tx) error {
			_, err := tx.UpsertCustomer(ctx, portal.Customer{Source: "t", ExternalID: "mokki", Name: "mokki", Email: "matti@example.fi"})
			return err
		}); err != nil {
			t.Fatal(err)
		}
		matti := w.signIn(t, "matti@example.fi")
		list, err := w.app.SiteGrants(ctx, matti, mokki)
		if err != nil || len(list) != 1 || list[0].Email != "liisa@example.fi" {
			t.Errorf("the new owner's list: %+v, %v", list, err)
		}
		if _, err := w.app.SiteGrants(ctx, maija, mokki); !errors.Is(err, portal.ErrNotFound) {
			t.Errorf("the old owner still lists the grants: %v", err)
		}
		if _, err := w.app.Site(ctx, w.signIn(t, "liisa@example.fi"), mokki); err != nil {
			t.Errorf("the relative lost the home with its owner: %v", err)
		}
		// The record's email becomes the relative's own: the home is
		// listed once, as hers, with the owner's wider access.
		if err := db.Write(ctx, func(tx *store.Tx) error {
			_, err := tx.UpsertCustomer(ctx, portal.Customer{Source: "t", ExternalID: "mokki", Name: "mokki", Email: "liisa@example.fi"})
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if liisa = w.signIn(t, "liisa@example.fi"); len(liisa.Sites) != 1 || liisa.Sites[0].ID != mokki ||
			liisa.Sites[0].Grant.Role != "" || !liisa.May(mokki, CapBilling) {
			t.Errorf("owned and granted: %+v", liisa.Sites)
		}
		if err := w.app.RevokeGrant(ctx, liisa, mokki, list[0].ID); err != nil {
			t.Errorf("the new owner revokes: %v", err)
		}
	})
}

// TestGranteesAreNotified: a relative who turned notifications on (a
// device) hears of the home's messages like the owner; a follower never
// of its bills (customerAccounts by capability); a relative without a
// device gets nothing.
func TestGranteesAreNotified(t *testing.T) {
	clock := storetest.NewClock(t0)
	storetest.Each(t, clock.Now, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w, m := grantWorld(t, db, clock)
		visitWorld(t, w) // contracts: the thread is open
		koti := w.sites["koti"]
		maija, staff := w.signIn(t, "maija@example.fi"), w.signIn(t, "staff@example.fi")
		liisa, pekka := w.signIn(t, "liisa@example.fi"), w.signIn(t, "pekka@example.fi")
		for _, x := range []struct {
			v     Viewer
			email string
		}{{liisa, "liisa@example.fi"}, {pekka, "pekka@example.fi"}} {
			if _, err := w.app.AcceptInvite(ctx, x.v, w.invite(t, m, maija, koti, x.email, portal.GrantFollower)); err != nil {
				t.Fatal(err)
			}
		}
		// Liisa has a device; pekka has none.
		if err := db.Write(ctx, func(tx *store.Tx) error {
			_, err := tx.SavePushSubscription(ctx, store.PushSubscription{AccountID: liisa.AccountID,
				Endpoint: "https://push.example/liisa", P256dh: "k", Auth: "a"})
			return err
		}); err != nil {
			t.Fatal(err)
		}
		var readers, bills []int64
		if err := db.Read(ctx, func(tx *store.Tx) error {
			s, err := tx.Site(ctx, store.Scope{All: true}, koti)
			if err != nil {
				return err
			}
			if readers, err = customerAccounts(ctx, tx, s.Site, CapMessage); err != nil {
				return err
			}
			bills, err = customerAccounts(ctx, tx, s.Site, CapBilling)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(readers, []int64{maija.AccountID, liisa.AccountID, pekka.AccountID}) || !slices.Equal(bills, []int64{maija.AccountID}) {
			t.Errorf("told of messages %v, of bills %v", readers, bills)
		}
		if _, err := w.app.PostMessage(ctx, staff, koti, "Hei kaikille"); err != nil {
			t.Fatal(err)
		}
		if n := pushJobs(t, db); n != 1 {
			t.Errorf("push jobs after the provider's message: %d, want 1 (liisa's device; maija and pekka have none)", n)
		}
	})
}

// TestDashboardByRole: the dashboard's one statement follows the viewer's
// link to the home: the owner and a caretaker are asked to rate a done
// visit, a follower is not; each sees the cancelled visits ahead and
// where the live stream starts; a grant revoked after the relative's
// viewer was read (their session) leaves them nothing.
func TestDashboardByRole(t *testing.T) {
	clock := storetest.NewClock(t0)
	storetest.Each(t, clock.Now, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w, m := grantWorld(t, db, clock)
		koti := w.sites["koti"]
		maija := w.signIn(t, "maija@example.fi")
		var done, cancelled int64
		err := db.Write(ctx, func(tx *store.Tx) (err error) {
			y, n := t0.Add(-24*time.Hour), t0.Add(24*time.Hour)
			if done, err = tx.UpsertVisit(ctx, portal.Visit{SiteID: koti, Source: "t", ExternalID: "dash-done",
				StartsAt: y, EndsAt: y.Add(2 * time.Hour), Status: portal.VisitDone}); err != nil {
				return err
			}
			cancelled, err = tx.UpsertVisit(ctx, portal.Visit{SiteID: koti, Source: "t", ExternalID: "dash-cancelled",
				StartsAt: n, EndsAt: n.Add(2 * time.Hour), Status: portal.VisitCancelledByProvider})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		relative := func(email string, role portal.GrantRole) Viewer {
			token := w.invite(t, m, maija, koti, email, role)
			if _, err := w.app.AcceptInvite(ctx, w.signIn(t, email), token); err != nil {
				t.Fatal(err)
			}
			return w.signIn(t, email)
		}
		liisa, pekka := relative("liisa@example.fi", portal.GrantCaretaker), relative("pekka@example.fi", portal.GrantFollower)
		from, err := w.app.LiveStart(ctx)
		if err != nil || from == 0 {
			t.Fatalf("live start %d, %v", from, err)
		}
		for _, c := range []struct {
			name string
			v    Viewer
			rate bool
		}{{"owner", maija, true}, {"caretaker", liisa, true}, {"follower", pekka, false}} {
			d, err := w.app.Dashboard(ctx, c.v, koti)
			if err != nil || d.Site.ID != koti {
				t.Fatalf("%s: %+v, %v", c.name, d.Site, err)
			}
			if (d.ToRate != nil) != c.rate || c.rate && d.ToRate.ID != done {
				t.Errorf("%s: visit to rate %+v, want one: %v", c.name, d.ToRate, c.rate)
			}
			if len(d.Cancelled) != 1 || d.Cancelled[0].ID != cancelled || d.LiveFrom != from {
				t.Errorf("%s: cancelled %+v, live from %d (want %d)", c.name, d.Cancelled, d.LiveFrom, from)
			}
		}
		list, err := w.app.SiteGrants(ctx, maija, koti)
		if err != nil || len(list) != 2 {
			t.Fatalf("grants %+v, %v", list, err)
		}
		for _, g := range list {
			if err := w.app.RevokeGrant(ctx, maija, koti, g.ID); err != nil {
				t.Fatal(err)
			}
		}
		for _, v := range []Viewer{liisa, pekka} {
			if d, err := w.app.Dashboard(ctx, v, koti); !errors.Is(err, portal.ErrNotFound) || d.ToRate != nil || d.Cancelled != nil {
				t.Errorf("%s after the revocation: %+v, %v", v.Email, d, err)
			}
		}
	})
}
