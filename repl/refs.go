package repl

import (
	"strings"

	"github.com/s3logs/s3logs/queries"
)

// tableRef is a table named in a statement, with its alias if it has one.
type tableRef struct {
	table string // the last part of the name: t of db.schema.t
	alias string
}

// notAlias are the words that may follow a table name and are not its
// alias.
var notAlias = map[string]bool{
	"WHERE": true, "JOIN": true, "ON": true, "USING": true, "LEFT": true, "RIGHT": true,
	"INNER": true, "OUTER": true, "FULL": true, "CROSS": true, "NATURAL": true, "SEMI": true,
	"ANTI": true, "ASOF": true, "POSITIONAL": true, "LATERAL": true, "GROUP": true, "ORDER": true,
	"LIMIT": true, "OFFSET": true, "HAVING": true, "WINDOW": true, "QUALIFY": true, "UNION": true,
	"EXCEPT": true, "INTERSECT": true, "SAMPLE": true, "TABLESAMPLE": true, "USING SAMPLE": true,
	"PIVOT": true, "UNPIVOT": true, "SET": true, "VALUES": true, "SELECT": true, "RETURNING": true,
	"BY": true, "DEFAULT": true,
}

// tableRefs returns the tables a statement reads or writes: after FROM
// (and the commas of its list), JOIN, UPDATE, INTO, DESCRIBE and SUMMARIZE,
// with their aliases ("FROM aws_s3serveraccess a", "JOIN t AS b").
// Subqueries and table functions are skipped.
func tableRefs(stmt string) []tableRef {
	toks := queries.Tokens(stmt)
	word := func(i int) string {
		if i < len(toks) && toks[i].Kind == queries.TokWord {
			return strings.ToUpper(stmt[toks[i].Start:toks[i].End])
		}
		return ""
	}
	var refs []tableRef
	inFrom := false
	for i := 0; i < len(toks); i++ {
		switch w := word(i); {
		case w == "FROM" || w == "JOIN" || w == "UPDATE" || w == "INTO" || w == "DESCRIBE" || w == "SUMMARIZE":
			inFrom = w == "FROM"
			ref, next, ok := parseRef(stmt, toks, i+1, word)
			if ok {
				refs = append(refs, ref)
			}
			i = next - 1
		case inFrom && toks[i].Kind == queries.TokPunct && stmt[toks[i].Start] == ',':
			ref, next, ok := parseRef(stmt, toks, i+1, word)
			if ok {
				refs = append(refs, ref)
			}
			i = next - 1
		case w != "" && notAlias[w]:
			inFrom = false
		}
	}
	return refs
}

// parseRef reads "name[.name...] [[AS] alias]" at toks[i] and returns the
// index after it.
func parseRef(stmt string, toks []queries.Token, i int, word func(int) string) (tableRef, int, bool) {
	name := ""
	for i < len(toks) {
		t := toks[i]
		switch {
		case t.Kind == queries.TokWord && !notAlias[word(i)]:
			name = stmt[t.Start:t.End]
		case t.Kind == queries.TokQuoted:
			name = unquote(stmt, t)
		default:
			return tableRef{}, i, false
		}
		i++
		if i < len(toks) && toks[i].Kind == queries.TokPunct && stmt[toks[i].Start] == '.' {
			i++
			continue
		}
		break
	}
	if name == "" || (i < len(toks) && toks[i].Kind == queries.TokPunct && stmt[toks[i].Start] == '(') {
		return tableRef{}, i, false // a table function
	}
	ref := tableRef{table: name}
	if word(i) == "AS" {
		i++
	}
	if i < len(toks) {
		t := toks[i]
		if t.Kind == queries.TokWord && !notAlias[word(i)] {
			ref.alias = stmt[t.Start:t.End]
			i++
		} else if t.Kind == queries.TokQuoted {
			ref.alias = unquote(stmt, t)
			i++
		}
	}
	return ref, i, true
}

// unquote returns the name a "quoted" token of stmt stands for; one that
// the statement leaves open (a name still being typed) runs to its end.
func unquote(stmt string, t queries.Token) string {
	end := t.End
	if t.Closed {
		end--
	}
	return strings.ReplaceAll(stmt[t.Start+1:end], `""`, `"`)
}
