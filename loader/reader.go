// Package loader turns the bytes of AWS S3 server access logs into rows of
// the AWS.S3ServerAccess table (schema.S3ServerAccess) as Arrow record
// batches, and keeps every line it cannot parse as a Reject.
//
// One line of a log, as S3 writes it:
//
//	79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be DOC-EXAMPLE-BUCKET1 [06/Feb/2019:00:00:38 +0000] 192.0.2.3 79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be 3E57427F3EXAMPLE REST.GET.VERSIONING - "GET /DOC-EXAMPLE-BUCKET1?versioning HTTP/1.1" 200 - 113 - 7 - "-" "S3Console/0.4" - s9lzHYrFp76ZVxRcpX9+5cjAnEH2ROuNkd2BHfIa6UkFVdtjf5mKR3/eTPFvsiP/XV/VLi31234= SigV4 ECDHE-RSA-AES128-GCM-SHA256 AuthHeader DOC-EXAMPLE-BUCKET1.s3.us-west-1.amazonaws.com TLSV1.2 arn:aws:s3:us-west-1:123456789012:accesspoint/example-AP Yes us-east-1
//
// becomes the row
//
//	bucketowner        79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be
//	bucket             DOC-EXAMPLE-BUCKET1
//	time               2019-02-06 00:00:38 UTC   (the bracketed time is one field; offsets are converted to UTC)
//	remoteip           192.0.2.3
//	requester          79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be
//	requestid          3E57427F3EXAMPLE
//	operation          REST.GET.VERSIONING
//	key                NULL                      (a bare - or a quoted "-" is NULL)
//	requesturi         GET /DOC-EXAMPLE-BUCKET1?versioning HTTP/1.1   (quotes removed)
//	httpstatus         200
//	errorcode          NULL
//	bytessent          113
//	objectsize         NULL
//	totaltime          7
//	turnaroundtime     NULL
//	referrer           NULL
//	useragent          S3Console/0.4
//	versionid          NULL
//	hostid             s9lzHYrFp76ZVxRcpX9+5cjAnEH2ROuNkd2BHfIa6UkFVdtjf5mKR3/eTPFvsiP/XV/VLi31234=
//	signatureversion   SigV4
//	ciphersuite        ECDHE-RSA-AES128-GCM-SHA256
//	authenticationtype AuthHeader
//	hostheader         DOC-EXAMPLE-BUCKET1.s3.us-west-1.amazonaws.com
//	tlsVersion         TLSV1.2
//	accesspointarn     arn:aws:s3:us-west-1:123456789012:accesspoint/example-AP
//	aclrequired        Yes
//	additionalFields   [us-east-1]               (every field after the 26th, raw)
//	p_log_type         AWS.S3ServerAccess
//	p_any_ip_addresses [192.0.2.3]
//
// plus p_row_id, p_event_time, p_parse_time, p_source_id and p_source_label.
//
// The loader does not depend on DuckDB, so that the parser can be tested,
// fuzzed and benchmarked on its own.
package loader

import (
	"bufio"
	"io"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/s3logs/s3logs/schema"
)

// DefaultBatchRows is the number of rows per record batch when
// Options.BatchRows is zero.
const DefaultBatchRows = 16384

// Options configures a Reader. The zero value is ready to use.
type Options struct {
	Label     string           // p_source_label of every row
	BatchRows int              // rows per record batch; 0 means DefaultBatchRows
	Allocator memory.Allocator // allocates the record batches; nil means memory.DefaultAllocator
	ParseTime time.Time        // p_parse_time of every row; zero means time.Now()
	FirstLine int64            // lines already consumed before the reader (resume of a grown file); line numbers continue from it
	Since     time.Time        // when non-zero, rows whose event time is before Since are dropped and counted in Stats.Filtered
	Until     time.Time        // when non-zero, rows whose event time is at or after Until are dropped and counted in Stats.Filtered
}

// Stats are the running totals of a Reader. Lines = Rows + Rejected + Blank + Filtered.
type Stats struct {
	Lines    int64 // lines read, including blank ones
	Rows     int64 // lines that became rows
	Rejected int64 // lines that became Rejects
	Blank    int64 // empty lines (or only spaces / CR), skipped
	Filtered int64 // parsed lines dropped by Options.Since / Options.Until
	Bytes    int64 // bytes read, line endings included
}

// Reader reads S3 server access log lines from an io.Reader and yields them
// as Arrow record batches of schema.S3ServerAccess, plus the Rejects of the
// lines it could not parse. It is not safe for concurrent use.
type Reader struct {
	src      *bufio.Reader
	sourceID string
	opts     Options

	line    int64
	stats   Stats
	err     error
	eof     bool
	rec     arrow.RecordBatch
	rejects []Reject

	bld *array.RecordBuilder
}

