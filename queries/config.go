package queries

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"strings"
)

// Config holds the tunable parts of the detections: Panther's allow-lists
// and bucket sets, Tailpipe's thresholds, s3logs' own settings, and per-rule
// overrides. DefaultConfig returns Panther's and Tailpipe's defaults; a JSON
// file read by LoadConfig replaces any field it names. A Config is not
// modified by Detect.
type Config struct {
	// Rules overrides per rule ID: enable or disable it, change its
	// threshold or dedup window.
	Rules map[string]RuleConfig `json:"rules,omitempty"`

	// AllowedNetworks are the CIDRs AWS.S3.ServerAccess.IPWhitelist accepts
	// (Panther's ALLOWLIST_NETWORKS; default 10.0.0.0/8).
	AllowedNetworks []string `json:"allowed_networks"`
	// MonitoredBuckets limits IPWhitelist to these buckets; empty means all
	// (Panther's BUCKETS_TO_MONITOR).
	MonitoredBuckets []string `json:"monitored_buckets"`
	// AuthBuckets are the buckets where AWS.S3.ServerAccess.Unauthenticated
	// expects every request to be authenticated (Panther's AUTH_BUCKETS;
	// default example-bucket).
	AuthBuckets []string `json:"auth_buckets"`
	// BucketRoles maps bucket globs to the requester globs allowed to read
	// them, for AWS.S3.ServerAccess.UnknownRequester (Panther's
	// BUCKET_ROLE_MAPPING). Globs are shell-style: * matches anything.
	BucketRoles []BucketRoles `json:"bucket_roles"`

	// InsecureTLSVersions are compared case-insensitively with tlsVersion by
	// the Tailpipe TLS rules (default TLSv1, TLSv1.0, TLSv1.1: S3 writes
	// TLSv1 for TLS 1.0, which Tailpipe's own TLSv1.0 misses).
	InsecureTLSVersions []string `json:"insecure_tls_versions"`
	// SuspiciousUserAgents are case-insensitive substrings of a suspicious
	// user agent (Tailpipe's list).
	SuspiciousUserAgents []string `json:"suspicious_user_agents"`
	// BusinessHours are UTC hours [Start, End): a GET outside them is
	// reported. Start > End describes hours that wrap midnight.
	BusinessHours Hours `json:"business_hours"`
	// LargeResponseBytes and LargeObjectBytes are the Tailpipe size
	// thresholds (exclusive; default 100 MB and 10 MB, decimal).
	LargeResponseBytes int64 `json:"large_response_bytes"`
	LargeObjectBytes   int64 `json:"large_object_bytes"`

	// SensitiveBuckets are watched by s3logs.new_ip_sensitive_bucket; the
	// rule is on when this is not empty (or when asked for by ID, then
	// covering every bucket).
	SensitiveBuckets []string `json:"sensitive_buckets"`
	// NewIPBaselineHours is how long after a bucket's first event an IP
	// first seen on it counts as new (default 168, one week).
	NewIPBaselineHours int `json:"new_ip_baseline_hours"`

	// ExfilBytes and ExfilWindowMinutes are the threshold (exclusive) and
	// the sliding window of s3logs.volume_exfiltration (default 50 MB in 15
	// minutes, as Panther's CloudTrail S3 exfiltration rule).
	ExfilBytes         int64 `json:"exfil_bytes"`
	ExfilWindowMinutes int   `json:"exfil_window_minutes"`
	// NewAccountBaselineHours is how long after a bucket's first event an
	// account first seen on it counts as new (default 168).
	NewAccountBaselineHours int `json:"new_account_baseline_hours"`
}

// MaxDedupMinutes bounds dedup_minutes (and new_ip_baseline_hours, in
// hours): a year. A larger value overflowed time.Duration (int64
// nanoseconds) into a negative window.
const MaxDedupMinutes = 366 * 24 * 60

// RuleConfig overrides one rule's defaults; nil fields keep them.
type RuleConfig struct {
	Enabled      *bool `json:"enabled,omitempty"`
	Threshold    *int  `json:"threshold,omitempty"`
	DedupMinutes *int  `json:"dedup_minutes,omitempty"`
}

// BucketRoles is one entry of the UnknownRequester mapping.
type BucketRoles struct {
	Bucket string   `json:"bucket"`
	Roles  []string `json:"roles"`
}

// Hours is a range of UTC hours, Start inclusive, End exclusive.
type Hours struct {
	Start int `json:"start"`
	End   int `json:"end"`
}

