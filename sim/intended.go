package sim

import "slices"

// Intended denies (SPEC 1, 5, 6): an expectation with intended: true marks
// a flow that the design blocks on purpose (a quarantined VM, say). When
// the flow gets the blocked verdict the expectation asserts, its result is
// Intended: reports show it as intended rather than blocked, the summary
// counts it in Intended and not in RequiredBlocked or RecommendedBlocked,
// it is no FLOW002 finding, it does not make the run fail, and fix leaves
// it alone. When the flow gets another verdict, the expectation fails as
// any other would, and a blocked flow counts as blocked.

// markIntended sets Result.Intended from the report's expectations. Results
// may be shared with other reports (a Revision keeps the results it did not
// evaluate again), so a result whose mark changes is copied, in a copy of
// the list, never changed in place.
func markIntended(r *Report) {
	want := make(map[string]bool)
	for _, x := range r.Expectations {
		if x.Expectation.Intended && x.OK {
			want[x.Expectation.Flow] = true
		}
	}
	cloned := false
	for i, res := range r.Results {
		mark := want[res.Flow.ID] && res.Blocked()
		if res.Intended == mark {
			continue
		}
		if !cloned {
			r.Results, cloned = slices.Clone(r.Results), true
		}
		c := *res
		c.Intended = mark
		r.Results[i] = &c
	}
}

// BlockedUnintended reports whether a result counts as blocked: it does not
// fully pass, and no expectation marks it as intended.
func (r *Result) BlockedUnintended() bool { return r.Blocked() && !r.Intended }
