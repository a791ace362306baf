package sim

import (
	"fmt"

	"github.com/nsgsim/nsgsim/topology"
)

// HopKey is a hop by value: what decided, and where, without pointers into
// one topology, so that the hops of two topologies (a what-if diff) compare
// with ==.
type HopKey struct {
	NSG       string
	At        string
	Direction topology.Direction
	Rule      string
	Priority  int
	Default   bool
	Access    topology.Access
}

// Key returns the hop by value.
func (h Hop) Key() HopKey {
	return HopKey{NSG: h.NSG.Name, At: h.At, Direction: h.Direction, Rule: h.Rule.Name,
		Priority: h.Rule.Priority, Default: h.Rule.Default, Access: h.Rule.Access}
}

// RuleText names the hop's rule the one way every output prints it:
// "nsg-bastion / DenyAllInBound / 65500 (default)".
func (h Hop) RuleText() string {
	s := fmt.Sprintf("%s / %s / %d", h.NSG.Name, h.Rule.Name, h.Rule.Priority)
	if h.Rule.Default {
		s += " (default)"
	}
	return s
}

// String is RuleText and where the NSG is applied:
// "nsg-bastion / DenyAllInBound / 65500 (default) at subnet hub/AzureBastionSubnet".
func (h Hop) String() string { return h.RuleText() + " at " + h.At }

// Decider returns the hop that decided a path, its last, and whether the
// path has one (a path through no NSG has none).
func Decider(hops []Hop) (Hop, bool) {
	if len(hops) == 0 {
		return Hop{}, false
	}
	return hops[len(hops)-1], true
}

// SameDecider reports whether two paths were decided by the same rule at
// the same place, compared by value (HopKey).
func SameDecider(a, b []Hop) bool {
	ha, oka := Decider(a)
	hb, okb := Decider(b)
	if oka != okb {
		return false
	}
	return !oka || ha.Key() == hb.Key()
}
