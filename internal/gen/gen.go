// Package gen generates realistic, deterministic AWS S3 server access log
// lines together with the exact values a correct parser must read from each
// one: an oracle for parser tests and the data of the load benchmarks.
//
// The same Options (Seed included) always give the same lines, byte for
// byte. Lines mix many buckets, operations (REST.GET.OBJECT dominant; PUT,
// HEAD, DELETE, BATCH.DELETE.OBJECT with bare '-' fields, S3.EXPIRE.OBJECT
// lifecycle by AmazonS3, bucket listings, policy and ACL changes, website
// and checksum requests), statuses with their error codes, requesters
// (canonical IDs, IAM users, assumed roles, svc: services, anonymous),
// IPv4 and IPv6, SigV2/SigV4, presigned URLs, TLS versions, access points,
// aclRequired, 18 to 27 fields and non-UTC offsets. At Options.TrapRate, a
// line carries one of the format's traps (see Trap), always in a form the
// grammar of FORMAT.md settles unambiguously.
//
// A test that needs a particular request (a burst of 403s, a policy change by
// one user) may edit a Record's fields before rendering it with Line: the line
// follows the fields, which stay the oracle as long as the new values keep to
// the format (no space in unquoted fields, no '"' in quoted ones) and the
// column is within Fields.
//
//	g := gen.New(gen.Options{Seed: 1, TrapRate: gen.DefaultTrapRate})
//	rec := g.Next()         // rec.Line() is the raw line, rec.HTTPStatus the expected httpstatus...
//	err := gen.Write(w, 1_000_000, gen.Options{Seed: 1}) // bulk, newline-terminated
package gen

import (
	"bufio"
	"database/sql"
	"io"
	"math/rand/v2"
	"time"
	"unsafe"
)

// DefaultTrapRate is a realistic share of adversarial lines (1 in 500).
const DefaultTrapRate = 0.002

// Options configures a Generator. The zero value is usable: seed 0, a day
// of requests from 2026-01-15 00:00:00 UTC, 20 buckets, 60 principals,
// 500 IP addresses, no traps.
type Options struct {
	Seed       int64
	Start      time.Time     // earliest event time; zero means 2026-01-15T00:00:00Z
	Span       time.Duration // event times are uniform in [Start, Start+Span); zero means 24h
	Buckets    int           // distinct buckets; zero means 20
	Principals int           // distinct IAM users, roles, canonical IDs and services; zero means 60
	IPs        int           // distinct remote addresses (about 1 in 5 IPv6); zero means 500
	TrapRate   float64       // probability that a line carries one trap; 0 means none
	Traps      Trap          // trap kinds to draw from; 0 means AllTraps
	Fields     int           // when 18..27, every line has exactly this many fields (trap lines with extra fields still have more); 0 means the realistic mix
	UTCOnly    bool          // print every time with +0000 (otherwise about 3% of lines use another offset)
}

// Generator produces Records. It is not safe for concurrent use; make one
// per goroutine (with different seeds for different data).
type Generator struct {
	opts       Options
	rng        *rand.Rand
	spanSec    int64
	buckets    []bucket
	principals []string
	ips        []string
	trapKinds  []Trap

	buf     []byte // arena of the current record's generated strings
	spans   []span
	extra   []string // reused AdditionalFields for records that do not own memory
	scratch Record   // the record being generated; spans point into it
}

type bucket struct {
	name, owner, region, account string
	apName, apARN, apHost        string
	versioned, public            bool
}

// span is a string of the current record built in Generator.buf.
type span struct {
	a, b int
	dst  *sql.NullString
}

// New returns a Generator for opts.
func New(opts Options) *Generator {
	if opts.Start.IsZero() {
		opts.Start = time.Date(2026, 1, 15, 0, 0, 0, 0, time.UTC)
	}
	opts.Start = opts.Start.UTC().Truncate(time.Second)
	if opts.Span <= 0 {
		opts.Span = 24 * time.Hour
	}
	if opts.Buckets <= 0 {
		opts.Buckets = 20
	}
	if opts.Principals <= 0 {
		opts.Principals = 60
	}
	if opts.IPs <= 0 {
		opts.IPs = 500
	}
	if opts.Traps == 0 {
		opts.Traps = AllTraps
	}
	g := &Generator{
		opts:    opts,
		rng:     rand.New(rand.NewPCG(uint64(opts.Seed), 0x5333_6c6f_6773)),
		spanSec: max(int64(opts.Span/time.Second), 1),
		buf:     make([]byte, 0, 1024),
	}
	for t := Trap(1); t <= AllTraps; t <<= 1 {
		if opts.Traps&t != 0 {
			g.trapKinds = append(g.trapKinds, t)
		}
	}
	g.makeWorld()
	return g
}

