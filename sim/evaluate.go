package sim

import (
	"cmp"
	"slices"
	"sync"

	"github.com/nsgsim/nsgsim/topology"
)

// Hop is one NSG on a flow's path and the rule that decided there.
type Hop struct {
	NSG       *topology.NetworkSecurityGroup
	At        string // "subnet hub/AzureBastionSubnet" or "nic vm-web-1"
	Direction topology.Direction
	Rule      *topology.SecurityRule
}

// Access is the decision at this hop.
func (h Hop) Access() topology.Access { return h.Rule.Access }

// Segment is a part of a flow's address and port space with one decision:
// every packet from Source, from a port in SourcePorts, to Destination takes
// the same path to the same verdict.
type Segment struct {
	Protocol    topology.Protocol // concrete: a "*" flow has segments per protocol
	Source      Set
	SourcePorts Set
	Destination Set
	Access      topology.Access
	Hops        []Hop // NSGs passed, up to and including the first Deny
}

// Result is the verdict of one flow with the trace that decided it. Every
// output of nsgsim (table, JSON, diagram, trace) is built from Results.
type Result struct {
	Flow     *Flow
	Verdict  topology.Verdict
	Hops     []Hop     // the deciding path; for Partial, the path of a denied part
	Segments []Segment // every part with its own decision, in address order
	Source   Set       // all source addresses of the flow
	Dest     Set       // all destination addresses
	// Intended is set by Simulate when an expectation with intended: true
	// holds for this blocked flow (see intended.go).
	Intended bool
	// cost is what deciding the flow took, for the budgets of a revision
	// that keeps this result (budget_pieces.go).
	cost flowCount
}

// Blocked reports whether a flow does not fully pass: Deny, or Partial,
// which counts as blocked in the summary (SPEC 2.3). A flow with no traffic
// is not blocked: a warning finding says why it has none.
func (r *Result) Blocked() bool {
	return r.Verdict == topology.VerdictDeny || r.Verdict == topology.VerdictPartial
}

// Allowed returns the union of the source addresses of the allowed segments.
func (r *Result) Allowed() (src, dst Set) { return r.union(topology.Allow) }

// Denied returns the union of the source addresses of the denied segments.
func (r *Result) Denied() (src, dst Set) { return r.union(topology.Deny) }

func (r *Result) union(a topology.Access) (src, dst Set) {
	for _, s := range r.Segments {
		if s.Access == a {
			src, dst = src.Union(s.Source), dst.Union(s.Destination)
		}
	}
	return src, dst
}

// attachment is where an address sits: in a subnet, and on a VM's NIC or not.
type attachment struct {
	subnet *subnetInfo
	vm     *vmInfo // nil for a Bastion host or another address in the subnet
}

// part is a piece of an endpoint with one attachment (nil: outside Azure).
type part struct {
	set Set
	at  *attachment
	// group, when it has more than one VM, is the VMs that share this part:
	// one subnet, one NIC NSG; at is the first's (see splitGroups).
	group []*vmInfo
}

// gate is one NSG evaluation on a path.
type gate struct {
	nsg *compiledNSG
	at  string
	dir topology.Direction
}

// Evaluate decides a flow over all its addresses and source ports; a flow
// on protocol "*" is decided once per protocol (protocols.go). It fails,
// with the position of the rule that went over, when deciding the flow
// would make more than MaxFlowPieces pieces or take more than MaxFlowSteps
// steps (budget_pieces.go).
func (e *Engine) Evaluate(f *Flow) (*Result, error) {
	var fb flowBudget
	return e.evaluateCounted(f, &fb)
}

// evaluateCounted is Evaluate, counting in fb what it makes.
func (e *Engine) evaluateCounted(f *Flow, fb *flowBudget) (*Result, error) {
	res := e.evaluate(f, fb)
	fb.flush()
	switch {
	case fb.abandoned:
		return nil, errAbandoned
	case fb.stopped():
		return nil, fb.err(f)
	}
	res.cost = flowCount{fb.made, fb.steps}
	return res, nil
}

