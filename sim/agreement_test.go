package sim

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"strings"
	"testing"

	"github.com/nsgsim/nsgsim/topology"
)

// TestEngineAgreesWithReference generates random topologies and flows, and
// requires the engine's verdict and deciding rules for every sampled packet
// to be the reference evaluator's. A disagreement prints the seed, the
// topology and the packet.
func TestEngineAgreesWithReference(t *testing.T) {
	flows, packets := agreeOnRandomTopologies(t, 20261123, 100_000, nil)
	t.Logf("%d flows, %d packets compared", flows, packets)
}

// agreeOnRandomTopologies compares the engine with the reference on random
// topologies from consecutive seeds until minPackets packets have been
// checked. shape, when set, changes each topology before it is compiled;
// inspect, when set, sees each compiled engine.
func agreeOnRandomTopologies(t *testing.T, seed uint64, minPackets int, shape func(*rand.Rand, *topology.Topology), inspect ...func(*Engine)) (flows, packets int) {
	t.Helper()
	for i := 0; packets < minPackets; i++ {
		s := seed + uint64(i)
		rng := rand.New(rand.NewPCG(s, s^0x9e3779b97f4a7c15))
		topo := randomTopology(rng)
		if shape != nil {
			shape(rng, topo)
		}
		e, err := Compile(topo)
		if err != nil {
			t.Fatalf("seed %d: Compile: %v", s, err)
		}
		for _, f := range inspect {
			f(e)
		}
		all := append(Flows(topo), randomFlows(rng, topo)...)
		for _, f := range all {
			switch f.Kind {
			case KindSSH, KindRDP, KindDeveloperSSH, KindDeveloperRDP:
				if vm := topo.VirtualMachineByName(f.Target); vm == nil || vm.OS == topology.UnknownOS {
					t.Fatalf("seed %d: flow %s targets no VM of known OS (SPEC 1: no ssh or rdp flow to a VM of unknown OS)", s, f.ID)
				}
			}
			res, err := e.Evaluate(f)
			if err != nil {
				t.Fatal(err)
			}
			flows++
			checkFlow(t, s, topo, e, f, res)
			if t.Failed() {
				return flows, packets
			}
			for _, pkt := range samplePackets(rng, e, f, res) {
				packets++
				checkPacket(t, s, topo, e, f, res, pkt)
				if t.Failed() {
					return flows, packets
				}
			}
		}
	}
	return flows, packets
}

type sampled struct {
	src, dst Point
	sport    uint16
}

// samplePackets picks packets of a flow: the first and last point of every
// segment, and random points of the whole flow.
func samplePackets(rng *rand.Rand, e *Engine, f *Flow, res *Result) []sampled {
	var out []sampled
	for _, sg := range res.Segments {
		out = append(out,
			sampled{sg.Source.First(), sg.Destination.First(), uint16(sg.SourcePorts.First())},
			sampled{last(sg.Source), last(sg.Destination), uint16(last(sg.SourcePorts))})
	}
	ports := PortSet(f.SourcePorts)
	for range 6 {
		if res.Source.IsEmpty() || res.Dest.IsEmpty() {
			break
		}
		out = append(out, sampled{randomPoint(rng, res.Source), randomPoint(rng, res.Dest), uint16(randomPoint(rng, ports))})
	}
	return out
}

func last(s Set) Point { return s.spans[len(s.spans)-1].hi }

func randomPoint(rng *rand.Rand, s Set) Point {
	sp := s.spans[rng.IntN(len(s.spans))]
	return sp.lo + rng.Uint64N(sp.hi-sp.lo+1)
}

