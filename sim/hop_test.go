package sim

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/nsgsim/nsgsim/topology"
)

// The deciding hop prints one way everywhere, and two topologies' hops
// compare by value: a rule with the same name, priority and place decides
// alike even when it is another object (a what-if diff loads two files).
func TestHopTextAndKey(t *testing.T) {
	nsg := &topology.NetworkSecurityGroup{Name: "nsg-bastion"}
	def := topology.DefaultRules()[2] // DenyAllInBound
	h := Hop{NSG: nsg, At: "subnet hub/AzureBastionSubnet", Direction: topology.Inbound, Rule: def}
	if got, want := h.String(), "nsg-bastion / DenyAllInBound / 65500 (default) at subnet hub/AzureBastionSubnet"; got != want {
		t.Errorf("String = %q, want %q", got, want)
	}
	if got, want := HopsText([]Hop{h}), "blocked by "+h.String(); got != want {
		t.Errorf("HopsText = %q, want %q", got, want)
	}
	other := Hop{NSG: &topology.NetworkSecurityGroup{Name: "nsg-bastion"}, At: h.At, Direction: h.Direction, Rule: topology.DefaultRules()[2]}
	if !SameDecider([]Hop{h}, []Hop{other}) {
		t.Error("equal hops of two topologies differ")
	}
	moved := *def
	moved.Name, moved.Default, moved.Priority = "DenyAll", false, 4096
	if SameDecider([]Hop{h}, []Hop{{NSG: nsg, At: h.At, Direction: h.Direction, Rule: &moved}}) {
		t.Error("hops decided by different rules compare equal")
	}
	if !SameDecider(nil, nil) || SameDecider(nil, []Hop{h}) {
		t.Error("a path through no NSG compares wrongly")
	}
}

// Every documented flow the catalogue makes has a kind validation knows,
// with the target its ID names (BASTION/KIND[/TARGET]).
func TestCatalogueKindsAreValidationKinds(t *testing.T) {
	for s := range uint64(50) {
		topo := randomTopology(rand.New(rand.NewPCG(s, 3)))
		for _, f := range Flows(topo) {
			target, known := f.Kind.Target()
			parts := strings.Split(f.ID, "/")
			if !known || (target == topology.TargetNone) != (len(parts) == 2) || parts[1] != string(f.Kind) {
				t.Fatalf("flow %s: kind %q target %v known %v", f.ID, f.Kind, target, known)
			}
		}
	}
}
