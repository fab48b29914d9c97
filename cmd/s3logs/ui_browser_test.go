package main

// Browser tests of s3logs ui and s3logs report: Debian's chromium, driven
// by chromedp, on the demo data plus a line with a hostile user agent. They
// fail (not skip) without chromium when CI=true; .ci/run installs it.
// S3LOGS_SCREENSHOTS=DIR keeps the screenshots there to look at.

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/s3logs/s3logs/queries"
	"github.com/s3logs/s3logs/schema"
	"github.com/s3logs/s3logs/ui"
)

func TestUIBrowser(t *testing.T) {
	e := newBrowserEnv(t)
	// The ui holds the file read-only; the test reads it read-only too.
	d, err := ui.Open(context.Background(), e.dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()

	t.Run("overview", func(t *testing.T) {
		e.t = t
		e.run(chromedp.Navigate(e.url), chromedp.WaitVisible(chromedp.CSS(`section[data-top="bucket"] td.v`)))
		var loc string
		e.eval(`location.href`, &loc)
		if strings.Contains(loc, "token") {
			t.Errorf("the token stayed in the address bar: %s", loc)
		}
		checks := map[string]string{
			"requests":   "SELECT count(*) FROM aws_s3serveraccess",
			"errors":     "SELECT count(*) FROM aws_s3serveraccess WHERE httpstatus >= 400",
			"buckets":    "SELECT count(DISTINCT bucket) FROM aws_s3serveraccess",
			"requesters": "SELECT count(DISTINCT requester) FROM aws_s3serveraccess",
			"ips":        "SELECT count(DISTINCT remoteip) FROM aws_s3serveraccess",
			"rejects":    "SELECT count(*) FROM aws_s3serveraccess_rejects",
		}
		for key, q := range checks {
			if got, want := e.text(`[data-total="`+key+`"]`), group(sqlInt(t, d.DB, q)); got != want {
				t.Errorf("overview %s = %q, SQL says %q", key, got, want)
			}
		}
		for _, col := range []string{"bucket", "operation", "requester", "remoteip", "useragent"} {
			var top []string
			e.eval(fmt.Sprintf(`[...document.querySelectorAll('section[data-top=%q] tr')].slice(0, 3).map(r => r.cells[0].textContent + '=' + r.cells[1].dataset.n)`, col), &top)
			rows, err := d.Query(fmt.Sprintf(`SELECT coalesce(%s::VARCHAR, '(none)') || '=' || count(*) FROM aws_s3serveraccess GROUP BY %[1]s ORDER BY count(*) DESC, %[1]s NULLS LAST LIMIT 3`, col))
			if err != nil {
				t.Fatal(err)
			}
			var want []string
			for rows.Next() {
				var s string
				rows.Scan(&s)
				want = append(want, s)
			}
			rows.Close()
			if strings.Join(top, "\n") != strings.Join(want, "\n") {
				t.Errorf("top %s on the page:\n%s\nSQL:\n%s", col, strings.Join(top, "\n"), strings.Join(want, "\n"))
			}
		}
		e.shot("overview")
		e.checkClean("overview")
	})

	t.Run("filter and brush", func(t *testing.T) {
		e.t = t
		// Drag across the chart: every panel narrows to the brushed window.
		var box []float64
		e.eval(`(() => { const r = document.querySelector('svg.timechart').getBoundingClientRect(); return [r.left, r.top, r.width, r.height]; })()`, &box)
		y := box[1] + box[3]/2
		// The last 3% of the demo's years: its generated week.
		x0, x1 := box[0]+box[2]*0.97, box[0]+box[2]*0.999
		e.run(chromedp.MouseEvent(chromedp.MousePressed, x0, y, chromedp.ButtonLeft, chromedp.ClickCount(1)),
			chromedp.MouseEvent(chromedp.MouseMoved, (x0+x1)/2, y, chromedp.ButtonLeft),
			chromedp.MouseEvent(chromedp.MouseMoved, x1, y, chromedp.ButtonLeft),
			chromedp.MouseEvent(chromedp.MouseReleased, x1, y, chromedp.ButtonLeft, chromedp.ClickCount(1)))
		var hash string
		for deadline := time.Now().Add(10 * time.Second); !strings.Contains(hash, "since="); time.Sleep(50 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("the brush did not set a window: %s", hash)
			}
			e.eval(`location.hash`, &hash)
		}
		var since, until string
		e.eval(`new URLSearchParams(location.hash.split('?')[1]).get('since')`, &since)
		e.eval(`new URLSearchParams(location.hash.split('?')[1]).get('until')`, &until)
		want := group(sqlInt(t, d.DB, "SELECT count(*) FROM aws_s3serveraccess WHERE p_event_time >= ?::TIMESTAMPTZ AND p_event_time < ?::TIMESTAMPTZ", since, until))
		waitText(e, `[data-total="requests"]`, want)
		e.shot("overview-window")
		// Click the top bucket: every panel narrows to it, in the window.
		var bucket string
		e.eval(`document.querySelector('section[data-top="bucket"] td.v a').textContent`, &bucket)
		e.run(chromedp.Click(chromedp.CSS(`section[data-top="bucket"] td.v a`)), chromedp.WaitVisible(chromedp.CSS(`.chip`)))
		want = group(sqlInt(t, d.DB, "SELECT count(*) FROM aws_s3serveraccess WHERE bucket = ? AND p_event_time >= ?::TIMESTAMPTZ AND p_event_time < ?::TIMESTAMPTZ", bucket, since, until))
		waitText(e, `[data-total="requests"]`, want)
		e.shot("overview-filtered")
		e.checkClean("filter and brush")
	})

	t.Run("hostile user agent is text", func(t *testing.T) {
		e.t = t
		e.run(chromedp.Navigate(e.base+"/#/overview?remoteip=192.0.2.66"), chromedp.WaitVisible(chromedp.CSS(`section[data-top="useragent"] td.v a`)))
		if got := e.text(`section[data-top="useragent"] td.v a`); got != hostileUA {
			t.Errorf("user agent shown as %q, want the text %q", got, hostileUA)
		}
		var imgs, scripts int
		var pwned any
		e.eval(`document.querySelectorAll('#view img').length`, &imgs)
		e.eval(`document.querySelectorAll('#view script').length`, &scripts)
		e.eval(`window.__pwned ?? null`, &pwned)
		if imgs != 0 || scripts != 0 || pwned != nil {
			t.Errorf("the user agent became markup: %d img, %d script, __pwned=%v", imgs, scripts, pwned)
		}
		e.shot("hostile")
		e.checkClean("hostile")
	})

	t.Run("sql", func(t *testing.T) {
		e.t = t
		e.run(chromedp.Navigate(e.base+"/#/sql"), chromedp.WaitVisible(chromedp.CSS(`.cm-content`)))
		// Completion offers the columns with the schema's descriptions.
		e.run(chromedp.Click(chromedp.CSS(`.cm-content`)), chromedp.KeyEvent("a", chromedp.KeyModifiers(chromedp.ModifierCtrl)), chromedp.KeyEvent("\b"),
			chromedp.SendKeys(chromedp.CSS(`.cm-content`), "SELECT remot"))
		e.run(chromedp.WaitVisible(chromedp.CSS(`.cm-tooltip-autocomplete`)))
		if opts := e.text(`.cm-tooltip-autocomplete`); !strings.Contains(opts, "remoteip") {
			t.Errorf("completion of 'remot' offers %q", opts)
		}
		col, _ := schema.S3ServerAccess.Column("remoteip")
		e.run(chromedp.WaitVisible(chromedp.CSS(`.cm-completionInfo`)))
		if info := e.text(`.cm-completionInfo`); info != col.Description {
			t.Errorf("completion info %q, want the schema's description %q", info, col.Description)
		}
		e.run(chromedp.KeyEvent("\x1b"), chromedp.KeyEvent("a", chromedp.KeyModifiers(chromedp.ModifierCtrl)), chromedp.KeyEvent("\b"),
			chromedp.SendKeys(chromedp.CSS(`.cm-content`), "SELECT remoteip, count(*) AS n FROM aws_s3serveraccess WHERE remoteip IS NOT NULL GROUP BY ALL ORDER BY n DESC, remoteip LIMIT 5"),
			chromedp.KeyEvent("\x1b"),
			chromedp.KeyEvent("\r", chromedp.KeyModifiers(chromedp.ModifierCtrl)),
			chromedp.WaitVisible(chromedp.CSS(`.grid .status[data-state="done"]`)))
		var cells []string
		e.eval(`[...document.querySelectorAll('table.results tbody tr')].map(r => r.cells[0].textContent + '=' + r.cells[1].textContent)`, &cells)
		var want []string
		rows, err := d.Query("SELECT remoteip || '=' || count(*) FROM aws_s3serveraccess WHERE remoteip IS NOT NULL GROUP BY remoteip ORDER BY count(*) DESC, remoteip LIMIT 5")
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var s string
			rows.Scan(&s)
			want = append(want, s)
		}
		rows.Close()
		if strings.Join(cells, "\n") != strings.Join(want, "\n") {
			t.Errorf("grid:\n%s\nSQL:\n%s", strings.Join(cells, "\n"), strings.Join(want, "\n"))
		}
		// A quick chart of the result, and the history kept in the browser.
		e.run(chromedp.Click(chromedp.CSS(`.gridbar button:nth-of-type(3)`)), chromedp.WaitVisible(chromedp.CSS(`.chartbox svg.chart`)))
		var bars int
		e.eval(`document.querySelectorAll('.chartbox svg.chart rect.bar').length`, &bars)
		if bars != 5 {
			t.Errorf("chart of 5 rows has %d bars", bars)
		}
		var hist []string
		e.eval(`JSON.parse(localStorage.getItem('s3logs.history') || '[]')`, &hist)
		if len(hist) == 0 || !strings.HasPrefix(hist[0], "SELECT remoteip, count(*)") {
			t.Errorf("history %q", hist)
		}
		// Cancel a query that would run for minutes.
		e.run(chromedp.Click(chromedp.CSS(`.cm-content`)), chromedp.KeyEvent("a", chromedp.KeyModifiers(chromedp.ModifierCtrl)), chromedp.KeyEvent("\b"),
			chromedp.SendKeys(chromedp.CSS(`.cm-content`), "SELECT count(*) FROM range(100000000000) t(x) WHERE x % 7 = 3"), chromedp.KeyEvent("\x1b"),
			chromedp.Click(chromedp.CSS(`button.run`)), chromedp.WaitVisible(chromedp.CSS(`.grid button.cancel`)))
		start := time.Now()
		e.run(chromedp.Click(chromedp.CSS(`.grid button.cancel`)))
		waitText(e, `.grid pre.error`, "Cancelled.")
		if time.Since(start) > 10*time.Second {
			t.Errorf("cancel took %v", time.Since(start))
		}
		// A query that reads a file is refused with DuckDB's message.
		e.run(chromedp.Click(chromedp.CSS(`.cm-content`)), chromedp.KeyEvent("a", chromedp.KeyModifiers(chromedp.ModifierCtrl)), chromedp.KeyEvent("\b"),
			chromedp.SendKeys(chromedp.CSS(`.cm-content`), "SELECT * FROM read_text('/etc/passwd'"), chromedp.KeyEvent("\x1b"),
			chromedp.Click(chromedp.CSS(`button.run`)), chromedp.WaitVisible(chromedp.CSS(`.grid pre.error`)))
		if msg := e.text(`.grid pre.error`); !strings.Contains(msg, "disabled by configuration") {
			t.Errorf("reading /etc/passwd: %q", msg)
		}
		// Paging through a large result.
		e.run(chromedp.Click(chromedp.CSS(`.cm-content`)), chromedp.KeyEvent("a", chromedp.KeyModifiers(chromedp.ModifierCtrl)), chromedp.KeyEvent("\b"),
			chromedp.SendKeys(chromedp.CSS(`.cm-content`), "SELECT p_row_id, useragent FROM aws_s3serveraccess ORDER BY p_row_id"), chromedp.KeyEvent("\x1b"),
			chromedp.Click(chromedp.CSS(`button.run`)), chromedp.WaitVisible(chromedp.CSS(`.grid .status[data-state="done"]`)))
		if s := e.text(`.grid .status`); !strings.HasPrefix(s, "Rows 1–100 of 100+ rows") {
			t.Errorf("first page status %q", s)
		}
		e.run(chromedp.Click(chromedp.CSS(`.grid button.next`)))
		waitPrefix(e, `.grid .status`, "Rows 101–200 of 200+ rows")
		e.shot("sql")
		// The refused query is an HTTP 422 with DuckDB's message.
		e.checkClean("sql", "status of 422 (Unprocessable Entity) (http://127.0.0.1:")
	})

	t.Run("saved query form", func(t *testing.T) {
		e.t = t
		e.run(chromedp.Navigate(e.base+"/#/saved?name=top_ips"), chromedp.WaitVisible(chromedp.CSS(`form.qform input[name="limit"]`)),
			chromedp.SendKeys(chromedp.CSS(`form.qform input[name="limit"]`), "3"),
			chromedp.Click(chromedp.CSS(`form.qform button[type="submit"]`)),
			chromedp.WaitVisible(chromedp.CSS(`.grid .status[data-state="done"]`)))
		var got []string
		e.eval(`[...document.querySelectorAll('table.results tbody tr')].map(r => r.cells[0].textContent + '=' + r.cells[1].textContent)`, &got)
		q, _ := loadCatalogForTest(t).Get("top_ips")
		text, args, err := q.Bind(map[string]string{"limit": "3"})
		if err != nil {
			t.Fatal(err)
		}
		rows, err := d.Query(text, args...)
		if err != nil {
			t.Fatal(err)
		}
		var want []string
		for rows.Next() {
			cols, _ := rows.Columns()
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			rows.Scan(ptrs...)
			want = append(want, fmt.Sprintf("%v=%v", vals[0], vals[1]))
		}
		rows.Close()
		if len(got) != 3 || strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("top_ips limit=3 on the page:\n%s\nSQL:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		e.shot("saved")
		e.checkClean("saved")
	})

	t.Run("detections", func(t *testing.T) {
		e.t = t
		alerts, err := queries.Detect(context.Background(), d.DB, queries.Options{})
		if err != nil {
			t.Fatal(err)
		}
		e.run(chromedp.Navigate(e.base+"/#/detections"), chromedp.WaitVisible(chromedp.CSS(`.alert`)))
		perRule := map[string]int{}
		for _, a := range alerts {
			perRule[a.RuleID]++
		}
		var shown map[string]int
		e.eval(`Object.fromEntries([...document.querySelectorAll('table.rules tbody tr')].map(r => [r.cells[1].querySelector('small').textContent, Number(r.cells[2].dataset.alerts)]))`, &shown)
		if fmt.Sprint(shown) != fmt.Sprint(perRule) {
			t.Errorf("alerts per rule on the page %v, detect finds %v", shown, perRule)
		}
		var n int
		e.eval(`document.querySelectorAll('.alert').length`, &n)
		if n != min(len(alerts), ui.PageAlerts) {
			t.Errorf("%d alerts on the page, want %d of %d", n, min(len(alerts), ui.PageAlerts), len(alerts))
		}
		// The first alert's events open in the grid.
		var count int
		e.eval(`Number(document.querySelector('.alert button.events').textContent.replace(/[^0-9]/g, ''))`, &count)
		e.run(chromedp.Click(chromedp.CSS(`.alert button.events`)), chromedp.WaitVisible(chromedp.CSS(`.grid .status[data-state="done"]`)))
		if count <= 100 {
			if s := e.text(`.grid .status`); !strings.HasPrefix(s, fmt.Sprintf("Rows 1–%d of %d rows", count, count)) {
				t.Errorf("events of the first alert: %q, want %d rows", s, count)
			}
		}
		e.shot("detections")
		e.checkClean("detections")
	})

	t.Run("rejects and manifest", func(t *testing.T) {
		e.t = t
		// The route changes in the page, without a load: wait for this
		// page's own table, not the previous page's finished grid.
		e.run(chromedp.Navigate(e.base+"/#/rejects"), chromedp.Poll[chromedp.Void](doneTable("reason")))
		var sum int64
		e.eval(`[...document.querySelector('table.results').tBodies[0].rows].reduce((n, r) => n + Number(r.cells[1].textContent), 0)`, &sum)
		if want := sqlInt(t, d.DB, "SELECT count(*) FROM aws_s3serveraccess_rejects"); sum != want {
			t.Errorf("rejects by reason sum to %d, table has %d", sum, want)
		}
		e.shot("rejects")
		e.run(chromedp.Navigate(e.base+"/#/manifest"), chromedp.Poll[chromedp.Void](doneTable("name")))
		var rows int64
		e.eval(`document.querySelector('table.results').tBodies[0].rows.length`, &rows)
		if want := sqlInt(t, d.DB, "SELECT count(*) FROM s3logs_manifest"); rows != want {
			t.Errorf("manifest shows %d sources, table has %d", rows, want)
		}
		e.shot("manifest")
		e.checkClean("rejects and manifest")
	})

	t.Run("no token", func(t *testing.T) {
		e.t = t
		// A fresh browser context has no cookie: the app is refused.
		ctx, cancel := chromedp.NewContext(e.ctx, chromedp.WithNewBrowserContext())
		defer cancel()
		if err := chromedp.Do(ctx, chromedp.Navigate(e.base+"/")); err != nil {
			t.Fatal(err)
		}
		body, err := chromedp.Run(ctx, chromedp.TextContent(chromedp.CSS("body")))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(body, "token") {
			t.Errorf("without the token the page says %q", body)
		}
	})
}