func checkPacket(t *testing.T, seed uint64, topo *topology.Topology, e *Engine, f *Flow, res *Result, pkt sampled) {
	t.Helper()
	var seg *Segment
	for i := range res.Segments {
		sg := &res.Segments[i]
		if sg.Source.Contains(pkt.src) && sg.Destination.Contains(pkt.dst) && sg.SourcePorts.Contains(Point(pkt.sport)) {
			if seg != nil && segProtocol(seg, f) == segProtocol(sg, f) {
				t.Fatalf("seed %d: flow %s: packet %v in two segments", seed, f.ID, pkt)
			}
			if seg == nil {
				seg = sg
			}
		}
	}
	src, dst := refEnds(topo, f)
	sa, da := toRefAddr(e, pkt.src), toRefAddr(e, pkt.dst)
	fail := func(format string, args ...any) {
		t.Fatalf("seed %d: flow %s %s: packet %s:%d -> %s:%d: %s\ntopology:\n%s",
			seed, f.ID, f.Protocol, sa, pkt.sport, da, f.Port, fmt.Sprintf(format, args...), dumpTopology(topo))
	}
	if !refHolds(topo, src, dst, refContext(topo, src, dst), sa) {
		fail("the engine's source %s holds %s; the reference's does not", f.Source.Name, sa)
	}
	if !refHolds(topo, dst, src, refContext(topo, dst, src), da) {
		fail("the engine's destination %s holds %s; the reference's does not", f.Destination.Name, da)
	}
	if seg == nil {
		fail("in no segment")
	}
	protos := []topology.Protocol{segProtocol(seg, f)}
	if f.Protocol == topology.Any {
		protos = topology.Protocols
	}
	for _, proto := range protos {
		sg := seg
		for i := range res.Segments {
			x := &res.Segments[i]
			if segProtocol(x, f) == proto && x.Source.Contains(pkt.src) && x.Destination.Contains(pkt.dst) && x.SourcePorts.Contains(Point(pkt.sport)) {
				sg = x
			}
		}
		ref := refPacket{
			proto: proto, src: sa, dst: da, sport: pkt.sport, dport: f.Port,
			srcOutside: src.outside(), dstOutside: dst.outside(),
			srcFrom: cmpOr(src.anchor(topo), dst.anchor(topo)), dstFrom: cmpOr(dst.anchor(topo), src.anchor(topo)),
		}
		want, wantHops := refEvaluate(topo, ref)
		got := sg.Access
		gotHops := make([]refHop, len(sg.Hops))
		for i, h := range sg.Hops {
			gotHops[i] = refHop{h.NSG.Name, h.At, h.Rule.Name, h.Rule.Access}
		}
		if got != want || fmt.Sprint(gotHops) != fmt.Sprint(wantHops) || segProtocol(sg, f) != proto {
			fail("protocol %s:\n engine    %v %v %v\n reference %v %v", proto, segProtocol(sg, f), got, gotHops, want, wantHops)
		}
	}
}

func cmpOr(a, b *topology.VirtualNetwork) *topology.VirtualNetwork {
	if a != nil {
		return a
	}
	return b
}

// checkFlow compares a flow's whole address sets and protocols with the
// reference's: every candidate address (each VM's, addresses in each
// subnet, the host VIP, public addresses, the opaque tag addresses) that
// the reference puts in an end must be in the engine's; a "*" flow has
// segments for every protocol; a flow without segments is NoTraffic.
func checkFlow(t *testing.T, seed uint64, topo *topology.Topology, e *Engine, f *Flow, res *Result) {
	t.Helper()
	src, dst := refEnds(topo, f)
	fail := func(format string, args ...any) {
		t.Fatalf("seed %d: flow %s %s (%s -> %s): %s\ntopology:\n%s", seed, f.ID, f.Protocol, f.Source.Name, f.Destination.Name,
			fmt.Sprintf(format, args...), dumpTopology(topo))
	}
	cands := refCandidates(topo, e)
	for _, c := range cands {
		if refHolds(topo, src, dst, refContext(topo, src, dst), c) && !res.Source.Contains(refPoint(e, c)) {
			fail("the reference's source holds %s; the engine's does not", c)
		}
		if refHolds(topo, dst, src, refContext(topo, dst, src), c) && !res.Dest.Contains(refPoint(e, c)) {
			fail("the reference's destination holds %s; the engine's does not", c)
		}
	}
	if len(res.Segments) == 0 {
		if res.Verdict.String() != "NoTraffic" {
			fail("no address at one end, verdict %v; want NoTraffic", res.Verdict)
		}
		return
	}
	want := map[topology.Protocol]bool{f.Protocol: true}
	if f.Protocol == topology.Any {
		want = map[topology.Protocol]bool{}
		for _, p := range topology.Protocols {
			want[p] = true
		}
	}
	got := map[topology.Protocol]bool{}
	for i := range res.Segments {
		got[segProtocol(&res.Segments[i], f)] = true
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		fail("segments on protocols %v; want %v", got, want)
	}
}

