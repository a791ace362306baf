package sim

import (
	"runtime"
	"sync"
	"sync/atomic"

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
func Simulate(t *topology.Topology) (*Report, error) {
	e, err := Compile(t)
	if err != nil {
		return nil, err
	}
	return e.Simulate(), nil
}

// Simulate evaluates every flow of the engine's topology.
func (e *Engine) Simulate() *Report { return e.SimulateProgress(nil) }

// SimulateProgress is Simulate, calling progress(done, total) as the flows
// are decided, from several goroutines at once, and last with done == total
// before the findings are checked. A nil progress is not called.
func (e *Engine) SimulateProgress(progress func(done, total int)) *Report {
	flows := flowsOf(e.topo, e.net)
	results := e.evaluateAll(flows, progress)
	r := &Report{Topology: e.topo, Engine: e, Results: results}
	r.Expectations = checkExpectations(e.topo.Expectations, results)
	markIntended(r)
	r.Findings = e.Findings(r.Results)
	r.Summary = summarizeReport(r)
	return r
}

// EvaluateAll evaluates flows in parallel; results keep the flows' order.
func (e *Engine) EvaluateAll(flows []*Flow) []*Result { return e.evaluateAll(flows, nil) }

// evaluateAll hands out flows in chunks to one worker per core.
func (e *Engine) evaluateAll(flows []*Flow, progress func(done, total int)) []*Result {
	const chunk = 64
	results := make([]*Result, len(flows))
	workers := min(runtime.GOMAXPROCS(0), (len(flows)+chunk-1)/chunk)
	var next, done atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				lo := int(next.Add(chunk)) - chunk
				if lo >= len(flows) {
					return
				}
				hi := min(lo+chunk, len(flows))
				for i := lo; i < hi; i++ {
					results[i] = e.Evaluate(flows[i])
				}
				if progress != nil {
					if d := int(done.Add(int64(hi - lo))); d < len(flows) {
						progress(d, len(flows))
					}
				}
			}
		}()
	}
	wg.Wait()
	if progress != nil {
		progress(len(flows), len(flows))
	}
	return results
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
