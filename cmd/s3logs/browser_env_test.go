package main

// The browser tests' environment: the demo database plus a hostile line,
// s3logs ui running on it, and a headless chromium tab driven by chromedp,
// with the page's console errors and requests recorded.

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

	"github.com/s3logs/s3logs/queries"
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

func copyFile(t *testing.T, from, to string) {
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o644); err != nil {
		t.Fatal(err)
	}
}