// refCandidates lists addresses worth asking both evaluators about.
func refCandidates(topo *topology.Topology, e *Engine) []refAddr {
	var out []refAddr
	add := func(a netip.Addr) { out = append(out, refAddr{ip: a}) }
	for _, vm := range topo.VirtualMachines {
		add(vm.PrivateIPAddress)
	}
	for _, v := range topo.VirtualNetworks {
		for _, s := range v.Subnets {
			a := s.AddressPrefix.Masked().Addr()
			add(a)
			add(a.Next().Next().Next().Next())
		}
		add(v.AddressSpace[0].Masked().Addr().Next().Next().Next().Next().Next().Next().Next().Next().Next())
	}
	for _, s := range []string{"168.63.129.16", "203.0.113.9", "8.8.8.8", "20.1.2.3", "20.2.0.1", "192.168.1.5", "10.9.9.9", "172.16.0.1"} {
		add(netip.MustParseAddr(s))
	}
	// The opaque addresses: the engine's, and those of the tags the flow
	// catalogue needs that there is no file for, or the file lacks
	// (SPEC 2.4), which the engine must have.
	seen := map[string]bool{}
	for _, n := range e.u.names {
		seen[n] = true
		out = append(out, refAddr{tag: n})
	}
	for _, n := range []string{"GatewayManager", "AzureCloud"} {
		if !seen[n] && (topo.ServiceTags == nil || !refFileHas(topo.ServiceTags, n)) {
			out = append(out, refAddr{tag: n})
		}
	}
	return out
}

func refFileHas(f *topology.ServiceTags, tag string) bool {
	for _, n := range f.Names() {
		if n == tag {
			return true
		}
	}
	return false
}

// refPoint is the engine's point for a reference address (an opaque one
// the engine lacks is none of its points).
func refPoint(e *Engine, a refAddr) Point {
	if a.tag != "" {
		if p, ok := e.u.atoms[a.tag]; ok {
			return p
		}
		return ^Point(0)
	}
	return AddrPoint(a.ip)
}

func toRefAddr(e *Engine, p Point) refAddr {
	if p >= atomBase {
		return refAddr{tag: e.u.atomName(p)}
	}
	return refAddr{ip: PointAddr(p)}
}

