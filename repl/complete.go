package repl

import (
	"context"
	"sort"
	"strings"
	"time"

	prompt "github.com/elk-language/go-prompt"
	istrings "github.com/elk-language/go-prompt/strings"

	"github.com/s3logs/s3logs/queries"
	"github.com/s3logs/s3logs/schema"
)

// suggestion is one completion candidate with its help text.
type suggestion = prompt.Suggest

// Word separators for go-prompt. When a selected suggestion is followed by
// another key, go-prompt replaces the text after the last separator before
// the cursor with the suggestion, so the separators must be exactly the
// characters that end the word being completed: in SQL any punctuation
// (a column after "t." replaces only what follows the dot), in
// meta-commands and paths only blanks (a path is completed whole).
const (
	sqlSeparators  = " \t\n()[]{},;.=<>!+-*/|%'\":&^~"
	metaSeparators = " \t\n"
)

// completer completes the input at the prompt: meta-commands and their
// arguments, table names, the columns of the tables the statement names
// (with their descriptions), and DuckDB's keywords and functions from its
// sql_auto_complete table function.
type completer struct {
	s      *Shell
	prompt *prompt.Prompt // to set the word separators; nil in tests

	last *lastCompletion // what complete answered last

	loaded    bool
	columns   map[string][]columnInfo // lower-case table name -> columns
	tables    []string                // table and view names, sorted
	catalogs  map[string]bool         // lower-case database and schema names
	functions map[string]bool         // lower-case function names
}

// columnInfo is a column as completion shows it.
type columnInfo struct {
	name, typ, desc string
}

func newCompleter(s *Shell) *completer { return &completer{s: s} }

// invalidate makes the next completion re-read tables and columns.
func (c *completer) invalidate() { c.loaded = false }

// lastCompletion is the answer complete gave, and to what input.
type lastCompletion struct {
	head, word, after string // the input was head+word|after (| the cursor)
	sugs              []prompt.Suggest
	start, end        istrings.RuneNumber
}

// complete is go-prompt's Completer.
//
// go-prompt's Input (unlike its Run) asks again right after Tab put one of
// the suggestions in place of the word, and keeps the selection's index:
// answering for the new text would make the next Tab, or the next key,
// pick from another list. So when the input is the last answer's with one
// of its suggestions in place of the word, the last answer is repeated, and
// Tab cycles through it.
func (c *completer) complete(d prompt.Document) ([]prompt.Suggest, istrings.RuneNumber, istrings.RuneNumber) {
	before, after := d.TextBeforeCursor(), d.TextAfterCursor()
	if l := c.last; l != nil && after == l.after && strings.HasPrefix(before, l.head) {
		if sel := before[len(l.head):]; sel != l.word && hasText(l.sugs, sel) {
			return l.sugs, l.start, l.end
		}
	}
	sugs, word, sep := c.suggest(before, after)
	if c.prompt != nil {
		prompt.WithCompletionWordSeparator(sep)(c.prompt)
	}
	end := d.CurrentRuneIndex()
	start := end - istrings.RuneCountInString(word)
	c.last = &lastCompletion{head: before[:len(before)-len(word)], word: word, after: after, sugs: sugs, start: start, end: end}
	return sugs, start, end
}

func hasText(sugs []prompt.Suggest, text string) bool {
	for _, s := range sugs {
		if s.Text == text {
			return true
		}
	}
	return false
}

// suggest returns the candidates for the text before the cursor, the word
// they replace (a suffix of before) and the word separators to use.
func (c *completer) suggest(before, after string) (sugs []suggestion, word, sep string) {
	var b queries.Buffer
	b.Write(before)
	for {
		if _, ok := b.Next(); !ok {
			break
		}
	}
	stmt := b.Pending()
	if strings.HasPrefix(stmt, ".") {
		sugs, word = c.suggestMeta(stmt)
		return sugs, word, metaSeparators
	}
	sugs, word = c.suggestSQL(stmt, after)
	return sugs, word, sqlSeparators
}

