package sim

import (
	"slices"
	"sort"

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
}

// Blocked reports whether a flow does not fully pass: Deny, or Partial,
// which counts as blocked in the summary (SPEC 2.3).
func (r *Result) Blocked() bool { return r.Verdict != topology.VerdictAllow }

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
}

// gate is one NSG evaluation on a path.
type gate struct {
	nsg *compiledNSG
	at  string
	dir topology.Direction
}

// Evaluate decides a flow over all its addresses and source ports.
func (e *Engine) Evaluate(f *Flow) *Result {
	srcCtx, dstCtx := e.context(f.Source, f.Destination), e.context(f.Destination, f.Source)
	srcParts := e.parts(f.Source, srcCtx)
	dstParts := e.parts(f.Destination, dstCtx)
	ports := PortSet(f.SourcePorts)
	res := &Result{Flow: f}
	for _, sp := range srcParts {
		res.Source = res.Source.Union(sp.set)
	}
	for _, dp := range dstParts {
		res.Dest = res.Dest.Union(dp.set)
	}
	for _, sp := range srcParts {
		for _, dp := range dstParts {
			res.Segments = append(res.Segments, e.evaluatePair(f, sp, ports, dp)...)
		}
	}
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
	res.Verdict, res.Hops = summarize(res.Segments)
	return res
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
		// An empty endpoint: nothing can pass.
		return topology.VerdictDeny, nil
	case denied < 0:
		return topology.VerdictAllow, segs[allowed].Hops
	case allowed < 0:
		return topology.VerdictDeny, segs[denied].Hops
	}
	return topology.VerdictPartial, segs[denied].Hops
}

// context picks the VNet whose VirtualNetwork and Internet tags an outside
// endpoint is read in: the VNet of the other end.
func (e *Engine) context(ep, other Endpoint) *vnetInfo {
	if v := e.home(ep); v != nil {
		return v
	}
	if v := e.home(other); v != nil {
		return v
	}
	if len(e.topo.VirtualNetworks) > 0 {
		return e.vnets[e.topo.VirtualNetworks[0].Name]
	}
	return &vnetInfo{}
}

// home returns the VNet an endpoint sits in, or nil.
func (e *Engine) home(ep Endpoint) *vnetInfo {
	switch ep.Kind {
	case EndpointVM:
		if vm := e.vms[ep.Name]; vm != nil {
			return vm.subnet.vnet
		}
	case EndpointBastion:
		if si := e.bastionSubnet(ep.Name); si != nil {
			return si.vnet
		}
	case EndpointAddress:
		if ep.Addr.IsValid() {
			a := AddrPoint(ep.Addr.Addr())
			for _, si := range e.subnets {
				if si.prefix.Contains(a) {
					return si.vnet
				}
			}
		}
	}
	return nil
}

// bastionSubnet returns the AzureBastionSubnet of a Bastion host, or nil.
func (e *Engine) bastionSubnet(name string) *subnetInfo {
	for _, b := range e.topo.BastionHosts {
		if b.Name == name {
			return e.subnet(b.VirtualNetwork, topology.BastionSubnetName)
		}
	}
	return nil
}

// parts splits an endpoint into address sets with one attachment each. A
// VM is its address behind its NICs; a Bastion host is its whole subnet
// (instances take addresses from it); clients, service tags and external
// addresses are outside; an IP or CIDR is split: a VM's address is that VM,
// another address in a subnet meets that subnet's NSG only, and the rest is
// outside (SPEC 2.3).
func (e *Engine) parts(ep Endpoint, ctx *vnetInfo) []part {
	switch ep.Kind {
	case EndpointVM:
		if vm := e.vms[ep.Name]; vm != nil {
			return []part{{PointSet(vm.point), &attachment{subnet: vm.subnet, vm: vm}}}
		}
	case EndpointBastion:
		if si := e.bastionSubnet(ep.Name); si != nil {
			return []part{{si.prefix, &attachment{subnet: si}}}
		}
	case EndpointClient:
		for _, c := range e.topo.Clients {
			if c.Name == ep.Name {
				return []part{{PrefixesSet(c.AddressPrefixes), nil}}
			}
		}
	case EndpointServiceTag:
		return []part{{e.u.tag(ep.Name, ctx.vnSet), nil}}
	case EndpointExternal:
		return []part{{PrefixSet(ep.Addr), nil}}
	case EndpointAddress:
		if ep.Addr.IsValid() && ep.Addr.Addr().Is4() {
			return e.addressParts(PrefixSet(ep.Addr))
		}
	}
	return nil
}

