package repl

import (
	"bufio"
	"errors"
	"os"
	"path/filepath"
	"strings"

	prompt "github.com/elk-language/go-prompt"
)

// historyLimit is how many entries are read back at start (go-prompt keeps
// 500); the file is rewritten with the last historyLimit when it holds more
// than twice as many.
const historyLimit = 500

// DefaultHistoryFile returns where the shell keeps its history:
// $XDG_STATE_HOME/s3logs/history when XDG_STATE_HOME is set, else
// os.UserConfigDir()/s3logs/history.
func DefaultHistoryFile() (string, error) {
	if d := os.Getenv("XDG_STATE_HOME"); d != "" {
		return filepath.Join(d, "s3logs", "history"), nil
	}
	d, err := os.UserConfigDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(d, "s3logs", "history"), nil
}

// history is go-prompt's history that also appends every entry to a file
// and skips an entry equal to the one before it. Entries may span lines; in
// the file each is one line, with "\" and newlines escaped as "\\" and "\n".
type history struct {
	*prompt.History
	path string
	last string
}

// openHistory reads the history file at path (a missing file is an empty
// history). With path "" or on error the history is kept in memory only.
func openHistory(path string) (*history, error) {
	h := &history{History: prompt.NewHistory()}
	if path == "" {
		return h, nil
	}
	entries, err := readHistory(path)
	if err != nil {
		return h, err
	}
	h.path = path
	for _, e := range entries {
		h.History.Add(e)
	}
	if len(entries) > 0 {
		h.last = entries[len(entries)-1]
	}
	return h, nil
}

// readHistory returns the last historyLimit entries of the file at path.
func readHistory(path string) ([]string, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var entries []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	for sc.Scan() {
		if e := unescapeHistory(sc.Text()); e != "" {
			entries = append(entries, e)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(entries) > 2*historyLimit {
		entries = entries[len(entries)-historyLimit:]
		return entries, rewriteHistory(path, entries)
	}
	return entries[max(0, len(entries)-historyLimit):], nil
}

// rewriteHistory replaces the file at path with entries, atomically.
func rewriteHistory(path string, entries []string) error {
	var b strings.Builder
	for _, e := range entries {
		b.WriteString(escapeHistory(e) + "\n")
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(b.String()), 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// Add records an input: trimmed, skipped when equal to the previous entry,
// appended to the file. A file that cannot be written does not stop the
// shell; the entry stays in memory.
func (h *history) Add(input string) {
	input = strings.TrimSpace(input)
	if input == "" || input == h.last {
		h.History.Clear() // reset the browsing position as Add would
		return
	}
	h.last = input
	h.History.Add(input)
	if h.path == "" {
		return
	}
	if err := os.MkdirAll(filepath.Dir(h.path), 0o700); err != nil {
		return
	}
	f, err := os.OpenFile(h.path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return
	}
	f.WriteString(escapeHistory(input) + "\n")
	f.Close()
}

var (
	historyEscaper   = strings.NewReplacer(`\`, `\\`, "\n", `\n`, "\r", `\r`)
	historyUnescaper = strings.NewReplacer(`\\`, `\`, `\n`, "\n", `\r`, "\r")
)

func escapeHistory(s string) string   { return historyEscaper.Replace(s) }
func unescapeHistory(s string) string { return historyUnescaper.Replace(s) }
