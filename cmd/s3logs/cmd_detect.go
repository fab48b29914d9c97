package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/s3logs/s3logs/internal/when"
	"github.com/s3logs/s3logs/queries"
)

func init() {
	register(&command{
		Name:    "detect",
		Usage:   "detect [--db PATH] [--rule ID]... [--all] [--since AGE|TIME] [--until TIME] [--format table|json] [--config FILE]",
		Summary: "Run Panther's, Tailpipe's and s3logs' detections and print alerts",
		Help: `Runs detection rules over the loaded logs and prints their alerts, grouped
as Panther groups them: events of a rule with the same title form one alert
per dedup window (the window starts at the first event), and a window becomes
an alert once its event count reaches the rule's threshold. Each alert shows
the rule, severity, title, first and last event time, event count and the
first sample events.

Rules: Panther's five for AWS.S3ServerAccess (Error and Insecure are on by
default; IPWhitelist, Unauthenticated and UnknownRequester are off, as in
Panther, until named with --rule, enabled in the config file or --all),
Tailpipe's six (TLS 1.0, logged as TLSv1, is caught; TLS is compared
case-insensitively), and s3logs' own: a burst of AccessDenied from one
principal, mass deletion, and a new IP on a sensitive bucket (on when
sensitive buckets are configured). 'detect --list' lists them.

The config file is JSON; every key is optional and replaces the default:
  {"allowed_networks": ["10.0.0.0/8"], "monitored_buckets": [],
   "auth_buckets": ["example-bucket"],
   "bucket_roles": [{"bucket": "data-*", "roles": ["arn:aws:sts::*:assumed-role/etl-*/*"]}],
   "insecure_tls_versions": ["TLSv1", "TLSv1.0", "TLSv1.1"],
   "suspicious_user_agents": ["curl", "python", "..."],
   "business_hours": {"start": 8, "end": 18},
   "large_response_bytes": 100000000, "large_object_bytes": 10000000,
   "sensitive_buckets": ["payroll"], "new_ip_baseline_hours": 168,
   "rules": {"AWS.S3.ServerAccess.IPWhitelist": {"enabled": true, "threshold": 1, "dedup_minutes": 60}}}
The list flags below replace the matching config list.

--format json prints one JSON object per alert per line. detect exits 0
whether or not alerts fire (alerts are findings, not failures); it exits 1 on
an error and 2 on a usage error.`,
		Examples: []string{
			"s3logs detect",
			"s3logs detect --since 7d --format json",
			"s3logs detect --rule AWS.S3.ServerAccess.IPWhitelist --allow-cidr 10.0.0.0/8 --allow-cidr 203.0.113.0/24",
			"s3logs detect --all --config detect.json",
			"s3logs detect --list",
		},
		Run: runDetect,
	})
}

// listFlag collects a repeatable flag; commas also separate values.
type listFlag struct {
	vals []string
	set  bool
}

// String is for flag.Value.
func (l *listFlag) String() string { return strings.Join(l.vals, ",") }

// Set appends the comma-separated values of one occurrence.
func (l *listFlag) Set(v string) error {
	l.set = true
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			l.vals = append(l.vals, s)
		}
	}
	return nil
}

type detectFlags struct {
	db, format, config                     *string
	window                                 *window
	all, list                              *bool
	samples                                *int
	rules, allow, monitor, auth, sensitive listFlag
}

// detectFormats are the values of detect's --format: json is one object
// per alert.
var detectFormats = []string{"table", "json"}