// Next returns the next generated record. The record owns its memory.
func (g *Generator) Next() Record {
	g.fill(&g.scratch, true)
	return g.scratch
}

// AppendNext generates the next record and appends its line, without a line
// ending, to dst. It produces the same line Next would, with fewer
// allocations.
func (g *Generator) AppendNext(dst []byte) []byte {
	g.fill(&g.scratch, false)
	return g.scratch.AppendLine(dst)
}

// Write writes n newline-terminated lines generated with opts to w.
func Write(w io.Writer, n int, opts Options) error {
	g := New(opts)
	bw := bufio.NewWriterSize(w, 1<<20)
	line := make([]byte, 0, 4096)
	for i := 0; i < n; i++ {
		line = append(g.AppendNext(line[:0]), '\n')
		if _, err := bw.Write(line); err != nil {
			return err
		}
	}
	return bw.Flush()
}

// fill generates the next record into r. When own is false, the record's
// generated strings alias the generator's arena and are valid only until
// the next call.
func (g *Generator) fill(r *Record, own bool) {
	*r = Record{}
	g.buf, g.spans = g.buf[:0], g.spans[:0]
	b := &g.buckets[g.skewed(len(g.buckets))]
	r.BucketOwner = ns(b.owner)
	r.Bucket = ns(b.name)
	r.Time = g.opts.Start.Add(time.Duration(g.rng.Int64N(g.spanSec)) * time.Second)
	r.Offset = g.offset()
	r.Fields = g.fieldCount()
	g.hex16(&r.RequestID)

	var trap Trap
	if g.opts.TrapRate > 0 && g.rng.Float64() < g.opts.TrapRate {
		trap = g.trapKinds[g.rng.IntN(len(g.trapKinds))]
	}
	switch {
	case trap == TrapExtraFields:
		g.pickOp(r, b)
	case trap != 0:
		g.getObject(r, b, trap) // the other traps live in object downloads
	default:
		g.pickOp(r, b)
	}
	r.Traps = trap
	var extra []string
	if !own {
		extra = g.extra[:0]
	}
	if r.Fields >= 27 {
		extra = append(extra, b.region)
	}
	if trap == TrapExtraFields {
		r.Fields = 27
		extra = append(extra[:0], b.region)
		for k := 1 + g.rng.IntN(3); k > 0; k-- {
			extra = append(extra, extraFields[g.rng.IntN(len(extraFields))])
		}
	}
	if len(extra) > 0 {
		r.AdditionalFields = extra
		r.Fields = 26 + len(extra)
	}
	if !own {
		g.extra = extra
	}
	g.finish(own)
	r.truncate()
}

// finish points the record's generated strings into the arena: one string
// allocation per record when own, none otherwise.
func (g *Generator) finish(own bool) {
	var s string
	if own {
		s = string(g.buf)
	} else if len(g.buf) > 0 {
		s = unsafe.String(&g.buf[0], len(g.buf))
	}
	for _, sp := range g.spans {
		*sp.dst = sql.NullString{String: s[sp.a:sp.b], Valid: true}
	}
}

// mark returns the arena position where a generated string starts.
func (g *Generator) mark() int { return len(g.buf) }

// done records that the arena bytes since a belong to dst.
func (g *Generator) done(a int, dst *sql.NullString) {
	g.spans = append(g.spans, span{a, len(g.buf), dst})
}

func ns(s string) sql.NullString { return sql.NullString{String: s, Valid: true} }

func ni(n int64) sql.NullInt64 { return sql.NullInt64{Int64: n, Valid: true} }

// permille reports true with probability w/1000.
func (g *Generator) permille(w int) bool { return g.rng.IntN(1000) < w }

// skewed picks an index in [0,n) with a Zipf-like skew: a few buckets, keys
// and principals get most of the traffic, as in real accounts.
func (g *Generator) skewed(n int) int {
	f := g.rng.Float64()
	return int(f * f * f * float64(n))
}

func (g *Generator) offset() int {
	if g.opts.UTCOnly || !g.permille(30) {
		return 0
	}
	offs := [...]int{2 * 3600, -7 * 3600, 5*3600 + 1800, -(3*3600 + 1800), 9 * 3600, -5 * 3600}
	return offs[g.rng.IntN(len(offs))]
}

func (g *Generator) fieldCount() int {
	if g.opts.Fields >= 18 && g.opts.Fields <= 27 {
		return g.opts.Fields
	}
	w := g.rng.IntN(1000)
	for _, fc := range fieldCounts {
		if w < fc.w {
			return fc.n
		}
		w -= fc.w
	}
	return 27
}
