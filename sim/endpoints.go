package sim

import (
	"net/netip"
	"slices"

	"github.com/nsgsim/nsgsim/network"
	"github.com/nsgsim/nsgsim/topology"
)

// This file places a flow's endpoints: which addresses each end holds and
// where each address sits (SPEC 2.3).

// flowParts splits both ends of a flow into parts with one attachment each.
func (e *Engine) flowParts(f *Flow) (src, dst []part) {
	srcCtx, dstCtx := e.context(f.Source, f.Destination), e.context(f.Destination, f.Source)
	return e.parts(f.Source, f.Destination, srcCtx), e.parts(f.Destination, f.Source, dstCtx)
}

// context picks the VNet whose VirtualNetwork and Internet tags an outside
// endpoint is read in: the VNet of the other end.
func (e *Engine) context(ep, other Endpoint) *vnetInfo {
	if v := e.home(ep, other); v != nil {
		return v
	}
	if v := e.home(other, ep); v != nil {
		return v
	}
	if len(e.topo.VirtualNetworks) > 0 {
		return e.vnets[e.topo.VirtualNetworks[0].Name]
	}
	return &vnetInfo{}
}

// anchor returns the VNet of an endpoint that sits in one by definition: a
// VM's, or a dedicated Bastion host's. Addresses and clients have none: they
// are placed relative to the other end (see locateOrder).
func (e *Engine) anchor(ep Endpoint) *vnetInfo {
	switch ep.Kind {
	case EndpointVM:
		if vm := e.vms[ep.Name]; vm != nil {
			return vm.subnet.vnet
		}
	case EndpointBastion:
		if si := e.bastionSubnet(ep.Name); si != nil {
			return si.vnet
		}
	}
	return nil
}

// home returns the VNet an endpoint sits in, or nil: an anchored endpoint's
// VNet, or for an address or a client range, the VNet that holds its first
// address, looked up from the other end (locateOrder).
func (e *Engine) home(ep, other Endpoint) *vnetInfo {
	if v := e.anchor(ep); v != nil {
		return v
	}
	var s Set
	switch ep.Kind {
	case EndpointAddress:
		if ep.Addr.IsValid() && ep.Addr.Addr().Is4() {
			s = PrefixSet(ep.Addr)
		}
	case EndpointClient:
		if c := e.client(ep.Name); c != nil {
			s = PrefixesSet(c.AddressPrefixes)
		}
	}
	if s.IsEmpty() {
		return nil
	}
	a := s.First()
	for _, vi := range e.locateOrder(e.anchor(other)) {
		if vi.space.Contains(a) {
			return vi
		}
	}
	return nil
}

// bastionSubnet returns the AzureBastionSubnet of a dedicated Bastion host,
// or nil (a Developer Bastion has none that is its own).
func (e *Engine) bastionSubnet(name string) *subnetInfo {
	if b := e.net.Bastion(name); b != nil && b.Subnet != nil {
		return e.subnet(b.Subnet.VNet.Name(), b.Subnet.Name())
	}
	return nil
}

func (e *Engine) client(name string) *topology.Client { return e.net.Client(name) }

// locateOrder lists the VNets in the order an address is looked up from a
// VNet (nil: from nowhere in particular): network.Network.LookupOrder.
func (e *Engine) locateOrder(from *vnetInfo) []*vnetInfo {
	var nv *network.VNet
	if from != nil {
		nv = from.nv
	}
	order := e.net.LookupOrder(nv)
	out := make([]*vnetInfo, len(order))
	for i, v := range order {
		out[i] = e.vnets[v.Name()]
	}
	return out
}

// parts splits an endpoint into address sets with one attachment each
// (SPEC 2.3). A VM is its address behind its NICs; a Bastion host is its
// whole subnet (instances take addresses from it); service tags and the
// Developer SKU's 168.63.129.16 are outside; a client's range and a user's
// IP or CIDR are placed where they live (addressParts), a client's without
// the addresses of any AzureBastionSubnet. A set that covers all public
// IPv4 also holds the opaque service tag addresses of the built-in model.
func (e *Engine) parts(ep, other Endpoint, ctx *vnetInfo) []part {
	switch ep.Kind {
	case EndpointVM:
		if vm := e.vms[ep.Name]; vm != nil {
			return []part{{set: vm.set, at: vm.at}}
		}
	case EndpointBastion:
		if si := e.bastionSubnet(ep.Name); si != nil {
			return []part{{set: si.prefix, at: si.at}}
		}
	case EndpointClient:
		if c := e.client(ep.Name); c != nil {
			return e.addressParts(e.u.prefixes(c.AddressPrefixes), e.anchor(other), true)
		}
	case EndpointServiceTag:
		s := e.tagSet(ep.Name, ctx)
		if ep.WithoutHostVIP {
			s = s.Subtract(PointSet(AddrPoint(hostVIP)))
		}
		return []part{{set: s}}
	case EndpointExternal:
		return []part{{set: e.u.prefixes([]netip.Prefix{ep.Addr})}}
	case EndpointAddress:
		if ep.Addr.IsValid() && ep.Addr.Addr().Is4() {
			return e.addressParts(e.u.prefixes([]netip.Prefix{ep.Addr}), e.anchor(other), false)
		}
	}
	return nil
}

