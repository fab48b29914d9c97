package queries

import (
	"context"
	"strings"
	"testing"
)

// TestKeyParamsMatchDecodedKeys holds every built-in query that takes a
// key to matching the key as people paste it: S3 logs report%20Q1.pdf or
// Screen+Shot.png, a person types "report Q1.pdf" or "Screen Shot.png";
// %2B stays a plus. The logged form still matches, and `queries show`
// (the parameter's description) says so.
func TestKeyParamsMatchDecodedKeys(t *testing.T) {
	rows := []row{
		{at: "2026-03-01 09:00:00", bucket: "b", ip: "10.0.0.5", requester: alice, op: "REST.DELETE.OBJECT", key: "docs/report%20Q1.pdf", status: 204},
		{at: "2026-03-01 09:01:00", bucket: "b", ip: "10.0.0.5", requester: alice, op: "REST.DELETE.OBJECT", key: "Screen+Shot+9.08.png", status: 204},
		{at: "2026-03-01 09:02:00", bucket: "b", ip: "10.0.0.5", requester: alice, op: "REST.DELETE.OBJECT", key: "c%2B%2B/%C3%A9t%C3%A9.txt", status: 204},
	}
	d := openFixture(t, rows)
	cat, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		key  string
		want int
	}{
		{"docs/report Q1.pdf", 1},
		{"docs/report%20Q1.pdf", 1},
		{"Screen Shot 9.08.png", 1},
		{"Screen+Shot+9.08.png", 1},
		{"c++/été.txt", 1},
		{"c  /été.txt", 0},
		{"docs/report Q2.pdf", 0},
	}
	n := 0
	for _, q := range cat.List() {
		p, ok := q.Param("key")
		if !ok {
			continue
		}
		n++
		if !strings.Contains(p.Description, "decoded") {
			t.Errorf("%s: parameter key's description %q does not say decoded keys match", q.Name, p.Description)
		}
		for _, c := range cases {
			params := map[string]string{"key": c.key}
			if _, ok := q.Param("bucket"); ok {
				params["bucket"] = "b"
			}
			text, args, err := q.Bind(params)
			if err != nil {
				t.Fatal(err)
			}
			rs, err := d.QueryContext(context.Background(), text, args...)
			if err != nil {
				t.Fatalf("%s: %v", q.Name, err)
			}
			got := 0
			for rs.Next() {
				got++
			}
			rs.Close()
			if got != c.want {
				t.Errorf("%s key=%q: %d rows, want %d", q.Name, c.key, got, c.want)
			}
		}
	}
	if n < 2 {
		t.Errorf("%d built-in queries take a key, want at least object_history and who_deleted_object", n)
	}
}
