package queries

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"time"

	"github.com/s3logs/s3logs/schema"
)

// table is where detections read events.
const table = schema.TableName

// Event is one log row as a detection sees it: the fields alerts show.
// Missing values are empty strings and nil numbers.
type Event struct {
	Time               time.Time `json:"time"`
	RowID              string    `json:"p_row_id"`
	Bucket             string    `json:"bucket,omitempty"`
	Key                string    `json:"key,omitempty"`
	Operation          string    `json:"operation,omitempty"`
	Requester          string    `json:"requester,omitempty"`
	RemoteIP           string    `json:"remoteip,omitempty"`
	HTTPStatus         *int64    `json:"httpstatus,omitempty"`
	ErrorCode          string    `json:"errorcode,omitempty"`
	UserAgent          string    `json:"useragent,omitempty"`
	TLSVersion         string    `json:"tlsVersion,omitempty"`
	CipherSuite        string    `json:"ciphersuite,omitempty"`
	AuthenticationType string    `json:"authenticationtype,omitempty"`
	BytesSent          *int64    `json:"bytessent,omitempty"`
	ObjectSize         *int64    `json:"objectsize,omitempty"`
	RequestID          string    `json:"requestid,omitempty"`
}

// eventColumns are selected for every event, in Event's order.
const eventColumns = `p_event_time, coalesce(p_row_id, ''), coalesce(bucket, ''), coalesce(key, ''), coalesce(operation, ''),
	coalesce(requester, ''), coalesce(remoteip, ''), httpstatus, coalesce(errorcode, ''), coalesce(useragent, ''),
	coalesce(tlsVersion, ''), coalesce(ciphersuite, ''), coalesce(authenticationtype, ''), bytessent, objectsize,
	coalesce(requestid, '')`

// Alert is a group of events of one rule with the same title inside one
// dedup window, reported once the count reached the rule's threshold.
type Alert struct {
	RuleID    string    `json:"rule_id"`
	RuleName  string    `json:"rule_name"`
	Severity  Severity  `json:"severity"`
	Title     string    `json:"title"`
	First     time.Time `json:"first"`
	Last      time.Time `json:"last"`
	Count     int       `json:"count"`
	Threshold int       `json:"threshold"`
	DedupMin  int       `json:"dedup_minutes"`
	MITRE     []string  `json:"mitre,omitempty"`
	Samples   []Event   `json:"samples"`
}

// Options select what Detect runs and on which events.
type Options struct {
	// Rules are rule IDs to run even when off by default; empty means the
	// rules that are on (by default or by Config).
	Rules []string
	// All runs every rule, on or off.
	All bool
	// Since and Until, when not zero, keep events in [Since, Until).
	Since, Until time.Time
	// Config tunes the rules; nil means DefaultConfig().
	Config *Config
	// Samples is how many events each alert carries (the first ones of its
	// window); 0 means 3 and a negative number none.
	Samples int
}

// Selected returns the rules opts runs, in Rules order, or an error naming
// an unknown ID.
func (opts Options) Selected() ([]*Rule, error) {
	c := opts.config()
	want := map[string]bool{}
	for _, id := range opts.Rules {
		r, err := ResolveRule(id)
		if err != nil {
			return nil, err
		}
		want[r.ID] = true
	}
	var out []*Rule
	for _, r := range Rules {
		switch {
		case len(want) > 0:
			if want[r.ID] {
				out = append(out, r)
			}
		case opts.All || r.isOn(c):
			out = append(out, r)
		}
	}
	return out, nil
}

// isOn reports whether the rule runs by default under c.
func (r *Rule) isOn(c *Config) bool {
	if rc, ok := c.Rules[r.ID]; ok && rc.Enabled != nil {
		return *rc.Enabled
	}
	return r.Enabled || (r.on != nil && r.on(c))
}

func ruleIDs() []string {
	ids := make([]string, len(Rules))
	for i, r := range Rules {
		ids[i] = r.ID
	}
	return ids
}

func (opts Options) config() *Config {
	if opts.Config == nil {
		return DefaultConfig()
	}
	return opts.Config
}

// Detect runs the selected rules over the events in db and returns their
// alerts, most severe first, then by first event time, rule and title
// (triage order). Events of a rule are
// grouped as Panther groups them: by title, in dedup windows that start at
// the first event not yet in a window (an event exactly one window after
// the start opens a new one); a window becomes an alert when its count
// reaches the rule's threshold.
func Detect(ctx context.Context, db *sql.DB, opts Options) ([]Alert, error) {
	c := opts.config()
	if err := c.Validate(); err != nil {
		return nil, err
	}
	rules, err := opts.Selected()
	if err != nil {
		return nil, err
	}
	var alerts []Alert
	for _, r := range rules {
		got, err := r.run(ctx, db, c, opts)
		if err != nil {
			return nil, fmt.Errorf("rule %s: %w", r.ID, err)
		}
		alerts = append(alerts, got...)
	}
	sort.SliceStable(alerts, func(i, j int) bool {
		a, b := alerts[i], alerts[j]
		if a.Severity.Rank() != b.Severity.Rank() {
			return a.Severity.Rank() > b.Severity.Rank()
		}
		if !a.First.Equal(b.First) {
			return a.First.Before(b.First)
		}
		if a.RuleID != b.RuleID {
			return a.RuleID < b.RuleID
		}
		return a.Title < b.Title
	})
	return alerts, nil
}

// filter returns the FROM and WHERE clauses of the rule's candidate rows
// (before any key refinement) and their arguments.
func (r *Rule) filter(c *Config, since, until time.Time) (from, where string, args []any) {
	from, where = table, "("+r.where+")"
	if r.from != nil {
		from = r.from(c)
	}
	if r.args != nil {
		args = r.args(c)
	}
	if !since.IsZero() {
		where += " AND p_event_time >= $since"
		args = append(args, sql.Named("since", since.UTC()))
	}
	if !until.IsZero() {
		where += " AND p_event_time < $until"
		args = append(args, sql.Named("until", until.UTC()))
	}
	return from, where, args
}

