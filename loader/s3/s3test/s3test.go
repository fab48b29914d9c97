// Package s3test runs a real S3-protocol server (gofakes3 with its
// in-memory backend) on loopback for the tests and benchmarks of the S3
// lister, and of anyone loading from S3 end to end. It is not a mock of
// s3logs code: requests go through the AWS SDK, HTTP and gofakes3's S3
// implementation. In front of gofakes3 it counts requests and listed keys
// and can fail chosen requests, cut bodies short or go away altogether, so
// that tests can check how much a window narrows a listing and what
// happens when objects fail. It also answers If-Match on GET as S3 does
// (412 PreconditionFailed), which gofakes3 ignores.
package s3test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/hex"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"

	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/s3logs/s3logs/internal/awscfg"
	"github.com/s3logs/s3logs/internal/gen"
)

// Server is a gofakes3 server on loopback with request accounting and
// fault injection. Close it when done.
type Server struct {
	// URL is the endpoint, e.g. http://127.0.0.1:41234 (path-style).
	URL     string
	Backend *s3mem.Backend

	http *httptest.Server
	fake http.Handler

	// Latency, when set before requests are made, delays every answer,
	// like the first-byte latency of S3 (tens of milliseconds) that
	// loopback does not have.
	Latency time.Duration

	mu       sync.Mutex
	faults   map[string]Fault // by "bucket/key" or "bucket/" for the listing
	lists    int              // ListObjectsV2 requests
	listed   int              // keys and common prefixes in their answers
	gets     int              // GetObject requests
	getsByID map[string]int
	inFlight int // ListObjectsV2 requests being answered
	maxLists int // the most of them at once since the last Reset
	goneAt   int // with GoAwayAfter: the GET that makes the server go away
	gone     bool
}

// Fault is an injected failure: the first Times requests (every request
// when Times is 0) for a key get Status with S3 error Code. A Status of 301
// also sets x-amz-bucket-region to Region.
type Fault struct {
	Status int
	Code   string
	Times  int
	Region string
	// Truncate, when positive, sends the object's headers and only this
	// many bytes of its body before closing the connection (a failure in
	// the middle of a body), instead of an error answer. A ranged GET is
	// cut this many bytes into its range.
	Truncate int
	// Drop, when set, closes the connection without answering (a failure
	// to connect, for the client).
	Drop bool
	// Stall, with Truncate, keeps the connection open after the bytes
	// sent, sending nothing more (a server that hangs), until the client
	// goes away or 10 seconds pass.
	Stall bool
}

// Start starts a server with an empty in-memory store.
func Start() *Server {
	s := &Server{Backend: s3mem.New(), faults: map[string]Fault{}, getsByID: map[string]int{}}
	s.fake = gofakes3.New(s.Backend).Server()
	s.http = httptest.NewUnstartedServer(s)
	// gofakes3 writes a second header when a client goes away mid-answer
	// (a cancelled load); net/http's complaint about it is noise here.
	s.http.Config.ErrorLog = log.New(io.Discard, "", 0)
	s.http.Start()
	s.URL = s.http.URL
	return s
}

// Close stops the server.
func (s *Server) Close() { s.http.Close() }

// Client returns an S3 client for the server, made by awscfg as s3logs
// makes it, sending anonymous requests (gofakes3 does not check
// signatures, and no credentials are looked up), with at most maxAttempts
// attempts per request and millisecond backoff.
func (s *Server) Client(ctx context.Context, maxAttempts int) (*awss3.Client, error) {
	return awscfg.S3Client(ctx, awscfg.Options{Endpoint: s.URL, NoSign: true, Region: "us-east-1",
		MaxAttempts: maxAttempts, MaxBackoff: 5 * time.Millisecond})
}

// CreateBucket creates a bucket.
func (s *Server) CreateBucket(name string) error { return s.Backend.CreateBucket(name) }

// Put stores an object.
func (s *Server) Put(bucket, key string, body []byte) error {
	_, err := s.Backend.PutObject(bucket, key, map[string]string{}, bytes.NewReader(body), int64(len(body)), nil)
	return err
}

