package serve

import (
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/nsgsim/nsgsim/topology"
)

// An Edit is one change a reviewer makes to an NSG's rules on the page. The
// page keeps the list of edits (in its URL) and sends all of them with every
// request; the server applies them to the file's topology afresh each time and
// keeps nothing.
type Edit struct {
	// Op is "disable" (the rule is left out, as if deleted: Azure has no
	// disabled state for a rule), "set" (change the fields in Set) or "add"
	// (a new rule named Rule, with the fields in Set).
	Op   string `json:"op"`
	NSG  string `json:"nsg"`
	Rule string `json:"rule"`
	// Set holds rule fields by their YAML names: access, priority,
	// direction, protocol, source, sourcePorts, destination,
	// destinationPorts, description. Addresses and ports are
	// comma-separated lists, as the page shows them.
	Set map[string]string `json:"set,omitempty"`
}

// Edit operations.
const (
	OpDisable = "disable"
	OpSet     = "set"
	OpAdd     = "add"
)

// ruleFields are the fields an edit may set, in the order they are applied.
var ruleFields = []string{"access", "priority", "direction", "protocol", "source", "sourcePorts", "destination", "destinationPorts", "description"}

// ruleChange says what the edits did to one rule, for the changes panel and
// the emitted commands.
type ruleChange struct {
	NSG      string
	Name     string
	Before   *topology.SecurityRule // nil for an added rule
	After    *topology.SecurityRule // nil for a disabled rule
	Disabled bool
}

// applyEdits returns a copy of t with the edits applied, leaving t as it
// is: only the NSGs the edits touch are copied. It returns what changed, by
// NSG and rule in the topology's order, and a message for every edit that
// could not be applied (an edit naming a rule the file no longer has, a bad
// port); those edits are skipped. The edited topology still has to pass
// topology.Validate.
func applyEdits(t *topology.Topology, edits []Edit) (*topology.Topology, []ruleChange, []string) {
	var problems []string
	if len(edits) == 0 {
		return t, nil, nil
	}
	out := *t
	out.NetworkSecurityGroups = slices.Clone(t.NetworkSecurityGroups)
	copied := map[string]*topology.NetworkSecurityGroup{}
	nsgOf := func(name string) *topology.NetworkSecurityGroup {
		if g, ok := copied[name]; ok {
			return g
		}
		for i, g := range out.NetworkSecurityGroups {
			if g.Name == name {
				c := *g
				c.SecurityRules = slices.Clone(g.SecurityRules)
				out.NetworkSecurityGroups[i] = &c
				copied[name] = &c
				return &c
			}
		}
		return nil
	}
	type key struct{ nsg, rule string }
	original := map[key]*topology.SecurityRule{}
	added := map[key]bool{}
	disabled := map[key]bool{}
	var order []key
	for i, e := range edits {
		where := fmt.Sprintf("edit %d (%s %q/%q)", i+1, e.Op, e.NSG, e.Rule)
		g := nsgOf(e.NSG)
		if g == nil {
			problems = append(problems, fmt.Sprintf("%s: no NSG named %q in the file", where, e.NSG))
			continue
		}
		k := key{e.NSG, e.Rule}
		idx := slices.IndexFunc(g.SecurityRules, func(r *topology.SecurityRule) bool { return r.Name == e.Rule })
		switch e.Op {
		case OpDisable:
			if idx < 0 {
				problems = append(problems, fmt.Sprintf("%s: NSG %q has no rule %q", where, e.NSG, e.Rule))
				continue
			}
			if _, ok := original[k]; !ok && !added[k] {
				original[k] = g.SecurityRules[idx]
				order = append(order, k)
			}
			g.SecurityRules = slices.Delete(g.SecurityRules, idx, idx+1)
			disabled[k] = true
		case OpSet, OpAdd:
			var r topology.SecurityRule
			if e.Op == OpAdd {
				if idx >= 0 {
					problems = append(problems, fmt.Sprintf("%s: NSG %q already has a rule %q", where, e.NSG, e.Rule))
					continue
				}
				if strings.TrimSpace(e.Rule) == "" {
					problems = append(problems, fmt.Sprintf("%s: a new rule needs a name", where))
					continue
				}
				r = newRule(e.Rule)
			} else {
				if idx < 0 {
					problems = append(problems, fmt.Sprintf("%s: NSG %q has no rule %q", where, e.NSG, e.Rule))
					continue
				}
				r = *g.SecurityRules[idx]
			}
			if err := setFields(&r, e.Set, t); err != nil {
				problems = append(problems, fmt.Sprintf("%s: %v", where, err))
				continue
			}
			if e.Op == OpAdd {
				g.SecurityRules = append(g.SecurityRules, &r)
				added[k] = true
				delete(disabled, k)
				order = append(order, k)
			} else {
				if _, ok := original[k]; !ok && !added[k] {
					original[k] = g.SecurityRules[idx]
					order = append(order, k)
				}
				g.SecurityRules[idx] = &r
			}
		default:
			problems = append(problems, fmt.Sprintf("%s: unknown operation %q; expected disable, set or add", where, e.Op))
		}
	}
	var changes []ruleChange
	seen := map[key]bool{}
	for _, k := range order {
		if seen[k] {
			continue
		}
		seen[k] = true
		c := ruleChange{NSG: k.nsg, Name: k.rule, Before: original[k]}
		if added[k] {
			c.Before = nil
		}
		if disabled[k] {
			c.Disabled = true
			if c.Before == nil {
				continue // added, then disabled: nothing changed
			}
		} else if g := copied[k.nsg]; g != nil {
			if i := slices.IndexFunc(g.SecurityRules, func(r *topology.SecurityRule) bool { return r.Name == k.rule }); i >= 0 {
				c.After = g.SecurityRules[i]
			}
		}
		if c.Before != nil && c.After != nil && sameRule(c.Before, c.After) {
			continue
		}
		changes = append(changes, c)
	}
	return &out, changes, problems
}

