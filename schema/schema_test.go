package schema

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestMatchesPantherDoc checks the declaration against Panther's published
// schema (a copy of ../shared/spec/panther-s3-doc.txt): same names, same
// order, same types, same descriptions, same required flags.
func TestMatchesPantherDoc(t *testing.T) {
	raw, err := os.ReadFile("testdata/panther-s3-doc.txt")
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`(?m)^  - name: (\S+)\n(    required: true\n)?    description: (.*)\n    type: (\S+)`)
	ms := re.FindAllStringSubmatch(string(raw), -1)
	if len(ms) != NumLogFields+1 {
		t.Fatalf("doc has %d columns, want %d", len(ms), NumLogFields+1)
	}
	types := map[string]Type{"string": String, "timestamp": Timestamp, "bigint": BigInt, "array": StringList}
	for i, m := range ms {
		c := S3ServerAccess.Columns[i]
		desc := strings.Trim(m[3], `"`)
		if c.Name != m[1] || c.Type != types[m[4]] || c.Description != desc || c.Required != (m[2] != "") {
			t.Errorf("column %d = %+v, want name %q type %s required %v desc %q", i, c, m[1], m[4], m[2] != "", desc)
		}
	}
}

// TestIndexConstants checks every column position constant (Col*, Rej*,
// Man*) against its table's column list, by name: the constants are read
// from the source, in the order of their iota block, so that a constant
// added, dropped, renamed or moved without its column (or a column without
// its constant) fails. The column list of S3ServerAccess is itself held to
// Panther's doc by TestMatchesPantherDoc.
func TestIndexConstants(t *testing.T) {
	blocks := iotaBlocks(t)
	for _, tc := range []struct {
		prefix string
		table  *Table
		last   int // the last constant's compiled value, tying the source to the build
	}{
		{"Col", S3ServerAccess, ColPAnyAWSAccountIDs},
		{"Rej", Rejects, RejLoadedAt},
		{"Man", Manifest, ManReplaced},
		{"Rep", Replaced, RepField},
	} {
		names := blocks[tc.prefix]
		if len(names) != len(tc.table.Columns) || tc.last != len(tc.table.Columns)-1 {
			t.Errorf("%s: %d %s constants (last = %d) for %d columns", tc.table.Name, len(names), tc.prefix, tc.last, len(tc.table.Columns))
		}
		for i, name := range names {
			if i >= len(tc.table.Columns) {
				break
			}
			col := tc.table.Columns[i].Name
			if norm(strings.TrimPrefix(name, tc.prefix)) != norm(col) {
				t.Errorf("%s = %d, but column %d of %s is %q", name, i, i, tc.table.Name, col)
			}
		}
	}
}

// norm folds a constant's or a column's name for comparison: tlsVersion,
// TLSVersion and p_any_aws_account_ids, PAnyAWSAccountIDs.
func norm(s string) string { return strings.ToLower(strings.ReplaceAll(s, "_", "")) }

// iotaBlocks returns, by prefix (Col, Rej, Man), the names of the
// constants of each untyped const block of the package that starts with
// "= iota", in order, so that a name's index is its value. A later
// constant of the block with a value of its own (NumLogFields) is not a
// column position, and must not carry the prefix.
func iotaBlocks(t *testing.T) map[string][]string {
	t.Helper()
	fset := token.NewFileSet()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for _, path := range files {
		if strings.HasSuffix(path, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			g, ok := d.(*ast.GenDecl)
			if !ok || g.Tok != token.CONST || len(g.Specs) < 2 {
				continue
			}
			first := g.Specs[0].(*ast.ValueSpec)
			if id, ok := exprIdent(first); !ok || id != "iota" || first.Type != nil {
				continue
			}
			prefix := first.Names[0].Name[:3]
			for i, sp := range g.Specs {
				vs := sp.(*ast.ValueSpec)
				name := vs.Names[0].Name
				if i > 0 && len(vs.Values) > 0 {
					if strings.HasPrefix(name, prefix) {
						t.Errorf("%s: %s has a value of its own in an iota block", path, name)
					}
					continue
				}
				out[prefix] = append(out[prefix], name)
			}
		}
	}
	return out
}

// exprIdent returns the identifier that is the only value of vs.
func exprIdent(vs *ast.ValueSpec) (string, bool) {
	if len(vs.Values) != 1 {
		return "", false
	}
	id, ok := vs.Values[0].(*ast.Ident)
	if !ok {
		return "", false
	}
	return id.Name, true
}

// TestRejectKinds checks that every kind has its own name and meaning, and
// that a value outside the enum says so instead of passing for a kind.
func TestRejectKinds(t *testing.T) {
	names, texts := map[string]bool{}, map[string]bool{}
	for _, k := range RejectKinds() {
		name, text := k.String(), k.Error()
		if name == "" || text == "" || strings.HasPrefix(name, "RejectKind(") || names[name] || texts[text] {
			t.Errorf("kind %d: name %q, text %q: empty, unnamed or repeated", int(k), name, text)
		}
		names[name], texts[text] = true, true
	}
	if len(names) != int(numRejectKinds)-1 {
		t.Errorf("%d kinds listed, %d declared", len(names), int(numRejectKinds)-1)
	}
	for _, k := range []RejectKind{0, numRejectKinds} {
		if got, want := k.String(), fmt.Sprintf("RejectKind(%d)", int(k)); got != want || k.Error() != want {
			t.Errorf("RejectKind(%d): String %q, Error %q, want %q", int(k), got, k.Error(), want)
		}
	}
}