// Fail makes requests for bucket/key fail as f says; key "" targets the
// bucket's listings.
func (s *Server) Fail(bucket, key string, f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults[bucket+"/"+key] = f
}

// Clear removes the fault on bucket/key.
func (s *Server) Clear(bucket, key string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.faults, bucket+"/"+key)
}

// Counts are what the server saw since the last Reset.
type Counts struct {
	Lists  int // ListObjectsV2 requests
	Listed int // keys plus common prefixes returned by them
	Gets   int // GetObject requests
}

// Counts returns the request counts.
func (s *Server) Counts() Counts {
	s.mu.Lock()
	defer s.mu.Unlock()
	return Counts{Lists: s.lists, Listed: s.listed, Gets: s.gets}
}

// Gets returns how many GetObject requests bucket/key received.
func (s *Server) Gets(bucket, key string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.getsByID[bucket+"/"+key]
}

// MaxListsInFlight returns the most ListObjectsV2 requests the server was
// answering at once since the last Reset: how parallel a listing was.
func (s *Server) MaxListsInFlight() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.maxLists
}

// Reset zeroes the counts.
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lists, s.listed, s.gets, s.maxLists = 0, 0, 0, 0
	s.getsByID = map[string]int{}
}

// GoAway makes the server go away as a crashed or unplugged one does: it
// stops accepting connections, so that a dial is refused, and drops the
// connections open without answering. Close still has to be called.
func (s *Server) GoAway() {
	s.mu.Lock()
	s.gone = true
	s.mu.Unlock()
	s.http.Listener.Close()
	s.http.CloseClientConnections()
}

// GoAwayAfter makes the server go away (GoAway) when the GET after the
// first n GetObject requests (counted from now) arrives; that one is not
// answered either.
func (s *Server) GoAwayAfter(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.goneAt = s.gets + n + 1
}

// ServeHTTP counts, injects faults, and passes the rest to gofakes3.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	bucket, key, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	isList := r.Method == http.MethodGet && key == "" && r.URL.Query().Get("list-type") == "2"
	isGet := r.Method == http.MethodGet && key != ""
	if s.leaving(isGet) {
		drop(w)
		return
	}
	if isList {
		s.mu.Lock()
		s.inFlight++
		s.maxLists = max(s.maxLists, s.inFlight)
		s.mu.Unlock()
		defer func() {
			s.mu.Lock()
			s.inFlight--
			s.mu.Unlock()
		}()
	}
	if s.Latency > 0 {
		time.Sleep(s.Latency)
	}
	s.mu.Lock()
	switch {
	case isList:
		s.lists++
	case isGet:
		s.gets++
		s.getsByID[bucket+"/"+key]++
	}
	f, faulty := s.faults[bucket+"/"+key]
	if faulty && f.Times > 0 {
		f.Times--
		if f.Times == 0 {
			delete(s.faults, bucket+"/"+key)
		} else {
			s.faults[bucket+"/"+key] = f
		}
	}
	s.mu.Unlock()
	switch {
	case isGet && s.changed(bucket, key, r.Header.Get("If-Match")):
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(http.StatusPreconditionFailed)
		fmt.Fprint(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>PreconditionFailed</Code><Message>At least one of the pre-conditions you specified did not hold</Message><Condition>If-Match</Condition></Error>`)
	case faulty && f.Drop:
		drop(w)
	case faulty && f.Truncate > 0:
		s.truncate(w, r, f.Truncate, f.Stall)
	case faulty:
		if f.Region != "" {
			w.Header().Set("X-Amz-Bucket-Region", f.Region)
		}
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(f.Status)
		fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>%s</Code><Message>injected by s3test</Message></Error>`, f.Code)
	case isList:
		cw := &countingWriter{ResponseWriter: w}
		s.fake.ServeHTTP(cw, r)
		s.mu.Lock()
		s.listed += bytes.Count(cw.body.Bytes(), []byte("<Key>")) + bytes.Count(cw.body.Bytes(), []byte("<CommonPrefixes>"))
		s.mu.Unlock()
	default:
		s.fake.ServeHTTP(w, r)
	}
}

