package sim

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/nsgsim/nsgsim/gen"
	"github.com/nsgsim/nsgsim/topology"
)

// benchPacket is one packet in the engine's form and the reference's.
type benchPacket struct {
	proto                  topology.Protocol
	src, sport, dst, dport Point
	ref                    refPacket
}

// BenchmarkEvaluate measures the decision for one packet at one NSG, the
// work refFirstMatch does: the compiled NSG's decide (the rule index above
// indexMinRules rules, the linear scan below) against the reference
// evaluator. The NSG is a generated workload NSG (package gen) of N custom
// rules, two thirds of them inbound; packets cycle through 256 inbound
// packets to its VMs from the Bastion subnet, other spokes, on-premises and
// the Internet, on the ports the rules name.
func BenchmarkEvaluate(b *testing.B) {
	for _, n := range []int{10, 100, 1000} {
		topo := generated(b, gen.Options{Seed: 1, VNets: 2, Subnets: 8, VMs: 60, RulesPerNSG: n})
		e, err := Compile(topo)
		if err != nil {
			b.Fatal(err)
		}
		nsg, vnet, targets := benchNSG(b, e, n)
		packets := benchPackets(e, targets)
		b.Run(fmt.Sprintf("rules=%d", n), func(b *testing.B) {
			b.Run("engine", func(b *testing.B) {
				b.ReportAllocs()
				nsg.decide(topology.Inbound, topology.Tcp, 0, 0, 0, 0) // build the index outside the loop
				i := 0
				for b.Loop() {
					p := &packets[i%len(packets)]
					nsg.decide(topology.Inbound, p.proto, p.src, p.sport, p.dst, p.dport)
					i++
				}
			})
			b.Run("reference", func(b *testing.B) {
				b.ReportAllocs()
				i := 0
				for b.Loop() {
					refFirstMatch(topo, nsg.nsg, topology.Inbound, vnet, packets[i%len(packets)].ref)
					i++
				}
			})
		})
	}
}

// generated returns a generated topology as nsgsim simulate sees it: written
// as YAML and loaded.
func generated(b *testing.B, o gen.Options) *topology.Topology {
	t, err := gen.Generate(o)
	if err != nil {
		b.Fatal(err)
	}
	var buf bytes.Buffer
	if err := gen.Write(&buf, t, ""); err != nil {
		b.Fatal(err)
	}
	t, err = topology.Parse("generated.yaml", buf.Bytes())
	if err != nil {
		b.Fatal(err)
	}
	return t
}

// benchNSG returns a compiled workload NSG with n custom rules, its VNet,
// and the addresses of the VMs behind it.
func benchNSG(b *testing.B, e *Engine, n int) (*compiledNSG, *topology.VirtualNetwork, []Point) {
	for _, si := range e.subnets {
		if si.nsg == noNSG || len(e.nsgs[si.nsg].nsg.SecurityRules) != n {
			continue
		}
		var targets []Point
		for _, vm := range e.vmList {
			if vm.subnet.nsg == si.nsg {
				targets = append(targets, vm.point)
			}
		}
		if len(targets) > 0 {
			return e.nsgs[si.nsg], si.vnet.vnet, targets
		}
	}
	b.Fatalf("no generated NSG with %d rules and VMs behind it", n)
	return nil, nil, nil
}

