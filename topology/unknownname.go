package topology

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// NameGroup is one kind of named object ("VMs") with the names a topology
// has of that kind, for a message that lists what could have been meant.
type NameGroup struct {
	What  string
	Names []string
}

// Limits of UnknownName's message.
const (
	maxCloseNames  = 8  // "did you mean" suggestions
	maxListedNames = 10 // names listed per group
)

// UnknownName is the error for a name given on the command line (trace's
// --from/--to, render's --focus) that names nothing: msg, then the names
// close to value, among the groups' names and extra candidates (a name that
// contains value or that value contains, case aside, or one at most two
// edits away), then up to ten names of each group, sorted.
func UnknownName(msg, value string, groups []NameGroup, extra []string) error {
	var candidates []string
	for _, g := range groups {
		candidates = append(candidates, g.Names...)
	}
	candidates = append(candidates, extra...)
	if close := closeNames(value, candidates); len(close) > 0 {
		quoted := make([]string, len(close))
		for i, c := range close {
			quoted[i] = strconv.Quote(c)
		}
		msg += "; did you mean " + strings.Join(quoted, ", ") + "?"
	}
	var parts []string
	for _, g := range groups {
		if len(g.Names) == 0 {
			continue
		}
		names := slices.Clone(g.Names)
		slices.SortFunc(names, func(a, b string) int { return cmp.Compare(strings.ToLower(a), strings.ToLower(b)) })
		more := ""
		if len(names) > maxListedNames {
			more = fmt.Sprintf(" and %d more", len(names)-maxListedNames)
			names = names[:maxListedNames]
		}
		parts = append(parts, g.What+": "+strings.Join(names, ", ")+more)
	}
	if len(parts) > 0 {
		msg += " (" + strings.Join(parts, "; ") + ")"
	}
	return errors.New(msg)
}

// closeNames returns up to maxCloseNames candidates close to s, in their
// order: a name that contains s or that s contains (case aside), or one at
// most two edits away.
func closeNames(s string, candidates []string) []string {
	ls := strings.ToLower(s)
	n := utf8.RuneCountInString(ls)
	var out []string
	for _, c := range candidates {
		lc := strings.ToLower(c)
		near := false
		switch {
		case ls != "" && (strings.Contains(lc, ls) || strings.Contains(ls, lc)):
			near = true
		case n <= 100:
			if m := utf8.RuneCountInString(lc); m >= n-2 && m <= n+2 {
				near = editDistance(ls, lc) <= 2
			}
		}
		if near {
			out = append(out, c)
			if len(out) == maxCloseNames {
				break
			}
		}
	}
	return out
}
