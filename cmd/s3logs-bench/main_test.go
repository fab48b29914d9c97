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
		{"bad runs", []string{"-runs", "0"}, "-runs must be positive, not 0"},
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

// TestBenchSmall runs the whole benchmark on 2000 lines (and 500 and 8000
// with -scale), twice each: it builds s3logs (or uses $S3LOGS_BENCH_S3LOGS),
// loads with both ways on all CPUs and on one, measures the two phases and
// prints every result and every target.
func TestBenchSmall(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs s3logs")
	}
	args := []string{"-lines", "2000", "-runs", "2", "-scale", "-dir", t.TempDir()}
	if bin := os.Getenv("S3LOGS_BENCH_S3LOGS"); bin != "" {
		args = append(args, "-s3logs", bin) // a prebuilt s3logs instead of building ./cmd/s3logs
	}
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), args, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit %d\n%s%s", code, stdout.String(), stderr.String())
	}
	out := stdout.String()
	const cols = ` +[0-9.]+s +\([0-9.]+s-[0-9.]+s\) +[0-9.]+s +[0-9.]+ +[0-9]+ MB +`
	for _, re := range []string{
		`(?m)^s3logs-bench: 2000 lines, [0-9.]+ MB generated \(seed 1, trap rate [0-9.]+\); [0-9]+ usable CPUs; 2 runs of each load, taking turns: medians$`,
		`(?m)^s3logs load, all [0-9]+ CPUs +2000` + cols + `[0-9]+ +[0-9.]+ MB, 2000$`,
		`(?m)^s3logs load, 1 CPU \(taskset -c [0-9]+\) +2000` + cols + `[0-9]+ +[0-9.]+ MB, 2000$`,
		`(?m)^DIY read_csv \+ Athena regex, all [0-9]+ CPUs +2000` + cols + `[0-9]+ +[0-9.]+ MB, 2000( \([0-9]+ all-NULL: regex did not match\))?$`,
		`(?m)^DIY read_csv \+ Athena regex, 1 CPU \(taskset -c [0-9]+\) +2000` + cols + `[0-9]+ +[0-9.]+ MB, 2000( \([0-9]+ all-NULL: regex did not match\))?$`,
		`(?m)^phase: s3logs parse only, 1 goroutine +2000` + cols + `- +2000$`,
		`(?m)^phase: DuckDB copying the table, all [0-9]+ CPUs +2000` + cols + `[0-9]+ +[0-9.]+ MB, 2000$`,
		`(?m)^s3logs load, all [0-9]+ CPUs \(1/4\) +500` + cols + `[0-9]+ +[0-9.]+ MB, 500$`,
		`(?m)^s3logs load, all [0-9]+ CPUs \(4x\) +8000` + cols + `[0-9]+ +[0-9.]+ MB, 8000$`,
		`(?m)^s3logs scaling, 1 CPU to [0-9]+: [0-9.]+x faster +target >= 1.7x +(met|NOT MET)$`,
		`(?m)^s3logs vs DIY, all [0-9]+ CPUs: [0-9.]+x faster +target >= 2.5x +(met|NOT MET)$`,
		`(?m)^CPU seconds s3logs/DIY: [0-9.]+x \([0-9.]+s against [0-9.]+s\) +target <= 0.4x +(met|NOT MET)$`,
		`(?m)^s3logs peak memory, 1/4 to 1x the lines: [0-9.]+x \(time [0-9.]+x\) +target <= 1.25x +(met|NOT MET)$`,
		`(?m)^s3logs peak memory, 1x to 4x the lines: [0-9.]+x \(time [0-9.]+x\) +target <= 1.25x +(met|NOT MET)$`,
	} {
		if !regexp.MustCompile(re).MatchString(out) {
			t.Errorf("output does not match %s:\n%s", re, out)
		}
	}
}

func TestSerialFraction(t *testing.T) {
	tests := []struct {
		name    string
		speedup float64
		n       int
		want    float64
	}{
		{"perfect", 2, 2, 0},
		{"none", 1, 2, 1},
		{"half serial on 2", 4.0 / 3, 2, 0.5},
		{"10% serial on 8", 1 / (0.1 + 0.9/8), 8, 0.1},
		{"slower than 1 CPU", 0.8, 2, 1},
		{"superlinear", 2.2, 2, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := serialFraction(tt.speedup, tt.n)
			if d := f - tt.want; d > 1e-9 || d < -1e-9 {
				t.Errorf("serialFraction(%g, %d) = %g, want %g", tt.speedup, tt.n, f, tt.want)
			}
			if tt.want > 0 && tt.want < 1 {
				if sp := amdahl(f, tt.n); sp-tt.speedup > 1e-9 || tt.speedup-sp > 1e-9 {
					t.Errorf("amdahl(%g, %d) = %g, want the speedup %g back", f, tt.n, sp, tt.speedup)
				}
			}
		})
	}
}

func TestMedian(t *testing.T) {
	tests := []struct {
		name string
		v    []int64
		want int64
	}{
		{"one", []int64{7}, 7},
		{"odd, unsorted", []int64{9, 1, 5}, 5},
		{"even: the mean of the middle two, not the upper", []int64{40, 10, 20, 30}, 25},
		{"two", []int64{22, 35}, 28},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := median(tt.v); got != tt.want {
				t.Errorf("median = %d, want %d", got, tt.want)
			}
		})
	}
}
