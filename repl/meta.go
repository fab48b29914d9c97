package repl

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/s3logs/s3logs/internal/render"
	"github.com/s3logs/s3logs/internal/when"
	"github.com/s3logs/s3logs/queries"
	"github.com/s3logs/s3logs/schema"
)

// metaCommand is one meta-command. The table of them, metaCommands, is the
// one place they are declared: .help and completion are generated from it.
type metaCommand struct {
	name string // with the dot: ".tables"
	args string // synopsis of the arguments: "[TABLE]"
	help string // one line
	// run executes the command; args is the rest of the line after the name.
	run func(s *Shell, ctx context.Context, args string) error
	// complete returns the candidates for the argument being typed: words
	// holds the complete arguments before it (for argument-aware completion).
	complete func(s *Shell, words []string) []suggestion
	// timed makes .timer on report the command's time (it does for SQL).
	timed bool
	// hidden reports whether the command is unavailable in this shell (its
	// hook is not set), which keeps it out of .help and completion.
	hidden func(s *Shell) bool
}

var metaCommands []*metaCommand

func init() {
	metaCommands = []*metaCommand{
		{name: ".help", help: "Show this help.", run: (*Shell).metaHelp},
		{name: ".tables", timed: true, help: "List the tables and views, with their row counts.", run: (*Shell).metaTables},
		{name: ".schema", timed: true, args: "[TABLE]", help: "Show the columns of a table (or all), with their descriptions.",
			run: (*Shell).metaSchema, complete: func(s *Shell, w []string) []suggestion { return s.comp.tableSuggestions() }},
		{name: ".load", timed: true, args: "SOURCE...", help: "Load log files, folders, globs or s3:// prefixes into aws_s3serveraccess.",
			run: (*Shell).metaLoad, complete: completePaths, hidden: func(s *Shell) bool { return s.opts.Load == nil }},
		{name: ".demo", timed: true, help: "Load the embedded sample logs.",
			run: (*Shell).metaDemo, hidden: func(s *Shell) bool { return s.opts.Demo == nil }},
		{name: ".queries", args: "[WORD]", help: "List the saved queries (those matching WORD), with their parameters.",
			run: (*Shell).metaQueries, hidden: func(s *Shell) bool { return s.opts.Catalog == nil }},
		{name: ".run", timed: true, args: "NAME [key=value ...]", help: "Run a saved query with parameters.",
			run: (*Shell).metaRun, complete: completeRun, hidden: func(s *Shell) bool { return s.opts.Catalog == nil }},
		{name: ".overview", timed: true, args: "[--since T] [--until T]", help: "Overview of the data: totals, span, status classes, top buckets, principals, IPs, errors.",
			run: (*Shell).metaOverview},
		{name: ".detect", timed: true, args: "[ARGS...]", help: "Run the detections and print their alerts.",
			run: (*Shell).metaDetect, hidden: func(s *Shell) bool { return s.opts.Detect == nil }},
		{name: ".report", timed: true, args: "--out FILE [...]", help: "Write the HTML report of the investigation (flags of s3logs report).",
			run: (*Shell).metaReport, complete: completePaths, hidden: func(s *Shell) bool { return s.opts.Report == nil }},
		{name: ".export", timed: true, args: "[--force] PATH [SQL]", help: "Write the last result, or the result of SQL, to a Parquet file at PATH (--force replaces it).",
			run: (*Shell).metaExport, complete: completeExport, hidden: func(s *Shell) bool { return s.opts.Export == nil }},
		{name: ".mode", args: "[FORMAT]", help: "Show results as " + strings.Join(render.Formats(), ", ") + ".",
			run: (*Shell).metaMode, complete: func(*Shell, []string) []suggestion { return wordSuggestions(render.Formats(), "format") }},
		{name: ".timer", args: "on|off", help: "Show how long each statement takes.",
			run: (*Shell).metaTimer, complete: func(*Shell, []string) []suggestion { return wordSuggestions([]string{"on", "off"}, "") }},
		{name: ".rejects", timed: true, args: "[N]", help: "Show the N (default 20) most recent rejected lines, with the reasons.", run: (*Shell).metaRejects},
		{name: ".output", args: "[FILE]", help: "Write results to FILE until .output with no FILE (back to the screen).", run: (*Shell).metaOutput, complete: completePaths},
		{name: ".once", args: "FILE", help: "Write the next result to FILE.", run: (*Shell).metaOnce, complete: completePaths},
		{name: ".read", args: "FILE", help: "Run the statements and meta-commands of FILE.", run: (*Shell).metaRead, complete: completePaths},
		{name: ".maxrows", args: "[N]", help: "Show at most N rows of a table on screen (0: all; default 1000).", run: (*Shell).metaMaxRows},
		{name: ".quit", help: "Leave the shell (Ctrl-D on an empty line does too).", run: func(*Shell, context.Context, string) error { return errQuit }},
		{name: ".exit", help: "Same as .quit.", run: func(*Shell, context.Context, string) error { return errQuit }},
	}
}

