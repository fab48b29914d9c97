package render

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/duckdb/duckdb-go/v2"
)

// A streamed result arrives as Arrow record batches (DuckDB's own
// conversion of each data chunk); the writers take the Go values
// duckdb-go's Scan gives. A getter turns the non-NULL value at row i of
// one batch's column into exactly that value, so that every format prints
// the same bytes either way (TestStreamValues holds the two to each
// other). getters are made once per batch from a reader, which is chosen
// once per column from the column's DuckDB type; a column of a type
// without a reader is not streamed (see streamable).
//
// Values never point into the batch, which DuckDB frees once the next is
// read: strings and bytes are copied, as duckdb-go copies them.

// getter returns the value at row i of one batch's column; i is not NULL.
type getter func(i int) any

// reader makes the getter of one batch's column.
type reader func(arr arrow.Array) (getter, error)

// typeReader returns the reader of a column of DuckDB type t, and the
// type's name as duckdb-go's ColumnTypeDatabaseTypeName gives it. ok is
// false for a type it does not read.
func typeReader(t duckdb.TypeInfo) (r reader, name string, ok bool) {
	if t.Alias() != "" { // JSON, INET...: duckdb-go reads them its own way
		return nil, "", false
	}
	switch t.InternalType() {
	case duckdb.TYPE_VARCHAR:
		return readString, "VARCHAR", true
	case duckdb.TYPE_BLOB:
		return readBytes, "BLOB", true
	case duckdb.TYPE_BOOLEAN:
		return readTyped[*array.Boolean, bool], "BOOLEAN", true
	case duckdb.TYPE_TINYINT:
		return readTyped[*array.Int8, int8], "TINYINT", true
	case duckdb.TYPE_SMALLINT:
		return readTyped[*array.Int16, int16], "SMALLINT", true
	case duckdb.TYPE_INTEGER:
		return readTyped[*array.Int32, int32], "INTEGER", true
	case duckdb.TYPE_BIGINT:
		return readTyped[*array.Int64, int64], "BIGINT", true
	case duckdb.TYPE_UTINYINT:
		return readTyped[*array.Uint8, uint8], "UTINYINT", true
	case duckdb.TYPE_USMALLINT:
		return readTyped[*array.Uint16, uint16], "USMALLINT", true
	case duckdb.TYPE_UINTEGER:
		return readTyped[*array.Uint32, uint32], "UINTEGER", true
	case duckdb.TYPE_UBIGINT:
		return readTyped[*array.Uint64, uint64], "UBIGINT", true
	case duckdb.TYPE_FLOAT:
		return readTyped[*array.Float32, float32], "FLOAT", true
	case duckdb.TYPE_DOUBLE:
		return readTyped[*array.Float64, float64], "DOUBLE", true
	case duckdb.TYPE_TIMESTAMP:
		return readTimestamp, "TIMESTAMP", true
	case duckdb.TYPE_TIMESTAMP_TZ:
		return readTimestamp, "TIMESTAMPTZ", true
	case duckdb.TYPE_TIMESTAMP_S:
		return readTimestamp, "TIMESTAMP_S", true
	case duckdb.TYPE_TIMESTAMP_MS:
		return readTimestamp, "TIMESTAMP_MS", true
	case duckdb.TYPE_TIMESTAMP_NS:
		return readTimestamp, "TIMESTAMP_NS", true
	case duckdb.TYPE_DATE:
		return readDate, "DATE", true
	case duckdb.TYPE_INTERVAL:
		return readInterval, "INTERVAL", true
	case duckdb.TYPE_HUGEINT:
		return readHugeint, "HUGEINT", true
	case duckdb.TYPE_DECIMAL:
		d, ok := t.Details().(*duckdb.DecimalDetails)
		if !ok {
			return nil, "", false
		}
		return readDecimal(d.Width, d.Scale), fmt.Sprintf("DECIMAL(%d,%d)", d.Width, d.Scale), true
	case duckdb.TYPE_SQLNULL:
		return readNull, "SQLNULL", true
	case duckdb.TYPE_LIST:
		l, ok := t.Details().(*duckdb.ListDetails)
		if !ok {
			return nil, "", false
		}
		elem, name, ok := typeReader(l.Child)
		if !ok {
			return nil, "", false
		}
		return readList(elem), name + "[]", true
	}
	return nil, "", false
}

// arrayAs returns arr as the Arrow array type A, or an error naming both
// types: DuckDB exported a type the reader does not expect.
func arrayAs[A arrow.Array](arr arrow.Array) (A, error) {
	a, ok := arr.(A)
	if !ok {
		return a, fmt.Errorf("render: streamed column of Arrow type %s, want %T", arr.DataType(), a)
	}
	return a, nil
}

