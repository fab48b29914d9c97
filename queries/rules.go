package queries

import (
	"database/sql"
	"net/netip"
	"strings"
	"time"

	"github.com/s3logs/s3logs/schema"
)

// Severity is an alert severity, as Panther names them.
type Severity string

// The severities used by the rules.
const (
	Info     Severity = "Info"
	Low      Severity = "Low"
	Medium   Severity = "Medium"
	High     Severity = "High"
	Critical Severity = "Critical"
)

// Severities lists the severities from the least to the most severe.
var Severities = []Severity{Info, Low, Medium, High, Critical}

// Rank is the severity's place in Severities (Info 0 ... Critical 4), or
// -1 for an unknown one.
func (s Severity) Rank() int {
	for i, v := range Severities {
		if v == s {
			return i
		}
	}
	return -1
}

// Rule is one detection: a SQL filter selecting matching events with a
// title, optionally refined in Go where SQL cannot express the original
// logic exactly (CIDR and glob matching), and Panther's grouping settings.
// Rules are package values; do not modify them.
type Rule struct {
	ID          string
	Name        string
	Source      string // panther, tailpipe or s3logs
	Severity    Severity
	Threshold   int           // events needed in one dedup window
	Dedup       time.Duration // dedup window, started by the first event
	Enabled     bool          // on by default
	MITRE       []string      // tactic:technique, e.g. TA0007:T1619
	Description string

	// from is the FROM clause (default the table); where and title are SQL
	// over it, with named parameters supplied by args.
	from  func(c *Config) string
	where string
	title string
	args  func(c *Config) []any
	// key, when set, is a SQL expression over the rule's rows whose
	// distinct values keyMatch tests in Go; only rows whose key passes are
	// selected. Logic SQL cannot express exactly (CIDRs, globs) thus runs
	// once per distinct value, not once per row.
	key      string
	keyMatch func(c *Config, key string) bool
	// on, when set, turns a default-off rule on from its configuration.
	on func(c *Config) bool
}

const unknownBucket = "coalesce(bucket, '<UNKNOWN_BUCKET>')"

// utcHour is the UTC hour of p_event_time by arithmetic on the epoch, which
// is several times faster than hour() on a TIMESTAMPTZ (a time zone lookup).
const utcHour = "((epoch_us(p_event_time) // 3600000000) % 24 + 24) % 24"

// nullKey stands for NULL in a rule key (chr(31) in SQL).
const nullKey = "\x1f"

// objectOps are Tailpipe's object operations.
const objectOps = "('REST.GET.OBJECT', 'REST.PUT.OBJECT', 'REST.DELETE.OBJECT')"

