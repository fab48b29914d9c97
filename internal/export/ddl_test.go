package export

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden DDL files in testdata/")

func TestDDL(t *testing.T) {
	tests := []struct {
		golden string
		opts   DDLOptions
	}{
		{"ddl_day_s3.sql", DDLOptions{Location: "s3://my-bucket/s3logs-lake", PartitionBy: ByDay, FirstYear: 2024, LastYear: 2026}},
		{"ddl_hour_local.sql", DDLOptions{Location: "/data/lake/", PartitionBy: ByHour, FirstYear: 2026, LastYear: 2026}},
	}
	for _, tt := range tests {
		t.Run(tt.golden, func(t *testing.T) {
			got := DDL(tt.opts)
			path := filepath.Join("testdata", tt.golden)
			if *update {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("DDL differs from %s (-want +got):\n-%s\n+%s", path, want, got)
			}
		})
	}
}

// TestDDLColumns checks the DDL against the schema rather than a golden
// file: every column appears once per engine with its type, and the
// partition columns are declared as each engine wants.
func TestDDLColumns(t *testing.T) {
	ddl := DDL(DDLOptions{Location: "s3://b/p/", PartitionBy: ByHour, FirstYear: 2025, LastYear: 2026})
	for _, want := range []string{
		"`tlsVersion` string,", "`additionalFields` array<string>,", "`time` timestamp,", "`httpstatus` bigint,",
		"\"tlsVersion\" varchar,", "\"additionalFields\" array(varchar),", "\"time\" timestamp(3),", "\"p_any_aws_arns\" array(varchar),",
		"`tlsVersion` STRING,", "`additionalFields` ARRAY<STRING>,", "`p_event_time` TIMESTAMP,",
		"PARTITIONED BY (`year` int, `month` int, `day` int, `hour` int)",
		"'projection.enabled' = 'true'", "'projection.year.range' = '2025,2026'", "'projection.month.digits' = '2'",
		"'projection.hour.range' = '0,23'",
		"'storage.location.template' = 's3://b/p/year=${year}/month=${month}/day=${day}/hour=${hour}/'",
		"partitioned_by = ARRAY['year', 'month', 'day', 'hour']", "external_location = 's3://b/p/'",
		"CALL hive.system.sync_partition_metadata('default', 'aws_s3serveraccess', 'FULL');",
		"PARTITIONED BY (`year`, `month`, `day`, `hour`)\nLOCATION 's3://b/p/';\nMSCK REPAIR TABLE aws_s3serveraccess;",
		"SELECT * FROM read_parquet('s3://b/p/**/*.parquet', hive_partitioning = true);",
	} {
		if n := strings.Count(ddl, want); n != 1 {
			t.Errorf("%q appears %d times, want once", want, n)
		}
	}
	if n := strings.Count(ddl, "`p_any_ip_addresses` "); n != 2 {
		t.Errorf("p_any_ip_addresses declared %d times with backticks, want 2 (Athena, Spark)", n)
	}
}