// TestReportBrowser opens the report from disk: it renders, makes no
// request but for itself, and shows the hostile user agent as text.
func TestReportBrowser(t *testing.T) {
	e := newBrowserEnv(t)
	out := filepath.Join(t.TempDir(), "case.html")
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), []string{"report", "--db", e.dbPath + "x", "--out", out}, nil, &stdout, &stderr); code != 1 {
		t.Errorf("report on a missing database: exit %d", code)
	}
	// The ui holds the database read-only; the report opens it read-write,
	// so it needs its own copy.
	cp := filepath.Join(t.TempDir(), "copy.duckdb")
	copyFile(t, e.dbPath, cp)
	if code := run(context.Background(), []string{"report", "--db", cp, "--out", out, "--title", "Case 42 <script>"}, nil, &stdout, &stderr); code != 0 {
		t.Fatalf("report: exit %d: %s", code, stderr.String())
	}
	e.mu.Lock()
	e.requests = nil
	e.mu.Unlock()
	e.run(chromedp.Navigate("file://"+out), chromedp.WaitVisible(chromedp.CSS(`h1`)))
	if h1 := e.text("h1"); h1 != "Case 42 <script>" {
		t.Errorf("title %q", h1)
	}
	var imgs int
	e.eval(`document.querySelectorAll('img, script').length`, &imgs)
	if imgs != 0 {
		t.Errorf("the report has %d img or script elements", imgs)
	}
	e.shot("report")
	e.mu.Lock()
	for _, u := range e.requests {
		if u != "file://"+out {
			t.Errorf("the report requested %s", u)
		}
	}
	e.mu.Unlock()
	e.checkClean("report")

	// In a window around the hostile line, its user agent makes the top
	// table and an alert's samples, as text.
	if code := run(context.Background(), []string{"report", "--db", cp, "--out", out, "--since", "2019-02-06T00:00:00Z", "--until", "2019-02-06T00:01:00Z"}, nil, &stdout, &stderr); code != 0 {
		t.Fatalf("report: exit %d: %s", code, stderr.String())
	}
	e.run(chromedp.Navigate("file://"+out), chromedp.WaitVisible(chromedp.CSS(`h1`)))
	var hostile int
	e.eval(fmt.Sprintf(`[...document.querySelectorAll('td')].filter(td => td.textContent === %q).length`, hostileUA), &hostile)
	e.eval(`document.querySelectorAll('img, script').length`, &imgs)
	var pwned any
	e.eval(`window.__pwned ?? null`, &pwned)
	if hostile < 2 || imgs != 0 || pwned != nil {
		t.Errorf("hostile user agent: %d cells show it as text (want the top table and the alert's sample), %d img or script elements, __pwned=%v", hostile, imgs, pwned)
	}
	e.shot("report-window")
	// Printable: Chromium prints it to PDF with the print styles.
	pdf, err := chromedp.Run(e.ctx, chromedp.PrintToPDF(chromedp.PDFPrintBackground()))
	if err != nil || !bytes.HasPrefix(pdf, []byte("%PDF")) || len(pdf) < 10000 {
		t.Errorf("print to PDF: %v, %d bytes", err, len(pdf))
	}
	if err := os.WriteFile(filepath.Join(e.shots, "report.pdf"), pdf, 0o644); err != nil {
		t.Error(err)
	}
	e.checkClean("report in a window")
}

// doneTable is a page expression, true once the page's grid is done and its
// results table's first column is named first.
func doneTable(first string) string {
	return fmt.Sprintf(`(() => {
		const st = document.querySelector('.grid .status[data-state="done"]');
		const t = document.querySelector('table.results');
		return !!(st && t && t.tHead && t.tHead.rows.length && t.tHead.rows[0].cells[0].textContent.trim() === %q);
	})()`, first)
}
