package export

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestTimeline exports a timeline as JSONL and CSV and reads both back:
// every row with a time, in time order, with Timesketch's three fields
// first, then the table's and the enriched view's columns.
func TestTimeline(t *testing.T) {
	d := newDB(t, 40)
	ctx := context.Background()
	want := count(t, d, "SELECT count(*) FROM aws_s3serveraccess WHERE p_event_time IS NOT NULL")
	dir := t.TempDir()

	jsonl := filepath.Join(dir, "case.jsonl")
	res, err := Run(ctx, d, Options{Table: true, Timeline: true, Out: jsonl})
	if err != nil {
		t.Fatal(err)
	}
	if res.Rows != want {
		t.Errorf("wrote %d rows, want %d", res.Rows, want)
	}
	f, err := os.Open(jsonl)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	var n int64
	var last time.Time
	for sc.Scan() {
		var ev map[string]any
		if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
			t.Fatalf("line %d: %v", n+1, err)
		}
		n++
		at, err := time.Parse(time.RFC3339Nano, ev["datetime"].(string))
		if err != nil {
			t.Fatalf("line %d: datetime %v: %v", n, ev["datetime"], err)
		}
		if at.Before(last) {
			t.Errorf("line %d: %s before %s", n, at, last)
		}
		last = at
		if ts := int64(ev["timestamp"].(float64)); ts != at.UnixMicro() {
			t.Errorf("line %d: timestamp %d, datetime %s", n, ts, at)
		}
		if ev["timestamp_desc"] != TimelineDesc {
			t.Errorf("line %d: timestamp_desc %v", n, ev["timestamp_desc"])
		}
		msg, _ := ev["message"].(string)
		op, _ := ev["operation"].(string)
		if !strings.HasPrefix(msg, op+" s3://") || !strings.Contains(msg, " by ") || !strings.Contains(msg, " -> ") {
			t.Errorf("line %d: message %q", n, msg)
		}
		for _, col := range []string{"p_row_id", "requester", "requester_type", "http_method", "key_decoded"} {
			if _, ok := ev[col]; !ok {
				t.Errorf("line %d: no %s", n, col)
			}
		}
		if n == 1 {
			// the seed's first row (i = 0): REST.GET.OBJECT, bucket NULL (i % 7 = 0), no key, requester u0, status 200
			wantMsg := "REST.GET.OBJECT s3://? by arn:aws:iam::123456789012:user/u0 from 192.0.2.0 -> 200"
			if msg != wantMsg || ev["datetime"] != "2025-12-30T22:00:00.000000+00:00" {
				t.Errorf("first event: message %q datetime %v, want %q 2025-12-30T22:00:00.000000+00:00", msg, ev["datetime"], wantMsg)
			}
		}
	}
	if n != want {
		t.Errorf("read %d events, want %d", n, want)
	}

	csvPath := filepath.Join(dir, "case.csv")
	if _, err := Run(ctx, d, Options{Query: "SELECT * FROM aws_s3serveraccess WHERE httpstatus = 403", Timeline: true, Out: csvPath}); err != nil {
		t.Fatal(err)
	}
	cf, err := os.Open(csvPath)
	if err != nil {
		t.Fatal(err)
	}
	defer cf.Close()
	recs, err := csv.NewReader(cf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(recs[0][:5], ","); got != "message,datetime,timestamp,timestamp_desc,bucketowner" {
		t.Errorf("CSV header starts %s", got)
	}
	if got, want := int64(len(recs)-1), count(t, d, "SELECT count(*) FROM aws_s3serveraccess WHERE httpstatus = 403 AND p_event_time IS NOT NULL"); got != want || got == 0 {
		t.Errorf("CSV has %d events, want %d", got, want)
	}
	for i, r := range recs[1:] {
		if !strings.Contains(r[0], " -> 403") {
			t.Errorf("CSV row %d: message %q", i+1, r[0])
		}
	}

	if _, err := Run(ctx, d, Options{Table: true, Timeline: true, Out: filepath.Join(dir, "case.parquet")}); !errors.Is(err, ErrUsage) {
		t.Errorf("Parquet timeline: %v, want ErrUsage", err)
	}
}
