package render

import (
	"context"
	"fmt"
	"io"
	"testing"
)

// logLike is a result shaped like SELECT * of log rows: text, timestamps,
// integers and NULLs, 20 columns.
func logLike(n int) string {
	return fmt.Sprintf(`SELECT 'awsexamplebucket' || (i %% 7) AS bucket, TIMESTAMPTZ '2024-01-01 00:00:00+00' + to_seconds(i) AS time,
	'192.0.2.' || (i %% 250) AS remoteip, 'arn:aws:iam::123456789012:user/u' || (i %% 13) AS requester, md5(i::VARCHAR) AS requestid,
	'REST.GET.OBJECT' AS operation, 'photos/2024/' || i || '/puppy.jpg' AS key,
	'GET /awsexamplebucket/photos/2024/' || i || '/puppy.jpg HTTP/1.1' AS requesturi, 200 AS httpstatus, NULL::VARCHAR AS errorcode,
	i * 17 AS bytessent, i * 31 AS objectsize, 70 AS totaltime, 10 AS turnaroundtime, 'https://example.com/' AS referrer,
	'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36' AS useragent,
	NULL::VARCHAR AS versionid, md5((i+1)::VARCHAR) AS hostid, 'SigV4' AS signatureversion, 'TLSv1.3' AS tlsversion
	FROM range(%d) r(i)`, n)
}

// BenchmarkRunner prints 20,000 log-like rows in each format, as
// s3logs query does (windows of the result, then the format's writer), and
// as it did before (one-read: Write over one QueryContext, which duckdb-go
// materializes whole), the baseline in the same run.
func BenchmarkRunner(b *testing.B) {
	d := openDB(&testing.T{})
	q := logLike(20000)
	for _, f := range []Format{Table, CSV, NDJSON} {
		b.Run(f.String(), func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				r := Runner{Conn: d, Out: io.Discard}
				if _, err := r.Run(context.Background(), Statement{SQL: q}, Options{Format: f}); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("one-read/"+f.String(), func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				rows, err := d.QueryContext(context.Background(), q)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := Write(io.Discard, rows, Options{Format: f}); err != nil {
					b.Fatal(err)
				}
				rows.Close()
			}
		})
	}
}
