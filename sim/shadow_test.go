package sim

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"testing"

	"github.com/nsgsim/nsgsim/topology"
)

// slowShadowedBy is the shadowed-rule check as first written, the
// reference for shadowedBy: each rule's box walked through every rule
// before it, in every context.
func slowShadowedBy(ctxs []*compiledNSG, r *topology.SecurityRule) ([]*topology.SecurityRule, bool) {
	seen := make(map[*topology.SecurityRule]bool)
	nonEmpty := false
	for _, c := range ctxs {
		rules := c.rules[r.Direction]
		i := slices.IndexFunc(rules, func(x compiledRule) bool { return x.rule == r })
		if i < 0 {
			return nil, false
		}
		b := ruleBox(&rules[i])
		if b.isEmpty() {
			continue
		}
		nonEmpty = true
		takers, left, ok := firstMatches(rules, b, i)
		if !ok || left {
			return nil, false
		}
		for _, t := range takers {
			seen[rules[t].rule] = true
		}
	}
	if !nonEmpty {
		return nil, false
	}
	out := make([]*topology.SecurityRule, 0, len(seen))
	for t := range seen {
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Priority < out[j].Priority })
	return out, true
}

// TestShadowedAgreesWithSlow compares shadowedBy, with and without the
// rule index, with the slow reference on every rule of random topologies
// whose NSGs have enough rules to get a rule index, drawn from a small pool of sides and ports so that rules
// repeat, nest and overlap as they do in real rule sets.
func TestShadowedAgreesWithSlow(t *testing.T) {
	shadowed, total := 0, 0
	for seed := range uint64(40) {
		rng := rand.New(rand.NewPCG(seed, 5005))
		topo := randomTopology(rng)
		for _, nsg := range topo.NetworkSecurityGroups {
			n := indexMinRules + rng.IntN(150)
			nsg.SecurityRules = nil
			for i := range n {
				dir := topology.Direction(rng.IntN(2))
				nsg.SecurityRules = append(nsg.SecurityRules, &topology.SecurityRule{
					Name: fmt.Sprintf("r%d", i), Priority: 100 + i, Direction: dir,
					Access:   topology.Access(rng.IntN(2)),
					Protocol: []topology.Protocol{topology.Any, topology.Tcp, topology.Tcp, topology.Udp, topology.Icmp}[rng.IntN(5)],
					Source:   randomSide(rng, topo), Destination: randomSide(rng, topo),
					SourcePorts: randomPorts(rng, true), DestinationPorts: randomPorts(rng, false),
				})
			}
		}
		e, err := Compile(topo)
		if err != nil {
			t.Fatal(err)
		}
		ctxs := e.contexts()
		for _, nsg := range topo.NetworkSecurityGroups {
			for _, r := range nsg.SecurityRules {
				want, wantOK := slowShadowedBy(ctxs[nsg.Name], r)
				for _, indexed := range []bool{true, false} {
					got, gotOK := shadowedBy(ctxs[nsg.Name], r, indexed)
					if gotOK != wantOK || !slices.Equal(got, want) {
						t.Fatalf("seed %d: %s/%s: shadowedBy (indexed %v) = %v %v, reference %v %v\n%s", seed, nsg.Name, r.Name, indexed, names(got), gotOK, names(want), wantOK, dumpTopology(topo))
					}
				}
				total++
				if wantOK {
					shadowed++
				}
			}
		}
	}
	if shadowed == 0 || shadowed == total {
		t.Fatalf("%d of %d rules shadowed: the test compares nothing interesting", shadowed, total)
	}
	t.Logf("%d of %d rules shadowed", shadowed, total)
}

func names(rs []*topology.SecurityRule) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.Name
	}
	return out
}
