package loader

// Records of AWS's structured delivery (JSON lines and Parquet, see
// schema.AWSFields) become rows through a recBuilder: each value is copied
// into the builder's buffer and the row's spans point into it, so that
// batch.appendRow, written for text lines, appends them unchanged, with the
// same p_row_id, p_any_* and NULL handling as a text line of the same
// request.

import (
	"fmt"
	"unicode/utf8"

	"github.com/s3logs/s3logs/schema"
)

// awsField is schema.AWSFields by index, with the column type.
type awsField struct {
	key  string
	col  int
	elem int
	typ  schema.Type
}

// awsFields and awsIndex are schema.AWSFields as the loader looks them up.
var awsFields, awsIndex = func() ([]awsField, map[string]int) {
	fs := make([]awsField, len(schema.AWSFields))
	idx := make(map[string]int, len(fs))
	for i, f := range schema.AWSFields {
		typ := schema.S3ServerAccess.Columns[f.Column].Type
		if f.Element > 0 {
			typ = schema.String
		}
		fs[i] = awsField{key: f.Key, col: f.Column, elem: f.Element, typ: typ}
		idx[f.Key] = i
	}
	if len(fs) > 63 {
		panic("loader: more AWS fields than recBuilder.seen has bits")
	}
	return fs, idx
}()

// The fields the builder treats apart: source_region's position in
// additionalFields, and the keys kept only when they say something new.
var (
	fieldRegion = awsIndex["source_region"]
	fieldBucket = awsIndex["bucket_name"]
)

// recBuilder builds one row from a structured record's values.
type recBuilder struct {
	buf []byte // the values, one after the other
	// alias, when not nil, is what the spans point into instead of buf:
	// the JSON line itself, while no value of it has needed unescaping
	// (see jsonParser.own), which saves copying every value twice.
	alias []byte
	row   row
	err   lineError
	seen  uint64 // the AWS fields set, bit per index of awsFields
	// source_region, bucket_arn and schema_version_id (null when absent),
	// and the unknown keys as "key=value" spans, in the record's order.
	region, arn, version span
	unknown              []span
	hasTime              bool
	high                 bool // a value has a byte >= 0x80: check UTF-8 at the end
}

// start readies the builder for a new record.
func (b *recBuilder) start() {
	b.buf, b.alias = b.buf[:0], nil
	b.row.v = allNull
	b.row.extra = b.row.extra[:0]
	b.row.time = 0
	b.seen = 0
	b.region, b.arn, b.version = null, null, null
	b.unknown = b.unknown[:0]
	b.hasTime, b.high = false, false
}

// fail records why the record is rejected and returns false.
func (b *recBuilder) fail(col int, kind schema.RejectKind, format string, args ...any) bool {
	b.err = lineError{col: col, field: -1, kind: kind, reason: fmt.Sprintf(format, args...)}
	return false
}

// failField is fail for the value of field f: the reject names its column.
func (b *recBuilder) failField(col, f int, kind schema.RejectKind, format string, args ...any) bool {
	b.fail(col, kind, format, args...)
	if awsFields[f].elem == 0 {
		b.err.field = awsFields[f].col
	}
	return false
}

// mark checks that field f is not set twice and marks it set.
func (b *recBuilder) mark(col, f int) bool {
	if b.seen&(1<<f) != 0 {
		return b.fail(col, schema.RejectJSON, "key %s appears twice", awsFields[f].key)
	}
	b.seen |= 1 << f
	return true
}

// values returns what the row's spans point into: buf, or alias.
func (b *recBuilder) values() []byte {
	if b.alias != nil {
		return b.alias
	}
	return b.buf
}

// setString sets field f, a string field, to the bytes of span v (of
// values()); "-", S3's NULL in the text format, is NULL here too.
func (b *recBuilder) setString(f int, v span) {
	if v.e-v.s == 1 && b.values()[v.s] == '-' {
		v = null
	}
	switch {
	case f == fieldRegion:
		b.region = v
	case awsFields[f].elem == 0:
		b.row.v[awsFields[f].col] = v
	}
}

// setInt sets field f, a bigint field, to n (not negative).
func (b *recBuilder) setInt(f int, n int64) {
	col := awsFields[f].col
	b.row.n[col] = n
	// The span only says "not NULL"; integers are appended from row.n.
	b.row.v[col] = span{0, 0}
}

// setTime sets the time to µs since the epoch.
func (b *recBuilder) setTime(us int64) {
	b.row.time, b.hasTime = us, true
	b.row.v[schema.ColTime] = span{0, 0}
}

// addUnknown appends "key=value" for a key the table does not know.
func (b *recBuilder) addUnknown(key, value []byte) {
	s := len(b.buf)
	b.buf = append(b.buf, key...)
	b.buf = append(b.buf, '=')
	b.buf = append(b.buf, value...)
	b.unknown = append(b.unknown, span{s, len(b.buf)})
}

// finish completes the row: a record without a time is rejected; the
// additionalFields are source_region (or "-" when it is null or absent
// and later elements follow, as a text line would hold; nothing when the
// record has none of them, as a text line of 26 fields: null and absent
// are the same, as in Parquet they cannot be told apart), then bucket_arn and
// schema_version_id when they are not the ones implied, then the unknown
// keys.
func (b *recBuilder) finish() bool {
	if !b.hasTime {
		return b.fail(0, schema.RejectNoTime, "no request_time: a record must say when the request was received")
	}
	var kept [2]span
	nk := 0
	if !b.arn.isNull() && !b.impliedARN() {
		kept[nk] = b.keyed(schema.AWSBucketARN, b.arn)
		nk++
	}
	if !b.version.isNull() && string(b.values()[b.version.s:b.version.e]) != schema.AWSSchemaVersionKnown {
		kept[nk] = b.keyed(schema.AWSSchemaVersion, b.version)
		nk++
	}
	if b.region.isNull() && nk+len(b.unknown) == 0 {
		b.row.extra = b.row.extra[:0]
	} else {
		r := b.region
		if r.isNull() {
			b.buf = append(b.buf, '-')
			r = span{len(b.buf) - 1, len(b.buf)}
		}
		b.row.extra = append(append(append(b.row.extra[:0], r), kept[:nk]...), b.unknown...)
	}
	b.row.utf8 = !b.high || utf8.Valid(b.values())
	return true
}

// needsBuf reports whether finish will append to buf: a bucket_arn or a
// schema_version_id that is kept, or unknown keys.
func (b *recBuilder) needsBuf() bool {
	v := b.values()
	return len(b.unknown) > 0 || !b.arn.isNull() && !b.impliedARN() ||
		!b.version.isNull() && string(v[b.version.s:b.version.e]) != schema.AWSSchemaVersionKnown
}

// impliedARN reports whether bucket_arn is arn:aws:s3:::<bucket_name>.
func (b *recBuilder) impliedARN() bool {
	bucket := b.row.v[awsFields[fieldBucket].col]
	if bucket.isNull() {
		return false
	}
	v := b.values()
	arn := v[b.arn.s:b.arn.e]
	p := schema.AWSBucketARNPrefix
	return len(arn) == len(p)+bucket.e-bucket.s && string(arn[:len(p)]) == p && string(arn[len(p):]) == string(v[bucket.s:bucket.e])
}

// keyed appends "key=" and the value of v, and returns the new span.
func (b *recBuilder) keyed(key string, v span) span {
	s := len(b.buf)
	b.buf = append(b.buf, key...)
	b.buf = append(b.buf, '=')
	b.buf = append(b.buf, b.buf[v.s:v.e]...)
	return span{s, len(b.buf)}
}
