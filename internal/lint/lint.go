// Package lint holds the rule of how s3logs' packages may import each
// other, and checks an import graph against it. Its test runs the check on
// the module as `go list` sees it, so a build that breaks the rule fails
// CI (cockroachdb/pebble's forbidden-imports test is the model).
//
// The rule, bottom to top:
//
//	schema           what a row is; imports nothing of ours
//	internal/...     shared infrastructure (DuckDB, AWS, rendering, times):
//	                 schema and other infrastructure only
//	internal/export  a feature beside the infrastructure: schema and
//	                 infrastructure only
//	loader/...       bytes to rows: schema and infrastructure; the parser
//	                 and every loader package but loader/ingest, where rows
//	                 meet the database, never depend on DuckDB; the parser
//	                 (loader itself) imports no other loader package: it
//	                 only turns bytes into rows, whatever their source
//	queries/...      the SQL s3logs ships: schema and infrastructure
//	repl/..., ui/... the interactive shell and the web UI, side by side:
//	                 queries, export, schema and infrastructure
//	cmd/...          the binaries, which wire everything
//
// A package may import packages of its own part (loader/ingest imports
// loader). A package in none of these parts is itself an error, so that a
// new top-level package is placed in the rule on purpose. Only non-test
// imports count: a test may cross parts to check one against another.
package lint

import (
	"fmt"
	"slices"
	"strings"
)

// Module is the import path of s3logs' module.
const Module = "github.com/s3logs/s3logs"

// Package is one package of the graph: its import path, its direct
// non-test imports, and every package it depends on, directly or not (the
// ImportPath, Imports and Deps of `go list -deps=false -json`).
type Package struct {
	ImportPath string
	Imports    []string
	Deps       []string
}

// Violation is one import against the rule: From imports (or depends on)
// To, which Why explains.
type Violation struct {
	From, To, Why string
}

func (v Violation) String() string { return v.From + " -> " + v.To + ": " + v.Why }

// part is a layer of the rule.
type part string

const (
	partSchema  part = "schema"
	partInfra   part = "internal"
	partExport  part = "internal/export"
	partLoader  part = "loader"
	partQueries part = "queries"
	partRepl    part = "repl"
	partUI      part = "ui"
	partCmd     part = "cmd"
)

// allowed lists, for each part, the other parts its packages may import.
var allowed = map[part][]part{
	partSchema:  {},
	partInfra:   {partSchema},
	partExport:  {partSchema, partInfra},
	partLoader:  {partSchema, partInfra},
	partQueries: {partSchema, partInfra},
	partRepl:    {partSchema, partInfra, partExport, partQueries},
	partUI:      {partSchema, partInfra, partExport, partQueries},
	partCmd:     {partSchema, partInfra, partExport, partLoader, partQueries, partRepl, partUI},
}

// duckDBFree reports whether pkg (module-relative) must not depend on
// DuckDB: the loader but loader/ingest, so the parser builds, fuzzes and
// benchmarks on its own.
func duckDBFree(rel string) bool {
	return inside(rel, "loader") && !inside(rel, "loader/ingest")
}

// isDuckDB reports whether an import path is DuckDB's Go driver or its
// bindings (github.com/duckdb/..., or the older marcboeker/go-duckdb).
func isDuckDB(path string) bool {
	return strings.HasPrefix(path, "github.com/duckdb/") || strings.Contains(path, "go-duckdb")
}

// inside reports whether rel is dir or below it.
func inside(rel, dir string) bool {
	return rel == dir || strings.HasPrefix(rel, dir+"/")
}

// partOf returns the part of a module-relative package path, or "".
func partOf(rel string) part {
	switch {
	case inside(rel, "schema"):
		return partSchema
	case inside(rel, "internal/export"):
		return partExport
	case inside(rel, "internal"):
		return partInfra
	case inside(rel, "loader"):
		return partLoader
	case inside(rel, "queries"):
		return partQueries
	case inside(rel, "repl"):
		return partRepl
	case inside(rel, "ui"):
		return partUI
	case inside(rel, "cmd"):
		return partCmd
	}
	return ""
}

// relative returns path relative to Module, and whether it is one of ours.
func relative(path string) (string, bool) {
	if path == Module {
		return "", true
	}
	rel, ok := strings.CutPrefix(path, Module+"/")
	return rel, ok
}

// Check returns every import of pkgs against the rule, in the order of
// pkgs and their imports. Packages outside Module are not checked.
func Check(pkgs []Package) []Violation {
	var out []Violation
	for _, p := range pkgs {
		rel, ours := relative(p.ImportPath)
		if !ours {
			continue
		}
		from := partOf(rel)
		if from == "" {
			out = append(out, Violation{p.ImportPath, "", fmt.Sprintf("package %q is in no part of the import rule; place it in internal/lint", rel)})
			continue
		}
		for _, imp := range p.Imports {
			to, ours := relative(imp)
			if !ours {
				continue
			}
			if tp := partOf(to); tp != from && !slices.Contains(allowed[from], tp) {
				out = append(out, Violation{p.ImportPath, imp, fmt.Sprintf("%s may not import %s (%s may import %s)", from, orNone(tp), from, list(allowed[from]))})
			}
		}
		if rel == "loader" {
			for _, imp := range p.Imports {
				if to, ours := relative(imp); ours && inside(to, "loader") && to != "loader" {
					out = append(out, Violation{p.ImportPath, imp, "the parser (loader) may not import another loader package: sources, S3 and ingest build on it"})
				}
			}
		}
		if duckDBFree(rel) {
			for _, dep := range p.Deps {
				if isDuckDB(dep) {
					out = append(out, Violation{p.ImportPath, dep, "the loader must not depend on DuckDB (only loader/ingest may)"})
					break
				}
			}
		}
	}
	return out
}

func orNone(p part) string {
	if p == "" {
		return "a package in no part"
	}
	return string(p)
}

func list(ps []part) string {
	if len(ps) == 0 {
		return "nothing of ours"
	}
	s := make([]string, len(ps))
	for i, p := range ps {
		s[i] = string(p)
	}
	return strings.Join(s, ", ")
}
