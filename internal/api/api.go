// Package api is the ERP sync API (PRODUCT.md C10, docs/sync-api.md): a
// JSON API under /api/v1/ through which the chain's back-office writes its
// records by its own ids and reads the changes made in the portal. Each
// integration has a bearer token (asiakassivu token create); sessions do
// not reach the API and tokens do not reach the pages. The package owns
// its wire types and its OpenAPI document; the use cases are the app's.
package api

import (
	_ "embed"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"asiakassivu/internal/app"
	"asiakassivu/internal/httpx"
	"asiakassivu/internal/portal"
)

// Prefix is where the API is mounted.
const Prefix = "/api/v1/"

// DefaultMaxBody bounds a request body (a billing summary of MaxLines
// lines fits with room to spare).
const DefaultMaxBody = 1 << 20

//go:embed openapi.json
var openAPI []byte

// OpenAPI returns the API's OpenAPI 3.1 document.
func OpenAPI() []byte { return openAPI }

// Config configures the API.
type Config struct {
	Log *slog.Logger
	// MaxBody bounds a request body in bytes; 0 means DefaultMaxBody.
	MaxBody int64
}

// Server serves the sync API.
type Server struct {
	app     *app.App
	log     *slog.Logger
	maxBody int64
	mux     *http.ServeMux
}

// route is one entry of the API's route table, which registers the mux
// and which the tests range over (every route is in the OpenAPI document).
type route struct {
	method  string
	pattern string
	auth    bool
	handle  func(w http.ResponseWriter, r *http.Request, in app.Integration) error
}

func (s *Server) routes() []route {
	rs := []route{
		{"GET", Prefix + "openapi.json", false, s.openAPI},
		{"GET", Prefix + "changes", true, s.changes},
		{"PUT", Prefix + "providers/{id}", true, s.putProvider},
		{"PUT", Prefix + "customers/{id}", true, s.putCustomer},
		{"PUT", Prefix + "sites/{id}", true, s.putSite},
		{"PUT", Prefix + "contracts/{id}", true, s.putContract},
		{"PUT", Prefix + "visits/{id}", true, s.putVisit},
		{"PUT", Prefix + "invoices/{id}", true, s.putInvoice},
	}
	for _, kind := range []string{"customers", "sites", "contracts", "visits", "invoices"} {
		rs = append(rs, route{"DELETE", Prefix + kind + "/{id}", true, s.deleter(kind)})
	}
	return rs
}

// New returns the API over the app's use cases.
func New(a *app.App, cfg Config) *Server {
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.MaxBody <= 0 {
		cfg.MaxBody = DefaultMaxBody
	}
	s := &Server{app: a, log: cfg.Log, maxBody: cfg.MaxBody, mux: http.NewServeMux()}
	routes := s.routes()
	for _, rt := range routes {
		s.mux.Handle(rt.method+" "+rt.pattern, s.handle(rt))
	}
	// Everything else under the prefix: a JSON 405 for a known path with
	// another method, a JSON 404 otherwise (ServeMux's own are text).
	s.mux.HandleFunc(Prefix, func(w http.ResponseWriter, r *http.Request) {
		var allow []string
		for _, rt := range routes {
			if pathMatches(rt.pattern, r.URL.Path) {
				allow = append(allow, rt.method)
			}
		}
		if len(allow) > 0 {
			w.Header().Set("Allow", strings.Join(allow, ", "))
			s.fail(w, r, &apiError{Status: http.StatusMethodNotAllowed, Code: "method_not_allowed",
				Message: "this path takes " + strings.Join(allow, ", ")})
			return
		}
		s.fail(w, r, &apiError{Status: http.StatusNotFound, Code: "not_found", Message: "no such resource"})
	})
	return s
}

