package web

import (
	"asiakassivu/internal/store"
	"asiakassivu/internal/store/storetest"
	"go/ast"
	"go/parser"
	"go/token"
	"net/http"
	"net/url"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"asiakassivu/internal/app"
	"asiakassivu/internal/i18n"
	"asiakassivu/internal/portal"
)

// auditActions returns every action code the app writes to the audit log,
// read from its source: the Action of each store.AuditEntry and the action
// argument of its helpers (audit, adminAudit). An action given in a form
// this reader does not know fails the test, so a new way of writing one
// cannot slip past it.
func auditActions(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("..", "app", "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	codes := map[string]bool{}
	var tables []string
	for _, name := range app.SyncTables {
		tables = append(tables, name)
	}
	type pending struct {
		fn   *ast.FuncDecl
		expr ast.Expr
	}
	var exprs []pending
	for _, path := range files {
		if strings.HasSuffix(path, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Body == nil {
				continue
			}
			ast.Inspect(fn.Body, func(n ast.Node) bool {
				switch n := n.(type) {
				case *ast.CompositeLit:
					if sel, ok := n.Type.(*ast.SelectorExpr); ok && sel.Sel.Name == "AuditEntry" {
						for _, el := range n.Elts {
							if kv, ok := el.(*ast.KeyValueExpr); ok && kv.Key.(*ast.Ident).Name == "Action" {
								exprs = append(exprs, pending{fn, kv.Value})
							}
						}
					}
				case *ast.CallExpr:
					switch callee := n.Fun.(type) {
					case *ast.SelectorExpr:
						if callee.Sel.Name == "audit" && len(n.Args) > 2 {
							exprs = append(exprs, pending{fn, n.Args[2]})
						}
					case *ast.Ident:
						switch {
						case callee.Name == "adminAudit" && len(n.Args) > 3:
							exprs = append(exprs, pending{fn, n.Args[3]})
						case callee.Name == "syncRecord" && len(n.Args) > 3:
							// The tables syncRecord audits as "<table>.upsert".
							if lit, ok := n.Args[3].(*ast.BasicLit); ok {
								s, _ := strconv.Unquote(lit.Value)
								tables = append(tables, s)
							}
						}
					}
				}
				return true
			})
		}
	}
	for _, p := range exprs {
		switch e := p.expr.(type) {
		case *ast.BasicLit:
			s, _ := strconv.Unquote(e.Value)
			codes[s] = true
		case *ast.Ident:
			if isParam(p.fn, e.Name) {
				continue // the callers' arguments are read above
			}
			// A variable: every string assigned to it in the function.
			n := 0
			ast.Inspect(p.fn.Body, func(node ast.Node) bool {
				as, ok := node.(*ast.AssignStmt)
				if !ok {
					return true
				}
				for i, lhs := range as.Lhs {
					if id, ok := lhs.(*ast.Ident); ok && id.Name == e.Name && i < len(as.Rhs) {
						if lit, ok := as.Rhs[i].(*ast.BasicLit); ok {
							s, _ := strconv.Unquote(lit.Value)
							codes[s] = true
							n++
						}
					}
				}
				return true
			})
			if n == 0 {
				t.Errorf("%s: audit action %s is not assigned a string in %s", fset.Position(e.Pos()), e.Name, p.fn.Name.Name)
			}
		case *ast.CallExpr:
			// string(kind): an event kind.
			if id, ok := e.Fun.(*ast.Ident); ok && id.Name == "string" {
				for _, ev := range portal.Events() {
					codes[string(ev.Kind())] = true
				}
				continue
			}
			t.Errorf("%s: audit action in a form this test does not read", fset.Position(e.Pos()))
		case *ast.BinaryExpr:
			// table + ".upsert" / ".delete".
			lit, ok := e.Y.(*ast.BasicLit)
			if !ok {
				t.Errorf("%s: audit action in a form this test does not read", fset.Position(e.Pos()))
				continue
			}
			suffix, _ := strconv.Unquote(lit.Value)
			for _, table := range tables {
				codes[table+suffix] = true
			}
		default:
			t.Errorf("%s: audit action in a form this test does not read", fset.Position(p.expr.Pos()))
		}
	}
	out := make([]string, 0, len(codes))
	for c := range codes {
		out = append(out, c)
	}
	slices.Sort(out)
	return out
}

// isParam reports whether name is a parameter of fn.
func isParam(fn *ast.FuncDecl, name string) bool {
	for _, f := range fn.Type.Params.List {
		for _, n := range f.Names {
			if n.Name == name {
				return true
			}
		}
	}
	return false
}

func TestConsoleCodesHaveWords(t *testing.T) {
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	actions := auditActions(t)
	for _, must := range []string{"visit.cancelled_by_provider", "provider.visits.list", "site.access_changed", "sites.upsert",
		"deduction.consent_on", "staff.mfa_reset"} {
		if !slices.Contains(actions, must) {
			t.Errorf("the reader of the app's source missed the action %s (found %v)", must, actions)
		}
	}
	for _, lang := range i18n.Langs {
		w := codeWords{cat, texts{cat.Printer(lang)}}
		seen := map[string]string{}
		for _, code := range actions {
			words := w.action(code)
			if words == code || strings.Contains(words, "_") {
				t.Errorf("%s: audit action %q has no words (%q)", lang, code, words)
			}
			if other, ok := seen[words]; ok {
				t.Errorf("%s: actions %q and %q both read %q", lang, other, code, words)
			}
			seen[words] = code
		}
		for _, code := range portal.WorkTypes {
			if words := w.workType(code); words == code || strings.Contains(words, "_") {
				t.Errorf("%s: work type %q has no words (%q)", lang, code, words)
			}
		}
		for _, code := range portal.AccessFields {
			if words := w.field(code); words == code {
				t.Errorf("%s: field %q has no words", lang, code)
			}
		}
	}
	// The Finnish words of the codes the issue names.
	w := codeWords{cat, texts{cat.Printer(i18n.Finnish)}}
	for code, want := range map[string]string{"household": "Kotitalous", "oil_heating": "Öljylämmity"} {
		if got := w.workType(code); !strings.HasPrefix(got, want) {
			t.Errorf("work type %s reads %q, want %q…", code, got, want)
		}
	}
	if got := w.detail("site.access_changed", "door_code,pets"); got != "Ovikoodi, Lemmikit" {
		t.Errorf("changed fields read %q", got)
	}
}

func TestConsoleShowsWordsNotCodes(t *testing.T) {
	storetest.Each(t, nil, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, "")
		boss, maija, sari := e.addAdmin(t), e.client(t), e.client(t)
		e.signIn(t, maija, "maija@example.fi")
		e.signIn(t, sari, "sari@kotikulma.example")
		site := sitePath(e.sites["koti"])
		if r := do(t, maija, "POST", e.srv.URL+site+"/ohjeet", url.Values{"access_pets": {"Kissa"}, "access_door_code": {"1234"}}); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("access instructions: %d", r.StatusCode)
		}
		pvisit := e.srv.URL + providerPath(e.visits["koti"])
		r := do(t, sari, "GET", pvisit, nil)
		if r := do(t, sari, "POST", pvisit+"/peru", url.Values{"sequence": {sequenceOf(t, r.body)}, "reason": {"Sairastuminen"}}); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("provider cancels: %d", r.StatusCode)
		}
		for lang, want := range map[string][]string{
			"fi": {"Palveluntuottaja perui käynnin", "Ovikoodi, Lemmikit", "Kotitaloustyö", "Öljylämmityksen vaihtaminen"},
			"sv": {"Tjänsteproducenten avbokade besöket", "Husdjur", "Hushållsarbete"},
			"en": {"The service provider cancelled a visit", "Pets", "Household work"},
		} {
			do(t, boss, "POST", e.srv.URL+"/kieli", url.Values{"lang": {lang}, "next": {"/yllapito"}})
			audit := do(t, boss, "GET", e.srv.URL+"/yllapito/tapahtumaloki", nil).body
			rules := do(t, boss, "GET", e.srv.URL+"/yllapito/vahennyssaannot", nil).body
			for _, w := range want {
				if !strings.Contains(audit, w) && !strings.Contains(rules, w) {
					t.Errorf("%s: the console lacks %q", lang, w)
				}
			}
			for _, code := range []string{">visit.cancelled_by_provider<", ">door_code,pets<", ">household<", ">oil_heating<"} {
				if strings.Contains(audit, code) || strings.Contains(rules, code) {
					t.Errorf("%s: the console shows the code %s", lang, code)
				}
			}
			if !strings.Contains(rules, `<select id="work_type" name="work_type"`) {
				t.Errorf("%s: the work type is not picked from a list", lang)
			}
		}
	})
}
