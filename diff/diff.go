package diff

import (
	"sort"

	"github.com/nsgsim/nsgsim/sim"
	"github.com/nsgsim/nsgsim/topology"
)

// Change is one flow present on both sides whose verdict or deciding rule
// changed.
type Change struct {
	ID          string
	Old, New    *sim.Result
	Requirement topology.Requirement
	// Rules are the rule changes (of Result.Rules) whose rule decided a
	// part of the flow before or after: the change that changed it.
	Rules []RuleChange
}

// Broken reports whether a required flow went from Allow to Deny or Partial
// without an expectation marking the new verdict as intended: the change
// breaks Bastion.
func (c Change) Broken() bool {
	return c.Requirement == topology.Required && !c.New.Intended &&
		c.Old.Verdict == topology.VerdictAllow && c.New.Verdict != topology.VerdictAllow
}

// VerdictChanged reports whether the verdict differs.
func (c Change) VerdictChanged() bool { return c.Old.Verdict != c.New.Verdict }

// Result is the comparison of two reports.
type Result struct {
	Old, New        *sim.Report
	Changed         []Change      // verdict or deciding rule changed, in the new report's order
	Added           []*sim.Result // flows only in the new report
	Removed         []*sim.Result // flows only in the old report
	Rules           []RuleChange  // custom security rules added, removed and changed
	FindingsAdded   []sim.Finding
	FindingsRemoved []sim.Finding
}

// Broken counts required flows that went from Allow to Deny or Partial.
func (d *Result) Broken() int {
	n := 0
	for _, c := range d.Changed {
		if c.Broken() {
			n++
		}
	}
	return n
}

// Compare diffs two reports.
func Compare(old, new *sim.Report) *Result {
	d := &Result{Old: old, New: new}
	before := make(map[string]*sim.Result, len(old.Results))
	for _, r := range old.Results {
		before[r.Flow.ID] = r
	}
	seen := make(map[string]bool, len(new.Results))
	for _, r := range new.Results {
		seen[r.Flow.ID] = true
		o, ok := before[r.Flow.ID]
		if !ok {
			d.Added = append(d.Added, r)
			continue
		}
		if o.Verdict != r.Verdict || !sim.SameDecider(o.Hops, r.Hops) {
			d.Changed = append(d.Changed, Change{ID: r.Flow.ID, Old: o, New: r, Requirement: r.Flow.Requirement})
		}
	}
	for _, r := range old.Results {
		if !seen[r.Flow.ID] {
			d.Removed = append(d.Removed, r)
		}
	}
	// Broken flows first, then verdict changes, then rule-only changes.
	rank := func(c Change) int {
		switch {
		case c.Broken():
			return 0
		case c.VerdictChanged():
			return 1
		}
		return 2
	}
	sort.SliceStable(d.Changed, func(i, j int) bool { return rank(d.Changed[i]) < rank(d.Changed[j]) })
	d.FindingsAdded, d.FindingsRemoved = findingDelta(old.Findings, new.Findings)
	d.Rules = compareRules(old.Topology, new.Topology)
	for i := range d.Changed {
		c := &d.Changed[i]
		c.Rules = decidingRules(c.New, d.Rules, decidingRules(c.Old, d.Rules, nil))
	}
	return d
}

// findingDelta matches findings by ID and message; positions move when a
// file is edited, so they do not take part.
func findingDelta(old, new []sim.Finding) (added, removed []sim.Finding) {
	key := func(f sim.Finding) string { return f.ID + "\x00" + f.Message }
	count := make(map[string]int)
	for _, f := range old {
		count[key(f)]++
	}
	for _, f := range new {
		if count[key(f)] > 0 {
			count[key(f)]--
			continue
		}
		added = append(added, f)
	}
	count = make(map[string]int)
	for _, f := range new {
		count[key(f)]++
	}
	for _, f := range old {
		if count[key(f)] > 0 {
			count[key(f)]--
			continue
		}
		removed = append(removed, f)
	}
	return added, removed
}

// Highlights notes each changed or added flow, by flow ID, with what it was
// before ("was Allow", "rule changed", "new"): the marks a diagram of the new
// side draws on the edges the change touched (render.Options.Highlight).
func (d *Result) Highlights() map[string]string {
	h := make(map[string]string)
	for _, c := range d.Changed {
		if c.VerdictChanged() {
			h[c.ID] = "was " + c.Old.Verdict.String()
		} else {
			h[c.ID] = "rule changed"
		}
	}
	for _, r := range d.Added {
		h[r.Flow.ID] = "new"
	}
	return h
}