// evaluate is Evaluate, charging the pieces and steps to fb; once fb has
// stopped the evaluation, the result is incomplete.
func (e *Engine) evaluate(f *Flow, fb *flowBudget) *Result {
	if f.Protocol == topology.Any {
		return e.evaluateEachProtocol(f, fb)
	}
	srcParts, dstParts := e.flowParts(f)
	ports := PortSet(f.SourcePorts)
	res := &Result{Flow: f, Source: unionOf(srcParts), Dest: unionOf(dstParts)}
	for _, sp := range srcParts {
		for _, dp := range dstParts {
			segs := e.evaluatePair(f, sp, ports, dp, fb)
			if fb.stopped() {
				return res
			}
			if res.Segments == nil {
				res.Segments = segs
				continue
			}
			res.Segments = append(res.Segments, segs...)
		}
	}
	res.Segments = splitGroups(res.Segments, srcParts, dstParts)
	for i := range res.Segments {
		res.Segments[i].Protocol = f.Protocol
	}
	if len(res.Segments) < 2 {
		res.Verdict, res.Hops = summarize(res.Segments)
		return res
	}
	slices.SortStableFunc(res.Segments, func(a, b Segment) int {
		return cmp.Or(cmp.Compare(a.Source.First(), b.Source.First()),
			cmp.Compare(a.Destination.First(), b.Destination.First()),
			cmp.Compare(a.SourcePorts.First(), b.SourcePorts.First()))
	})
	res.Verdict, res.Hops = summarize(res.Segments)
	return res
}

// unionOf returns the union of the parts' sets; one part's set is shared,
// not copied (sets are values).
func unionOf(parts []part) Set {
	if len(parts) == 1 {
		return parts[0].set
	}
	var s Set
	for _, p := range parts {
		s = s.Union(p.set)
	}
	return s
}

// summarize combines segment decisions into a verdict: Allow when all are
// allowed, Deny when none is, Partial otherwise; and picks the path to show.
func summarize(segs []Segment) (topology.Verdict, []Hop) {
	allowed, denied := -1, -1
	for i, s := range segs {
		if s.Access == topology.Allow && allowed < 0 {
			allowed = i
		}
		if s.Access == topology.Deny && denied < 0 {
			denied = i
		}
	}
	switch {
	case denied < 0 && allowed < 0:
		// An endpoint with no address: no traffic, no verdict (SPEC 2.3).
		return topology.VerdictNoTraffic, nil
	case denied < 0:
		return topology.VerdictAllow, segs[allowed].Hops
	case allowed < 0:
		return topology.VerdictDeny, segs[denied].Hops
	}
	return topology.VerdictPartial, segs[denied].Hops
}

// gates returns the NSGs a packet meets from src to dst, in order: the
// source NIC's NSG and the source subnet's NSG outbound, then the destination
// subnet's NSG and NIC's NSG inbound. A missing NSG passes. Intra-subnet
// traffic takes the full path. Source: "How network security groups filter
// network traffic",
// https://learn.microsoft.com/en-us/azure/virtual-network/network-security-group-how-it-works
func (e *Engine) gates(src, dst *attachment) []gate { return e.gatesInto(nil, src, dst) }

// gatesInto appends the gates from src to dst to g.
func (e *Engine) gatesInto(g []gate, src, dst *attachment) []gate {
	if src != nil {
		if src.vm != nil && src.vm.nic != noNSG {
			g = append(g, gate{e.nsgs[src.vm.nic], src.vm.nicLabel, topology.Outbound})
		}
		if src.subnet.nsg != noNSG {
			g = append(g, gate{e.nsgs[src.subnet.nsg], src.subnet.label, topology.Outbound})
		}
	}
	if dst != nil {
		if dst.subnet.nsg != noNSG {
			g = append(g, gate{e.nsgs[dst.subnet.nsg], dst.subnet.label, topology.Inbound})
		}
		if dst.vm != nil && dst.vm.nic != noNSG {
			g = append(g, gate{e.nsgs[dst.vm.nic], dst.vm.nicLabel, topology.Inbound})
		}
	}
	return g
}

func subnetLabel(si *subnetInfo) string {
	return "subnet " + si.vnet.vnet.Name + "/" + si.subnet.Name
}

func nicLabel(vm *topology.VirtualMachine) string { return "nic " + vm.Name }

