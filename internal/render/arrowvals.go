package render

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/duckdb/duckdb-go/v2"
	"github.com/duckdb/duckdb-go/v2/mapping"
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
func typeReader(t mapping.LogicalType) (r reader, name string, ok bool) {
	if mapping.LogicalTypeGetAlias(t) != "" { // JSON, INET...: duckdb-go reads them its own way
		return nil, "", false
	}
	switch id := mapping.GetTypeId(t); id {
	case duckdb.TYPE_DECIMAL:
		width, scale := mapping.DecimalWidth(t), mapping.DecimalScale(t)
		return readDecimal(width, scale), fmt.Sprintf("DECIMAL(%d,%d)", width, scale), true
	case duckdb.TYPE_LIST:
		child := mapping.ListTypeChildType(t)
		defer mapping.DestroyLogicalType(&child)
		elem, name, ok := typeReader(child)
		if !ok {
			return nil, "", false
		}
		return readList(elem), name + "[]", true
	case duckdb.TYPE_ARRAY:
		child := mapping.ArrayTypeChildType(t)
		defer mapping.DestroyLogicalType(&child)
		elem, name, ok := typeReader(child)
		if !ok {
			return nil, "", false
		}
		return readList(elem), fmt.Sprintf("%s[%d]", name, mapping.ArrayTypeArraySize(t)), true
	case duckdb.TYPE_STRUCT:
		return structReader(t)
	case duckdb.TYPE_MAP:
		return mapReader(t)
	default:
		r, ok := readers[id]
		return r.read, r.name, ok
	}
}

// readers are the readers of the types without parameters, and their
// names.
var readers = map[duckdb.Type]struct {
	read reader
	name string
}{
	duckdb.TYPE_VARCHAR:      {readString, "VARCHAR"},
	duckdb.TYPE_BLOB:         {readBytes, "BLOB"},
	duckdb.TYPE_BOOLEAN:      {readTyped[*array.Boolean, bool], "BOOLEAN"},
	duckdb.TYPE_TINYINT:      {readTyped[*array.Int8, int8], "TINYINT"},
	duckdb.TYPE_SMALLINT:     {readTyped[*array.Int16, int16], "SMALLINT"},
	duckdb.TYPE_INTEGER:      {readTyped[*array.Int32, int32], "INTEGER"},
	duckdb.TYPE_BIGINT:       {readTyped[*array.Int64, int64], "BIGINT"},
	duckdb.TYPE_UTINYINT:     {readTyped[*array.Uint8, uint8], "UTINYINT"},
	duckdb.TYPE_USMALLINT:    {readTyped[*array.Uint16, uint16], "USMALLINT"},
	duckdb.TYPE_UINTEGER:     {readTyped[*array.Uint32, uint32], "UINTEGER"},
	duckdb.TYPE_UBIGINT:      {readTyped[*array.Uint64, uint64], "UBIGINT"},
	duckdb.TYPE_FLOAT:        {readTyped[*array.Float32, float32], "FLOAT"},
	duckdb.TYPE_DOUBLE:       {readTyped[*array.Float64, float64], "DOUBLE"},
	duckdb.TYPE_TIMESTAMP:    {readTimestamp, "TIMESTAMP"},
	duckdb.TYPE_TIMESTAMP_TZ: {readTimestamp, "TIMESTAMPTZ"},
	duckdb.TYPE_TIMESTAMP_S:  {readTimestamp, "TIMESTAMP_S"},
	duckdb.TYPE_TIMESTAMP_MS: {readTimestamp, "TIMESTAMP_MS"},
	duckdb.TYPE_TIMESTAMP_NS: {readTimestamp, "TIMESTAMP_NS"},
	duckdb.TYPE_DATE:         {readDate, "DATE"},
	duckdb.TYPE_INTERVAL:     {readInterval, "INTERVAL"},
	duckdb.TYPE_HUGEINT:      {readHugeint, "HUGEINT"},
	duckdb.TYPE_SQLNULL:      {readNull, "SQLNULL"},
	duckdb.TYPE_ENUM:         {readEnum, "ENUM"},
	duckdb.TYPE_UUID:         {readUUID, "UUID"},
	duckdb.TYPE_TIME:         {readTime, "TIME"},
}