// NewReader returns a Reader of r, whose bytes must already be
// decompressed. sourceID becomes p_source_id and seeds p_row_id. The caller
// must call Release when done.
func NewReader(r io.Reader, sourceID string, opts Options) *Reader {
	if opts.BatchRows <= 0 {
		opts.BatchRows = DefaultBatchRows
	}
	if opts.Allocator == nil {
		opts.Allocator = memory.DefaultAllocator
	}
	if opts.ParseTime.IsZero() {
		opts.ParseTime = time.Now()
	}
	opts.ParseTime = opts.ParseTime.UTC()
	return &Reader{
		src:      bufio.NewReaderSize(r, 64<<10),
		sourceID: sourceID,
		opts:     opts,
		line:     opts.FirstLine,
		bld:      array.NewRecordBuilder(opts.Allocator, schema.S3ServerAccess.ArrowSchema()),
	}
}

// Next reads up to Options.BatchRows rows. It returns true when a batch with
// at least one row or at least one reject is ready, and false at the end of
// the input or on a read error (see Err).
func (r *Reader) Next() bool {
	if r.rec != nil {
		r.rec.Release()
		r.rec = nil
	}
	r.rejects = r.rejects[:0]
	rows := 0
	for !r.eof && rows < r.opts.BatchRows {
		line, err := r.src.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			// Simple first version: gather long lines in a fresh slice.
			buf := append([]byte(nil), line...)
			for err == bufio.ErrBufferFull {
				line, err = r.src.ReadSlice('\n')
				buf = append(buf, line...)
			}
			line = buf
		}
		if err != nil && err != io.EOF {
			r.err = err
			r.eof = true
			break
		}
		if err == io.EOF {
			r.eof = true
			if len(line) == 0 {
				break
			}
		}
		r.stats.Bytes += int64(len(line))
		r.line++
		r.stats.Lines++
		if r.addLine(line) {
			rows++
		}
	}
	if rows > 0 {
		r.rec = r.bld.NewRecordBatch()
	}
	return rows > 0 || len(r.rejects) > 0
}

// addLine parses one line (with its ending) and appends it as a row, a
// reject, or counts it as blank. It reports whether a row was appended.
func (r *Reader) addLine(line []byte) bool {
	line = trimEOL(line)
	if isBlank(line) {
		r.stats.Blank++
		return false
	}
	var f fields
	if rej := f.parse(line); rej != nil {
		rej.Source = r.sourceID
		rej.Line = r.line
		rej.Raw = append([]byte(nil), line...)
		r.rejects = append(r.rejects, *rej)
		r.stats.Rejected++
		return false
	}
	r.appendRow(&f)
	r.stats.Rows++
	return true
}

// appendRow appends f to the record builder.
func (r *Reader) appendRow(f *fields) {
	for i := 0; i < schema.NumLogFields; i++ {
		b := r.bld.Field(i)
		switch i {
		case schema.ColTime:
			b.(*array.TimestampBuilder).Append(arrow.Timestamp(f.time))
		case schema.ColHttpstatus, schema.ColBytessent, schema.ColObjectsize, schema.ColTotaltime, schema.ColTurnaroundtime:
			if f.null[i] {
				b.AppendNull()
			} else {
				b.(*array.Int64Builder).Append(f.ints[i])
			}
		default:
			if f.v[i] == nil {
				b.AppendNull()
			} else {
				b.(*array.StringBuilder).Append(string(f.v[i]))
			}
		}
	}
	lb := r.bld.Field(schema.ColAdditionalFields).(*array.ListBuilder)
	lb.Append(true)
	for _, a := range f.extra {
		lb.ValueBuilder().(*array.StringBuilder).Append(string(a))
	}
	r.bld.Field(schema.ColPLogType).(*array.StringBuilder).Append(schema.LogType)
	r.bld.Field(schema.ColPRowID).(*array.StringBuilder).Append(rowID(r.sourceID, r.line))
	r.bld.Field(schema.ColPEventTime).(*array.TimestampBuilder).Append(arrow.Timestamp(f.time))
	r.bld.Field(schema.ColPParseTime).(*array.TimestampBuilder).Append(arrow.Timestamp(r.opts.ParseTime.UnixMicro()))
	r.bld.Field(schema.ColPSourceID).(*array.StringBuilder).Append(r.sourceID)
	r.bld.Field(schema.ColPSourceLabel).(*array.StringBuilder).Append(r.opts.Label)
	for _, c := range []int{schema.ColPAnyIPAddresses, schema.ColPAnyAWSARNs, schema.ColPAnyAWSAccountIDs} {
		r.bld.Field(c).(*array.ListBuilder).AppendNull()
	}
}

// RecordBatch returns the batch read by the last Next, or nil when that
// batch holds only rejects. The Reader owns it: it is valid until the next
// Next or Release; call Retain to keep it longer.
func (r *Reader) RecordBatch() arrow.RecordBatch { return r.rec }

// Rejects returns the lines rejected since the previous Next. The slice is
// valid until the next Next.
func (r *Reader) Rejects() []Reject { return r.rejects }

// Stats returns the running totals.
func (r *Reader) Stats() Stats { return r.stats }

// Err returns the I/O error that stopped the Reader, if any. Rejected lines
// are never errors.
func (r *Reader) Err() error { return r.err }

// Release frees the current batch and the builders. The Reader must not be
// used afterwards.
func (r *Reader) Release() {
	if r.rec != nil {
		r.rec.Release()
		r.rec = nil
	}
	if r.bld != nil {
		r.bld.Release()
		r.bld = nil
	}
}
