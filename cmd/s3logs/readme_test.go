package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/s3logs/s3logs/queries"
)

// readmeTable returns the first cells (without backquotes) of the rows of
// the Markdown table whose header line is header, in order.
func readmeTable(t *testing.T, readme, header string) []string {
	t.Helper()
	i := strings.Index(readme, "\n"+header+"\n")
	if i < 0 {
		t.Fatalf("README.md has no table with the header %q", header)
	}
	var cells []string
	for _, line := range strings.Split(readme[i+1:], "\n")[2:] { // skip the header and |---|
		if !strings.HasPrefix(line, "|") {
			break
		}
		cell, _, _ := strings.Cut(strings.TrimPrefix(line, "|"), "|")
		cells = append(cells, strings.Trim(strings.TrimSpace(cell), "`"))
	}
	return cells
}

// listDiff says what readme lacks and has in excess of want, or, when both
// hold the same names, that the order differs.
func listDiff(readme, want []string) string {
	in := func(s []string, x string) bool {
		for _, y := range s {
			if y == x {
				return true
			}
		}
		return false
	}
	var missing, extra []string
	for _, x := range want {
		if !in(readme, x) {
			missing = append(missing, x)
		}
	}
	for _, x := range readme {
		if !in(want, x) {
			extra = append(extra, x)
		}
	}
	if missing == nil && extra == nil {
		return fmt.Sprintf("same names, other order: README %q, binary %q", readme, want)
	}
	return fmt.Sprintf("README lacks %q and has %q too", missing, extra)
}

func TestListDiff(t *testing.T) {
	tests := []struct {
		readme, want []string
		diff         string
	}{
		{[]string{"a", "c"}, []string{"a", "b"}, `README lacks ["b"] and has ["c"] too`},
		{[]string{"a"}, []string{"a", "b"}, `README lacks ["b"] and has [] too`},
		{[]string{"b", "a"}, []string{"a", "b"}, `same names, other order: README ["b" "a"], binary ["a" "b"]`},
	}
	for _, tt := range tests {
		if got := listDiff(tt.readme, tt.want); got != tt.diff {
			t.Errorf("listDiff(%q, %q) = %s, want %s", tt.readme, tt.want, got, tt.diff)
		}
	}
}

func TestReadmeTable(t *testing.T) {
	md := "text\n| a | b |\n|---|---|\n| `x` | 1 |\n| y | 2 |\n\n| a | b |\n|---|---|\n| z | 3 |\n"
	if got, want := readmeTable(t, md, "| a | b |"), []string{"x", "y"}; !reflect.DeepEqual(got, want) {
		t.Errorf("readmeTable = %q, want %q", got, want)
	}
}

// TestReadmeListsMatchTheBinary keeps README.md's lists of saved queries,
// detection rules and shell meta-commands the same as what the binary has,
// so the README can be trusted as a reference.
func TestReadmeListsMatchTheBinary(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir()) // no user queries
	data, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(data)

	cat, err := queries.Load()
	if err != nil {
		t.Fatal(err)
	}
	if got, want := readmeTable(t, readme, "| query | what it answers | parameters |"), cat.Names(); !reflect.DeepEqual(got, want) {
		t.Errorf("README.md's saved queries differ from the binary's (in the same order): %s", listDiff(got, want))
	}

	var rules []string
	for _, r := range queries.Rules {
		rules = append(rules, r.ID)
	}
	if got := readmeTable(t, readme, "| rule | severity | on by default | threshold | dedup | title |"); !reflect.DeepEqual(got, rules) {
		t.Errorf("README.md's detection rules differ from the binary's (in the same order): %s", listDiff(got, rules))
	}

	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"repl", "--db", ":memory:"}, strings.NewReader(".help\n"), &out, &errb); code != 0 {
		t.Fatalf("repl .help: exit %d, stderr %q", code, errb.String())
	}
	n := 0
	for _, line := range strings.Split(out.String(), "\n") {
		if !strings.HasPrefix(line, ".") {
			continue
		}
		n++
		if !strings.Contains(readme, "\n"+line+"\n") {
			t.Errorf("README.md lacks the .help line %q", line)
		}
	}
	if n < 10 {
		t.Errorf(".help printed %d meta-command lines, want at least 10:\n%s", n, out.String())
	}
}
