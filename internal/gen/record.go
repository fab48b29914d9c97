package gen

import (
	"database/sql"
	"strconv"
	"time"

	"github.com/s3logs/s3logs/schema"
)

// Trap is a set of the format's adversarial features a generated line may
// carry. Every trap is rendered only in a form that a parser following the
// grammar of FORMAT.md can settle unambiguously, so the Record stays a
// trustworthy oracle for trap lines too.
type Trap uint8

// The trap kinds.
const (
	// TrapQuoteInURI puts an unescaped '"' inside the Request-URI:
	// `"GET /" HTTP/1.1"` (the next token is not a status),
	// `"GET /b/file"name.txt HTTP/1.1"` or a presigned URL with
	// `filename="x.json"&X-Amz-...`.
	TrapQuoteInURI Trap = 1 << iota
	// TrapQuoteInReferrer puts unescaped quotes inside the Referer:
	// `"a "b" c"` (the token after a false close is neither '"' nor '-')
	// or `"https://x/?q="><script>"` (quote not followed by a space).
	TrapQuoteInReferrer
	// TrapQuoteInUserAgent puts unescaped quotes inside the User-Agent,
	// never followed by a space: `""Mozilla/...`, `...Safari/604.1""`.
	TrapQuoteInUserAgent
	// TrapSpaceInRequester uses a CloudFront origin access identity as the
	// requester: `arn:aws:iam::cloudfront:user/CloudFront Origin Access Identity E2EXAMPLE`,
	// an unquoted field with spaces.
	TrapSpaceInRequester
	// TrapExtraFields appends one to three unknown fields after the 27th
	// (Source Region); they land in AdditionalFields.
	TrapExtraFields

	// AllTraps is every trap kind.
	AllTraps = TrapQuoteInURI | TrapQuoteInReferrer | TrapQuoteInUserAgent | TrapSpaceInRequester | TrapExtraFields
)

// String names the traps in t, separated by '|'.
func (t Trap) String() string {
	if t == 0 {
		return "none"
	}
	names := [...]string{"quote-in-uri", "quote-in-referrer", "quote-in-useragent", "space-in-requester", "extra-fields"}
	var b []byte
	for i, n := range names {
		if t&(1<<i) != 0 {
			if len(b) > 0 {
				b = append(b, '|')
			}
			b = append(b, n...)
		}
	}
	return string(b)
}

// Record is one generated request: the typed value every column of
// schema.S3ServerAccess should hold after parsing its line (the oracle), and
// how the line renders it. A NULL is a zero Valid flag. Strings are exactly
// what the parser must produce: quoted fields without their quotes, '-' as
// NULL, Time in UTC. A Record returned by Generator.Next owns its memory.
type Record struct {
	BucketOwner        sql.NullString
	Bucket             sql.NullString
	Time               time.Time // UTC, whole seconds
	RemoteIP           sql.NullString
	Requester          sql.NullString
	RequestID          sql.NullString
	Operation          sql.NullString
	Key                sql.NullString
	RequestURI         sql.NullString
	HTTPStatus         sql.NullInt64
	ErrorCode          sql.NullString
	BytesSent          sql.NullInt64
	ObjectSize         sql.NullInt64
	TotalTime          sql.NullInt64
	TurnAroundTime     sql.NullInt64
	Referrer           sql.NullString
	UserAgent          sql.NullString
	VersionID          sql.NullString
	HostID             sql.NullString
	SignatureVersion   sql.NullString
	CipherSuite        sql.NullString
	AuthenticationType sql.NullString
	HostHeader         sql.NullString
	TLSVersion         sql.NullString
	AccessPointARN     sql.NullString
	ACLRequired        sql.NullString
	// AdditionalFields holds every field after the 26th, raw: the 2026
	// Source Region first, then unknown future fields. Nil when the line has
	// 26 fields or fewer.
	AdditionalFields []string

	// Fields is the number of fields on the line (the bracketed time counts
	// as one): 18..27 for ordinary lines, more with TrapExtraFields. Columns
	// past Fields are NULL.
	Fields int
	// Offset is the UTC offset, in seconds east, the line prints Time in.
	Offset int
	// BareDash renders NULL Request-URI, Referer and User-Agent as a bare
	// '-' instead of '"-"' (BATCH.DELETE.OBJECT lines do).
	BareDash bool
	// Traps lists the adversarial features of this line.
	Traps Trap
}

// Line renders the record as one raw log line, without a line ending.
func (r *Record) Line() []byte { return r.AppendLine(make([]byte, 0, 640)) }

// AppendLine appends the raw log line of r, without a line ending, to dst
// and returns the extended slice.
func (r *Record) AppendLine(dst []byte) []byte {
	n := min(r.Fields, schema.NumLogFields)
	for i := 0; i < n; i++ {
		if i > 0 {
			dst = append(dst, ' ')
		}
		dst = r.appendField(dst, i)
	}
	for _, f := range r.AdditionalFields {
		dst = append(dst, ' ')
		dst = append(dst, f...)
	}
	return dst
}

