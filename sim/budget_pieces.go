package sim

import (
	"errors"
	"fmt"
	"sync/atomic"

	"github.com/nsgsim/nsgsim/topology"
)

// Budgets on pieces. Evaluation decides a flow by splitting its box of
// sources × source ports × destinations into pieces at each NSG on its
// path, each rule taking what it matches of what the rules before it left
// (partition, box.go), and then joins the pieces decided alike
// (joinPieces). Its work is counted in pieces made and in steps: a piece
// compared with a rule, or looked at by the join.
//
// Rules of real NSGs cut a flow into a few pieces: in the 50,000-VM,
// 2,000-NSG, 200-rule topology of `nsgsim gen --seed 1 --vnets 200
// --subnets 4000 --vms 50000 --rules-per-nsg 200 --nsgs 2000`, no flow
// makes more than 6 pieces and 11 steps, and all 50,028 flows make 5,714
// pieces and 104,594 steps. A rule with its own /32 source, source port and
// /32 destination adds four pieces to a flow that it cuts: an NSG of 1,000
// such rules (Azure's most) makes 4,000 pieces and 6 million steps. But
// rules whose source, source-port and destination ranges are staggered, so
// that each cuts every piece the rules before it left, make pieces that grow
// with the cube of the rules: 100 such rules make 187,000 pieces, 200 make
// 1.4 million (800 MB of allocations), 1,000 would make 170 million and run
// out of memory; and the join of n pieces can take up to n² steps. The
// budgets stop an evaluation at the rule that goes over, with its position,
// long before that.
//
// A piece is made and joined in about 0.4 µs and 300 bytes of allocations,
// mostly garbage at once; a step takes under 10 ns. The limits below hold
// one flow to about half a CPU-second and 60 MB, and a simulation to about
// 2 CPU-seconds and 500 MB allocated (the corpus cases staggered-rules-*
// and staircase-* in cmd/nsgsim/testdata/bad, and BenchmarkPieceBudget,
// measure them), while the estate above stays 16,000 times within the
// budgets of a flow and 175 times within those of all flows.
const (
	// MaxFlowPieces is the most pieces the evaluation of one flow may make.
	MaxFlowPieces = 100_000
	// MaxFlowSteps is the most steps the evaluation of one flow may take.
	MaxFlowSteps = 50_000_000
	// MaxPieces is the most pieces the evaluation of a set of flows (those
	// of a simulation, or those a check evaluates) may make in all; it also
	// bounds the segments their results keep.
	MaxPieces = 1_000_000
	// MaxSteps is the most steps the evaluation of a set of flows may take
	// in all.
	MaxSteps = 250_000_000
)

// flowCount is what the evaluation of a flow, or of several, took.
type flowCount struct{ made, steps int }

// add returns the sum of c and d.
func (c flowCount) add(d flowCount) flowCount { return flowCount{c.made + d.made, c.steps + d.steps} }

// flowBudget counts what one flow's evaluation makes: the pieces and the
// steps, and where it made the most of each at once, which an error about
// the totals names.
type flowBudget struct {
	made, steps int
	// topMade and topSteps are the rules whose one step over a flow's
	// pieces made the most pieces and steps; the first on a tie.
	topMade, topSteps   ruleAt
	topMadeN, topStepsN int
	// over is the rule that took the flow past MaxFlowPieces or
	// MaxFlowSteps; its rule is nil while within them.
	over ruleAt
	// shared, when not nil, is the running total of the flows evaluated
	// together with this one. Once it passes MaxPieces or MaxSteps the
	// evaluation is abandoned (abandoned), so that what all the workers
	// hold at once stays near those budgets.
	shared    *sharedTotal
	abandoned bool
	// unshared is what the flow made since it last added to shared: a
	// flow adds in batches of shareEvery, and at its end.
	unshared flowCount
}

// shareEvery is how many pieces or steps a flow makes before it adds them
// to the shared total: few enough that the workers' batches are nothing
// beside MaxPieces and MaxSteps, many enough that the workers of a real
// topology, whose flows make a few pieces and steps, seldom touch it.
var shareEvery = flowCount{made: 256, steps: 4096}

// sharedTotal is what the flows evaluated together have taken so far.
type sharedTotal struct{ made, steps atomic.Int64 }

// add adds pieces and steps, and reports whether the total stays within
// MaxPieces and MaxSteps.
func (t *sharedTotal) add(made, steps int) bool {
	return t.made.Add(int64(made)) <= MaxPieces && t.steps.Add(int64(steps)) <= MaxSteps
}

