package main

import (
	"sort"
	"strings"
	"testing"

	"github.com/s3logs/s3logs/queries"
)

// exampleRef is a saved query or detection rule that a command's --help
// example names, with the --param keys the example passes.
type exampleRef struct {
	command, example string
	query            string   // saved query name, or ""
	params           []string // --param keys given with query
	rule             string   // detection rule ID, or ""
}

// exampleRefs finds the saved queries (queries show|run NAME, --saved NAME)
// and rules (--rule ID) that one example line names. Quotes are not parsed:
// the names and keys it looks at never hold spaces.
func exampleRefs(command, example string) []exampleRef {
	f := strings.Fields(example)
	var refs []exampleRef
	var cur *exampleRef
	for i := 0; i+1 < len(f); i++ {
		switch {
		case f[i] == "--saved", f[i] == "queries" && (f[i+1] == "show" || f[i+1] == "run") && i+2 < len(f):
			name := f[i+1]
			if f[i] == "queries" {
				name = f[i+2]
			}
			refs = append(refs, exampleRef{command: command, example: example, query: name})
			cur = &refs[len(refs)-1]
		case f[i] == "--param" && cur != nil:
			k, _, _ := strings.Cut(f[i+1], "=")
			cur.params = append(cur.params, k)
		case f[i] == "--rule":
			refs = append(refs, exampleRef{command: command, example: example, rule: f[i+1]})
		}
	}
	return refs
}

func TestExampleRefs(t *testing.T) {
	tests := []struct {
		example string
		want    []exampleRef
	}{
		{"s3logs queries show ips_for_bucket", []exampleRef{{query: "ips_for_bucket"}}},
		{"s3logs queries run top_ips --format csv --param limit=50",
			[]exampleRef{{query: "top_ips", params: []string{"limit"}}}},
		{"s3logs export --saved a --param x=1 --param y=now-7d --out f.parquet",
			[]exampleRef{{query: "a", params: []string{"x", "y"}}}},
		{"s3logs detect --rule R1 --allow-cidr 10.0.0.0/8", []exampleRef{{rule: "R1"}}},
		{"s3logs queries list", nil},
		{"s3logs export --table --out lake/", nil},
	}
	for _, tt := range tests {
		got := exampleRefs("c", tt.example)
		if len(got) != len(tt.want) {
			t.Errorf("exampleRefs(%q) = %+v, want %+v", tt.example, got, tt.want)
			continue
		}
		for i := range got {
			w := tt.want[i]
			if got[i].query != w.query || got[i].rule != w.rule || strings.Join(got[i].params, ",") != strings.Join(w.params, ",") {
				t.Errorf("exampleRefs(%q)[%d] = %+v, want %+v", tt.example, i, got[i], w)
			}
		}
	}
}

// TestHelpExamplesNameRealQueriesAndRules checks that every saved query,
// parameter and rule named in a command's --help examples exists, so a
// user who copies an example does not get "no such saved query".
func TestHelpExamplesNameRealQueriesAndRules(t *testing.T) {
	cat, err := queries.Load()
	if err != nil {
		t.Fatal(err)
	}
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	checked := 0
	for _, n := range names {
		for _, ex := range commands[n].Examples {
			for _, r := range exampleRefs(n, ex) {
				checked++
				if r.rule != "" {
					if queries.RuleByID(r.rule) == nil {
						t.Errorf("%s --help example %q: no detection rule %s", n, ex, r.rule)
					}
					continue
				}
				q, err := cat.Get(r.query)
				if err != nil {
					t.Errorf("%s --help example %q: %v", n, ex, err)
					continue
				}
				for _, p := range r.params {
					if _, ok := q.Param(p); !ok {
						t.Errorf("%s --help example %q: query %s has no parameter %s", n, ex, r.query, p)
					}
				}
			}
		}
	}
	// queries (show, run), export (--saved) and detect (--rule) have such
	// examples; finding none would mean the scan above looks at nothing.
	if checked < 4 {
		t.Errorf("checked %d example references, want at least 4", checked)
	}
}
