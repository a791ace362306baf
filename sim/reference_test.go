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

// refPacket is one packet to decide. A packet's ends are placed as SPEC 2.3
// says: an outside end (a service tag, 168.63.129.16 of a Developer
// Bastion) takes no NSG; any other address is looked up from a VNet (see
// refLocate) and meets the NSGs of the subnet and VM that hold it.
type refPacket struct {
	proto      topology.Protocol // concrete: never "*"
	src, dst   refAddr
	sport      uint16
	dport      uint16
	srcOutside bool // the source never sits in a subnet
	dstOutside bool
	// srcFrom and dstFrom are the VNets an address end is looked up from
	// (nil: every VNet in topology order).
	srcFrom, dstFrom *topology.VirtualNetwork
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
		if vnet, subnet, vm := refLocate(t, p.srcFrom, p.src.ip); subnet != nil {
			if vm != nil && vm.NetworkSecurityGroup != "" {
				path = append(path, station{vm.NetworkSecurityGroup, "nic " + vm.Name, topology.Outbound, vnet})
			}
			if subnet.NetworkSecurityGroup != "" {
				path = append(path, station{subnet.NetworkSecurityGroup, "subnet " + vnet.Name + "/" + subnet.Name, topology.Outbound, vnet})
			}
		}
	}
	if !p.dstOutside && p.dst.tag == "" {
		if vnet, subnet, vm := refLocate(t, p.dstFrom, p.dst.ip); subnet != nil {
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

// refLocate finds where an address lives, looked up from VNet from: the
// first VNet, in the order from, its peers by name, then the others in
// topology order, whose address space holds it (unpeered VNets may reuse
// an address space); in that VNet, the subnet holding it and the VM that
// has it. An address of the VNet's space outside every subnet, or of no
// VNet, is outside: nil subnet.
func refLocate(t *topology.Topology, from *topology.VirtualNetwork, ip netip.Addr) (*topology.VirtualNetwork, *topology.Subnet, *topology.VirtualMachine) {
	for _, v := range refLookupOrder(t, from) {
		if !refInAny(v.AddressSpace, ip) {
			continue
		}
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
		return v, nil, nil
	}
	return nil, nil, nil
}

// refLookupOrder lists the VNets in the order an address is looked up from
// VNet from.
func refLookupOrder(t *topology.Topology, from *topology.VirtualNetwork) []*topology.VirtualNetwork {
	var out []*topology.VirtualNetwork
	seen := map[string]bool{}
	add := func(v *topology.VirtualNetwork) {
		if v != nil && !seen[v.Name] {
			seen[v.Name] = true
			out = append(out, v)
		}
	}
	if from != nil {
		add(from)
		var peers []string
		for _, o := range t.VirtualNetworks {
			if refPeered(from, o) {
				peers = append(peers, o.Name)
			}
		}
		sort.Strings(peers)
		for _, n := range peers {
			add(t.VirtualNetworkByName(n))
		}
	}
	for _, v := range t.VirtualNetworks {
		add(v)
	}
	return out
}

func refPeered(a, b *topology.VirtualNetwork) bool {
	return a.Name != b.Name && (contains(a.Peerings, b.Name) || contains(b.Peerings, a.Name))
}

func refInAny(ps []netip.Prefix, ip netip.Addr) bool {
	for _, p := range ps {
		if p.Contains(ip) {
			return true
		}
	}
	return false
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
		if refRuleFields(t, r, vnet, p) == [5]bool{true, true, true, true, true} {
			return r
		}
	}
	panic("no default rule matched") // DenyAll matches every packet
}

// refRuleFields reads each of a rule's five fields against a packet:
// protocol, source, source port, destination, destination port. ICMP, ESP
// and AH carry no ports: for them a port field matches only when it is
// every port, 0-65535 (SPEC 2.3).
func refRuleFields(t *topology.Topology, r *topology.SecurityRule, vnet *topology.VirtualNetwork, p refPacket) [5]bool {
	sport := refPortMatches(r.SourcePorts, p.sport)
	dport := refPortMatches(r.DestinationPorts, p.dport)
	if p.proto == topology.Icmp || p.proto == topology.Esp || p.proto == topology.Ah {
		sport, dport = refEveryPort(r.SourcePorts), refEveryPort(r.DestinationPorts)
	}
	return [5]bool{
		r.Protocol == topology.Any || r.Protocol == p.proto,
		refSideMatches(t, r.Source, p.src, vnet), sport,
		refSideMatches(t, r.Destination, p.dst, vnet), dport,
	}
}

func refPortMatches(ranges []topology.PortRange, port uint16) bool {
	for _, r := range ranges {
		if r.Lo <= port && port <= r.Hi {
			return true
		}
	}
	return false
}

// refEveryPort reports whether ranges hold every port: walking the ports
// up from 0, no range leaves a gap.
func refEveryPort(ranges []topology.PortRange) bool {
	next := 0
	for moved := true; moved && next <= 65535; {
		moved = false
		for _, r := range ranges {
			if int(r.Lo) <= next && int(r.Hi) >= next {
				next, moved = int(r.Hi)+1, true
			}
		}
	}
	return next > 65535
}

func refSideMatches(t *topology.Topology, side topology.Addresses, a refAddr, vnet *topology.VirtualNetwork) bool {
	switch {
	case side.Any:
		return true
	case side.Tag != "":
		return refInTag(t, side.Tag, a, vnet)
	case len(side.ApplicationSecurityGroups) > 0:
		// A rule naming ASGs applies only to member NICs: the NIC with this
		// address in the NSG's VNet or a VNet peered with it, never a NIC of
		// an unpeered VNet that reuses the address (SPEC 2.3).
		if a.tag != "" {
			return false
		}
		for _, vm := range t.VirtualMachines {
			if vm.PrivateIPAddress != a.ip {
				continue
			}
			if home := t.VirtualNetworkByName(vm.VirtualNetwork); home.Name != vnet.Name && !refPeered(home, vnet) {
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
		return refCoversPublic(side.Prefixes)
	}
	for _, pr := range side.AllPrefixes() {
		if pr.Contains(a.ip) { // an IPv6 prefix contains no IPv4 address
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
	// An opaque address (the built-in model, or a catalogue tag the file
	// lacks): GatewayManager ⊂ AzureCloud ⊂ Internet, each other tag its own
	// part of AzureCloud.
	if a.tag != "" {
		return tag == "AzureCloud" || a.tag == tag
	}
	if t.ServiceTags == nil {
		return false
	}
	ps, _ := t.ServiceTags.Prefixes(tag)
	return refInAny(ps, a.ip)
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

// refEnd is one end of a flow as the reference reads it from the topology.
type refEnd struct {
	kind     string // "vm", "bastion", "tag", "client", "addr", "vip", "private"
	name     string
	vm       *topology.VirtualMachine
	bastion  *topology.BastionHost
	tag      string
	prefixes []netip.Prefix
}

// refEnds reads the ends of a flow: a documented flow's from its kind and
// Bastion host (SPEC 3), a user flow's from the names as written.
func refEnds(t *topology.Topology, f *Flow) (src, dst refEnd) {
	if f.Kind == KindCustom {
		return refResolve(t, f.Source.Name), refResolve(t, f.Destination.Name)
	}
	var b *topology.BastionHost
	for _, h := range t.BastionHosts {
		if h.Name == f.Bastion {
			b = h
		}
	}
	bastion := refEnd{kind: "bastion", name: b.Name, bastion: b}
	tag := func(n string) refEnd { return refEnd{kind: "tag", name: n, tag: n} }
	switch f.Kind {
	case KindClientHTTPS:
		switch {
		case len(t.Clients) > 0:
			return refResolve(t, f.Target), bastion
		case b.EnablePrivateOnlyBastion:
			return refEnd{kind: "private", name: "VirtualNetwork"}, bastion
		}
		return tag("Internet"), bastion
	case KindGatewayManagerHTTPS:
		return tag("GatewayManager"), bastion
	case KindLoadBalancerHTTPS:
		return tag("AzureLoadBalancer"), bastion
	case KindDataplane8080, KindDataplane5701:
		return bastion, bastion
	case KindAzureCloudHTTPS:
		return bastion, tag("AzureCloud")
	case KindInternetHTTP:
		return bastion, tag("Internet")
	case KindDeveloperSSH, KindDeveloperRDP:
		return refEnd{kind: "vip", name: "168.63.129.16"}, refResolve(t, f.Target)
	}
	return bastion, refResolve(t, f.Target) // ssh, rdp, port-N
}

// refResolve reads an endpoint name: a VM, a Bastion host (a Developer one
// is 168.63.129.16), a client, a service tag, or an address.
func refResolve(t *topology.Topology, name string) refEnd {
	for _, vm := range t.VirtualMachines {
		if vm.Name == name {
			return refEnd{kind: "vm", name: name, vm: vm}
		}
	}
	for _, b := range t.BastionHosts {
		if b.Name == name {
			if b.SKU == topology.Developer {
				return refEnd{kind: "vip", name: name}
			}
			return refEnd{kind: "bastion", name: name, bastion: b}
		}
	}
	for _, c := range t.Clients {
		if c.Name == name {
			if c.Tag != "" {
				return refEnd{kind: "tag", name: name, tag: c.Tag}
			}
			return refEnd{kind: "client", name: name, prefixes: c.AddressPrefixes}
		}
	}
	if tag, ok := topology.CanonicalTag(name, t.ServiceTags); ok {
		return refEnd{kind: "tag", name: name, tag: tag}
	}
	p, err := netip.ParsePrefix(name)
	if err != nil {
		a := netip.MustParseAddr(name)
		p = netip.PrefixFrom(a, 32)
	}
	return refEnd{kind: "addr", name: name, prefixes: []netip.Prefix{p}}
}

// anchor is the VNet an end sits in by definition: a VM's or a Bastion
// host's; nil for the others.
func (r refEnd) anchor(t *topology.Topology) *topology.VirtualNetwork {
	switch r.kind {
	case "vm":
		return t.VirtualNetworkByName(r.vm.VirtualNetwork)
	case "bastion":
		return t.VirtualNetworkByName(r.bastion.VirtualNetwork)
	}
	return nil
}

// outside reports whether the end never sits in a subnet: service tags and
// 168.63.129.16 (SPEC 2.3).
func (r refEnd) outside() bool {
	return r.kind == "tag" || r.kind == "vip" || r.kind == "private"
}

// refContext is the VNet a flow end's tags are read in: its own anchor,
// else the VNet holding the first address of an address end, else the
// other end's anchor or the VNet holding its first address, else the first
// VNet.
func refContext(t *topology.Topology, end, other refEnd) *topology.VirtualNetwork {
	home := func(e, o refEnd) *topology.VirtualNetwork {
		if v := e.anchor(t); v != nil {
			return v
		}
		if (e.kind == "client" || e.kind == "addr") && len(e.prefixes) > 0 {
			first := e.prefixes[0].Masked().Addr()
			for _, p := range e.prefixes[1:] {
				if a := p.Masked().Addr(); a.Less(first) {
					first = a
				}
			}
			for _, v := range refLookupOrder(t, o.anchor(t)) {
				if refInAny(v.AddressSpace, first) {
					return v
				}
			}
		}
		return nil
	}
	if v := home(end, other); v != nil {
		return v
	}
	if v := home(other, end); v != nil {
		return v
	}
	if len(t.VirtualNetworks) > 0 {
		return t.VirtualNetworks[0]
	}
	return &topology.VirtualNetwork{}
}

// refHolds reports whether address a belongs to a flow end whose other end
// is other (SPEC 2.3): a VM is its address; a Bastion host its
// AzureBastionSubnet; a tag its addresses as seen from ctx; a client range
// or an address its prefixes, and also every opaque tag address when they
// cover all public IPv4, a client's without the addresses of an
// AzureBastionSubnet.
func refHolds(t *topology.Topology, end, other refEnd, ctx *topology.VirtualNetwork, a refAddr) bool {
	switch end.kind {
	case "vm":
		return a.tag == "" && a.ip == end.vm.PrivateIPAddress
	case "bastion":
		v := t.VirtualNetworkByName(end.bastion.VirtualNetwork)
		for _, s := range v.Subnets {
			if s.Name == topology.BastionSubnetName {
				return a.tag == "" && s.AddressPrefix.Contains(a.ip)
			}
		}
		return false
	case "vip":
		return a.tag == "" && a.ip == refHostVIP
	case "private":
		return a.tag == "" && a.ip != refHostVIP && refInTag(t, "VirtualNetwork", a, ctx)
	case "tag":
		return refInTag(t, end.tag, a, ctx)
	}
	if a.tag != "" {
		return refCoversPublic(end.prefixes)
	}
	if !refInAny(end.prefixes, a.ip) {
		return false
	}
	if end.kind == "client" {
		if _, s, _ := refLocate(t, other.anchor(t), a.ip); s != nil && s.Name == topology.BastionSubnetName {
			return false
		}
	}
	return true
}
