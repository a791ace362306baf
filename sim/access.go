package sim

import (
	"sort"

	"github.com/nsgsim/nsgsim/topology"
)

// Blockers returns the custom Deny rules of network security group nsg that
// would decide some packet of rule r if r were added to it at the lowest
// priority: the rules r must come before to take effect. They are computed
// in every VNet where the NSG is attached, and sorted by priority. The fix
// uses them to place a new Allow rule (a priority below the first of them).
func (e *Engine) Blockers(nsg string, r *topology.SecurityRule) []*topology.SecurityRule {
	seen := make(map[*topology.SecurityRule]bool)
	for _, s := range e.slotsOf[nsg] {
		c := e.nsgs[s]
		vi := e.vnets[e.keys[s].vnet]
		cr := e.compileRule(r, vi)
		rules := c.rules[r.Direction]
		custom := 0
		for custom < len(rules) && !rules[custom].rule.Default {
			custom++
		}
		takers, _, _ := firstMatches(rules, ruleBox(&cr), custom)
		for _, t := range takers {
			if rules[t].rule.Access == topology.Deny {
				seen[rules[t].rule] = true
			}
		}
	}
	out := make([]*topology.SecurityRule, 0, len(seen))
	for r := range seen {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Priority < out[j].Priority })
	return out
}
