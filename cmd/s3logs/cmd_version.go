package main

import (
	"context"
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/s3logs/s3logs/internal/db"
)

// s3logs version and s3logs --version: what a bug report needs to say.
func init() {
	register(&command{
		Name:    "version",
		Usage:   "version",
		Summary: "Print the versions of s3logs, Go and DuckDB",
		Help: `Prints three lines: the version of s3logs (the module version it was built
from; devel for a build from a checkout), the Go version it was built with,
and the version of the DuckDB engine linked into it. s3logs --version does
the same.`,
		Examples: []string{"s3logs version", "s3logs --version"},
		Run:      runVersion,
	})
}

func runVersion(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet("version")
	if err := env.Parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("version takes no arguments")
	}
	duck, err := duckDBVersion(ctx)
	if err != nil {
		return err
	}
	bi, ok := debug.ReadBuildInfo()
	_, err = fmt.Fprintf(env.Stdout, "s3logs %s\nGo %s\nDuckDB %s\n",
		moduleVersion(bi, ok), strings.TrimPrefix(runtime.Version(), "go"), duck)
	return err
}

// moduleVersion is the version of the main module in bi (from
// debug.ReadBuildInfo), or "devel" when it is unknown: no build
// information, or a build from a checkout ("(devel)").
func moduleVersion(bi *debug.BuildInfo, ok bool) string {
	if !ok || bi == nil || bi.Main.Version == "" || bi.Main.Version == "(devel)" {
		return "devel"
	}
	return bi.Main.Version
}

// duckDBVersion asks an in-memory DuckDB for its version ("v1.4.1").
func duckDBVersion(ctx context.Context) (string, error) {
	d, err := db.Open(ctx, db.Memory)
	if err != nil {
		return "", fmt.Errorf("DuckDB version: %w", err)
	}
	defer d.Close()
	var v string
	if err := d.QueryRowContext(ctx, "SELECT version()").Scan(&v); err != nil {
		return "", fmt.Errorf("DuckDB version: %w", err)
	}
	return v, nil
}
