package intel

import (
	"context"
	"database/sql"
	"strings"
)

// queryer is what insert and facts need of a transaction.
type queryer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// insertBatch is how many rows one INSERT carries.
const insertBatch = 256

// insert adds rows of n values each to table, insertBatch rows a statement.
func insert(ctx context.Context, tx queryer, table string, n int, rows [][]any) error {
	mark := "(" + strings.TrimSuffix(strings.Repeat("?, ", n), ", ") + ")"
	for len(rows) > 0 {
		k := min(len(rows), insertBatch)
		args := make([]any, 0, k*n)
		for _, r := range rows[:k] {
			args = append(args, r...)
		}
		q := "INSERT INTO " + table + " VALUES " + strings.TrimSuffix(strings.Repeat(mark+", ", k), ", ")
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return err
		}
		rows = rows[k:]
	}
	return nil
}