// appendField renders the field at column index i.
func (r *Record) appendField(dst []byte, i int) []byte {
	switch i {
	case schema.ColTime:
		return appendLogTime(dst, r.Time, r.Offset)
	case schema.ColRequesturi, schema.ColReferrer, schema.ColUseragent:
		s := r.str(i)
		if !s.Valid {
			if r.BareDash {
				return append(dst, '-')
			}
			return append(dst, `"-"`...)
		}
		dst = append(dst, '"')
		dst = append(dst, s.String...)
		return append(dst, '"')
	}
	if p := r.int(i); p != nil {
		if !p.Valid {
			return append(dst, '-')
		}
		return strconv.AppendInt(dst, p.Int64, 10)
	}
	s := r.str(i)
	if !s.Valid {
		return append(dst, '-')
	}
	return append(dst, s.String...)
}

// str returns the string column at index i, or nil for a column that is
// not a string of the log.
func (r *Record) str(i int) *sql.NullString {
	switch i {
	case schema.ColBucketowner:
		return &r.BucketOwner
	case schema.ColBucket:
		return &r.Bucket
	case schema.ColRemoteip:
		return &r.RemoteIP
	case schema.ColRequester:
		return &r.Requester
	case schema.ColRequestid:
		return &r.RequestID
	case schema.ColOperation:
		return &r.Operation
	case schema.ColKey:
		return &r.Key
	case schema.ColRequesturi:
		return &r.RequestURI
	case schema.ColErrorcode:
		return &r.ErrorCode
	case schema.ColReferrer:
		return &r.Referrer
	case schema.ColUseragent:
		return &r.UserAgent
	case schema.ColVersionid:
		return &r.VersionID
	case schema.ColHostid:
		return &r.HostID
	case schema.ColSignatureversion:
		return &r.SignatureVersion
	case schema.ColCiphersuite:
		return &r.CipherSuite
	case schema.ColAuthenticationtype:
		return &r.AuthenticationType
	case schema.ColHostheader:
		return &r.HostHeader
	case schema.ColTLSVersion:
		return &r.TLSVersion
	case schema.ColAccesspointarn:
		return &r.AccessPointARN
	case schema.ColAclrequired:
		return &r.ACLRequired
	}
	return nil
}

// int returns the bigint column at index i, or nil.
func (r *Record) int(i int) *sql.NullInt64 {
	switch i {
	case schema.ColHttpstatus:
		return &r.HTTPStatus
	case schema.ColBytessent:
		return &r.BytesSent
	case schema.ColObjectsize:
		return &r.ObjectSize
	case schema.ColTotaltime:
		return &r.TotalTime
	case schema.ColTurnaroundtime:
		return &r.TurnAroundTime
	}
	return nil
}

// Column returns the expected value of the log column at schema index i
// (schema.ColBucketowner .. schema.ColAdditionalFields): nil for NULL, else a
// string, an int64, a time.Time in UTC, or a []string for additionalFields
// (nil when there are none). It panics for other indexes.
func (r *Record) Column(i int) any {
	switch {
	case i == schema.ColTime:
		return r.Time
	case i == schema.ColAdditionalFields:
		if len(r.AdditionalFields) == 0 {
			return nil
		}
		return r.AdditionalFields
	case r.int(i) != nil:
		if p := r.int(i); p.Valid {
			return p.Int64
		}
		return nil
	case r.str(i) != nil:
		if p := r.str(i); p.Valid {
			return p.String
		}
		return nil
	}
	panic("gen: Column: not a log column: " + strconv.Itoa(i))
}

// truncate makes every column past r.Fields NULL, as a parser must read a
// line that ends there.
func (r *Record) truncate() {
	for i := r.Fields; i < schema.NumLogFields; i++ {
		if s := r.str(i); s != nil {
			*s = sql.NullString{}
		} else if p := r.int(i); p != nil {
			*p = sql.NullInt64{}
		}
	}
	if r.Fields <= schema.NumLogFields {
		r.AdditionalFields = nil
	}
}

var monthNames = [12]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}

// appendLogTime renders t (UTC) shifted to offset seconds east as
// [02/Jan/2006:15:04:05 -0700], without the time package's formatter, which
// is several times slower.
func appendLogTime(dst []byte, t time.Time, offset int) []byte {
	t = t.Add(time.Duration(offset) * time.Second)
	y, mo, d := t.Date()
	h, mi, s := t.Clock()
	dst = append(dst, '[')
	dst = append2(dst, d)
	dst = append(dst, '/')
	dst = append(dst, monthNames[mo-1]...)
	dst = append(dst, '/')
	dst = strconv.AppendInt(dst, int64(y), 10)
	dst = append(dst, ':')
	dst = append2(dst, h)
	dst = append(dst, ':')
	dst = append2(dst, mi)
	dst = append(dst, ':')
	dst = append2(dst, s)
	sign := byte('+')
	if offset < 0 {
		sign, offset = '-', -offset
	}
	dst = append(dst, ' ', sign)
	dst = append2(dst, offset/3600)
	dst = append2(dst, offset%3600/60)
	return append(dst, ']')
}

// append2 appends n (0..99) as two digits.
func append2(dst []byte, n int) []byte {
	return append(dst, byte('0'+n/10), byte('0'+n%10))
}