func (e *Engine) addressParts(rest Set) []part {
	var out []part
	for _, si := range e.subnets {
		in := rest.Intersect(si.prefix)
		if in.IsEmpty() {
			continue
		}
		rest = rest.Subtract(si.prefix)
		for _, vm := range e.vmList {
			if vm.subnet == si && in.Contains(vm.point) {
				out = append(out, part{PointSet(vm.point), &attachment{subnet: si, vm: vm}})
				in = in.Subtract(PointSet(vm.point))
			}
		}
		if !in.IsEmpty() {
			out = append(out, part{in, &attachment{subnet: si}})
		}
	}
	if !rest.IsEmpty() {
		out = append(out, part{rest, nil})
	}
	return out
}

// gates returns the NSGs a packet meets from src to dst, in order: the
// source NIC's NSG and the source subnet's NSG outbound, then the destination
// subnet's NSG and NIC's NSG inbound. A missing NSG passes. Intra-subnet
// traffic takes the full path. Source: "How network security groups filter
// network traffic",
// https://learn.microsoft.com/en-us/azure/virtual-network/network-security-group-how-it-works
func gates(src, dst *attachment) []gate {
	var g []gate
	if src != nil {
		if src.vm != nil && src.vm.nic != nil {
			g = append(g, gate{src.vm.nic, "nic " + src.vm.vm.Name, topology.Outbound})
		}
		if src.subnet.nsg != nil {
			g = append(g, gate{src.subnet.nsg, subnetLabel(src.subnet), topology.Outbound})
		}
	}
	if dst != nil {
		if dst.subnet.nsg != nil {
			g = append(g, gate{dst.subnet.nsg, subnetLabel(dst.subnet), topology.Inbound})
		}
		if dst.vm != nil && dst.vm.nic != nil {
			g = append(g, gate{dst.vm.nic, "nic " + dst.vm.vm.Name, topology.Inbound})
		}
	}
	return g
}

func subnetLabel(si *subnetInfo) string {
	return "subnet " + si.vnet.vnet.Name + "/" + si.subnet.Name
}

// evaluatePair decides every packet from one source part to one destination
// part. The address and port axes are cut wherever a rule on the path starts
// or stops matching, so that every cell of the grid is decided the same way
// for all its packets; one packet per cell is evaluated, and cells with the
// same decision are merged back into segments.
func (e *Engine) evaluatePair(f *Flow, src part, ports Set, dst part) []Segment {
	if src.set.IsEmpty() || dst.set.IsEmpty() || ports.IsEmpty() {
		return nil
	}
	path := gates(src.at, dst.at)
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
	srcCells := src.set.split(uniq(srcCuts))
	portCells := ports.split(uniq(portCuts))
	dstCells := dst.set.split(uniq(dstCuts))

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
					r := g.nsg.decide(g.dir, f.Protocol, sc.First(), pc.First(), dc.First(), dport)
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
		for _, b := range mergeBoxes(boxes) {
			segs = append(segs, Segment{Source: b.src, SourcePorts: b.ports, Destination: b.dst, Access: access, Hops: hops})
		}
	}
	return segs
}

type box struct{ src, ports, dst Set }

// mergeBoxes joins boxes that differ along one axis only, one axis at a time:
// sources first, then ports, then destinations.
func mergeBoxes(boxes []box) []box {
	boxes = mergeAlong(boxes, func(b *box) *Set { return &b.src })
	boxes = mergeAlong(boxes, func(b *box) *Set { return &b.ports })
	return mergeAlong(boxes, func(b *box) *Set { return &b.dst })
}

func mergeAlong(boxes []box, axis func(*box) *Set) []box {
	var out []box
	for _, b := range boxes {
		merged := false
		for i := range out {
			o := &out[i]
			if sameExcept(o, &b, axis) {
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

func sameExcept(a, b *box, axis func(*box) *Set) bool {
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

func uniq(p []Point) []Point {
	slices.Sort(p)
	return slices.Compact(p)
}
