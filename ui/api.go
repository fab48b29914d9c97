package ui

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"strings"
	"time"

	"github.com/duckdb/duckdb-go/v2"

	"github.com/s3logs/s3logs/queries"
	"github.com/s3logs/s3logs/schema"
)

// querySpec is what the page asks to run: SQL typed in the editor, a saved
// query with its parameters (bound by the catalog, never spliced), or the
// events of an alert. Sort, when set, orders the result by that column.
type querySpec struct {
	SQL    string            `json:"sql,omitempty"`
	Saved  string            `json:"saved,omitempty"`
	Params map[string]string `json:"params,omitempty"`
	Alert  *alertRef         `json:"alert,omitempty"`
	RowIDs []string          `json:"row_ids,omitempty"`
	Sort   string            `json:"sort,omitempty"`
	Desc   bool              `json:"desc,omitempty"`
}

// errBadRequest marks an error that is the request's fault: 400.
var errBadRequest = errors.New("bad request")

// resolve turns the spec into one statement and its arguments.
func (s *Server) resolve(ctx context.Context, q querySpec) (string, []any, error) {
	var text string
	var args []any
	var err error
	switch {
	case q.Saved != "":
		sq, gerr := s.opts.Catalog.Get(q.Saved)
		if gerr != nil {
			return "", nil, fmt.Errorf("%w: %v", errBadRequest, gerr)
		}
		if text, args, err = sq.BindAt(q.Params, s.opts.Now()); err != nil {
			return "", nil, fmt.Errorf("%w: %v", errBadRequest, err)
		}
	case q.Alert != nil:
		if text, args, err = s.alertEvents(ctx, *q.Alert); err != nil {
			return "", nil, err
		}
	case q.RowIDs != nil:
		text, args = rowsByID(q.RowIDs)
	case strings.TrimSpace(q.SQL) != "":
		if text, err = queries.Expand(q.SQL); err != nil {
			return "", nil, fmt.Errorf("%w: %v", errBadRequest, err)
		}
	default:
		return "", nil, fmt.Errorf("%w: nothing to run", errBadRequest)
	}
	text = strings.TrimRight(strings.TrimSpace(text), "; \t\n")
	if q.Sort != "" {
		dir := "ASC"
		if q.Desc {
			dir = "DESC"
		}
		text = fmt.Sprintf("SELECT * FROM (\n%s\n) AS q ORDER BY %s %s NULLS LAST", text, schema.Quote(q.Sort), dir)
	}
	return text, args, nil
}

// decode reads the JSON body into v (at most 1 MiB).
func decode(r *http.Request, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(nil, r.Body, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("%w: %v", errBadRequest, err)
	}
	return nil
}

