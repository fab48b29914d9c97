package main

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/s3logs/s3logs/internal/render"
	"github.com/s3logs/s3logs/queries"
)

func init() {
	register(&command{
		Name:    "queries",
		Usage:   "queries list|show NAME|run NAME [--param key=value ...] [--format FORMAT] [--db PATH] [--queries-dir DIR]",
		Summary: "List, show and run saved investigation queries",
		Help: `Saved queries answer the questions investigators ask of S3 access logs:
who touched a bucket or object, from where, with what, and how much they took.
They ship inside s3logs; your own .sql files in the queries folder (default
the s3logs/queries folder of your user config directory, or --queries-dir) are
added, and one with the same name replaces the built-in one.

  list           names, titles and parameters (--tag TAG to filter)
  show NAME      the query's description, parameters and SQL
  run NAME       run it: --param key=value for each parameter (repeatable);
                 values are bound, never pasted into the SQL

A query file starts with a strict header of "-- key: value" lines (name, title,
description, tags, param), then SQL that names parameters as $name:

  -- name: my_query
  -- title: Requests for a bucket
  -- param: bucket string required "Bucket name"
  -- param: start timestamp default=now-7d

  SELECT * FROM aws_s3serveraccess WHERE bucket = $bucket AND p_event_time >= $start

Parameter types: string, int, bool, timestamp (RFC 3339, 2006-01-02, now,
now-7d, 24h), cidr, list (comma-separated); one_of=a|b|c limits a string. Panther's macros
p_occurs_between and p_occurs_since work in saved queries too.`,
		Examples: []string{
			"s3logs queries list",
			"s3logs queries show ips_for_bucket",
			"s3logs queries run ips_for_bucket --param bucket=my-bucket --param start=2024-06-01",
			"s3logs queries run top_ips --format csv --param limit=50",
		},
		Run: runQueries,
	})
}

type queriesFlags struct {
	fs      *flag.FlagSet
	db      *string
	dir     *string
	format  *string
	tag     *string
	params  paramFlag
	explain *bool
	intel   *intelFlags
}

// newQueriesFlags defines the flags of every queries subcommand.
func newQueriesFlags() *queriesFlags {
	f := &queriesFlags{fs: newFlagSet("queries")}
	f.db = dbFlag(f.fs)
	f.dir = queriesDirFlag(f.fs)
	f.format = formatFlag(f.fs, render.Formats(), "table")
	f.tag = f.fs.String("tag", "", "list only queries with this `TAG`")
	f.params = paramsFlag(f.fs)
	f.explain = f.fs.Bool("sql", false, "run: print the SQL and bound values instead of running it")
	f.intel = defineIntelFlags(f.fs)
	return f
}

// runQueries dispatches list, show and run.
func runQueries(ctx context.Context, env *Env, args []string) error {
	f := newQueriesFlags()
	if err := env.Parse(f.fs, args); err != nil {
		return err
	}
	words := f.fs.Args()
	if len(words) == 0 {
		return usagef("want list, show NAME or run NAME")
	}
	cat, err := loadCatalog(*f.dir) // cmd_repl.go: built-ins, the default folder, then --queries-dir
	if err != nil {
		return err
	}
	sub, rest := words[0], words[1:]
	want := map[string]int{"list": 0, "show": 1, "run": 1}
	n, ok := want[sub]
	if !ok {
		return usagef("unknown subcommand %q: want list, show NAME or run NAME", sub)
	}
	if len(rest) != n {
		if n == 0 {
			return usagef("list takes no arguments, got %q", strings.Join(rest, " "))
		}
		return usagef("%s wants one query NAME (see 's3logs queries list')", sub)
	}
	if sub != "run" && len(f.params) > 0 {
		return usagef("--param is for run")
	}
	switch sub {
	case "list":
		return env.listQueries(cat, *f.tag)
	case "show":
		q, err := cat.Get(rest[0])
		if err != nil {
			return err
		}
		env.showQuery(q)
		return nil
	}
	return env.runSavedQuery(ctx, cat, rest[0], f)
}

