package render

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/duckdb/duckdb-go/v2"
)

// Layouts of time values in the text formats, as DuckDB's own shell shows
// them (the session time zone is UTC, so TIMESTAMPTZ ends in "+00").
const (
	layoutTSTZ   = "2006-01-02 15:04:05.999999-07"
	layoutTS     = "2006-01-02 15:04:05.999999"
	layoutDate   = "2006-01-02"
	layoutTime   = "15:04:05.999999"
	layoutTimeTZ = "15:04:05.999999-07"
	// layoutRFC3339 is used in CSV and JSON: UTC, fractional seconds only
	// when non-zero.
	layoutRFC3339 = "2006-01-02T15:04:05.999999999Z07:00"
)

// text formats a non-NULL value of type t as DuckDB shows it. Inside a
// list, struct or map (nested), strings that would be ambiguous are quoted.
func text(v any, t *dtype, nested bool) string {
	switch x := v.(type) {
	case nil:
		return "NULL"
	case string:
		if nested {
			return quoteNested(x)
		}
		return x
	case time.Time:
		return timeText(x, t)
	case []byte:
		return bytesText(x, t)
	case []any:
		return listText(x, t)
	case map[string]any:
		return structText(x, t)
	case duckdb.OrderedMap:
		return mapText(x, t)
	case duckdb.Interval:
		return intervalText(x)
	case duckdb.Union:
		return text(x.Value, unionMember(t, x.Tag), nested)
	case float64:
		return floatText(x, 64)
	case float32:
		return floatText(float64(x), 32)
	case bool:
		return strconv.FormatBool(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case *big.Int:
		return x.String()
	case fmt.Stringer: // Decimal, UUID, Bit, and the unsigned and small ints below
		return x.String()
	}
	return fmt.Sprint(v)
}

// quoteNested quotes a string inside a list or struct the way DuckDB's
// VARCHAR cast does when the bare text would be ambiguous.
func quoteNested(s string) string {
	if s != "" && !strings.EqualFold(s, "null") && !strings.ContainsAny(s, `,[]{}'":=`) &&
		strings.TrimSpace(s) == s {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `\'`) + "'"
}

func timeText(x time.Time, t *dtype) string {
	name := ""
	if t != nil {
		name = t.name
	}
	switch name {
	case "DATE":
		return x.Format(layoutDate)
	case "TIME":
		return x.Format(layoutTime)
	case "TIMETZ":
		return x.Format(layoutTimeTZ)
	case "TIMESTAMP", "TIMESTAMP_S", "TIMESTAMP_MS", "TIMESTAMP_NS":
		return x.UTC().Format(layoutTS)
	}
	return x.UTC().Format(layoutTSTZ)
}

// timeJSON formats a time value for CSV and JSON: timestamps in RFC 3339
// UTC, dates and times of day as DuckDB writes them.
func timeJSON(x time.Time, t *dtype) string {
	if t != nil {
		switch t.name {
		case "DATE", "TIME", "TIMETZ":
			return timeText(x, t)
		}
	}
	return x.UTC().Format(layoutRFC3339)
}

func bytesText(b []byte, t *dtype) string {
	if t != nil && t.name == "UUID" && len(b) == 16 {
		var u duckdb.UUID
		copy(u[:], b)
		return u.String()
	}
	// BLOB: printable ASCII as is, anything else as \xNN, as DuckDB shows it.
	var s strings.Builder
	for _, c := range b {
		if c >= 0x20 && c < 0x7f && c != '\\' {
			s.WriteByte(c)
		} else {
			s.WriteString(`\x`)
			s.WriteString(strings.ToUpper(hex.EncodeToString([]byte{c})))
		}
	}
	return s.String()
}

func elemType(t *dtype) *dtype {
	if t == nil {
		return nil
	}
	return t.elem
}

func listText(l []any, t *dtype) string {
	et := elemType(t)
	parts := make([]string, len(l))
	for i, v := range l {
		parts[i] = text(v, et, true)
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// structFields returns the keys of a struct value in declaration order when
// the type is known, else sorted, with the type of each.
func structFields(m map[string]any, t *dtype) []field {
	if t != nil && t.name == "STRUCT" && len(t.fields) == len(m) {
		return t.fields
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]field, len(keys))
	for i, k := range keys {
		out[i] = field{name: k}
	}
	return out
}

func structText(m map[string]any, t *dtype) string {
	if t == nil || t.name != "STRUCT" { // a JSON object
		b, _ := json.Marshal(m)
		return string(b)
	}
	fs := structFields(m, t)
	parts := make([]string, len(fs))
	for i, f := range fs {
		parts[i] = "'" + strings.ReplaceAll(f.name, "'", `\'`) + "': " + text(m[f.name], f.t, true)
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

func mapText(m duckdb.OrderedMap, t *dtype) string {
	var kt, vt *dtype
	if t != nil {
		kt, vt = t.key, t.val
	}
	keys, vals := m.Keys(), m.Values()
	parts := make([]string, len(keys))
	for i := range keys {
		parts[i] = text(keys[i], kt, true) + "=" + text(vals[i], vt, true)
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

func unionMember(t *dtype, tag string) *dtype {
	if t != nil {
		for _, f := range t.fields {
			if f.name == tag {
				return f.t
			}
		}
	}
	return nil
}

// intervalText formats an interval as DuckDB does: "1 year 2 months 3 days 04:05:06.5".
func intervalText(iv duckdb.Interval) string {
	var parts []string
	unit := func(n int64, name string) {
		if n == 0 {
			return
		}
		if n != 1 && n != -1 {
			name += "s"
		}
		parts = append(parts, fmt.Sprintf("%d %s", n, name))
	}
	unit(int64(iv.Months/12), "year")
	unit(int64(iv.Months%12), "month")
	unit(int64(iv.Days), "day")
	if iv.Micros != 0 || len(parts) == 0 {
		parts = append(parts, clockText(iv.Micros))
	}
	return strings.Join(parts, " ")
}

func clockText(us int64) string {
	sign := ""
	if us < 0 {
		sign, us = "-", -us
	}
	h, m, s, frac := us/3_600_000_000, us/60_000_000%60, us/1_000_000%60, us%1_000_000
	out := fmt.Sprintf("%s%02d:%02d:%02d", sign, h, m, s)
	if frac != 0 {
		out += strings.TrimRight(fmt.Sprintf(".%06d", frac), "0")
	}
	return out
}

// floatText formats like DuckDB: the shortest representation, in exponent
// form only for very large or very small magnitudes.
func floatText(f float64, bits int) string {
	switch {
	case math.IsNaN(f):
		return "nan"
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	}
	if a := math.Abs(f); a != 0 && (a < 1e-4 || a >= 1e15) {
		return strconv.FormatFloat(f, 'g', -1, bits)
	}
	return strconv.FormatFloat(f, 'f', -1, bits)
}

// appendJSON appends v, of type t, as a JSON value: NULL as null,
// timestamps as RFC 3339 UTC strings, lists as arrays, structs and maps as
// objects (in declaration or insertion order), numbers as numbers.
func appendJSON(b []byte, v any, t *dtype) []byte {
	switch x := v.(type) {
	case nil:
		return append(b, "null"...)
	case string:
		return appendJSONString(b, x)
	case bool:
		return strconv.AppendBool(b, x)
	case int64:
		return strconv.AppendInt(b, x, 10)
	case int8, int16, int32, int, uint8, uint16, uint32, uint64, uint:
		return fmt.Append(b, x)
	case float64, float32:
		return appendJSONFloat(b, x)
	case *big.Int:
		return append(b, x.String()...)
	case duckdb.Decimal:
		return append(b, x.String()...)
	case time.Time:
		return appendJSONString(b, timeJSON(x, t))
	case []any:
		return appendJSONList(b, x, elemType(t))
	case map[string]any:
		return appendJSONStruct(b, x, t)
	case duckdb.OrderedMap:
		return appendJSONMap(b, x, t)
	case duckdb.Union:
		return appendJSON(b, x.Value, unionMember(t, x.Tag))
	}
	return appendJSONString(b, text(v, t, false))
}

// appendJSONFloat writes finite floats as numbers and NaN and infinities,
// which JSON cannot hold, as the strings "NaN", "Infinity", "-Infinity".
func appendJSONFloat(b []byte, v any) []byte {
	f, bits := 0.0, 64
	switch x := v.(type) {
	case float64:
		f = x
	case float32:
		f, bits = float64(x), 32
	}
	switch {
	case math.IsNaN(f):
		return append(b, `"NaN"`...)
	case math.IsInf(f, 1):
		return append(b, `"Infinity"`...)
	case math.IsInf(f, -1):
		return append(b, `"-Infinity"`...)
	}
	return strconv.AppendFloat(b, f, 'g', -1, bits)
}

func appendJSONList(b []byte, l []any, et *dtype) []byte {
	b = append(b, '[')
	for i, v := range l {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSON(b, v, et)
	}
	return append(b, ']')
}

func appendJSONStruct(b []byte, m map[string]any, t *dtype) []byte {
	b = append(b, '{')
	for i, f := range structFields(m, t) {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, f.name)
		b = append(b, ':')
		b = appendJSON(b, m[f.name], f.t)
	}
	return append(b, '}')
}

func appendJSONMap(b []byte, m duckdb.OrderedMap, t *dtype) []byte {
	var kt, vt *dtype
	if t != nil {
		kt, vt = t.key, t.val
	}
	keys, vals := m.Keys(), m.Values()
	b = append(b, '{')
	for i := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		k := text(keys[i], kt, false)
		b = appendJSONString(b, k)
		b = append(b, ':')
		b = appendJSON(b, vals[i], vt)
	}
	return append(b, '}')
}

// appendJSONString appends s as a JSON string. Unlike encoding/json it does
// not escape <, > and & (log fields are not HTML); invalid UTF-8 becomes
// U+FFFD; control characters (C0, DEL, C1) and bidi overrides are \u
// escapes, so that JSON on a terminal is safe to read as it is.
func appendJSONString(b []byte, s string) []byte {
	const hexDigits = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c == '\n':
				b = append(b, '\\', 'n')
			case c == '\r':
				b = append(b, '\\', 'r')
			case c == '\t':
				b = append(b, '\\', 't')
			case c < 0x20 || c == 0x7f:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, `\ufffd`...)
		case isControl(r) || isBidi(r):
			// C1 controls and bidi overrides are valid in JSON strings, but
			// escaped they cannot drive a terminal jq or a person reads on.
			b = append(b, '\\', 'u', hexDigits[r>>12], hexDigits[r>>8&0xf], hexDigits[r>>4&0xf], hexDigits[r&0xf])
		default:
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return append(b, '"')
}