// SQL returns the statement and arguments that select the rule's matching
// events (title, time and row id) ordered for grouping. For a rule with a key, keys
// are the key values that passed its Go test.
func (r *Rule) SQL(c *Config, since, until time.Time, keys []string) (string, []any) {
	from, where, args := r.filter(c, since, until)
	if r.key != "" {
		where += fmt.Sprintf(" AND (%s) IN (SELECT unnest($match_keys))", r.key)
		args = append(args, sql.Named("match_keys", nonNil(keys)))
	}
	q := fmt.Sprintf("SELECT %s AS title, p_event_time, coalesce(p_row_id, '') FROM %s WHERE %s", r.title, from, where)
	return q + " ORDER BY title, p_event_time, p_row_id", args
}

// matchingKeys returns the distinct key values of the rule's candidate rows
// that pass its Go test.
func (r *Rule) matchingKeys(ctx context.Context, db *sql.DB, c *Config, opts Options) ([]string, error) {
	from, where, args := r.filter(c, opts.Since, opts.Until)
	rows, err := db.QueryContext(ctx, fmt.Sprintf("SELECT DISTINCT %s FROM %s WHERE %s", r.key, from, where), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var keys []string
	for rows.Next() {
		var k sql.NullString
		if err := rows.Scan(&k); err != nil {
			return nil, err
		}
		if k.Valid && r.keyMatch(c, k.String) {
			keys = append(keys, k.String)
		}
	}
	return keys, rows.Err()
}

// settings returns the threshold and dedup window after overrides.
func (r *Rule) settings(c *Config) (int, time.Duration) {
	th, dd := r.Threshold, r.Dedup
	if rc, ok := c.Rules[r.ID]; ok {
		if rc.Threshold != nil {
			th = *rc.Threshold
		}
		if rc.DedupMinutes != nil {
			dd = time.Duration(*rc.DedupMinutes) * time.Minute
		}
	}
	return th, dd
}

func (r *Rule) run(ctx context.Context, db *sql.DB, c *Config, opts Options) ([]Alert, error) {
	var keys []string
	if r.key != "" {
		var err error
		if keys, err = r.matchingKeys(ctx, db, c, opts); err != nil || len(keys) == 0 {
			return nil, err
		}
	}
	q, args := r.SQL(c, opts.Since, opts.Until, keys)
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	threshold, dedup := r.settings(c)
	samples := opts.Samples
	switch {
	case samples == 0:
		samples = 3
	case samples < 0:
		samples = 0
	}
	g := grouper{rule: r, threshold: threshold, dedup: dedup, samples: samples}
	for rows.Next() {
		var title, rowID string
		var at time.Time
		if err := rows.Scan(&title, &at, &rowID); err != nil {
			return nil, err
		}
		g.add(title, at, rowID)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	g.flush()
	return g.alerts, fillSamples(ctx, db, g.alerts)
}

// fillSamples replaces the row-id-only samples of alerts with the events.
// Grouping reads only titles, times and row ids, which is several times
// faster than reading whole events when most rows match.
func fillSamples(ctx context.Context, db *sql.DB, alerts []Alert) error {
	var ids []string
	for _, a := range alerts {
		for _, e := range a.Samples {
			ids = append(ids, e.RowID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	rows, err := db.QueryContext(ctx, fmt.Sprintf("SELECT %s FROM %s WHERE p_row_id IN (SELECT unnest($ids))", eventColumns, table), sql.Named("ids", ids))
	if err != nil {
		return err
	}
	defer rows.Close()
	byID := map[string]Event{}
	for rows.Next() {
		var e Event
		if err := rows.Scan(&e.Time, &e.RowID, &e.Bucket, &e.Key, &e.Operation, &e.Requester, &e.RemoteIP,
			&e.HTTPStatus, &e.ErrorCode, &e.UserAgent, &e.TLSVersion, &e.CipherSuite, &e.AuthenticationType,
			&e.BytesSent, &e.ObjectSize, &e.RequestID); err != nil {
			return err
		}
		e.Time = e.Time.UTC()
		byID[e.RowID] = e
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for i := range alerts {
		for j, e := range alerts[i].Samples {
			if full, ok := byID[e.RowID]; ok {
				alerts[i].Samples[j] = full
			}
		}
	}
	return nil
}

// grouper turns events sorted by title and time into alerts.
type grouper struct {
	rule      *Rule
	threshold int
	dedup     time.Duration
	samples   int
	cur       *Alert
	alerts    []Alert
}

// add counts one event; samples keep only its time and row id until
// fillSamples reads the rest.
func (g *grouper) add(title string, at time.Time, rowID string) {
	at = at.UTC()
	if g.cur != nil && (g.cur.Title != title || !at.Before(g.cur.First.Add(g.dedup))) {
		g.flush()
	}
	if g.cur == nil {
		g.cur = &Alert{RuleID: g.rule.ID, RuleName: g.rule.Name, Severity: g.rule.Severity, Title: title,
			First: at, Threshold: g.threshold, DedupMin: int(g.dedup / time.Minute), MITRE: g.rule.MITRE}
	}
	g.cur.Count++
	g.cur.Last = at
	if len(g.cur.Samples) < g.samples {
		g.cur.Samples = append(g.cur.Samples, Event{Time: at, RowID: rowID})
	}
}

func (g *grouper) flush() {
	if g.cur != nil && g.cur.Count >= g.threshold {
		g.alerts = append(g.alerts, *g.cur)
	}
	g.cur = nil
}
