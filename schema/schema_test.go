package schema

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestMatchesPantherDoc checks the declaration against Panther's published
// schema (a copy of ../shared/spec/panther-s3-doc.txt): same names, same
// order, same types, same descriptions, same required flags.
func TestMatchesPantherDoc(t *testing.T) {
	raw, err := os.ReadFile("testdata/panther-s3-doc.txt")
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`(?m)^  - name: (\S+)\n(    required: true\n)?    description: (.*)\n    type: (\S+)`)
	ms := re.FindAllStringSubmatch(string(raw), -1)
	if len(ms) != NumLogFields+1 {
		t.Fatalf("doc has %d columns, want %d", len(ms), NumLogFields+1)
	}
	types := map[string]Type{"string": String, "timestamp": Timestamp, "bigint": BigInt, "array": StringList}
	for i, m := range ms {
		c := S3ServerAccess.Columns[i]
		desc := strings.Trim(m[3], `"`)
		if c.Name != m[1] || c.Type != types[m[4]] || c.Description != desc || c.Required != (m[2] != "") {
			t.Errorf("column %d = %+v, want name %q type %s required %v desc %q", i, c, m[1], m[4], m[2] != "", desc)
		}
	}
}

func TestIndexConstants(t *testing.T) {
	for name, want := range map[string]int{
		"bucketowner": ColBucketowner, "time": ColTime, "httpstatus": ColHttpstatus,
		"tlsVersion": ColTLSVersion, "aclrequired": ColAclrequired, "additionalFields": ColAdditionalFields,
		"p_log_type": ColPLogType, "p_row_id": ColPRowID, "p_event_time": ColPEventTime,
		"p_any_aws_account_ids": ColPAnyAWSAccountIDs,
	} {
		if got := S3ServerAccess.Index(name); got != want {
			t.Errorf("Index(%q) = %d, want %d", name, got, want)
		}
	}
	if n := len(S3ServerAccess.Columns); n != ColPAnyAWSAccountIDs+1 {
		t.Errorf("%d columns, want %d", n, ColPAnyAWSAccountIDs+1)
	}
	for name, want := range map[string]int{"source": RejSource, "raw": RejRaw, "loaded_at": RejLoadedAt} {
		if got := Rejects.Index(name); got != want {
			t.Errorf("Rejects.Index(%q) = %d, want %d", name, got, want)
		}
	}
}