// Rules are every detection s3logs knows, in the order they are listed.
var Rules = []*Rule{
	{
		ID: "AWS.S3.ServerAccess.Error", Name: "AWS S3 Access Error", Source: "panther", Severity: Info,
		Threshold: 5, Dedup: 180 * time.Minute, Enabled: true, MITRE: []string{"TA0007:T1619"},
		Description: "403 or 405 on an object operation (REST.*.OBJECT), except aws-internal user agents: permission problems or probing.",
		where:       `NOT starts_with(coalesce(useragent, ''), 'aws-internal') AND operation GLOB 'REST.*.OBJECT' AND httpstatus IN (403, 405)`,
		title:       `format('{} errors found to S3 Bucket [{}]', httpstatus, ` + unknownBucket + `)`,
	},
	{
		ID: "AWS.S3.ServerAccess.IPWhitelist", Name: "AWS S3 Access IP Allowlist", Source: "panther", Severity: Medium,
		Threshold: 1, Dedup: 60 * time.Minute, Enabled: false, MITRE: []string{"TA0009:T1530"},
		Description: "Access from a remote IP outside the allowed networks (allowed_networks, default 10.0.0.0/8), on the monitored buckets (monitored_buckets, default all). An IPv6 address is never inside an IPv4 network.",
		where:       `remoteip IS NOT NULL AND (len($monitored) = 0 OR list_contains($monitored, bucket))`,
		title:       `format('Non-Approved IP access to S3 Bucket [{}]', ` + unknownBucket + `)`,
		args:        func(c *Config) []any { return []any{sql.Named("monitored", nonNil(c.MonitoredBuckets))} },
		key:         "remoteip",
		keyMatch:    matchIPAllowlist,
	},
	{
		ID: "AWS.S3.ServerAccess.Insecure", Name: "AWS S3 Insecure Access", Source: "panther", Severity: Low,
		Threshold: 1, Dedup: 720 * time.Minute, Enabled: true, MITRE: []string{"TA0009:T1530"},
		Description: "An object operation (REST.*.OBJECT) without a cipher suite or TLS version: plain HTTP.",
		where:       `operation GLOB 'REST.*.OBJECT' AND (coalesce(ciphersuite, '') = '' OR coalesce(tlsVersion, '') = '')`,
		title:       `format('Insecure access to S3 Bucket [{}]', ` + unknownBucket + `)`,
	},
	{
		ID: "AWS.S3.ServerAccess.Unauthenticated", Name: "AWS S3 Unauthenticated Access", Source: "panther", Severity: Low,
		Threshold: 1, Dedup: 60 * time.Minute, Enabled: false, MITRE: []string{"TA0009:T1530"},
		Description: "A request without a requester on a bucket where all access should be authenticated (auth_buckets, default example-bucket).",
		where:       `list_contains($auth_buckets, bucket) AND coalesce(requester, '') = ''`,
		title:       `format('Unauthenticated access to S3 Bucket [{}]', ` + unknownBucket + `)`,
		args:        func(c *Config) []any { return []any{sql.Named("auth_buckets", nonNil(c.AuthBuckets))} },
	},
	{
		ID: "AWS.S3.ServerAccess.UnknownRequester", Name: "AWS S3 Unknown Requester", Source: "panther", Severity: Low,
		Threshold: 1, Dedup: 60 * time.Minute, Enabled: false, MITRE: []string{"TA0009:T1530"},
		Description: "A successful REST.GET.OBJECT on a bucket matching a bucket_roles glob by a requester matching none of its allowed role globs.",
		where:       `coalesce(errorcode, '') = '' AND operation = 'REST.GET.OBJECT'`,
		title:       `format('Unknown requester accessing data from S3 Bucket [{}]', ` + unknownBucket + `)`,
		key:         "coalesce(bucket, '') || chr(31) || coalesce(requester, '')",
		keyMatch:    matchUnknownRequester,
	},
	{
		ID: "tailpipe.s3_object_accessed_using_insecure_tls_version", Name: "S3 Object Accessed Using Insecure TLS Version", Source: "tailpipe",
		Severity: Medium, Threshold: 1, Dedup: 60 * time.Minute, Enabled: true, MITRE: []string{"TA0001:T1078"},
		Description: "GET, PUT or DELETE object over an insecure TLS version (insecure_tls_versions, case-insensitive; TLS 1.0 is logged as TLSv1).",
		where:       `operation IN ` + objectOps + ` AND list_contains($tls, lower(tlsVersion))`,
		title:       `format('Object accessed using insecure TLS version in S3 Bucket [{}]', ` + unknownBucket + `)`,
		args:        tlsArgs,
	},
	{
		ID: "tailpipe.s3_bucket_accessed_using_insecure_tls_version", Name: "S3 Bucket Accessed Using Insecure TLS Version", Source: "tailpipe",
		Severity: Medium, Threshold: 1, Dedup: 60 * time.Minute, Enabled: true, MITRE: []string{"TA0001:T1078"},
		Description: "Any other operation over an insecure TLS version (insecure_tls_versions, case-insensitive).",
		where:       `coalesce(operation, '') NOT IN ` + objectOps + ` AND list_contains($tls, lower(tlsVersion))`,
		title:       `format('Bucket accessed using insecure TLS version: S3 Bucket [{}]', ` + unknownBucket + `)`,
		args:        tlsArgs,
	},
	{
		ID: "tailpipe.s3_object_accessed_using_suspicious_user_agent", Name: "S3 Object Accessed Using Suspicious User-Agent", Source: "tailpipe",
		Severity: Medium, Threshold: 1, Dedup: 60 * time.Minute, Enabled: true, MITRE: []string{"TA0011:T1071.001", "TA0009:T1119"},
		Description: "GET, PUT or DELETE object with no user agent or one containing a tool or scanner marker (suspicious_user_agents, case-insensitive).",
		where:       `operation IN ` + objectOps,
		title:       `format('Object accessed using suspicious user agent in S3 Bucket [{}]', ` + unknownBucket + `)`,
		key:         "coalesce(useragent, chr(31))",
		keyMatch:    matchSuspiciousAgent,
	},
	{
		ID: "tailpipe.s3_object_accessed_outside_business_hours", Name: "S3 Object Accessed Outside Business Hours", Source: "tailpipe",
		Severity: Info, Threshold: 1, Dedup: 60 * time.Minute, Enabled: true, MITRE: []string{"TA0001:T1078"},
		Description: "REST.GET.OBJECT outside business hours (business_hours, UTC, default 08:00-18:00; 18:00 is outside). Info, not Tailpipe's Low: it fires on most buckets by design (batch jobs, other time zones), so it must not drown the rest.",
		where: `operation = 'REST.GET.OBJECT' AND CASE WHEN $bh_start < $bh_end
			THEN ` + utcHour + ` < $bh_start OR ` + utcHour + ` >= $bh_end
			ELSE ` + utcHour + ` < $bh_start AND ` + utcHour + ` >= $bh_end END`,
		title: `format('Object accessed outside business hours in S3 Bucket [{}]', ` + unknownBucket + `)`,
		args: func(c *Config) []any {
			return []any{sql.Named("bh_start", int64(c.BusinessHours.Start)), sql.Named("bh_end", int64(c.BusinessHours.End))}
		},
	},
	{
		ID: "tailpipe.s3_object_accessed_with_large_response_size", Name: "S3 Object Accessed with Large Response Size", Source: "tailpipe",
		Severity: Info, Threshold: 1, Dedup: 60 * time.Minute, Enabled: true, MITRE: []string{"TA0010:T1030"},
		Description: "REST.GET.OBJECT that sent more than large_response_bytes (default 100 MB). Info, not Tailpipe's Low: it fires on most buckets holding media, backups or datasets by design.",
		where:       `operation = 'REST.GET.OBJECT' AND bytessent > $large_response`,
		title:       `format('Object accessed with large response size in S3 Bucket [{}]', ` + unknownBucket + `)`,
		args:        func(c *Config) []any { return []any{sql.Named("large_response", c.LargeResponseBytes)} },
	},
	{
		ID: "tailpipe.s3_object_accessed_with_large_object_size", Name: "S3 Object Accessed with Large Object Size", Source: "tailpipe",
		Severity: Info, Threshold: 1, Dedup: 60 * time.Minute, Enabled: true, MITRE: []string{"TA0010:T1030"},
		Description: "REST.GET.OBJECT of an object larger than large_object_bytes (default 10 MB). Info, not Tailpipe's Low: it fires on most buckets holding media, backups or datasets by design.",
		where:       `operation = 'REST.GET.OBJECT' AND objectsize > $large_object`,
		title:       `format('Object accessed with large object size in S3 Bucket [{}]', ` + unknownBucket + `)`,
		args:        func(c *Config) []any { return []any{sql.Named("large_object", c.LargeObjectBytes)} },
	},
	{
		ID: "s3logs.access_denied_burst", Name: "Burst of AccessDenied from One Principal", Source: "s3logs",
		Severity: Medium, Threshold: 20, Dedup: 10 * time.Minute, Enabled: true, MITRE: []string{"TA0007:T1619"},
		Description: "20 AccessDenied responses to one requester (or, when anonymous, one IP) within 10 minutes: enumeration with stolen or under-privileged credentials.",
		where:       `errorcode = 'AccessDenied'`,
		title:       `format('AccessDenied burst from [{}]', coalesce(requester, 'anonymous ' || coalesce(remoteip, 'unknown IP')))`,
	},
	{
		ID: "s3logs.mass_deletion", Name: "Mass Deletion by One Principal", Source: "s3logs",
		Severity: High, Threshold: 100, Dedup: 60 * time.Minute, Enabled: true, MITRE: []string{"TA0040:T1485"},
		Description: "100 successful object deletions (REST.DELETE.OBJECT, BATCH.DELETE.OBJECT) by one requester on one bucket within 60 minutes; lifecycle expirations are not counted.",
		where:       `operation IN ('REST.DELETE.OBJECT', 'BATCH.DELETE.OBJECT') AND httpstatus < 300`,
		title:       `format('Mass deletion by [{}] in S3 Bucket [{}]', coalesce(requester, 'anonymous'), ` + unknownBucket + `)`,
	},
	{
		ID: "s3logs.new_ip_sensitive_bucket", Name: "New IP Accessing a Sensitive Bucket", Source: "s3logs",
		Severity: Medium, Threshold: 1, Dedup: 24 * time.Hour, Enabled: false, MITRE: []string{"TA0009:T1530"},
		Description: "The first request from a remote IP to a sensitive bucket (sensitive_buckets; all buckets when empty), once the bucket has new_ip_baseline_hours of history. On when sensitive_buckets is set.",
		from: func(c *Config) string {
			return `(SELECT *,
				min(p_event_time) OVER (PARTITION BY bucket) AS bucket_first,
				row_number() OVER (PARTITION BY bucket, remoteip ORDER BY p_event_time, p_row_id) AS ip_seq
				FROM ` + table + `
				WHERE remoteip IS NOT NULL AND (len($sensitive) = 0 OR list_contains($sensitive, bucket)))`
		},
		where: `ip_seq = 1 AND p_event_time >= bucket_first + to_hours($baseline)`,
		title: `format('New IP {} accessed sensitive S3 Bucket [{}]', remoteip, ` + unknownBucket + `)`,
		args: func(c *Config) []any {
			return []any{sql.Named("sensitive", nonNil(c.SensitiveBuckets)), sql.Named("baseline", int64(c.NewIPBaselineHours))}
		},
		on: func(c *Config) bool { return len(c.SensitiveBuckets) > 0 },
	},
	{
		ID: "s3logs.volume_exfiltration", Name: "High Volume of Data Sent to One Client", Source: "s3logs",
		Severity: High, Threshold: 1, Dedup: 60 * time.Minute, Enabled: true, MITRE: []string{"TA0010:T1567", "TA0009:T1530"},
		Description: "More than exfil_bytes (default 50 MB, as Panther's CloudTrail S3 exfiltration rule) sent to one requester, remote IP and user agent within exfil_window_minutes (default 15), a sliding window ending at each response: bulk download or exfiltration.",
		from: func(c *Config) string {
			// Only the columns the title and grouping read go through the
			// window: the rest are read by row id for the samples.
			return `(SELECT requester, remoteip, useragent, p_event_time, p_row_id,
				sum(bytessent) OVER (PARTITION BY requester, remoteip, useragent ORDER BY p_event_time
				RANGE BETWEEN to_minutes(CAST($exfil_window AS BIGINT)) PRECEDING AND CURRENT ROW) AS window_bytes
				FROM ` + table + ` WHERE bytessent > 0)`
		},
		where: `window_bytes > $exfil_bytes`,
		title: `format('High volume of data sent to [{}] at {} with user agent [{}]', coalesce(requester, 'anonymous'), coalesce(remoteip, 'unknown IP'), coalesce(useragent, 'none'))`,
		args: func(c *Config) []any {
			return []any{sql.Named("exfil_window", int64(c.ExfilWindowMinutes)), sql.Named("exfil_bytes", c.ExfilBytes)}
		},
	},
	{
		ID: "s3logs.listed_ip", Name: "Request from a Listed IP Address", Source: "s3logs",
		Severity: High, Threshold: 1, Dedup: 60 * time.Minute, Enabled: true, MITRE: []string{"TA0001:T1078", "TA0009:T1530"},
		Description: "A request from a remote IP inside an entry of a deny or intel list (--ip-list deny=FILE, --ip-list intel=FILE) and of no allow list. Fires only when lists are given.",
		from: func(c *Config) string {
			return `(SELECT t.*, i.lists AS ip_lists, i.labels AS ip_labels FROM ` + table + ` AS t
				JOIN ` + schema.Quote(schema.IntelCatalog) + `.main.` + schema.Quote(schema.IPInfo.Name) + ` AS i ON i.ip = t.remoteip
				WHERE list_has_any(i.lists, ['deny', 'intel']) AND NOT list_contains(i.lists, 'allow'))`
		},
		where: `true`,
		title: `format('Request from {}-listed IP {} ({}) to S3 Bucket [{}]', array_to_string(ip_lists, ','), remoteip,
			coalesce(nullif(array_to_string(ip_labels, ', '), ''), 'no label'), ` + unknownBucket + `)`,
	},
	{
		ID: "s3logs.new_account_bucket", Name: "New AWS Account Accessing a Bucket", Source: "s3logs",
		Severity: Medium, Threshold: 1, Dedup: 24 * time.Hour, Enabled: true, MITRE: []string{"TA0009:T1530", "TA0001:T1078.004"},
		Description: "The first request from an AWS account (the account ID in the requester's ARN) to a bucket, once the bucket has new_account_baseline_hours (default 168) of history: a new outside account, or a principal of yours never seen there.",
		from: func(c *Config) string {
			return `(SELECT *, row_number() OVER (PARTITION BY bucket, account ORDER BY p_event_time, p_row_id) AS account_seq
				FROM (SELECT bucket, p_event_time, p_row_id, coalesce(p_any_aws_account_ids[1], s3logs_requester_account(requester)) AS account,
					min(p_event_time) OVER (PARTITION BY bucket) AS bucket_first
					FROM ` + table + `)
				WHERE account IS NOT NULL)`
		},
		where: `account_seq = 1 AND p_event_time >= bucket_first + to_hours(CAST($account_baseline AS BIGINT))`,
		title: `format('New account {} accessed S3 Bucket [{}]', account, ` + unknownBucket + `)`,
		args: func(c *Config) []any {
			return []any{sql.Named("account_baseline", int64(c.NewAccountBaselineHours))}
		},
	},
}

