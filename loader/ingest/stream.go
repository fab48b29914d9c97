package ingest

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/s3logs/s3logs/schema"
)

// streamEnd says why an INSERT's stream of batches ended.
type streamEnd int

const (
	endCommit streamEnd = iota // the transaction is due to commit
	endPause                   // other SQL must run first (a DELETE of an object's earlier rows), or many rejects wait
	endInput                   // the workers are done
	endCancel                  // the load was cancelled
)

// rowSchema is the Arrow schema of the batches the Reader makes.
var rowSchema = schema.S3ServerAccess.ArrowSchema()

// newStreamReader returns the reader of the load's rows.
func newStreamReader(in *inserter, ctx context.Context, msgs <-chan message) *streamReader {
	sr := &streamReader{in: in, ctx: ctx, msgs: msgs}
	sr.refs.Store(1)
	return sr
}

// streamReader is the array.RecordReader behind the rows' view: armed
// for a transaction, Next waits for the next message, applies it, and
// yields the batch it carries, until the transaction is due to commit;
// that ends the transaction's INSERT, and the next INSERT reads on.
// DuckDB calls it from the INSERT, on the inserter's goroutine or one of
// its own threads, never two at once.
type streamReader struct {
	in   *inserter
	ctx  context.Context
	msgs <-chan message
	refs atomic.Int64

	cur       arrow.RecordBatch
	pending   []arrow.RecordBatch // taken batches gather could not join, yielded first
	stopAfter bool                // end the stream at the next Next
	end       streamEnd
}

// arm starts a transaction's part of the stream.
func (s *streamReader) arm() { s.stopAfter, s.end = false, endCommit }

func (s *streamReader) Retain() { s.refs.Add(1) }

func (s *streamReader) Release() {
	if s.refs.Add(-1) == 0 && s.cur != nil {
		s.cur.Release()
		s.cur = nil
	}
}

func (s *streamReader) Schema() *arrow.Schema { return rowSchema }

func (s *streamReader) RecordBatch() arrow.RecordBatch { return s.cur }

// Record is RecordBatch (for the deprecated name in the interface).
func (s *streamReader) Record() arrow.RecordBatch { return s.cur }

func (s *streamReader) Err() error { return nil }

// Next moves to the next batch; false ends the INSERT (see s.end).
func (s *streamReader) Next() bool {
	if s.cur != nil {
		s.cur.Release()
		s.cur = nil
	}
	if len(s.pending) > 0 {
		s.cur, s.pending = s.pending[0], s.pending[1:]
		return true
	}
	if s.stopAfter {
		return false
	}
	if rec, full := s.in.takeCarry(); rec != nil {
		s.cur, s.stopAfter = rec, full
		return true
	}
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		if s.in.commitDue(len(s.msgs)) {
			s.end = endCommit
			return false
		}
		select {
		case m, ok := <-s.msgs:
			if !ok {
				s.end = endInput
				return false
			}
			rec, stop := s.in.take(m)
			if stop && rec == nil {
				s.end = endPause
				return false
			}
			if rec != nil && !stop {
				rec, stop = s.gather(rec)
			}
			if rec != nil {
				s.cur, s.stopAfter = rec, stop
				if stop {
					s.end = endPause
				}
				return true
			}
		case <-tick.C:
		case <-s.ctx.Done():
			s.end = endCancel
			return false
		}
	}
}
