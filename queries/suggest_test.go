package queries

import (
	"reflect"
	"testing"
)

// TestSuggest: "did you mean" offers the closest names only, case-
// insensitively, and nothing for a word far from all of them.
func TestSuggest(t *testing.T) {
	cands := []string{"load", "query", "queries", "repl", "detect", "export", "overview"}
	for _, tc := range []struct {
		word string
		want []string
	}{
		{"lod", []string{"load"}},
		{"LAOD", []string{"load"}},
		{"querys", []string{"query"}},
		{"queris", []string{"queries"}},
		{"detetc", []string{"detect"}},
		{"xyzzy", nil},
	} {
		if got := Suggest(tc.word, cands); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("Suggest(%q) = %q, want %q", tc.word, got, tc.want)
		}
	}
	if got := DidYouMean("lod", cands); got != " (did you mean load?)" {
		t.Errorf("DidYouMean = %q", got)
	}
}

// TestResolveRule: a rule is named by its ID, or by a unique case-
// insensitive part of it; an ambiguous part names the rules it matches, and
// a typo gets the nearest ID.
func TestResolveRule(t *testing.T) {
	for _, tc := range []struct{ in, id, err string }{
		{"s3logs.mass_deletion", "s3logs.mass_deletion", ""},
		{"MASS_DELETION", "s3logs.mass_deletion", ""},
		{"ipwhitelist", "AWS.S3.ServerAccess.IPWhitelist", ""},
		{"insecure_tls", "", `unknown rule "insecure_tls" (matches several rules: tailpipe.s3_object_accessed_using_insecure_tls_version, tailpipe.s3_bucket_accessed_using_insecure_tls_version)`},
		{"AWS.S3.ServerAccess.Eror", "", `unknown rule "AWS.S3.ServerAccess.Eror" (did you mean AWS.S3.ServerAccess.Error?)`},
		// A rule is named by a part of its ID, so a mistyped part is
		// compared with the names after the source too.
		{"volume_exfiltraton", "", `unknown rule "volume_exfiltraton" (did you mean s3logs.volume_exfiltration?)`},
		{"Unauthenticted", "", `unknown rule "Unauthenticted" (did you mean AWS.S3.ServerAccess.Unauthenticated?)`},
	} {
		r, err := ResolveRule(tc.in)
		switch {
		case tc.err != "" && (err == nil || err.Error() != tc.err):
			t.Errorf("ResolveRule(%q) error %v, want %s", tc.in, err, tc.err)
		case tc.err == "" && (err != nil || r.ID != tc.id):
			t.Errorf("ResolveRule(%q) = %v, %v; want %s", tc.in, r, err, tc.id)
		}
	}
	rules, err := Options{Rules: []string{"mass_del"}}.Selected()
	if err != nil || len(rules) != 1 || rules[0].ID != "s3logs.mass_deletion" {
		t.Errorf("Selected by a part of an ID: %v, %v", rules, err)
	}
}
