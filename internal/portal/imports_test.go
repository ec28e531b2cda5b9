package portal

import (
	"go/parser"
	"go/token"
	"os"
	"strconv"
	"strings"
	"testing"
)

// TestPortalImportsOnlyStandardLibrary guards the package comment: the
// domain imports only the standard library, so every other package may
// import it and its rules stay plain functions of their arguments.
func TestPortalImportsOnlyStandardLibrary(t *testing.T) {
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			// A standard library path has no dot in its first element;
			// the module's own packages start with "asiakassivu/".
			if first, _, _ := strings.Cut(p, "/"); strings.Contains(first, ".") || first == "asiakassivu" {
				t.Errorf("internal/portal/%s imports %s, outside the standard library", name, p)
			}
		}
	}
}
