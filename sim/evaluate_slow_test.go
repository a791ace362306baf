package sim

import (
	"math/rand/v2"
	"slices"
	"sort"
	"testing"

	"github.com/nsgsim/nsgsim/gen"
	"github.com/nsgsim/nsgsim/topology"
)

// TestEvaluateMatchesSlowPath requires Evaluate to return exactly the
// segments (the same sets, the same hops, in the same order) that the
// straightforward evaluation below returns: the linear scan for each cell,
// every rule's cuts, and the general merge. The output of nsgsim, segments
// included, is therefore what it was before the optimisations.
func TestEvaluateMatchesSlowPath(t *testing.T) {
	var topos []*topology.Topology
	for s := range uint64(60) {
		rng := rand.New(rand.NewPCG(s, 11))
		topo := randomTopology(rng)
		if s%2 == 1 {
			growRules(rng, topo, 40, 200)
		}
		topos = append(topos, topo)
	}
	g, err := gen.Generate(gen.Options{Seed: 5, VNets: 5, Subnets: 30, VMs: 200, RulesPerNSG: 120})
	if err != nil {
		t.Fatal(err)
	}
	topos = append(topos, g)
	for i, topo := range topos {
		e, err := Compile(topo)
		if err != nil {
			t.Fatal(err)
		}
		rng := rand.New(rand.NewPCG(uint64(i), 12))
		flows := Flows(topo)
		if topo != g {
			flows = append(flows, randomFlows(rng, topo)...)
		}
		for _, vm := range topo.VirtualMachines {
			flows = append(flows, &Flow{ID: "internet/" + vm.Name, Kind: KindCustom,
				Source:      Endpoint{Kind: EndpointServiceTag, Name: topology.TagInternet},
				Destination: vmEndpoint(vm), Protocol: topology.Tcp,
				SourcePorts: []topology.PortRange{topology.EphemeralPorts}, Port: 22})
		}
		for _, f := range flows {
			got, err := e.Evaluate(f)
			if err != nil {
				t.Fatal(err)
			}
			want := e.evaluateSlow(f)
			if !sameSegments(got.Segments, want.Segments) {
				t.Fatalf("topology %d, flow %s: Evaluate segments\n%v\nwant (slow path)\n%v", i, f.ID, got.Segments, want.Segments)
			}
			if got.Verdict != want.Verdict || len(got.Hops) != len(want.Hops) {
				t.Fatalf("topology %d, flow %s: Evaluate = %v %v, want %v %v", i, f.ID, got.Verdict, got.Hops, want.Verdict, want.Hops)
			}
		}
	}
}

func sameSegments(a, b []Segment) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := a[i], b[i]
		if !x.Source.Equal(y.Source) || !x.SourcePorts.Equal(y.SourcePorts) || !x.Destination.Equal(y.Destination) ||
			x.Access != y.Access || len(x.Hops) != len(y.Hops) {
			return false
		}
		for j := range x.Hops {
			if x.Hops[j] != y.Hops[j] {
				return false
			}
		}
	}
	return true
}

// evaluateSlow is Evaluate with evaluatePairSlow.
func (e *Engine) evaluateSlow(f *Flow) *Result {
	if f.Protocol == topology.Any {
		res := &Result{Flow: f}
		for _, p := range topology.Protocols {
			one := *f
			one.Protocol = p
			res.Segments = append(res.Segments, e.evaluateSlow(&one).Segments...)
		}
		res.Verdict, res.Hops = summarize(res.Segments)
		return res
	}
	srcParts, dstParts := e.flowParts(f)
	ports := PortSet(f.SourcePorts)
	res := &Result{Flow: f}
	for _, sp := range srcParts {
		for _, dp := range dstParts {
			res.Segments = append(res.Segments, e.evaluatePairSlow(f, sp, ports, dp)...)
		}
	}
	res.Segments = splitGroups(res.Segments, srcParts, dstParts)
	sort.SliceStable(res.Segments, func(i, j int) bool {
		a, b := res.Segments[i], res.Segments[j]
		if x, y := a.Source.First(), b.Source.First(); x != y {
			return x < y
		}
		if x, y := a.Destination.First(), b.Destination.First(); x != y {
			return x < y
		}
		return a.SourcePorts.First() < b.SourcePorts.First()
	})
	for i := range res.Segments {
		res.Segments[i].Protocol = f.Protocol
	}
	res.Verdict, res.Hops = summarize(res.Segments)
	return res
}

// decideSlow is the linear scan, whatever the NSG's size.
func (n *compiledNSG) decideSlow(dir topology.Direction, proto topology.Protocol, src, sport, dst, dport Point) *compiledRule {
	rules := n.rules[dir]
	for i := range rules {
		if rules[i].matches(proto, src, sport, dst, dport) {
			return &rules[i]
		}
	}
	return &rules[len(rules)-1]
}

