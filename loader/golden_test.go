package loader

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/ from the current output")

// samplesDir holds verbatim copies of ../shared/samples (see SOURCES.md
// there), so that the tests do not depend on anything outside the repo.
const samplesDir = "../testdata/samples"

// TestGolden parses every line of every sample file and compares all the
// columns of every row (or the reject) with testdata/<file>.golden.json.
// Run with -update to rewrite the golden files, then review the diff.
func TestGolden(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(samplesDir, "*.log"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no sample files in %s: %v", samplesDir, err)
	}
	for _, file := range files {
		name := filepath.Base(file)
		t.Run(name, func(t *testing.T) {
			raw, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			res := readAll(t, string(raw), name, Options{Label: "samples"})
			if res.err != nil {
				t.Fatal(res.err)
			}
			if n := strings.Count(string(raw), "\n"); res.stats.Lines != int64(n) {
				t.Errorf("read %d lines, file has %d", res.stats.Lines, n)
			}
			got := goldenJSON(res)
			golden := filepath.Join("testdata", strings.TrimSuffix(name, ".log")+".golden.json")
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if d := lineDiff(want, got); d != "" {
				t.Errorf("%s mismatch (-want +got):\n%s", golden, d)
			}
		})
	}
}
