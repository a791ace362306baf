package diff

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/nsgsim/nsgsim/sim"
	"github.com/nsgsim/nsgsim/topology"
)

// RuleChangeKind says what happened to a security rule between the two
// topologies.
type RuleChangeKind uint8

const (
	RuleAdded RuleChangeKind = iota
	RuleRemoved
	RuleChanged
)

var ruleChangeNames = [...]string{RuleAdded: "added", RuleRemoved: "removed", RuleChanged: "changed"}

func (k RuleChangeKind) String() string { return ruleChangeNames[k] }

// mark is the sign terraform plan uses for the change: +, - or ~.
func (k RuleChangeKind) mark() string { return [...]string{"+", "-", "~"}[k] }

// RuleChange is one custom security rule added, removed or changed: the
// change itself, shown next to the flows whose verdict it changed, as
// `terraform plan` shows resources. Rules are matched by NSG and rule name,
// case-insensitively as Azure names are.
type RuleChange struct {
	Kind     RuleChangeKind
	NSG      string
	Rule     string
	Old, New *topology.SecurityRule // nil for an added or a removed rule
	Fields   []FieldChange          // for a changed rule, in SPEC 1's key order
}

// FieldChange is one field of a changed rule, before and after, as the
// portal writes the values ("22, 2222" for a port list).
type FieldChange struct {
	Field string `json:"field"`
	Old   string `json:"before"`
	New   string `json:"after"`
}

// ruleFields are the fields that make a rule, in SPEC 1's key order, each
// as the portal lists it.
var ruleFields = []struct {
	name string
	get  func(*topology.SecurityRule) string
}{
	{"priority", func(r *topology.SecurityRule) string { return strconv.Itoa(r.Priority) }},
	{"direction", func(r *topology.SecurityRule) string { return r.Direction.String() }},
	{"access", func(r *topology.SecurityRule) string { return r.Access.String() }},
	{"protocol", func(r *topology.SecurityRule) string { return r.Protocol.String() }},
	{"source", func(r *topology.SecurityRule) string { return listText(r.Source.String()) }},
	{"sourcePorts", func(r *topology.SecurityRule) string { return listText(topology.PortRangesString(r.SourcePorts)) }},
	{"destination", func(r *topology.SecurityRule) string { return listText(r.Destination.String()) }},
	{"destinationPorts", func(r *topology.SecurityRule) string { return listText(topology.PortRangesString(r.DestinationPorts)) }},
	{"description", func(r *topology.SecurityRule) string { return r.Description }},
}

// listText spaces a comma-separated list the way a person writes it.
func listText(s string) string { return strings.ReplaceAll(s, ",", ", ") }

// compareRules lists the custom rules added, removed and changed from old to
// new: NSGs in the new topology's order (then those only in the old), rules
// in each NSG's order (removed rules after the others).
func compareRules(old, new *topology.Topology) []RuleChange {
	type key struct{ nsg, rule string }
	k := func(nsg, rule string) key { return key{strings.ToLower(nsg), strings.ToLower(rule)} }
	before := make(map[key]*topology.SecurityRule)
	for _, g := range old.NetworkSecurityGroups {
		for _, r := range g.SecurityRules {
			before[k(g.Name, r.Name)] = r
		}
	}
	var out []RuleChange
	seen := make(map[key]bool)
	for _, g := range new.NetworkSecurityGroups {
		for _, r := range g.SecurityRules {
			id := k(g.Name, r.Name)
			seen[id] = true
			o, ok := before[id]
			if !ok {
				out = append(out, RuleChange{Kind: RuleAdded, NSG: g.Name, Rule: r.Name, New: r})
				continue
			}
			var fields []FieldChange
			for _, f := range ruleFields {
				if a, b := f.get(o), f.get(r); a != b {
					fields = append(fields, FieldChange{f.name, a, b})
				}
			}
			if len(fields) > 0 {
				out = append(out, RuleChange{Kind: RuleChanged, NSG: g.Name, Rule: r.Name, Old: o, New: r, Fields: fields})
			}
		}
	}
	var removed []RuleChange
	for _, g := range old.NetworkSecurityGroups {
		for _, r := range g.SecurityRules {
			if !seen[k(g.Name, r.Name)] {
				removed = append(removed, RuleChange{Kind: RuleRemoved, NSG: g.Name, Rule: r.Name, Old: r})
			}
		}
	}
	return append(out, removed...)
}

