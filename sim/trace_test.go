package sim

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/nsgsim/nsgsim/topology"
)

// TestTraceAgreesWithEvaluate traces every flow of random topologies (the
// generator of agreement_test.go) and requires, for every part, the NSGs
// and deciding rules Evaluate found for that segment, and the reference
// evaluator's verdict and path for the representative packet. Each rule's
// field booleans must agree with the reference's reading of the rule, and
// the deciding rule must be the first with all five true.
func TestTraceAgreesWithEvaluate(t *testing.T) {
	seed := uint64(20261124)
	parts := 0
	for i := range 300 {
		s := seed + uint64(i)
		rng := rand.New(rand.NewPCG(s, s^0x51a7ce))
		topo := randomTopology(rng)
		e, err := Compile(topo)
		if err != nil {
			t.Fatalf("seed %d: Compile: %v", s, err)
		}
		for _, f := range append(Flows(topo), randomFlows(rng, topo)...) {
			tr, err := e.Trace(f)
			if err != nil {
				t.Fatal(err)
			}
			if len(tr.Parts) != len(tr.Result.Segments) {
				t.Fatalf("seed %d: flow %s: %d parts for %d segments", s, f.ID, len(tr.Parts), len(tr.Result.Segments))
			}
			for k, p := range tr.Parts {
				parts++
				checkTracePart(t, s, topo, e, f, p, &tr.Result.Segments[k])
				if t.Failed() {
					return
				}
			}
		}
	}
	t.Logf("%d parts traced", parts)
}

func checkTracePart(t *testing.T, seed uint64, topo *topology.Topology, e *Engine, f *Flow, p TracePart, sg *Segment) {
	t.Helper()
	fail := func(format string, args ...any) {
		t.Fatalf("seed %d: flow %s: packet %s:%d -> %s:%d: %s\ntopology:\n%s", seed, f.ID,
			e.PointString(p.Packet.Source), p.Packet.SourcePort, e.PointString(p.Packet.Destination), p.Packet.DestinationPort,
			fmt.Sprintf(format, args...), dumpTopology(topo))
	}
	if !sg.Source.Contains(p.Packet.Source) || !sg.Destination.Contains(p.Packet.Destination) || !sg.SourcePorts.Contains(Point(p.Packet.SourcePort)) {
		fail("representative packet outside its segment")
	}
	if p.Access != sg.Access {
		fail("trace says %v, Evaluate %v", p.Access, sg.Access)
	}
	if len(p.NSGs) != len(sg.Hops) {
		fail("trace has %d NSGs, Evaluate %d hops", len(p.NSGs), len(sg.Hops))
	}
	var got []refHop
	for i, n := range p.NSGs {
		h := sg.Hops[i]
		if n.NSG != h.NSG || n.AppliedTo != h.At || n.Direction != h.Direction || n.MatchedRule() != h.Rule {
			fail("NSG %d: trace %s %s %v %s, Evaluate %s %s %v %s", i, n.NSG.Name, n.AppliedTo, n.Direction, n.MatchedRule().Name,
				h.NSG.Name, h.At, h.Direction, h.Rule.Name)
		}
		for j, re := range n.Rules {
			if re.Matched() != (j == n.Matched) && j <= n.Matched {
				fail("NSG %s: rule %s matched=%v but the deciding rule is %s", n.NSG.Name, re.Rule.Name, re.Matched(), n.MatchedRule().Name)
			}
		}
		got = append(got, refHop{n.NSG.Name, n.AppliedTo, n.MatchedRule().Name, n.MatchedRule().Access})
	}
	src, dst := refEnds(topo, f)
	ref := refPacket{
		proto: p.Packet.Protocol, src: toRefAddr(e, p.Packet.Source), dst: toRefAddr(e, p.Packet.Destination),
		sport: p.Packet.SourcePort, dport: p.Packet.DestinationPort,
		srcOutside: src.outside(), dstOutside: dst.outside(),
		srcFrom: cmpOr(src.anchor(topo), dst.anchor(topo)), dstFrom: cmpOr(dst.anchor(topo), src.anchor(topo)),
	}
	if p.Packet.Protocol != segProtocol(sg, f) {
		fail("trace packet on %s, segment on %s", p.Packet.Protocol, segProtocol(sg, f))
	}
	want, wantHops := refEvaluate(topo, ref)
	if want != p.Access || fmt.Sprint(got) != fmt.Sprint(wantHops) {
		fail("trace %v %v, reference %v %v", p.Access, got, want, wantHops)
	}
	// Each field boolean is the reference's reading of that field.
	for i, n := range p.NSGs {
		vnet := topo.VirtualNetworkByName(vnetOf(e, n.AppliedTo))
		for _, re := range n.Rules {
			r := re.Rule
			wantF := refRuleFields(topo, r, vnet, ref)
			gotF := [5]bool{re.ProtocolMatched, re.SourceMatched, re.SourcePortMatched, re.DestinationMatched, re.DestinationPortMatched}
			if gotF != wantF {
				fail("NSG %d %s rule %s: fields %v, reference %v", i, n.NSG.Name, r.Name, gotF, wantF)
			}
		}
	}
}

