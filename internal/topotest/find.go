package topotest

import "github.com/nsgsim/nsgsim/topology"

// FindRule finds the rule named rule of the NSG named nsg; nil when there
// is none.
func FindRule(t *topology.Topology, nsg, rule string) *topology.SecurityRule {
	g := t.NetworkSecurityGroupByName(nsg)
	if g == nil {
		return nil
	}
	for _, r := range g.SecurityRules {
		if r.Name == rule {
			return r
		}
	}
	return nil
}