// DefaultConfig returns the defaults Panther and Tailpipe ship.
func DefaultConfig() *Config {
	return &Config{
		AllowedNetworks: []string{"10.0.0.0/8"},
		AuthBuckets:     []string{"example-bucket"},
		BucketRoles: []BucketRoles{{
			Bucket: "panther-bootstrap-processeddata-*",
			Roles: []string{
				"arn:aws:sts::*:assumed-role/panther-cloud-security-EventProcessorFunctionRole-*/panther-aws-event-processor",
				"arn:aws:sts::*:assumed-role/panther-log-analysis-AthenaApiFunctionRole-*/panther-athena-api",
				"arn:aws:sts::*:assumed-role/panther-log-analysis-RulesEngineFunctionRole-*/panther-rules-engine",
				"arn:aws:sts::*:assumed-role/panther-snowflake-logprocessing-role-*/snowflake",
				"arn:aws:sts::*:assumed-role/panther-data-replication-role-*/s3-replication",
			},
		}},
		InsecureTLSVersions: []string{"TLSv1", "TLSv1.0", "TLSv1.1"},
		SuspiciousUserAgents: []string{"curl", "wget", "python", "go-http", "ruby", "powershell", "nuclei", "nmap",
			"burpsuite", "sqlmap", "nikto", "hydra", "metasploit", "gobuster", "dirbuster", "zgrab", "masscan",
			"scanner", "exploit", "attack"},
		BusinessHours:      Hours{Start: 8, End: 18},
		LargeResponseBytes: 100_000_000,
		LargeObjectBytes:   10_000_000,
		NewIPBaselineHours: 168,
		ExfilBytes:         50_000_000,
		ExfilWindowMinutes: 15,

		NewAccountBaselineHours: 168,
	}
}

// LoadConfig reads a JSON config file over DefaultConfig. Unknown keys and
// invalid values are errors naming the file (and line, for syntax errors).
func LoadConfig(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("detect config: %w", err)
	}
	c := DefaultConfig()
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(c); err != nil {
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &se):
			line, col := position(string(data), int(se.Offset)-1)
			return nil, fmt.Errorf("%s:%d:%d: %v", path, line, col, err)
		case errors.As(err, &te):
			line, col := position(string(data), int(te.Offset))
			return nil, fmt.Errorf("%s:%d:%d: %s: want %s, got %s", path, line, col, te.Field, te.Type, te.Value)
		}
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	// One document: a second one (two configs pasted together) would be
	// ignored without a word.
	next := int(dec.InputOffset())
	for next < len(data) && strings.ContainsRune(" \t\r\n", rune(data[next])) {
		next++
	}
	if _, err := dec.Token(); err != io.EOF {
		line, col := position(string(data), next)
		return nil, fmt.Errorf("%s:%d:%d: more after the config's JSON object: a config file holds one", path, line, col)
	}
	if err := c.Validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return c, nil
}

// Validate checks networks, hours, sizes, rule IDs and bucket_roles globs.
func (c *Config) Validate() error {
	if _, err := c.networks(); err != nil {
		return err
	}
	h := c.BusinessHours
	if h.Start < 0 || h.Start > 23 || h.End < 1 || h.End > 24 || h.Start == h.End {
		return fmt.Errorf("business_hours: want 0 <= start <= 23, 1 <= end <= 24 and start != end, got %d-%d", h.Start, h.End)
	}
	if c.LargeResponseBytes < 0 || c.LargeObjectBytes < 0 || c.NewIPBaselineHours < 0 || c.ExfilBytes < 0 || c.NewAccountBaselineHours < 0 {
		return errors.New("large_response_bytes, large_object_bytes, new_ip_baseline_hours, exfil_bytes and new_account_baseline_hours must not be negative")
	}
	if c.ExfilWindowMinutes < 1 {
		return errors.New("exfil_window_minutes must be at least 1")
	}
	if c.NewIPBaselineHours > MaxDedupMinutes/60 {
		return fmt.Errorf("new_ip_baseline_hours must be at most %d (a year), got %d", MaxDedupMinutes/60, c.NewIPBaselineHours)
	}
	for id, rc := range c.Rules {
		if RuleByID(id) == nil {
			return fmt.Errorf("rules: unknown rule %q (see s3logs detect --list)", id)
		}
		if rc.Threshold != nil && *rc.Threshold < 1 {
			return fmt.Errorf("rules: %s: threshold must be at least 1", id)
		}
		if rc.DedupMinutes != nil && (*rc.DedupMinutes < 1 || *rc.DedupMinutes > MaxDedupMinutes) {
			return fmt.Errorf("rules: %s: dedup_minutes must be from 1 to %d (a year), got %d", id, MaxDedupMinutes, *rc.DedupMinutes)
		}
	}
	for _, br := range c.BucketRoles {
		if br.Bucket == "" {
			return errors.New("bucket_roles: every entry needs a bucket glob")
		}
		for _, g := range append([]string{br.Bucket}, br.Roles...) {
			if err := checkGlob(g); err != nil {
				return fmt.Errorf("bucket_roles: %v", err)
			}
		}
	}
	return nil
}

// networks parses AllowedNetworks; a bare IP is a /32 or /128 network.
func (c *Config) networks() ([]netip.Prefix, error) {
	out := make([]netip.Prefix, 0, len(c.AllowedNetworks))
	for _, n := range c.AllowedNetworks {
		s := strings.TrimSpace(n)
		if a, err := netip.ParseAddr(s); err == nil {
			out = append(out, netip.PrefixFrom(a, a.BitLen()))
			continue
		}
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return nil, fmt.Errorf("allowed_networks: %q is not a CIDR network", n)
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

func lowerAll(in []string) []string {
	out := make([]string, len(in))
	for i, s := range in {
		out[i] = strings.ToLower(s)
	}
	return out
}