// gatesSlow is gates with the labels built as before.
func (e *Engine) gatesSlow(src, dst *attachment) []gate {
	var g []gate
	if src != nil {
		if src.vm != nil && src.vm.nic != noNSG {
			g = append(g, gate{e.nsgs[src.vm.nic], "nic " + src.vm.vm.Name, topology.Outbound})
		}
		if src.subnet.nsg != noNSG {
			g = append(g, gate{e.nsgs[src.subnet.nsg], subnetLabel(src.subnet), topology.Outbound})
		}
	}
	if dst != nil {
		if dst.subnet.nsg != noNSG {
			g = append(g, gate{e.nsgs[dst.subnet.nsg], subnetLabel(dst.subnet), topology.Inbound})
		}
		if dst.vm != nil && dst.vm.nic != noNSG {
			g = append(g, gate{e.nsgs[dst.vm.nic], "nic " + dst.vm.vm.Name, topology.Inbound})
		}
	}
	return g
}

func uniqSlow(p []Point) []Point {
	slices.Sort(p)
	return slices.Compact(p)
}

// evaluatePairSlow is evaluatePair as it was before the rule index and the
// pooled buffers: it decides every packet from one source part to one destination
// part. The address and port axes are cut wherever a rule on the path starts
// or stops matching, so that every cell of the grid is decided the same way
// for all its packets; one packet per cell is evaluated, and cells with the
// same decision are merged back into segments.
func (e *Engine) evaluatePairSlow(f *Flow, src part, ports Set, dst part) []Segment {
	if src.set.IsEmpty() || dst.set.IsEmpty() || ports.IsEmpty() {
		return nil
	}
	path := e.gatesSlow(src.at, dst.at)
	var srcCuts, portCuts, dstCuts []Point
	dport := Point(f.Port)
	for _, g := range path {
		for _, r := range g.nsg.rules[g.dir] {
			if !r.rule.Protocol.Matches(f.Protocol) || !r.dstPorts.Contains(dport) {
				continue
			}
			srcCuts = r.src.cuts(srcCuts)
			portCuts = r.srcPorts.cuts(portCuts)
			dstCuts = r.dst.cuts(dstCuts)
		}
	}
	srcCells := src.set.split(uniqSlow(srcCuts))
	portCells := ports.split(uniqSlow(portCuts))
	dstCells := dst.set.split(uniqSlow(dstCuts))

	type cell struct{ s, p, d int }
	type decision struct {
		n     int
		rules [4]*compiledRule
	}
	groups := make(map[decision][]cell)
	var order []decision
	for si, sc := range srcCells {
		for pi, pc := range portCells {
			for di, dc := range dstCells {
				var dec decision
				for _, g := range path {
					r := g.nsg.decideSlow(g.dir, f.Protocol, sc.First(), pc.First(), dc.First(), dport)
					dec.rules[dec.n] = r
					dec.n++
					if r.rule.Access == topology.Deny {
						break
					}
				}
				if _, ok := groups[dec]; !ok {
					order = append(order, dec)
				}
				groups[dec] = append(groups[dec], cell{si, pi, di})
			}
		}
	}
	var segs []Segment
	for _, dec := range order {
		hops := make([]Hop, dec.n)
		access := topology.Allow
		for i := 0; i < dec.n; i++ {
			g, r := path[i], dec.rules[i]
			hops[i] = Hop{NSG: g.nsg.nsg, At: g.at, Direction: g.dir, Rule: r.rule}
			access = r.rule.Access
		}
		var boxes []box
		for _, c := range groups[dec] {
			boxes = append(boxes, box{srcCells[c.s], portCells[c.p], dstCells[c.d]})
		}
		for _, b := range mergeBoxesSlow(boxes) {
			segs = append(segs, Segment{Source: b.src, SourcePorts: b.ports, Destination: b.dst, Access: access, Hops: hops})
		}
	}
	return segs
}

// mergeBoxes joins boxes that differ along one axis only, one axis at a time:
// sources first, then ports, then destinations.
func mergeBoxesSlow(boxes []box) []box {
	boxes = mergeAlongSlow(boxes, func(b *box) *Set { return &b.src })
	boxes = mergeAlongSlow(boxes, func(b *box) *Set { return &b.ports })
	return mergeAlongSlow(boxes, func(b *box) *Set { return &b.dst })
}

func mergeAlongSlow(boxes []box, axis func(*box) *Set) []box {
	var out []box
	for _, b := range boxes {
		merged := false
		for i := range out {
			o := &out[i]
			if sameExceptSlow(o, &b, axis) {
				*axis(o) = axis(o).Union(*axis(&b))
				merged = true
				break
			}
		}
		if !merged {
			out = append(out, b)
		}
	}
	return out
}

func sameExceptSlow(a, b *box, axis func(*box) *Set) bool {
	for _, f := range []func(*box) *Set{
		func(x *box) *Set { return &x.src },
		func(x *box) *Set { return &x.ports },
		func(x *box) *Set { return &x.dst },
	} {
		if f(a) == axis(a) {
			continue
		}
		if !f(a).Equal(*f(b)) {
			return false
		}
	}
	return true
}
