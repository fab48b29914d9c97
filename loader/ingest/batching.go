package ingest

import (
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// idleCommitAfter is how old a transaction must be before the inserter
// commits it because the load looks idle (nothing queued, every object
// started read to its end). Loading from S3 looks idle between objects
// whenever the next GETs are still in flight: with 100 ms, a load of
// 3,000 small objects committed about ten times a second and spent a
// third of its CPU in COMMIT and the manifest rows. A second still shows
// what --watch brings in promptly.
const idleCommitAfter = time.Second

// coalesceRows is how many rows the INSERT's stream joins into one batch
// from the small batches already waiting: DuckDB's vector size. An S3 log
// object holds a few dozen lines, so each makes a batch of its own, and
// DuckDB's Arrow scan and append cost about as much for a batch of ten rows
// as for one of two thousand (measured: 3,000 objects of 10 lines took 4.3 s
// against a floor of 1.9 s, most of it in DuckDB's execute, per batch).
const coalesceRows = 2048

// gather joins rec with the batches of the messages already queued, up
// to coalesceRows rows, applying each message as take does; it stops at a
// message that asks to end the INSERT (stop), which ends the stream after
// the joined batch. It never waits for a message.
func (s *streamReader) gather(rec arrow.RecordBatch) (out arrow.RecordBatch, stop bool) {
	recs := []arrow.RecordBatch{rec}
	rows := rec.NumRows()
	for rows < coalesceRows && !stop {
		var m message
		select {
		case m2, ok := <-s.msgs:
			if !ok {
				return s.join(recs), false
			}
			m = m2
		default:
			return s.join(recs), false
		}
		next, st := s.in.take(m)
		if next != nil {
			recs = append(recs, next)
			rows += next.NumRows()
		}
		stop = st
	}
	return s.join(recs), stop
}

// join makes one batch of recs, releasing them. Should Arrow fail to
// join them (it cannot with batches of one schema), the first is returned
// and the others are kept in s.pending, for Next to yield one by one.
func (s *streamReader) join(recs []arrow.RecordBatch) arrow.RecordBatch {
	if len(recs) == 1 {
		return recs[0]
	}
	cols := make([]arrow.Array, recs[0].NumCols())
	parts := make([]arrow.Array, len(recs))
	var rows int64
	for _, r := range recs {
		rows += r.NumRows()
	}
	for i := range cols {
		for j, r := range recs {
			parts[j] = r.Column(i)
		}
		c, err := array.Concatenate(parts, s.in.l.opts.Allocator)
		if err != nil {
			for _, c := range cols[:i] {
				c.Release()
			}
			s.pending = append(s.pending, recs[1:]...)
			return recs[0]
		}
		cols[i] = c
	}
	out := array.NewRecordBatch(rowSchema, cols, rows)
	for _, c := range cols {
		c.Release()
	}
	for _, r := range recs {
		r.Release()
	}
	return out
}
