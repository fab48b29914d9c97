package gen

// The same records in AWS's structured delivery formats (schema.AWSFields):
// JSON lines, as CloudWatch Logs delivers them, and Parquet.

import (
	"io"
	"strconv"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/s3logs/s3logs/schema"
)

// AppendJSON appends the record as one JSON object in AWS's CloudWatch
// Logs format, without a line ending: schema_version_id, bucket_arn, then
// every key of schema.AWSFields, NULLs as null, request_time with
// milliseconds. source_region is AdditionalFields[0], absent when the line
// has 26 fields or fewer; further AdditionalFields (TrapExtraFields) are
// written as keys field_28, field_29..., which the loader keeps as
// "field_28=value" (so such records do not load as their text lines do).
func (r *Record) AppendJSON(dst []byte) []byte {
	dst = append(dst, `{"schema_version_id":"V_1_0"`...)
	if r.Bucket.Valid {
		dst = append(dst, `,"bucket_arn":`...)
		dst = appendJSONString(dst, schema.AWSBucketARNPrefix+r.Bucket.String)
	}
	for _, f := range schema.AWSFields {
		if f.Element > 0 && len(r.AdditionalFields) < f.Element {
			continue
		}
		dst = append(dst, ',')
		dst = appendJSONString(dst, f.Key)
		dst = append(dst, ':')
		switch v := r.awsValue(f).(type) {
		case nil:
			dst = append(dst, "null"...)
		case int64:
			dst = strconv.AppendInt(dst, v, 10)
		case string:
			dst = appendJSONString(dst, v)
		}
	}
	for i, x := range r.AdditionalFields[min(1, len(r.AdditionalFields)):] {
		dst = append(dst, `,"field_`...)
		dst = strconv.AppendInt(dst, int64(schema.NumLogFields+2+i), 10)
		dst = append(dst, `":`...)
		dst = appendJSONString(dst, x)
	}
	return append(dst, '}')
}

// awsValue is the value of AWS field f: nil, int64 or string (the time
// in ISO 8601 with milliseconds).
func (r *Record) awsValue(f schema.AWSField) any {
	switch {
	case f.Column == schema.ColTime:
		return r.Time.UTC().Format("2006-01-02T15:04:05.000Z")
	case f.Element > 0:
		if x := r.AdditionalFields[f.Element-1]; x != "-" {
			return x
		}
		return nil
	}
	return r.Column(f.Column)
}

// appendJSONString appends s as a JSON string.
func appendJSONString(dst []byte, s string) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"' || c == '\\':
			dst = append(dst, '\\', c)
		case c < 0x20:
			dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&15])
		default:
			dst = append(dst, c)
		}
	}
	return append(dst, '"')
}

// ParquetSchema is the Arrow schema WriteParquet writes: AWS's keys, with
// http_status an int32 (AWS's "int"), the other numbers int64 and
// request_time a timestamp in milliseconds, UTC, as S3 Tables store it.
func ParquetSchema() *arrow.Schema {
	fields := []arrow.Field{
		{Name: schema.AWSSchemaVersion, Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: schema.AWSBucketARN, Type: arrow.BinaryTypes.String, Nullable: true},
	}
	for _, f := range schema.AWSFields {
		var t arrow.DataType = arrow.BinaryTypes.String
		switch {
		case f.Column == schema.ColTime:
			t = &arrow.TimestampType{Unit: arrow.Millisecond, TimeZone: "UTC"}
		case f.Column == schema.ColHttpstatus:
			t = arrow.PrimitiveTypes.Int32
		case f.Element == 0 && schema.S3ServerAccess.Columns[f.Column].Type == schema.BigInt:
			t = arrow.PrimitiveTypes.Int64
		}
		fields = append(fields, arrow.Field{Name: f.Key, Type: t, Nullable: true})
	}
	return arrow.NewSchema(fields, nil)
}

// WriteParquet writes recs as a Parquet file of AWS's records (see
// ParquetSchema), rowGroup rows per row group. Only the first
// AdditionalFields element (source_region) is written.
func WriteParquet(w io.Writer, recs []Record, rowGroup int) error {
	sch := ParquetSchema()
	b := array.NewRecordBuilder(memory.DefaultAllocator, sch)
	defer b.Release()
	for i := range recs {
		r := &recs[i]
		b.Field(0).(*array.StringBuilder).Append(schema.AWSSchemaVersionKnown)
		if r.Bucket.Valid {
			b.Field(1).(*array.StringBuilder).Append(schema.AWSBucketARNPrefix + r.Bucket.String)
		} else {
			b.Field(1).AppendNull()
		}
		for k, f := range schema.AWSFields {
			fb := b.Field(2 + k)
			if f.Element > 0 && len(r.AdditionalFields) < f.Element {
				fb.AppendNull()
				continue
			}
			switch v := r.awsValue(f).(type) {
			case nil:
				fb.AppendNull()
			case int64:
				if ib, ok := fb.(*array.Int32Builder); ok {
					ib.Append(int32(v))
				} else {
					fb.(*array.Int64Builder).Append(v)
				}
			case string:
				if tb, ok := fb.(*array.TimestampBuilder); ok {
					tb.Append(arrow.Timestamp(r.Time.UnixMilli()))
				} else {
					fb.(*array.StringBuilder).Append(v)
				}
			}
		}
	}
	rec := b.NewRecordBatch()
	defer rec.Release()
	props := parquet.NewWriterProperties(parquet.WithMaxRowGroupLength(int64(max(rowGroup, 1))))
	fw, err := pqarrow.NewFileWriter(sch, w, props, pqarrow.DefaultWriterProps())
	if err != nil {
		return err
	}
	if err := fw.Write(rec); err != nil {
		fw.Close()
		return err
	}
	return fw.Close()
}
