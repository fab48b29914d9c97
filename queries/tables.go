package queries

import (
	"regexp"
	"strings"

	"github.com/s3logs/s3logs/schema"
)

// Tables are the tables s3logs keeps, named in the error for an unknown
// table.
var Tables = []string{schema.TableName, schema.RejectsTableName, schema.ManifestTableName, schema.ReplacedTableName}

// didYouMeanRE is DuckDB's suggestion after an unknown table, which names
// the closest table of its whole catalog: often pg_class or duckdb_tables.
var didYouMeanRE = regexp.MustCompile(`Did you mean "([^"]*)"\?`)

// TableError rewrites DuckDB's error for an unknown table so that it lists
// s3logs' tables, not the system table DuckDB found closest (Did you mean
// "pg_class"?). A suggestion that is one of s3logs' tables is kept. Other
// errors are returned as they are.
func TableError(err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	if !strings.Contains(msg, "Table with name ") || !strings.Contains(msg, " does not exist") {
		return err
	}
	m := didYouMeanRE.FindStringSubmatch(msg)
	if m != nil && isOurTable(m[1]) {
		return err
	}
	list := "s3logs' tables are " + strings.Join(Tables, ", ") + " (also as panther_logs." + schema.TableName + ")"
	if m != nil {
		msg = strings.Replace(msg, m[0], list, 1)
	} else {
		first, rest, _ := strings.Cut(msg, "\n")
		msg = first + " " + list
		if rest != "" {
			msg += "\n" + rest
		}
	}
	return &rewrittenError{msg: msg, err: err}
}

func isOurTable(name string) bool {
	name = strings.TrimPrefix(name, "panther_logs.")
	for _, t := range Tables {
		if strings.EqualFold(name, t) {
			return true
		}
	}
	return false
}

// rewrittenError is an error with a new message that still unwraps to the
// original.
type rewrittenError struct {
	msg string
	err error
}

func (e *rewrittenError) Error() string { return e.msg }
func (e *rewrittenError) Unwrap() error { return e.err }
