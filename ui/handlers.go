package ui

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/s3logs/s3logs/queries"
)

// parseFilter reads the overview's filter from the query string: since
// and until as RFC 3339, a status class, and the filter columns.
func parseFilter(v url.Values) (Filter, error) {
	f := Filter{Eq: map[string]string{}}
	for _, t := range []struct {
		key string
		dst *time.Time
	}{{"since", &f.Since}, {"until", &f.Until}} {
		if s := v.Get(t.key); s != "" {
			tt, err := time.Parse(time.RFC3339Nano, s)
			if err != nil {
				return f, fmt.Errorf("%w: %s: %v", errBadRequest, t.key, err)
			}
			*t.dst = tt
		}
	}
	switch st := v.Get("status"); st {
	case "", "1xx", "2xx", "3xx", "4xx", "5xx":
		f.Status = st
	default:
		return f, fmt.Errorf("%w: status: want 1xx to 5xx, got %q", errBadRequest, st)
	}
	for _, c := range filterColumns {
		if v.Has(c) {
			f.Eq[c] = v.Get(c)
		}
	}
	return f, nil
}

func (s *Server) apiOverview(w http.ResponseWriter, r *http.Request) {
	f, err := parseFilter(r.URL.Query())
	if err != nil {
		reply(w, nil, err)
		return
	}
	o, err := LoadOverview(r.Context(), s.db.DB, f)
	reply(w, o, err)
}

// apiDetect runs the detections and returns their alerts with samples.
func (s *Server) apiDetect(w http.ResponseWriter, r *http.Request) {
	opts := s.opts.Detect
	opts.Since, opts.Until = time.Time{}, time.Time{}
	if opts.Samples == 0 {
		opts.Samples = 5
	}
	alerts, err := queries.Detect(r.Context(), s.db.DB, opts)
	if err != nil {
		reply(w, nil, err)
		return
	}
	rule := r.URL.Query().Get("rule")
	var sel []queries.Alert
	for _, a := range alerts {
		if rule == "" || a.RuleID == rule {
			sel = append(sel, a)
		}
	}
	shown, more := mostSevere(sel, PageAlerts)
	if shown == nil {
		shown = []queries.Alert{}
	}
	reply(w, map[string]any{"rules": summarize(alerts), "alerts": shown, "more": more, "total": len(alerts)}, nil)
}

// PageAlerts is how many alerts the Detections page shows at once, the
// most severe first.
const PageAlerts = 200

// alertRef names an alert: its rule, title and first and last event.
type alertRef struct {
	Rule  string    `json:"rule"`
	Title string    `json:"title"`
	First time.Time `json:"first"`
	Last  time.Time `json:"last"`
}

// maxAlertEvents bounds the events an alert link shows.
const maxAlertEvents = 10000

// alertEvents returns a statement selecting the events of the alert a
// names: the rule is run again over [First, Last], where its window is the
// first, and the alert's row ids are bound as a list.
func (s *Server) alertEvents(ctx context.Context, a alertRef) (string, []any, error) {
	if queries.RuleByID(a.Rule) == nil {
		return "", nil, fmt.Errorf("%w: unknown rule %q", errBadRequest, a.Rule)
	}
	opts := s.opts.Detect
	opts.Rules, opts.All = []string{a.Rule}, false
	opts.Since, opts.Until = a.First, a.Last.Add(time.Microsecond)
	opts.Samples = maxAlertEvents
	alerts, err := queries.Detect(ctx, s.db.DB, opts)
	if err != nil {
		return "", nil, err
	}
	ids := []string{}
	for _, al := range alerts {
		if al.Title == a.Title && al.First.Equal(a.First) {
			for _, e := range al.Samples {
				ids = append(ids, e.RowID)
			}
		}
	}
	text, args := rowsByID(ids)
	return text, args, nil
}
