package ingest

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/apache/arrow-go/v18/parquet"

	"github.com/s3logs/s3logs/loader"
	"github.com/s3logs/s3logs/loader/source"
)

// format returns the format to read in with: the detected one, or the
// forced Options.Format. A Parquet file is not read as lines, nor lines
// as Parquet: forcing either on the other is an error naming both.
func (l *Loader) format(in *source.Input) (source.Format, error) {
	f := l.opts.Format
	switch {
	case f == source.FormatAuto:
		return in.Format, nil
	case in.Format == source.FormatParquet && f != source.FormatParquet:
		return 0, fmt.Errorf("%w: it is a Parquet file, and --format %s was given", source.ErrNotLog, f)
	case f == source.FormatParquet && in.Format != source.FormatParquet:
		return 0, fmt.Errorf("%w: it is not a Parquet file (no PAR1 magic bytes), and --format parquet was given", source.ErrNotLog)
	}
	return f, nil
}

// readParquet reads j's object, a Parquet file, as a whole (a Parquet
// file's footer is at its end: a grown or changed file is read again from
// its start) and returns the done message, as read does.
func (l *Loader) readParquet(ctx context.Context, j *job, rc io.Reader, in *source.Input, start message, parseTime time.Time, msgs chan<- message) (done message) {
	start.deleteFirst, start.offset, start.firstLine = j.prev != nil, 0, 0
	ra, size, cleanup, err := parquetFile(rc, in, j.obj.Size)
	if err != nil {
		done.err = err
		return done
	}
	defer cleanup()
	rd, err := loader.NewParquetReader(ctx, ra, size, j.obj.ID, loader.Options{
		Label: j.label, BatchRows: l.opts.BatchRows, Allocator: l.opts.Allocator, ParseTime: parseTime,
		Windows: j.windows,
	})
	if err != nil {
		done.err = fmt.Errorf("%w: %w", source.ErrNotLog, err)
		return done
	}
	defer rd.Release()
	if !send(ctx, msgs, start) {
		done.err = ctx.Err()
		return done
	}
	done.loaded, done.err = l.parse(ctx, j, rd, true, msgs)
	done.stats = rd.Stats()
	if done.err == nil {
		done.err = rd.Err()
	}
	if done.err == nil && !in.Gzip {
		done.checksum = checksum(rc, size)
	}
	return done
}

// parquetFile returns random access to the Parquet file behind rc: rc
// itself when it is a local file (read in place), else in's bytes copied to
// a temporary file (an S3 object, standard input, a gzipped file), which
// cleanup removes. Memory does not grow with the file either way.
func parquetFile(rc io.Reader, in *source.Input, size int64) (parquet.ReaderAtSeeker, int64, func(), error) {
	if f, ok := rc.(*os.File); ok && !in.Gzip {
		if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
			return f, st.Size(), func() {}, nil
		}
	}
	tmp, err := os.CreateTemp("", "s3logs-*.parquet")
	if err != nil {
		return nil, 0, nil, fmt.Errorf("copy the Parquet file to read it: %w", err)
	}
	cleanup := func() {
		tmp.Close()
		os.Remove(tmp.Name())
	}
	n, err := io.Copy(tmp, in)
	if err != nil {
		cleanup()
		return nil, 0, nil, fmt.Errorf("read: %w", err)
	}
	return tmp, n, cleanup, nil
}
