package web

import (
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestWebImportsNeitherStoreNorMail guards the layering (issue 17): the
// web front end talks to use cases in app and to domain types in portal,
// never to the store's rows or to how mail is sent. Test files may still
// open a store to set the scene.
func TestWebImportsNeitherStoreNorMail(t *testing.T) {
	forbidden := []string{"asiakassivu/internal/store", "asiakassivu/internal/mail"}
	fset := token.NewFileSet()
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			for _, bad := range forbidden {
				if p == bad || strings.HasPrefix(p, bad+"/") {
					t.Errorf("internal/web/%s imports %s: take the type from portal or the use case from app", path, p)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
