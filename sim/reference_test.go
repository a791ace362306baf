package sim

import (
	"net/netip"
	"sort"

	"github.com/nsgsim/nsgsim/topology"
)

// This file is the reference evaluator: the plainest reading of the Azure
// documents, one packet at a time, with no precomputation. The engine is
// tested against it (agreement_test.go).
//
// Sources:
//   - NSG overview, "Security rules" and "Default security rules":
//     https://learn.microsoft.com/en-us/azure/virtual-network/network-security-groups-overview
//   - "How network security groups filter network traffic" (order of subnet
//     and NIC NSGs): https://learn.microsoft.com/en-us/azure/virtual-network/network-security-group-how-it-works
//   - Service tags: https://learn.microsoft.com/en-us/azure/virtual-network/service-tags-overview

// refAddr is one concrete address: an IPv4 address, or, in the built-in
// service tag model, an address known only to belong to a tag.
type refAddr struct {
	ip  netip.Addr
	tag string // opaque address of this tag (the built-in model)
}

func (a refAddr) String() string {
	if a.tag != "" {
		return "<" + a.tag + " address>"
	}
	return a.ip.String()
}

type refPacket struct {
	proto      topology.Protocol
	src, dst   refAddr
	sport      uint16
	dport      uint16
	srcOutside bool // the source is a client, a service tag or external
	dstOutside bool
}

type refHop struct {
	nsg, at, rule string
	access        topology.Access
}

// refEvaluate decides one packet: it walks the NSGs on the path in the
// documented order and stops at the first Deny.
func refEvaluate(t *topology.Topology, p refPacket) (topology.Access, []refHop) {
	type station struct {
		nsg  string
		at   string
		dir  topology.Direction
		vnet *topology.VirtualNetwork
	}
	var path []station
	if !p.srcOutside && p.src.tag == "" {
		if vnet, subnet, vm := refLocate(t, p.src.ip); subnet != nil {
			if vm != nil && vm.NetworkSecurityGroup != "" {
				path = append(path, station{vm.NetworkSecurityGroup, "nic " + vm.Name, topology.Outbound, vnet})
			}
			if subnet.NetworkSecurityGroup != "" {
				path = append(path, station{subnet.NetworkSecurityGroup, "subnet " + vnet.Name + "/" + subnet.Name, topology.Outbound, vnet})
			}
		}
	}
	if !p.dstOutside && p.dst.tag == "" {
		if vnet, subnet, vm := refLocate(t, p.dst.ip); subnet != nil {
			if subnet.NetworkSecurityGroup != "" {
				path = append(path, station{subnet.NetworkSecurityGroup, "subnet " + vnet.Name + "/" + subnet.Name, topology.Inbound, vnet})
			}
			if vm != nil && vm.NetworkSecurityGroup != "" {
				path = append(path, station{vm.NetworkSecurityGroup, "nic " + vm.Name, topology.Inbound, vnet})
			}
		}
	}
	var hops []refHop
	for _, s := range path {
		nsg := t.NetworkSecurityGroupByName(s.nsg)
		rule := refFirstMatch(t, nsg, s.dir, s.vnet, p)
		hops = append(hops, refHop{nsg.Name, s.at, rule.Name, rule.Access})
		if rule.Access == topology.Deny {
			return topology.Deny, hops
		}
	}
	return topology.Allow, hops
}

// refLocate finds the subnet holding an address, and the VM that has it.
func refLocate(t *topology.Topology, ip netip.Addr) (*topology.VirtualNetwork, *topology.Subnet, *topology.VirtualMachine) {
	for _, v := range t.VirtualNetworks {
		for _, s := range v.Subnets {
			if !s.AddressPrefix.Contains(ip) {
				continue
			}
			for _, vm := range t.VirtualMachines {
				if vm.VirtualNetwork == v.Name && vm.Subnet == s.Name && vm.PrivateIPAddress == ip {
					return v, s, vm
				}
			}
			return v, s, nil
		}
	}
	return nil, nil, nil
}

// refFirstMatch returns the first rule, custom by priority then default,
// whose five fields all match.
func refFirstMatch(t *topology.Topology, nsg *topology.NetworkSecurityGroup, dir topology.Direction, vnet *topology.VirtualNetwork, p refPacket) *topology.SecurityRule {
	var rules []*topology.SecurityRule
	for _, r := range nsg.SecurityRules {
		if r.Direction == dir {
			rules = append(rules, r)
		}
	}
	sort.Slice(rules, func(i, j int) bool { return rules[i].Priority < rules[j].Priority })
	for _, r := range topology.DefaultRules() {
		if r.Direction == dir {
			rules = append(rules, r)
		}
	}
	for _, r := range rules {
		if (r.Protocol == topology.Any || r.Protocol == p.proto) &&
			refSideMatches(t, r.Source, p.src, vnet) && refPortMatches(r.SourcePorts, p.sport) &&
			refSideMatches(t, r.Destination, p.dst, vnet) && refPortMatches(r.DestinationPorts, p.dport) {
			return r
		}
	}
	panic("no default rule matched") // DenyAll matches every packet
}

