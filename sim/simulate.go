package sim

import (
	"github.com/nsgsim/nsgsim/internal/batch"
	"github.com/nsgsim/nsgsim/topology"
)

// Report is the outcome of simulating a topology: every flow's result, the
// expectations checked against them, the findings, and a summary.
type Report struct {
	Topology     *topology.Topology
	Engine       *Engine
	Results      []*Result
	Expectations []ExpectationResult
	Findings     []Finding
	Summary      Summary
}

// ExpectationResult is one expectation with the verdict the flow got.
type ExpectationResult struct {
	Expectation *topology.Expectation
	Got         topology.Verdict
	Found       bool // the flow exists in this simulation
	OK          bool
}

// Summary counts results (SPEC 6).
type Summary struct {
	Flows           int
	Allowed         int
	Denied          int
	Partial         int
	NoTraffic       int // flows with an endpoint that has no address (FLOW003)
	RequiredBlocked int
	// RecommendedBlocked counts recommended flows that do not fully pass:
	// warnings, not failures.
	RecommendedBlocked int
	// Intended counts blocked flows that an expectation marks as intended;
	// they count in neither RequiredBlocked nor RecommendedBlocked.
	Intended           int
	ExpectationsFailed int
	Errors             int // error findings
}

// OK reports whether the run passes: every required flow passes (or is
// blocked by intent), every expectation holds and there is no error finding
// (SPEC 5, exit code 0).
func (s Summary) OK() bool {
	return s.RequiredBlocked == 0 && s.ExpectationsFailed == 0 && s.Errors == 0
}

// Simulate compiles a topology and evaluates every flow, using every core.
// It fails when the topology asks for more than MaxFlows flows, or when
// deciding them would go past a budget on pieces (budget_pieces.go).
func Simulate(t *topology.Topology) (*Report, error) {
	e, err := Compile(t)
	if err != nil {
		return nil, err
	}
	return e.Simulate()
}

// Simulate evaluates every flow of the engine's topology. It fails when
// deciding them would go past a budget on pieces.
func (e *Engine) Simulate() (*Report, error) { return e.SimulateProgress(nil) }

// SimulateProgress is Simulate, calling progress(done, total) as the flows
// are decided, from several goroutines at once, and last with done == total
// before the findings are checked. A nil progress is not called.
func (e *Engine) SimulateProgress(progress func(done, total int)) (*Report, error) {
	flows := flowsOf(e.topo, e.net)
	results, err := e.evaluateAll(flows, progress, flowCount{})
	if err != nil {
		return nil, err
	}
	r := &Report{Topology: e.topo, Engine: e, Results: results}
	r.Expectations = checkExpectations(e.topo.Expectations, results)
	markIntended(r)
	if r.Findings, err = e.Findings(r.Results); err != nil {
		return nil, err
	}
	r.Summary = summarizeReport(r)
	return r, nil
}

// EvaluateAll evaluates flows in parallel; results keep the flows' order.
// It fails when one flow would go past MaxFlowPieces or MaxFlowSteps, or
// all of them past MaxPieces or MaxSteps: with the error of the first flow,
// in the flows' order, that goes over.
func (e *Engine) EvaluateAll(flows []*Flow) ([]*Result, error) {
	return e.evaluateAll(flows, nil, flowCount{})
}

// evaluateAll hands out flows in chunks to one worker per core. Each flow's
// pieces and steps are counted (budget_pieces.go), and added as they are
// made to the total of all flows; when a flow goes past its budgets or the
// total passes MaxPieces or MaxSteps, the workers stop, abandoning the
// flows they are on. The error is that of the first flow in order that
// goes over, so that it does not depend on which worker got there first:
// the flows before it that the workers left or abandoned are evaluated
// then, one by one. The totals start from base: what the results that a
// revision keeps took.
func (e *Engine) evaluateAll(flows []*Flow, progress func(done, total int), base flowCount) ([]*Result, error) {
	const chunk = 64
	results := make([]*Result, len(flows))
	counts := make([]flowCount, len(flows))
	errs := make([]error, len(flows))
	var total sharedTotal
	total.add(base.made, base.steps)
	var report func(int)
	if progress != nil {
		report = func(done int) {
			if done < len(flows) {
				progress(done, len(flows))
			}
		}
	}
	noState := func() struct{} { return struct{}{} }
	within := batch.Run(len(flows), chunk, noState, func(_ struct{}, i int) bool {
		fb := flowBudget{shared: &total}
		results[i], errs[i] = e.evaluateCounted(flows[i], &fb)
		counts[i] = flowCount{fb.made, fb.steps}
		if errs[i] == errAbandoned {
			errs[i] = nil // evaluated again by firstOver if need be
		}
		return errs[i] == nil && !fb.abandoned
	}, report)
	if !within {
		if err := e.firstOver(flows, results, counts, errs, base); err != nil {
			return nil, err
		}
	}
	if progress != nil {
		progress(len(flows), len(flows))
	}
	return results, nil
}

// firstOver returns the error of the first flow, in order, that goes past
// its budgets or takes the totals past theirs, evaluating the flows before
// it that have no result yet. The totals start from base.
func (e *Engine) firstOver(flows []*Flow, results []*Result, counts []flowCount, errs []error, base flowCount) error {
	made, steps := base.made, base.steps
	for i, f := range flows {
		if results[i] == nil && errs[i] == nil {
			var fb flowBudget
			results[i], errs[i] = e.evaluateCounted(f, &fb)
			counts[i] = flowCount{fb.made, fb.steps}
		}
		if errs[i] != nil {
			return errs[i]
		}
		made += counts[i].made
		steps += counts[i].steps
		if made > MaxPieces || steps > MaxSteps {
			// Evaluated again, to learn where it made the most.
			var fb flowBudget
			e.evaluate(f, &fb)
			return totalError(f, &fb, made, steps)
		}
	}
	return nil
}

func checkExpectations(exps []*topology.Expectation, results []*Result) []ExpectationResult {
	byID := make(map[string]*Result, len(results))
	for _, r := range results {
		byID[r.Flow.ID] = r
	}
	out := make([]ExpectationResult, len(exps))
	for i, x := range exps {
		er := ExpectationResult{Expectation: x}
		if r, ok := byID[x.Flow]; ok {
			er.Found, er.Got, er.OK = true, r.Verdict, r.Verdict == x.Verdict
		}
		out[i] = er
	}
	return out
}

func summarizeReport(r *Report) Summary {
	var s Summary
	s.Flows = len(r.Results)
	for _, res := range r.Results {
		switch res.Verdict {
		case topology.VerdictAllow:
			s.Allowed++
		case topology.VerdictDeny:
			s.Denied++
		case topology.VerdictPartial:
			s.Partial++
		case topology.VerdictNoTraffic:
			s.NoTraffic++
		}
		if res.Intended {
			s.Intended++
			continue
		}
		if res.Blocked() {
			switch res.Flow.Requirement {
			case topology.Required:
				s.RequiredBlocked++
			case topology.Recommended:
				s.RecommendedBlocked++
			}
		}
	}
	for _, x := range r.Expectations {
		if !x.OK {
			s.ExpectationsFailed++
		}
	}
	for _, f := range r.Findings {
		if f.Severity == SeverityError {
			s.Errors++
		}
	}
	return s
}
