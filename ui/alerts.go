package ui

import (
	"sort"

	"github.com/s3logs/s3logs/queries"
)

// RuleSummary counts the alerts and events of one rule.
type RuleSummary struct {
	RuleID   string           `json:"rule_id"`
	RuleName string           `json:"rule_name"`
	Severity queries.Severity `json:"severity"`
	Alerts   int              `json:"alerts"`
	Events   int              `json:"events"`
}

// severityRank orders severities from the most severe.
var severityRank = map[queries.Severity]int{queries.Critical: 0, queries.High: 1, queries.Medium: 2, queries.Low: 3, queries.Info: 4}

// summarize counts alerts per rule, the most severe rules first, then by
// number of alerts.
func summarize(alerts []queries.Alert) []RuleSummary {
	by := map[string]*RuleSummary{}
	var out []RuleSummary
	for _, a := range alerts {
		s := by[a.RuleID]
		if s == nil {
			s = &RuleSummary{RuleID: a.RuleID, RuleName: a.RuleName, Severity: a.Severity}
			by[a.RuleID] = s
		}
		s.Alerts++
		s.Events += a.Count
	}
	for _, s := range by {
		out = append(out, *s)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if severityRank[a.Severity] != severityRank[b.Severity] {
			return severityRank[a.Severity] < severityRank[b.Severity]
		}
		if a.Alerts != b.Alerts {
			return a.Alerts > b.Alerts
		}
		return a.RuleID < b.RuleID
	})
	return out
}

// mostSevere returns up to n alerts, the most severe first and, within a
// severity, in time order (Detect's order), and how many were left out.
func mostSevere(alerts []queries.Alert, n int) ([]queries.Alert, int) {
	out := append([]queries.Alert(nil), alerts...)
	sort.SliceStable(out, func(i, j int) bool { return severityRank[out[i].Severity] < severityRank[out[j].Severity] })
	if len(out) > n {
		return out[:n], len(out) - n
	}
	return out, 0
}