// leaving reports whether the server has gone away, or goes away now
// (GoAwayAfter) with this request, a GET when isGet.
func (s *Server) leaving(isGet bool) bool {
	s.mu.Lock()
	gone := s.gone
	if !gone && isGet && s.goneAt > 0 && s.gets+1 >= s.goneAt {
		gone, s.goneAt = true, 0
		go s.GoAway()
	}
	s.mu.Unlock()
	return gone
}

// drop closes the connection of a request without answering it.
func drop(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if c, _, err := hj.Hijack(); err == nil {
			c.Close()
		}
	}
}

// changed reports whether ifMatch, the If-Match of a GET, names another
// ETag than that of the object stored (S3 then answers 412).
func (s *Server) changed(bucket, key, ifMatch string) bool {
	if ifMatch == "" || ifMatch == "*" {
		return false
	}
	obj, err := s.Backend.HeadObject(bucket, key)
	if err != nil {
		return false // gofakes3 answers the missing object
	}
	return ifMatch != `"`+hex.EncodeToString(obj.Hash)+`"`
}

// truncate answers a GET with the object's length but only n bytes of it,
// then drops the connection.
func (s *Server) truncate(w http.ResponseWriter, r *http.Request, n int, stall bool) {
	rec := httptest.NewRecorder()
	s.fake.ServeHTTP(rec, r)
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.Code)
	w.Write(rec.Body.Bytes()[:min(n, rec.Body.Len())])
	if f, ok := w.(http.Flusher); ok {
		f.Flush()
	}
	if stall {
		select {
		case <-r.Context().Done():
		case <-time.After(10 * time.Second):
		}
	}
	drop(w)
}

// countingWriter keeps a copy of a listing answer to count its keys.
type countingWriter struct {
	http.ResponseWriter
	body bytes.Buffer
}

func (c *countingWriter) Write(p []byte) (int, error) {
	c.body.Write(p)
	return c.ResponseWriter.Write(p)
}

// SimpleKey is the key AWS gives a log object delivered at t in the simple
// layout: prefix + YYYY-MM-DD-hh-mm-ss-Unique.
func SimpleKey(prefix string, t time.Time, unique string) string {
	return prefix + t.UTC().Format("2006-01-02-15-04-05") + "-" + unique
}

// PartitionedKey is the key of a log object of the given day folder
// (event time) delivered at t in the date-based partitioned layout:
// prefix + account/region/bucket/YYYY/MM/DD/YYYY-MM-DD-hh-mm-ss-Unique.
func PartitionedKey(prefix, account, region, bucket string, day, t time.Time, unique string) string {
	return prefix + account + "/" + region + "/" + bucket + "/" + day.UTC().Format("2006/01/02") + "/" + SimpleKey("", t, unique)
}

// Unique is a 16-character unique string like AWS's, derived from n.
func Unique(n int) string { return fmt.Sprintf("%016X", uint64(n)*0x9E3779B97F4A7C15) }

// LogBody returns lines generated log lines (internal/gen) whose event
// times are in the hour before t, as AWS delivers them, from seed.
func LogBody(seed int64, lines int, t time.Time) []byte {
	var b bytes.Buffer
	// gen.Write only fails when the writer does; a bytes.Buffer does not.
	_ = gen.Write(&b, lines, gen.Options{Seed: seed, Start: t.Add(-time.Hour), Span: time.Hour, UTCOnly: true})
	return b.Bytes()
}

// Gzip compresses b.
func Gzip(b []byte) []byte {
	var out bytes.Buffer
	zw := gzip.NewWriter(&out)
	zw.Write(b)
	zw.Close()
	return out.Bytes()
}

// ReadAll opens an object body and reads it, for tests.
func ReadAll(rc io.ReadCloser, err error) ([]byte, error) {
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return io.ReadAll(rc)
}
