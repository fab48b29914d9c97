package main

import (
	"regexp"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
)

func TestModuleVersion(t *testing.T) {
	for _, tc := range []struct {
		name string
		bi   *debug.BuildInfo
		ok   bool
		want string
	}{
		{"no build information", nil, false, "devel"},
		{"built from a checkout", &debug.BuildInfo{Main: debug.Module{Path: "github.com/s3logs/s3logs", Version: "(devel)"}}, true, "devel"},
		{"no version", &debug.BuildInfo{Main: debug.Module{Path: "github.com/s3logs/s3logs"}}, true, "devel"},
		{"release", &debug.BuildInfo{Main: debug.Module{Path: "github.com/s3logs/s3logs", Version: "v1.2.3"}}, true, "v1.2.3"},
		{"pseudo-version", &debug.BuildInfo{Main: debug.Module{Version: "v0.0.0-20261127120000-0ae5daf1b2c3"}}, true, "v0.0.0-20261127120000-0ae5daf1b2c3"},
	} {
		if got := moduleVersion(tc.bi, tc.ok); got != tc.want {
			t.Errorf("%s: moduleVersion = %q, want %q", tc.name, got, tc.want)
		}
	}
}

// TestVersionCommand checks s3logs version and --version print the module
// version (devel in a test binary), the Go version and DuckDB's.
func TestVersionCommand(t *testing.T) {
	want := regexp.MustCompile(`^s3logs devel\nGo ` + regexp.QuoteMeta(strings.TrimPrefix(runtime.Version(), "go")) + `\nDuckDB v\d+\.\d+\.\d+[^\n]*\n$`)
	tests := []struct {
		args   []string
		code   int
		stderr string // the first line of stderr, exactly
	}{
		{[]string{"version"}, exitOK, ""},
		{[]string{"--version"}, exitOK, ""},
		{[]string{"-version"}, exitOK, ""},
		{[]string{"version", "extra"}, exitUsage, "s3logs version: version takes no arguments"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, stdout, stderr := cli(t, "", tt.args...)
			if code != tt.code {
				t.Errorf("exit code %d, want %d; stderr:\n%s", code, tt.code, stderr)
			}
			if first, _, _ := strings.Cut(stderr, "\n"); first != tt.stderr {
				t.Errorf("stderr line %q, want %q", first, tt.stderr)
			}
			if tt.code == exitOK && !want.MatchString(stdout) {
				t.Errorf("stdout %q does not match %s", stdout, want)
			}
			if tt.code != exitOK && stdout != "" {
				t.Errorf("stdout %q, want none", stdout)
			}
		})
	}
}
