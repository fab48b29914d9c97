package queries

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// ErrMacro is wrapped by every error Expand returns.
var ErrMacro = errors.New("bad macro")

// MacroError is a macro call Expand could not rewrite: which macro, where
// (1-based line and column of the macro name in the statement) and why.
type MacroError struct {
	Macro     string
	Line, Col int
	Msg       string
}

// Error formats the error as line:col: macro: message.
func (e *MacroError) Error() string {
	return fmt.Sprintf("%d:%d: %s: %s", e.Line, e.Col, e.Macro, e.Msg)
}

// Unwrap makes errors.Is(err, ErrMacro) true.
func (e *MacroError) Unwrap() error { return ErrMacro }

// Macros are the names of the Panther Data Explorer macros that Expand
// rewrites, for completion in the shell.
var Macros = []string{"p_occurs_between", "p_occurs_since"}

// Expand rewrites Panther's Data Explorer macros wherever they appear in
// sql outside string literals, quoted identifiers and comments, and returns
// the rewritten statement. Everything else is copied unchanged:
//
//	p_occurs_between(start, end[, alias])
//	  -> (alias.p_event_time BETWEEN CAST(start AS TIMESTAMPTZ) AND CAST(end AS TIMESTAMPTZ))
//	p_occurs_since(offset[, alias])
//	  -> (alias.p_event_time >= now() - INTERVAL 'N seconds')
//
// As in Panther, both ends of p_occurs_between are inclusive. The offset of
// p_occurs_since is a number of seconds (900) or a string of a positive
// integer and an optional unit ('6 d', '2 weeks', '96 hrs', '30 min'; units
// s/sec/second(s), m/min/minute(s), h/hr/hrs/hour(s), d/day(s),
// w/wk/week(s); no unit means seconds). Arguments may contain parentheses,
// commas and macros of their own. Macro names are matched case-insensitively.
func Expand(sql string) (string, error) {
	var b strings.Builder
	last := 0
	for i := 0; i < len(sql); {
		t := Lex(sql, i)
		i = t.End
		if t.Kind != TokWord || (t.Start > 0 && sql[t.Start-1] == '.') { // not a name, or a qualified one
			continue
		}
		name := macroName(sql[t.Start:t.End])
		open := skipSpace(sql, t.End)
		if name == "" || open >= len(sql) || sql[open] != '(' {
			continue
		}
		out, close, err := expandCall(sql, t.Start, name, open)
		if err != nil {
			return "", err
		}
		b.WriteString(sql[last:t.Start])
		b.WriteString(out)
		last, i = close, close
	}
	if last == 0 {
		return sql, nil
	}
	b.WriteString(sql[last:])
	return b.String(), nil
}

// expandCall rewrites the call of macro name at sql[at:] whose "(" is at
// sql[open], and returns its replacement and the offset after its ")".
func expandCall(sql string, at int, name string, open int) (string, int, error) {
	line, col := position(sql, at)
	fail := func(format string, a ...any) error {
		return &MacroError{Macro: name, Line: line, Col: col, Msg: fmt.Sprintf(format, a...)}
	}
	args, close, msg := splitArgs(sql, open)
	if msg != "" {
		return "", 0, fail("%s", msg)
	}
	for n, a := range args {
		exp, err := Expand(a)
		if err != nil {
			return "", 0, fail("argument %d: %v", n+1, err)
		}
		args[n] = exp
	}
	var out string
	if name == "p_occurs_between" {
		out, msg = expandBetween(args)
	} else {
		out, msg = expandSince(args)
	}
	if msg != "" {
		return "", 0, fail("%s", msg)
	}
	return out, close, nil
}

// macroName returns the macro word names (in lower case), or "" when it
// names none.
func macroName(word string) string {
	for _, m := range Macros {
		if strings.EqualFold(word, m) {
			return m
		}
	}
	return ""
}

func skipSpace(s string, i int) int {
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	return i
}

