package queries

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// TestTableError: an unknown table's error lists s3logs' tables instead of
// the system table DuckDB suggests; a suggestion of ours is kept, and
// other errors pass through.
func TestTableError(t *testing.T) {
	d := openFixture(t, nil)
	ctx := context.Background()
	_, err := d.QueryContext(ctx, "SELECT * FROM requests")
	got := TableError(err)
	if got == nil || !strings.Contains(got.Error(), "Table with name requests does not exist!\ns3logs' tables are aws_s3serveraccess, aws_s3serveraccess_rejects, s3logs_manifest") ||
		strings.Contains(got.Error(), "Did you mean") || !strings.Contains(got.Error(), "LINE 1:") || !errors.Is(got, err) {
		t.Errorf("unknown table: %v\n(DuckDB said: %v)", got, err)
	}
	_, err = d.QueryContext(ctx, "SELECT * FROM aws_s3serveracces")
	if got := TableError(err); got != err || !strings.Contains(got.Error(), `Did you mean "aws_s3serveraccess"?`) {
		t.Errorf("near one of ours: %v", got)
	}
	_, err = d.QueryContext(ctx, "SELECT nope FROM aws_s3serveraccess")
	if got := TableError(err); got != err {
		t.Errorf("other error rewritten: %v", got)
	}
}
