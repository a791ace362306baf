package sim

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"testing"

	"github.com/nsgsim/nsgsim/topology"
)

// TestEngineAgreesWithReferenceLargeNSGs is TestEngineAgreesWithReference
// on NSGs of 50 to 300 rules, so that every decision goes through the rule
// index (index.go) rather than the linear scan.
func TestEngineAgreesWithReferenceLargeNSGs(t *testing.T) {
	minPackets := 30_000
	if testing.Short() {
		minPackets = 3_000
	}
	indexed := 0
	flows, packets := agreeOnRandomTopologies(t, 20261124, minPackets,
		func(rng *rand.Rand, topo *topology.Topology) { growRules(rng, topo, 50, 300) },
		func(e *Engine) {
			for _, n := range e.nsgs {
				for dir := range n.rules {
					if n.index(topology.Direction(dir)) != nil {
						indexed++
					}
				}
			}
		})
	if indexed == 0 {
		t.Fatal("no NSG direction was indexed; the test does not exercise the rule index")
	}
	t.Logf("%d flows, %d packets compared, %d indexed NSG directions", flows, packets, indexed)
}

// TestRuleIndexAgreesWithScan compares the index's first match with the
// linear scan's on random rules and packets, most of them on the boundaries
// of the rules' sets, where an off-by-one would show.
func TestRuleIndexAgreesWithScan(t *testing.T) {
	for s := range uint64(40) {
		rng := rand.New(rand.NewPCG(s, 7))
		topo := randomTopology(rng)
		growRules(rng, topo, 40, 400)
		e, err := Compile(topo)
		if err != nil {
			t.Fatalf("seed %d: Compile: %v", s, err)
		}
		for key, s := range e.compiled {
			n := e.nsgs[s]
			for dir := range n.rules {
				rules := n.rules[dir]
				x := newRuleIndex(rules)
				var pts [numAxes][]Point
				for i := range rules {
					r := &rules[i]
					for a, set := range []Set{r.src, r.srcPorts, r.dst, r.dstPorts} {
						for _, sp := range set.spans {
							pts[a] = append(pts[a], sp.lo, sp.hi, sp.hi+1, max(sp.lo, 1)-1)
						}
					}
				}
				for range 2000 {
					proto := topology.Protocol(rng.IntN(numProtocols))
					var p [numAxes]Point
					for a := range p {
						p[a] = pts[a][rng.IntN(len(pts[a]))]
						if a == axisSport || a == axisDport {
							p[a] = min(p[a], 65535)
						}
					}
					got := x.first(proto, p[axisSrc], p[axisSport], p[axisDst], p[axisDport])
					want := -1
					for i := range rules {
						if rules[i].matches(proto, p[axisSrc], p[axisSport], p[axisDst], p[axisDport]) {
							want = i
							break
						}
					}
					if got != want {
						t.Fatalf("seed %d: nsg %v %v: first(%v, %d, %d, %d, %d) = %d, want %d (linear scan)",
							s, key, topology.Direction(dir), proto, p[axisSrc], p[axisSport], p[axisDst], p[axisDport], got, want)
					}
				}
			}
		}
	}
}

// growRules gives every NSG of a random topology between lo and hi custom
// rules, drawn from wider forms than randomTopology's: random prefixes of
// every length, port lists and ranges, ASGs and service tags.
func growRules(rng *rand.Rand, t *topology.Topology, lo, hi int) {
	for _, nsg := range t.NetworkSecurityGroups {
		used := map[[2]int]bool{}
		for _, r := range nsg.SecurityRules {
			used[[2]int{int(r.Direction), r.Priority}] = true
		}
		n := lo + rng.IntN(hi-lo+1)
		for k := 0; len(nsg.SecurityRules) < n; k++ {
			dir := topology.Direction(rng.IntN(2))
			prio := 100 + rng.IntN(3997)
			if used[[2]int{int(dir), prio}] {
				continue
			}
			used[[2]int{int(dir), prio}] = true
			nsg.SecurityRules = append(nsg.SecurityRules, &topology.SecurityRule{
				Name: fmt.Sprintf("g%d", k), Priority: prio, Direction: dir,
				Access:   topology.Access(rng.IntN(2)),
				Protocol: []topology.Protocol{topology.Any, topology.Tcp, topology.Tcp, topology.Udp, topology.Icmp}[rng.IntN(5)],
				Source:   wideSide(rng, t), Destination: wideSide(rng, t),
				SourcePorts: widePorts(rng, true), DestinationPorts: widePorts(rng, false),
			})
		}
	}
}

func wideSide(rng *rand.Rand, t *topology.Topology) topology.Addresses {
	if rng.IntN(4) == 0 {
		return randomSide(rng, t)
	}
	var ps []netip.Prefix
	for range 1 + rng.IntN(4) {
		var a [4]byte
		switch rng.IntN(3) {
		case 0: // inside the random topology's VNets
			a = [4]byte{10, byte(rng.IntN(3)), byte(rng.IntN(4)), byte(rng.IntN(256))}
		case 1: // public
			a = [4]byte{byte(1 + rng.IntN(223)), byte(rng.IntN(256)), byte(rng.IntN(256)), byte(rng.IntN(256))}
		default:
			a = [4]byte{192, 168, byte(rng.IntN(4)), byte(rng.IntN(256))}
		}
		ps = append(ps, netip.PrefixFrom(netip.AddrFrom4(a), 8+rng.IntN(25)).Masked())
	}
	return topology.Addresses{Prefixes: ps}
}

func widePorts(rng *rand.Rand, source bool) []topology.PortRange {
	if source && rng.IntN(3) > 0 || rng.IntN(8) == 0 {
		return []topology.PortRange{topology.AllPorts}
	}
	var out []topology.PortRange
	for range 1 + rng.IntN(3) {
		if rng.IntN(2) == 0 {
			p := uint16(rng.IntN(65536))
			out = append(out, topology.PortRange{Lo: p, Hi: p})
			continue
		}
		a, b := uint16(rng.IntN(65536)), uint16(rng.IntN(65536))
		out = append(out, topology.PortRange{Lo: min(a, b), Hi: max(a, b)})
	}
	if rng.IntN(4) == 0 {
		out = append(out, randomPorts(rng, source)...)
	}
	return out
}