// lookupMeta returns the meta-command called name.
func lookupMeta(s *Shell, name string) (*metaCommand, bool) {
	for _, m := range metaCommands {
		if m.name == name && (m.hidden == nil || !m.hidden(s)) {
			return m, true
		}
	}
	return nil, false
}

// runMeta runs a meta-command line such as ".schema aws_s3serveraccess";
// timed reports whether .timer shows the command's time.
func (s *Shell) runMeta(ctx context.Context, line string) (timed bool, err error) {
	name, args, _ := strings.Cut(strings.TrimSpace(line), " ")
	name, args = alias(name, strings.TrimSpace(args))
	m, ok := lookupMeta(s, name)
	if !ok {
		var names []string
		for _, m := range metaCommands {
			if m.hidden == nil || !m.hidden(s) {
				names = append(names, m.name)
			}
		}
		return false, fmt.Errorf("unknown command %s%s: .help lists them", name, queries.DidYouMean(name, names))
	}
	return m.timed, m.run(s, ctx, strings.TrimSpace(args))
}

// alias maps what psql and duckdb users type to the meta-command that does
// it: exit, quit and \q to .quit; help, \? and \h to .help; \dt and \d
// to .tables, and \d TABLE to .schema TABLE.
func alias(name, args string) (string, string) {
	switch strings.ToLower(strings.TrimRight(name, ";")) {
	case "exit", "quit", `\q`:
		return ".quit", args
	case "help", `\?`, `\h`:
		return ".help", ""
	case `\dt`:
		return ".tables", ""
	case `\d`:
		if args != "" {
			return ".schema", args
		}
		return ".tables", ""
	}
	return name, args
}

