package portal

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"reflect"
	"strings"
	"testing"
)

// TestEventsListsEveryKind: every type of the package with a Kind method
// is in Events, every kind constant belongs to exactly one of them, and
// no two share a kind. Events is what the OpenAPI test and the store's
// encoding check against, so a type left out of it would go unchecked.
func TestEventsListsEveryKind(t *testing.T) {
	fset := token.NewFileSet()
	declared := map[string]bool{} // types with a Kind() EventKind method
	constants := map[string]bool{}
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".go") || strings.HasSuffix(e.Name(), "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, e.Name(), nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				res := d.Type.Results
				if d.Recv == nil || d.Name.Name != "Kind" || res == nil || len(res.List) != 1 {
					continue
				}
				if id, ok := res.List[0].Type.(*ast.Ident); !ok || id.Name != "EventKind" {
					continue
				}
				recv := d.Recv.List[0].Type
				if star, ok := recv.(*ast.StarExpr); ok {
					recv = star.X
				}
				name := recv.(*ast.Ident).Name
				declared[name] = true
				// Each type answers its own constant, so the constant's
				// name says which type carries the kind.
				if len(d.Body.List) != 1 {
					t.Errorf("%s.Kind: more than a return of its constant", name)
				} else if ret, ok := d.Body.List[0].(*ast.ReturnStmt); !ok || len(ret.Results) != 1 {
					t.Errorf("%s.Kind: more than a return of its constant", name)
				} else if id, ok := ret.Results[0].(*ast.Ident); !ok || id.Name != "Kind"+name {
					t.Errorf("%s.Kind does not return Kind%s", name, name)
				}
			case *ast.GenDecl:
				if d.Tok != token.CONST {
					continue
				}
				for _, s := range d.Specs {
					vs := s.(*ast.ValueSpec)
					if id, ok := vs.Type.(*ast.Ident); ok && id.Name == "EventKind" {
						for _, n := range vs.Names {
							constants[n.Name] = true
						}
					}
				}
			}
		}
	}
	listed := map[string]bool{}
	kinds := map[EventKind]string{}
	for _, e := range Events() {
		name := reflect.TypeOf(e).Name()
		listed[name] = true
		if other, ok := kinds[e.Kind()]; ok {
			t.Errorf("%s and %s share the kind %q", other, name, e.Kind())
		}
		kinds[e.Kind()] = name
		if !constants["Kind"+name] {
			t.Errorf("%s: no kind constant Kind%s", name, name)
		}
	}
	for name := range declared {
		if !listed[name] {
			t.Errorf("event type %s is not in Events()", name)
		}
	}
	for c := range constants {
		if !listed[strings.TrimPrefix(c, "Kind")] {
			t.Errorf("kind constant %s names no event type in Events()", c)
		}
	}
	if len(Events()) != len(constants) {
		t.Errorf("%d events, %d kind constants", len(Events()), len(constants))
	}
}