// benchPackets draws 256 inbound packets to targets, deterministically.
func benchPackets(e *Engine, targets []Point) []benchPacket {
	rng := rand.New(rand.NewPCG(1, 2))
	var spaces []netip.Prefix
	for _, si := range e.subnets {
		spaces = append(spaces, si.subnet.AddressPrefix)
	}
	randIn := func(p netip.Prefix) Point {
		lo, hi := prefixBounds(p)
		return lo + rng.Uint64N(hi-lo+1)
	}
	out := make([]benchPacket, 256)
	for i := range out {
		var src Point
		switch rng.IntN(4) {
		case 0:
			src = randIn(spaces[rng.IntN(len(spaces))]) // Bastion subnet and other subnets
		case 1:
			src = randIn(netip.MustParsePrefix("192.168.0.0/16")) // on-premises
		case 2:
			src = randIn(netip.MustParsePrefix("172.16.0.0/12"))
		default:
			src = randIn(netip.MustParsePrefix("20.0.0.0/6")) // public
		}
		proto := []topology.Protocol{topology.Tcp, topology.Tcp, topology.Tcp, topology.Udp, topology.Icmp}[rng.IntN(5)]
		sport := Point(1024 + rng.IntN(64512))
		dport := Point([]uint16{22, 3389, 443, 80, 1433, 5432, 6379, 8080, 8443, 53, 10050, uint16(rng.IntN(65536))}[rng.IntN(12)])
		dst := targets[rng.IntN(len(targets))]
		out[i] = benchPacket{
			proto: proto, src: src, sport: sport, dst: dst, dport: dport,
			ref: refPacket{proto: proto, src: refAddr{ip: PointAddr(src)}, dst: refAddr{ip: PointAddr(dst)}, sport: uint16(sport), dport: uint16(dport)},
		}
	}
	return out
}

// BenchmarkSimulate compiles and simulates generated topologies (package
// gen) of 1,000 and 10,000 VMs, with the proportions of the 50,000-VM
// target: 250 VMs per VNet, 12.5 per subnet, 200 rules per workload NSG.
// One operation is sim.Simulate: Compile, every flow, the findings.
func BenchmarkSimulate(b *testing.B) {
	for _, vms := range []int{1000, 10000} {
		o := gen.Options{Seed: 1, VNets: max(2, vms/250), Subnets: vms * 2 / 25, VMs: vms, RulesPerNSG: 200}
		topo := generated(b, o)
		b.Run(fmt.Sprintf("vms=%d", vms), func(b *testing.B) {
			b.ReportAllocs()
			var flows int
			for b.Loop() {
				r, err := Simulate(topo)
				if err != nil {
					b.Fatal(err)
				}
				flows = len(r.Results)
			}
			b.ReportMetric(float64(flows)*float64(b.N)/b.Elapsed().Seconds(), "flows/s")
		})
	}
}

// BenchmarkDeclaredFlows holds issue 15's "no hidden quadratic paths" to a
// number: 5,000 flows declared between VMs of the 50,000-VM topology must
// cost no more than the flows of the catalogue do, each. Every iteration
// simulates the topology without them and with them, and the benchmark
// reports the time of one declared flow (the difference, over 5,000) over
// the time of one flow of the catalogue (the whole simulation without
// them, over its flows): about 1 when endpoints are found by map, and in
// the hundreds if each declared flow looked through the VMs.
func BenchmarkDeclaredFlows(b *testing.B) {
	const declared = 5000
	base := generated(b, gen.Options{Seed: 1, VNets: 200, Subnets: 4000, VMs: 50000, RulesPerNSG: 200})
	with := *base
	with.Flows = slices.Clone(base.Flows)
	rng := rand.New(rand.NewPCG(15, 5))
	vms := base.VirtualMachines
	for i := range declared {
		with.Flows = append(with.Flows, &topology.Flow{
			Name:   fmt.Sprintf("declared-%04d", i),
			Source: vms[rng.IntN(len(vms))].Name, Destination: vms[rng.IntN(len(vms))].Name,
			Protocol: topology.Tcp, DestinationPort: []uint16{22, 443, 1433, 3389}[rng.IntN(4)],
		})
	}
	var without, withDeclared time.Duration
	var flows int
	for b.Loop() {
		t0 := time.Now()
		r, err := Simulate(base)
		if err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		if _, err := Simulate(&with); err != nil {
			b.Fatal(err)
		}
		without, withDeclared = without+t1.Sub(t0), withDeclared+time.Since(t1)
		flows = len(r.Results)
	}
	perCatalogue := without.Seconds() / float64(flows)
	perDeclared := (withDeclared - without).Seconds() / declared
	b.ReportMetric(perCatalogue*1e6/float64(b.N), "µs/catalogue-flow")
	b.ReportMetric(perDeclared*1e6/float64(b.N), "µs/declared-flow")
	b.ReportMetric(perDeclared/perCatalogue, "declared/catalogue")
}
