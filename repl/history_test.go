package repl

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	prompt "github.com/elk-language/go-prompt"
)

func TestHistoryFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s3logs", "history")
	h, err := openHistory(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range []string{"SELECT 1;", "SELECT 1;", "  SELECT 1;\n", "SELECT 'a\\b'\nFROM t;", "", ".tables", "SELECT 1;"} {
		h.Add(in)
	}
	want := []string{"SELECT 1;", "SELECT 'a\\b'\nFROM t;", ".tables", "SELECT 1;"}
	if got := h.Entries(); !reflect.DeepEqual(got, want) {
		t.Errorf("entries = %q, want %q", got, want)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if wantRaw := "SELECT 1;\nSELECT 'a\\\\b'\\nFROM t;\n.tables\nSELECT 1;\n"; string(raw) != wantRaw {
		t.Errorf("file = %q, want %q", raw, wantRaw)
	}
	// A new session reads them back, and does not repeat the last one.
	h2, err := openHistory(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := h2.Entries(); !reflect.DeepEqual(got, want) {
		t.Errorf("read back = %q, want %q", got, want)
	}
	h2.Add("SELECT 1;")
	if got := len(h2.Entries()); got != len(want) {
		t.Errorf("after adding the last entry again: %d entries, want %d", got, len(want))
	}
}

func TestHistoryCompaction(t *testing.T) {
	path := filepath.Join(t.TempDir(), "history")
	var b strings.Builder
	for i := range 2*historyLimit + 1 {
		fmt.Fprintf(&b, "SELECT %d;\n", i)
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	h, err := openHistory(path)
	if err != nil {
		t.Fatal(err)
	}
	entries := h.Entries()
	if len(entries) != historyLimit || entries[0] != fmt.Sprintf("SELECT %d;", historyLimit+1) || entries[historyLimit-1] != fmt.Sprintf("SELECT %d;", 2*historyLimit) {
		t.Errorf("got %d entries from %q to %q", len(entries), entries[0], entries[len(entries)-1])
	}
	raw, _ := os.ReadFile(path)
	if n := bytes.Count(raw, []byte("\n")); n != historyLimit {
		t.Errorf("file rewritten with %d lines, want %d", n, historyLimit)
	}
}

func TestHistoryUnwritable(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "history")
	if err := os.Mkdir(path, 0o700); err != nil { // a folder where the file should be
		t.Fatal(err)
	}
	if _, err := openHistory(path); err == nil {
		t.Error("openHistory of a folder: no error")
	}
}

// fakeReader returns its reads one by one.
type fakeReader struct {
	prompt.Reader
	reads []string
}

func (f *fakeReader) Read(p []byte) (int, error) {
	if len(f.reads) == 0 {
		return 0, nil
	}
	n := copy(p, f.reads[0])
	f.reads = f.reads[1:]
	return n, nil
}

func TestEnterReader(t *testing.T) {
	for _, tc := range []struct {
		reads, want []string
	}{
		{[]string{"SELECT 1;\r"}, []string{"SELECT 1;", "\r"}},
		{[]string{"a\rb\r", "\r"}, []string{"a\rb", "\r", "\r"}},
		{[]string{"abc", "\r"}, []string{"abc", "\r"}},
		{[]string{"a\rb"}, []string{"a\rb"}},
		{[]string{"SELECT 5;\n"}, []string{"SELECT 5;", "\r"}},
		{[]string{"\n"}, []string{"\n"}},
	} {
		r := &enterReader{Reader: &fakeReader{reads: tc.reads}}
		var got []string
		buf := make([]byte, 64)
		for range len(tc.want) + 1 {
			if n, _ := r.Read(buf); n > 0 {
				got = append(got, string(buf[:n]))
			}
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("reads %q became %q, want %q", tc.reads, got, tc.want)
		}
	}
}
