package queries

import (
	"context"
	"testing"
)

// detectRows loads rows into a fresh database and runs one rule over them.
func detectRows(t *testing.T, rows []row, ruleID string, c *Config) []Alert {
	t.Helper()
	d := openFixture(t, rows)
	alerts, err := Detect(context.Background(), d.DB, Options{Rules: []string{ruleID}, Config: c})
	if err != nil {
		t.Fatal(err)
	}
	return alerts
}

// one returns the default config with the rule's threshold set to 1, so
// that one event decides, as in Panther's rule unit tests (which test the
// rule function, not the alert threshold).
func one(ruleID string) *Config {
	c := DefaultConfig()
	n := 1
	c.Rules = map[string]RuleConfig{ruleID: {Threshold: &n}}
	return c
}

// TestPantherUnitTests are the 16 unit tests panther-analysis ships for its
// AWS.S3ServerAccess rules, as listed in DETECTIONS.md: each event alone,
// and whether the rule matches it (with the title it gets when it does).
func TestPantherUnitTests(t *testing.T) {
	const (
		errRule   = "AWS.S3.ServerAccess.Error"
		ipRule    = "AWS.S3.ServerAccess.IPWhitelist"
		insecure  = "AWS.S3.ServerAccess.Insecure"
		unauth    = "AWS.S3.ServerAccess.Unauthenticated"
		unknown   = "AWS.S3.ServerAccess.UnknownRequester"
		processed = "panther-bootstrap-processeddata-AF1341JAK"
	)
	tests := []struct {
		name  string
		rule  string
		ev    row
		title string // "" means the rule must not fire
	}{
		{"Error/Amazon Access Error", errRule, row{bucket: "cloudtrail", ip: "54.159.198.108", requester: "arn:aws:sts::123456789012:assumed-role/AWSServiceRoleForCloudTrail/123456789012", op: "REST.PUT.OBJECT", key: "AWSLogs/o-3h3h3h3h3h/123456789012/CloudTrail/x.json.gz", status: 403, errcode: "SignatureDoesNotMatch", bytes: 9438, ua: "aws-internal/3", cipher: "ECDHE-RSA-AES128-SHA", auth: "AuthHeader", tls: "TLSv1.2"}, ""},
		{"Error/Access Error", errRule, row{bucket: "panther-auditlogs", ip: "10.106.38.245", requester: "arn:aws:iam::162777425019:user/awslogsdelivery", op: "REST.GET.OBJECT", key: "x.json", status: 403, errcode: "AccessDenied"}, "403 errors found to S3 Bucket [panther-auditlogs]"},
		{"Error/403 on HEAD.BUCKET", errRule, row{bucket: "panther-auditlogs", ip: "10.106.38.245", requester: "arn:aws:iam::162777425019:user/awslogsdelivery", op: "REST.HEAD.BUCKET", status: 403, errcode: "AccessDenied"}, ""},
		{"Error/500 on HEAD.BUCKET", errRule, row{bucket: "panther-auditlogs", ip: "10.106.38.245", requester: "arn:aws:iam::162777425019:user/awslogsdelivery", op: "REST.HEAD.BUCKET", status: 500, errcode: "ServiceUnavailable"}, ""},

		{"IPWhitelist/Access From Approved IP", ipRule, row{bucket: "my-test-bucket", ip: "10.0.0.1"}, ""},
		{"IPWhitelist/Access From Unapproved IP", ipRule, row{bucket: "my-test-bucket", ip: "11.0.0.1"}, "Non-Approved IP access to S3 Bucket [my-test-bucket]"},
		{"IPWhitelist/Access From IPv6", ipRule, row{bucket: "my-test-bucket", ip: "2600:1ffe:8140::a47:a85a"}, "Non-Approved IP access to S3 Bucket [my-test-bucket]"},

		{"Insecure/Secure Access", insecure, row{bucket: "cloudtrail", ip: "10.0.0.1", requester: "arn:aws:sts::123456789012:assumed-role/role/x", op: "REST.PUT.OBJECT", key: "k", status: 200, cipher: "ECDHE-RSA-AES128-SHA", auth: "AuthHeader", tls: "TLSv1.2"}, ""},
		{"Insecure/Delete marker by AmazonS3", insecure, row{bucket: "cloudtrail", requester: "AmazonS3", op: "S3.CREATE.DELETEMARKER", key: "k"}, ""},
		{"Insecure/Insecure Access", insecure, row{bucket: "cloudtrail", ip: "10.0.0.1", requester: "arn:aws:sts::123456789012:assumed-role/role/x", op: "REST.PUT.OBJECT", key: "k", status: 200, auth: "AuthHeader"}, "Insecure access to S3 Bucket [cloudtrail]"},

		{"Unauthenticated/Authenticated Access", unauth, row{bucket: "example-bucket", ip: "10.0.0.1", requester: canon, op: "REST.GET.OBJECT", key: "k", status: 200}, ""},
		{"Unauthenticated/Unauthenticated Access", unauth, row{bucket: "example-bucket", ip: "10.0.0.1", op: "REST.GET.OBJECT", key: "k", status: 200}, "Unauthenticated access to S3 Bucket [example-bucket]"},

		{"UnknownRequester/Expected Access", unknown, row{bucket: processed, ip: "127.0.0.1", requester: "arn:aws:sts::123456789012:assumed-role/panther-log-analysis-AthenaApiFunctionRole-1KK31J1/panther-athena-api", op: "REST.GET.OBJECT", key: "k", status: 200}, ""},
		{"UnknownRequester/Unexpected Access", unknown, row{bucket: processed, ip: "127.0.0.1", requester: "arn:aws:iam::123456789012:user/jim-bob", op: "REST.GET.OBJECT", key: "k", status: 200}, "Unknown requester accessing data from S3 Bucket [" + processed + "]"},
		{"UnknownRequester/Failed Request", unknown, row{bucket: processed, ip: "127.0.0.1", op: "REST.GET.OBJECT", key: "k", status: 400, errcode: "AuthorizationHeaderMalformed"}, ""},
		{"UnknownRequester/Snowflake Request", unknown, row{bucket: processed, ip: "127.0.0.1", requester: "arn:aws:sts::123456789012:assumed-role/panther-snowflake-logprocessing-role-us-west-2/snowflake", op: "REST.GET.OBJECT", key: "k", status: 200}, ""},
	}
	if len(tests) != 16 {
		t.Fatalf("%d cases, Panther ships 16", len(tests))
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.ev.at = "2020-06-21 20:35:00"
			alerts := detectRows(t, []row{tt.ev}, tt.rule, one(tt.rule))
			switch {
			case tt.title == "" && len(alerts) != 0:
				t.Errorf("fired %q, want no alert", alerts[0].Title)
			case tt.title != "" && len(alerts) != 1:
				t.Errorf("%d alerts, want 1 titled %q", len(alerts), tt.title)
			case tt.title != "" && alerts[0].Title != tt.title:
				t.Errorf("title %q, want %q", alerts[0].Title, tt.title)
			}
		})
	}
}
