package fix

import (
	"fmt"
	"reflect"
	"testing"

	"github.com/nsgsim/nsgsim/gen"
	"github.com/nsgsim/nsgsim/scenarios"
	"github.com/nsgsim/nsgsim/topology"
)

// TestPlacingTogetherChangesNothing computes the fix of every built-in
// scenario and of generated estates with proposals placed at once where
// they can be, and one at a time, and requires the same plan: the same
// rules at the same priorities, the same moves, expectations and notes,
// and the same patched topology.
func TestPlacingTogetherChangesNothing(t *testing.T) {
	var cases []*topology.Topology
	for _, s := range scenarios.List() {
		topo, err := scenarios.Load(s.Name)
		if err != nil {
			t.Fatal(err)
		}
		cases = append(cases, topo)
	}
	for seed := range uint64(6) {
		for _, nsgs := range []int{0, 40} { // gen's shared workload NSGs, then 40 of their own
			topo, err := gen.Generate(gen.Options{Seed: seed, VNets: 6, Subnets: 60, VMs: 300, RulesPerNSG: 30, NSGs: nsgs})
			if err != nil {
				t.Fatal(err)
			}
			cases = append(cases, topo)
		}
	}
	together := 0
	for _, topo := range cases {
		a, err := compute(topo, true)
		if err != nil {
			t.Fatal(err)
		}
		b, err := compute(topo, false)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := planText(a), planText(b); got != want {
			t.Fatalf("%s: placed together:\n%s\none at a time:\n%s", topo.Name, got, want)
		}
		if !reflect.DeepEqual(a.Patched.NetworkSecurityGroups, b.Patched.NetworkSecurityGroups) {
			t.Fatalf("%s: the patched NSGs differ", topo.Name)
		}
		if len(a.Added) > 1 {
			together++
		}
	}
	if together == 0 {
		t.Fatal("no case adds more than one rule: the test compares nothing")
	}
}

// planText writes out what a plan decided.
func planText(p *Plan) string {
	s := ""
	for _, a := range p.Added {
		s += fmt.Sprintf("add %s %s %d %v\n", a.NSG, a.Rule.Name, a.Rule.Priority, a.Reason)
	}
	for _, m := range p.Moves {
		s += fmt.Sprintf("move %s %s %d→%d\n", m.NSG, m.Rule.Name, m.From, m.To)
	}
	for _, x := range p.Expectations {
		s += fmt.Sprintf("expect %s %v→%v\n", x.Flow, x.From, x.To)
	}
	for _, n := range p.Notes {
		s += "note " + n + "\n"
	}
	return s + fmt.Sprintf("after %+v\n", p.After.Summary)
}