// vnetOf returns the VNet of an appliedTo label: "subnet hub/x" or "nic vm".
func vnetOf(e *Engine, at string) string {
	if s, ok := strings.CutPrefix(at, "subnet "); ok {
		v, _, _ := strings.Cut(s, "/")
		return v
	}
	name := strings.TrimPrefix(at, "nic ")
	return e.vms[name].vm.VirtualNetwork
}

func TestTraceOnePacket(t *testing.T) {
	src := fmt.Sprintf(findingsBase, "", `  - name: nsg-nic
    securityRules:
      - {name: DenySsh, priority: 100, direction: Inbound, access: Deny, protocol: Tcp, sourceAddressPrefix: "*", sourcePortRange: "*", destinationAddressPrefix: "*", destinationPortRange: "22"}`, "", "")
	src = strings.Replace(src, "os: Linux}", "os: Linux, networkSecurityGroup: nsg-nic}", 1)
	topo, err := topology.Parse("unit.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	e, err := Compile(topo)
	if err != nil {
		t.Fatal(err)
	}
	f, err := NewFlow(topo, "t", "10.0.0.4", "vm-linux", topology.Tcp, []topology.PortRange{{Lo: 50000, Hi: 50000}}, 22)
	if err != nil {
		t.Fatal(err)
	}
	tr, err := e.Trace(f)
	if err != nil {
		t.Fatal(err)
	}
	if len(tr.Parts) != 1 {
		t.Fatalf("%d parts, want 1", len(tr.Parts))
	}
	p := tr.Parts[0]
	var path []string
	for _, n := range p.NSGs {
		path = append(path, fmt.Sprintf("%s@%s/%v=%s", n.NSG.Name, n.AppliedTo, n.Direction, n.MatchedRule().Name))
	}
	want := "nsg-bastion@subnet hub/AzureBastionSubnet/Outbound=AllowSshRdpOutbound nsg-work@subnet hub/work/Inbound=AllowSshRdpFromBastion nsg-nic@nic vm-linux/Inbound=DenySsh"
	if got := strings.Join(path, " "); got != want || p.Access != topology.Deny {
		t.Errorf("trace = %s %v\nwant    %s Deny", got, p.Access, want)
	}
	// nsg-work's rules: AllowSshRdpFromBastion matches on all five fields;
	// DenyAllInbound matches too but is not reached.
	work := p.NSGs[1]
	if work.Matched != 0 || !work.Rules[0].Matched() || !work.Rules[1].Matched() {
		t.Errorf("nsg-work evaluation = %+v", work)
	}
	// nsg-bastion's AllowAzureCloudOutbound fails on destination and port.
	for _, re := range p.NSGs[0].Rules {
		if re.Rule.Name == "AllowAzureCloudOutbound" && (re.DestinationMatched || re.DestinationPortMatched || !re.ProtocolMatched || !re.SourceMatched) {
			t.Errorf("AllowAzureCloudOutbound = %+v", re)
		}
	}
}

// TestTraceRepresentative checks that a Bastion host's trace uses its
// subnet's first usable address, not the network address Azure reserves.
func TestTraceRepresentative(t *testing.T) {
	topo, err := topology.Parse("unit.yaml", []byte(fmt.Sprintf(findingsBase, "", "", "", "")))
	if err != nil {
		t.Fatal(err)
	}
	e, _ := Compile(topo)
	f, err := NewFlow(topo, "t", "bastion", "vm-linux", topology.Tcp, nil, 22)
	if err != nil {
		t.Fatal(err)
	}
	tr, err := e.Trace(f)
	if err != nil {
		t.Fatal(err)
	}
	if got := e.PointString(tr.Parts[0].Packet.Source); got != "10.0.0.4" {
		t.Errorf("representative source = %s, want 10.0.0.4", got)
	}
	for _, bad := range []string{"no-such-vm", "10.0.0.0/33", "2001:db8::1"} {
		if _, err := NewFlow(topo, "t", bad, "vm-linux", topology.Tcp, nil, 22); err == nil {
			t.Errorf("NewFlow(%q) succeeded", bad)
		}
	}
}

// TestShadowedExact checks the shadowed-rule walk against a plain cell
// enumeration on random topologies: cut each side of a rule's match set at
// every boundary of the rules before it, and take one packet per cell; the
// rule is shadowed when some earlier rule matches every cell, and the rules
// that take its traffic are those that match some cell first.
func TestShadowedExact(t *testing.T) {
	seed := uint64(20261125)
	checked, shadowed := 0, 0
	for i := range 400 {
		s := seed + uint64(i)
		rng := rand.New(rand.NewPCG(s, s^0xbadc0de))
		topo := randomTopology(rng)
		e, err := Compile(topo)
		if err != nil {
			t.Fatal(err)
		}
		for k, s := range e.compiled {
			c := e.nsgs[s]
			for dir := range 2 {
				rules := c.rules[dir]
				for j := range rules {
					if rules[j].rule.Default {
						break
					}
					want, wantTakers, ok := cellShadowed(rules, j)
					if !ok {
						continue
					}
					takers, left, _ := firstMatches(rules, ruleBox(&rules[j]), j)
					got := !left && !ruleBox(&rules[j]).isEmpty()
					checked++
					if got {
						shadowed++
					}
					var names []string
					for _, x := range takers {
						names = append(names, rules[x].rule.Name)
					}
					if got != want || strings.Join(names, ",") != strings.Join(wantTakers, ",") {
						t.Fatalf("seed %d: NSG %s in %s: rule %s: walk says shadowed=%v by %v, cells say %v by %v\n%s",
							s, k.nsg, k.vnet, rules[j].rule.Name, got, names, want, wantTakers, dumpTopology(topo))
					}
				}
			}
		}
	}
	t.Logf("%d rules checked, %d shadowed", checked, shadowed)
	if shadowed == 0 {
		t.Error("no shadowed rule in the sample: the test proves nothing")
	}
}

// cellShadowed is the slow reference for the walk. ok is false when the
// grid is too large to enumerate.
func cellShadowed(rules []compiledRule, j int) (shadowed bool, takers []string, ok bool) {
	r := &rules[j]
	if ruleBox(r).isEmpty() {
		return false, nil, true
	}
	var srcCuts, sportCuts, dstCuts, dportCuts []Point
	for i := range j {
		h := &rules[i]
		srcCuts, sportCuts = h.src.cuts(srcCuts), h.srcPorts.cuts(sportCuts)
		dstCuts, dportCuts = h.dst.cuts(dstCuts), h.dstPorts.cuts(dportCuts)
	}
	srcs, sports := r.src.split(uniq(srcCuts)), r.srcPorts.split(uniq(sportCuts))
	dsts, dports := r.dst.split(uniq(dstCuts)), r.dstPorts.split(uniq(dportCuts))
	var protos []topology.Protocol
	for _, p := range []topology.Protocol{topology.Tcp, topology.Udp, topology.Icmp, topology.Esp, topology.Ah} {
		if r.protocols.has(p) {
			protos = append(protos, p)
		}
	}
	if len(protos)*len(srcs)*len(sports)*len(dsts)*len(dports) > 200_000 {
		return false, nil, false
	}
	took := make([]bool, j)
	shadowed = true
	for _, p := range protos {
		for _, a := range srcs {
			for _, sp := range sports {
				for _, b := range dsts {
					for _, dp := range dports {
						first := -1
						for i := range j {
							if rules[i].matches(p, a.First(), sp.First(), b.First(), dp.First()) {
								first = i
								break
							}
						}
						if first < 0 {
							shadowed = false
						} else {
							took[first] = true
						}
					}
				}
			}
		}
	}
	for i, x := range took {
		if x {
			takers = append(takers, rules[i].rule.Name)
		}
	}
	return shadowed, takers, true
}
