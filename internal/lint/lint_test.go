package lint

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// modulePackages lists the packages of the module with `go list`, as the
// build sees them (with the duckdb_arrow tag the README's commands use).
func modulePackages(t *testing.T) []Package {
	t.Helper()
	cmd := exec.Command("go", "list", "-tags", "duckdb_arrow", "-json=ImportPath,Imports,Deps,Error", Module+"/...")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.Bytes())
	}
	var pkgs []Package
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p struct {
			Package
			Error *struct{ Err string }
		}
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("go list output: %v", err)
		}
		if p.Error != nil {
			t.Errorf("go list %s: %s", p.ImportPath, p.Error.Err)
		}
		pkgs = append(pkgs, p.Package)
	}
	return pkgs
}

// TestImportRule fails on any import of the module against the rule in
// the package doc.
func TestImportRule(t *testing.T) {
	pkgs := modulePackages(t)
	// The graph is the real one, not an empty list that passes by default.
	byPath := map[string]Package{}
	for _, p := range pkgs {
		byPath[p.ImportPath] = p
	}
	for _, want := range []struct{ pkg, imports string }{
		{"loader/ingest", "loader"},
		{"loader/ingest", "github.com/duckdb/"},
		{"queries", "schema"},
		{"repl", "queries"},
		{"cmd/s3logs", "loader"},
		{"internal/export", "internal/awscfg"},
	} {
		p, ok := byPath[Module+"/"+want.pkg]
		imp := Module + "/" + want.imports
		if strings.HasSuffix(want.imports, "/") {
			imp = want.imports
		}
		if !ok || !slices.ContainsFunc(append(p.Imports, p.Deps...), func(s string) bool { return strings.HasPrefix(s, imp) }) {
			t.Errorf("go list shows no %s -> %s; the graph is not the module's", want.pkg, imp)
		}
	}
	for _, v := range Check(pkgs) {
		t.Error(v)
	}
}

// TestCheck holds the checker itself to a synthetic graph: each bad import
// is reported, and each good one is not.
func TestCheck(t *testing.T) {
	m := func(rel string) string { return Module + "/" + rel }
	duck := "github.com/duckdb/duckdb-go/v2"
	tests := []struct {
		name string
		pkg  Package
		bad  []string // the To of each violation, in order
	}{
		{"schema imports nothing of ours", Package{ImportPath: m("schema"), Imports: []string{"fmt", m("internal/db")}}, []string{m("internal/db")}},
		{"schema alone", Package{ImportPath: m("schema"), Imports: []string{"fmt", "github.com/apache/arrow-go/v18/arrow"}}, nil},
		{"export built on the loader", Package{ImportPath: m("internal/export"), Imports: []string{m("schema"), m("internal/db"), m("loader/s3")}}, []string{m("loader/s3")}},
		{"export on queries", Package{ImportPath: m("internal/export"), Imports: []string{m("queries")}}, []string{m("queries")}},
		{"infrastructure on a feature", Package{ImportPath: m("internal/render"), Imports: []string{m("queries"), m("repl"), m("ui"), m("loader"), m("internal/export"), m("internal/when")}},
			[]string{m("queries"), m("repl"), m("ui"), m("loader"), m("internal/export")}},
		{"infrastructure on schema", Package{ImportPath: m("internal/db"), Imports: []string{m("schema"), m("internal/when")}}, nil},
		{"loader on schema and infrastructure", Package{ImportPath: m("loader/s3"), Imports: []string{m("loader"), m("schema"), m("internal/awscfg")}}, nil},
		{"loader on queries", Package{ImportPath: m("loader"), Imports: []string{m("queries"), m("repl"), m("internal/export")}}, []string{m("queries"), m("repl"), m("internal/export")}},
		{"parser on its sources", Package{ImportPath: m("loader"), Imports: []string{m("schema"), m("loader/source"), m("loader/ingest")}}, []string{m("loader/source"), m("loader/ingest")}},
		{"loader on DuckDB", Package{ImportPath: m("loader"), Imports: []string{m("schema")}, Deps: []string{"fmt", duck, "github.com/duckdb/duckdb-go-bindings"}}, []string{duck}},
		{"a new loader package on DuckDB", Package{ImportPath: m("loader/source"), Deps: []string{"github.com/marcboeker/go-duckdb"}}, []string{"github.com/marcboeker/go-duckdb"}},
		{"ingest on DuckDB", Package{ImportPath: m("loader/ingest"), Imports: []string{m("loader"), m("internal/db"), duck}, Deps: []string{duck}}, nil},
		{"queries on the loader", Package{ImportPath: m("queries"), Imports: []string{m("schema"), m("internal/render"), m("loader/ingest"), m("repl")}}, []string{m("loader/ingest"), m("repl")}},
		{"repl on queries", Package{ImportPath: m("repl"), Imports: []string{m("queries"), m("internal/db"), m("internal/export"), m("schema")}}, nil},
		{"repl on the loader", Package{ImportPath: m("repl"), Imports: []string{m("loader"), m("ui"), m("cmd/s3logs")}}, []string{m("loader"), m("ui"), m("cmd/s3logs")}},
		{"ui beside repl", Package{ImportPath: m("ui"), Imports: []string{m("queries"), m("repl")}}, []string{m("repl")}},
		{"cmd wires everything", Package{ImportPath: m("cmd/s3logs"), Imports: []string{m("loader"), m("loader/ingest"), m("queries"), m("repl"), m("ui"), m("internal/export"), m("schema")}}, nil},
		{"a package in no part", Package{ImportPath: m("tools/gen"), Imports: []string{m("schema")}}, []string{""}},
		{"the module root", Package{ImportPath: Module}, []string{""}},
		{"an import of a package in no part", Package{ImportPath: m("cmd/s3logs"), Imports: []string{m("util")}}, []string{m("util")}},
		{"another module", Package{ImportPath: "example.com/x", Imports: []string{m("cmd/s3logs")}}, nil},
	}
	for _, tt := range tests {
		var got []string
		for _, v := range Check([]Package{tt.pkg}) {
			got = append(got, v.To)
			if v.From != tt.pkg.ImportPath || v.Why == "" {
				t.Errorf("%s: violation %+v does not name the importer and why", tt.name, v)
			}
		}
		if !slices.Equal(got, tt.bad) {
			t.Errorf("%s: violations to %q, want %q", tt.name, got, tt.bad)
		}
	}
}

// TestCheckCatchesABadImport adds one forbidden import to the real graph,
// the one export had before S3 error classification moved to awscfg: the
// check must report it, and only it.
func TestCheckCatchesABadImport(t *testing.T) {
	pkgs := modulePackages(t)
	found := false
	for i, p := range pkgs {
		if p.ImportPath == Module+"/internal/export" {
			pkgs[i].Imports = append(slices.Clone(p.Imports), Module+"/loader/s3")
			found = true
		}
	}
	if !found {
		t.Fatal("no internal/export in the module")
	}
	got := Check(pkgs)
	if len(got) != 1 || got[0].From != Module+"/internal/export" || got[0].To != Module+"/loader/s3" {
		t.Errorf("Check = %v, want the one import internal/export -> loader/s3", got)
	}
}
