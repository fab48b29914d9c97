package ui

import (
	"crypto/rand"
	"crypto/subtle"
	"embed"
	"encoding/hex"
	"io/fs"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/s3logs/s3logs/queries"
)

//go:embed assets
var assets embed.FS

// Options configure a Server.
type Options struct {
	// Addr is the address the server listens on, host:port with the port
	// chosen (not 0); requests must name it, 127.0.0.1, localhost or [::1]
	// with its port in their Host header.
	Addr string
	// Token is the secret every request must carry; "" makes a random one.
	Token string
	// Catalog is the saved queries of the Saved page; nil means the
	// built-in ones.
	Catalog *queries.Catalog
	// Detect is the detection settings of the Detections page and of alert
	// event links; its Since and Until are ignored.
	Detect queries.Options
	// Now is the clock for relative times in saved query parameters; nil
	// means time.Now.
	Now func() time.Time
}

// Server is the explorer's HTTP handler. Make it with New; it is safe for
// concurrent use. Close cancels the queries still running.
type Server struct {
	db      *DB
	opts    Options
	token   string
	cookie  string          // the cookie's name: per port, since cookies ignore ports
	hosts   map[string]bool // Host header values accepted
	origins map[string]bool // Origin header values accepted
	mux     *http.ServeMux
	cursors *cursors
}

// NewToken returns a random token: 32 bytes of crypto/rand in hex.
func NewToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return hex.EncodeToString(b)
}

// New returns the explorer on d; d stays the caller's to close, after the
// server has stopped.
func New(d *DB, opts Options) (*Server, error) {
	if opts.Token == "" {
		opts.Token = NewToken()
	}
	if opts.Catalog == nil {
		c, err := queries.Load()
		if err != nil {
			return nil, err
		}
		opts.Catalog = c
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	host, port, err := net.SplitHostPort(opts.Addr)
	if err != nil {
		return nil, err
	}
	s := &Server{db: d, opts: opts, token: opts.Token, cookie: "s3logs_" + port,
		hosts: map[string]bool{}, origins: map[string]bool{}, cursors: newCursors()}
	for _, h := range []string{"127.0.0.1", "localhost", "[::1]", bracket(host)} {
		if h == "" || h == "[]" || h == "0.0.0.0" || h == "[::]" {
			continue
		}
		s.hosts[h+":"+port] = true
		s.origins["http://"+h+":"+port] = true
	}
	s.routes()
	return s, nil
}

// bracket puts an IPv6 literal in brackets, as it appears in a Host header.
func bracket(h string) string {
	if strings.Contains(h, ":") && !strings.HasPrefix(h, "[") {
		return "[" + h + "]"
	}
	return h
}

// Token returns the session token.
func (s *Server) Token() string { return s.token }

// Close cancels the running queries and frees their cursors.
func (s *Server) Close() { s.cursors.closeAll() }

func (s *Server) routes() {
	s.mux = http.NewServeMux()
	static, _ := fs.Sub(assets, "assets")
	s.mux.Handle("GET /assets/", http.StripPrefix("/assets/", http.FileServerFS(static)))
	s.mux.HandleFunc("GET /{$}", s.index)
	s.mux.HandleFunc("GET /api/overview", s.apiOverview)
	s.mux.HandleFunc("GET /api/schema", s.apiSchema)
	s.mux.HandleFunc("GET /api/queries", s.apiQueries)
	s.mux.HandleFunc("GET /api/detect", s.apiDetect)
	s.mux.HandleFunc("POST /api/query", s.apiQuery)
	s.mux.HandleFunc("POST /api/rows", s.apiRows)
	s.mux.HandleFunc("POST /api/cancel", s.apiCancel)
	s.mux.HandleFunc("POST /api/export", s.apiExport)
}

// csp keeps the page to its own scripts: no inline script, no eval, no
// other origin. CodeMirror sets styles from script, hence style-src.
const csp = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
	"connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"

// ServeHTTP checks the Host, the token and, for state-changing and API
// requests, the Origin, then serves the request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", csp)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
	if !s.hosts[r.Host] {
		http.Error(w, "s3logs ui: unexpected Host header (DNS rebinding?)", http.StatusMisdirectedRequest)
		return
	}
	if o := r.Header.Get("Origin"); o != "" && !s.origins[o] {
		http.Error(w, "s3logs ui: cross-origin request refused", http.StatusForbidden)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead && r.Header.Get("Origin") == "" {
		http.Error(w, "s3logs ui: a request that changes state needs an Origin header", http.StatusForbidden)
		return
	}
	if t := r.URL.Query().Get("token"); t != "" && r.Method == http.MethodGet && s.validToken(t) {
		http.SetCookie(w, &http.Cookie{Name: s.cookie, Value: s.token, Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode})
		q := r.URL.Query()
		q.Del("token")
		u := *r.URL
		u.RawQuery = q.Encode()
		http.Redirect(w, r, u.RequestURI(), http.StatusSeeOther)
		return
	}
	c, err := r.Cookie(s.cookie)
	if err != nil || !s.validToken(c.Value) {
		http.Error(w, "s3logs ui: open the URL with the token that s3logs ui printed", http.StatusUnauthorized)
		return
	}
	s.mux.ServeHTTP(w, r)
}

func (s *Server) validToken(t string) bool {
	return subtle.ConstantTimeCompare([]byte(t), []byte(s.token)) == 1
}

// index serves the application's page.
func (s *Server) index(w http.ResponseWriter, r *http.Request) {
	b, err := assets.ReadFile("assets/index.html")
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Write(b)
}