// randomTopology builds a small valid topology with random rules: a hub
// VNet with AzureBastionSubnet and a Bastion host, spokes that may be
// peered, NSGs on subnets and NICs, ASGs, and rules drawn from the forms
// real NSGs use.
func randomTopology(rng *rand.Rand) *topology.Topology {
	t := &topology.Topology{Name: "random"}
	nv := 1 + rng.IntN(3)
	for v := range nv {
		vn := &topology.VirtualNetwork{
			Name:         fmt.Sprintf("vnet%d", v),
			AddressSpace: []netip.Prefix{netip.PrefixFrom(netip.AddrFrom4([4]byte{10, byte(v), 0, 0}), 16)},
		}
		if v > 0 && rng.IntN(3) > 0 {
			vn.Peerings = []string{"vnet0"}
		}
		// Unpeered VNets may reuse an address space (SPEC 1.1): the last
		// VNet sometimes takes the space of an earlier one that it is not
		// peered with, directly or through a common peer.
		if v > 0 && v == nv-1 && rng.IntN(3) == 0 {
			reuse := rng.IntN(v)
			prev := t.VirtualNetworks[reuse]
			peered := len(vn.Peerings) > 0 && (reuse == 0 || len(prev.Peerings) > 0)
			if !peered {
				vn.AddressSpace = prev.AddressSpace
			}
		}
		if rng.IntN(4) == 0 {
			vn.OnPremisesPrefixes = []netip.Prefix{netip.MustParsePrefix("192.168.0.0/16")}
		}
		ns := 1 + rng.IntN(3)
		for s := range ns {
			name := fmt.Sprintf("sub%d", s)
			if v == 0 && s == 0 {
				name = topology.BastionSubnetName
			}
			base := vn.AddressSpace[0].Addr().As4()
			vn.Subnets = append(vn.Subnets, &topology.Subnet{
				Name:          name,
				AddressPrefix: netip.PrefixFrom(netip.AddrFrom4([4]byte{10, base[1], byte(s), 0}), 24+rng.IntN(3)),
			})
		}
		t.VirtualNetworks = append(t.VirtualNetworks, vn)
	}
	// ASG asgK holds NICs of VNet K mod nv only: Azure requires one VNet
	// per ASG (ASG001).
	for a := range 3 {
		t.ApplicationSecurityGroups = append(t.ApplicationSecurityGroups, &topology.ApplicationSecurityGroup{Name: fmt.Sprintf("asg%d", a)})
	}
	if rng.IntN(3) == 0 {
		t.ServiceTags = randomServiceTags(rng)
	}
	nn := 1 + rng.IntN(4)
	for n := range nn {
		nsg := &topology.NetworkSecurityGroup{Name: fmt.Sprintf("nsg%d", n)}
		used := map[[2]int]bool{}
		for r := range rng.IntN(9) {
			dir := topology.Direction(rng.IntN(2))
			prio := 100 + 10*rng.IntN(30)
			if used[[2]int{int(dir), prio}] {
				continue
			}
			used[[2]int{int(dir), prio}] = true
			nsg.SecurityRules = append(nsg.SecurityRules, &topology.SecurityRule{
				Name: fmt.Sprintf("r%d", r), Priority: prio, Direction: dir,
				Access:   topology.Access(rng.IntN(2)),
				Protocol: []topology.Protocol{topology.Any, topology.Any, topology.Tcp, topology.Tcp, topology.Udp, topology.Icmp, topology.Esp, topology.Ah}[rng.IntN(8)],
				Source:   randomSide(rng, t), Destination: randomSide(rng, t),
				SourcePorts: randomPorts(rng, true), DestinationPorts: randomPorts(rng, false),
			})
		}
		t.NetworkSecurityGroups = append(t.NetworkSecurityGroups, nsg)
	}
	pickNSG := func() string {
		if rng.IntN(3) == 0 {
			return ""
		}
		return t.NetworkSecurityGroups[rng.IntN(nn)].Name
	}
	for _, v := range t.VirtualNetworks {
		for _, s := range v.Subnets {
			s.NetworkSecurityGroup = pickNSG()
		}
	}
	vmn := 0
	for vi, v := range t.VirtualNetworks {
		for _, s := range v.Subnets {
			if s.Name == topology.BastionSubnetName {
				continue
			}
			for k := range rng.IntN(3) {
				a := s.AddressPrefix.Addr().As4()
				a[3] += byte(4 + k*3 + rng.IntN(2))
				vm := &topology.VirtualMachine{
					Name: fmt.Sprintf("vm%d", vmn), VirtualNetwork: v.Name, Subnet: s.Name,
					PrivateIPAddress: netip.AddrFrom4(a), OS: topology.OS(rng.IntN(3)), // Linux, Windows or unknown
				}
				if rng.IntN(3) == 0 {
					vm.NetworkSecurityGroup = t.NetworkSecurityGroups[rng.IntN(nn)].Name
				}
				var asgs []string
				for a := range 3 {
					if a%nv == vi {
						asgs = append(asgs, fmt.Sprintf("asg%d", a))
					}
				}
				if rng.IntN(3) > 0 {
					vm.ApplicationSecurityGroups = []string{asgs[rng.IntN(len(asgs))]}
				}
				t.VirtualMachines = append(t.VirtualMachines, vm)
				vmn++
			}
		}
	}
	b := &topology.BastionHost{Name: "bastion", VirtualNetwork: "vnet0", SKU: topology.SKU(rng.IntN(4)), ScaleUnits: 2}
	if b.SKU >= topology.Standard && rng.IntN(2) == 0 {
		b.CustomPorts = []uint16{2222}
	}
	b.EnablePrivateOnlyBastion = b.SKU == topology.Premium && rng.IntN(2) == 0
	t.BastionHosts = []*topology.BastionHost{b}
	// Clients: an office range, ranges that hold VMs and subnets (and the
	// AzureBastionSubnet, which a client range never includes), all IPv4,
	// a range inside AzureBastionSubnet alone (no traffic), a tag.
	if rng.IntN(2) == 0 {
		ranges := []string{"203.0.113.0/24", "10.0.0.0/8", "10.1.0.0/16", "0.0.0.0/0", "10.0.0.0/27", "192.168.0.0/16"}
		for i := range 1 + rng.IntN(2) {
			c := &topology.Client{Name: fmt.Sprintf("client%d", i)}
			if rng.IntN(6) == 0 {
				c.Tag = []string{"Internet", "VirtualNetwork", "AzureCloud"}[rng.IntN(3)]
			} else {
				c.AddressPrefixes = []netip.Prefix{netip.MustParsePrefix(ranges[rng.IntN(len(ranges))])}
			}
			t.Clients = append(t.Clients, c)
		}
	}
	return t
}

