package queries

import (
	"database/sql"
	"fmt"
	"math"
	"net/netip"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/s3logs/s3logs/internal/when"
)

// ParamType is the type of a saved query parameter: how its text value is
// checked and converted before it is bound.
type ParamType int

// The parameter types. Values are given as text (flags, the shell) and
// bound as the Go value shown.
const (
	TypeString    ParamType = iota // string
	TypeInt                        // int64
	TypeBool                       // bool: true/false, yes/no, 1/0
	TypeTimestamp                  // time.Time (UTC): any form of internal/when (2024-01-02, RFC 3339, now, now-7d, 7d, 1d12h)
	TypeCIDR                       // string: a canonical network such as 10.0.0.0/8 (a bare IP becomes /32 or /128)
	TypeList                       // []string: comma-separated values; empty or missing is an empty list
	TypeFloat                      // float64: a decimal number such as 0.09 (prices)
)

var typeNames = []string{"string", "int", "bool", "timestamp", "cidr", "list", "float"}

// String returns the type's name as written in headers.
func (t ParamType) String() string {
	if int(t) < len(typeNames) {
		return typeNames[t]
	}
	return fmt.Sprintf("ParamType(%d)", int(t))
}

func parseType(s string) (ParamType, error) {
	for i, n := range typeNames {
		if s == n {
			return ParamType(i), nil
		}
	}
	return 0, fmt.Errorf("unknown parameter type %q (types: %s)", s, strings.Join(typeNames, ", "))
}

// refTime is the reference time used to validate relative defaults at load.
var refTime = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// parse converts a text value to the Go value bound for type t; now anchors
// relative timestamps.
func (t ParamType) parse(v string, now time.Time) (any, error) {
	switch t {
	case TypeString:
		return v, nil
	case TypeInt:
		n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		if err != nil {
			return nil, fmt.Errorf("invalid int %q", v)
		}
		return n, nil
	case TypeFloat:
		f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return nil, fmt.Errorf("invalid number %q", v)
		}
		return f, nil
	case TypeBool:
		switch strings.ToLower(strings.TrimSpace(v)) {
		case "true", "yes", "1", "on":
			return true, nil
		case "false", "no", "0", "off":
			return false, nil
		}
		return nil, fmt.Errorf("invalid bool %q (true or false)", v)
	case TypeTimestamp:
		return when.Parse(v, now)
	case TypeCIDR:
		s := strings.TrimSpace(v)
		if a, err := netip.ParseAddr(s); err == nil {
			return netip.PrefixFrom(a, a.BitLen()).String(), nil
		}
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return nil, fmt.Errorf("invalid network %q (want CIDR such as 10.0.0.0/8)", v)
		}
		return p.Masked().String(), nil
	case TypeList:
		out := []string{}
		for _, s := range strings.Split(v, ",") {
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
		return out, nil
	}
	return nil, fmt.Errorf("unknown type %v", t)
}

// value converts a text value of the parameter, checking one_of, min and
// ipv4.
func (p Param) value(v string, now time.Time) (any, error) {
	if len(p.OneOf) > 0 && !slices.Contains(p.OneOf, v) {
		return nil, fmt.Errorf("%q is not one of %s", v, strings.Join(p.OneOf, ", "))
	}
	val, err := p.Type.parse(v, now)
	if err != nil {
		return nil, err
	}
	switch x := val.(type) {
	case int64:
		if p.Min != nil && float64(x) < *p.Min {
			return nil, fmt.Errorf("%d is below the minimum, %s", x, strconv.FormatFloat(*p.Min, 'f', -1, 64))
		}
	case float64:
		if p.Min != nil && x < *p.Min {
			return nil, fmt.Errorf("%s is below the minimum, %s", strconv.FormatFloat(x, 'f', -1, 64), strconv.FormatFloat(*p.Min, 'f', -1, 64))
		}
	case string:
		if p.IPv4 {
			if pre, err := netip.ParsePrefix(x); err == nil && !pre.Addr().Is4() {
				return nil, fmt.Errorf("network %s is not IPv4: this query handles IPv4 networks only", x)
			}
		}
	}
	return val, nil
}

// MissingParamError is a required parameter Bind was not given. Its
// message says how to give it on the command line (--param NAME=VALUE);
// the shell words it its own way (.run QUERY NAME=VALUE).
type MissingParamError struct {
	Query, Param string
	Type         ParamType
}

// Error names the query and the parameter, and the flag that gives it.
func (e *MissingParamError) Error() string {
	return fmt.Sprintf("query %s: missing required parameter %s (%s): use --param %s=VALUE", e.Query, e.Param, e.Type, e.Param)
}

// Bind checks params (name -> text value) against the query's declared
// parameters and returns the SQL to run, with macros expanded, and its
// arguments as sql.Named values. Unknown names, missing required
// parameters and values of the wrong type are errors. Values are bound,
// never spliced into the SQL. Relative timestamps are relative to now.
func (q *Query) Bind(params map[string]string) (sqlText string, args []any, err error) {
	return q.BindAt(params, time.Now())
}

// BindAt is Bind with relative timestamps anchored at now.
func (q *Query) BindAt(params map[string]string, now time.Time) (sqlText string, args []any, err error) {
	var unknown []string
	for k := range params {
		if _, ok := q.Param(k); !ok {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return "", nil, fmt.Errorf("query %s: unknown parameter %s (parameters: %s)", q.Name, strings.Join(unknown, ", "), q.paramNames())
	}
	for _, p := range q.Params {
		v, given := params[p.Name]
		var val any
		switch {
		case given:
			val, err = p.value(v, now)
		case p.HasDefault:
			val, err = p.value(p.Default, now)
		case p.Required:
			return "", nil, &MissingParamError{Query: q.Name, Param: p.Name, Type: p.Type}
		case p.Type == TypeList:
			val = []string{}
		}
		if err != nil {
			return "", nil, fmt.Errorf("query %s: parameter %s: %w", q.Name, p.Name, err)
		}
		args = append(args, sql.Named(p.Name, val))
	}
	sqlText, err = Expand(q.SQL)
	if err != nil {
		return "", nil, fmt.Errorf("query %s: %w", q.Name, err)
	}
	return sqlText, args, nil
}

func (q *Query) paramNames() string {
	if len(q.Params) == 0 {
		return "none"
	}
	names := make([]string, len(q.Params))
	for i, p := range q.Params {
		names[i] = p.Name
	}
	return strings.Join(names, ", ")
}
