package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os/exec"
	"runtime"
	"time"

	"github.com/s3logs/s3logs/internal/db"
	"github.com/s3logs/s3logs/loader/ingest"
	"github.com/s3logs/s3logs/queries"
	"github.com/s3logs/s3logs/ui"
)

func init() {
	register(&command{
		Name:    "ui",
		Usage:   "ui [--db PATH] [--addr HOST:PORT] [--no-open] [--queries-dir DIR] [--config FILE] [SOURCE...]",
		Summary: "Serve the local web Data Explorer: overview, SQL editor, saved queries, detections",
		Help: `Loads any SOURCE first (as s3logs load does), then serves a web app on
127.0.0.1 (a random free port unless --addr says otherwise) and prints its URL
with a random token; on a terminal it opens the browser. The pages: an
overview with a brushable time chart and top lists that filter each other, a
SQL editor with completion and a paged, sortable result grid (cancel, quick
chart, history, export as Parquet, CSV or JSON), the saved queries as forms,
the detections' alerts with links to their events, the rejected lines and
the manifest of what was loaded.

Every request needs the token (a cookie after the first visit); requests
naming another host or coming from another site are refused. The page's SQL
runs on the database opened read-only with DuckDB's external access off: it
cannot read or write local files, attach databases or load extensions. An
--addr off loopback exposes the app to the network: s3logs warns about it.
Ctrl-C stops the server.`,
		Examples: []string{
			"s3logs ui",
			"s3logs ui --db cases/incident-42.duckdb ./logs/",
			"s3logs ui --addr 127.0.0.1:8080 --no-open",
		},
		Run: runUI,
	})
}

func runUI(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet("ui")
	dbPath := dbFlag(fs)
	addr := fs.String("addr", "127.0.0.1:0", "listen on `HOST:PORT` (port 0: a free one)")
	noOpen := fs.Bool("no-open", false, "do not open the browser")
	queriesDir := fs.String("queries-dir", "", "folder of your own saved queries (`DIR`)")
	config := fs.String("config", "", "detect's JSON settings `FILE` for the Detections page")
	if err := env.Parse(fs, args); err != nil {
		return err
	}
	if *dbPath == db.Memory || *dbPath == "" {
		return usagef("--db: the explorer opens a database file read-only; load into one first (s3logs load --db FILE ...)")
	}
	catalog, err := loadCatalog(*queriesDir)
	if err != nil {
		return err
	}
	dopts := queries.Options{}
	if *config != "" {
		if dopts.Config, err = queries.LoadConfig(*config); err != nil {
			return err
		}
	}
	if err := env.loadBeforeUI(ctx, *dbPath, fs.Args()); err != nil {
		return err
	}
	d, err := ui.Open(ctx, *dbPath)
	if errors.Is(err, ui.ErrNoFile) {
		return fmt.Errorf("no database %s: load logs first with 's3logs load --db %s SOURCE...', or try 's3logs demo --db %s'", *dbPath, *dbPath, *dbPath)
	}
	if err != nil {
		return err
	}
	defer d.Close()
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", *addr, err)
	}
	if host, _, _ := net.SplitHostPort(*addr); !isLoopback(host) {
		fmt.Fprintf(env.Stderr, "s3logs: warning: %s is not a loopback address: anyone who can reach it and has the token can query these logs\n", *addr)
	}
	srv, err := ui.New(d, ui.Options{Addr: ln.Addr().String(), Catalog: catalog, Detect: dopts})
	if err != nil {
		ln.Close()
		return err
	}
	defer srv.Close()
	url := fmt.Sprintf("http://%s/?token=%s", ln.Addr(), srv.Token())
	fmt.Fprintf(env.Stdout, "s3logs ui: serving %s on %s\nOpen %s\nCtrl-C stops it.\n", *dbPath, ln.Addr(), url)
	if !*noOpen && env.IsTerminal(env.Stdout) {
		openBrowser(url)
	}
	return serve(ctx, ln, srv)
}

// serve serves h on ln until ctx is done, then shuts down.
func serve(ctx context.Context, ln net.Listener, h http.Handler) error {
	hs := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		hs.Shutdown(sctx)
		return nil
	}
}

// loadBeforeUI loads the SOURCE arguments into the database with a normal
// (writable) open, closed before the explorer opens it read-only. Lines
// only rejected are reported and the explorer still starts.
func (env *Env) loadBeforeUI(ctx context.Context, path string, srcs []string) error {
	if len(srcs) == 0 {
		return nil
	}
	d, err := env.OpenDB(ctx, path)
	if err != nil {
		return err
	}
	defer d.Close()
	sum, err := loadSources(ctx, env, d, srcs, ingest.Options{}, nil, "the Overview page")
	if err != nil {
		return err
	}
	if err := loadResult(sum, "the Rejects page"); err != nil && !errors.Is(err, errRejected) {
		return err
	} else if err != nil {
		fmt.Fprintf(env.Stderr, "s3logs: %v\n", err)
	}
	return nil
}

// isLoopback reports whether host names this machine only.
func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// openBrowser asks the desktop to open url; failing is fine (the URL was
// printed).
func openBrowser(url string) {
	var cmd *exec.Cmd
	switch runtime.GOOS {
	case "darwin":
		cmd = exec.Command("open", url)
	case "windows":
		cmd = exec.Command("rundll32", "url.dll,FileProtocolHandler", url)
	default:
		cmd = exec.Command("xdg-open", url)
	}
	if cmd.Start() == nil {
		go cmd.Wait()
	}
}