// evaluatePair decides every packet from one source part to one
// destination part, a box of sources × source ports × destinations for the
// flow's protocol and port. Each NSG on the path partitions the box by
// first match (partition, box.go): walking its rules in order, each takes
// what it matches of what is left. The pieces an NSG allows go on to the
// next NSG; a Deny ends a piece's path. The cost follows the pieces, the
// distinct decisions and the rules that meet them, not the product of the
// points where rules cut the three axes.
//
// The pieces with the same decision (the same rule at each NSG) are then
// joined into the boxes that merging the cells of a grid would give
// (joinPieces), so the segments are exactly those of deciding one packet
// per cell of the grid that every rule's bounds cut, as nsgsim first did.
//
// The pieces and steps are charged to fb; once fb has stopped the
// evaluation, evaluatePair returns nil.
func (e *Engine) evaluatePair(f *Flow, src part, ports Set, dst part, fb *flowBudget) []Segment {
	if src.set.IsEmpty() || dst.set.IsEmpty() || ports.IsEmpty() {
		return nil
	}
	sc := scratchPool.Get().(*evalScratch)
	defer scratchPool.Put(sc)
	var buf [4]gate
	path := e.gatesInto(buf[:0], src.at, dst.at)
	whole := box{src.set, ports, dst.set}
	open, done := append(sc.open[:0], piece{b: whole}), sc.done[:0]
	if len(path) == 0 {
		done, open = append(done, open...), open[:0]
	}
	for i, g := range path {
		next := sc.next2[:0]
		for _, pc := range open {
			sc.parts = g.nsg.partition(g.dir, f.Protocol, f.Port, pc.b, sc, fb, sc.parts[:0])
			if fb.stopped() {
				sc.open, sc.done = open[:0], done[:0]
				return nil
			}
			for _, t := range sc.parts {
				np := piece{b: t.b, dec: pc.dec}
				np.dec.rules[i] = t.rule
				np.dec.n = i + 1
				if t.rule.rule.Access == topology.Deny || i == len(path)-1 {
					done = append(done, np)
				} else {
					next = append(next, np)
				}
			}
		}
		sc.next2, open = open, next
	}
	sc.open, sc.done = open, done

	// Group the pieces by decision, in order of first appearance: by a
	// scan of the few decisions there usually are, then by a map.
	decs := sc.decs[:0]
	var byDec map[decision]int
	for _, pc := range done {
		k := -1
		if byDec != nil {
			if i, ok := byDec[pc.dec]; ok {
				k = i
			}
		} else {
			k = slices.IndexFunc(decs, func(d decisionBoxes) bool { return d.dec == pc.dec })
		}
		if k < 0 {
			decs = append(decs, decisionBoxes{dec: pc.dec})
			k = len(decs) - 1
			if byDec != nil {
				byDec[pc.dec] = k
			} else if len(decs) > 8 {
				byDec = make(map[decision]int, 2*len(decs))
				for i, d := range decs {
					byDec[d.dec] = i
				}
			}
		}
		decs[k].boxes = append(decs[k].boxes, pc.b)
	}
	sc.decs = decs
	segs := make([]Segment, 0, len(decs))
	for _, d := range decs {
		dec := d.dec
		hops := make([]Hop, dec.n)
		access := topology.Allow
		for i := 0; i < dec.n; i++ {
			g, r := path[i], dec.rules[i]
			hops[i] = Hop{NSG: g.nsg.nsg, At: g.at, Direction: g.dir, Rule: r.rule}
			access = r.rule.Access
		}
		if len(decs) == 1 {
			// Every packet decides alike: the whole box.
			segs = append(segs, Segment{Source: src.set, SourcePorts: ports, Destination: dst.set, Access: access, Hops: hops})
			break
		}
		joined, ok := joinPieces(d.boxes, fb)
		if !ok {
			last := dec.rules[dec.n-1]
			fb.over = ruleAt{path[dec.n-1].nsg.nsg, last.rule}
			return nil
		}
		for _, b := range joined {
			segs = append(segs, Segment{Source: b.src, SourcePorts: b.ports, Destination: b.dst, Access: access, Hops: hops})
		}
	}
	return segs
}

// evalScratch holds the buffers of one evaluatePair call.
type evalScratch struct {
	open, next2, done []piece
	parts             []decided
	rest, next        []box // partition's
	among             []int // partition's
	decs              []decisionBoxes
}

// decisionBoxes is a decision and the pieces that have it.
type decisionBoxes struct {
	dec   decision
	boxes []box
}

var scratchPool = sync.Pool{New: func() any { return new(evalScratch) }}

// piece is a box of packets with the decision taken on it so far.
type piece struct {
	b   box
	dec decision
}

// decision is the rule that decided at each gate of a path, up to the first
// Deny.
type decision struct {
	n     int
	rules [4]*compiledRule
}

