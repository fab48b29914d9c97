package source

import (
	"context"
	"time"
)

// SettleTime is how long after its end a day of log keys must have been
// listed for that listing to be taken as final: S3 delivers server access
// logs late, on a best-effort basis (usually within hours), so a day
// listed two days after it ended is not expected to change.
const SettleTime = 48 * time.Hour

// ListLog remembers the days of a bucket's key space that a lister listed
// whole, so that a later listing of the same prefix need not list again
// the days that cannot change anymore and whose objects are all loaded
// (see loader/s3, "Resuming a listing"; loader/ingest.ListLog keeps it in
// the database). Its methods may be called from several goroutines at
// once.
type ListLog interface {
	// Done returns the days under base (a key prefix: a source bucket of
	// the partitioned layout, or a folder of simple-layout keys) of bucket
	// that need not be listed again: recorded by Listed, settled (see
	// ListedDay.Settled), and with at least the recorded number of
	// objects, under the day's prefix, loaded.
	Done(ctx context.Context, bucket, base string) ([]ListedDay, error)
	// Listed records days listed whole, replacing the earlier records of
	// the same days.
	Listed(ctx context.Context, days []ListedDay) error
}

// ListedDay is one day of key space listed whole.
type ListedDay struct {
	Bucket   string
	Base     string    // the prefix the day's keys start with before the date
	Prefix   string    // the day's key prefix: Base + "2024/01/02/" (partitioned) or Base + "2024-01-02" (simple)
	Day      time.Time // the day's start, UTC midnight
	Objects  int64     // objects of the day handed to the load
	ListedAt time.Time // when its listing ended
}

// Settled reports whether the day was listed at least SettleTime after
// its end.
func (d ListedDay) Settled() bool {
	return !d.ListedAt.Before(d.Day.Add(24*time.Hour + SettleTime))
}
