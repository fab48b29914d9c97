package ui

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

// TestNoHTMLSinks holds the front end to building its DOM from text: no
// source file nor the bundle (CodeMirror included) writes markup from a
// string, so a log value can never be parsed as HTML.
func TestNoHTMLSinks(t *testing.T) {
	sinks := regexp.MustCompile(`innerHTML|outerHTML|insertAdjacentHTML|document\.write|createContextualFragment|\beval\(|new Function\(`)
	files, _ := filepath.Glob("web/src/*.js")
	files = append(files, "assets/app.js")
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		code := regexp.MustCompile(`(?m)^\s*//.*$`).ReplaceAll(b, nil) // comments may name the sinks
		if m := sinks.Find(code); m != nil {
			t.Errorf("%s uses %s", f, m)
		}
	}
	if len(files) < 8 {
		t.Errorf("found only %v", files)
	}
	index, err := os.ReadFile("assets/index.html")
	if err != nil {
		t.Fatal(err)
	}
	if regexp.MustCompile(`<script(?:\s[^>]*)?>[^<]`).Match(index) || regexp.MustCompile(`\son\w+=`).Match(index) {
		t.Errorf("index.html has inline script, which the CSP forbids")
	}
}