// box is a set of packets of one flow: sources × source ports ×
// destinations.
type box struct{ src, ports, dst Set }

// joinPieces returns the boxes of disjoint pieces that share a decision,
// joined the way merging the cells of any grid on which they are whole
// would join them: for each destination and source port, the sources; then,
// per destination, the source ports with the same sources; then the
// destinations with the same sources and source ports. Each step is defined
// point by point, so the boxes do not depend on the grid, and the cells'
// merge (sources first, then ports, then destinations) gives the same.
// They are computed on the pieces' own bounds: destination intervals, and
// within each the source-port intervals of the pieces that cover it.
//
// Each step of the join (a piece or a span looked at) is charged to fb as
// a step; ok is false when they take it past MaxFlowSteps.
func joinPieces(pieces []box, fb *flowBudget) (joined []box, ok bool) {
	if len(pieces) == 1 {
		return pieces, true
	}
	// steps counts the work; past left, the join gives up.
	steps, left := 0, MaxFlowSteps-fb.steps
	defer func() {
		fb.steps += steps
		fb.share(0, steps)
	}()
	// The destination intervals: between consecutive bounds of the pieces'
	// destination sets. Each piece covers whole intervals.
	var dcuts []Point
	for _, b := range pieces {
		dcuts = b.dst.cuts(dcuts)
	}
	steps += len(dcuts)
	dcuts = uniq(dcuts)
	covering := make([][]int, len(dcuts)) // interval k: the pieces that cover it
	for i, b := range pieces {
		for _, sp := range b.dst.spans {
			k0, _ := slices.BinarySearch(dcuts, sp.lo)
			k := k0
			for ; dcuts[k] <= sp.hi; k++ {
				covering[k] = append(covering[k], i)
			}
			if steps += 1 + k - k0; steps > left {
				return nil, false
			}
		}
	}
	type key struct{ src, ports uint64 } // hashes
	type srcPorts struct {
		src, ports Set
		dst        []span
	}
	var out []*srcPorts
	bySrcPorts := make(map[key][]*srcPorts)
	var pcuts []Point
	var spans []span
	for k, in := range covering {
		if len(in) == 0 {
			continue
		}
		d := span{dcuts[k], dcuts[k+1] - 1}
		// Source-port intervals of the pieces covering d, and for each the
		// union of their sources.
		pcuts = pcuts[:0]
		for _, i := range in {
			pcuts = pieces[i].ports.cuts(pcuts)
		}
		pcuts = uniq(pcuts)
		type srcSet struct {
			src   Set
			ports []span
		}
		var row []*srcSet
		bySrc := make(map[uint64][]*srcSet)
		for j := 0; j+1 < len(pcuts); j++ {
			p := span{pcuts[j], pcuts[j+1] - 1}
			spans = spans[:0]
			for _, i := range in {
				if pieces[i].ports.Contains(p.lo) {
					spans = append(spans, pieces[i].src.spans...)
				}
			}
			if steps += len(in) + len(spans); steps > left {
				return nil, false
			}
			if len(spans) == 0 {
				continue
			}
			// Normalized in place; kept (cloned) only when new.
			src := normalize(spans)
			h := src.hash(0)
			var at *srcSet
			for _, x := range bySrc[h] {
				if x.src.Equal(src) {
					at = x
					break
				}
			}
			if at == nil {
				at = &srcSet{src: Set{slices.Clone(src.spans)}}
				bySrc[h] = append(bySrc[h], at)
				row = append(row, at)
			}
			at.ports = append(at.ports, p)
		}
		for _, x := range row {
			ports := normalize(x.ports)
			kk := key{x.src.hash(0), ports.hash(0)}
			var at *srcPorts
			for _, y := range bySrcPorts[kk] {
				if y.src.Equal(x.src) && y.ports.Equal(ports) {
					at = y
					break
				}
			}
			if at == nil {
				at = &srcPorts{src: x.src, ports: ports}
				bySrcPorts[kk] = append(bySrcPorts[kk], at)
				out = append(out, at)
			}
			at.dst = append(at.dst, d)
		}
		if steps += len(row); steps > left {
			return nil, false
		}
	}
	boxes := make([]box, len(out))
	for i, x := range out {
		boxes[i] = box{x.src, x.ports, normalize(x.dst)}
	}
	return boxes, true
}