// newDetectFlags defines detect's flags on fs; relative --since and
// --until count back from now.
func newDetectFlags(fs *flag.FlagSet, now time.Time) *detectFlags {
	f := &detectFlags{}
	f.db = dbFlag(fs)
	f.window = windowFlags(fs, now)
	f.format = formatFlag(fs, detectFormats, "table")
	f.config = fs.String("config", "", "JSON detection settings `FILE` (see above)")
	f.all = fs.Bool("all", false, "run every rule, including those off by default")
	f.list = fs.Bool("list", false, "list the rules and exit")
	f.samples = fs.Int("samples", 3, "sample events per alert")
	fs.Var(&f.rules, "rule", "run only rule `ID` (repeatable; runs it even if off by default)")
	fs.Var(&f.allow, "allow-cidr", "IPWhitelist: allowed network `CIDR` (repeatable)")
	fs.Var(&f.monitor, "monitor-bucket", "IPWhitelist: watch only `BUCKET` (repeatable)")
	fs.Var(&f.auth, "auth-bucket", "Unauthenticated: `BUCKET` that must see only authenticated requests (repeatable)")
	fs.Var(&f.sensitive, "sensitive-bucket", "new_ip_sensitive_bucket: sensitive `BUCKET` (repeatable; turns the rule on)")
	return f
}

// runDetect runs the selected rules and prints their alerts; alerts are not
// an error, so it returns nil when they fire.
func runDetect(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet("detect")
	f := newDetectFlags(fs, time.Now())
	if err := env.Parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	if *f.list {
		return env.listRules()
	}
	opts, err := f.options()
	if err != nil {
		return err
	}
	d, err := env.openExisting(ctx, *f.db)
	if err != nil {
		return err
	}
	defer d.Close()
	return f.detect(ctx, d.DB, env.Stdout, env.Stderr, opts)
}

// detect runs the rules opts selects on d and writes their alerts to w in
// the --format: what s3logs detect and the shell's .detect share. When no
// alert fired and a relative --since or --until holds none of the data, a
// note on notes says so, with the data's span and the --since that covers it.
func (f *detectFlags) detect(ctx context.Context, d *sql.DB, w, notes io.Writer, opts queries.Options) error {
	alerts, err := queries.Detect(ctx, d, opts)
	if err != nil {
		return err
	}
	if len(alerts) == 0 && f.window.relative() {
		span, err := queries.DataSpan(ctx, d)
		if err != nil {
			return err
		}
		if !span.Covers(opts.Since, opts.Until) {
			fmt.Fprintln(notes, "s3logs: "+queries.EmptyWindow(f.window.describe(), span, f.window.anchored(span)))
		}
	}
	if *f.format == "json" {
		return writeAlertsJSON(w, alerts)
	}
	return writeAlertsTable(w, alerts)
}

// relative reports whether --since or --until counts back from now.
func (w *window) relative() bool {
	for _, v := range []timeValue{w.since, w.until} {
		if v.text == "" {
			continue
		}
		if t, err := when.Parse(v.text, v.now.Add(-time.Hour)); err == nil && !t.Equal(v.t) {
			return true
		}
	}
	return false
}

// anchored is the --since (and --until) that ask for the same window
// anchored to the data's last event rather than the clock.
func (w *window) anchored(span queries.Span) string {
	try := "--since " + span.Since()
	if w.since.text != "" {
		try = "--since " + span.Back(w.since.now.Sub(w.since.t))
	}
	if d := w.until.now.Sub(w.until.t); w.until.text != "" && d > 0 {
		try += " --until " + span.Back(d)
	} else if w.until.text != "" {
		try += " --until " + span.Until()
	}
	return try
}

// describe is the window as given: "--since 7d (2026-11-29 06:40:00)".
func (w *window) describe() string {
	var parts []string
	for _, v := range []struct {
		flag string
		tv   timeValue
	}{{"--since", w.since}, {"--until", w.until}} {
		if v.tv.text != "" {
			parts = append(parts, fmt.Sprintf("%s %s (%s)", v.flag, v.tv.text, v.tv.t.Format("2006-01-02 15:04:05")))
		}
	}
	return strings.Join(parts, " ")
}

