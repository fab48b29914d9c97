package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"sort"
	"strings"

	"golang.org/x/term"

	"github.com/s3logs/s3logs/internal/db"
	"github.com/s3logs/s3logs/queries"
)

// command is one subcommand. Each lives in its own file and registers
// itself from init() with register. Run parses its own flags with
// env.Parse (which prints the generated help for -h/--help) and returns an
// error: a usageError (exit 2), errRejected (exit 3), or anything else
// (exit 1, printed as "s3logs: <msg>").
type command struct {
	Name     string   // the word after s3logs: load, query, repl...
	Usage    string   // one line synopsis without "s3logs ": "load [--db PATH] SOURCE..."
	Summary  string   // one line, shown by s3logs help
	Help     string   // paragraphs shown by --help
	Examples []string // full command lines, shown by --help
	Run      func(ctx context.Context, env *Env, args []string) error
}

// commands is the registry filled by register from init functions.
var commands = map[string]*command{}

// register adds c to the registry; it panics on a duplicate name, which is a
// programming error caught by any test.
func register(c *command) {
	if _, dup := commands[c.Name]; dup {
		panic("s3logs: command registered twice: " + c.Name)
	}
	commands[c.Name] = c
}

// Env is what a command may touch of the outside world. run makes one per
// invocation; tests make their own through run.
type Env struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer

	cmd *command // the command being run, for its help
}

// usageError is a mistake in the command line: exit code 2, with a hint to
// run --help.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

// usagef returns a usageError with a formatted message.
func usagef(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// errRejected is returned (possibly wrapped) by a load that succeeded but
// rejected some lines: exit code 3. The summary has been printed already.
var errRejected = errors.New("some lines were rejected")

// rejectedError is a load's errRejected with its own message.
type rejectedError struct{ msg string }

func (e *rejectedError) Error() string        { return e.msg }
func (e *rejectedError) Is(target error) bool { return target == errRejected }

// errHelp is returned by Env.Parse after it printed the help: exit code 0.
var errHelp = errors.New("help requested")

// Exit codes of s3logs.
const (
	exitOK       = 0
	exitError    = 1
	exitUsage    = 2
	exitRejected = 3
	// exitInterrupted is the status after Ctrl-C (or SIGTERM) stopped a
	// command: 128 + SIGINT, as shells report it.
	exitInterrupted = 130
)

// run is the whole program: it picks the subcommand, runs it and turns its
// error into an exit code. Only run chooses exit codes.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	env := &Env{Stdin: stdin, Stdout: stdout, Stderr: stderr}
	if len(args) == 0 {
		if c := commands["repl"]; c != nil && env.IsTerminal(stdin) && env.IsTerminal(stdout) {
			return env.exec(ctx, c, nil)
		}
		env.printOverview(stdout)
		return exitOK
	}
	switch name := args[0]; name {
	case "help", "-h", "-help", "--help":
		if len(args) > 1 && name == "help" {
			c := commands[args[1]]
			if c == nil {
				fmt.Fprintf(stderr, "s3logs: unknown command %q%s; run 's3logs help' for the list\n", args[1], queries.DidYouMean(args[1], commandNames()))
				return exitUsage
			}
			return env.exec(ctx, c, []string{"--help"})
		}
		env.printOverview(stdout)
		return exitOK
	case "--version", "-version":
		if c := commands["version"]; c != nil {
			return env.exec(ctx, c, args[1:])
		}
	}
	c := commands[args[0]]
	if c == nil {
		fmt.Fprintf(stderr, "s3logs: unknown command %q%s; run 's3logs help' for the list\n", args[0], queries.DidYouMean(args[0], commandNames()))
		return exitUsage
	}
	return env.exec(ctx, c, args[1:])
}

// exec runs c and maps its error to an exit code.
func (env *Env) exec(ctx context.Context, c *command, args []string) int {
	env.cmd = c
	err := c.Run(ctx, env, args)
	var ue *usageError
	switch {
	case err == nil, errors.Is(err, errHelp):
		return exitOK
	case errors.As(err, &ue):
		fmt.Fprintf(env.Stderr, "s3logs %s: %s\nRun 's3logs %s --help' for usage.\n", c.Name, ue.msg, c.Name)
		return exitUsage
	case errors.Is(err, errRejected):
		if err != errRejected {
			fmt.Fprintf(env.Stderr, "s3logs: %s\n", err)
		}
		return exitRejected
	case ctx.Err() != nil && errors.Is(err, context.Canceled):
		msg := strings.TrimSuffix(err.Error(), ": "+context.Canceled.Error())
		if err == context.Canceled || msg == "" {
			msg = "interrupted"
		}
		fmt.Fprintf(env.Stderr, "s3logs: %s\n", msg)
		return exitInterrupted
	default:
		fmt.Fprintf(env.Stderr, "s3logs: %s\n", err)
		return exitError
	}
}

