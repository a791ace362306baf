package sim

import (
	"fmt"

	"github.com/nsgsim/nsgsim/topology"
)

// Budgets on pieces. Evaluation decides a flow by splitting its box of
// sources × source ports × destinations into pieces at each NSG on its
// path, each rule taking what it matches of what the rules before it left
// (partition, box.go), and joining the pieces that end alike. Rules of real
// NSGs cut a flow into a few pieces: in the 50,000-VM, 2,000-NSG,
// 200-rule topology of `nsgsim gen --seed 1 --vnets 200 --subnets 4000
// --vms 50000 --rules-per-nsg 200 --nsgs 2000`, no flow makes more than 6
// pieces and 11 visits, and all 50,028 flows make 5,714 pieces and 104,594
// visits; a rule on its own /32 source, source port and /32 destination
// adds two pieces to a flow that crosses it (500 such rules: 2,002 pieces
// and 253,007 visits). But rules whose ranges of sources, source ports and
// destinations are staggered, so that each crosses every piece the rules
// before it left, make pieces that grow with the cube of the rules: 100
// such rules make 187,000 pieces, 200 make 1.4 million (800 MB of
// allocations), 1,000 would make 170 million and run out of memory. The
// budgets stop an evaluation at the rule that goes over, with its
// position, long before that.
//
// A piece is made, compared and joined with its like in about 4 µs and 600
// bytes of allocations, most of it garbage at once; a visit, one piece
// compared with one rule, takes a few nanoseconds.
const (
	// MaxFlowPieces is the most pieces the evaluation of one flow may make:
	// about 0.4 CPU-seconds and 60 MB of allocations.
	MaxFlowPieces = 100_000
	// MaxFlowVisits is the most steps the evaluation of one flow may take:
	// a piece compared with a rule, or looked at when the pieces decided
	// alike are joined; about half a CPU-second.
	MaxFlowVisits = 50_000_000
	// MaxPieces is the most pieces the evaluation of a set of flows (those
	// of a simulation, or those a check evaluates) may make in all: about
	// 4 CPU-seconds, and a bound on the segments the results keep.
	MaxPieces = 1_000_000
	// MaxVisits is the most visits the evaluation of a set of flows may
	// make in all: about a CPU-second.
	MaxVisits = 200_000_000
)

// flowBudget counts what one flow's evaluation makes: the pieces and the
// visits, and where it made the most of each at once, which an error about
// the total names.
type flowBudget struct {
	made, visited int
	// topMade and topVisited are the rule steps that made the most pieces
	// and visits; the first in evaluation order on a tie.
	topMade, topVisited   ruleAt
	topMadeN, topVisitedN int
	// over is the rule that took the flow past MaxFlowPieces or
	// MaxFlowVisits; its rule is nil while within them.
	over ruleAt
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

// charge adds the pieces made and the visits of rule r's step over the
// pieces of a flow in NSG n, and reports whether the flow is still within
// its budgets; when not, it records the rule as over.
func (fb *flowBudget) charge(made, visited int, n *compiledNSG, r *compiledRule) bool {
	fb.made += made
	fb.visited += visited
	if made > fb.topMadeN {
		fb.topMade, fb.topMadeN = ruleAt{n.nsg, r.rule}, made
	}
	if visited > fb.topVisitedN {
		fb.topVisited, fb.topVisitedN = ruleAt{n.nsg, r.rule}, visited
	}
	if fb.made > MaxFlowPieces || fb.visited > MaxFlowVisits {
		fb.over = ruleAt{n.nsg, r.rule}
		return false
	}
	return true
}

// isOver reports whether the flow went past MaxFlowPieces or MaxFlowVisits.
func (fb *flowBudget) isOver() bool { return fb.over.rule != nil }

// advice is what every budget error expects instead.
const advice = "expected rules whose source, source port and destination ranges cross one another less (each rule that cuts the pieces the rules before it left multiplies them): merge overlapping ranges, or split the topology"

// err is the error of a flow over MaxFlowPieces or MaxFlowVisits, at the
// rule that took it over.
func (fb *flowBudget) err(f *Flow) error {
	r := fb.over
	if fb.made > MaxFlowPieces {
		return fmt.Errorf("%s: rule %q of network security group %q takes flow %q past %d pieces (parts of its addresses and ports that its NSGs decide apart); nsgsim decides one flow in at most %d pieces: %s",
			r.pos(), r.rule.Name, r.nsg.Name, f.ID, MaxFlowPieces, MaxFlowPieces, advice)
	}
	return fmt.Errorf("%s: rule %q of network security group %q takes flow %q past %d steps (a piece compared with a rule, or joined with the pieces decided alike); nsgsim takes at most %d steps for one flow: %s",
		r.pos(), r.rule.Name, r.nsg.Name, f.ID, MaxFlowVisits, MaxFlowVisits, advice)
}

// totalError is the error of flow f, whose evaluation fb took the flows'
// pieces to made, or their visits to visited, past MaxPieces or MaxVisits:
// at the rule that made the most of them at once in f.
func totalError(f *Flow, fb *flowBudget, made, visited int) error {
	if made > MaxPieces {
		r := fb.topMade
		return fmt.Errorf("%s: flow %q takes the pieces of all flows past %d (it makes %d, the most at once at rule %q of network security group %q); nsgsim decides at most %d pieces per topology: %s",
			r.pos(), f.ID, MaxPieces, fb.made, r.rule.Name, r.nsg.Name, MaxPieces, advice)
	}
	r := fb.topVisited
	return fmt.Errorf("%s: flow %q takes the steps of all flows past %d (it takes %d, the most at once at rule %q of network security group %q); nsgsim takes at most %d steps per topology: %s",
		r.pos(), f.ID, MaxVisits, fb.visited, r.rule.Name, r.nsg.Name, MaxVisits, advice)
}
