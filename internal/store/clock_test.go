package store_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// wallClockAllowed are the files under internal/ that may read the wall
// clock, each for a reason that is not a decision of the portal's: how
// long something took (logs, metrics, reports) or a network deadline.
var wallClockAllowed = map[string]string{
	"web/middleware.go":         "request latency for the log and the metrics",
	"web/sse/hijack.go":         "write and read deadlines of taken-over connections",
	"web/sse/plain.go":          "write deadlines of open streams",
	"app/importlegacy.go":       "how long each file took, for the import report",
	"store/backup.go":           "how long the backup took, for its report",
	"mail/mailtest/mailtest.go": "the test SMTP server's certificate validity",
	"push/pushtest/pushtest.go": "the test push service checks tokens signed on the wall clock by the push library",
}

// wallClockFuncs are the functions of package time that read the wall
// clock.
var wallClockFuncs = map[string]bool{"Now": true, "Since": true, "Until": true}

// TestOneClock is the guard of the package comment's rule: no non-test Go
// file under internal/ reads the wall clock, except the named ones. The
// time comes from the store's clock (DB.Now, Tx.Now).
func TestOneClock(t *testing.T) {
	root := filepath.Join("..")
	found := wallClockReads(t, root)
	seen := map[string]bool{}
	for _, f := range found {
		file := f[:strings.LastIndex(f, ":")]
		if _, ok := wallClockAllowed[file]; ok {
			seen[file] = true
			continue
		}
		t.Errorf("internal/%s reads the wall clock: take the time from the store's clock (Tx.Now, DB.Now) instead", f)
	}
	for file := range wallClockAllowed {
		if !seen[file] {
			t.Errorf("internal/%s is allowed the wall clock but no longer reads it: remove it from the list", file)
		}
	}
}

// wallClockReads lists file:line of every use of time.Now, time.Since and
// time.Until (called or passed as a value) in the non-test Go files under
// root, by their import of "time" under any name.
func wallClockReads(t *testing.T, root string) []string {
	t.Helper()
	var out []string
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		name := ""
		for _, imp := range f.Imports {
			if p, _ := strconv.Unquote(imp.Path.Value); p == "time" {
				name = "time"
				if imp.Name != nil {
					name = imp.Name.Name
				}
			}
		}
		if name == "" {
			return nil
		}
		rel, _ := filepath.Rel(root, path)
		ast.Inspect(f, func(n ast.Node) bool {
			sel, ok := n.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			if id, ok := sel.X.(*ast.Ident); ok && id.Name == name && wallClockFuncs[sel.Sel.Name] {
				out = append(out, filepath.ToSlash(rel)+":"+strconv.Itoa(fset.Position(sel.Pos()).Line))
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestWallClockReadsFindsEveryForm checks the guard itself on files written
// for it: a call, a function value, an aliased import and a test file.
func TestWallClockReadsFindsEveryForm(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"a/call.go":     "package a\nimport \"time\"\nfunc f() time.Time { return time.Now() }\n",
		"a/value.go":    "package a\nimport \"time\"\nvar clock = time.Now\n",
		"b/alias.go":    "package b\nimport t \"time\"\nfunc f() t.Duration { return t.Since(t.Time{}) }\n",
		"b/other.go":    "package b\nimport \"time\"\nfunc f(now time.Time) time.Time { return now.Add(time.Hour) }\n",
		"b/b_test.go":   "package b\nimport \"time\"\nvar x = time.Now()\n",
		"c/shadowed.go": "package c\nvar time struct{ Now int }\nvar x = time.Now\n",
	}
	for name, src := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got := wallClockReads(t, dir)
	slices.Sort(got)
	want := []string{"a/call.go:3", "a/value.go:3", "b/alias.go:3"}
	if !slices.Equal(got, want) {
		t.Errorf("found %v, want %v", got, want)
	}
}