// listQueries prints one line per saved query, optionally only those with tag.
func (env *Env) listQueries(cat *queries.Catalog, tag string) error {
	var list []*queries.Query
	for _, q := range cat.List() {
		if tag == "" || hasTag(q, tag) {
			list = append(list, q)
		}
	}
	if len(list) == 0 && tag != "" { // an error only, not a header over nothing
		return fmt.Errorf("no saved query has tag %q", tag)
	}
	tw := tabwriter.NewWriter(env.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tTITLE\tPARAMETERS")
	var overrides []*queries.Query
	for _, q := range list {
		name := q.Name
		if q.OverrideNote() != "" {
			name += "*"
			overrides = append(overrides, q)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", name, q.Title, paramSummary(q))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, q := range overrides {
		fmt.Fprintf(env.Stdout, "* %s: %s overrides the built-in query\n", q.Name, q.File)
	}
	return nil
}

// hasTag reports whether q is tagged tag.
func hasTag(q *queries.Query, tag string) bool {
	for _, t := range q.Tags {
		if t == tag {
			return true
		}
	}
	return false
}

// paramSummary is "bucket! start=now-30d": required parameters end in !.
func paramSummary(q *queries.Query) string {
	var parts []string
	for _, p := range q.Params {
		switch {
		case p.Required:
			parts = append(parts, p.Name+"!")
		case p.HasDefault:
			def := p.Default
			if len(def) > 20 {
				def = def[:19] + "…"
			}
			parts = append(parts, p.Name+"="+def)
		default:
			parts = append(parts, p.Name)
		}
	}
	return strings.Join(parts, " ")
}

// showQuery prints a query's metadata, parameters and SQL.
func (env *Env) showQuery(q *queries.Query) {
	w := env.Stdout
	fmt.Fprintf(w, "%s: %s\n", q.Name, q.Title)
	if q.Description != "" {
		fmt.Fprintf(w, "\n%s\n", q.Description)
	}
	if len(q.Tags) > 0 {
		fmt.Fprintf(w, "\nTags: %s\n", strings.Join(q.Tags, ", "))
	}
	fmt.Fprintf(w, "Source: %s\n", q.File)
	if q.Overrides != "" {
		fmt.Fprintf(w, "Overrides: %s\n", q.Overrides)
	}
	if len(q.Params) > 0 {
		fmt.Fprintf(w, "\nParameters:\n")
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		for _, p := range q.Params {
			def := "optional"
			switch {
			case p.Required:
				def = "required"
			case p.HasDefault:
				def = "default " + p.Default
			}
			typ := p.Type.String()
			if len(p.OneOf) > 0 {
				typ = strings.Join(p.OneOf, "|")
			}
			fmt.Fprintf(tw, "  --param %s=\t%s\t%s\t%s\n", p.Name, typ, def, p.Description)
		}
		tw.Flush()
	}
	fmt.Fprintf(w, "\n%s\n", q.SQL)
}

// runSavedQuery binds the --param values to the query called name and
// prints its rows (or, with --sql, the SQL and the bound values). The
// query runs sandboxed: it must be one read-only query
// (queries.CheckReadOnly), on a database opened read-only without external
// access (db.OpenSandbox), since a saved query may come from anyone.
func (env *Env) runSavedQuery(ctx context.Context, cat *queries.Catalog, name string, f *queriesFlags) error {
	q, err := cat.Get(name)
	if err != nil {
		return err
	}
	format, err := render.ParseFormat(*f.format)
	if err != nil {
		return usagef("--format: %v", err)
	}
	now := time.Now()
	text, args, err := q.BindAt(f.params, now)
	if err != nil {
		return usagef("%v", err)
	}
	if *f.explain {
		fmt.Fprintln(env.Stdout, text)
		for _, a := range args {
			na := a.(sql.NamedArg)
			v := fmt.Sprintf("%q", na.Value)
			switch x := na.Value.(type) {
			case nil:
				v = "NULL"
			case time.Time:
				v = x.Format(time.RFC3339Nano)
			case int64, bool, float64:
				v = fmt.Sprint(x)
			}
			fmt.Fprintf(env.Stdout, "-- $%s = %s\n", na.Name, v)
		}
		return nil
	}
	if note := q.OverrideNote(); note != "" {
		fmt.Fprintln(env.Stderr, note)
	}
	d, err := env.openSandbox(ctx, *f.db)
	if err != nil {
		return err
	}
	defer d.Close()
	_, done, err := f.intel.apply(ctx, d)
	if err != nil {
		return err
	}
	defer done()
	if err := queries.CheckReadOnly(ctx, d, text); err != nil {
		return fmt.Errorf("query %s (%s): %w", q.Name, q.File, err)
	}
	run := render.Runner{Conn: d, Out: env.Stdout}
	st := render.Statement{SQL: text, Args: args, NoResult: queries.NoResult(text)}
	if _, err := run.Run(ctx, st, env.terminalOptions(render.Options{Format: format})); err != nil {
		return fmt.Errorf("query %s (%s): %w", q.Name, q.File, err)
	}
	// A relative window that holds none of the data gets a note, whatever
	// the rows (a count of 0 is one row).
	note, err := q.EmptyNote(ctx, d, f.params, now, func(k, v string) string { return "--param " + k + "=" + v })
	if err != nil {
		return err
	}
	if note != "" {
		fmt.Fprintln(env.Stderr, "s3logs: "+note)
	}
	return nil
}
