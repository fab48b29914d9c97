package export

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/s3logs/s3logs/schema"
)

// DDLOptions describes a lake for DDL.
type DDLOptions struct {
	Location    string // the lake's root: s3://bucket/prefix/ or a local directory
	PartitionBy string // ByDay or ByHour
	FirstYear   int    // the range of years Athena's partition projection covers
	LastYear    int
	// Table is the lake's columns and table name: nil means
	// schema.S3ServerAccess; schema.AWSTable() for a lake with AWS's names.
	Table *schema.Table
}

// DDL returns the statements that make the lake queryable from Athena (a
// Glue external table with partition projection), Trino (Hive connector),
// Spark SQL and DuckDB, with column types from package schema. Athena and
// Trino read from S3: for a local lake they name a placeholder location to
// upload it to.
func DDL(o DDLOptions) string {
	lay := layoutFor(o.PartitionBy)
	loc := strings.TrimSuffix(o.Location, "/") + "/"
	s3loc, upload := loc, ""
	if !isS3(loc) {
		s3loc = "s3://YOUR-BUCKET/" + filepath.Base(strings.TrimSuffix(loc, "/")) + "/"
		upload = fmt.Sprintf("-- Upload the lake first: aws s3 sync %s %s\n", strings.TrimSuffix(loc, "/"), s3loc)
	}
	t := o.Table
	if t == nil {
		t = schema.S3ServerAccess
	}
	var b strings.Builder
	b.WriteString(upload)
	athena(&b, t, lay, s3loc, o.FirstYear, o.LastYear)
	trino(&b, t, lay, s3loc)
	spark(&b, t, lay, loc)
	fmt.Fprintf(&b, "\n-- DuckDB\nSELECT * FROM read_parquet(%s, hive_partitioning = true);\n", schema.Literal(loc+"**/*.parquet"))
	return b.String()
}

// athenaType is the Hive DDL type Athena and Spark use for a column type.
func athenaType(t schema.Type) string {
	switch t {
	case schema.Timestamp:
		return "timestamp"
	case schema.BigInt:
		return "bigint"
	case schema.StringList:
		return "array<string>"
	}
	return "string"
}

// trinoType is Trino's type for a column type.
func trinoType(t schema.Type) string {
	switch t {
	case schema.Timestamp:
		return "timestamp(3)"
	case schema.BigInt:
		return "bigint"
	case schema.StringList:
		return "array(varchar)"
	}
	return "varchar"
}

// columnList writes one line per schema column, then the extra lines.
func columnList(b *strings.Builder, t *schema.Table, quote func(string) string, typ func(schema.Type) string, upper bool, extra []string) {
	cols := t.Columns
	lines := make([]string, 0, len(cols)+len(extra))
	for _, c := range cols {
		t := typ(c.Type)
		if upper {
			t = strings.ToUpper(t)
		}
		lines = append(lines, "  "+quote(c.Name)+" "+t)
	}
	lines = append(lines, extra...)
	b.WriteString(strings.Join(lines, ",\n"))
	b.WriteString("\n")
}

func backtick(s string) string { return "`" + s + "`" }

func athena(b *strings.Builder, t *schema.Table, lay layout, loc string, first, last int) {
	b.WriteString("-- Athena: Glue external table with partition projection (no crawler or MSCK REPAIR needed)\n")
	b.WriteString("CREATE EXTERNAL TABLE IF NOT EXISTS " + t.Name + " (\n")
	columnList(b, t, backtick, athenaType, false, nil)
	parts := make([]string, len(lay.columns))
	for i, c := range lay.columns {
		parts[i] = backtick(c) + " int"
	}
	fmt.Fprintf(b, ")\nPARTITIONED BY (%s)\nSTORED AS PARQUET\nLOCATION %s\nTBLPROPERTIES (\n", strings.Join(parts, ", "), schema.Literal(loc))
	props := [][2]string{{"projection.enabled", "true"}}
	ranges := map[string]string{"year": fmt.Sprintf("%d,%d", first, last), "month": "1,12", "day": "1,31", "hour": "0,23"}
	tmpl := loc
	for _, c := range lay.columns {
		props = append(props, [2]string{"projection." + c + ".type", "integer"}, [2]string{"projection." + c + ".range", ranges[c]})
		if c != "year" {
			props = append(props, [2]string{"projection." + c + ".digits", "2"})
		}
		tmpl += c + "=${" + c + "}/"
	}
	props = append(props, [2]string{"storage.location.template", tmpl})
	for i, p := range props {
		sep := ","
		if i == len(props)-1 {
			sep = ""
		}
		fmt.Fprintf(b, "  %s = %s%s\n", schema.Literal(p[0]), schema.Literal(p[1]), sep)
	}
	b.WriteString(");\n")
}

func trino(b *strings.Builder, t *schema.Table, lay layout, loc string) {
	b.WriteString("\n-- Trino: Hive connector (catalog hive, schema default); partition values are zero-padded strings\n")
	b.WriteString("CREATE TABLE hive.default." + t.Name + " (\n")
	extra := make([]string, len(lay.columns))
	quoted := make([]string, len(lay.columns))
	for i, c := range lay.columns {
		extra[i] = "  " + schema.Quote(c) + " varchar"
		quoted[i] = schema.Literal(c)
	}
	columnList(b, t, schema.Quote, trinoType, false, extra)
	fmt.Fprintf(b, ")\nWITH (\n  format = 'PARQUET',\n  external_location = %s,\n  partitioned_by = ARRAY[%s]\n);\n",
		schema.Literal(loc), strings.Join(quoted, ", "))
	fmt.Fprintf(b, "CALL hive.system.sync_partition_metadata('default', %s, 'FULL');\n", schema.Literal(t.Name))
}

func spark(b *strings.Builder, t *schema.Table, lay layout, loc string) {
	if !isS3(loc) {
		loc = "file://" + loc
	}
	b.WriteString("\n-- Spark SQL (use s3a:// for S3 outside EMR); partition values are zero-padded strings\n")
	b.WriteString("CREATE TABLE IF NOT EXISTS " + t.Name + " (\n")
	extra := make([]string, len(lay.columns))
	names := make([]string, len(lay.columns))
	for i, c := range lay.columns {
		extra[i] = "  " + backtick(c) + " STRING"
		names[i] = backtick(c)
	}
	columnList(b, t, backtick, athenaType, true, extra)
	fmt.Fprintf(b, ")\nUSING parquet\nPARTITIONED BY (%s)\nLOCATION %s;\nMSCK REPAIR TABLE %s;\n",
		strings.Join(names, ", "), schema.Literal(loc), t.Name)
}

// firstYear and lastYear give the years the lake holds, widened to the
// current year so that Athena's projection finds partitions exported later
// this year.
func firstYear(st *state, opts Options) int {
	y := opts.Now().UTC().Year()
	for key := range st.Partitions {
		if k := keyYear(key); k > 0 && k < y {
			y = k
		}
	}
	return y
}

func lastYear(st *state, opts Options) int {
	y := opts.Now().UTC().Year()
	for key := range st.Partitions {
		if k := keyYear(key); k > y {
			y = k
		}
	}
	return y
}

// keyYear returns the year of a partition path "year=YYYY/...", or 0.
func keyYear(key string) int {
	var y int
	if _, err := fmt.Sscanf(key, "year=%d/", &y); err != nil {
		return 0
	}
	return y
}
