package main

import (
	"bytes"
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
	"unicode/utf8"

	"github.com/s3logs/s3logs/internal/render"
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
an alert once its event count reaches the rule's threshold.

The table is a triage: a roll-up by severity and rule, the alerts most severe
first and then by time (numbered #), and the roll-up again. Sample events are
printed on request: --samples N for every alert, --alert # for one alert (10
samples). --format json carries 3 samples per alert unless --samples is given.
Tailpipe's business hours, large response and large object rules fire on most
buckets by design; they are Info here (Tailpipe: Low) so as not to drown the rest.

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
			"s3logs detect --alert 3",
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
	samples, alert                         *int
	rules, allow, monitor, auth, sensitive listFlag
	intel                                  *intelFlags
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
	f.samples = fs.Int("samples", -1, "`N` sample events per alert (default: none in a table, 3 in json, 10 with --alert)")
	f.alert = fs.Int("alert", 0, "print only alert number `N` of the table, with its sample events")
	fs.Var(&f.rules, "rule", "run only rule `ID` (repeatable; runs it even if off by default)")
	fs.Var(&f.allow, "allow-cidr", "IPWhitelist: allowed network `CIDR` (repeatable)")
	fs.Var(&f.monitor, "monitor-bucket", "IPWhitelist: watch only `BUCKET` (repeatable)")
	fs.Var(&f.auth, "auth-bucket", "Unauthenticated: `BUCKET` that must see only authenticated requests (repeatable)")
	fs.Var(&f.sensitive, "sensitive-bucket", "new_ip_sensitive_bucket: sensitive `BUCKET` (repeatable; turns the rule on)")
	f.intel = defineIntelFlags(fs)
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
	_, done, err := f.intel.apply(ctx, d)
	if err != nil {
		return err
	}
	defer done()
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
	if n := *f.alert; n > 0 {
		if n > len(alerts) {
			return fmt.Errorf("--alert %d: there are %d alerts (numbered 1 to %d in the table)", n, len(alerts), len(alerts))
		}
		alerts = alerts[n-1 : n]
		if *f.format == "json" {
			return writeAlertsJSON(w, alerts)
		}
		return writeAlert(w, n, alerts[0])
	}
	if *f.format == "json" {
		return writeAlertsJSON(w, alerts)
	}
	return writeAlertsTable(w, alerts, opts.Samples > 0, *f.samples < 0)
}

