package queries

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/s3logs/s3logs"

// TestNoForbiddenImports walks the non-test imports of this package and of
// every package of ours it reaches, and fails if loader (or repl, cmd)
// is among them: queries works on rows already in DuckDB and must stay
// usable without the parser.
func TestNoForbiddenImports(t *testing.T) {
	forbidden := []string{module + "/loader", module + "/repl", module + "/cmd", module + "/internal/render"}
	seen := map[string]bool{}
	var walk func(pkg, dir, from string)
	walk = func(pkg, dir, from string) {
		if seen[pkg] {
			return
		}
		seen[pkg] = true
		for _, f := range forbidden {
			if pkg == f || strings.HasPrefix(pkg, f+"/") {
				t.Errorf("queries depends on %s (via %s)", pkg, from)
			}
		}
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		for _, file := range files {
			if strings.HasSuffix(file, "_test.go") {
				continue
			}
			f, err := parser.ParseFile(token.NewFileSet(), file, nil, parser.ImportsOnly)
			if err != nil {
				t.Fatal(err)
			}
			for _, imp := range f.Imports {
				p, _ := strconv.Unquote(imp.Path.Value)
				if p == module || strings.HasPrefix(p, module+"/") {
					walk(p, filepath.Join("..", strings.TrimPrefix(strings.TrimPrefix(p, module), "/")), file)
				}
			}
		}
	}
	if _, err := os.Stat("../go.mod"); err != nil {
		t.Fatal("run from the queries directory of the module")
	}
	walk(module+"/queries", ".", "queries")
	if !seen[module+"/schema"] {
		t.Error("queries should build its SQL on package schema, but does not import it")
	}
}