func refPortMatches(ranges []topology.PortRange, port uint16) bool {
	for _, r := range ranges {
		if r.Lo <= port && port <= r.Hi {
			return true
		}
	}
	return false
}

func refSideMatches(t *topology.Topology, side topology.Addresses, a refAddr, vnet *topology.VirtualNetwork) bool {
	switch {
	case side.Any:
		return true
	case side.Tag != "":
		return refInTag(t, side.Tag, a, vnet)
	case len(side.ApplicationSecurityGroups) > 0:
		// A rule naming ASGs applies only to member NICs.
		if a.tag != "" {
			return false
		}
		for _, vm := range t.VirtualMachines {
			if vm.PrivateIPAddress != a.ip {
				continue
			}
			for _, g := range vm.ApplicationSecurityGroups {
				for _, want := range side.ApplicationSecurityGroups {
					if g == want {
						return true
					}
				}
			}
		}
		return false
	}
	if a.tag != "" {
		// An opaque tag address lies somewhere in public space: only a
		// list covering all of it surely contains it (SPEC 2.4).
		return t.ServiceTags == nil && refCoversPublic(side.Prefixes)
	}
	for _, pr := range side.Prefixes {
		if pr.Contains(a.ip) {
			return true
		}
	}
	return false
}

var refPrivate = []string{"0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12", "192.168.0.0/16", "224.0.0.0/3"}

func refIsPublic(ip netip.Addr) bool {
	for _, s := range refPrivate {
		if netip.MustParsePrefix(s).Contains(ip) {
			return false
		}
	}
	return true
}

// refCoversPublic reports whether prefixes cover every public IPv4 address:
// walking the address space from 0, every gap must be private.
func refCoversPublic(prefixes []netip.Prefix) bool {
	type iv struct{ lo, hi uint64 }
	toU := func(a netip.Addr) uint64 {
		b := a.As4()
		return uint64(b[0])<<24 | uint64(b[1])<<16 | uint64(b[2])<<8 | uint64(b[3])
	}
	var ivs []iv
	for _, p := range append(prefixes, mustPrefixes(refPrivate)...) {
		lo := toU(p.Masked().Addr())
		ivs = append(ivs, iv{lo, lo + (1 << (32 - p.Bits())) - 1})
	}
	sort.Slice(ivs, func(i, j int) bool { return ivs[i].lo < ivs[j].lo })
	next := uint64(0)
	for _, x := range ivs {
		if x.lo > next {
			return false
		}
		next = max(next, x.hi+1)
	}
	return next > 0xFFFFFFFF
}

func mustPrefixes(ss []string) []netip.Prefix {
	out := make([]netip.Prefix, len(ss))
	for i, s := range ss {
		out[i] = netip.MustParsePrefix(s)
	}
	return out
}

var refHostVIP = netip.MustParseAddr("168.63.129.16")

// refInTag reads the service tags overview: VirtualNetwork is the VNet's
// space, peered VNets' spaces, on-premises ranges and the host VIP;
// AzureLoadBalancer is the host VIP; Internet is public space outside
// VirtualNetwork, Azure's public ranges included.
func refInTag(t *topology.Topology, tag string, a refAddr, vnet *topology.VirtualNetwork) bool {
	switch tag {
	case "VirtualNetwork":
		return a.tag == "" && refInVirtualNetwork(t, a.ip, vnet)
	case "AzureLoadBalancer":
		return a.tag == "" && a.ip == refHostVIP
	case "Internet":
		if a.tag != "" {
			return true
		}
		return refIsPublic(a.ip) && !refInVirtualNetwork(t, a.ip, vnet)
	}
	if t.ServiceTags != nil {
		if a.tag != "" {
			return false
		}
		ps, _ := t.ServiceTags.Prefixes(tag)
		for _, p := range ps {
			if p.Contains(a.ip) {
				return true
			}
		}
		return false
	}
	// Built-in model: GatewayManager ⊂ AzureCloud ⊂ Internet, each other
	// tag its own part of AzureCloud.
	if a.tag == "" {
		return false
	}
	return tag == "AzureCloud" || a.tag == tag
}

func refInVirtualNetwork(t *topology.Topology, ip netip.Addr, vnet *topology.VirtualNetwork) bool {
	if ip == refHostVIP {
		return true
	}
	spaces := append([]netip.Prefix{}, vnet.AddressSpace...)
	spaces = append(spaces, vnet.OnPremisesPrefixes...)
	for _, other := range t.VirtualNetworks {
		if other.Name != vnet.Name && (contains(vnet.Peerings, other.Name) || contains(other.Peerings, vnet.Name)) {
			spaces = append(spaces, other.AddressSpace...)
		}
	}
	for _, p := range spaces {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
