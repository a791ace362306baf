package sim

// Intended denies (SPEC 1, 5, 6): an expectation with intended: true marks
// a flow that the design blocks on purpose (a quarantined VM, say). When
// the flow gets the blocked verdict the expectation asserts, its result is
// Intended: reports show it as intended rather than blocked, the summary
// counts it in Intended and not in RequiredBlocked or RecommendedBlocked,
// it is no FLOW002 finding, it does not make the run fail, and fix leaves
// it alone. When the flow gets another verdict, the expectation fails as
// any other would, and a blocked flow counts as blocked.

// markIntended sets Result.Intended from the report's expectations.
func markIntended(r *Report) {
	byID := make(map[string]*Result, len(r.Results))
	for _, res := range r.Results {
		byID[res.Flow.ID] = res
	}
	for _, x := range r.Expectations {
		e := x.Expectation
		if res := byID[e.Flow]; res != nil && e.Intended && x.OK && res.Blocked() {
			res.Intended = true
		}
	}
}

// BlockedUnintended reports whether a result counts as blocked: it does not
// fully pass, and no expectation marks it as intended.
func (r *Result) BlockedUnintended() bool { return r.Blocked() && !r.Intended }
