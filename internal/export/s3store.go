package export

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/s3logs/s3logs/internal/awscfg"
)

// s3Store is a lake under an S3 prefix. S3 cannot replace a set of objects
// at once, so a partition being replaced is never shown twice rather than
// never shown partly: its old files are deleted first, then the new ones
// uploaded (under new names, part-TIME-N.parquet). A reader of the
// partition during the switch sees some of the old files or some of the
// new ones, never rows of both (which would be counted twice); the window
// lasts as long as the upload of the partition's new files. An interrupted
// run leaves the state file unchanged, so the next run finds the partition
// missing files and writes it again.
type s3Store struct {
	c S3API
	u s3URI // key is "" or ends in "/"
}

func (s *s3Store) location() string { return s.u.String() }

// lock does nothing: S3 has no locks, so two exports into one S3 lake at
// once are not detected.
func (s *s3Store) lock() (func(bool), error) { return func(bool) {}, nil }

func (s *s3Store) missing(ctx context.Context, st *state) (map[string]bool, error) {
	gone := map[string]bool{}
	if len(st.Partitions) == 0 {
		return gone, nil
	}
	keys, err := listKeys(ctx, s.c, s.u.bucket, s.u.key, 0)
	if err != nil {
		return nil, err
	}
	have := make(map[string]bool, len(keys))
	for _, k := range keys {
		have[k] = true
	}
	for key, p := range st.Partitions {
		for _, f := range p.Files {
			if !have[s.u.key+key+"/"+f] {
				gone[key] = true
				break
			}
		}
	}
	return gone, nil
}

func (s *s3Store) readState(ctx context.Context) (*state, error) {
	out, err := s.c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(s.u.bucket), Key: aws.String(s.u.key + StateFile)})
	if isNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, awscfg.Classify(err, awscfg.OpGet, s.u.bucket, s.u.key+StateFile)
	}
	defer out.Body.Close()
	b, err := io.ReadAll(out.Body)
	if err != nil {
		return nil, err
	}
	return decodeState(b)
}

func (s *s3Store) isEmpty(ctx context.Context) (bool, error) {
	keys, err := listKeys(ctx, s.c, s.u.bucket, s.u.key, 1)
	return len(keys) == 0, err
}

func (s *s3Store) workDir() (string, error) {
	dir, err := os.MkdirTemp("", "s3logs-export-*")
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, "lake"), nil
}

func (s *s3Store) cleanup(work string) { os.RemoveAll(filepath.Dir(work)) }

// publish deletes the partition's objects, then uploads its new files
// (see s3Store for why in that order).
func (s *s3Store) publish(ctx context.Context, key, src string) ([]string, error) {
	names, err := partitionFiles(src)
	if err != nil {
		return nil, err
	}
	prefix := s.u.key + key + "/"
	old, err := listKeys(ctx, s.c, s.u.bucket, prefix, 0)
	if err != nil {
		return nil, err
	}
	sort.Strings(old)
	for _, k := range old {
		if strings.Contains(strings.TrimPrefix(k, prefix), "/") {
			continue
		}
		if _, err := s.c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(s.u.bucket), Key: aws.String(k)}); err != nil {
			return nil, fmt.Errorf("delete old %s: %w", k, awscfg.Classify(err, awscfg.OpDelete, s.u.bucket, k))
		}
	}
	for _, n := range names {
		if err := putFile(ctx, s.c, filepath.Join(src, n), s.u.bucket, prefix+n); err != nil {
			return nil, fmt.Errorf("upload %s: %w", prefix+n, err)
		}
	}
	return names, nil
}

// remove deletes the partition's objects (those directly under its
// prefix, as publish writes them).
func (s *s3Store) remove(ctx context.Context, key string) error {
	prefix := s.u.key + key + "/"
	old, err := listKeys(ctx, s.c, s.u.bucket, prefix, 0)
	if err != nil {
		return err
	}
	for _, k := range old {
		if strings.Contains(strings.TrimPrefix(k, prefix), "/") {
			continue
		}
		if _, err := s.c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(s.u.bucket), Key: aws.String(k)}); err != nil {
			return fmt.Errorf("delete %s: %w", k, awscfg.Classify(err, awscfg.OpDelete, s.u.bucket, k))
		}
	}
	return nil
}

func (s *s3Store) writeState(ctx context.Context, st *state) error {
	b, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return err
	}
	_, err = s.c.PutObject(ctx, &s3.PutObjectInput{
		Bucket:      aws.String(s.u.bucket),
		Key:         aws.String(s.u.key + StateFile),
		Body:        strings.NewReader(string(append(b, '\n'))),
		ContentType: aws.String("application/json"),
	})
	return awscfg.Classify(err, awscfg.OpPut, s.u.bucket, s.u.key+StateFile)
}
