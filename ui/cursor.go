package ui

import (
	"context"
	"database/sql"
	"sync"
	"time"
)

// cursor is a running query whose rows the page fetches a page at a time,
// so a large result is never held whole in memory. Its connection and
// rows stay open until the last row was read, it is cancelled, or it sat
// idle for cursorIdle.
type cursor struct {
	mu     sync.Mutex // one page at a time
	rows   *sql.Rows
	conn   *sql.Conn
	cancel context.CancelFunc
	types  []*sql.ColumnType
	n      int64
	used   time.Time
	done   bool
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

// close releases the rows and the connection; the caller holds c.mu.
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

// next reads up to n rows as JSON-ready values; at the end it closes c.
func (c *cursor) next(n int) ([][]any, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.nextLocked(n)
}

// nextLocked is next for a caller that holds c.mu.
func (c *cursor) nextLocked(n int) ([][]any, error) {
	c.used = time.Now()
	if c.done {
		return nil, nil
	}
	out := make([][]any, 0, n)
	vals := make([]any, len(c.types))
	ptrs := make([]any, len(vals))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for len(out) < n && c.rows.Next() {
		if err := c.rows.Scan(ptrs...); err != nil {
			c.close()
			return nil, err
		}
		row := make([]any, len(vals))
		for i, v := range vals {
			row[i] = jsonValue(v)
		}
		out = append(out, row)
		c.n++
	}
	if len(out) < n {
		err := c.rows.Err()
		c.close()
		return out, err
	}
	return out, nil
}
