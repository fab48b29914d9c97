package queries

import (
	"slices"
	"strings"
)

// Suggest returns the candidates a mistyped word most likely meant: those
// within a small edit distance of it (one edit, swapping two neighbours
// included, or a quarter of its length for longer words), compared
// case-insensitively; only the closest are returned. It
// gives "did you mean" for commands, flags, query names and rule IDs.
func Suggest(word string, candidates []string) []string {
	w := strings.ToLower(word)
	limit := max(1, len(w)/4)
	type near struct {
		s string
		d int
	}
	var out []near
	for _, c := range candidates {
		if d := editDistance(w, strings.ToLower(c)); d <= limit {
			out = append(out, near{c, d})
		}
	}
	slices.SortStableFunc(out, func(a, b near) int { return a.d - b.d })
	var names []string
	for _, n := range out {
		if n.d == out[0].d { // only the closest
			names = append(names, n.s)
		}
	}
	return names
}

// DidYouMean is " (did you mean x?)" or " (did you mean x or y?)" for the
// suggestions of word among candidates, or "".
func DidYouMean(word string, candidates []string) string {
	s := Suggest(word, candidates)
	switch {
	case len(s) == 0:
		return ""
	case len(s) > 3:
		s = s[:3]
	}
	return " (did you mean " + strings.Join(s, " or ") + "?)"
}

// editDistance is the optimal string alignment distance of a and b, in
// bytes: insertions, deletions, substitutions and swaps of neighbours.
func editDistance(a, b string) int {
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(a)][len(b)]
}

// ResolveRule returns the rule id names: the rule with that ID, else the
// one rule whose ID contains id case-insensitively (mass_deletion,
// insecure_tls finds two and is an error naming them). The error suggests
// near IDs.
func ResolveRule(id string) (*Rule, error) {
	if r := RuleByID(id); r != nil {
		return r, nil
	}
	var hits []*Rule
	for _, r := range Rules {
		if strings.Contains(strings.ToLower(r.ID), strings.ToLower(id)) {
			hits = append(hits, r)
		}
	}
	switch {
	case len(hits) == 1 && id != "":
		return hits[0], nil
	case len(hits) > 1 && id != "":
		var ids []string
		for _, r := range hits {
			ids = append(ids, r.ID)
		}
		return nil, &UnknownRuleError{ID: id, Msg: "matches several rules: " + strings.Join(ids, ", ")}
	}
	msg := "known: " + strings.Join(ruleIDs(), ", ")
	if s := suggestRule(id); len(s) > 0 {
		msg = "did you mean " + strings.Join(s, " or ") + "?"
	}
	return nil, &UnknownRuleError{ID: id, Msg: msg}
}

// suggestRule returns the rule IDs a mistyped id most likely meant: near
// whole IDs, else, as a rule is also named by a part of its ID, the IDs
// whose name after the source (volume_exfiltration of
// s3logs.volume_exfiltration) is near id.
func suggestRule(id string) []string {
	ids := ruleIDs()
	if s := Suggest(id, ids); len(s) > 0 {
		return s
	}
	byName := map[string][]string{}
	var names []string
	for _, full := range ids {
		name := full[strings.LastIndex(full, ".")+1:]
		if _, ok := byName[name]; !ok {
			names = append(names, name)
		}
		byName[name] = append(byName[name], full)
	}
	var out []string
	for _, name := range Suggest(id, names) {
		out = append(out, byName[name]...)
	}
	return out
}

// UnknownRuleError is a rule ID that names no rule, or several.
type UnknownRuleError struct {
	ID, Msg string
}

// Error says which ID and what it could have meant.
func (e *UnknownRuleError) Error() string {
	return "unknown rule \"" + e.ID + "\" (" + e.Msg + ")"
}