// newRule is what "add a rule" starts from: inbound, Allow, Tcp, from
// anywhere to anywhere on any port, at the lowest priority Azure allows;
// the edit's fields say the rest.
func newRule(name string) topology.SecurityRule {
	return topology.SecurityRule{
		Name:             name,
		Priority:         4096,
		Direction:        topology.Inbound,
		Access:           topology.Allow,
		Protocol:         topology.Tcp,
		Source:           topology.Addresses{Any: true},
		SourcePorts:      []topology.PortRange{topology.AllPorts},
		Destination:      topology.Addresses{Any: true},
		DestinationPorts: []topology.PortRange{topology.AllPorts},
	}
}

// setFields sets a rule's fields from the page's text.
func setFields(r *topology.SecurityRule, set map[string]string, t *topology.Topology) error {
	for k := range set {
		if !slices.Contains(ruleFields, k) {
			return fmt.Errorf("unknown field %q; expected one of %s", k, strings.Join(ruleFields, ", "))
		}
	}
	for _, k := range ruleFields {
		v, ok := set[k]
		if !ok {
			continue
		}
		v = strings.TrimSpace(v)
		switch k {
		case "access":
			a, ok := topology.ParseAccess(v)
			if !ok {
				return fmt.Errorf("access %q: expected Allow or Deny", v)
			}
			r.Access = a
		case "priority":
			p, err := strconv.Atoi(v)
			if err != nil {
				return fmt.Errorf("priority %q: expected a number from 100 to 4096", v)
			}
			r.Priority = p
		case "direction":
			d, ok := topology.ParseDirection(v)
			if !ok {
				return fmt.Errorf("direction %q: expected Inbound or Outbound", v)
			}
			r.Direction = d
		case "protocol":
			p, ok := topology.ParseProtocol(v)
			if !ok {
				return fmt.Errorf("protocol %q: expected Tcp, Udp, Icmp, Esp, Ah or *", v)
			}
			r.Protocol = p
		case "source", "destination":
			a, err := parseAddresses(v, t)
			if err != nil {
				return fmt.Errorf("%s: %v", k, err)
			}
			if k == "source" {
				r.Source = a
			} else {
				r.Destination = a
			}
		case "sourcePorts", "destinationPorts":
			ps, err := parsePorts(v)
			if err != nil {
				return fmt.Errorf("%s: %v", k, err)
			}
			if k == "sourcePorts" {
				r.SourcePorts = ps
			} else {
				r.DestinationPorts = ps
			}
		case "description":
			r.Description = v
		}
	}
	return nil
}

// parseAddresses reads one side of a rule as the page writes it (and as
// topology.Addresses prints it): "*", a service tag, application security
// group names, or addresses and prefixes, separated by commas. Whether the
// result is a valid rule (one service tag alone, no host bits) is
// topology.Validate's to say.
func parseAddresses(s string, t *topology.Topology) (topology.Addresses, error) {
	var a topology.Addresses
	items := splitList(s)
	if len(items) == 0 {
		return a, fmt.Errorf("empty; expected *, a service tag, application security groups or prefixes")
	}
	for _, it := range items {
		switch {
		case it == "*":
			a.Any = true
		case t.ApplicationSecurityGroupByName(it) != nil:
			a.ApplicationSecurityGroups = append(a.ApplicationSecurityGroups, it)
		default:
			p, err := netip.ParsePrefix(it)
			if ip, aerr := netip.ParseAddr(it); aerr == nil {
				p, err = netip.PrefixFrom(ip, ip.BitLen()), nil
			}
			if err == nil && p.Addr().Is6() {
				a.IPv6Prefixes = append(a.IPv6Prefixes, p) // matches no flow, as loaded from YAML
				continue
			}
			if err == nil {
				a.Prefixes = append(a.Prefixes, p)
				continue
			}
			tag, ok := topology.CanonicalTag(it, t.ServiceTags)
			if !ok {
				return a, fmt.Errorf("%q is not an address, a prefix, a service tag or an application security group of the file", it)
			}
			a.Tag = tag
		}
	}
	if a.Any && len(items) > 1 {
		return a, fmt.Errorf("%q: * stands alone", s)
	}
	return a, nil
}

// parsePorts reads "22, 3389, 8080-8090" or "*".
func parsePorts(s string) ([]topology.PortRange, error) {
	items := splitList(s)
	if len(items) == 0 {
		return nil, fmt.Errorf("empty; expected * or ports such as 22, 8080-8090")
	}
	out := make([]topology.PortRange, 0, len(items))
	for _, it := range items {
		r, err := topology.ParsePortRange(it)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

func splitList(s string) []string {
	var out []string
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' || r == '\n' }) {
		out = append(out, f)
	}
	return out
}

// sameRule reports whether two rules decide alike and read alike.
func sameRule(a, b *topology.SecurityRule) bool {
	return a.Name == b.Name && a.Description == b.Description && a.Priority == b.Priority &&
		a.Direction == b.Direction && a.Access == b.Access && a.Protocol == b.Protocol &&
		a.Source.String() == b.Source.String() && a.Destination.String() == b.Destination.String() &&
		slices.Equal(a.SourcePorts, b.SourcePorts) && slices.Equal(a.DestinationPorts, b.DestinationPorts)
}