// sampleCount is how many sample events each alert shows: --samples when
// given, else none in a table (the roll-up and the alerts are the triage;
// samples are asked for), 3 in json and 10 for the one alert of --alert.
func (f *detectFlags) sampleCount() int {
	switch {
	case *f.samples >= 0:
		return *f.samples
	case *f.alert > 0:
		return 10
	case *f.format == "json":
		return 3
	}
	return 0
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
	if *f.samples < -1 {
		return opts, usagef("--samples must not be negative")
	}
	if *f.alert < 0 {
		return opts, usagef("--alert takes the number (#) of an alert in the table")
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
	opts.Samples = f.sampleCount()
	if opts.Samples == 0 {
		opts.Samples = -1 // Detect's 0 means its default
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

// writeAlertsJSON writes one JSON object per alert per line. Titles and
// samples hold log fields, the requester's text: the C1 controls (CSI among
// them), DEL and bidi overrides that encoding/json leaves as they are are
// written as \u escapes, as query's json is, so that the output is safe on
// a terminal and decodes to the same values.
func writeAlertsJSON(w io.Writer, alerts []queries.Alert) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	for _, a := range alerts {
		if a.Samples == nil {
			a.Samples = []queries.Event{}
		}
		buf.Reset()
		if err := enc.Encode(a); err != nil {
			return err
		}
		if _, err := w.Write(escapeJSONControls(buf.Bytes())); err != nil {
			return err
		}
	}
	return nil
}

// escapeJSONControls returns the JSON text b with DEL, the C1 controls and
// the bidi formatting characters as \u escapes. They can only be inside
// strings, where the escape means the same character.
func escapeJSONControls(b []byte) []byte {
	const hex = "0123456789abcdef"
	var out []byte
	for i := 0; i < len(b); {
		r, size := rune(b[i]), 1
		if r >= utf8.RuneSelf {
			r, size = utf8.DecodeRune(b[i:])
		}
		if r == 0x7f || (r >= 0x80 && r <= 0x9f) || r == 0x200e || r == 0x200f || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) {
			if out == nil {
				out = append(make([]byte, 0, len(b)+16), b[:i]...)
			}
			out = append(out, '\\', 'u', hex[r>>12&0xf], hex[r>>8&0xf], hex[r>>4&0xf], hex[r&0xf])
		} else if out != nil {
			out = append(out, b[i:i+size]...)
		}
		i += size
	}
	if out == nil {
		return b
	}
	return out
}

// writeAlertsTable writes the triage: a roll-up of the alerts by severity
// and rule, the alerts most severe first (then by time), the roll-up again
// (it is what is on screen once they have scrolled by), and each alert's
// sample events when withSamples; otherwise hint says how to see them
// (not after an explicit --samples 0).
func writeAlertsTable(w io.Writer, alerts []queries.Alert, withSamples, hint bool) error {
	if len(alerts) == 0 {
		_, err := fmt.Fprintln(w, "No alerts.")
		return err
	}
	rollup := rollUp(alerts)
	if err := writeRollUp(w, rollup); err != nil {
		return err
	}
	const ts = "2006-01-02 15:04:05"
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	// The title goes last: it holds ARNs and user agents hundreds of
	// characters long, and any column after it would be pushed past the
	// terminal's edge; last, it wraps and the other columns stay aligned.
	fmt.Fprintln(tw, "#\tSEVERITY\tRULE\tFIRST (UTC)\tLAST (UTC)\tCOUNT\tTITLE")
	for i, a := range alerts {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%d\t%s\n", i+1, a.Severity, a.RuleID, a.First.Format(ts), a.Last.Format(ts), a.Count, render.Visible(a.Title))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w)
	if err := writeRollUp(w, rollup); err != nil {
		return err
	}
	if !withSamples {
		if hint {
			_, err := fmt.Fprintln(w, "Sample events: --samples N for each alert, or --alert # for one.")
			return err
		}
		return nil
	}
	fmt.Fprintf(w, "\nSample events:\n")
	for i, a := range alerts {
		if len(a.Samples) == 0 {
			continue
		}
		fmt.Fprintf(w, "\n#%d %s\n", i+1, render.Visible(a.Title))
		for _, e := range a.Samples {
			fmt.Fprintf(w, "  %s\n", sampleLine(e))
		}
	}
	return nil
}

// writeAlert writes alert number n and its sample events.
func writeAlert(w io.Writer, n int, a queries.Alert) error {
	const ts = "2006-01-02 15:04:05"
	fmt.Fprintf(w, "#%d %s %s\n%s\n%s to %s UTC, %d events (threshold %d, dedup %dm)\n", n, a.Severity, a.RuleID, render.Visible(a.Title),
		a.First.Format(ts), a.Last.Format(ts), a.Count, a.Threshold, a.DedupMin)
	if len(a.Samples) > 0 {
		fmt.Fprintf(w, "\nSample events:\n")
	}
	for _, e := range a.Samples {
		fmt.Fprintf(w, "  %s\n", sampleLine(e))
	}
	return nil
}

// ruleCount is one line of the roll-up: a rule's alerts and their events.
type ruleCount struct {
	severity       queries.Severity
	rule           string
	alerts, events int
}

// rollUp counts the alerts (sorted most severe first) by rule.
func rollUp(alerts []queries.Alert) []ruleCount {
	var out []ruleCount
	at := map[string]int{}
	for _, a := range alerts {
		i, ok := at[a.RuleID]
		if !ok {
			i = len(out)
			at[a.RuleID] = i
			out = append(out, ruleCount{severity: a.Severity, rule: a.RuleID})
		}
		out[i].alerts++
		out[i].events += a.Count
	}
	slices.SortStableFunc(out, func(a, b ruleCount) int {
		if a.severity != b.severity {
			return b.severity.Rank() - a.severity.Rank()
		}
		return b.alerts - a.alerts
	})
	return out
}

// writeRollUp writes the roll-up table and a line of totals by severity.
func writeRollUp(w io.Writer, rollup []ruleCount) error {
	wa, we := len("ALERTS"), len("EVENTS")
	for _, r := range rollup {
		wa = max(wa, len(queries.GroupDigits(int64(r.alerts))))
		we = max(we, len(queries.GroupDigits(int64(r.events))))
	}
	fmt.Fprintf(w, "%-8s  %*s  %*s  %s\n", "SEVERITY", wa, "ALERTS", we, "EVENTS", "RULE")
	bySev := map[queries.Severity]int{}
	total := 0
	for _, r := range rollup {
		fmt.Fprintf(w, "%-8s  %*s  %*s  %s\n", r.severity, wa, queries.GroupDigits(int64(r.alerts)), we, queries.GroupDigits(int64(r.events)), r.rule)
		bySev[r.severity] += r.alerts
		total += r.alerts
	}
	var parts []string
	for i := len(queries.Severities) - 1; i >= 0; i-- {
		if n := bySev[queries.Severities[i]]; n > 0 {
			parts = append(parts, fmt.Sprintf("%s %s", queries.GroupDigits(int64(n)), queries.Severities[i]))
		}
	}
	noun := "alerts"
	if total == 1 {
		noun = "alert"
	}
	_, err := fmt.Fprintf(w, "%s %s: %s.\n", queries.GroupDigits(int64(total)), noun, strings.Join(parts, ", "))
	return err
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
	return render.Visible(strings.Join(parts, " "))
}