// options checks the flags and turns them into detection options.
func (f *detectFlags) options() (queries.Options, error) {
	var opts queries.Options
	if !slices.Contains(detectFormats, *f.format) {
		return opts, usagef("--format: want %s, got %q", strings.Join(detectFormats, " or "), *f.format)
	}
	if *f.samples < 0 {
		return opts, usagef("--samples must not be negative")
	}
	var err error
	if opts.Since, opts.Until, err = f.window.bounds(); err != nil {
		return opts, err
	}
	c := queries.DefaultConfig()
	if *f.config != "" {
		if c, err = queries.LoadConfig(*f.config); err != nil {
			return opts, err
		}
	}
	for _, o := range []struct {
		flag *listFlag
		dst  *[]string
	}{{&f.allow, &c.AllowedNetworks}, {&f.monitor, &c.MonitoredBuckets}, {&f.auth, &c.AuthBuckets}, {&f.sensitive, &c.SensitiveBuckets}} {
		if o.flag.set {
			*o.dst = o.flag.vals
		}
	}
	if err := c.Validate(); err != nil {
		return opts, usagef("%v", err)
	}
	opts.Config, opts.Rules, opts.All = c, f.rules.vals, *f.all
	opts.Samples = *f.samples
	if opts.Samples == 0 {
		opts.Samples = -1 // Detect's 0 means the default
	}
	if _, err := opts.Selected(); err != nil {
		return opts, usagef("--rule: %v", err)
	}
	return opts, nil
}

// listRules prints every rule with its defaults.
func (env *Env) listRules() error {
	tw := tabwriter.NewWriter(env.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSEVERITY\tDEFAULT\tTHRESHOLD\tDEDUP\tMITRE\tNAME")
	for _, r := range queries.Rules {
		on := "off"
		if r.Enabled {
			on = "on"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t%s\t%s\n", r.ID, r.Severity, on, r.Threshold, shortDuration(r.Dedup), strings.Join(r.MITRE, ","), r.Name)
	}
	return tw.Flush()
}

// shortDuration prints a dedup window as 3h or 10m.
func shortDuration(d time.Duration) string {
	if d%time.Hour == 0 {
		return fmt.Sprintf("%dh", d/time.Hour)
	}
	return fmt.Sprintf("%dm", d/time.Minute)
}

// writeAlertsJSON writes one JSON object per alert per line.
func writeAlertsJSON(w io.Writer, alerts []queries.Alert) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for _, a := range alerts {
		if a.Samples == nil {
			a.Samples = []queries.Event{}
		}
		if err := enc.Encode(a); err != nil {
			return err
		}
	}
	return nil
}

// writeAlertsTable writes an aligned table of alerts, then each alert's
// sample events.
func writeAlertsTable(w io.Writer, alerts []queries.Alert) error {
	if len(alerts) == 0 {
		_, err := fmt.Fprintln(w, "No alerts.")
		return err
	}
	const ts = "2006-01-02 15:04:05"
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "#\tSEVERITY\tRULE\tTITLE\tFIRST (UTC)\tLAST (UTC)\tCOUNT")
	for i, a := range alerts {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%d\n", i+1, a.Severity, a.RuleID, a.Title, a.First.Format(ts), a.Last.Format(ts), a.Count)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	noun := "alerts"
	if len(alerts) == 1 {
		noun = "alert"
	}
	fmt.Fprintf(w, "\n%d %s. Sample events:\n", len(alerts), noun)
	for i, a := range alerts {
		if len(a.Samples) == 0 {
			continue
		}
		fmt.Fprintf(w, "\n#%d %s\n", i+1, a.Title)
		for _, e := range a.Samples {
			fmt.Fprintf(w, "  %s\n", sampleLine(e))
		}
	}
	return nil
}

// sampleLine is one event on one line: time, who, from where, what, outcome.
func sampleLine(e queries.Event) string {
	or := func(s string) string {
		if s == "" {
			return "-"
		}
		return s
	}
	status := "-"
	if e.HTTPStatus != nil {
		status = fmt.Sprint(*e.HTTPStatus)
	}
	target := or(e.Bucket)
	if e.Key != "" {
		target += "/" + e.Key
	}
	parts := []string{e.Time.Format("2006-01-02 15:04:05"), or(e.RemoteIP), or(e.Requester), or(e.Operation), target, status}
	if e.ErrorCode != "" {
		parts = append(parts, e.ErrorCode)
	}
	if e.TLSVersion != "" {
		parts = append(parts, e.TLSVersion)
	}
	parts = append(parts, fmt.Sprintf("%q", e.UserAgent), e.RowID)
	return strings.Join(parts, " ")
}
