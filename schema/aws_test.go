package schema

import (
	"regexp"
	"testing"
)

// TestAWSFields holds the mapping to its shape: snake_case keys, each
// once; every log column but additionalFields mapped exactly once, and
// source_region to additionalFields[1].
func TestAWSFields(t *testing.T) {
	snake := regexp.MustCompile(`^[a-z]+(_[a-z]+)*$`)
	keys, cols := map[string]bool{}, map[int]int{}
	for _, f := range AWSFields {
		if !snake.MatchString(f.Key) || keys[f.Key] {
			t.Errorf("key %q is not snake_case or is listed twice", f.Key)
		}
		keys[f.Key] = true
		cols[f.Column]++
		if (f.Element > 0) != (f.Column == ColAdditionalFields) {
			t.Errorf("%s: element %d of column %d", f.Key, f.Element, f.Column)
		}
	}
	for c := range NumLogFields {
		if cols[c] != 1 {
			t.Errorf("column %s mapped %d times", S3ServerAccess.Columns[c].Name, cols[c])
		}
	}
	if f, ok := AWSFieldOf("source_region"); !ok || f.Column != ColAdditionalFields || f.Element != 1 {
		t.Errorf("source_region = %+v, %v", f, ok)
	}
	if keys[AWSBucketARN] || keys[AWSSchemaVersion] {
		t.Error("bucket_arn and schema_version_id have no column of their own")
	}
	if n := len(AWSTable().Columns); n != 2+len(AWSFields)+1+len(S3ServerAccess.Columns)-ColPLogType {
		t.Errorf("AWSTable has %d columns", n)
	}
}