// valuer is an Arrow array of fixed-width values of type T.
type valuer[T any] interface {
	arrow.Array
	Value(i int) T
}

func readTyped[A valuer[T], T any](arr arrow.Array) (getter, error) {
	a, err := arrayAs[A](arr)
	if err != nil {
		return nil, err
	}
	return func(i int) any { return a.Value(i) }, nil
}

// stringer is an Arrow array of strings (utf8, large_utf8, utf8_view).
type stringer interface {
	arrow.Array
	Value(i int) string
}

func readString(arr arrow.Array) (getter, error) {
	a, err := arrayAs[stringer](arr)
	if err != nil {
		return nil, err
	}
	return func(i int) any { return strings.Clone(a.Value(i)) }, nil
}

// byter is an Arrow array of bytes (binary, large_binary, binary_view).
type byter interface {
	arrow.Array
	Value(i int) []byte
}

func readBytes(arr arrow.Array) (getter, error) {
	a, err := arrayAs[byter](arr)
	if err != nil {
		return nil, err
	}
	return func(i int) any { return bytes.Clone(a.Value(i)) }, nil
}

// readTimestamp reads every TIMESTAMP type by its Arrow unit, as duckdb-go
// does by its DuckDB type: the instant, in UTC.
func readTimestamp(arr arrow.Array) (getter, error) {
	a, err := arrayAs[*array.Timestamp](arr)
	if err != nil {
		return nil, err
	}
	switch unit := a.DataType().(*arrow.TimestampType).Unit; unit {
	case arrow.Second:
		return func(i int) any { return time.Unix(int64(a.Value(i)), 0).UTC() }, nil
	case arrow.Millisecond:
		return func(i int) any { return time.UnixMilli(int64(a.Value(i))).UTC() }, nil
	case arrow.Microsecond:
		return func(i int) any { return time.UnixMicro(int64(a.Value(i))).UTC() }, nil
	default:
		return func(i int) any { return time.Unix(0, int64(a.Value(i))).UTC() }, nil
	}
}

func readDate(arr arrow.Array) (getter, error) {
	a, err := arrayAs[*array.Date32](arr)
	if err != nil {
		return nil, err
	}
	return func(i int) any { return time.Date(1970, time.January, 1+int(a.Value(i)), 0, 0, 0, 0, time.UTC) }, nil
}

func readInterval(arr arrow.Array) (getter, error) {
	a, err := arrayAs[*array.MonthDayNanoInterval](arr)
	if err != nil {
		return nil, err
	}
	return func(i int) any {
		v := a.Value(i)
		return duckdb.Interval{Months: v.Months, Days: v.Days, Micros: v.Nanoseconds / 1000}
	}, nil
}

// readHugeint reads HUGEINT, which DuckDB exports as DECIMAL(38,0).
func readHugeint(arr arrow.Array) (getter, error) {
	a, err := arrayAs[*array.Decimal128](arr)
	if err != nil {
		return nil, err
	}
	return func(i int) any { return a.Value(i).BigInt() }, nil
}

func readDecimal(width, scale uint8) reader {
	return func(arr arrow.Array) (getter, error) {
		a, err := arrayAs[*array.Decimal128](arr)
		if err != nil {
			return nil, err
		}
		return func(i int) any { return duckdb.Decimal{Width: width, Scale: scale, Value: a.Value(i).BigInt()} }, nil
	}
}

// readNull reads the type of an untyped NULL: every value is NULL, and
// Scan gives nil.
func readNull(arrow.Array) (getter, error) {
	return func(int) any { return nil }, nil
}

// lister is an Arrow list array (list, large_list).
type lister interface {
	arrow.Array
	ListValues() arrow.Array
	ValueOffsets(i int) (start, end int64)
}

// readList reads a LIST as a []any, NULL elements nil, as duckdb-go does.
func readList(elem reader) reader {
	return func(arr arrow.Array) (getter, error) {
		a, err := arrayAs[lister](arr)
		if err != nil {
			return nil, err
		}
		values := a.ListValues()
		get, err := elem(values)
		if err != nil {
			return nil, err
		}
		return func(i int) any {
			start, end := a.ValueOffsets(i)
			l := make([]any, 0, end-start)
			for j := int(start); j < int(end); j++ {
				if values.IsNull(j) {
					l = append(l, nil)
				} else {
					l = append(l, get(j))
				}
			}
			return l
		}, nil
	}
}