// filterPrefix keeps the candidates that start with word (ignoring case
// when fold) and differ from it.
func filterPrefix(cands []suggestion, word string, fold bool) []suggestion {
	var out []suggestion
	for _, s := range cands {
		t, w := s.Text, word
		if fold {
			t, w = strings.ToLower(t), strings.ToLower(w)
		}
		if strings.HasPrefix(t, w) && t != w {
			out = append(out, s)
		}
	}
	return out
}

func wordSuggestions(words []string, desc string) []suggestion {
	out := make([]suggestion, len(words))
	for i, w := range words {
		out[i] = suggestion{Text: w, Description: desc}
	}
	return out
}

// tableSuggestions lists the tables and views.
func (c *completer) tableSuggestions() []suggestion {
	c.load()
	out := make([]suggestion, 0, len(c.tables))
	for _, t := range c.tables {
		desc := "table"
		if t == schema.S3ServerAccess.Name {
			desc = schema.S3ServerAccess.Description
		} else if t == schema.Rejects.Name {
			desc = schema.Rejects.Description
		}
		out = append(out, suggestion{Text: t, Description: desc})
	}
	return out
}

// load reads the tables, columns and functions from DuckDB, once after
// every statement (which may have created or dropped tables).
func (c *completer) load() {
	if c.loaded || c.s.conn == nil {
		return
	}
	c.loaded = true
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	c.loadColumns(ctx)
	if c.functions == nil {
		c.loadFunctions(ctx)
	}
}

// loadColumns reads every table's and view's columns; a name found in
// several catalogs (aws_s3serveraccess and panther_logs' views of it) is
// taken from the current database.
func (c *completer) loadColumns(ctx context.Context) {
	c.columns = map[string][]columnInfo{}
	c.catalogs = map[string]bool{}
	c.tables = nil
	rows, err := c.s.conn.QueryContext(ctx, `SELECT database_name, schema_name, table_name, column_name, data_type, coalesce(comment, '')
FROM duckdb_columns() WHERE NOT internal
ORDER BY database_name = current_database() DESC, database_name, schema_name, table_name, column_index`)
	if err != nil {
		return
	}
	defer rows.Close()
	tables := map[string]bool{}
	seen := map[string]string{} // lower table name -> the database.schema it was first seen in
	for rows.Next() {
		var dbName, sch, table string
		var col columnInfo
		if rows.Scan(&dbName, &sch, &table, &col.name, &col.typ, &col.desc) != nil {
			continue
		}
		c.catalogs[strings.ToLower(dbName)] = true
		c.catalogs[strings.ToLower(sch)] = true
		key, where := strings.ToLower(table), dbName+"."+sch
		if w, ok := seen[key]; ok && w != where {
			continue
		}
		seen[key] = where
		tables[table] = true
		if col.desc == "" {
			col.desc = schemaDescription(table, col.name)
		}
		c.columns[key] = append(c.columns[key], col)
	}
	c.tables = sortedKeys(tables)
}

// loadFunctions reads the names of DuckDB's functions, to tell them from
// keywords in sql_auto_complete's answers.
func (c *completer) loadFunctions(ctx context.Context) {
	c.functions = map[string]bool{}
	rows, err := c.s.conn.QueryContext(ctx, `SELECT DISTINCT lower(function_name) FROM duckdb_functions()`)
	if err != nil {
		return
	}
	defer rows.Close()
	for rows.Next() {
		var f string
		if rows.Scan(&f) == nil {
			c.functions[f] = true
		}
	}
}

// schemaDescription is the description package schema gives a column of
// one of s3logs' tables (or of a view with the same columns), or "".
func schemaDescription(table, column string) string {
	for _, t := range []*schema.Table{schema.S3ServerAccess, schema.Rejects, schema.Replaced} {
		if strings.EqualFold(t.Name, table) {
			if col, ok := t.Column(column); ok {
				return col.Description
			}
		}
	}
	return ""
}

// sqlKeywordsBeforeTable are the words after which a table name comes.
var sqlKeywordsBeforeTable = map[string]bool{
	"FROM": true, "JOIN": true, "INTO": true, "UPDATE": true, "TABLE": true,
	"DESCRIBE": true, "SUMMARIZE": true,
}

