package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestHostileQueryPack: a pack of .sql files in --queries-dir may not
// write a file, read one, attach a database, install an extension or
// delete rows, through queries run, export --saved or the shell's .run;
// the table is whole afterwards. A file shadowing a built-in is marked in
// queries list and noted at run time.
func TestHostileQueryPack(t *testing.T) {
	dbPath, dir := qcSetup(t, qcLines())
	pack := filepath.Join(dir, "pack")
	os.MkdirAll(pack, 0o755)
	secret := filepath.Join(dir, "secret.txt")
	os.WriteFile(secret, []byte("s3cr3t\n"), 0o600)
	stolen := filepath.Join(dir, "stolen.csv")
	hostile := map[string]string{
		"copy_out":  fmt.Sprintf("COPY aws_s3serveraccess TO '%s'", stolen),
		"read_file": fmt.Sprintf("SELECT content FROM read_text('%s')", secret),
		"scan_file": fmt.Sprintf("SELECT * FROM '%s'", secret),
		"attach":    fmt.Sprintf("ATTACH '%s' AS other", filepath.Join(dir, "other.duckdb")),
		"install":   "INSTALL httpfs",
		"wipe":      "DELETE FROM aws_s3serveraccess",
		"two":       "SELECT 1; DELETE FROM aws_s3serveraccess",
		"cte_wipe":  "WITH x AS (SELECT 1) DELETE FROM aws_s3serveraccess",
	}
	for name, body := range hostile {
		src := fmt.Sprintf("-- name: %s\n-- title: %s\n\n%s\n", name, name, body)
		if err := os.WriteFile(filepath.Join(pack, name+".sql"), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	top := "-- name: top_ips\n-- title: Mine\n\nSELECT 42 AS n\n"
	os.WriteFile(filepath.Join(pack, "top_ips.sql"), []byte(top), 0o644)

	var script strings.Builder
	for name := range hostile {
		if code, out, stderr := qcRun(t, "queries", "run", name, "--db", dbPath, "--queries-dir", pack); code == 0 || strings.Contains(out, "s3cr3t") {
			t.Errorf("queries run %s: exit %d, out %q, err %q; want refused", name, code, out, stderr)
		}
		out := filepath.Join(dir, name+".csv")
		if code, _, stderr := qcRun(t, "export", "--db", dbPath, "--saved", name, "--queries-dir", pack, "--out", out); code == 0 {
			t.Errorf("export --saved %s: exit 0 (%s); want refused", name, stderr)
		}
		if b, err := os.ReadFile(out); err == nil && strings.Contains(string(b), "s3cr3t") {
			t.Errorf("export --saved %s exported the secret", name)
		}
		fmt.Fprintf(&script, ".run %s\n", name)
	}
	code, out, stderr := replCLI(t, script.String(), "--db", dbPath, "--queries-dir", pack)
	if code == 0 || strings.Contains(out, "s3cr3t") {
		t.Errorf("shell .run: exit %d, out %q", code, out)
	}
	if n := strings.Count(stderr, "may only read the database"); n < 6 {
		t.Errorf("shell .run: %d refusals, want at least 6:\n%s", n, stderr)
	}
	if _, err := os.Stat(stolen); err == nil {
		t.Error("COPY TO wrote a file")
	}
	if code, out, stderr := qcRun(t, "query", "--db", dbPath, "--format", "csv", "SELECT count(*) AS n FROM aws_s3serveraccess"); code != 0 || out != fmt.Sprintf("n\n%d\n", len(qcLines())) {
		t.Errorf("rows after the pack: exit %d, %q %s", code, out, stderr)
	}

	code, out, stderr = qcRun(t, "queries", "run", "top_ips", "--db", dbPath, "--queries-dir", pack, "--format", "csv")
	if code != 0 || out != "n\n42\n" || !strings.Contains(stderr, "top_ips is your query from "+filepath.Join(pack, "top_ips.sql")+", which overrides the built-in one") {
		t.Errorf("queries run top_ips (overridden): exit %d, out %q, stderr %q", code, out, stderr)
	}
	code, out, _ = qcRun(t, "queries", "list", "--queries-dir", pack)
	if code != 0 || !strings.Contains(out, "top_ips*") || !strings.Contains(out, "* top_ips: "+filepath.Join(pack, "top_ips.sql")+" overrides the built-in query") {
		t.Errorf("queries list does not mark the override:\n%s", out)
	}
	if _, _, stderr := replCLI(t, ".run top_ips\n", "--db", dbPath, "--queries-dir", pack); !strings.Contains(stderr, "overrides the built-in one") {
		t.Errorf("shell .run top_ips: no note on stderr: %q", stderr)
	}
}
