package s3

import (
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
)

// span is one listing of a pass: the keys under prefix after after (a
// StartAfter), through end (inclusive) and before stop. A folder, a
// source bucket of the partitioned layout, or the window's part of either
// starts as one span. Log keys sort by time (the simple layout's names,
// the partitioned layout's day folders), so while a span's pages come back
// full, what is left of it, from its last key to its end, is cut in two at
// an hour (a day) in the middle, and the upper half listed by another
// goroutine as a span of its own: a listing of many keys fans out to as many
// goroutines as the pass has, without knowing the keys in advance, and the
// spans cover the key space exactly, one after the other, whatever keys
// that are not logs lie between.
type span struct {
	prefix string
	delim  bool // a folder: Delimiter "/", its subfolders walked
	depth  int  // folder depth, for maxDepth

	after string    // StartAfter; "" from the start of prefix
	end   string    // the span's last key (a split point, inclusive); "" none
	endT  time.Time // the time of end
	stop  string    // the window's first key past its end; "" none
	stopT time.Time

	probe bool // likely empty: the first request asks for one key

	kind layout // simple or partitioned once known; unknown spans are not split
	base string // DestinationPrefix (simple) or the source-bucket prefix (partitioned)
}

// learn records the layout of the span's keys and the window's stop key
// for it.
func (s *span) learn(info keyInfo, w window) {
	s.kind, s.base = info.layout, info.base
	hi := w.hi()
	switch {
	case hi.IsZero():
	case info.layout == simple:
		s.stop, s.stopT = info.base+hi.Format(keyFormat), hi
	case info.layout == partitioned:
		s.stopT = ceilDay(hi)
		s.stop = info.base + s.stopT.Format(dayFormat)
	}
}

// past reports whether key (or folder) lies after the span.
func (s *span) past(key string) bool {
	return (s.end != "" && key > s.end) || (s.stop != "" && key >= s.stop)
}

// trim cuts a page of the span's listing at the first key past the span
// and reports whether it did (no further page is wanted). The first
// simple-layout key of a folder tells the span its layout.
func (s *span) trim(out *awss3.ListObjectsV2Output, w window) (last bool) {
	keep := len(out.Contents)
	for i, o := range out.Contents {
		key := aws.ToString(o.Key)
		if s.kind == unknown && s.delim {
			if info := parseKey(key); info.layout == simple {
				s.learn(info, w)
			}
		}
		if s.past(key) {
			keep, last = i, true
			break
		}
	}
	out.Contents = out.Contents[:keep]
	cps := out.CommonPrefixes[:0]
	for _, cp := range out.CommonPrefixes {
		if s.past(aws.ToString(cp.Prefix)) {
			last = true
			continue
		}
		cps = append(cps, cp)
	}
	out.CommonPrefixes = cps
	return last
}

// split cuts what is left of the span after a key of time t in two, at a
// midnight in the middle of it (the one after t's day when that is the
// only one), keeps the lower half and returns the upper one; nil when it
// is too short. Within a day, the span of a window over simple-layout
// keys is cut at an hour instead; days are otherwise kept whole, so that a
// listing can record them (resume.go). An open span is taken to end a day after now.
func (s *span) split(t, now time.Time) *span {
	hi := s.endT
	if hi.IsZero() {
		hi = s.stopT
	}
	if hi.IsZero() {
		hi = now.Add(24 * time.Hour)
	}
	const day = 24 * time.Hour
	mid := t.Add(hi.Sub(t) / 2).Truncate(day)
	if !mid.After(t.Truncate(day)) {
		mid = t.Truncate(day).Add(day)
	}
	if !mid.Before(hi) && s.kind == simple && s.stop != "" {
		mid = t.Add(hi.Sub(t) / 2).Truncate(time.Hour)
		if !mid.After(t.Truncate(time.Hour)) {
			return nil
		}
	}
	if !mid.Before(hi) {
		return nil
	}
	up := *s
	up.after = s.boundary(mid)
	s.end, s.endT = up.after, mid
	return &up
}

// boundary is the key string at which the keys of time t start: every key
// of t or later sorts after it, every earlier one before it.
func (s *span) boundary(t time.Time) string {
	if s.kind == partitioned {
		return s.base + t.Format(dayFormat)
	}
	return s.base + t.Format("2006-01-02-15")
}