// pathMatches reports whether a path fits a route pattern segment by
// segment, a {name} fitting any one non-empty segment.
func pathMatches(pattern, path string) bool {
	ps, xs := strings.Split(pattern, "/"), strings.Split(path, "/")
	if len(ps) != len(xs) {
		return false
	}
	for i := range ps {
		if strings.HasPrefix(ps[i], "{") {
			if xs[i] == "" {
				return false
			}
		} else if ps[i] != xs[i] {
			return false
		}
	}
	return true
}

// ServeHTTP serves the API. Answers are never cached.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	s.mux.ServeHTTP(w, r)
}

// handle wraps a route: the bearer token first (a session cookie counts
// for nothing here), then the handler, its error mapped by fail.
func (s *Server) handle(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var in app.Integration
		if rt.auth {
			var err error
			if in, err = s.authenticate(r); err != nil {
				s.fail(w, r, err)
				return
			}
		}
		if err := rt.handle(w, r, in); err != nil {
			s.fail(w, r, err)
		}
	})
}

func (s *Server) authenticate(r *http.Request) (app.Integration, error) {
	unauth := &apiError{Status: http.StatusUnauthorized, Code: "unauthorized",
		Message: "a valid bearer token is required (Authorization: Bearer …)"}
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
		return app.Integration{}, unauth
	}
	in, err := s.app.AuthenticateIntegration(r.Context(), strings.TrimSpace(token))
	if errors.Is(err, portal.ErrUnauthenticated) {
		s.log.Warn("api token refused", "path", r.URL.Path)
		return in, unauth
	}
	return in, err
}

