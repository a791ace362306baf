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
// on protocol "*" is decided once per protocol (protocols.go).
func (e *Engine) Evaluate(f *Flow) *Result {
	if f.Protocol == topology.Any {
		return e.evaluateEachProtocol(f)
	}
	srcParts, dstParts := e.flowParts(f)
	ports := PortSet(f.SourcePorts)
	res := &Result{Flow: f, Source: unionOf(srcParts), Dest: unionOf(dstParts)}
	for _, sp := range srcParts {
		for _, dp := range dstParts {
			segs := e.evaluatePair(f, sp, ports, dp)
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
func gates(src, dst *attachment) []gate { return gatesInto(nil, src, dst) }

// gatesInto appends the gates from src to dst to g.
func gatesInto(g []gate, src, dst *attachment) []gate {
	if src != nil {
		if src.vm != nil && src.vm.nic != nil {
			g = append(g, gate{src.vm.nic, src.vm.nicLabel, topology.Outbound})
		}
		if src.subnet.nsg != nil {
			g = append(g, gate{src.subnet.nsg, src.subnet.label, topology.Outbound})
		}
	}
	if dst != nil {
		if dst.subnet.nsg != nil {
			g = append(g, gate{dst.subnet.nsg, dst.subnet.label, topology.Inbound})
		}
		if dst.vm != nil && dst.vm.nic != nil {
			g = append(g, gate{dst.vm.nic, dst.vm.nicLabel, topology.Inbound})
		}
	}
	return g
}

func subnetLabel(si *subnetInfo) string {
	return "subnet " + si.vnet.vnet.Name + "/" + si.subnet.Name
}

func nicLabel(vm *topology.VirtualMachine) string { return "nic " + vm.Name }

// evaluatePair decides every packet from one source part to one destination
// part. The address and port axes are cut wherever a rule on the path starts
// or stops matching, so that every cell of the grid is decided the same way
// for all its packets; one packet per cell is evaluated, and cells with the
// same decision are merged back into segments.
//
// Only the rules that can match the flow's protocol and destination port
// cut the axes, and only cuts inside a part's range can split it; each
// NSG keeps these cuts per protocol and port (gateCuts). Buffers come from
// a pool, so a flow whose cells all decide alike costs a few allocations
// for its segment.
func (e *Engine) evaluatePair(f *Flow, src part, ports Set, dst part) []Segment {
	if src.set.IsEmpty() || dst.set.IsEmpty() || ports.IsEmpty() {
		return nil
	}
	sc := scratchPool.Get().(*evalScratch)
	defer scratchPool.Put(sc)
	path := gatesInto(sc.path[:0], src.at, dst.at)
	sc.path = path
	dport := Point(f.Port)
	// Each gate's cuts, sorted, are cached for the flow's protocol and port;
	// the cuts inside a part's range are a window of them.
	sLo, sHi := src.set.First(), src.set.last()
	pLo, pHi := ports.First(), ports.last()
	dLo, dHi := dst.set.First(), dst.set.last()
	var srcLists, portLists, dstLists [4][]Point
	for i, g := range path {
		gc := g.nsg.cutsFor(g.dir, f.Protocol, f.Port)
		srcLists[i] = window(gc.src, sLo, sHi)
		portLists[i] = window(gc.sport, pLo, pHi)
		dstLists[i] = window(gc.dst, dLo, dHi)
	}
	n := len(path)
	sc.srcCuts = mergeSorted(sc.srcCuts[:0], srcLists[:n])
	sc.portCuts = mergeSorted(sc.portCuts[:0], portLists[:n])
	sc.dstCuts = mergeSorted(sc.dstCuts[:0], dstLists[:n])
	srcCells := src.set.splitSpans(sc.srcCuts, sc.srcCells[:0])
	portCells := ports.splitSpans(sc.portCuts, sc.portCells[:0])
	dstCells := dst.set.splitSpans(sc.dstCuts, sc.dstCells[:0])
	sc.srcCells, sc.portCells, sc.dstCells = srcCells, portCells, dstCells

	// Decide one packet per cell; cells are numbered source-major, then
	// source port, then destination.
	decs := sc.decs[:0]
	cellDec := sc.cellDec[:0]
	for _, s := range srcCells {
		for _, pc := range portCells {
			for _, d := range dstCells {
				var dec decision
				for _, g := range path {
					r := g.nsg.decide(g.dir, f.Protocol, s.lo, pc.lo, d.lo, dport)
					dec.rules[dec.n] = r
					dec.n++
					if r.rule.Access == topology.Deny {
						break
					}
				}
				k := slices.Index(decs, dec)
				if k < 0 {
					k = len(decs)
					decs = append(decs, dec)
				}
				cellDec = append(cellDec, k)
			}
		}
	}
	sc.decs, sc.cellDec = decs, cellDec

	segs := make([]Segment, 0, len(decs))
	for k, dec := range decs {
		hops := make([]Hop, dec.n)
		access := topology.Allow
		for i := 0; i < dec.n; i++ {
			g, r := path[i], dec.rules[i]
			hops[i] = Hop{NSG: g.nsg.nsg, At: g.at, Direction: g.dir, Rule: r.rule}
			access = r.rule.Access
		}
		if len(decs) == 1 {
			// Every cell decides alike: merging the whole grid gives back
			// the whole box.
			segs = append(segs, Segment{Source: src.set, SourcePorts: ports, Destination: dst.set, Access: access, Hops: hops})
			break
		}
		if n := len(srcCells) * len(portCells) * len(dstCells); n == len(srcCells) || n == len(portCells) || n == len(dstCells) {
			// The cells lie along one axis: merging joins this decision's
			// cells into one box, their union along that axis.
			seg := Segment{Source: src.set, SourcePorts: ports, Destination: dst.set, Access: access, Hops: hops}
			switch {
			case len(srcCells) > 1:
				seg.Source = lineUnion(srcCells, cellDec, k)
			case len(portCells) > 1:
				seg.SourcePorts = lineUnion(portCells, cellDec, k)
			default:
				seg.Destination = lineUnion(dstCells, cellDec, k)
			}
			segs = append(segs, seg)
			continue
		}
		var boxes []box
		c := 0
		for _, s := range srcCells {
			for _, pc := range portCells {
				for _, d := range dstCells {
					if cellDec[c] == k {
						boxes = append(boxes, box{spanSet(s), spanSet(pc), spanSet(d)})
					}
					c++
				}
			}
		}
		for _, b := range mergeBoxes(boxes) {
			segs = append(segs, Segment{Source: b.src, SourcePorts: b.ports, Destination: b.dst, Access: access, Hops: hops})
		}
	}
	return segs
}

// lineUnion returns the union of the cells with decision k when the cells
// lie along one axis (the other two have one cell each, which is their whole
// set): what mergeBoxes makes of them. The cells come in increasing order.
func lineUnion(cells []span, cellDec []int, k int) Set {
	var spans []span
	for c, sp := range cells {
		if cellDec[c] != k {
			continue
		}
		if n := len(spans); n > 0 && spans[n-1].hi+1 == sp.lo {
			spans[n-1].hi = sp.hi
			continue
		}
		spans = append(spans, sp)
	}
	return Set{spans}
}

// decision is the rule that decided at each gate of a path, up to the first
// Deny.
type decision struct {
	n     int
	rules [4]*compiledRule
}

// evalScratch holds the buffers of one evaluatePair call.
type evalScratch struct {
	path                          []gate
	srcCuts, portCuts, dstCuts    []Point
	srcCells, portCells, dstCells []span
	decs                          []decision
	cellDec                       []int
}

var scratchPool = sync.Pool{New: func() any { return new(evalScratch) }}

type box struct{ src, ports, dst Set }

// mergeBoxes joins boxes that differ along one axis only, one axis at a time:
// sources first, then ports, then destinations.
func mergeBoxes(boxes []box) []box {
	boxes = mergeAlong(boxes, axisOf(0))
	boxes = mergeAlong(boxes, axisOf(1))
	return mergeAlong(boxes, axisOf(2))
}

// axisOf returns a box's sets with the one merged along, i, first.
func axisOf(i int) func(*box) (along, a, b *Set) {
	switch i {
	case 0:
		return func(x *box) (*Set, *Set, *Set) { return &x.src, &x.ports, &x.dst }
	case 1:
		return func(x *box) (*Set, *Set, *Set) { return &x.ports, &x.src, &x.dst }
	}
	return func(x *box) (*Set, *Set, *Set) { return &x.dst, &x.src, &x.ports }
}

// mergeAlong merges each box into the first earlier box whose other two
// sets are equal, uniting the sets along the axis; boxes keep the order in
// which their other sets first appear. Earlier boxes are found by a hash of
// the other two sets.
func mergeAlong(boxes []box, axis func(*box) (along, a, b *Set)) []box {
	var out []box
	seen := make(map[uint64][]int, len(boxes))
	for _, b := range boxes {
		_, ba, bb := axis(&b)
		h := ba.hash(bb.hash(0))
		merged := false
		for _, i := range seen[h] {
			o := &out[i]
			along, oa, ob := axis(o)
			if oa.Equal(*ba) && ob.Equal(*bb) {
				bAlong, _, _ := axis(&b)
				*along = along.Union(*bAlong)
				merged = true
				break
			}
		}
		if !merged {
			seen[h] = append(seen[h], len(out))
			out = append(out, b)
		}
	}
	return out
}
