// Package repl is s3logs' interactive SQL shell. It is handed an open
// database and a catalog of saved queries, and is split the way xo/usql
// is: line input (input.go, on go-prompt, or plain reading when standard
// input is not a terminal), a statement buffer that knows when a statement
// is complete (queries.Buffer: package queries owns SQL text), a table of
// meta-commands whose .help is generated from the table (meta.go),
// completion (complete.go) and the main loop (this file). Statements run
// and print through render.Runner, as in s3logs query.
//
// Statements end at ";" outside quotes and comments and may span lines;
// meta-commands start with "." and end at the end of their line. Ctrl-C
// cancels the running query, or clears the line at the prompt; Ctrl-D on an
// empty line or .quit leaves. The terminal is restored on every exit path,
// SIGTERM and SIGHUP included.
package repl

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"golang.org/x/term"

	"github.com/s3logs/s3logs/internal/db"
	"github.com/s3logs/s3logs/internal/render"
	"github.com/s3logs/s3logs/queries"
)

// Catalog is what the shell needs of the saved queries: *queries.Catalog
// satisfies it.
type Catalog interface {
	List() []*queries.Query
	Get(name string) (*queries.Query, error)
}

// Options configures a Shell. The hooks are set by cmd/s3logs, which wires
// the other packages; a nil hook makes its meta-command say it is not
// available.
type Options struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer

	// Catalog is the saved queries for .queries and .run; nil means none.
	Catalog Catalog
	// Load loads sources (files, folders, globs, s3:// prefixes) and returns
	// a one-line summary; for .load. An error whose summary is not empty is
	// printed after the summary (some lines were rejected, say).
	Load func(ctx context.Context, sources []string) (summary string, err error)
	// Demo loads the embedded sample logs, for .demo.
	Demo func(ctx context.Context) (summary string, err error)
	// Export writes the result of query (with its bound args) to path, for
	// .export; an existing path is replaced only with force.
	Export func(ctx context.Context, query string, args []any, path string, force bool) error
	// Detect runs the detections (args are what follows .detect) and writes
	// the alerts to w.
	Detect func(ctx context.Context, w io.Writer, args []string) error
	// Report writes the HTML report (args are what follows .report, the
	// flags of s3logs report) and says where on w.
	Report func(ctx context.Context, w io.Writer, args []string) error
	// HistoryFile keeps the statements typed, across sessions; "" keeps no
	// history. DefaultHistoryFile gives the usual place.
	HistoryFile string
	// Interrupts routes SIGINT to fn until restore is called (cmd/s3logs
	// passes Env.OnInterrupt, so that Ctrl-C cancels one query rather than
	// the program). Nil makes the shell catch SIGINT itself.
	Interrupts func(fn func()) (restore func())
	// Exit is called with the exit code when SIGTERM or SIGHUP arrives, after
	// the terminal is restored; nil means os.Exit.
	Exit func(code int)
	// Banner is printed when an interactive session starts.
	Banner string
}

// Shell is one session of the shell on one database. Make it with New.
type Shell struct {
	db   *db.DB
	opts Options
	conn *sql.Conn // one connection for the session: SET, BEGIN and temp tables stick

	mode  render.Format
	timer bool
	tty   bool // stdin and stdout are terminals: prompt, colour, width

	last struct { // the last query result, for .export
		sql  string
		args []any
	}
	rows int // rows of the last result runSQL printed
	// output is where results go after .output FILE or .once FILE (nil:
	// stdout); once closes it after the next statement.
	output  *os.File
	once    bool
	maxRows int // .maxrows: rows an interactive table shows (0: all)
	depth   int // nesting of .read

	comp *completer

	mu     sync.Mutex
	cancel context.CancelFunc // of the running statement
}

// ErrFailed is returned by Run when reading a script from a non-terminal
// stdin and at least one statement failed.
var ErrFailed = errors.New("some statements failed")

// New returns a shell on d, which must stay open while the shell runs.
func New(d *db.DB, opts Options) *Shell {
	if opts.Stdin == nil {
		opts.Stdin = os.Stdin
	}
	if opts.Stdout == nil {
		opts.Stdout = os.Stdout
	}
	if opts.Stderr == nil {
		opts.Stderr = os.Stderr
	}
	if opts.Exit == nil {
		opts.Exit = os.Exit
	}
	s := &Shell{db: d, opts: opts, maxRows: maxRowsShown}
	s.tty = Interactive(opts.Stdin, opts.Stdout)
	return s
}

// Run runs the session until Ctrl-D, .quit or the end of stdin. With a
// non-terminal stdin it reads statements from it with no prompt and
// returns ErrFailed if any failed.
func (s *Shell) Run(ctx context.Context) error {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return err
	}
	s.conn = conn
	defer func() { s.conn.Close() }() // .load may have taken a new one
	s.comp = newCompleter(s)
	restore := s.catchInterrupts()
	defer restore()
	if !s.tty {
		return s.runScript(ctx)
	}
	stopTerm := s.guardTerminal()
	defer stopTerm()
	return s.runInteractive(ctx)
}