// fail answers an error: the API's own refusals (*apiError: bad input,
// no token, no route) as they are, every other error as internal/httpx's
// table says, the same status and code the pages give it. Unexpected
// errors are logged with a reference and answered without their text.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	var ae *apiError
	if !errors.As(err, &ae) {
		f := httpx.Classify(err)
		f.Log(s.log, r.Method+" "+r.URL.Path, err)
		if f.Status == 0 {
			return // the client went away
		}
		f.SetRetryAfter(w.Header())
		msg := f.Message
		if f.Ref != "" {
			msg += ", reference " + f.Ref
		}
		ae = &apiError{Status: f.Status, Code: f.Code, Message: msg, Field: f.Field}
	}
	if ae.Status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="asiakassivu"`)
	}
	writeJSON(w, ae.Status, errorOut{Error: errorBody{Code: ae.Code, Message: ae.Message, Field: ae.Field}})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"error":{"code":"internal","message":"internal error"}}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}

func (s *Server) openAPI(w http.ResponseWriter, _ *http.Request, _ app.Integration) error {
	w.Header().Set("Content-Type", "application/json")
	w.Write(openAPI)
	return nil
}

// pathID returns the ERP id in the path.
func pathID(r *http.Request) (string, error) {
	id := r.PathValue("id")
	if !idPattern.MatchString(id) {
		return "", invalid("id", "must be an ERP id: 1 to 100 letters, digits, '.', '_', ':' or '-'")
	}
	return id, nil
}

// upsert runs the common steps of a PUT: the id, the body, the domain
// copy and its meta; apply writes it and returns the answer's record.
func upsert[In any, D any](s *Server, w http.ResponseWriter, r *http.Request, body *In, version func() *int64,
	domain func() (D, error), apply func(app.SyncMeta, D) (app.SyncOutcome, any, error)) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := readJSON(w, r, s.maxBody, body); err != nil {
		return err
	}
	d, err := domain()
	if err != nil {
		return err
	}
	v := version()
	sent := *v
	*v = 0
	m := app.SyncMeta{ExternalID: id, Version: sent, Digest: digest(body)}
	*v = sent
	outcome, rec, err := apply(m, d)
	if err != nil {
		return err
	}
	status, result := http.StatusOK, "updated"
	switch outcome {
	case app.SyncCreated:
		status, result = http.StatusCreated, "created"
	case app.SyncUnchanged:
		result = "unchanged"
	}
	writeJSON(w, status, upsertOut{Result: result, Record: rec})
	return nil
}

func (s *Server) putProvider(w http.ResponseWriter, r *http.Request, in app.Integration) error {
	var b providerIn
	return upsert(s, w, r, &b, func() *int64 { return &b.Version }, b.domain,
		func(m app.SyncMeta, p portal.Provider) (app.SyncOutcome, any, error) {
			x, err := s.app.SyncProvider(r.Context(), in, m, p)
			p = x.Record
			return x.Outcome, providerOut{ID: m.ExternalID, Version: x.Version, Name: p.Name, BusinessID: p.BusinessID,
				City: p.City, Phone: p.Phone, Email: p.Email, Active: p.Active, IBAN: p.IBAN, BIC: p.BIC}, err
		})
}

func (s *Server) putCustomer(w http.ResponseWriter, r *http.Request, in app.Integration) error {
	var b customerIn
	return upsert(s, w, r, &b, func() *int64 { return &b.Version }, b.domain,
		func(m app.SyncMeta, c portal.Customer) (app.SyncOutcome, any, error) {
			x, err := s.app.SyncCustomer(r.Context(), in, m, c)
			c = x.Record
			return x.Outcome, customerOut{ID: m.ExternalID, Version: x.Version, Name: c.Name, Email: c.Email, Phone: c.Phone,
				DeletedAt: optTime(x.DeletedAt)}, err
		})
}

func (s *Server) putSite(w http.ResponseWriter, r *http.Request, in app.Integration) error {
	var b siteIn
	return upsert(s, w, r, &b, func() *int64 { return &b.Version }, b.domain,
		func(m app.SyncMeta, st portal.Site) (app.SyncOutcome, any, error) {
			x, err := s.app.SyncSite(r.Context(), in, m, b.CustomerID, b.ProviderID, st)
			st = x.Record
			return x.Outcome, siteOut{ID: m.ExternalID, Version: x.Version, CustomerID: b.CustomerID, ProviderID: b.ProviderID,
				Name: st.Name, Street: st.Street, PostalCode: st.PostalCode, City: st.City, DeletedAt: optTime(x.DeletedAt)}, err
		})
}

func (s *Server) putContract(w http.ResponseWriter, r *http.Request, in app.Integration) error {
	var b contractIn
	return upsert(s, w, r, &b, func() *int64 { return &b.Version }, b.domain,
		func(m app.SyncMeta, k portal.Contract) (app.SyncOutcome, any, error) {
			x, err := s.app.SyncContract(r.Context(), in, m, b.SiteID, k)
			k = x.Record
			return x.Outcome, contractOut{ID: m.ExternalID, Version: x.Version, SiteID: b.SiteID, Kind: string(k.Kind),
				Service: k.Service, ServiceSV: k.ServiceSV, ServiceEN: k.ServiceEN, WorkType: k.WorkType, Rhythm: k.Rhythm, PriceCents: k.PriceCents, VATFree: k.VATFree,
				StartDate: k.Start.String(), EndDate: optDate(k.End), DeletedAt: optTime(x.DeletedAt)}, err
		})
}

func (s *Server) putVisit(w http.ResponseWriter, r *http.Request, in app.Integration) error {
	var b visitIn
	return upsert(s, w, r, &b, func() *int64 { return &b.Version }, b.domain,
		func(m app.SyncMeta, v portal.Visit) (app.SyncOutcome, any, error) {
			x, err := s.app.SyncVisit(r.Context(), in, m, b.SiteID, b.ContractID, v)
			v = x.Record
			return x.Outcome, visitOut{ID: m.ExternalID, Version: x.Version, SiteID: b.SiteID, ContractID: optString(b.ContractID),
				StartsAt: timeOut(v.StartsAt), EndsAt: timeOut(v.EndsAt), Status: string(v.Status), Service: v.Service,
				ServiceSV: v.ServiceSV, ServiceEN: v.ServiceEN,
				WorkerFirstName: v.WorkerFirstName, PriceCents: v.PriceCents, CustomerNote: v.CustomerNote,
				ProviderNote: v.ProviderNote, DeletedAt: optTime(x.DeletedAt)}, err
		})
}

func (s *Server) putInvoice(w http.ResponseWriter, r *http.Request, in app.Integration) error {
	var b invoiceIn
	return upsert(s, w, r, &b, func() *int64 { return &b.Version }, b.domain,
		func(m app.SyncMeta, inv portal.Invoice) (app.SyncOutcome, any, error) {
			x, err := s.app.SyncInvoice(r.Context(), in, m, b.SiteID, inv)
			inv = x.Record
			out := invoiceOut{ID: m.ExternalID, Version: x.Version, SiteID: b.SiteID, Number: inv.Number,
				PeriodStart: inv.PeriodStart.String(), PeriodEnd: inv.PeriodEnd.String(), IssuedOn: inv.IssuedOn.String(),
				DueOn: inv.DueOn.String(), PaidOn: optDate(inv.PaidOn), Status: string(inv.Status), IsCreditNote: inv.IsCreditNote,
				TotalCents: inv.TotalCents, Reference: inv.Reference, Lines: []lineOut{}, DeletedAt: optTime(x.DeletedAt)}
			for _, l := range inv.Lines {
				out.Lines = append(out.Lines, lineOut{Position: l.Position, Description: l.Description,
					DescriptionSV: l.DescriptionSV, DescriptionEN: l.DescriptionEN,
					PerformedOn: l.PerformedOn.String(), QuantityMilli: l.QuantityMilli, UnitPriceCents: l.UnitPriceCents,
					VATRateBP: l.VATRateBP, NetCents: l.NetCents, VATCents: l.VATCents, TotalCents: l.TotalCents, IsWork: l.IsWork})
			}
			return x.Outcome, out, err
		})
}

// deleter answers DELETE of one kind of record: the deleted status is set
// (once), nothing is removed.
func (s *Server) deleter(kind string) func(w http.ResponseWriter, r *http.Request, in app.Integration) error {
	return func(w http.ResponseWriter, r *http.Request, in app.Integration) error {
		id, err := pathID(r)
		if err != nil {
			return err
		}
		at, version, err := s.app.DeleteSynced(r.Context(), in, kind, id)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, deleteOut{Result: "deleted", ID: id, Version: version, DeletedAt: timeOut(at)})
		return nil
	}
}

// DefaultChanges is how many changes a page of the feed holds when the
// request does not say.
const DefaultChanges = 100

func (s *Server) changes(w http.ResponseWriter, r *http.Request, in app.Integration) error {
	q := r.URL.Query()
	for k := range q {
		if k != "after" && k != "limit" {
			return &apiError{Status: http.StatusUnprocessableEntity, Code: "unknown_field", Message: "no such parameter", Field: k}
		}
	}
	after, limit := int64(0), DefaultChanges
	if v := q.Get("after"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			return invalid("after", "must be a change number (0 or more)")
		}
		after = n
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > app.MaxChanges {
			return invalid("limit", "must be 1 to "+strconv.Itoa(app.MaxChanges))
		}
		limit = n
	}
	cs, err := s.app.Changes(r.Context(), in, after, limit)
	if err != nil {
		return err
	}
	out := changesOut{Items: []changeOut{}, Next: after, HasMore: len(cs) == limit}
	for _, c := range cs {
		data := json.RawMessage(c.Data)
		if !json.Valid(data) {
			data = json.RawMessage("{}")
		}
		out.Items = append(out.Items, changeOut{Seq: c.Seq, At: timeOut(c.At), Kind: string(c.Kind), Entity: c.Entity,
			EntityID: optString(c.EntityRef), CustomerID: optString(c.CustomerRef), SiteID: optString(c.SiteRef), Data: data,
			Actor: actorOf(c.Actor)})
		out.Next = c.Seq
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
