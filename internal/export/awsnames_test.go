package export

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/s3logs/s3logs/schema"
)

// TestAWSNames exports the table with AWS's names, as a lake and as a
// file: the rows are the s3_access_logs view's, the columns AWSTable's,
// and a lake is not re-exported under the other names.
func TestAWSNames(t *testing.T) {
	d := newDB(t, 300)
	ctx := context.Background()
	root := filepath.Join(t.TempDir(), "lake")
	res, err := Run(ctx, d, Options{Table: true, AWSNames: true, PartitionBy: ByDay, Out: root, Now: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	if res.Rows != 300 {
		t.Errorf("%d rows exported", res.Rows)
	}
	sameRows(t, d, hive(root, ByDay), schema.AWSViewName)
	cols, _ := dbRows(t, d, "SELECT * FROM "+hive(root, ByDay)+" LIMIT 0")
	if got, want := strings.Join(cols, ","), strings.Join(schema.AWSTable().Names(), ","); got != want {
		t.Errorf("lake columns\n%s\nwant\n%s", got, want)
	}
	for _, s := range []string{"CREATE EXTERNAL TABLE IF NOT EXISTS s3_access_logs (", "`request_time` timestamp", "`http_status` bigint", "\"source_region\" varchar"} {
		if !strings.Contains(res.DDL, s) {
			t.Errorf("DDL lacks %q:\n%s", s, res.DDL)
		}
	}
	if _, err := Run(ctx, d, Options{Table: true, PartitionBy: ByDay, Out: root, Now: fixedNow}); !errors.Is(err, ErrUsage) {
		t.Errorf("re-export with Panther's names into an AWS-named lake: %v, want ErrUsage", err)
	}

	file := filepath.Join(t.TempDir(), "aws.parquet")
	if _, err := Run(ctx, d, Options{Table: true, AWSNames: true, Out: file, Now: fixedNow}); err != nil {
		t.Fatal(err)
	}
	sameRows(t, d, "read_parquet("+schema.Literal(file)+")", schema.AWSViewName)

	if _, err := Run(ctx, d, Options{Query: "SELECT 1", AWSNames: true, Out: filepath.Join(t.TempDir(), "q.parquet")}); !errors.Is(err, ErrUsage) {
		t.Errorf("AWSNames with a query: %v, want ErrUsage", err)
	}
}