// splitArgs splits the argument list whose '(' is at s[open] on its
// top-level commas. It returns the trimmed arguments and the offset just
// after the closing ')', or a message when the list is not closed.
func splitArgs(s string, open int) (args []string, close int, msg string) {
	depth, start := 0, open+1
	for i := open; i < len(s); {
		t := Lex(s, i)
		i = t.End
		if t.Kind != TokPunct {
			continue
		}
		switch s[t.Start] {
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 {
				args = append(args, strings.TrimSpace(s[start:t.Start]))
				if len(args) == 1 && args[0] == "" {
					args = nil
				}
				return args, t.End, ""
			}
		case ',':
			if depth == 1 {
				args = append(args, strings.TrimSpace(s[start:t.Start]))
				start = t.End
			}
		}
	}
	return nil, 0, "missing closing parenthesis"
}

var aliasRE = regexp.MustCompile(`^(?:[A-Za-z_][A-Za-z0-9_]*|"(?:[^"]|"")+")$`)

// column returns the p_event_time column, qualified by the alias argument
// when there is one.
func column(args []string, n int) (string, string) {
	if len(args) <= n {
		return "p_event_time", ""
	}
	a := args[n]
	if !aliasRE.MatchString(a) {
		return "", fmt.Sprintf("table alias must be an identifier, got %q", a)
	}
	return a + ".p_event_time", ""
}

func expandBetween(args []string) (string, string) {
	if len(args) < 2 || len(args) > 3 {
		return "", fmt.Sprintf("want (start, end[, alias]), got %d arguments", len(args))
	}
	for i, a := range args[:2] {
		if a == "" {
			return "", fmt.Sprintf("argument %d is empty", i+1)
		}
	}
	col, msg := column(args, 2)
	if msg != "" {
		return "", msg
	}
	return fmt.Sprintf("(%s BETWEEN CAST(%s AS TIMESTAMPTZ) AND CAST(%s AS TIMESTAMPTZ))", col, args[0], args[1]), ""
}

func expandSince(args []string) (string, string) {
	if len(args) < 1 || len(args) > 2 {
		return "", fmt.Sprintf("want (offset[, alias]), got %d arguments", len(args))
	}
	secs, msg := parseOffset(args[0])
	if msg != "" {
		return "", msg
	}
	col, msg := column(args, 1)
	if msg != "" {
		return "", msg
	}
	return fmt.Sprintf("(%s >= now() - INTERVAL '%d seconds')", col, secs), ""
}

var (
	offsetRE = regexp.MustCompile(`^\s*([0-9]+)\s*([A-Za-z]*)\s*$`)
	units    = map[string]int64{
		"": 1, "s": 1, "sec": 1, "second": 1, "seconds": 1,
		"m": 60, "min": 60, "minute": 60, "minutes": 60,
		"h": 3600, "hr": 3600, "hrs": 3600, "hour": 3600, "hours": 3600,
		"d": 86400, "day": 86400, "days": 86400,
		"w": 604800, "wk": 604800, "week": 604800, "weeks": 604800,
	}
)

// maxOffset keeps N*unit far from overflow and DuckDB's interval limits:
// 1000 years of seconds.
const maxOffset = 1000 * 366 * 86400

const offsetHelp = "offset must be a number of seconds or a string such as '6 d', '2 weeks', '96 hrs', '30 min'"

// parseOffset converts a p_occurs_since offset argument (a number literal or
// a string literal) to seconds.
func parseOffset(arg string) (int64, string) {
	text := arg
	if n := len(arg); n >= 2 && arg[0] == '\'' && arg[n-1] == '\'' {
		text = strings.ReplaceAll(arg[1:n-1], "''", "'")
	} else if arg == "" || strings.Trim(arg, "0123456789") != "" {
		return 0, fmt.Sprintf("%s; got %s", offsetHelp, arg)
	}
	m := offsetRE.FindStringSubmatch(text)
	if m == nil {
		return 0, fmt.Sprintf("%s; got %s", offsetHelp, arg)
	}
	unit, ok := units[strings.ToLower(m[2])]
	if !ok {
		return 0, fmt.Sprintf("unknown time unit %q in %s (use s, m, h, d or w)", m[2], arg)
	}
	n, err := strconv.ParseInt(m[1], 10, 64)
	if err != nil || n > maxOffset/unit {
		return 0, fmt.Sprintf("offset %s is too large", arg)
	}
	if n == 0 {
		return 0, fmt.Sprintf("offset %s must be positive", arg)
	}
	return n * unit, ""
}
