// Package benchproc runs the measured steps of the benchmark commands
// (cmd/s3logs-bench, cmd/s3logs-s3bench) as child processes, so that each
// step's wall time and peak memory are its own, and finds or builds the
// s3logs binary they measure. Both commands share it.
package benchproc

import (
	"context"
	"fmt"
	"io"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"
)

// Measure runs cmd to its end and returns its wall time and its peak
// resident memory in bytes (0 where the system does not report it). err is
// cmd.Run's; the wall time and memory are those of the process even when it
// exited non-zero, and zero when it could not be started.
func Measure(cmd *exec.Cmd) (wall time.Duration, peakRSS int64, err error) {
	start := time.Now()
	err = cmd.Run()
	wall = time.Since(start)
	if cmd.ProcessState == nil {
		return 0, 0, err
	}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		peakRSS = ru.Maxrss * 1024 // Linux reports KiB
	}
	return wall, peakRSS, err
}

// S3logsBinary returns bin when it is not empty, else builds
// ./cmd/s3logs (with -tags duckdb_arrow) into dir and returns its path; the
// go command's output goes to stderr.
func S3logsBinary(ctx context.Context, bin, dir string, stderr io.Writer) (string, error) {
	if bin != "" {
		return bin, nil
	}
	bin = filepath.Join(dir, "s3logs")
	fmt.Fprintln(stderr, "building s3logs ...")
	build := exec.CommandContext(ctx, "go", "build", "-tags", "duckdb_arrow", "-o", bin, "github.com/s3logs/s3logs/cmd/s3logs")
	build.Stdout, build.Stderr = stderr, stderr
	if err := build.Run(); err != nil {
		return "", fmt.Errorf("build s3logs (or pass -s3logs PATH): %w", err)
	}
	return bin, nil
}
