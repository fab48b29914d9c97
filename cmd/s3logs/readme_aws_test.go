package main

import (
	"os"
	"reflect"
	"testing"

	"github.com/s3logs/s3logs/schema"
)

// TestReadmeAWSFields holds the README's table of AWS's keys to
// schema.AWSFields, the mapping the loader uses.
func TestReadmeAWSFields(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, f := range schema.AWSFields {
		want = append(want, f.Key)
	}
	if got := readmeTable(t, string(b), "| AWS key | column |"); !reflect.DeepEqual(got, want) {
		t.Errorf("%s", listDiff(got, want))
	}
}