// Parse parses args into fs (which should have been made with
// flag.ContinueOnError). Flags may come before, between and after the
// positional arguments ("load s3://b/p/ --endpoint-url URL"), which
// fs.Args() returns in order afterwards; "--" ends the flags, so that a
// positional argument may start with "-". On -h, -help or --help before
// "--" it prints the command's help, with fs's flags, and returns errHelp;
// a bad flag gives a usageError. Every command calls it, even one without
// flags, so that --help works everywhere.
func (env *Env) Parse(fs *flag.FlagSet, args []string) error {
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	var words []string
	for {
		err := fs.Parse(args)
		if errors.Is(err, flag.ErrHelp) {
			env.printHelp(env.Stdout, fs)
			return errHelp
		}
		if err != nil {
			return &usageError{msg: flagError(fs, err)}
		}
		rest := fs.Args()
		if len(rest) == 0 {
			break
		}
		if endedFlags(fs, args, len(args)-len(rest)) {
			words = append(words, rest...)
			break
		}
		// flag stopped at a positional argument: keep it, parse on after it.
		words = append(words, rest[0])
		args = rest[1:]
	}
	return fs.Parse(append([]string{"--"}, words...)) // fs.Args() = words
}

// endedFlags reports whether fs.Parse(args) stopped because it consumed a
// "--" (args[consumed-1]) that ends the flags, rather than at a positional
// argument; a "--" that is the value of a flag ("--param --") ends nothing.
func endedFlags(fs *flag.FlagSet, args []string, consumed int) bool {
	if consumed == 0 || args[consumed-1] != "--" {
		return false
	}
	if consumed < 2 {
		return true
	}
	prev := args[consumed-2]
	if !strings.HasPrefix(prev, "-") {
		return true
	}
	name := strings.TrimPrefix(strings.TrimPrefix(prev, "-"), "-")
	if name == "" || strings.Contains(name, "=") {
		return true
	}
	f := fs.Lookup(name)
	if f == nil {
		return true
	}
	if b, ok := f.Value.(interface{ IsBoolFlag() bool }); ok && b.IsBoolFlag() {
		return true
	}
	return false // "--" was prev's value
}

// printHelp writes the command's generated help: usage, help text, flags
// and examples.
func (env *Env) printHelp(w io.Writer, fs *flag.FlagSet) {
	c := env.cmd
	if c == nil {
		env.printOverview(w)
		return
	}
	fmt.Fprintf(w, "Usage: s3logs %s\n\n%s\n", c.Usage, c.Summary)
	if c.Help != "" {
		fmt.Fprintf(w, "\n%s\n", strings.TrimRight(c.Help, "\n"))
	}
	if fs != nil && hasFlags(fs) {
		printFlags(w, fs)
	}
	if len(c.Examples) > 0 {
		fmt.Fprintf(w, "\nExamples:\n")
		for _, e := range c.Examples {
			fmt.Fprintf(w, "  %s\n", e)
		}
	}
}

// s3FlagNames are the flags that only concern s3:// sources and
// destinations (awsFlags and defineS3Flags); help lists them apart.
var s3FlagNames = []string{"region", "profile", "endpoint-url", "no-sign-request", "concurrency", "watch"}

// printFlags writes fs's flags as the usage line spells them (--name ARG),
// each with its help and default, the S3 flags under a heading of their
// own.
func printFlags(w io.Writer, fs *flag.FlagSet) {
	var general, s3 []*flag.Flag
	fs.VisitAll(func(f *flag.Flag) {
		if slices.Contains(s3FlagNames, f.Name) {
			s3 = append(s3, f)
		} else {
			general = append(general, f)
		}
	})
	for _, g := range []struct {
		title string
		flags []*flag.Flag
	}{{"Flags", general}, {"S3 flags (s3:// sources)", s3}} {
		if len(g.flags) == 0 {
			continue
		}
		fmt.Fprintf(w, "\n%s:\n", g.title)
		for _, f := range g.flags {
			arg, usage := flag.UnquoteUsage(f)
			line := "  --" + f.Name
			if arg != "" {
				line += " " + arg
			}
			if f.DefValue != "" && f.DefValue != "false" && f.DefValue != "0" && f.DefValue != "0s" && f.DefValue != "[]" && !strings.Contains(usage, "(default") {
				usage += fmt.Sprintf(" (default %q)", f.DefValue)
			}
			fmt.Fprintf(w, "%s\n    \t%s\n", line, strings.ReplaceAll(usage, "\n", "\n    \t"))
		}
	}
}

func hasFlags(fs *flag.FlagSet) bool {
	n := 0
	fs.VisitAll(func(*flag.Flag) { n++ })
	return n > 0
}

