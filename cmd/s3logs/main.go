// Command s3logs turns AWS S3 server access logs into a local DuckDB
// workspace: load files, folders, globs, stdin or s3:// prefixes into the
// table aws_s3serveraccess, then ask questions in SQL, run saved
// investigations and Panther's detections, and export to Parquet.
//
// Every subcommand lives in its own file and registers itself from init()
// (see command.go); main only wires signals and the exit code:
// 0 ok, 1 error, 2 usage error, 3 loaded but some lines were rejected.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/s3logs/s3logs/internal/memtune"
)

func main() {
	ctx, cancel := context.WithCancel(context.Background())
	stopSignals := watchSignals(cancel)
	stopProfile := startProfile(os.Getenv("S3LOGS_CPUPROFILE"))
	stopHeap := startHeapProfile(os.Getenv("S3LOGS_MEMPROFILE"))
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stopHeap()
	stopProfile()
	stopSignals()
	cancel()
	os.Exit(code)
}

// interrupts routes SIGINT: to the innermost handler a command installed
// with Env.OnInterrupt (the shell cancels the running query), or, when none
// is installed, to cancelling the whole run. SIGTERM always cancels.
var interrupts struct {
	sync.Mutex
	handlers []func()
}

// watchSignals cancels the run on SIGTERM, and on SIGINT unless a handler
// is installed. It returns a function that stops watching.
func watchSignals(cancel context.CancelFunc) (stop func()) {
	ch := make(chan os.Signal, 4)
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		for {
			select {
			case <-done:
				return
			case sig := <-ch:
				if sig == os.Interrupt {
					if h := currentInterruptHandler(); h != nil {
						h()
						continue
					}
				}
				cancel()
			}
		}
	}()
	return func() {
		signal.Stop(ch)
		close(done)
	}
}

// startProfile writes a CPU profile to path (from $S3LOGS_CPUPROFILE, for
// measuring where a load spends its time) until the returned stop is called.
func startProfile(path string) (stop func()) {
	if path == "" {
		return func() {}
	}
	f, err := os.Create(path)
	if err == nil {
		err = pprof.StartCPUProfile(f)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "s3logs: S3LOGS_CPUPROFILE: %v\n", err)
		return func() {}
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}
}

// startHeapProfile, for measuring what a load's memory grows with, samples
// the Go heap in use every 50 ms and prints the peak of the samples on
// stderr when the returned stop is called, to be set against the
// process's peak RSS (the rest is DuckDB's, and the runtime's). Each time
// the heap in use grows 5% over its peak so far, a heap profile is written
// to path (from $S3LOGS_MEMPROFILE; "%p" in it is replaced by the process
// id, for the runs of a benchmark): the profile left is of what was in use
// at the last garbage collection before the peak. The peak of the C
// library's heap in use (DuckDB's objects outside its buffer pool, whose
// blocks come from its own allocator) is sampled and printed too.
func startHeapProfile(path string) (stop func()) {
	if path == "" {
		return func() {}
	}
	path = strings.ReplaceAll(path, "%p", strconv.Itoa(os.Getpid()))
	var werr error
	write := func() {
		f, err := os.Create(path)
		if err == nil {
			err = pprof.WriteHeapProfile(f)
			if cerr := f.Close(); err == nil {
				err = cerr
			}
		}
		if werr == nil {
			werr = err
		}
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	var peak, cpeak uint64
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > peak+peak/20 {
				write()
			}
			peak = max(peak, ms.HeapInuse)
			if n, ok := memtune.CHeapInUse(); ok {
				cpeak = max(cpeak, n)
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() {
		close(done)
		wg.Wait()
		if werr != nil {
			fmt.Fprintf(os.Stderr, "s3logs: S3LOGS_MEMPROFILE: %v\n", werr)
		}
		fmt.Fprintf(os.Stderr, "s3logs: peak Go heap in use %.1f MB\n", float64(peak)/1e6)
		if cpeak > 0 {
			fmt.Fprintf(os.Stderr, "s3logs: peak C heap in use %.1f MB\n", float64(cpeak)/1e6)
		}
	}
}

func currentInterruptHandler() func() {
	interrupts.Lock()
	defer interrupts.Unlock()
	if n := len(interrupts.handlers); n > 0 {
		return interrupts.handlers[n-1]
	}
	return nil
}
