package render

import (
	"reflect"
	"unsafe"

	"github.com/duckdb/duckdb-go/v2"
	"github.com/duckdb/duckdb-go/v2/mapping"
)

// duckdb-go runs every query through DuckDB's materializing pending result
// (duckdb_pending_prepared), so that a result is whole in memory before its
// first row is read; DuckDB's streaming interface
// (duckdb_pending_prepared_streaming, in duckdb-go-bindings) needs the
// connection and prepared-statement handles, which duckdb-go keeps in
// unexported fields of its Conn and Stmt. rawConn and rawStmt read them.
// Each first checks by reflection that the field is there with the
// expected type, so that a duckdb-go that renames or retypes it makes
// streaming unavailable (Runner reads windows of a temporary table
// instead) rather than reading the wrong memory; TestRawHandles fails then.

// rawConn returns the DuckDB connection handle of c.
func rawConn(c *duckdb.Conn) (mapping.Connection, bool) {
	p, ok := handleField[mapping.Connection](c, "conn")
	if !ok {
		return mapping.Connection{}, false
	}
	return *p, true
}

// rawStmt returns the DuckDB prepared-statement handle of s.
func rawStmt(s *duckdb.Stmt) (mapping.PreparedStatement, bool) {
	p, ok := handleField[*mapping.PreparedStatement](s, "preparedStmt")
	if !ok || *p == nil {
		return mapping.PreparedStatement{}, false
	}
	return **p, true
}

// handleField returns a pointer to the field called name of the struct p points
// to, if it has type T.
func handleField[T any](p any, name string) (*T, bool) {
	v := reflect.ValueOf(p)
	if v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Struct {
		return nil, false
	}
	f := v.Elem().FieldByName(name)
	if !f.IsValid() || f.Type() != reflect.TypeFor[T]() {
		return nil, false
	}
	return (*T)(unsafe.Pointer(f.UnsafeAddr())), true
}