// randomServiceTags is a Service Tags file that may lack the tags the flow
// catalogue needs (GatewayManager, AzureCloud) and documented tags
// (Storage, CorpNetSaw).
func randomServiceTags(rng *rand.Rand) *topology.ServiceTags {
	tags := map[string][]netip.Prefix{}
	if rng.IntN(2) == 0 {
		tags["GatewayManager"] = []netip.Prefix{netip.MustParsePrefix("20.1.0.0/16")}
	}
	if rng.IntN(2) == 0 {
		tags["AzureCloud"] = []netip.Prefix{netip.MustParsePrefix("20.0.0.0/8"), netip.MustParsePrefix("198.51.100.0/24")}
	}
	if rng.IntN(2) == 0 {
		tags["Storage"] = []netip.Prefix{netip.MustParsePrefix("20.2.0.0/16")}
	}
	return topology.NewServiceTags("tags.json", tags)
}

var randomTags = []string{"VirtualNetwork", "Internet", "AzureLoadBalancer", "GatewayManager", "AzureCloud", "Storage", "AzureCloud.westeurope", "CorpNetSaw"}

var randomPrefixes = []string{
	"10.0.0.0/26", "10.0.0.0/24", "10.0.1.0/24", "10.0.1.4/32", "10.1.0.0/16", "10.1.0.0/25", "10.2.1.0/24",
	"10.0.0.0/8", "203.0.113.0/24", "198.51.100.7/32", "0.0.0.0/0", "0.0.0.0/1", "128.0.0.0/1",
	"192.168.1.0/24", "168.63.129.16/32", "20.0.0.0/8",
}

func randomSide(rng *rand.Rand, t *topology.Topology) topology.Addresses {
	switch rng.IntN(5) {
	case 0:
		return topology.Addresses{Any: true}
	case 1:
		return topology.Addresses{Tag: randomTags[rng.IntN(len(randomTags))]}
	case 2:
		return topology.Addresses{ApplicationSecurityGroups: []string{t.ApplicationSecurityGroups[rng.IntN(len(t.ApplicationSecurityGroups))].Name}}
	}
	n := 1 + rng.IntN(3)
	var a topology.Addresses
	for range n {
		a.Prefixes = append(a.Prefixes, netip.MustParsePrefix(randomPrefixes[rng.IntN(len(randomPrefixes))]))
	}
	// Azure rules accept IPv6 prefixes, which match no IPv4 flow: some
	// sides mix them in, some hold nothing else (the rule matches nothing).
	switch rng.IntN(6) {
	case 0:
		a.Prefixes = nil
		fallthrough
	case 1:
		a.IPv6Prefixes = []netip.Prefix{netip.MustParsePrefix("2001:db8::/32"), netip.MustParsePrefix("::/0")}[:1+rng.IntN(2)]
	}
	return a
}

