package queries

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
)

// ErrHeader is wrapped by every error about a saved query's header.
var ErrHeader = errors.New("bad query header")

// HeaderError is a problem in a saved query file: the file, the 1-based line
// (0 when it concerns the whole file), the header key involved and what is
// wrong. It prints as "file:line: key: message".
type HeaderError struct {
	File string
	Line int
	Key  string
	Msg  string
}

// Error formats the error as file:line: key: message.
func (e *HeaderError) Error() string {
	s := e.File
	if e.Line > 0 {
		s += fmt.Sprintf(":%d", e.Line)
	}
	if e.Key != "" {
		s += ": " + e.Key
	}
	return s + ": " + e.Msg
}

// Unwrap makes errors.Is(err, ErrHeader) true.
func (e *HeaderError) Unwrap() error { return ErrHeader }

var (
	nameRE   = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
	headerRE = regexp.MustCompile(`^--\s*([A-Za-z_]+)\s*:\s?(.*)$`)
	tagRE    = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]*$`)
)

// headerKeys are the keys a header may use; only param may repeat.
var headerKeys = map[string]bool{"name": true, "title": true, "description": true, "tags": true, "param": true}

// Parse parses one saved query file: file names it in errors (and must be
// NAME.sql where NAME is the header's name), src is its content. The header
// is the run of "-- key: value" lines at the top of the file; it ends at the
// first line that is not a "--" comment (a blank line, or the SQL).
func Parse(file string, src []byte) (*Query, error) {
	q := &Query{File: file}
	lines := strings.Split(strings.ReplaceAll(string(src), "\r\n", "\n"), "\n")
	seen := map[string]int{}
	n := 0
	for ; n < len(lines); n++ {
		line := strings.TrimRight(lines[n], " \t")
		if !strings.HasPrefix(line, "--") {
			break
		}
		fail := func(key, format string, a ...any) error {
			return &HeaderError{File: file, Line: n + 1, Key: key, Msg: fmt.Sprintf(format, a...)}
		}
		m := headerRE.FindStringSubmatch(line)
		if m == nil {
			return nil, fail("", "expected \"-- key: value\" (keys: name, title, description, tags, param); end the header with a blank line before other comments")
		}
		key, val := m[1], strings.TrimSpace(m[2])
		if !headerKeys[key] {
			return nil, fail(key, "unknown key (keys: name, title, description, tags, param)")
		}
		if prev, dup := seen[key]; dup && key != "param" {
			return nil, fail(key, "duplicate key (first on line %d)", prev)
		}
		seen[key] = n + 1
		if val == "" {
			return nil, fail(key, "empty value")
		}
		if err := q.set(key, val); err != nil {
			return nil, fail(key, "%v", err)
		}
		if key == "param" {
			q.Params[len(q.Params)-1].line = n + 1
		}
	}
	for _, key := range []string{"name", "title"} {
		if seen[key] == 0 {
			return nil, &HeaderError{File: file, Line: 1, Key: key, Msg: "missing (every query needs -- name: and -- title:)"}
		}
	}
	if want := strings.TrimSuffix(baseName(file), ".sql"); q.Name != want {
		return nil, &HeaderError{File: file, Line: seen["name"], Key: "name", Msg: fmt.Sprintf("%q does not match the file name %q", q.Name, want)}
	}
	q.SQL = strings.TrimSpace(strings.Join(lines[n:], "\n"))
	if q.SQL == "" {
		return nil, &HeaderError{File: file, Line: n + 1, Msg: "no SQL after the header"}
	}
	if err := q.checkRefs(string(src)); err != nil {
		return nil, err
	}
	return q, nil
}

func baseName(p string) string {
	if i := strings.LastIndexAny(p, `/\:`); i >= 0 {
		return p[i+1:]
	}
	return p
}

// set stores one header value.
func (q *Query) set(key, val string) error {
	switch key {
	case "name":
		if !nameRE.MatchString(val) {
			return fmt.Errorf("%q is not a name (lowercase letters, digits and _, starting with a letter)", val)
		}
		q.Name = val
	case "title":
		q.Title = val
	case "description":
		q.Description = val
	case "tags":
		if !strings.HasPrefix(val, "[") || !strings.HasSuffix(val, "]") {
			return fmt.Errorf("want a list like [access, ip], got %q", val)
		}
		for _, t := range strings.Split(val[1:len(val)-1], ",") {
			t = strings.TrimSpace(t)
			if !tagRE.MatchString(t) {
				return fmt.Errorf("bad tag %q (lowercase letters, digits, _ and -)", t)
			}
			q.Tags = append(q.Tags, t)
		}
	case "param":
		p, err := parseParam(val)
		if err != nil {
			return err
		}
		for _, o := range q.Params {
			if o.Name == p.Name {
				return fmt.Errorf("parameter %q declared twice", p.Name)
			}
		}
		q.Params = append(q.Params, p)
	}
	return nil
}

// checkRefs makes sure the SQL uses exactly the declared parameters, by
// name, and that its macros expand.
func (q *Query) checkRefs(src string) error {
	used := map[string]bool{}
	body := strings.Index(src, q.SQL)
	for _, r := range paramRefs(q.SQL) {
		if _, ok := q.Param(r); !ok {
			line, _ := position(src, body+strings.Index(q.SQL, "$"+r))
			if r[0] >= '0' && r[0] <= '9' {
				return &HeaderError{File: q.File, Line: line, Key: "param", Msg: fmt.Sprintf("positional parameter $%s: saved queries use named parameters ($name)", r)}
			}
			return &HeaderError{File: q.File, Line: line, Key: "param", Msg: fmt.Sprintf("SQL uses $%s, which is not declared (add -- param: %s TYPE)", r, r)}
		}
		used[r] = true
	}
	for _, p := range q.Params {
		if !used[p.Name] {
			return &HeaderError{File: q.File, Line: p.line, Key: "param", Msg: fmt.Sprintf("parameter %q is declared but the SQL never uses $%s", p.Name, p.Name)}
		}
	}
	if _, err := Expand(q.SQL); err != nil {
		var me *MacroError
		line := 0
		if errors.As(err, &me) {
			line, _ = position(src, body)
			line += me.Line - 1
		}
		return &HeaderError{File: q.File, Line: line, Key: "sql", Msg: err.Error()}
	}
	return nil
}

// parseParam parses the value of a "-- param:" line:
//
//	NAME TYPE [required] [default=VALUE] [one_of=A|B|C] [min=N] [ipv4] ["description"]
//
// VALUE may be double-quoted to contain spaces.
func parseParam(val string) (Param, error) {
	toks, err := splitParamTokens(val)
	if err != nil {
		return Param{}, err
	}
	if len(toks) < 2 {
		return Param{}, fmt.Errorf("want NAME TYPE [required] [default=VALUE] [\"description\"], got %q", val)
	}
	p := Param{Name: toks[0]}
	if !nameRE.MatchString(p.Name) {
		return Param{}, fmt.Errorf("%q is not a parameter name", p.Name)
	}
	if p.Type, err = parseType(toks[1]); err != nil {
		return Param{}, err
	}
	for i, t := range toks[2:] {
		switch {
		case t == "required":
			p.Required = true
		case strings.HasPrefix(t, "default="):
			p.Default, p.HasDefault = unquote(strings.TrimPrefix(t, "default=")), true
		case strings.HasPrefix(t, "one_of="):
			p.OneOf = strings.Split(unquote(strings.TrimPrefix(t, "one_of=")), "|")
		case strings.HasPrefix(t, "min="):
			m, err := strconv.ParseFloat(strings.TrimPrefix(t, "min="), 64)
			if err != nil || math.IsNaN(m) || math.IsInf(m, 0) {
				return Param{}, fmt.Errorf("parameter %s: %q: want min=NUMBER", p.Name, t)
			}
			p.Min = &m
		case t == "ipv4":
			p.IPv4 = true
		case strings.HasPrefix(t, `"`) && i == len(toks)-3:
			p.Description = unquote(t)
		default:
			return Param{}, fmt.Errorf("parameter %s: unexpected %q (want required, default=VALUE, one_of=A|B, min=N, ipv4 or a final \"description\")", p.Name, t)
		}
	}
	if p.Required && p.HasDefault {
		return Param{}, fmt.Errorf("parameter %s is both required and has a default", p.Name)
	}
	if len(p.OneOf) > 0 && p.Type != TypeString {
		return Param{}, fmt.Errorf("parameter %s: one_of is for string parameters", p.Name)
	}
	if p.Min != nil && p.Type != TypeInt && p.Type != TypeFloat {
		return Param{}, fmt.Errorf("parameter %s: min is for int and float parameters", p.Name)
	}
	if p.IPv4 && p.Type != TypeCIDR {
		return Param{}, fmt.Errorf("parameter %s: ipv4 is for cidr parameters", p.Name)
	}
	if p.Min == nil && p.Type == TypeInt && strings.EqualFold(p.Name, "limit") {
		zero := 0.0
		p.Min = &zero
	}
	if p.HasDefault {
		if _, err := p.value(p.Default, refTime); err != nil {
			return Param{}, fmt.Errorf("parameter %s: default: %v", p.Name, err)
		}
	}
	return p, nil
}

// splitParamTokens splits on spaces, keeping "double quoted" runs (also
// after default=) together.
func splitParamTokens(s string) ([]string, error) {
	var toks []string
	for i := 0; i < len(s); {
		if s[i] == ' ' || s[i] == '\t' {
			i++
			continue
		}
		j, inq := i, false
		for ; j < len(s) && (inq || (s[j] != ' ' && s[j] != '\t')); j++ {
			if s[j] == '"' {
				inq = !inq
			}
		}
		if inq {
			return nil, fmt.Errorf("unterminated quote in %q", s[i:])
		}
		toks = append(toks, s[i:j])
		i = j
	}
	return toks, nil
}

func unquote(s string) string {
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		return s[1 : len(s)-1]
	}
	return s
}
