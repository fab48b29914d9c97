package main

import (
	"bytes"
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/s3logs/s3logs/internal/gen"
	"github.com/s3logs/s3logs/schema"
)

// TestMain lets the bench re-invoke the test binary as its DIY child.
func TestMain(m *testing.M) {
	if os.Getenv(childEnv) == "1" {
		os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

func TestAthenaRegexHas26Groups(t *testing.T) {
	re := regexp.MustCompile(athenaRegex)
	if n := re.NumSubexp(); n != schema.NumLogFields {
		t.Fatalf("%d groups, want %d", n, schema.NumLogFields)
	}
}

// TestDIYMatchesOracle checks that the baseline loads what s3logs must load,
// within the documented limits of Athena's regex, so that the benchmark
// compares equal work: every line without traps matches, and each column
// holds the generator's value, except that lines of 19 to 25 fields lose
// hostid..aclrequired (the regex's optional group needs all eight).
func TestDIYMatchesOracle(t *testing.T) {
	dir := t.TempDir()
	g := gen.New(gen.Options{Seed: 5})
	want := map[string]gen.Record{}
	var buf bytes.Buffer
	for i := 0; i < 3000; i++ {
		r := g.Next()
		want[r.RequestID.String] = r
		buf.Write(r.Line())
		buf.WriteByte('\n')
	}
	file := filepath.Join(dir, "a.log")
	if err := os.WriteFile(file, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	dbPath := filepath.Join(dir, "diy.duckdb")
	if err := runDIY(context.Background(), dbPath, file, &out); err != nil {
		t.Fatal(err)
	}
	if got := strings.TrimSpace(out.String()); got != `{"rows":3000}` {
		t.Fatalf("stats %s", got)
	}
	db, err := sql.Open("duckdb", dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query("SELECT * FROM " + diyTable)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		vals := make([]any, schema.NumLogFields)
		ptrs := make([]any, len(vals))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		r, ok := want[vals[schema.ColRequestid].(string)]
		if !ok {
			t.Fatalf("unknown request id %v", vals[schema.ColRequestid])
		}
		for c := 0; c < schema.NumLogFields; c++ {
			w := r.Column(c)
			if r.Fields < 26 && c > schema.ColVersionid {
				w = nil
			}
			got := vals[c]
			if tm, ok := got.(time.Time); ok {
				got = tm.UTC()
			}
			if !reflect.DeepEqual(got, w) {
				t.Fatalf("%s column %s: DIY %#v, want %#v\n%s", r.RequestID.String, schema.S3ServerAccess.Columns[c].Name, got, w, r.Line())
			}
		}
		n++
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if n != 3000 {
		t.Fatalf("%d rows", n)
	}
}

func TestUsageErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"bad lines", []string{"-lines", "0"}, "-lines must be positive, not 0"},
		{"extra argument", []string{"x.log"}, "unexpected arguments: x.log"},
		{"diy child without db", []string{"-child", "diy", "x.log"}, "-child diy needs one FILE and -db PATH (parse: no -db)"},
		{"parse child with db", []string{"-child", "parse", "-db", "x.duckdb", "x.log"}, "-child parse needs one FILE and -db PATH (parse: no -db)"},
		{"unknown child", []string{"-child", "nope", "x.log"}, `-child "nope": want diy, parse or floor`},
		{"unknown flag", []string{"-nope"}, "flag provided but not defined: -nope"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if code := run(context.Background(), tt.args, &stdout, &stderr); code != 2 {
				t.Errorf("exit %d, want 2", code)
			}
			if !strings.Contains(stderr.String(), tt.want) {
				t.Errorf("stderr %q does not say %q", stderr.String(), tt.want)
			}
		})
	}
}

// TestBenchSmall runs the whole benchmark on 2000 lines (and 8000 with
// -scale): it builds s3logs (or uses $S3LOGS_BENCH_S3LOGS), loads with both
// ways, measures the two phases and prints every result.
func TestBenchSmall(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs s3logs")
	}
	args := []string{"-lines", "2000", "-scale", "-dir", t.TempDir()}
	if bin := os.Getenv("S3LOGS_BENCH_S3LOGS"); bin != "" {
		args = append(args, "-s3logs", bin) // a prebuilt s3logs instead of building ./cmd/s3logs
	}
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), args, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit %d\n%s%s", code, stdout.String(), stderr.String())
	}
	out := stdout.String()
	for _, re := range []string{
		`(?m)^s3logs load +2000 +[0-9.]+s +[0-9.]+ +[0-9]+ MB +2000$`,
		`(?m)^DIY DuckDB read_csv \+ Athena regex +2000 +[0-9.]+s +[0-9.]+ +[0-9]+ MB +2000( \([0-9]+ all-NULL: regex did not match\))?$`,
		`(?m)^phase: s3logs parse only, 1 core +2000 +[0-9.]+s +[0-9.]+ +[0-9]+ MB +2000$`,
		`(?m)^phase: DuckDB ingest floor +2000 +[0-9.]+s +[0-9.]+ +[0-9]+ MB +2000$`,
		`(?m)^s3logs load \(4x\) +8000 +[0-9.]+s +[0-9.]+ +[0-9]+ MB +8000$`,
		`(?m)^phase: DuckDB ingest floor \(4x\) +8000 +[0-9.]+s +[0-9.]+ +[0-9]+ MB +8000$`,
		`(?m)^speedup s3logs vs DIY: [0-9.]+x \(target >= 8x\); peak memory s3logs/DIY: [0-9.]+x$`,
		`(?m)^DuckDB ingest floor: [0-9]+% of the s3logs load; best possible speedup vs DIY with it: [0-9.]+x$`,
		`(?m)^peak memory 4x/1x data: [0-9.]+x \(target <= 1.25x\); time 4x/1x: [0-9.]+x$`,
		`(?m)^DuckDB ingest floor peak memory 4x/1x: [0-9.]+x$`,
	} {
		if !regexp.MustCompile(re).MatchString(out) {
			t.Errorf("output does not match %s:\n%s", re, out)
		}
	}
}
