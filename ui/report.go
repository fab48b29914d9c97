package ui

import (
	"context"
	"database/sql"
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"strings"
	"time"

	"github.com/s3logs/s3logs/queries"
)

//go:embed report.html.tmpl
var reportTmpl string

// ReportOptions configure Report.
type ReportOptions struct {
	Title        string
	Since, Until time.Time       // the window of events; zero means unbounded
	Detect       queries.Options // which rules run; its Since and Until are set from the window
	Now          time.Time       // when the report is made, printed in it
	Source       string          // the database, printed in it
}

// Report writes one self-contained HTML file: the overview (totals,
// requests and errors over time, status classes), the alerts with their
// sample events, the top tables and the rejected lines' reasons. CSS and
// SVG are inline, there is no script, and its Content-Security-Policy
// forbids any request, so it reads the same offline and prints. Every log
// value is escaped by html/template.
func Report(ctx context.Context, d *sql.DB, w io.Writer, opts ReportOptions) error {
	o, err := LoadOverview(ctx, d, Filter{Since: opts.Since, Until: opts.Until})
	if err != nil {
		return err
	}
	dopts := opts.Detect
	dopts.Since, dopts.Until = opts.Since, opts.Until
	alerts, err := queries.Detect(ctx, d, dopts)
	if err != nil {
		return fmt.Errorf("detections: %w", err)
	}
	if opts.Title == "" {
		opts.Title = "S3 access log investigation"
	}
	t, err := template.New("report").Funcs(template.FuncMap{
		"ts": func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05") },
		"tsp": func(t *time.Time) string {
			if t == nil {
				return "-"
			}
			return t.UTC().Format("2006-01-02 15:04:05")
		},
		"num":   Group,
		"bytes": humanBytes,
		"val": func(v *string) string {
			if v == nil {
				return "(none)"
			}
			return *v
		},
		"pct": func(n, of int64) string {
			if of == 0 {
				return "0"
			}
			return fmt.Sprintf("%.1f", 100*float64(n)/float64(of))
		},
		"deref": func(p *int64) string {
			if p == nil {
				return "-"
			}
			return fmt.Sprint(*p)
		},
		"lower": strings.ToLower,
		"label": func(c string) string { return topLabels[c] },
		"subf":  func(h int, e float64) float64 { return float64(h) - e },
		"int64": func(n int) int64 { return int64(n) },
	}).Parse(reportTmpl)
	if err != nil {
		return err
	}
	shown, more := mostSevere(alerts, ReportAlerts)
	return t.Execute(w, map[string]any{
		"Title": opts.Title, "Now": opts.Now, "Source": opts.Source, "Since": opts.Since, "Until": opts.Until,
		"O": o, "Alerts": shown, "AlertCount": len(alerts), "MoreAlerts": more, "Rules": summarize(alerts),
		"Chart": newChart(o.Series), "Tops": filterColumns,
	})
}

// ReportAlerts is how many alerts the report details, the most severe
// first; the others are counted in the table of rules.
const ReportAlerts = 100

// topLabels title the top tables.
var topLabels = map[string]string{"bucket": "Buckets", "operation": "Operations", "requester": "Requesters",
	"remoteip": "Remote IPs", "useragent": "User agents", "errorcode": "Error codes"}

// Group writes n with thousands separators, as the report and the
// overview show counts.
func Group(n int64) string {
	s := fmt.Sprint(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// humanBytes writes n bytes as 1.2 MB.
func humanBytes(n int64) string {
	f := float64(n)
	for _, u := range []string{"B", "KB", "MB", "GB", "TB"} {
		if f < 1000 || u == "TB" {
			if u == "B" {
				return fmt.Sprintf("%d B", n)
			}
			return fmt.Sprintf("%.1f %s", f, u)
		}
		f /= 1000
	}
	return ""
}

// chart is the report's requests-and-errors SVG, laid out in Go.
type chart struct {
	W, H             int
	Requests, Errors string // polyline points
	Max              int64
	From, To         string
	Bars             []bar
}

type bar struct {
	X, Y, W, H float64
	Err        float64 // height of the errors part
	Title      string
}

func newChart(series []Point) chart {
	c := chart{W: 720, H: 160}
	if len(series) == 0 {
		return c
	}
	for _, p := range series {
		c.Max = max(c.Max, p.Requests)
	}
	c.From, c.To = series[0].T.Format("2006-01-02 15:04"), series[len(series)-1].T.Format("2006-01-02 15:04")
	t0, t1 := series[0].T, series[len(series)-1].T
	span := t1.Sub(t0).Seconds()
	bw := float64(c.W) / float64(len(series))
	if span > 0 {
		bw = float64(c.W) / (span/series[len(series)-1].T.Sub(series[max(0, len(series)-2)].T).Seconds() + 1)
	}
	bw = max(1, min(bw, 40))
	for _, p := range series {
		x := 0.0
		if span > 0 {
			x = p.T.Sub(t0).Seconds() / span * (float64(c.W) - bw)
		}
		h := float64(p.Requests) / float64(max(c.Max, 1)) * float64(c.H-10)
		e := float64(p.Errors) / float64(max(c.Max, 1)) * float64(c.H-10)
		c.Bars = append(c.Bars, bar{X: x, Y: float64(c.H) - h, W: max(bw-1, 1), H: h, Err: e,
			Title: fmt.Sprintf("%s: %d requests, %d errors", p.T.Format("2006-01-02 15:04"), p.Requests, p.Errors)})
	}
	return c
}
