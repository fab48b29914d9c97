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

// s3Store is a lake under an S3 prefix. Partitions are replaced by
// uploading the new files and then deleting the partition's other objects:
// a reader during the switch may see both (S3 has no atomic rename), and an
// interrupted run leaves the state file unchanged, so the next run rewrites
// the partition again.
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

// publish uploads the partition's new files, then deletes its other objects.
func (s *s3Store) publish(ctx context.Context, key, src string) ([]string, error) {
	names, err := partitionFiles(src)
	if err != nil {
		return nil, err
	}
	prefix := s.u.key + key + "/"
	keep := map[string]bool{}
	for _, n := range names {
		if err := putFile(ctx, s.c, filepath.Join(src, n), s.u.bucket, prefix+n); err != nil {
			return nil, fmt.Errorf("upload %s: %w", prefix+n, err)
		}
		keep[prefix+n] = true
	}
	old, err := listKeys(ctx, s.c, s.u.bucket, prefix, 0)
	if err != nil {
		return nil, err
	}
	sort.Strings(old)
	for _, k := range old {
		if keep[k] || strings.Contains(strings.TrimPrefix(k, prefix), "/") {
			continue
		}
		if _, err := s.c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(s.u.bucket), Key: aws.String(k)}); err != nil {
			return nil, fmt.Errorf("delete old %s: %w", k, awscfg.Classify(err, awscfg.OpDelete, s.u.bucket, k))
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
