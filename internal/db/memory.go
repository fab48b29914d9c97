package db

import (
	"context"
	"database/sql"
	"strings"
)

// Session is what LimitMemory needs of a connection: *sql.Conn, *sql.DB
// and *sql.Tx have it.
type Session interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// LimitMemory sets DuckDB's memory limit (an instance-wide setting) to
// limit, such as "256MB", and returns what puts the previous limit back.
// Beyond its limit DuckDB spills sorts, aggregates and temporary tables to
// its temporary directory; at the default, 80% of RAM, a large result or
// an export's sort held gigabytes. Where the setting cannot be changed (a
// locked sandbox) it changes nothing.
func LimitMemory(ctx context.Context, s Session, limit string) (restore func()) {
	var was string
	if err := s.QueryRowContext(ctx, "SELECT current_setting('memory_limit')").Scan(&was); err != nil {
		return func() {}
	}
	if _, err := s.ExecContext(ctx, "SET memory_limit = "+literal(limit)); err != nil {
		return func() {}
	}
	return func() { s.ExecContext(context.WithoutCancel(ctx), "SET memory_limit = "+literal(was)) }
}

// literal is s as a SQL string literal.
func literal(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
