package schema

import (
	"fmt"
	"strings"
)

// AWS's structured delivery of server access logs (since June 2026: to
// CloudWatch Logs as JSON, and from there to S3 as JSON lines or Parquet,
// to Firehose, or to S3 Tables) names the fields in snake_case
// (AWS S3 User Guide, "Log format in CloudWatch Logs", sal-cw-log-format;
// the keys after http_status follow AWS CDK's
// CfnBucketS3ServerAccessLogsRecordFields, lowercased). AWSFields maps
// them to the columns of S3ServerAccess; it is the one place to correct
// should AWS's names differ. The loader reads JSON and Parquet through it,
// the s3_access_logs view and the export's --aws-names are generated from
// it.

// AWSField is one key of AWS's structured record and the column its value
// lands in.
type AWSField struct {
	Key    string // AWS's key, such as "bucket_owner_id"
	Column int    // the column of S3ServerAccess (Col*); ColAdditionalFields for source_region
	// Element is the 1-based position in additionalFields for a key stored
	// there (source_region: 1, where the text format's 27th field lands);
	// 0 for a key with a column of its own.
	Element int
}

// AWSFields is the mapping of AWS's keys to columns, in the order AWS's
// page lists them (after schema_version_id and bucket_arn): bucket_name
// and request_time come before bucket_owner_id there. The loader's fast
// path expects records in this order (others are read too, more slowly).
var AWSFields = []AWSField{
	{Key: "bucket_name", Column: ColBucket},
	{Key: "request_time", Column: ColTime},
	{Key: "bucket_owner_id", Column: ColBucketowner},
	{Key: "remote_ip", Column: ColRemoteip},
	{Key: "requester", Column: ColRequester},
	{Key: "request_id", Column: ColRequestid},
	{Key: "operation", Column: ColOperation},
	{Key: "key_name", Column: ColKey},
	{Key: "request_uri", Column: ColRequesturi},
	{Key: "http_status", Column: ColHttpstatus},
	{Key: "error_code", Column: ColErrorcode},
	{Key: "bytes_sent_size", Column: ColBytessent},
	{Key: "object_size", Column: ColObjectsize},
	{Key: "total_duration", Column: ColTotaltime},
	{Key: "turn_around_duration", Column: ColTurnaroundtime},
	{Key: "referer", Column: ColReferrer},
	{Key: "user_agent", Column: ColUseragent},
	{Key: "version_id", Column: ColVersionid},
	{Key: "host_id", Column: ColHostid},
	{Key: "signature_version", Column: ColSignatureversion},
	{Key: "cipher_suite", Column: ColCiphersuite},
	{Key: "authentication_type", Column: ColAuthenticationtype},
	{Key: "host_header", Column: ColHostheader},
	{Key: "tls_version", Column: ColTLSVersion},
	{Key: "access_point_arn", Column: ColAccesspointarn},
	{Key: "acl_required", Column: ColAclrequired},
	{Key: "source_region", Column: ColAdditionalFields, Element: 1},
}

// The keys of AWS's record that have no column: kept, when they say
// something the row does not, in additionalFields as "key=value" after
// source_region (see the loader's package doc and the README).
const (
	// AWSBucketARN is the ARN of the source bucket. It is implied by the
	// bucket (arn:aws:s3:::bucket, AWSBucketARNPrefix) and stored only when
	// it is another.
	AWSBucketARN = "bucket_arn"
	// AWSSchemaVersion is the version of AWS's record schema. The version
	// the mapping is written for (AWSSchemaVersionKnown) is implied; another
	// is stored.
	AWSSchemaVersion = "schema_version_id"
	// AWSSchemaVersionKnown is the version of AWS's record AWSFields maps.
	AWSSchemaVersionKnown = "V_1_0"
	// AWSBucketARNPrefix makes the ARN of a bucket in the aws partition
	// from its name.
	AWSBucketARNPrefix = "arn:aws:s3:::"
)

