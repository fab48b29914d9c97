package ui

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"time"
)

// cursor is a query whose rows the page reads a page at a time. DuckDB's
// Go driver materializes a result whole before the first row (a SELECT *
// of 1,000,000 rows took 4.2 s and 1.4 GB before its first page), so a
// cursor does not hold one result open: each page runs the statement
// wrapped in LIMIT n+1 OFFSET k, which DuckDB stops early, and only that
// page is in memory. A statement that cannot be wrapped (SHOW, DESCRIBE,
// PRAGMA, several statements) runs whole once and its rows are read from
// the held result, as such results are small.
//
// Pages from separate runs agree only if DuckDB keeps the row order from
// run to run, which it does for scans, filters and ORDER BY but not for
// GROUP BY, DISTINCT or joins (parallel hash tables): a statement with
// those and no ORDER BY (unstableOrder) is run once and held too, as its
// result is an aggregate as a rule. Storing every result instead (CREATE
// TEMP TABLE AS, pages read from it) was measured and not kept: 9.6 s and
// 1.35 GB for the first page of SELECT * over 1,000,000 rows, against
// 0.065 s and 280 MB here.
type cursor struct {
	mu     sync.Mutex // one page at a time
	ctx    context.Context
	cancel context.CancelFunc
	db     *sql.DB
	text   string
	args   []any
	offset int64

	rows  *sql.Rows // the held result of a statement that cannot be wrapped
	conn  *sql.Conn
	types []*sql.ColumnType
	used  time.Time
	done  bool
}

// cursorIdle is how long an unread cursor lives.
const cursorIdle = 10 * time.Minute

// cursors holds the open cursors by id.
type cursors struct {
	mu   sync.Mutex
	byID map[string]*cursor
}

func newCursors() *cursors { return &cursors{byID: map[string]*cursor{}} }

// add registers c under id, which the page chose so that it can cancel
// the query while it runs; it also closes idle cursors. It reports false
// when id is taken.
func (cs *cursors) add(id string, c *cursor) bool {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	if _, taken := cs.byID[id]; taken {
		return false
	}
	now := time.Now()
	for k, old := range cs.byID {
		if now.Sub(old.used) > cursorIdle && old.mu.TryLock() {
			old.close()
			old.mu.Unlock()
			delete(cs.byID, k)
		}
	}
	c.used = now
	cs.byID[id] = c
	return true
}

func (cs *cursors) get(id string) *cursor {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	return cs.byID[id]
}

// remove forgets id and returns its cursor, if any.
func (cs *cursors) remove(id string) *cursor {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	c := cs.byID[id]
	delete(cs.byID, id)
	return c
}

func (cs *cursors) closeAll() {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	for k, c := range cs.byID {
		c.cancel()
		c.mu.Lock()
		c.close()
		c.mu.Unlock()
		delete(cs.byID, k)
	}
}

// close releases what c holds; the caller holds c.mu.
func (c *cursor) close() {
	c.cancel()
	if c.rows != nil {
		c.rows.Close()
		c.rows = nil
	}
	if c.conn != nil {
		c.conn.Close()
		c.conn = nil
	}
	c.done = true
}

// start runs the first page; the caller holds c.mu. A statement that
// cannot be wrapped as a subquery runs as it is.
func (c *cursor) start(n int) ([][]any, error) {
	if !unstableOrder(c.text) {
		out, err := c.page(n)
		if err == nil || c.ctx.Err() != nil {
			return out, err
		}
	}
	var err error
	// Not a query that can be a subquery (or a failing one: then running it
	// as it is gives its own error message, with the right positions).
	if c.conn, err = c.db.Conn(c.ctx); err != nil {
		return nil, err
	}
	if c.rows, err = c.conn.QueryContext(c.ctx, c.text, c.args...); err != nil {
		c.close()
		return nil, err
	}
	if c.types, err = c.rows.ColumnTypes(); err != nil {
		c.close()
		return nil, err
	}
	return c.read(c.rows, n)
}

// next reads the next page of up to n rows.
func (c *cursor) next(n int) ([][]any, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.used = time.Now()
	switch {
	case c.done:
		return nil, nil
	case c.rows != nil:
		return c.read(c.rows, n)
	}
	return c.page(n)
}

// page runs the statement for rows [offset, offset+n] and keeps n of them.
func (c *cursor) page(n int) ([][]any, error) {
	q := fmt.Sprintf("SELECT * FROM (\n%s\n) AS s3logs_page LIMIT %d OFFSET %d", c.text, n+1, c.offset)
	rows, err := c.db.QueryContext(c.ctx, q, c.args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	if c.types == nil {
		if c.types, err = rows.ColumnTypes(); err != nil {
			return nil, err
		}
	}
	out, err := c.read(rows, n+1)
	if err != nil {
		return nil, err
	}
	c.offset += int64(n)
	if len(out) > n {
		return out[:n], nil
	}
	c.close()
	return out, nil
}

// read scans up to n rows as JSON-ready values; when the held result ends
// it closes c.
func (c *cursor) read(rows *sql.Rows, n int) ([][]any, error) {
	out := make([][]any, 0, min(n, 1024))
	vals := make([]any, len(c.types))
	ptrs := make([]any, len(vals))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for len(out) < n && rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			c.close()
			return nil, err
		}
		row := make([]any, len(vals))
		for i, v := range vals {
			row[i] = jsonValue(v)
		}
		out = append(out, row)
	}
	if len(out) < n {
		err := rows.Err()
		if rows == c.rows {
			c.close()
		}
		return out, err
	}
	return out, nil
}
