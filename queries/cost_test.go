package queries

import (
	"context"
	"math"
	"strings"
	"testing"
	"time"
)

// goRequestClass is S3's billing class of an operation, written again in Go
// from the pricing page: DELETE and lifecycle are free; PUT, COPY, POST and
// LIST (GET bucket, versions, uploads, service) are PUT-class; the rest GET.
func goRequestClass(op string) string {
	switch {
	case strings.HasPrefix(op, "REST.DELETE.") || strings.HasPrefix(op, "S3.") || op == "BATCH.DELETE.OBJECT":
		return "free"
	case strings.HasPrefix(op, "REST.PUT.") || strings.HasPrefix(op, "REST.POST.") || strings.HasPrefix(op, "REST.COPY."),
		op == "REST.GET.BUCKET", op == "REST.GET.BUCKETVERSIONS", op == "REST.GET.UPLOADS", op == "REST.GET.SERVICE":
		return "put"
	}
	return "get"
}

// TestCostTotals checks every cost query's totals on generated logs against
// sums computed in Go over the rows: requests, bytes and dollars, for every
// grouping.
func TestCostTotals(t *testing.T) {
	d := openGen(t, 20000, 5, 3*24*time.Hour)
	rows, err := d.Query("SELECT coalesce(operation, ''), coalesce(bytessent, 0) FROM aws_s3serveraccess")
	if err != nil {
		t.Fatal(err)
	}
	var n, get, put, bytes int64
	for rows.Next() {
		var op string
		var b int64
		if err := rows.Scan(&op, &b); err != nil {
			t.Fatal(err)
		}
		n, bytes = n+1, bytes+b
		switch goRequestClass(op) {
		case "get":
			get++
		case "put":
			put++
		}
	}
	rows.Close()
	const gb, getP, putP = 0.09, 0.0004, 0.005
	wantUSD := float64(bytes)/(1<<30)*gb + (float64(get)*getP+float64(put)*putP)/1000
	cat, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"cost_by_requester", "cost_by_ip", "cost_by_prefix", "cost_by_useragent_class", "cost_by_day"} {
		q, err := cat.Get(name)
		if err != nil {
			t.Fatal(err)
		}
		params := map[string]string{}
		if _, ok := q.Param("limit"); ok {
			params["limit"] = "100000"
		}
		text, args, err := q.Bind(params)
		if err != nil {
			t.Fatal(err)
		}
		var gotN, gotGet, gotPut, gotBytes int64
		var gotUSD float64
		if err := d.QueryRowContext(context.Background(), "SELECT sum(requests), sum(get_requests), sum(put_requests), sum(bytes_out), sum(total_usd) FROM ("+text+")", args...).
			Scan(&gotN, &gotGet, &gotPut, &gotBytes, &gotUSD); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if gotN != n || gotGet != get || gotPut != put || gotBytes != bytes || math.Abs(gotUSD-wantUSD) > 1e-9 {
			t.Errorf("%s: requests %d get %d put %d bytes %d usd %.9f; want %d %d %d %d %.9f", name, gotN, gotGet, gotPut, gotBytes, gotUSD, n, get, put, bytes, wantUSD)
		}
	}
}