// printOverview writes the list of commands.
func (env *Env) printOverview(w io.Writer) {
	fmt.Fprintf(w, "s3logs turns AWS S3 server access logs into a local SQL workspace (DuckDB).\n\n")
	fmt.Fprintf(w, "Usage: s3logs COMMAND [flags] [args]\n\nCommands:\n")
	names := make([]string, 0, len(commands))
	width := 0
	for n := range commands {
		names = append(names, n)
		width = max(width, len(n))
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-*s  %s\n", width, n, commands[n].Summary)
	}
	fmt.Fprintf(w, "\nRun 's3logs demo' to see it work on sample logs, 's3logs COMMAND --help' for a command's\nflags and examples.\n")
	fmt.Fprintf(w, "Exit codes: 0 ok, 1 error, 2 usage error, 3 loaded but some lines were rejected, 130 interrupted.\n")
}

// newFlagSet returns an empty flag set for the command called name, ready
// for Env.Parse.
func newFlagSet(name string) *flag.FlagSet {
	return flag.NewFlagSet(name, flag.ContinueOnError)
}

// OpenDB opens the database at path (db.Memory for in-memory) with the
// tables and Panther names in place, and turns the common failures into a
// message that names the file and what to do. The caller closes it.
func (env *Env) OpenDB(ctx context.Context, path string) (*db.DB, error) {
	return openDBWith(ctx, path, db.Options{})
}

// openDBWith opens the database as OpenDB does, read-only when opts say so
// (the commands that only read, which may run side by side).
func openDBWith(ctx context.Context, path string, opts db.Options) (*db.DB, error) {
	d, err := db.OpenWith(ctx, path, opts)
	if err != nil {
		return nil, openError(path, err)
	}
	return d, nil
}

// openError turns an error of db.OpenWith into a message that names the
// file and what to do.
func openError(path string, err error) error {
	var locked *db.LockedError
	switch {
	case errors.Is(err, db.ErrNoDatabase):
		return fmt.Errorf("no database %s: load logs first with 's3logs load --db %s SOURCE...', or try 's3logs demo'", path, path)
	case errors.As(err, &locked) && (locked.ReadOnly || locked.Readers):
		return locked // its message says which kind of process holds the file and what to do
	case errors.As(err, &locked):
		return fmt.Errorf("database %s is in use by another s3logs or duckdb process; close it or choose another file with --db: %w", path, locked)
	default:
		// Keep DuckDB's own words: drop the "open PATH: database/sql/driver:
		// could not connect to database:" the layers put before them.
		msg := err.Error()
		if i := strings.LastIndex(msg, "could not connect to database: "); i >= 0 {
			msg = msg[i+len("could not connect to database: "):]
		}
		return fmt.Errorf("cannot open database %s: %s", path, msg)
	}
}

// IsTerminal reports whether v (a reader or writer from Env) is a terminal.
func (env *Env) IsTerminal(v any) bool {
	f, ok := v.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// OnInterrupt makes SIGINT call fn instead of cancelling the run (the shell
// uses it to cancel one query), until the returned restore is called.
// Handlers nest: the most recent one wins.
func (env *Env) OnInterrupt(fn func()) (restore func()) {
	interrupts.Lock()
	interrupts.handlers = append(interrupts.handlers, fn)
	n := len(interrupts.handlers)
	interrupts.Unlock()
	return func() {
		interrupts.Lock()
		defer interrupts.Unlock()
		if len(interrupts.handlers) >= n {
			interrupts.handlers = interrupts.handlers[:n-1]
		}
	}
}

// flagError words a flag parsing error with the flag as the usage line
// spells it (--name) and, for an unknown flag, the flags it may have meant.
func flagError(fs *flag.FlagSet, err error) string {
	msg := err.Error()
	const undefined = "flag provided but not defined: -"
	if name, ok := strings.CutPrefix(msg, undefined); ok {
		var names []string
		fs.VisitAll(func(f *flag.Flag) { names = append(names, "--"+f.Name) })
		return "unknown flag --" + name + queries.DidYouMean("--"+name, names)
	}
	// The flag package names a flag -name in its other errors: "invalid
	// value "x" for flag -name: ...", "invalid boolean value "x" for -name:
	// ...", "flag needs an argument: -name". The value, quoted before the
	// name, may hold anything, so the name is looked for after it.
	if name, ok := strings.CutPrefix(msg, "flag needs an argument: -"); ok {
		return "flag needs an argument: --" + name
	}
	found := ""
	fs.VisitAll(func(f *flag.Flag) {
		for _, p := range []string{"\" for flag -", "\" for -"} {
			if i := strings.LastIndex(msg, p+f.Name+": "); i >= 0 && found == "" {
				found = msg[:i+len(p)] + "-" + msg[i+len(p):]
			}
		}
	})
	if found != "" {
		return found
	}
	return msg
}

// commandNames lists the registered commands.
func commandNames() []string {
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
