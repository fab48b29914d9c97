package source

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeTree creates files (path -> content) under a new temporary folder
// and returns the folder.
func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// listNames lists l and returns the objects' names relative to dir, or the error.
func listNames(t *testing.T, l Lister, dir string) ([]string, error) {
	t.Helper()
	var names []string
	err := l.List(context.Background(), func(o Object) error {
		rel, rerr := filepath.Rel(dir, o.Name)
		if rerr != nil || strings.HasPrefix(rel, "..") {
			rel = o.Name
		}
		names = append(names, filepath.ToSlash(rel))
		if !filepath.IsAbs(o.ID) && !strings.HasPrefix(o.ID, "stdin:") {
			t.Errorf("%s: ID %q is not absolute", o.Name, o.ID)
		}
		return nil
	})
	return names, err
}

func TestLocalLister(t *testing.T) {
	dir := writeTree(t, map[string]string{
		"a.log":           "x\n",
		"b.log.gz":        "y\n",
		"sub/c.log":       "z\n",
		"sub/deep/d.log":  "w\n",
		".hidden":         "h\n",
		"sub/.git/config": "g\n",
		"other/e.txt":     "e\n",
	})
	if err := os.MkdirAll(filepath.Join(dir, "empty", "nested"), 0o755); err != nil {
		t.Fatal(err)
	}
	links := filepath.Join(dir, "links")
	os.Mkdir(links, 0o755)
	if err := os.Symlink(filepath.Join(dir, "a.log"), filepath.Join(links, "to-file.log")); err != nil {
		t.Fatal(err)
	}
	os.Symlink(filepath.Join(dir, "sub"), filepath.Join(links, "to-folder"))
	os.Symlink(filepath.Join(dir, "nowhere"), filepath.Join(links, "dangling.log"))
	os.Symlink(links, filepath.Join(links, "loop")) // a folder holding a link to itself
	tests := []struct {
		name    string
		arg     string
		want    []string
		wantErr string
		is      error
	}{
		{"file", "a.log", []string{"a.log"}, "", nil},
		{"hidden file given explicitly", ".hidden", []string{".hidden"}, "", nil},
		// Each file once, by the first path in lexical order: a.log, not
		// links/to-file.log; sub's files through links/to-folder.
		{"folder recursive, hidden skipped, lexical, each file once", ".", []string{"a.log", "b.log.gz", "links/dangling.log", "links/to-folder/c.log", "links/to-folder/deep/d.log", "other/e.txt"}, "", nil},
		{"links to files and folders followed, loops once", "links", []string{"links/dangling.log", "links/to-file.log", "links/to-folder/c.log", "links/to-folder/deep/d.log"}, "", nil},
		{"linked folder given without a slash", "links/to-folder", []string{"links/to-folder/c.log", "links/to-folder/deep/d.log"}, "", nil},
		{"subfolder", "sub", []string{"sub/c.log", "sub/deep/d.log"}, "", nil},
		{"glob of files", "*.log*", []string{"a.log", "b.log.gz"}, "", nil},
		{"glob with folders", "s*", []string{"sub/c.log", "sub/deep/d.log"}, "", nil},
		{"missing file", "nope.log", nil, "nope.log: no such file or directory", os.ErrNotExist},
		{"empty folder", "empty", nil, "empty: folder has no files: no log files found", ErrNoLogs},
		{"glob without match", "*.csv", nil, "*.csv: pattern matches no file: no log files found", ErrNoLogs},
		{"bad glob", "[", nil, "[: bad pattern: syntax error in pattern", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			arg := filepath.Join(dir, tt.arg)
			got, err := listNames(t, LocalLister(arg, nil), dir)
			if tt.wantErr != "" {
				if err == nil || err.Error() != filepath.Join(dir, tt.wantErr) && err.Error() != tt.wantErr {
					t.Fatalf("err = %v, want %q", err, filepath.Join(dir, tt.wantErr))
				}
				if tt.is != nil && !errors.Is(err, tt.is) {
					t.Errorf("err = %v, not %v", err, tt.is)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(got, ",") != strings.Join(tt.want, ",") {
				t.Errorf("listed %q, want %q", got, tt.want)
			}
		})
	}
}

func TestStdinLister(t *testing.T) {
	read := func(in string) (Object, string, error) {
		var obj Object
		var body []byte
		err := LocalLister("-", strings.NewReader(in)).List(context.Background(), func(o Object) error {
			obj = o
			rc, err := o.Open(context.Background())
			if err != nil {
				return err
			}
			defer rc.Close()
			body, err = io.ReadAll(rc)
			return err
		})
		return obj, string(body), err
	}
	o1, body, err := read("line one\nline two\n")
	if err != nil {
		t.Fatal(err)
	}
	if body != "line one\nline two\n" || o1.Name != "-" || o1.Size != 18 || !strings.HasPrefix(o1.ID, "stdin:") || len(o1.ID) != 22 {
		t.Errorf("object %+v with body %q", o1, body)
	}
	o2, _, _ := read("line one\nline two\n")
	o3, _, _ := read("other\n")
	if o1.ID != o2.ID || o1.ID == o3.ID {
		t.Errorf("IDs %s %s %s: same input must give the same ID, other input another", o1.ID, o2.ID, o3.ID)
	}
	if _, _, err := read(""); !errors.Is(err, ErrNoLogs) || err.Error() != "-: standard input is empty: no log files found" {
		t.Errorf("empty stdin: err = %v", err)
	}
}
