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
			res := e.Evaluate(f)
			flows++
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
			if seg != nil {
				t.Fatalf("seed %d: flow %s: packet %v in two segments", seed, f.ID, pkt)
			}
			seg = sg
		}
	}
	ref := refPacket{
		proto: f.Protocol, src: toRefAddr(e, pkt.src), dst: toRefAddr(e, pkt.dst),
		sport: pkt.sport, dport: f.Port,
		srcOutside: outside(f.Source), dstOutside: outside(f.Destination),
	}
	want, wantHops := refEvaluate(topo, ref)
	if seg == nil {
		t.Fatalf("seed %d: flow %s: packet %s:%d -> %s:%d in no segment; reference says %v", seed, f.ID, ref.src, ref.sport, ref.dst, ref.dport, want)
	}
	got := seg.Access
	gotHops := make([]refHop, len(seg.Hops))
	for i, h := range seg.Hops {
		gotHops[i] = refHop{h.NSG.Name, h.At, h.Rule.Name, h.Rule.Access}
	}
	if got != want || fmt.Sprint(gotHops) != fmt.Sprint(wantHops) {
		y := dumpTopology(topo)
		t.Fatalf("seed %d: flow %s %s: packet %s:%d -> %s:%d:\n engine    %v %v\n reference %v %v\ntopology:\n%s",
			seed, f.ID, f.Protocol, ref.src, ref.sport, ref.dst, ref.dport, got, gotHops, want, wantHops, y)
	}
}

func toRefAddr(e *Engine, p Point) refAddr {
	if p >= atomBase {
		return refAddr{tag: e.u.atomName(p)}
	}
	return refAddr{ip: PointAddr(p)}
}

// outside reports whether an endpoint never sits in a subnet (SPEC 2.3).
func outside(ep Endpoint) bool {
	switch ep.Kind {
	case EndpointClient, EndpointServiceTag, EndpointExternal:
		return true
	}
	return false
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
		if rng.IntN(4) == 0 {
			vn.OnPremisesPrefixes = []netip.Prefix{netip.MustParsePrefix("192.168.0.0/16")}
		}
		ns := 1 + rng.IntN(3)
		for s := range ns {
			name := fmt.Sprintf("sub%d", s)
			if v == 0 && s == 0 {
				name = topology.BastionSubnetName
			}
			vn.Subnets = append(vn.Subnets, &topology.Subnet{
				Name:          name,
				AddressPrefix: netip.PrefixFrom(netip.AddrFrom4([4]byte{10, byte(v), byte(s), 0}), 24+rng.IntN(3)),
			})
		}
		t.VirtualNetworks = append(t.VirtualNetworks, vn)
	}
	for a := range 3 {
		t.ApplicationSecurityGroups = append(t.ApplicationSecurityGroups, &topology.ApplicationSecurityGroup{Name: fmt.Sprintf("asg%d", a)})
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
				Protocol: []topology.Protocol{topology.Any, topology.Tcp, topology.Tcp, topology.Udp}[rng.IntN(4)],
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
	for _, v := range t.VirtualNetworks {
		for _, s := range v.Subnets {
			if s.Name == topology.BastionSubnetName {
				continue
			}
			for k := range rng.IntN(3) {
				a := s.AddressPrefix.Addr().As4()
				a[3] += byte(4 + k*3 + rng.IntN(2))
				vm := &topology.VirtualMachine{
					Name: fmt.Sprintf("vm%d", vmn), VirtualNetwork: v.Name, Subnet: s.Name,
					PrivateIPAddress: netip.AddrFrom4(a), OS: topology.OS(rng.IntN(2)),
				}
				if rng.IntN(3) == 0 {
					vm.NetworkSecurityGroup = t.NetworkSecurityGroups[rng.IntN(nn)].Name
				}
				if rng.IntN(2) == 0 {
					vm.ApplicationSecurityGroups = []string{fmt.Sprintf("asg%d", rng.IntN(3))}
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
	if rng.IntN(2) == 0 {
		t.Clients = []*topology.Client{{Name: "office", AddressPrefixes: []netip.Prefix{netip.MustParsePrefix("203.0.113.0/24")}}}
	}
	return t
}

var randomTags = []string{"VirtualNetwork", "Internet", "AzureLoadBalancer", "GatewayManager", "AzureCloud", "Storage", "AzureCloud.westeurope"}

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
	var ps []netip.Prefix
	for range n {
		ps = append(ps, netip.MustParsePrefix(randomPrefixes[rng.IntN(len(randomPrefixes))]))
	}
	return topology.Addresses{Prefixes: ps}
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
	names := []string{"bastion", "Internet", "GatewayManager", "AzureCloud", "Storage", "VirtualNetwork", "10.0.0.0/16", "10.1.0.0/24", "203.0.113.9", "0.0.0.0/0"}
	for _, vm := range t.VirtualMachines {
		names = append(names, vm.Name, vm.PrivateIPAddress.String())
	}
	var out []*Flow
	for i := range 6 {
		src, dst := names[rng.IntN(len(names))], names[rng.IntN(len(names))]
		if strings.HasPrefix(src, "bastion") && t.BastionHosts[0].SKU == topology.Developer {
			continue
		}
		out = append(out, &Flow{
			ID: fmt.Sprintf("user%d", i), Kind: KindCustom,
			Source: ResolveEndpoint(t, src), Destination: ResolveEndpoint(t, dst),
			Protocol:    []topology.Protocol{topology.Tcp, topology.Udp, topology.Icmp}[rng.IntN(3)],
			SourcePorts: randomPorts(rng, true), Port: []uint16{22, 443, 80, 3389, 8080, 2000}[rng.IntN(6)],
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
	return b.String()
}