// ruleSummary is a rule in one line: "priority 120 Inbound Allow Tcp from
// 203.0.113.0/24 to * port 443".
func ruleSummary(r *topology.SecurityRule) string {
	s := fmt.Sprintf("priority %d %s %s %s from %s", r.Priority, r.Direction, r.Access, r.Protocol, listText(r.Source.String()))
	if sp := topology.PortRangesString(r.SourcePorts); sp != "*" {
		s += " ports " + listText(sp)
	}
	s += " to " + listText(r.Destination.String())
	dp := topology.PortRangesString(r.DestinationPorts)
	switch {
	case dp == "*":
		s += " any port"
	case strings.ContainsAny(dp, ",-"):
		s += " ports " + listText(dp)
	default:
		s += " port " + dp
	}
	return s
}

// Detail says what the change is: the rule for an added or removed one,
// and "priority 100 → 101; destinationPorts 22 → 22, 2222" for a changed
// one.
func (c RuleChange) Detail() string {
	switch c.Kind {
	case RuleAdded:
		return ruleSummary(c.New)
	case RuleRemoved:
		return ruleSummary(c.Old)
	}
	parts := make([]string, len(c.Fields))
	for i, f := range c.Fields {
		parts[i] = fmt.Sprintf("%s %s → %s", f.Field, orNone(f.Old), orNone(f.New))
	}
	return strings.Join(parts, "; ")
}

func orNone(s string) string {
	if s == "" {
		return `""`
	}
	return s
}

// RuleDocument is a rule change in the JSON form of a diff.
type RuleDocument struct {
	Change string        `json:"change"` // added, removed or changed
	NSG    string        `json:"nsg"`
	Rule   string        `json:"rule"`
	Before *RuleJSON     `json:"before,omitempty"`
	After  *RuleJSON     `json:"after,omitempty"`
	Fields []FieldChange `json:"fields,omitempty"`
}

// RuleJSON is a security rule in the JSON form of a diff, with the fields
// as the portal lists them.
type RuleJSON struct {
	Priority         int    `json:"priority"`
	Direction        string `json:"direction"`
	Access           string `json:"access"`
	Protocol         string `json:"protocol"`
	Source           string `json:"source"`
	SourcePorts      string `json:"sourcePorts"`
	Destination      string `json:"destination"`
	DestinationPorts string `json:"destinationPorts"`
	Description      string `json:"description,omitempty"`
}

func newRuleJSON(r *topology.SecurityRule) *RuleJSON {
	if r == nil {
		return nil
	}
	return &RuleJSON{
		Priority: r.Priority, Direction: r.Direction.String(), Access: r.Access.String(), Protocol: r.Protocol.String(),
		Source: listText(r.Source.String()), SourcePorts: listText(topology.PortRangesString(r.SourcePorts)),
		Destination: listText(r.Destination.String()), DestinationPorts: listText(topology.PortRangesString(r.DestinationPorts)),
		Description: r.Description,
	}
}

func newRuleDocument(c RuleChange) RuleDocument {
	return RuleDocument{Change: c.Kind.String(), NSG: c.NSG, Rule: c.Rule, Before: newRuleJSON(c.Old), After: newRuleJSON(c.New), Fields: c.Fields}
}

// decidingRules returns the rule changes among rcs whose rule decided a
// part of r: the last hop of its path and of each segment's.
func decidingRules(r *sim.Result, rcs []RuleChange, out []RuleChange) []RuleChange {
	if r == nil {
		return out
	}
	consider := func(hops []sim.Hop) {
		if len(hops) == 0 {
			return
		}
		h := hops[len(hops)-1]
		if h.Rule == nil || h.Rule.Default || h.NSG == nil {
			return
		}
		for _, c := range rcs {
			if strings.EqualFold(c.NSG, h.NSG.Name) && strings.EqualFold(c.Rule, h.Rule.Name) &&
				!slices.ContainsFunc(out, func(o RuleChange) bool { return o.NSG == c.NSG && o.Rule == c.Rule }) {
				out = append(out, c)
			}
		}
	}
	consider(r.Hops)
	for _, sg := range r.Segments {
		consider(sg.Hops)
	}
	return out
}

// refs names rule changes for a flow's row: "~ nsg-data/DenyRdp".
func refs(rcs []RuleChange) string {
	parts := make([]string, len(rcs))
	for i, c := range rcs {
		parts[i] = c.Kind.mark() + " " + c.NSG + "/" + c.Rule
	}
	return strings.Join(parts, ", ")
}

// RuleRef names a rule change that decided a changed flow, in the JSON form
// of a diff.
type RuleRef struct {
	Change string `json:"change"`
	NSG    string `json:"nsg"`
	Rule   string `json:"rule"`
}

func newRuleRefs(rcs []RuleChange) []RuleRef {
	out := make([]RuleRef, len(rcs))
	for i, c := range rcs {
		out[i] = RuleRef{c.Kind.String(), c.NSG, c.Rule}
	}
	return out
}