// ruleAt is a rule of an NSG.
type ruleAt struct {
	nsg  *topology.NetworkSecurityGroup
	rule *topology.SecurityRule
}

// pos is where the rule is written, or its NSG for a default rule.
func (r ruleAt) pos() topology.Pos {
	if r.rule.Default || r.rule.Pos == (topology.Pos{}) {
		return r.nsg.Pos
	}
	return r.rule.Pos
}

// String names the rule for a message: rule "NAME" of network security
// group "NSG", or default rule "NAME" of it.
func (r ruleAt) String() string {
	what := "rule"
	if r.rule.Default {
		what = "default rule"
	}
	return fmt.Sprintf("%s %q of network security group %q", what, r.rule.Name, r.nsg.Name)
}

// charge adds the pieces made and the steps taken by rule r's step over the
// pieces of a flow in NSG n, and reports whether the flow is still within
// its budgets; when not, it records the rule as over.
func (fb *flowBudget) charge(made, steps int, n *compiledNSG, r *compiledRule) bool {
	fb.made += made
	fb.steps += steps
	if made > fb.topMadeN {
		fb.topMade, fb.topMadeN = ruleAt{n.nsg, r.rule}, made
	}
	if steps > fb.topStepsN {
		fb.topSteps, fb.topStepsN = ruleAt{n.nsg, r.rule}, steps
	}
	if fb.made > MaxFlowPieces || fb.steps > MaxFlowSteps {
		fb.over = ruleAt{n.nsg, r.rule}
		return false
	}
	return fb.share(made, steps)
}

// share adds pieces and steps to the shared total, if any, in batches of
// shareEvery, and reports whether it stays within its budgets; when not,
// the flow is abandoned.
func (fb *flowBudget) share(made, steps int) bool {
	if fb.shared == nil {
		return true
	}
	fb.unshared = fb.unshared.add(flowCount{made, steps})
	if fb.unshared.made >= shareEvery.made || fb.unshared.steps >= shareEvery.steps {
		fb.flush()
	}
	return !fb.abandoned
}

// flush adds what the flow made since it last did to the shared total.
func (fb *flowBudget) flush() {
	if fb.shared != nil && !fb.shared.add(fb.unshared.made, fb.unshared.steps) {
		fb.abandoned = true
	}
	fb.unshared = flowCount{}
}

// stopped reports whether the flow's evaluation stopped before its end:
// past MaxFlowPieces or MaxFlowSteps, or abandoned.
func (fb *flowBudget) stopped() bool { return fb.over.rule != nil || fb.abandoned }

// errAbandoned is the error of a flow abandoned because the flows evaluated
// with it went past MaxPieces or MaxSteps: not the flow's own error.
var errAbandoned = errors.New("abandoned: the flows evaluated with it went past their budgets")

// advice is what every budget error expects instead.
const advice = "expected rules whose source, source port and destination ranges cross one another less (each rule that cuts the pieces the rules before it left multiplies them): merge overlapping ranges, or split the topology"

// err is the error of a flow over MaxFlowPieces or MaxFlowSteps, at the
// rule that took it over.
func (fb *flowBudget) err(f *Flow) error {
	r := fb.over
	if fb.made > MaxFlowPieces {
		return fmt.Errorf("%s: %s takes flow %q past %d pieces (parts of its addresses and ports that its NSGs decide apart); nsgsim decides one flow in at most %d pieces: %s",
			r.pos(), r, f.ID, MaxFlowPieces, MaxFlowPieces, advice)
	}
	return fmt.Errorf("%s: %s takes flow %q past %d steps (a piece compared with a rule, or joined with the pieces decided alike); nsgsim takes at most %d steps for one flow: %s",
		r.pos(), r, f.ID, MaxFlowSteps, MaxFlowSteps, advice)
}

// totalError is the error of flow f, whose evaluation fb took the flows'
// pieces to made, or their steps to steps, past MaxPieces or MaxSteps:
// at the rule that made the most of them at once in f.
func totalError(f *Flow, fb *flowBudget, made, steps int) error {
	if made > MaxPieces {
		r := fb.topMade
		return fmt.Errorf("%s: flow %q takes the pieces of all flows past %d (it makes %d, the most at once at %s); nsgsim decides at most %d pieces per topology: %s",
			r.pos(), f.ID, MaxPieces, fb.made, r, MaxPieces, advice)
	}
	r := fb.topSteps
	return fmt.Errorf("%s: flow %q takes the steps of all flows past %d (it takes %d, the most at once at %s); nsgsim takes at most %d steps per topology: %s",
		r.pos(), f.ID, MaxSteps, fb.steps, r, MaxSteps, advice)
}