// suggestSQL completes SQL: stmt is the statement before the cursor, after
// the rest of the input.
func (c *completer) suggestSQL(stmt, after string) ([]suggestion, string) {
	if inLiteral(stmt) {
		return nil, "" // inside a string, quoted name or comment
	}
	toks := queries.Tokens(stmt)
	i := len(stmt)
	for i > 0 && queries.IsIdentByte(stmt[i-1]) {
		i--
	}
	word := stmt[i:]
	if i > 0 && stmt[i-1] == '$' { // a parameter
		return nil, word
	}
	qualifier := ""
	if i > 0 && stmt[i-1] == '.' {
		qualifier = lastName(stmt[:i-1])
	}
	tablePos := sqlKeywordsBeforeTable[previousWord(stmt, toks, i)]
	if word == "" && qualifier == "" && !(tablePos && i > 0 && stmt[i-1] == ' ') {
		return nil, word // nothing typed yet: no menu, except for a table after "FROM "
	}
	c.load()
	refs := tableRefs(stmt + statementRest(after))
	if qualifier != "" {
		return filterPrefix(c.qualified(qualifier, refs), word, true), word
	}
	var cands []suggestion
	if tablePos {
		cands = c.tableSuggestions()
	} else {
		for _, r := range refs {
			cands = append(cands, c.columnSuggestions(r.table)...)
		}
		if len(refs) == 0 { // "SELECT http": the columns of the log table, and the tables
			cands = append(cands, c.columnSuggestions(schema.S3ServerAccess.Name)...)
			cands = append(cands, c.tableSuggestions()...)
		}
	}
	out := dedupe(filterPrefix(cands, word, true))
	if word == "" {
		return out, word
	}
	return append(out, c.duckdbSuggestions(stmt, word, out)...), word
}

// inLiteral reports whether s ends inside a string, quoted name or comment.
func inLiteral(s string) bool {
	for i := 0; i < len(s); {
		t := queries.Lex(s, i)
		if !t.Closed {
			return true
		}
		i = t.End
	}
	return false
}

// previousWord returns the last word of stmt that ends before end, upper
// case.
func previousWord(stmt string, toks []queries.Token, end int) string {
	for j := len(toks) - 1; j >= 0; j-- {
		if t := toks[j]; t.End <= end && t.Kind == queries.TokWord {
			return strings.ToUpper(stmt[t.Start:t.End])
		}
	}
	return ""
}

// qualified lists what may follow "qualifier.": the columns of the table
// the alias or name stands for, or the tables of a catalog or schema.
func (c *completer) qualified(qualifier string, refs []tableRef) []suggestion {
	for _, r := range refs {
		if strings.EqualFold(r.alias, qualifier) {
			return c.columnSuggestions(r.table)
		}
	}
	if cols := c.columnSuggestions(qualifier); cols != nil {
		return cols
	}
	if c.catalogs[strings.ToLower(qualifier)] {
		return c.tableSuggestions()
	}
	return nil
}

// columnSuggestions lists the columns of table with their type and
// description.
func (c *completer) columnSuggestions(table string) []suggestion {
	cols := c.columns[strings.ToLower(table)]
	if cols == nil {
		return nil
	}
	out := make([]suggestion, len(cols))
	for i, col := range cols {
		desc := col.typ
		if col.desc != "" {
			desc += ": " + col.desc
		}
		out[i] = suggestion{Text: col.name, Description: desc}
	}
	return out
}