// catchInterrupts makes SIGINT cancel the running statement, if any.
func (s *Shell) catchInterrupts() (restore func()) {
	fn := func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.cancel != nil {
			s.cancel()
		}
	}
	if s.opts.Interrupts != nil {
		return s.opts.Interrupts(fn)
	}
	return notifyInterrupt(fn)
}

// runScript executes the statements read from a non-terminal stdin.
func (s *Shell) runScript(ctx context.Context) error {
	in := newScriptReader(s.opts.Stdin)
	failed := false
	for {
		st, err := in.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		quit, err := s.execute(ctx, st)
		if errors.Is(err, errCancelled) {
			return fmt.Errorf("interrupted at line %d: %w", st.Line, context.Canceled)
		}
		if err != nil {
			failed = true
			fmt.Fprintln(s.opts.Stderr, scriptError(st, err))
		} else if quit {
			break
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
	if failed {
		return ErrFailed
	}
	return nil
}

// runInteractive reads statements at the prompt until Ctrl-D or .quit.
func (s *Shell) runInteractive(ctx context.Context) error {
	hist, err := openHistory(s.opts.HistoryFile)
	if err != nil {
		fmt.Fprintf(s.opts.Stderr, "history: %v (this session's statements will not be kept)\n", err)
	}
	in := newPromptReader(s, hist)
	if s.opts.Banner != "" {
		fmt.Fprintln(s.opts.Stdout, s.opts.Banner)
	}
	for {
		text, err := in.read()
		if err == io.EOF {
			return nil
		}
		if quit := s.runInput(ctx, text); quit {
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
}

// runInput runs the statements of one input from the prompt; an error is
// printed and the next statement runs, but Ctrl-C drops the rest.
func (s *Shell) runInput(ctx context.Context, text string) (quit bool) {
	var b queries.Buffer
	b.Write(text + "\n")
	for {
		st, ok := b.Flush()
		if !ok || ctx.Err() != nil {
			return false
		}
		quit, err := s.execute(ctx, st)
		switch {
		case errors.Is(err, errCancelled):
			// "\r" overwrites the ^C the terminal echoed.
			fmt.Fprintln(s.opts.Stderr, "\r"+s.paint(ansiDim, "Cancelled."))
			return false
		case err != nil:
			fmt.Fprintln(s.opts.Stderr, s.paint(ansiRed, "Error: "+errorLine(err)))
		}
		if quit {
			return true
		}
	}
}

// errQuit is returned by .quit.
var errQuit = errors.New("quit")

// execute runs one statement; quit is true after .quit.
func (s *Shell) execute(ctx context.Context, st queries.Statement) (quit bool, err error) {
	ctx, cancel := context.WithCancel(ctx)
	s.mu.Lock()
	s.cancel = cancel
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.cancel = nil
		s.mu.Unlock()
		cancel()
	}()
	return s.run(ctx, st)
}

// run runs one statement on ctx (execute's, or that of the .read running
// it); quit is true after .quit. A .once output is closed after it.
func (s *Shell) run(ctx context.Context, st queries.Statement) (quit bool, err error) {
	once, prev := s.once, s.output
	start := time.Now()
	timed := true
	if st.Meta {
		timed, err = s.runMeta(ctx, st.Text)
		if errors.Is(err, errQuit) {
			return true, nil
		}
	} else {
		err = s.runSQL(ctx, st.Text, nil, true)
		if err != nil && s.db.ReadOnly && strings.Contains(err.Error(), "read-only mode") {
			err = fmt.Errorf("%w\n(the shell opens the database read-only, so that queries and other shells can read it at the same time; your own tables and views can be TEMP ones, and .load writes logs)", err)
		}
		if err == nil && s.rows >= 0 {
			s.note(queries.SinceNote(ctx, s.conn, st.Text, time.Now()))
		}
	}
	if once && prev != nil && s.output == prev { // not replaced by another .output/.once
		s.closeOutput()
	}
	if ctx.Err() != nil && err != nil {
		err = errCancelled
	}
	if s.timer && timed && err == nil { // a failed statement shows its error only
		fmt.Fprintf(s.opts.Stdout, "Time: %s\n", formatElapsed(time.Since(start)))
	}
	s.comp.invalidate() // tables may have changed
	return false, err
}

// out is where results go: the file of .output or .once, else stdout.
func (s *Shell) out() io.Writer {
	if s.output != nil {
		return s.output
	}
	return s.opts.Stdout
}

// closeOutput sends results to stdout again, closing the .output file.
func (s *Shell) closeOutput() error {
	if s.output == nil {
		return nil
	}
	err := s.output.Close()
	s.output, s.once = nil, false
	return err
}

// errCancelled is shown when Ctrl-C cancelled a statement.
var errCancelled = errors.New("cancelled")

// runSQL runs one SQL statement (macros expanded) with args and renders its
// result. remember keeps it as the last result for .export.
func (s *Shell) runSQL(ctx context.Context, text string, args []any, remember bool) error {
	q, noResult, err := queries.Prepare(text)
	if err != nil {
		return err
	}
	run := render.Runner{Conn: s.conn, Out: s.out()}
	printed, err := run.Run(ctx, render.Statement{SQL: q, Args: args, NoResult: noResult}, s.renderOptions())
	s.rows = -1 // no result
	if printed {
		s.rows = run.Rows
	}
	if remember && printed {
		s.last.sql, s.last.args = q, args
	}
	return queries.TableError(err)
}

// note prints a note (why a result is empty) on stderr; "" prints nothing,
// and an error getting it is printed as an error.
func (s *Shell) note(text string, err error) {
	if err != nil {
		fmt.Fprintln(s.opts.Stderr, s.paint(ansiRed, "Error: "+errorLine(err)))
	}
	if text != "" {
		fmt.Fprintln(s.opts.Stderr, s.paint(ansiDim, "Note: "+text))
	}
}

// renderOptions are the options of render.Write for the current mode and
// terminal: tables fit a terminal stdout (even when a script is read from
// stdin), and control characters from log fields are escaped on a terminal
// in every mode; colour and the row limit are for interactive sessions
// only.
func (s *Shell) renderOptions() render.Options {
	if s.output != nil { // a file: every row, no colour, no width
		return render.Options{Format: s.mode}
	}
	o := render.Options{Format: s.mode, Width: terminalWidth(s.opts.Stdout), Escape: isTerminal(s.opts.Stdout), ShowAll: ".mode line"}
	if s.tty {
		o.Color = true
		o.MaxRows = s.maxRows
	}
	return o
}

// maxRowsShown is how many rows an interactive table shows unless .maxrows
// says otherwise; .mode line, csv or json show all, and .export and
// .output write all.
const maxRowsShown = 1000

// formatElapsed formats a duration for .timer: "12.3 ms", "1.250 s".
func formatElapsed(d time.Duration) string {
	if d < time.Second {
		return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000)
	}
	return fmt.Sprintf("%.3f s", d.Seconds())
}

// errorPos makes an error one line and finds the position DuckDB shows on
// the lines after its message ("LINE 2: ..." and a caret under the
// problem): the 1-based line within the statement and the column, or 0, 0.
// Other lines, such as DuckDB's "Did you mean ...?", are kept, joined with
// blanks.
func errorPos(err error) (msg string, line, col int) {
	lines := strings.Split(err.Error(), "\n")
	var parts []string
	for i := 0; i < len(lines); i++ {
		l := strings.TrimSpace(lines[i])
		var n int
		if _, e := fmt.Sscanf(l, "LINE %d:", &n); e == nil && i+1 < len(lines) {
			prefix := len(fmt.Sprintf("LINE %d: ", n))
			if c := strings.IndexByte(lines[i+1], '^'); c >= prefix {
				line, col = n, c-prefix+1
				i++ // the caret line
				continue
			}
		}
		if l != "" {
			parts = append(parts, l)
		}
	}
	return strings.Join(parts, " "), line, col
}

// errorLine is the one line the interactive shell prints for an error.
func errorLine(err error) string {
	msg, line, col := errorPos(err)
	if line == 0 {
		return msg
	}
	return fmt.Sprintf("%s (line %d, column %d)", msg, line, col)
}

// scriptError is the line printed for an error in a script read from
// stdin: it starts with the position in the input.
func scriptError(st queries.Statement, err error) string {
	msg, line, col := errorPos(err)
	if line == 0 {
		return fmt.Sprintf("line %d: %s", st.Line, msg)
	}
	return fmt.Sprintf("line %d, column %d: %s", st.Line+line-1, col, msg)
}

// isTerminal reports whether v is an *os.File on a terminal.
// Interactive reports whether a shell with this stdin and stdout is an
// interactive session (both are terminals: prompt, colour, history) rather
// than a script read from stdin.
func Interactive(stdin io.Reader, stdout io.Writer) bool {
	return isTerminal(stdin) && isTerminal(stdout)
}

func isTerminal(v any) bool {
	f, ok := v.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// terminalWidth is the width of the terminal w, or 0 when w is not one.
func terminalWidth(w io.Writer) int {
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		if width, _, err := term.GetSize(int(f.Fd())); err == nil {
			return width
		}
	}
	return 0
}

// ANSI colours for the interactive shell.
const (
	ansiRed   = "\x1b[31m"
	ansiDim   = "\x1b[2m"
	ansiReset = "\x1b[0m"
)

// paint colours s when the shell is on a terminal.
func (s *Shell) paint(color, text string) string {
	if !s.tty {
		return text
	}
	return color + text + ansiReset
}
