package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"runtime"
	"strings"

	_ "github.com/duckdb/duckdb-go/v2" // registers the "duckdb" database/sql driver

	"github.com/s3logs/s3logs/schema"
)

// athenaRegex is AWS's documented Athena RegexSerDe input.regex for S3 server
// access logs, verbatim but for Hive's string escaping (`\\[` is the regex
// `\[`, `\"` is `"`). Source: AWS S3 User Guide, "Using Amazon S3 access logs
// to identify requests", section "Querying access logs for requests using
// Amazon Athena" (awsdocs/amazon-s3-userguide,
// doc_source/using-s3-access-logs-to-identify-requests.md at commit
// b048f895f8f2a0aa97d4545bf04133f20ee6f639, the version with the
// accesspointarn and aclrequired columns). Its 26 groups are the 26 log fields
// in order; it keeps the quotes of quoted fields, takes the referrer as one
// space-free token, and matches nothing (every group empty) on a line with an
// unescaped quote.
const athenaRegex = `([^ ]*) ([^ ]*) \[(.*?)\] ([^ ]*) ([^ ]*) ([^ ]*) ([^ ]*) ([^ ]*) ("[^"]*"|-) (-|[0-9]*) ([^ ]*) ([^ ]*) ([^ ]*) ([^ ]*) ([^ ]*) ([^ ]*) ("[^"]*"|-) ([^ ]*)(?: ([^ ]*) ([^ ]*) ([^ ]*) ([^ ]*) ([^ ]*) ([^ ]*) ([^ ]*) ([^ ]*))?.*$`

// diyTable is the table the do-it-yourself load fills.
const diyTable = "diy_s3serveraccess"

// diySQL returns the statements of the do-it-yourself DuckDB load of file: a
// table with the same 26 log columns and types as s3logs' table (from
// package schema); each line read as one string by read_csv and split with
// regexp_extract and athenaRegex; '-' and unmatched groups made NULL, quotes
// trimmed, times parsed with strptime and numbers cast.
//
// DuckDB's regexp_extract(s, re, i) accepts group indexes 0..9 only, so the
// 26 groups are taken in one call with the name-list form,
// regexp_extract(s, re, ['bucketowner', ...]), which returns a STRUCT: one
// regex match per line, the fastest way DuckDB offers.
func diySQL(file string) []string {
	cols := schema.S3ServerAccess.Columns[:schema.NumLogFields]
	var create, names, sel []string
	for i, c := range cols {
		create = append(create, fmt.Sprintf("%q %s", c.Name, c.Type.DuckDB()))
		names = append(names, sqlString(c.Name))
		g := fmt.Sprintf("m.%q", c.Name)
		var e string
		switch {
		case c.Type == schema.Timestamp:
			e = fmt.Sprintf("try_strptime(%s, '%%d/%%b/%%Y:%%H:%%M:%%S %%z')", g)
		case c.Type == schema.BigInt:
			e = fmt.Sprintf("TRY_CAST(%s AS BIGINT)", g)
		case i == schema.ColRequesturi || i == schema.ColReferrer || i == schema.ColUseragent:
			e = fmt.Sprintf("nullif(nullif(trim(%s, '\"'), ''), '-')", g)
		default:
			e = fmt.Sprintf("nullif(nullif(%s, ''), '-')", g)
		}
		sel = append(sel, e)
	}
	// delim is byte 0x01, which log lines never contain, so that each line is
	// one VARCHAR; quote and escape are off so quotes stay in the line.
	read := fmt.Sprintf("read_csv(%s, columns={'line': 'VARCHAR'}, delim='\x01', quote='', escape='', header=false, auto_detect=false, max_line_size=16777216)", sqlString(file))
	split := fmt.Sprintf("SELECT regexp_extract(line, %s, [%s]) AS m FROM %s", sqlString(athenaRegex), strings.Join(names, ", "), read)
	return []string{
		fmt.Sprintf("CREATE TABLE %s (%s)", diyTable, strings.Join(create, ", ")),
		fmt.Sprintf("INSERT INTO %s SELECT %s FROM (%s)", diyTable, strings.Join(sel, ",\n  "), split),
	}
}

// sqlString quotes s as a SQL string literal.
func sqlString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// childStats is what a child process reports on its stdout, as JSON.
type childStats struct {
	Rows      int64 `json:"rows"`
	Rejected  int64 `json:"rejected,omitempty"`  // parse: lines the loader rejected
	Unmatched int64 `json:"unmatched,omitempty"` // diy: rows the regex did not match, every column NULL
}

// runDIY loads file into a new DuckDB database at dbPath the do-it-yourself
// way and writes its childStats as JSON to w. It is what the child process
// started with -child diy runs. DuckDB runs
// one thread per usable CPU.
func runDIY(ctx context.Context, dbPath, file string, w io.Writer) error {
	db, err := sql.Open("duckdb", dbPath+"?autoinstall_known_extensions=false&autoload_known_extensions=false")
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetMaxOpenConns(1) // so that the SET below holds for the load
	// DuckDB counts the machine's cores, not the CPUs taskset leaves: set
	// its threads to the usable CPUs, as s3logs does.
	if _, err := db.ExecContext(ctx, fmt.Sprintf("SET threads = %d", runtime.NumCPU())); err != nil {
		return err
	}
	for _, stmt := range diySQL(file) {
		if _, err := db.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("diy load: %w", err)
		}
	}
	var st childStats
	q := fmt.Sprintf("SELECT count(*), count(*) FILTER (WHERE bucketowner IS NULL) FROM %s", diyTable)
	if err := db.QueryRowContext(ctx, q).Scan(&st.Rows, &st.Unmatched); err != nil {
		return err
	}
	if err := db.Close(); err != nil { // checkpoint inside the measured process
		return err
	}
	return json.NewEncoder(w).Encode(st)
}
