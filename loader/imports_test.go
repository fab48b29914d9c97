package loader

import (
	"os/exec"
	"strings"
	"testing"
)

// TestNoDuckDB fails if the loader depends, directly or not, on DuckDB:
// the parser must build, fuzz and benchmark on its own (loader/ingest is
// where rows meet the database).
func TestNoDuckDB(t *testing.T) {
	out, err := exec.Command("go", "list", "-tags", "duckdb_arrow", "-deps", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	deps := strings.Fields(string(out))
	if len(deps) < 10 {
		t.Fatalf("go list -deps gave %d packages, expected many:\n%s", len(deps), out)
	}
	for _, dep := range deps {
		if strings.Contains(dep, "duckdb") {
			t.Errorf("loader depends on %s", dep)
		}
	}
}