// structReader reads a STRUCT as a map[string]any of its fields, as
// duckdb-go does; its name lists the fields as duckdb-go writes them.
func structReader(t mapping.LogicalType) (r reader, name string, ok bool) {
	n := int(mapping.StructTypeChildCount(t))
	names := make([]string, n)
	fields := make([]reader, n)
	var b strings.Builder
	b.WriteString("STRUCT(")
	for i := range n {
		names[i] = mapping.StructTypeChildName(t, mapping.IdxT(i))
		child := mapping.StructTypeChildType(t, mapping.IdxT(i))
		r, childName, ok := typeReader(child)
		mapping.DestroyLogicalType(&child)
		if !ok {
			return nil, "", false
		}
		fields[i] = r
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(`"` + strings.ReplaceAll(names[i], `"`, `""`) + `" ` + childName)
	}
	b.WriteString(")")
	return func(arr arrow.Array) (getter, error) {
		a, err := arrayAs[*array.Struct](arr)
		if err != nil {
			return nil, err
		}
		gets := make([]getter, n)
		for i, f := range fields {
			if gets[i], err = f(a.Field(i)); err != nil {
				return nil, err
			}
		}
		return func(i int) any {
			m := make(map[string]any, n)
			for j, get := range gets {
				m[names[j]] = valueAt(a.Field(j), get, i)
			}
			return m
		}, nil
	}, b.String(), true
}

// mapReader reads a MAP as a duckdb.OrderedMap, as duckdb-go does.
func mapReader(t mapping.LogicalType) (r reader, name string, ok bool) {
	kt, vt := mapping.MapTypeKeyType(t), mapping.MapTypeValueType(t)
	defer mapping.DestroyLogicalType(&kt)
	defer mapping.DestroyLogicalType(&vt)
	keys, kname, kok := typeReader(kt)
	vals, vname, vok := typeReader(vt)
	if !kok || !vok {
		return nil, "", false
	}
	return func(arr arrow.Array) (getter, error) {
		a, err := arrayAs[*array.Map](arr)
		if err != nil {
			return nil, err
		}
		ka, va := a.Keys(), a.Items()
		getKey, err := keys(ka)
		if err != nil {
			return nil, err
		}
		getVal, err := vals(va)
		if err != nil {
			return nil, err
		}
		return func(i int) any {
			var m duckdb.OrderedMap
			start, end := a.ValueOffsets(i)
			for j := int(start); j < int(end); j++ {
				m.Set(valueAt(ka, getKey, j), valueAt(va, getVal, j))
			}
			return m
		}, nil
	}, fmt.Sprintf("MAP(%s, %s)", kname, vname), true
}

// valueAt is the value at row i of arr: nil when NULL.
func valueAt(arr arrow.Array, get getter, i int) any {
	if arr.IsNull(i) {
		return nil
	}
	return get(i)
}

// readEnum reads an ENUM (an Arrow dictionary of strings) as its string.
func readEnum(arr arrow.Array) (getter, error) {
	a, err := arrayAs[*array.Dictionary](arr)
	if err != nil {
		return nil, err
	}
	dict, err := arrayAs[stringer](a.Dictionary())
	if err != nil {
		return nil, err
	}
	return func(i int) any { return strings.Clone(dict.Value(a.GetValueIndex(i))) }, nil
}

// readUUID reads a UUID, which DuckDB exports as its text, as the 16
// bytes duckdb-go gives.
func readUUID(arr arrow.Array) (getter, error) {
	if a, ok := arr.(byter); ok { // exported losslessly, as its bytes
		return func(i int) any { return bytes.Clone(a.Value(i)) }, nil
	}
	a, err := arrayAs[stringer](arr)
	if err != nil {
		return nil, err
	}
	return func(i int) any {
		b, err := hex.DecodeString(strings.ReplaceAll(a.Value(i), "-", ""))
		if err != nil || len(b) != 16 {
			return a.Value(i) // not a UUID's text: shown as DuckDB wrote it
		}
		return b
	}, nil
}

// readTime reads a TIME as duckdb-go does: that time of day on January 1
// of year 1, UTC.
func readTime(arr arrow.Array) (getter, error) {
	a, err := arrayAs[*array.Time64](arr)
	if err != nil {
		return nil, err
	}
	perMicro := int64(1)
	if a.DataType().(*arrow.Time64Type).Unit == arrow.Nanosecond {
		perMicro = 1000
	}
	return func(i int) any {
		u := time.UnixMicro(int64(a.Value(i)) / perMicro).UTC()
		return time.Date(1, time.January, 1, u.Hour(), u.Minute(), u.Second(), u.Nanosecond(), time.UTC)
	}, nil
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
