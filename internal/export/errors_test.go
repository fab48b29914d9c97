package export

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestFileRefusalAndForce(t *testing.T) {
	ctx := context.Background()
	d := newDB(t, 30)
	dir := t.TempDir()
	out := filepath.Join(dir, "x.parquet")
	if err := os.WriteFile(out, []byte("precious"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Run(ctx, d, Options{Table: true, Out: out})
	if !errors.Is(err, ErrExists) || !strings.Contains(err.Error(), out) {
		t.Fatalf("err = %v, want ErrExists naming %s", err, out)
	}
	if b, _ := os.ReadFile(out); string(b) != "precious" {
		t.Fatalf("refused export changed the file: %q", b)
	}
	if _, err := Run(ctx, d, Options{Table: true, Out: out, Force: true}); err != nil {
		t.Fatal(err)
	}
	sameRows(t, d, "read_parquet('"+out+"')", "aws_s3serveraccess")
	fi, _ := os.Stat(out)
	if fi.Mode().Perm() != 0o644 {
		t.Errorf("mode %v, want 0644", fi.Mode().Perm())
	}
	// A directory output gets the default name inside it.
	res, err := Run(ctx, d, Options{Query: "SELECT 1 AS one", Out: dir})
	if err != nil || res.Out != filepath.Join(dir, "export.parquet") {
		t.Fatalf("Run into a directory: %+v, %v", res, err)
	}
}

func TestErrors(t *testing.T) {
	ctx := context.Background()
	d := newDB(t, 10)
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	os.WriteFile(file, nil, 0o644)
	tests := []struct {
		name   string
		opts   Options
		want   error
		detail string // in the message, besides the output path
	}{
		{"no output", Options{Table: true}, ErrUsage, "no output path"},
		{"nothing to export", Options{Out: "x.parquet"}, ErrUsage, "give a query or the table"},
		{"both", Options{Table: true, Query: "SELECT 1", Out: "x.parquet"}, ErrUsage, "not both"},
		{"partition a query", Options{Query: "SELECT 1", PartitionBy: ByDay, Out: "x"}, ErrUsage, "needs the table export"},
		{"partition by week", Options{Table: true, PartitionBy: "week", Out: "x"}, ErrUsage, `partition by "week"`},
		{"compression lz5", Options{Table: true, Compression: "lz5", Out: "x.parquet"}, ErrUsage, `compression "lz5"`},
		{"csv with snappy", Options{Table: true, Compression: "snappy", Out: "x.csv"}, ErrUsage, `compression "snappy" for csv`},
		{"csv lake", Options{Table: true, PartitionBy: ByDay, Format: CSV, Out: "lake"}, ErrUsage, "a partitioned lake is Parquet"},
		{"format xml", Options{Table: true, Format: "xml", Out: "x.xml"}, ErrUsage, `format "xml"`},
		{"s3 without client", Options{Table: true, Out: "s3://b/k"}, ErrUsage, "no S3 client"},
		{"bzip2 csv", Options{Table: true, Out: "x.csv.bz2"}, ErrUsage, "cannot tell the format from the name x.csv.bz2: want .parquet, or .csv"},
		{"unknown extension", Options{Table: true, Out: "x.txt"}, ErrUsage, "cannot tell the format from the name x.txt"},
		{"gzip parquet", Options{Table: true, Out: "x.parquet.gz"}, ErrUsage, "cannot tell the format from the name x.parquet.gz"},
		{"gzip alone", Options{Table: true, Out: "x.gz"}, ErrUsage, "cannot tell the format"},
		{"unknown table", Options{Query: "SELECT * FROM nosuch", Out: filepath.Join(dir, "a.parquet")}, ErrQuery, "nosuch does not exist"},
		{"syntax", Options{Query: "SELEC 1", Out: filepath.Join(dir, "b.parquet")}, ErrQuery, "syntax error"},
		{"two statements", Options{Query: "SELECT 1; SELECT 2", Out: filepath.Join(dir, "c.parquet")}, ErrQuery, "Parser Error"},
		{"not a query", Options{Query: "DELETE FROM aws_s3serveraccess", Out: filepath.Join(dir, "d.parquet")}, ErrQuery, "syntax error"},
		{"missing argument", Options{Query: "SELECT * FROM aws_s3serveraccess WHERE bucket = ?", Out: filepath.Join(dir, "e.parquet")}, ErrQuery, ""},
		{"runtime error", Options{Query: "SELECT CAST(bucket AS INTEGER) FROM aws_s3serveraccess", Out: filepath.Join(dir, "f.parquet")}, ErrQuery, "Could not convert"},
		{"parent is a file", Options{Table: true, Out: filepath.Join(file, "x.parquet")}, ErrWrite, "not a directory"},
		{"into /proc", Options{Table: true, Out: "/proc/s3logs-test.parquet"}, ErrWrite, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Run(ctx, d, tt.opts)
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "export "+tt.opts.Out) || !strings.Contains(msg, tt.detail) {
				t.Errorf("message %q: want it to start with %q and contain %q", msg, "export "+tt.opts.Out, tt.detail)
			}
			if strings.Contains(msg, ".tmp-") {
				t.Errorf("message %q names the temporary file", msg)
			}
		})
	}
	// Failed exports leave nothing behind.
	ents, _ := os.ReadDir(dir)
	if len(ents) != 1 {
		var names bytes.Buffer
		for _, e := range ents {
			names.WriteString(e.Name() + " ")
		}
		t.Errorf("left behind: %s", names.String())
	}
}

func TestCanceled(t *testing.T) {
	d := newDB(t, 10)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	out := filepath.Join(t.TempDir(), "x.parquet")
	_, err := Run(ctx, d, Options{Table: true, Out: out})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("canceled export left %s", out)
	}
}

// TestStaleTemps: an export removes the temporary files killed exports to
// the same name left (a dead PID, or none in the name), not a running one's.
func TestStaleTemps(t *testing.T) {
	ctx := context.Background()
	d := newDB(t, 5)
	dir := t.TempDir()
	dead := exec.Command("true")
	if err := dead.Run(); err != nil {
		t.Skipf("no true command: %v", err)
	}
	stale := []string{".x.parquet.tmp-123456789", fmt.Sprintf(".x.parquet.tmp-%d-42", dead.Process.Pid)}
	running := fmt.Sprintf(".x.parquet.tmp-%d-43", os.Getpid())
	other := ".y.parquet.tmp-123456789"
	for _, n := range append(stale, running, other) {
		os.WriteFile(filepath.Join(dir, n), []byte("half"), 0o600)
	}
	if _, err := Run(ctx, d, Options{Table: true, Out: filepath.Join(dir, "x.parquet")}); err != nil {
		t.Fatal(err)
	}
	for _, n := range stale {
		if _, err := os.Lstat(filepath.Join(dir, n)); err == nil {
			t.Errorf("stale %s left", n)
		}
	}
	for _, n := range []string{running, other} {
		if _, err := os.Lstat(filepath.Join(dir, n)); err != nil {
			t.Errorf("%s removed: %v", n, err)
		}
	}
}