// reply writes v as JSON, or the error with its status.
func reply(w http.ResponseWriter, v any, err error) {
	w.Header().Set("Content-Type", "application/json")
	if err != nil {
		code := http.StatusInternalServerError
		if errors.Is(err, errBadRequest) {
			code = http.StatusBadRequest
		} else if errors.Is(err, context.Canceled) {
			code = 499 // client closed request, as nginx says
		} else {
			code = http.StatusUnprocessableEntity // the query failed: DuckDB's message
		}
		w.WriteHeader(code)
		json.NewEncoder(w).Encode(map[string]string{"error": err.Error()})
		return
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(true)
	enc.Encode(v)
}

type column struct {
	Name string `json:"name"`
	Type string `json:"type"`
}

// apiQuery starts a query and returns its columns and first page. The
// page picks the query's id (random hex) so that /api/cancel can stop it
// while DuckDB is still working; later pages come from /api/rows.
func (s *Server) apiQuery(w http.ResponseWriter, r *http.Request) {
	var req struct {
		querySpec
		ID   string `json:"id"`
		Page int    `json:"page"`
	}
	if err := decode(r, &req); err != nil {
		reply(w, nil, err)
		return
	}
	if !validID(req.ID) {
		reply(w, nil, fmt.Errorf("%w: id: want 16 to 64 hex digits", errBadRequest))
		return
	}
	// The query outlives this request (its rows are fetched later), so it
	// runs under its own context, cancelled by /api/cancel or Close.
	ctx, cancel := context.WithCancel(context.Background())
	c := &cursor{ctx: ctx, cancel: cancel, db: s.db.DB}
	c.mu.Lock()
	if !s.cursors.add(req.ID, c) {
		c.mu.Unlock()
		cancel()
		reply(w, nil, fmt.Errorf("%w: id in use", errBadRequest))
		return
	}
	res, err := s.start(c, req.querySpec, pageSize(req.Page))
	done := c.done
	c.mu.Unlock()
	if err != nil || done {
		s.cursors.remove(req.ID)
	}
	reply(w, res, err)
}

// start resolves the spec and reads the first page; the caller holds c.mu.
func (s *Server) start(c *cursor, spec querySpec, page int) (map[string]any, error) {
	text, args, err := s.resolve(c.ctx, spec)
	if err != nil {
		c.close()
		return nil, err
	}
	c.text, c.args = text, args
	rows, err := c.start(page)
	if err != nil {
		c.close()
		return nil, err
	}
	cols := make([]column, len(c.types))
	for i, t := range c.types {
		cols[i] = column{Name: t.Name(), Type: t.DatabaseTypeName()}
	}
	return map[string]any{"columns": cols, "rows": rows, "done": c.done, "sql": text}, nil
}

// validID reports whether id is 16 to 64 lowercase hex digits.
func validID(id string) bool {
	if len(id) < 16 || len(id) > 64 {
		return false
	}
	for _, c := range id {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// rowsByID selects the events with the given p_row_ids, bound as a list.
func rowsByID(ids []string) (string, []any) {
	return `SELECT * FROM aws_s3serveraccess WHERE p_row_id IN (SELECT unnest($ids)) ORDER BY p_event_time, p_row_id`,
		[]any{sql.Named("ids", ids)}
}

func pageSize(n int) int {
	if n <= 0 || n > 10000 {
		return 200
	}
	return n
}

// apiRows returns the next page of a cursor.
func (s *Server) apiRows(w http.ResponseWriter, r *http.Request) {
	var req struct {
		ID   string `json:"id"`
		Page int    `json:"page"`
	}
	if err := decode(r, &req); err != nil {
		reply(w, nil, err)
		return
	}
	c := s.cursors.get(req.ID)
	if c == nil {
		reply(w, nil, fmt.Errorf("%w: no such result (finished, cancelled or expired): run the query again", errBadRequest))
		return
	}
	rows, err := c.next(pageSize(req.Page))
	if c.done {
		s.cursors.remove(req.ID)
	}
	reply(w, map[string]any{"rows": rows, "done": c.done}, err)
}

// apiCancel cancels a running query: its context is cancelled, which
// interrupts DuckDB, and its cursor is freed.
func (s *Server) apiCancel(w http.ResponseWriter, r *http.Request) {
	var req struct {
		ID string `json:"id"`
	}
	if err := decode(r, &req); err != nil {
		reply(w, nil, err)
		return
	}
	c := s.cursors.remove(req.ID)
	if c != nil {
		c.cancel()
		c.mu.Lock()
		c.close()
		c.mu.Unlock()
	}
	reply(w, map[string]bool{"cancelled": c != nil}, nil)
}

// jsonValue turns a scanned DuckDB value into one encoding/json writes
// faithfully: times as RFC 3339 UTC, bytes and odd types as strings.
func jsonValue(v any) any {
	switch x := v.(type) {
	case nil, bool, string, int8, int16, int32, int64, uint8, uint16, uint32, uint64, int, uint:
		return x
	case float32, float64:
		return x
	case time.Time:
		return x.UTC().Format(time.RFC3339Nano)
	case []byte:
		return string(x)
	case *big.Int:
		return x.String()
	case duckdb.Decimal:
		return x.String()
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = jsonValue(e)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = jsonValue(e)
		}
		return out
	default:
		return fmt.Sprint(x)
	}
}

// apiSchema lists the tables and views with their columns (and the
// schema's descriptions) and DuckDB's function names, for completion.
func (s *Server) apiSchema(w http.ResponseWriter, r *http.Request) {
	type col struct {
		Name        string `json:"name"`
		Type        string `json:"type"`
		Description string `json:"description,omitempty"`
	}
	tables := map[string][]col{}
	rows, err := s.db.QueryContext(r.Context(), `SELECT table_name, column_name, data_type, coalesce(comment, '')
		FROM duckdb_columns() WHERE database_name = current_database() AND NOT internal ORDER BY table_name, column_index`)
	if err != nil {
		reply(w, nil, err)
		return
	}
	defer rows.Close()
	for rows.Next() {
		var t string
		var c col
		if err := rows.Scan(&t, &c.Name, &c.Type, &c.Description); err != nil {
			reply(w, nil, err)
			return
		}
		tables[t] = append(tables[t], c)
	}
	var fns []string
	frows, err := s.db.QueryContext(r.Context(), `SELECT DISTINCT function_name FROM duckdb_functions()
		WHERE function_type IN ('scalar', 'aggregate', 'macro', 'table_macro', 'table')
		AND regexp_matches(function_name, '^[a-z][a-z0-9_]*$') ORDER BY 1`)
	if err != nil {
		reply(w, nil, err)
		return
	}
	defer frows.Close()
	for frows.Next() {
		var f string
		if err := frows.Scan(&f); err != nil {
			reply(w, nil, err)
			return
		}
		fns = append(fns, f)
	}
	reply(w, map[string]any{"tables": tables, "functions": append(fns, "p_occurs_since", "p_occurs_between")}, rows.Err())
}

// apiQueries lists the saved queries with their typed parameters.
func (s *Server) apiQueries(w http.ResponseWriter, r *http.Request) {
	type param struct {
		Name        string   `json:"name"`
		Type        string   `json:"type"`
		Required    bool     `json:"required"`
		Default     *string  `json:"default,omitempty"`
		OneOf       []string `json:"one_of,omitempty"`
		Description string   `json:"description,omitempty"`
	}
	type query struct {
		Name        string   `json:"name"`
		Title       string   `json:"title"`
		Description string   `json:"description"`
		Tags        []string `json:"tags,omitempty"`
		Params      []param  `json:"params"`
		SQL         string   `json:"sql"`
	}
	var out []query
	for _, q := range s.opts.Catalog.List() {
		qq := query{Name: q.Name, Title: q.Title, Description: q.Description, Tags: q.Tags, SQL: q.SQL, Params: []param{}}
		for _, p := range q.Params {
			pp := param{Name: p.Name, Type: p.Type.String(), Required: p.Required, OneOf: p.OneOf, Description: p.Description}
			if p.HasDefault {
				d := p.Default
				pp.Default = &d
			}
			qq.Params = append(qq.Params, pp)
		}
		out = append(out, qq)
	}
	reply(w, out, nil)
}