// AWSFieldOf returns the mapping of AWS's key, ok false when the key has no
// column.
func AWSFieldOf(key string) (f AWSField, ok bool) {
	for _, f := range AWSFields {
		if f.Key == key {
			return f, true
		}
	}
	return AWSField{}, false
}

// AWSViewName is the view of S3ServerAccess with AWS's names, so that SQL
// written for AWS's JSON schema (CloudWatch Logs Insights' fields, the S3
// Tables integration's columns) runs unchanged.
const AWSViewName = "s3_access_logs"

// AWSSelectList returns the select list that renames S3ServerAccess's
// columns to AWS's keys, in AWS's order (schema_version_id and bucket_arn
// first, as AWS lists them), from a relation whose columns have Panther's
// names. Panther's p_ columns follow under their own names, so a row can
// still be traced to its source.
func AWSSelectList() string {
	var b strings.Builder
	extra := func(key string) string {
		return fmt.Sprintf(`list_extract(list_transform(list_filter(%[1]s[2:], lambda x: starts_with(x, '%[2]s=')), lambda x: substr(x, %[3]d)), 1)`,
			Quote("additionalFields"), key, len(key)+2)
	}
	fmt.Fprintf(&b, "coalesce(%s, %s) AS %s,\n", extra(AWSSchemaVersion), Literal(AWSSchemaVersionKnown), AWSSchemaVersion)
	fmt.Fprintf(&b, "coalesce(%s, %s || %s) AS %s", extra(AWSBucketARN), Literal(AWSBucketARNPrefix), Quote("bucket"), AWSBucketARN)
	for _, f := range AWSFields {
		col := Quote(S3ServerAccess.Columns[f.Column].Name)
		if f.Element > 0 {
			// "-" is how a text line (and a JSON record with later keys
			// but no source_region) fills the position: NULL.
			col = fmt.Sprintf("nullif(%s[%d], '-')", col, f.Element)
		}
		fmt.Fprintf(&b, ",\n%s AS %s", col, f.Key)
	}
	b.WriteString(",\n" + Quote("additionalFields") + " AS additional_fields")
	for _, c := range S3ServerAccess.Columns[ColPLogType:] {
		b.WriteString(",\n" + Quote(c.Name))
	}
	return b.String()
}

// AWSViewSQL returns the statement that creates (or replaces) the view
// AWSViewName over the table S3ServerAccess in schema sch of catalog db
// (db may be empty for the current one).
func AWSViewSQL(db, sch string) string {
	from := Quote(sch) + "." + Quote(TableName)
	if db != "" {
		from = Quote(db) + "." + from
	}
	return fmt.Sprintf("CREATE OR REPLACE VIEW %s AS SELECT\n%s\nFROM %s", Quote(AWSViewName), AWSSelectList(), from)
}

// AWSTable returns the columns of the view AWSViewName (and of a lake
// exported with AWS's names), in the order of AWSSelectList: the kept keys,
// AWS's keys with their columns' types, additional_fields, then Panther's
// p_ columns.
func AWSTable() *Table {
	t := &Table{Name: AWSViewName, Description: "aws_s3serveraccess with the names of AWS's JSON server access log records (bucket_name, request_time, http_status...)."}
	t.Columns = append(t.Columns,
		Column{Name: AWSSchemaVersion, Type: String, Description: "The version of AWS's record schema (V_1_0 unless a record said otherwise)."},
		Column{Name: AWSBucketARN, Type: String, Description: "The ARN of the source bucket."})
	for _, f := range AWSFields {
		c := S3ServerAccess.Columns[f.Column]
		if f.Element > 0 {
			c = Column{Type: String, Description: "The Region of the source bucket (additionalFields[1])."}
		}
		c.Name, c.Required = f.Key, false
		t.Columns = append(t.Columns, c)
	}
	add := S3ServerAccess.Columns[ColAdditionalFields]
	add.Name = "additional_fields"
	t.Columns = append(t.Columns, add)
	t.Columns = append(t.Columns, S3ServerAccess.Columns[ColPLogType:]...)
	return t
}
