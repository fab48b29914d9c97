package queries

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
)

//go:embed sql/*.sql
var embedded embed.FS

// Builtin returns the saved queries shipped inside the binary, as a file
// system of NAME.sql files.
func Builtin() fs.FS {
	sub, err := fs.Sub(embedded, "sql")
	if err != nil {
		panic(err) // the embed pattern guarantees the directory exists
	}
	return sub
}

// Query is one saved query: its header metadata and its SQL. A Query is
// immutable once loaded; the Catalog that returned it owns it.
type Query struct {
	Name        string
	Title       string
	Description string
	Tags        []string
	Params      []Param
	SQL         string // the body, with $name parameters and macros unexpanded
	File        string // where it was read from, for messages: builtin:NAME.sql or a path
	Overrides   string // the File of the query this one replaced, if any
}

// OverrideNote is the line that says q comes from a user's file that
// replaces a built-in query of the same name, or "" when it does not:
// commands print it on stderr when they run q, so that nobody runs a
// shadowed top_ips unawares.
func (q *Query) OverrideNote() string {
	if !strings.HasPrefix(q.Overrides, "builtin:") {
		return ""
	}
	return fmt.Sprintf("note: %s is your query from %s, which overrides the built-in one", q.Name, q.File)
}

// Param returns the declared parameter called name.
func (q *Query) Param(name string) (Param, bool) {
	for _, p := range q.Params {
		if p.Name == name {
			return p, true
		}
	}
	return Param{}, false
}

// Param is a declared parameter of a saved query.
type Param struct {
	Name       string
	Type       ParamType
	Required   bool
	Default    string // as written in the header; meaningful when HasDefault
	HasDefault bool
	OneOf      []string // when set, the only values a string parameter accepts
	// Min, when set, is the smallest value an int or float parameter takes
	// (header min=N). An int parameter named limit has min 0 unless its
	// header says otherwise: a negative LIMIT is DuckDB's error, not a value.
	Min *float64
	// IPv4 restricts a cidr parameter to IPv4 networks (header ipv4), for
	// queries whose arithmetic handles only those.
	IPv4        bool
	Description string
	line        int
}

// Catalog is a set of saved queries by name, built by Load. It is read-only
// after Load and safe for concurrent use.
type Catalog struct {
	byName map[string]*Query
}

// Load reads the built-in queries and then every *.sql file at the top of
// each fsys in order; a query whose name is already known replaces the
// earlier one (a user's folder overrides the built-ins). Any header error
// fails the whole load, naming the file, line and key.
func Load(fsys ...fs.FS) (*Catalog, error) {
	c := &Catalog{byName: map[string]*Query{}}
	if err := c.add(Builtin(), "builtin:"); err != nil {
		return nil, err
	}
	for _, f := range fsys {
		prefix := ""
		if d, ok := f.(interface{ Dir() string }); ok {
			prefix = d.Dir() + string(filepath.Separator)
		}
		if err := c.add(f, prefix); err != nil {
			return nil, err
		}
	}
	return c, nil
}

func (c *Catalog) add(fsys fs.FS, prefix string) error {
	names, err := fs.Glob(fsys, "*.sql")
	if err != nil {
		return err
	}
	sort.Strings(names)
	for _, n := range names {
		src, err := fs.ReadFile(fsys, n)
		if err != nil {
			return fmt.Errorf("%s%s: %w", prefix, n, err)
		}
		q, err := Parse(prefix+n, src)
		if err != nil {
			return err
		}
		if old, ok := c.byName[q.Name]; ok {
			q.Overrides = old.File
		}
		c.byName[q.Name] = q
	}
	return nil
}

// List returns every query, sorted by name.
func (c *Catalog) List() []*Query {
	out := make([]*Query, 0, len(c.byName))
	for _, q := range c.byName {
		out = append(out, q)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Names returns the query names, sorted, for completion.
func (c *Catalog) Names() []string {
	out := make([]string, 0, len(c.byName))
	for n := range c.byName {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// ErrNotFound is wrapped by Get when no query has the name.
var ErrNotFound = errors.New("no such saved query")

// Get returns the query called name.
func (c *Catalog) Get(name string) (*Query, error) {
	if q, ok := c.byName[name]; ok {
		return q, nil
	}
	near := Suggest(name, c.Names())
	for _, n := range c.Names() {
		if (strings.Contains(n, name) || strings.Contains(name, n)) && !slices.Contains(near, n) {
			near = append(near, n)
		}
	}
	if len(near) > 0 {
		return nil, fmt.Errorf("%w: %q (did you mean %s?)", ErrNotFound, name, strings.Join(near, ", "))
	}
	return nil, fmt.Errorf("%w: %q (see `s3logs queries list`)", ErrNotFound, name)
}

// DefaultDir returns the folder users keep their own queries in:
// os.UserConfigDir()/s3logs/queries.
func DefaultDir() (string, error) {
	d, err := os.UserConfigDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(d, "s3logs", "queries"), nil
}

// dirFS is os.DirFS that remembers its path, so that errors name real files.
type dirFS struct {
	fs.FS
	dir string
}

// Dir returns the folder, which Load puts in front of file names.
func (d dirFS) Dir() string { return d.dir }

// Dir returns the queries folder dir as a file system for Load. With
// mustExist false a missing folder yields nil (nothing to load) instead of
// an error, which is what the default folder wants.
func Dir(dir string, mustExist bool) (fs.FS, error) {
	st, err := os.Stat(dir)
	if err != nil {
		if !mustExist && errors.Is(err, fs.ErrNotExist) {
			return nil, nil
		}
		return nil, fmt.Errorf("queries folder: %w", err)
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("queries folder %s is not a directory", dir)
	}
	return dirFS{FS: os.DirFS(dir), dir: filepath.Clean(dir)}, nil
}
