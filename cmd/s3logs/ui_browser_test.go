package main

// Browser tests of s3logs ui and s3logs report: Debian's chromium, driven
// by chromedp, on the demo data plus a line with a hostile user agent. They
// fail (not skip) without chromium when CI=true; .ci/run installs it.
// S3LOGS_SCREENSHOTS=DIR keeps the screenshots there to look at.

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/s3logs/s3logs/internal/db"
	"github.com/s3logs/s3logs/queries"
	"github.com/s3logs/s3logs/schema"
	"github.com/s3logs/s3logs/ui"
)

// hostileUA runs script if it ever reaches innerHTML (and CSP let it).
const hostileUA = `curl/8.5 <img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>`

// hostileLine is a valid log line whose user agent is hostileUA.
var hostileLine = `79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be hostile-bucket [06/Feb/2019:00:00:38 +0000] 192.0.2.66 arn:aws:iam::123456789012:user/mallory 3E57427F3EXAMPLE REST.GET.OBJECT secret.txt "GET /hostile-bucket/secret.txt HTTP/1.1" 200 - 113 113 7 - "-" "` +
	hostileUA + `" - s9lzHYrFp76ZVxRcpX9+5cjAnEH2ROuNkd2BHfIa6UkFVdtjf5mKR3/eTPFvsiP/XV/VLi31234= SigV4 ECDHE-RSA-AES128-GCM-SHA256 AuthHeader hostile-bucket.s3.amazonaws.com TLSv1.2` + "\n"

// chromium returns the browser to drive, failing under CI when missing.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("chromium is not installed; .ci/run installs it (apt-get install -y chromium)")
	}
	t.Skip("chromium is not installed (apt-get install -y chromium); CI runs this test")
	return ""
}

// syncBuffer is a bytes.Buffer safe for the server goroutine and the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// browserEnv is the database, the running ui and a browser tab.
type browserEnv struct {
	t        *testing.T
	dbPath   string
	url      string // with the token
	base     string
	ctx      context.Context
	shots    string
	mu       sync.Mutex
	problems []string // console errors, exceptions, CSP reports
	requests []string // URLs the page asked for
}

func newBrowserEnv(t *testing.T) *browserEnv {
	exe := chromium(t)
	dir := isolate(t)
	e := &browserEnv{t: t, dbPath: filepath.Join(dir, "demo.duckdb"), shots: os.Getenv("S3LOGS_SCREENSHOTS")}
	if e.shots == "" {
		e.shots = t.TempDir()
	}
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"demo", "--db", e.dbPath}, nil, &out, &errb); code != 0 {
		t.Fatalf("demo: %d %s", code, errb.String())
	}
	logf := filepath.Join(dir, "hostile.log")
	if err := os.WriteFile(logf, []byte(hostileLine), 0o644); err != nil {
		t.Fatal(err)
	}
	if code := run(context.Background(), []string{"load", "--db", e.dbPath, logf}, nil, &out, &errb); code != 0 {
		t.Fatalf("load: %d %s", code, errb.String())
	}
	ctx, cancel := context.WithCancel(context.Background())
	stdout := &syncBuffer{}
	done := make(chan int, 1)
	go func() { done <- run(ctx, []string{"ui", "--db", e.dbPath, "--no-open"}, nil, stdout, &syncBuffer{}) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Error("s3logs ui did not stop")
		}
	})
	re := regexp.MustCompile(`http://[^ \n]+\?token=[0-9a-f]+`)
	for deadline := time.Now().Add(30 * time.Second); e.url == ""; {
		if e.url = re.FindString(stdout.String()); e.url == "" {
			if time.Now().After(deadline) {
				t.Fatalf("s3logs ui printed no URL: %q", stdout.String())
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	e.base = e.url[:strings.Index(e.url, "/?token")]

	actx, acancel := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(exe), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.NoFirstRun, chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1400, 1000))
	bctx, bcancel := chromedp.NewContext(actx)
	t.Cleanup(func() { bcancel(); acancel() })
	// Start the browser on a context without a timeout (chromedp's rule),
	// then listen to the console and the network of the tab.
	if err := chromedp.Do(bctx); err != nil {
		t.Fatal(err)
	}
	tctx, tcancel := context.WithTimeout(bctx, 3*time.Minute)
	t.Cleanup(tcancel)
	go func() {
		for m, err := range chromedp.Console(tctx) {
			if err != nil {
				return
			}
			if m.Type == chromedp.ConsoleError || m.Type == chromedp.ConsoleException || m.Type == "assert" {
				e.mu.Lock()
				e.problems = append(e.problems, fmt.Sprintf("%s (%s)", m, m.URL))
				e.mu.Unlock()
			}
		}
	}()
	if err := chromedp.Listen(tctx, func(ev any) {
		if r, ok := ev.(*network.EventRequestWillBeSent); ok {
			e.mu.Lock()
			e.requests = append(e.requests, r.Request.URL)
			e.mu.Unlock()
		}
	}); err != nil {
		t.Fatal(err)
	}
	e.ctx = tctx
	return e
}

