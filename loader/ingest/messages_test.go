package ingest

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/s3logs/s3logs/loader/source"
)

// shrinkingFile is a local file that truncates itself to keep bytes after
// its first read, as logrotate's copytruncate does to a file being loaded.
type shrinkingFile struct {
	*os.File
	keep  int64
	reads int
}

func (f *shrinkingFile) Read(p []byte) (int, error) {
	n, err := f.File.Read(p)
	if f.reads++; f.reads == 1 {
		if terr := os.Truncate(f.Name(), f.keep); terr != nil {
			return n, terr
		}
	}
	return n, err
}

// shrinkingLister lists one local file whose reader truncates it.
type shrinkingLister struct {
	path string
	keep int64
}

func (s shrinkingLister) List(ctx context.Context, fn func(source.Object) error) error {
	return source.PathLister(s.path).List(ctx, func(o source.Object) error {
		o.Open = func(context.Context) (io.ReadCloser, error) {
			f, err := os.Open(s.path)
			if err != nil {
				return nil, err
			}
			return &shrinkingFile{File: f, keep: s.keep}, nil
		}
		return fn(o)
	})
}

// TestShrunkDuringLoad loads a file that is truncated while it is read:
// the load says so and that the next load reads it again, the manifest
// does not record it as loaded (it recorded the old size and the lines
// read as loaded and unchanged), and the next load replaces its rows with
// what it now holds.
func TestShrunkDuringLoad(t *testing.T) {
	data := genLines(t, 4000, 41)
	path := filepath.Join(t.TempDir(), "a.log")
	writeFile(t, path, data)
	keep := int64(len(data) / 4)
	d := openDB(t)
	opts := Options{ChunkBytes: 64 << 10}
	sum, err := New(d, opts).Load(context.Background(), []source.Lister{shrinkingLister{path, keep}})
	if err != nil {
		t.Fatal(err)
	}
	var se *ShrunkError
	if len(sum.Errors) != 1 || !errors.As(sum.Errors[0], &se) || se.Was != int64(len(data)) || se.Now != keep {
		t.Fatalf("errors %v, want one *ShrunkError from %d to %d bytes", sum.Errors, len(data), keep)
	}
	if msg := sum.Errors[0].Error(); !strings.Contains(msg, "while it was read") || !strings.HasSuffix(msg, "the next load reads it again") {
		t.Errorf("message %q", msg)
	}
	var status string
	d.QueryRow(`SELECT status FROM s3logs_manifest`).Scan(&status)
	if status != StatusError {
		t.Errorf("manifest status %q, want %q (to be read again)", status, StatusError)
	}
	sum = load(t, d, Options{}, path)
	now, _ := os.ReadFile(path)
	want := countLines(now)
	if sum.Objects != 1 || sum.Reloaded != 1 || len(sum.Errors) != 0 {
		t.Errorf("next load %+v, want the file reloaded", sum)
	}
	if c := counts(t, d); c[0]+c[2] != want || c[3] != 1 {
		t.Errorf("after the reload: rows, ids, rejects, manifest = %v, want %d lines in all", c, want)
	}
}