// addressParts places the addresses of rest, looked up from VNet from
// (locateOrder): an address in a subnet meets that subnet's NSG; a VM's
// address is that VM, which differs from the subnet's other addresses only
// when the VM has a NIC NSG (its ASG memberships are in the rules' address
// sets), so the VMs of a subnet that share a NIC NSG share one more part,
// evaluated once (splitGroups names each VM's NIC in the result); the rest
// is outside. The parts follow the NSG contexts the range touches, not its
// VMs.
// With noBastion, the addresses of AzureBastionSubnets are dropped: they
// are Bastion's own instances, not users.
func (e *Engine) addressParts(rest Set, from *vnetInfo, noBastion bool) []part {
	var out []part
	var loose Set // in a VNet's space but in none of its subnets
	for _, vi := range e.locateOrder(from) {
		if !rest.Overlaps(vi.space) {
			continue
		}
		// The first VNet whose space holds an address is where it lives;
		// outside every subnet, it is on no NIC and stays outside.
		loose = loose.Union(rest.Intersect(vi.space).Subtract(vi.prefixes))
		for _, si := range vi.subnets {
			in := rest.Intersect(si.prefix)
			if in.IsEmpty() {
				continue
			}
			rest = rest.Subtract(si.prefix)
			if noBastion && si.subnet.Name == topology.BastionSubnetName {
				continue
			}
			var groups [][]*vmInfo // by NIC NSG, in order of first VM
			for _, vm := range si.vms {
				if vm.nic == noNSG || !in.Contains(vm.point) {
					continue
				}
				k := slices.IndexFunc(groups, func(g []*vmInfo) bool { return g[0].nic == vm.nic })
				if k < 0 {
					groups = append(groups, []*vmInfo{vm})
				} else {
					groups[k] = append(groups[k], vm)
				}
			}
			for _, g := range groups {
				var s Set
				for _, vm := range g {
					s = s.Union(vm.set)
				}
				out = append(out, part{set: s, at: g[0].at, group: g})
				in = in.Subtract(s)
			}
			if !in.IsEmpty() {
				out = append(out, part{set: in, at: si.at})
			}
		}
		rest = rest.Subtract(vi.space)
	}
	rest = rest.Union(loose)
	if !rest.IsEmpty() {
		out = append(out, part{set: rest})
	}
	return out
}

// splitGroups gives each VM of a grouped part (addressParts) its own
// segments: a segment decided at the group's NIC NSG is cut into one per VM,
// with that VM's NIC named in the hop, as if each VM had been evaluated
// alone; the decision is the same, since the VMs share subnet and NIC NSG.
func splitGroups(segs []Segment, srcParts, dstParts []part) []Segment {
	for _, p := range srcParts {
		if len(p.group) > 1 {
			segs = splitGroup(segs, p, topology.Outbound, func(s *Segment) *Set { return &s.Source })
		}
	}
	for _, p := range dstParts {
		if len(p.group) > 1 {
			segs = splitGroup(segs, p, topology.Inbound, func(s *Segment) *Set { return &s.Destination })
		}
	}
	return segs
}

// splitGroup cuts, along one side, the segments of group part p whose path
// passes the group's NIC NSG in direction dir.
func splitGroup(segs []Segment, p part, dir topology.Direction, side func(*Segment) *Set) []Segment {
	label := p.group[0].nicLabel
	out := make([]Segment, 0, len(segs))
	for _, sg := range segs {
		nic := slices.IndexFunc(sg.Hops, func(h Hop) bool { return h.At == label && h.Direction == dir })
		if nic < 0 || !p.set.ContainsSet(*side(&sg)) {
			out = append(out, sg)
			continue
		}
		for _, vm := range p.group {
			s := side(&sg).Intersect(vm.set)
			if s.IsEmpty() {
				continue
			}
			one := sg
			*side(&one) = s
			one.Hops = slices.Clone(sg.Hops)
			one.Hops[nic].At = vm.nicLabel
			out = append(out, one)
		}
	}
	return out
}