func randomPorts(rng *rand.Rand, source bool) []topology.PortRange {
	if source && rng.IntN(4) > 0 {
		return []topology.PortRange{topology.AllPorts}
	}
	choices := []topology.PortRange{topology.AllPorts, {Lo: 22, Hi: 22}, {Lo: 443, Hi: 443}, {Lo: 80, Hi: 80}, {Lo: 8080, Hi: 8080}, {Lo: 5701, Hi: 5701}, {Lo: 3389, Hi: 3389}, {Lo: 1024, Hi: 30000}, {Lo: 2222, Hi: 2222}, {Lo: 0, Hi: 1023}}
	n := 1 + rng.IntN(2)
	out := make([]topology.PortRange, n)
	for i := range out {
		out[i] = choices[rng.IntN(len(choices))]
	}
	return out
}

// randomFlows adds user flows between random endpoints.
func randomFlows(rng *rand.Rand, t *topology.Topology) []*Flow {
	names := []string{"bastion", "Internet", "GatewayManager", "AzureCloud", "Storage", "CorpNetSaw", "VirtualNetwork",
		"10.0.0.0/16", "10.1.0.0/24", "10.0.0.0/8", "203.0.113.9", "0.0.0.0/0", "0.0.0.0/1", "128.0.0.0/1"}
	for _, vm := range t.VirtualMachines {
		names = append(names, vm.Name, vm.PrivateIPAddress.String())
	}
	for _, c := range t.Clients {
		names = append(names, c.Name)
	}
	var out []*Flow
	for i := range 6 {
		src, dst := names[rng.IntN(len(names))], names[rng.IntN(len(names))]
		proto := []topology.Protocol{topology.Tcp, topology.Udp, topology.Icmp, topology.Any, topology.Any, topology.Esp, topology.Ah}[rng.IntN(7)]
		port := []uint16{22, 443, 80, 3389, 8080, 2000}[rng.IntN(6)]
		if !proto.CarriesPorts() {
			port = 0 // a user flow on Icmp, Esp or Ah names no port (SPEC 1.1)
		}
		out = append(out, &Flow{
			ID: fmt.Sprintf("user%d", i), Kind: KindCustom,
			Source: ResolveEndpoint(t, src), Destination: ResolveEndpoint(t, dst),
			Protocol: proto, SourcePorts: randomPorts(rng, true), Port: port,
		})
	}
	return out
}

// dumpTopology prints a topology for a failure message.
func dumpTopology(t *topology.Topology) string {
	var b strings.Builder
	for _, v := range t.VirtualNetworks {
		fmt.Fprintf(&b, "vnet %s %v peerings=%v onprem=%v\n", v.Name, v.AddressSpace, v.Peerings, v.OnPremisesPrefixes)
		for _, s := range v.Subnets {
			fmt.Fprintf(&b, "  subnet %s %v nsg=%s\n", s.Name, s.AddressPrefix, s.NetworkSecurityGroup)
		}
	}
	for _, n := range t.NetworkSecurityGroups {
		fmt.Fprintf(&b, "nsg %s\n", n.Name)
		for _, r := range n.SecurityRules {
			fmt.Fprintf(&b, "  %s %d %v %v %v src=%v:%s dst=%v:%s\n", r.Name, r.Priority, r.Direction, r.Access, r.Protocol,
				r.Source, topology.PortRangesString(r.SourcePorts), r.Destination, topology.PortRangesString(r.DestinationPorts))
		}
	}
	for _, vm := range t.VirtualMachines {
		fmt.Fprintf(&b, "vm %s %s/%s %v nic=%s asgs=%v\n", vm.Name, vm.VirtualNetwork, vm.Subnet, vm.PrivateIPAddress, vm.NetworkSecurityGroup, vm.ApplicationSecurityGroups)
	}
	for _, h := range t.BastionHosts {
		fmt.Fprintf(&b, "bastion %s %s %v ports=%v privateOnly=%v\n", h.Name, h.VirtualNetwork, h.SKU, h.CustomPorts, h.EnablePrivateOnlyBastion)
	}
	for _, c := range t.Clients {
		fmt.Fprintf(&b, "client %s %v tag=%s\n", c.Name, c.AddressPrefixes, c.Tag)
	}
	if t.ServiceTags != nil {
		for _, n := range t.ServiceTags.Names() {
			ps, _ := t.ServiceTags.Prefixes(n)
			fmt.Fprintf(&b, "service tag %s %v\n", n, ps)
		}
	}
	return b.String()
}