func (s *Shell) metaOutput(ctx context.Context, args string) error {
	path, _ := cutArg(args)
	if err := s.closeOutput(); err != nil {
		return err
	}
	if path == "" {
		return nil
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	s.output = f
	return nil
}

func (s *Shell) metaOnce(ctx context.Context, args string) error {
	if path, _ := cutArg(args); path == "" {
		return errors.New("usage: .once FILE")
	}
	if err := s.metaOutput(ctx, args); err != nil {
		return err
	}
	s.once = true
	return nil
}

// maxReadDepth bounds .read inside .read (a file that reads itself).
const maxReadDepth = 16

func (s *Shell) metaRead(ctx context.Context, args string) error {
	path, _ := cutArg(args)
	if path == "" {
		return errors.New("usage: .read FILE")
	}
	if s.depth >= maxReadDepth {
		return fmt.Errorf(".read %s: .read nested %d deep", path, maxReadDepth)
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	s.depth++
	defer func() { s.depth-- }()
	in := newScriptReader(f)
	failed := 0
	for {
		st, err := in.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		quit, err := s.run(ctx, st)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err != nil {
			failed++
			fmt.Fprintln(s.opts.Stderr, s.paint(ansiRed, path+": "+scriptError(st, err)))
		}
		if quit {
			return errQuit
		}
	}
	if failed > 0 {
		return fmt.Errorf(".read %s: %d statements failed (see above)", path, failed)
	}
	return nil
}

func (s *Shell) metaMaxRows(ctx context.Context, args string) error {
	if args == "" {
		fmt.Fprintf(s.opts.Stdout, "maxrows %d\n", s.maxRows)
		return nil
	}
	n, err := strconv.Atoi(args)
	if err != nil || n < 0 {
		return fmt.Errorf("usage: .maxrows N (0 shows all rows), not %q", args)
	}
	s.maxRows = n
	return nil
}

func (s *Shell) metaHelp(context.Context, string) error {
	tw := tabwriter.NewWriter(s.opts.Stdout, 0, 4, 2, ' ', 0)
	for _, m := range metaCommands {
		if m.hidden != nil && m.hidden(s) {
			continue
		}
		fmt.Fprintf(tw, "%s %s\t%s\n", m.name, m.args, m.help)
	}
	tw.Flush()
	fmt.Fprintln(s.opts.Stdout, "\nSQL statements end with ; and may span lines. Tab completes; Ctrl-C cancels a running query.\n"+
		"Panther's macros work in any statement: p_occurs_between('2024-06-01', '2024-06-02'), p_occurs_since('6h').")
	return nil
}

// query renders the result of a fixed query of the shell's own (not kept
// as the last result for .export).
func (s *Shell) query(ctx context.Context, q string, args ...any) error {
	return s.runSQL(ctx, q, args, false)
}

func (s *Shell) metaTables(ctx context.Context, args string) error {
	if args != "" {
		return errors.New("usage: .tables")
	}
	return s.query(ctx, `SELECT table_name AS name, 'table' AS kind, estimated_size AS rows, comment AS description
FROM duckdb_tables() WHERE database_name = current_database() AND NOT internal AND NOT temporary
UNION ALL
SELECT view_name, 'view', NULL, comment FROM duckdb_views() WHERE database_name = current_database() AND NOT internal AND NOT temporary
ORDER BY kind, name`)
}

func (s *Shell) metaSchema(ctx context.Context, args string) error {
	if args == "" {
		return s.query(ctx, `SELECT table_name AS "table", column_name AS "column", data_type AS type, comment AS description
FROM duckdb_columns() WHERE database_name = current_database() AND NOT internal
ORDER BY table_name, column_index`)
	}
	table := strings.Trim(args, `"`)
	var n int
	if err := s.conn.QueryRowContext(ctx, `SELECT count(*) FROM duckdb_columns() WHERE database_name = current_database() AND table_name = ?`, table).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return fmt.Errorf("no table %s: .tables lists them", table)
	}
	return s.query(ctx, `SELECT column_name AS "column", data_type AS type, comment AS description
FROM duckdb_columns() WHERE database_name = current_database() AND table_name = ?
ORDER BY column_index`, table)
}

func (s *Shell) metaLoad(ctx context.Context, args string) error {
	sources := splitArgs(args)
	if len(sources) == 0 {
		return errors.New("usage: .load SOURCE... (files, folders, globs, s3://bucket/prefix)")
	}
	if slices.Contains(sources, "-") {
		return errors.New(".load -: standard input is the shell's own input; pipe logs to 's3logs load -' instead")
	}
	return s.printSummary(s.writing(ctx, func(ctx context.Context) (string, error) { return s.opts.Load(ctx, sources) }))
}

func (s *Shell) metaDemo(ctx context.Context, args string) error {
	return s.printSummary(s.writing(ctx, s.opts.Demo))
}

// writing runs a hook that writes to the database (.load, .demo). On a
// database the shell has open read-only (so that other processes can read
// it meanwhile) the hook reopens it read-write and back (db.DB.Reopen), which
// needs the shell's own connection closed first: it is taken again after,
// a new session, so SET and temporary tables do not survive a load.
func (s *Shell) writing(ctx context.Context, hook func(context.Context) (string, error)) (string, error) {
	if !s.db.ReadOnly {
		return hook(ctx)
	}
	s.conn.Close()
	msg, err := hook(ctx)
	conn, cerr := s.db.Conn(ctx)
	if cerr != nil {
		return msg, errors.Join(err, fmt.Errorf("reconnect to the database: %w", cerr))
	}
	s.conn = conn
	s.comp.invalidate()
	return msg, err
}

func (s *Shell) printSummary(summary string, err error) error {
	if summary != "" {
		fmt.Fprintln(s.opts.Stdout, summary)
	}
	return err
}

func (s *Shell) metaQueries(ctx context.Context, args string) error {
	tw := tabwriter.NewWriter(s.opts.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "NAME\tPARAMETERS\tTITLE\n")
	n := 0
	var overrides []*queries.Query
	for _, q := range s.opts.Catalog.List() {
		if args != "" && !strings.Contains(strings.ToLower(q.Name+" "+q.Title+" "+strings.Join(q.Tags, " ")), strings.ToLower(args)) {
			continue
		}
		var ps []string
		for _, p := range q.Params {
			ps = append(ps, p.Name+"="+p.Type.String())
		}
		name := q.Name
		if q.OverrideNote() != "" {
			name += "*"
			overrides = append(overrides, q)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", name, strings.Join(ps, " "), q.Title)
		n++
	}
	tw.Flush()
	for _, q := range overrides {
		fmt.Fprintf(s.opts.Stdout, "* %s: %s overrides the built-in query\n", q.Name, q.File)
	}
	fmt.Fprintf(s.opts.Stdout, "(%d queries; .run NAME key=value ... runs one)\n", n)
	return nil
}

func (s *Shell) metaRun(ctx context.Context, args string) error {
	words := splitArgs(args)
	if len(words) == 0 {
		return errors.New("usage: .run NAME [key=value ...]: .queries lists the names")
	}
	q, err := s.opts.Catalog.Get(words[0])
	if err != nil {
		return err
	}
	params := map[string]string{}
	for _, w := range words[1:] {
		k, v, ok := strings.Cut(w, "=")
		if !ok {
			return fmt.Errorf("parameter %q: want key=value", w)
		}
		if _, dup := params[k]; dup {
			return fmt.Errorf("parameter %s given twice", k)
		}
		params[k] = v
	}
	now := time.Now()
	text, qargs, err := q.BindAt(params, now)
	var missing *queries.MissingParamError
	if errors.As(err, &missing) {
		return fmt.Errorf("query %s: missing required parameter %s (%s): .run %s %s=VALUE", q.Name, missing.Param, missing.Type, q.Name, missing.Param)
	}
	if err != nil {
		return err
	}
	if note := q.OverrideNote(); note != "" {
		fmt.Fprintln(s.opts.Stderr, note)
	}
	// A saved query may come from someone else's pack: it may only read.
	if err := queries.CheckReadOnly(ctx, s.conn, text); err != nil {
		return fmt.Errorf("%s (%s): %w", q.Name, q.File, err)
	}
	if err := s.runSQL(ctx, text, qargs, true); err != nil || s.rows < 0 {
		return err
	}
	s.note(q.EmptyNote(ctx, s.conn, params, now, func(k, v string) string { return k + "=" + v }))
	return nil
}

func (s *Shell) metaOverview(ctx context.Context, args string) error {
	var since, until time.Time
	words := splitArgs(args)
	now := time.Now()
	for i := 0; i < len(words); i++ {
		name, val, ok := strings.Cut(words[i], "=")
		if !ok && i+1 < len(words) {
			val, ok = words[i+1], true
			i++
		}
		var dst *time.Time
		switch name {
		case "--since", "-since":
			dst = &since
		case "--until", "-until":
			dst = &until
		}
		if dst == nil || !ok {
			return fmt.Errorf("usage: .overview [--since T] [--until T], not %q", words[i])
		}
		t, err := when.Parse(val, now)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		*dst = t
	}
	if !since.IsZero() && !until.IsZero() && !until.After(since) {
		return errors.New("--until must be after --since")
	}
	o := s.renderOptions()
	o.Format, o.MaxCell = render.Table, 80
	return queries.WriteOverview(ctx, s.conn, s.out(), since, until, o)
}

func (s *Shell) metaDetect(ctx context.Context, args string) error {
	return s.opts.Detect(ctx, s.out(), splitArgs(args))
}

func (s *Shell) metaReport(ctx context.Context, args string) error {
	return s.opts.Report(ctx, s.opts.Stdout, splitArgs(args))
}

func (s *Shell) metaExport(ctx context.Context, args string) error {
	force := false
	path, query := cutArg(args)
	for path == "--force" || path == "-force" {
		force = true
		path, query = cutArg(query)
	}
	if first, rest := cutArg(query); first == "--force" || first == "-force" {
		force, query = true, rest
	}
	if path == "" {
		return errors.New("usage: .export [--force] PATH [SQL]")
	}
	var qargs []any
	if query = strings.TrimSpace(query); query != "" {
		expanded, err := queries.Expand(query)
		if err != nil {
			return err
		}
		query = expanded
	} else if s.last.sql != "" {
		query, qargs = s.last.sql, s.last.args
	} else {
		return errors.New("nothing to export yet: run a query first, or give one: .export PATH SELECT ...")
	}
	if err := s.opts.Export(ctx, strings.TrimRight(query, "; \n"), qargs, path, force); err != nil {
		return err
	}
	fmt.Fprintf(s.opts.Stdout, "Wrote %s\n", path)
	return nil
}

func (s *Shell) metaMode(ctx context.Context, args string) error {
	if args == "" {
		fmt.Fprintf(s.opts.Stdout, "mode %s\n", s.mode)
		return nil
	}
	f, err := render.ParseFormat(args)
	if err != nil {
		return err
	}
	s.mode = f
	return nil
}

func (s *Shell) metaTimer(ctx context.Context, args string) error {
	switch args {
	case "on":
		s.timer = true
	case "off":
		s.timer = false
	default:
		return errors.New("usage: .timer on|off")
	}
	return nil
}

// defaultRejects is how many rejected lines .rejects shows.
const defaultRejects = 20

func (s *Shell) metaRejects(ctx context.Context, args string) error {
	n := defaultRejects
	if args != "" {
		var err error
		if n, err = strconv.Atoi(args); err != nil || n <= 0 {
			return fmt.Errorf("usage: .rejects [N]: N must be a positive number, not %q", args)
		}
	}
	return s.query(ctx, fmt.Sprintf(`SELECT source, line, "column", field, reason, raw FROM %s
ORDER BY loaded_at DESC, source, line LIMIT ?`, schema.Quote(schema.RejectsTableName)), n)
}

// splitArgs splits a meta-command's arguments at blanks; 'single' or
// "double" quotes keep blanks inside one argument.
func splitArgs(s string) []string {
	var out []string
	var cur strings.Builder
	var quote rune
	in := false
	for _, r := range s {
		switch {
		case quote != 0 && r == quote:
			quote = 0
		case quote == 0 && (r == '\'' || r == '"'):
			quote, in = r, true
		case quote == 0 && (r == ' ' || r == '\t'):
			if in {
				out = append(out, cur.String())
				cur.Reset()
				in = false
			}
		default:
			cur.WriteRune(r)
			in = true
		}
	}
	if in {
		out = append(out, cur.String())
	}
	return out
}

// cutArg splits off the first argument of s, which may be 'quoted' or
// "quoted", and returns the rest.
func cutArg(s string) (arg, rest string) {
	s = strings.TrimSpace(s)
	if s != "" && (s[0] == '\'' || s[0] == '"') {
		if end := strings.IndexByte(s[1:], s[0]); end >= 0 {
			return s[1 : end+1], strings.TrimSpace(s[end+2:])
		}
	}
	arg, rest, _ = strings.Cut(s, " ")
	return arg, strings.TrimSpace(rest)
}

// sortedKeys returns the keys of m, sorted.
func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