func tlsArgs(c *Config) []any {
	return []any{sql.Named("tls", lowerAll(c.InsecureTLSVersions))}
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// matchSuspiciousAgent is Tailpipe's user agent test: missing, or
// containing one of the markers, case-insensitively.
func matchSuspiciousAgent(c *Config, ua string) bool {
	if ua == nullKey {
		return true
	}
	ua = strings.ToLower(ua)
	for _, m := range c.SuspiciousUserAgents {
		if strings.Contains(ua, strings.ToLower(m)) {
			return true
		}
	}
	return false
}

// RuleByID returns the rule with the given ID, or nil.
func RuleByID(id string) *Rule {
	for _, r := range Rules {
		if r.ID == id {
			return r
		}
	}
	return nil
}

// matchIPAllowlist is Panther's IPWhitelist test: the remote IP is inside
// none of the allowed networks. An address Panther's ip_network() would
// reject (a redacted "xxx.xxx" IP) raises an error there, not an alert.
func matchIPAllowlist(c *Config, ip string) bool {
	addr, err := netip.ParseAddr(ip)
	if err != nil {
		return false
	}
	nets, _ := c.networks() // validated before Detect runs
	for _, n := range nets {
		if n.Contains(addr) {
			return false
		}
	}
	return true
}

// matchUnknownRequester is Panther's _unknown_requester_access: for some
// bucket glob matching the bucket, the requester matches none of its role
// globs (a missing bucket or requester is matched as the empty string).
func matchUnknownRequester(c *Config, key string) bool {
	bucket, requester, _ := strings.Cut(key, nullKey)
	for _, br := range c.BucketRoles {
		if !fnmatch(bucket, br.Bucket) {
			continue
		}
		allowed := false
		for _, role := range br.Roles {
			if fnmatch(requester, role) {
				allowed = true
				break
			}
		}
		if !allowed {
			return true
		}
	}
	return false
}
