package ui

import "testing"

func TestUnstableOrder(t *testing.T) {
	for _, tc := range []struct {
		sql  string
		want bool
	}{
		{"SELECT * FROM aws_s3serveraccess", false},
		{"SELECT * FROM aws_s3serveraccess WHERE bucket = 'b' LIMIT 10", false},
		{"SELECT bucket, count(*) FROM aws_s3serveraccess GROUP BY 1", true},
		{"SELECT bucket, count(*) FROM aws_s3serveraccess group\n  by 1", true},
		{"SELECT bucket, count(*) FROM aws_s3serveraccess GROUP BY 1 ORDER BY 2 DESC", false},
		{"SELECT DISTINCT remoteip FROM aws_s3serveraccess", true},
		{"SELECT * FROM a JOIN b USING (x)", true},
		{"SELECT 'GROUP BY' AS x FROM t", false},
		{`SELECT "distinct" FROM t`, false},
		{"SELECT x FROM t -- GROUP BY later\n", false},
		{"SELECT x FROM t /* JOIN */ WHERE y = 'it''s GROUP BY'", false},
		{"SELECT x FROM t GROUP BY x -- ORDER BY x", true},
		{"SELECT 'ORDER BY' FROM t GROUP BY 1", true},
	} {
		if got := unstableOrder(tc.sql); got != tc.want {
			t.Errorf("unstableOrder(%q) = %v, want %v", tc.sql, got, tc.want)
		}
	}
}