// run runs the steps, each call bounded so that a missing element fails
// the test in seconds rather than at the suite's timeout.
func (e *browserEnv) run(steps ...chromedp.Action[chromedp.Void]) {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(e.ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		e.t.Fatal(err)
	}
}

// eval evaluates a JavaScript expression in the page into out.
func (e *browserEnv) eval(js string, out any) {
	e.t.Helper()
	v, err := chromedp.Run(e.ctx, chromedp.Evaluate[any](js))
	if err != nil {
		e.t.Fatalf("%s: %v", js, err)
	}
	b, err := json.Marshal(v)
	if err == nil {
		err = json.Unmarshal(b, out)
	}
	if err != nil {
		e.t.Fatalf("%s: %v", js, err)
	}
}

// shot saves a screenshot of the window, or of the whole page for the
// overview's.
func (e *browserEnv) shot(name string) {
	e.t.Helper()
	var png []byte
	var err error
	if strings.HasPrefix(name, "overview") {
		png, err = chromedp.Run(e.ctx, chromedp.FullScreenshot(100))
	} else {
		png, err = chromedp.Run(e.ctx, chromedp.CaptureScreenshot())
	}
	if err != nil {
		e.t.Fatal(err)
	}
	if err := os.MkdirAll(e.shots, 0o755); err != nil {
		e.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(e.shots, name+".png"), png, 0o644); err != nil {
		e.t.Fatal(err)
	}
}

func (e *browserEnv) text(sel string) string {
	e.t.Helper()
	e.run(chromedp.WaitVisible(chromedp.CSS(sel)))
	s, err := chromedp.Run(e.ctx, chromedp.TextContent(chromedp.CSS(sel)))
	if err != nil {
		e.t.Fatal(err)
	}
	return s
}

// checkClean fails on any console error, exception or CSP report so far,
// but those that contain one of expected.
func (e *browserEnv) checkClean(page string, expected ...string) {
	e.t.Helper()
	// A null child given to Element.append shows as the text "null".
	var stray bool
	e.eval(`[...document.querySelectorAll('body *')].some(el => [...el.childNodes].some(n => n.nodeType === 3 && n.textContent === 'null'))`, &stray)
	if stray {
		e.t.Errorf("%s: the page shows a stray \"null\"", page)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
next:
	for _, p := range e.problems {
		for _, x := range expected {
			if strings.Contains(p, x) {
				continue next
			}
		}
		e.t.Errorf("%s: %s", page, p)
	}
	e.problems = nil
}

// sqlInt runs a query returning one integer on a read-only connection.
func sqlInt(t *testing.T, d *sql.DB, q string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := d.QueryRow(q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

func group(n int64) string { return strings.TrimSpace(ui.Group(n)) }

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
		e.run(chromedp.Navigate(e.base+"/#/rejects"), chromedp.WaitVisible(chromedp.CSS(`.grid .status[data-state="done"]`)))
		var sum int64
		e.eval(`[...document.querySelector('table.results').tBodies[0].rows].reduce((n, r) => n + Number(r.cells[1].textContent), 0)`, &sum)
		if want := sqlInt(t, d.DB, "SELECT count(*) FROM aws_s3serveraccess_rejects"); sum != want {
			t.Errorf("rejects by reason sum to %d, table has %d", sum, want)
		}
		e.shot("rejects")
		e.run(chromedp.Navigate(e.base+"/#/manifest"), chromedp.WaitVisible(chromedp.CSS(`.grid .status[data-state="done"]`)))
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

func waitText(e *browserEnv, sel, want string) {
	e.t.Helper()
	var got string
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		e.eval(fmt.Sprintf(`document.querySelector(%q)?.textContent ?? ''`, sel), &got)
		if got == want {
			return
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("%s = %q, want %q", sel, got, want)
		}
	}
}

func waitPrefix(e *browserEnv, sel, want string) {
	e.t.Helper()
	var got string
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		e.eval(fmt.Sprintf(`document.querySelector(%q)?.textContent ?? ''`, sel), &got)
		if strings.HasPrefix(got, want) {
			return
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("%s = %q, want it to start with %q", sel, got, want)
		}
	}
}

func loadCatalogForTest(t *testing.T) *queries.Catalog {
	c, err := queries.Load()
	if err != nil {
		t.Fatal(err)
	}
	return c
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
	e.checkClean("report in a window")
}

func copyFile(t *testing.T, from, to string) {
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

var _ = db.Memory