// duckdbSuggestions asks DuckDB's sql_auto_complete for keywords and
// functions that start with word, leaving out what have already (columns
// of the statement's tables) and the columns of other tables, which
// sql_auto_complete offers whatever the statement names.
func (c *completer) duckdbSuggestions(stmt, word string, have []suggestion) []suggestion {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	rows, err := c.s.conn.QueryContext(ctx, `SELECT suggestion FROM sql_auto_complete(?) LIMIT 200`, stmt)
	if err != nil {
		return nil
	}
	defer rows.Close()
	skip := map[string]bool{}
	for _, h := range have {
		skip[strings.ToLower(h.Text)] = true
	}
	for _, cols := range c.columns {
		for _, col := range cols {
			skip[strings.ToLower(col.name)] = true
		}
	}
	var out []suggestion
	columns := map[string]bool{}
	for _, cols := range c.columns {
		for _, col := range cols {
			columns[strings.ToLower(col.name)] = true
		}
	}
	expr := false // DuckDB offers a column or a function: an expression may stand here
	for rows.Next() {
		var s string
		if rows.Scan(&s) != nil {
			continue
		}
		s = strings.TrimSpace(s)
		low := strings.ToLower(s)
		expr = expr || columns[low] || c.functions[low]
		if s == "" || skip[low] || !isWord(s) || !strings.HasPrefix(low, strings.ToLower(word)) || low == strings.ToLower(word) {
			continue
		}
		skip[low] = true
		desc := "keyword"
		if c.functions[low] {
			desc = "function"
		}
		out = append(out, suggestion{Text: s, Description: desc})
	}
	if expr {
		out = c.moreFunctions(out, word, skip)
	}
	sort.SliceStable(out, func(i, j int) bool { return rankBefore(out[i].Text, out[j].Text) })
	return out
}

// moreFunctions adds to out every other function that starts with word,
// where an expression may stand (the caller knows: DuckDB offered a column
// or a function there). sql_auto_complete returns its own first 200 by its
// own score, and DuckDB 2.0's "co" gives coalesce and a hundred collations
// but not count, its "m" the columns but not min or max. skip holds what
// out and the statement already offer.
func (c *completer) moreFunctions(out []suggestion, word string, skip map[string]bool) []suggestion {
	if word == "" {
		return out
	}
	prefix := strings.ToLower(word)
	for f := range c.functions {
		if !skip[f] && strings.HasPrefix(f, prefix) && f != prefix && isWord(f) {
			skip[f] = true
			out = append(out, suggestion{Text: f, Description: "function"})
		}
	}
	return out
}

// commonFunctions are the functions most questions of a log need, in the
// order the menu offers them ahead of DuckDB's other suggestions: "co"
// offers count before cos and cot, "m" min and max before make_date.
var commonFunctions = []string{
	"count", "sum", "min", "max", "avg", "count_if", "approx_count_distinct", "any_value",
	"arg_max", "arg_min", "median", "list", "string_agg", "coalesce", "date_trunc", "strftime",
	"lower", "upper", "length", "contains", "starts_with", "regexp_matches", "regexp_extract",
	"split_part", "round", "now",
}

var commonRank = func() map[string]int {
	m := make(map[string]int, len(commonFunctions))
	for i, f := range commonFunctions {
		m[f] = i
	}
	return m
}()

// rankBefore orders DuckDB's suggestions: common functions first, in
// their order, then shorter words first (a word's own name before the
// longer ones it starts), then alphabetically.
func rankBefore(a, b string) bool {
	ra, oka := commonRank[strings.ToLower(a)]
	rb, okb := commonRank[strings.ToLower(b)]
	switch {
	case oka && okb:
		return ra < rb
	case oka != okb:
		return oka
	case len(a) != len(b):
		return len(a) < len(b)
	}
	return strings.ToLower(a) < strings.ToLower(b)
}

func isWord(s string) bool {
	for i := 0; i < len(s); i++ {
		if !queries.IsIdentByte(s[i]) {
			return false
		}
	}
	return true
}

func dedupe(s []suggestion) []suggestion {
	seen := map[string]bool{}
	out := s[:0]
	for _, x := range s {
		if !seen[x.Text] {
			seen[x.Text] = true
			out = append(out, x)
		}
	}
	return out
}

// lastName returns the identifier (bare or "quoted") that ends s.
func lastName(s string) string {
	if strings.HasSuffix(s, `"`) {
		if j := strings.LastIndexByte(s[:len(s)-1], '"'); j >= 0 {
			return s[j+1 : len(s)-1]
		}
	}
	i := len(s)
	for i > 0 && queries.IsIdentByte(s[i-1]) {
		i--
	}
	return s[i:]
}

// statementRest returns the start of after up to the end of the statement
// the cursor is in, so that "SELECT ht| FROM t" knows about t.
func statementRest(after string) string {
	for i := 0; i < len(after); {
		t := queries.Lex(after, i)
		if t.Kind == queries.TokPunct && after[i] == ';' {
			return after[:i]
		}
		i = t.End
	}
	return after
}
