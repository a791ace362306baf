package topology

import (
	"bytes"
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"unicode"

	"go.yaml.in/yaml/v3"
)

// Marshal writes t in the YAML format of SPEC section 1, the way Load reads
// it: keys in SPEC order, zero and default values left out (a Bastion
// host's sku DefaultSKU and scaleUnits DefaultScaleUnits, a flow's requirement optional,
// false flags), prefixes as PrefixString prints them, ports as
// PortRange.String prints them, and a plural field (sourceAddressPrefixes,
// destinationPortRanges, addressPrefixes) only for more than one value.
// Default security rules are never written. The output is deterministic, and
// Load of it gives back t but for Origin and File.
//
// Marshal fails on what the format cannot say: a rule side that is not
// exactly one of "*", a service tag, prefixes and application security
// groups, or a rule without ports.
func Marshal(t *Topology) ([]byte, error) {
	if t == nil {
		return nil, fmt.Errorf("marshal: nil topology")
	}
	fast := &yamlWriter{}
	err := marshalTopology(t, fast)
	if err == nil {
		var data []byte
		if data, err = fast.bytes(); err == nil {
			return data, nil
		}
	}
	if !errors.Is(err, errNotPlain) {
		return nil, fmt.Errorf("marshal: %w", err)
	}
	// A shape the fast writer leaves to yaml.v3.
	return marshalTree(t)
}

// marshalTree is Marshal through a yaml.v3 node tree of the whole
// document: what the fast writer's output is by construction.
func marshalTree(t *Topology) ([]byte, error) {
	tree := &yamlTree{root: newMap(nil), sections: map[string]*yaml.Node{}}
	if err := marshalTopology(t, tree); err != nil {
		return nil, fmt.Errorf("marshal: %w", err)
	}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(tree.root.n); err != nil {
		return nil, fmt.Errorf("marshal: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("marshal: %w", err)
	}
	return spaceSections(buf.Bytes()), nil
}

// yamlTree builds the whole document as a yaml.v3 node tree.
type yamlTree struct {
	root     ymap
	sections map[string]*yaml.Node // each top-level list, once started
}

func (y *yamlTree) str(key, value string) { y.root.str(key, value) }

// nodes is nil: the tree keeps every node.
func (y *yamlTree) nodes() *nodeArena { return nil }

func (y *yamlTree) item(section string, m ymap) error {
	seq, ok := y.sections[section]
	if !ok {
		seq = &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
		y.sections[section] = seq
		y.root.add(section, seq)
	}
	seq.Content = append(seq.Content, m.n)
	return nil
}

// spaceSections puts a blank line before each top-level list
// (virtualNetworks:, networkSecurityGroups:, ...) but the first line.
func spaceSections(b []byte) []byte {
	lines := bytes.SplitAfter(b, []byte("\n"))
	var out bytes.Buffer
	for i, l := range lines {
		if i > 0 && len(l) > 0 && l[0] != ' ' && l[0] != '-' && bytes.HasSuffix(bytes.TrimRight(l, "\n"), []byte(":")) {
			out.WriteByte('\n')
		}
		out.Write(l)
	}
	return out.Bytes()
}

// nodeArena hands out the yaml.Nodes of the items marshalTopology makes.
// An output that writes an item as soon as it has it (yamlWriter) resets
// the arena after each: the YAML of 400,000 rules then reuses one slab of
// nodes, and the Content lists they had, rather than allocating some twenty
// nodes a rule for the collector. A nil arena allocates each node, for the
// tree behind yaml.v3, which keeps them all.
type nodeArena struct {
	slab []yaml.Node
}

// put returns a node holding n (n has no Content: the node keeps the
// capacity of the one it reuses).
func (a *nodeArena) put(n yaml.Node) *yaml.Node {
	if a == nil {
		return &n
	}
	if len(a.slab) == cap(a.slab) {
		// A new slab; the nodes taken from the full one stay with it.
		a.slab = make([]yaml.Node, 0, max(256, 2*cap(a.slab)))
	}
	a.slab = a.slab[:len(a.slab)+1]
	slot := &a.slab[len(a.slab)-1]
	n.Content = slot.Content[:0]
	*slot = n
	return slot
}

// reset gives every node back: nothing handed out before may be used after.
func (a *nodeArena) reset() {
	if a != nil {
		a.slab = a.slab[:0]
	}
}

// ymap is a YAML mapping under construction, its nodes from arena a.
type ymap struct {
	n *yaml.Node
	a *nodeArena
}

func newMap(a *nodeArena) ymap {
	return ymap{a.put(yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}), a}
}

func (m ymap) add(key string, v *yaml.Node) {
	m.n.Content = append(m.n.Content, m.a.put(ystr(key)), v)
}

// scalar adds a scalar node.
func (m ymap) scalar(key string, v yaml.Node) { m.add(key, m.a.put(v)) }

// str adds a string unless it is empty.
func (m ymap) str(key, s string) {
	if s != "" {
		m.scalar(key, ystr(s))
	}
}

// flag adds a boolean that is true.
func (m ymap) flag(key string, b bool) {
	if b {
		m.scalar(key, yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: "true"})
	}
}

// list adds a list of strings in flow style unless it is empty.
func (m ymap) list(key string, items []string) {
	if len(items) == 0 {
		return
	}
	seq := m.flowSeq()
	for _, s := range items {
		seq.Content = append(seq.Content, m.a.put(ystr(s)))
	}
	m.add(key, seq)
}

// flowSeq is an empty sequence in flow style.
func (m ymap) flowSeq() *yaml.Node {
	return m.a.put(yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Style: yaml.FlowStyle})
}

// block adds a list of mappings in block style unless it is empty.
func (m ymap) block(key string, items []ymap) {
	if len(items) == 0 {
		return
	}
	seq := m.a.put(yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"})
	for _, it := range items {
		seq.Content = append(seq.Content, it.n)
	}
	m.add(key, seq)
}

// ystr is a string scalar. One that YAML would read as something else
// ("*", "443") is double-quoted, as in SPEC 1.
func ystr(s string) yaml.Node {
	n := yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s}
	if !plainSafe(s) {
		n.Style = yaml.DoubleQuotedStyle
	}
	return n
}

// plainSafe reports whether s may be written as a plain scalar and read
// back as the same string, deciding from its characters, without a parse:
// it starts with a letter, a digit, "_" or "/", holds only letters, digits,
// single inner spaces and "._/()+-=@", and yaml.v3 resolves it to a string
// (plainTag: "443", "true" and "null" are not). It may quote a string that
// a parse would have left plain ("a:b"), never the reverse.
func plainSafe(s string) bool {
	if s == "" || s[len(s)-1] == ' ' {
		return false
	}
	ok, ascii := plainSafeASCII(s)
	if !ascii {
		ok = plainSafeRunes(s)
	}
	return ok && plainTag(s) == "!!str"
}

// plainSafeRunes is plainSafe's character test, rune by rune.
func plainSafeRunes(s string) bool {
	for i, r := range s {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_' || r == '/':
		case i == 0:
			return false
		case r == ' ' && s[i-1] != ' ':
		case strings.ContainsRune(".()+-=@", r):
		default:
			return false
		}
	}
	return true
}

// plainSafeASCII is plainSafeRunes for a string of ASCII alone (ascii
// reports whether it was one), by table: names, prefixes and descriptions
// are nearly all ASCII, and a large topology has millions.
func plainSafeASCII(s string) (ok, ascii bool) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 0x80:
			return false, false
		case 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '/':
		case i == 0:
			ok = false
			return ok, asciiOnly(s[i:])
		case c == ' ' && s[i-1] != ' ':
		case c == '.' || c == '(' || c == ')' || c == '+' || c == '-' || c == '=' || c == '@':
		default:
			return false, asciiOnly(s[i:])
		}
	}
	return true, true
}

// asciiOnly reports whether s is ASCII.
func asciiOnly(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// yport is a port range, always a quoted string as in ARM ("443").
func yport(s string) yaml.Node {
	return yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s, Style: yaml.DoubleQuotedStyle}
}

func yint(i int) yaml.Node {
	return yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: strconv.Itoa(i)}
}

// oneOrMany adds a singular key for one value and a plural one for more.
func (m ymap) oneOrMany(singular, plural string, vals []string) {
	switch len(vals) {
	case 0:
	case 1:
		m.scalar(singular, ystr(vals[0]))
	default:
		m.list(plural, vals)
	}
}

// ports adds port ranges, singular for one and plural for more.
func (m ymap) ports(singular, plural string, rs []PortRange) {
	switch len(rs) {
	case 0:
	case 1:
		m.scalar(singular, yport(rs[0].String()))
	default:
		seq := m.flowSeq()
		for _, r := range rs {
			seq.Content = append(seq.Content, m.a.put(yport(r.String())))
		}
		m.add(plural, seq)
	}
}

// topologyOut receives a topology's YAML as marshalTopology walks it: the
// top-level strings, then each item of each top-level list in SPEC order.
// The tree behind Marshal's slow path and the fast writer both take it.
type topologyOut interface {
	str(key, value string)
	item(section string, m ymap) error
	// nodes is the arena the items' nodes come from (nodeArena).
	nodes() *nodeArena
}

func marshalTopology(t *Topology, out topologyOut) error {
	out.str("name", t.Name)
	out.str("location", t.Location)
	out.str("serviceTags", t.ServiceTagsFile)

	if err := marshalEach(out, "virtualNetworks", t.VirtualNetworks, marshalVirtualNetwork); err != nil {
		return err
	}

	// An NSG and a client can fail to marshal; the other objects cannot.
	for _, g := range t.NetworkSecurityGroups {
		if g == nil {
			continue
		}
		m := newMap(out.nodes())
		m.str("name", g.Name)
		var rules []ymap
		for _, r := range g.SecurityRules {
			if r == nil || r.Default {
				continue
			}
			rm, err := marshalRule(out.nodes(), r)
			if err != nil {
				return err
			}
			rules = append(rules, rm)
		}
		m.block("securityRules", rules)
		if err := out.item("networkSecurityGroups", m); err != nil {
			return err
		}
	}

	if err := marshalEach(out, "applicationSecurityGroups", t.ApplicationSecurityGroups, marshalApplicationSecurityGroup); err != nil {
		return err
	}
	if err := marshalEach(out, "virtualMachines", t.VirtualMachines, marshalVirtualMachine); err != nil {
		return err
	}
	if err := marshalEach(out, "bastionHosts", t.BastionHosts, marshalBastionHost); err != nil {
		return err
	}

	for _, c := range t.Clients {
		if c == nil {
			continue
		}
		m := newMap(out.nodes())
		m.str("name", c.Name)
		if c.Tag != "" {
			if len(c.AddressPrefixes) > 0 {
				return fmt.Errorf("client %q has both a service tag and prefixes", c.Name)
			}
			m.str("addressPrefix", c.Tag)
		}
		m.oneOrMany("addressPrefix", "addressPrefixes", prefixStrings(c.AddressPrefixes))
		if err := out.item("clients", m); err != nil {
			return err
		}
	}

	if err := marshalEach(out, "flows", t.Flows, marshalFlow); err != nil {
		return err
	}
	return marshalEach(out, "expectations", t.Expectations, marshalExpectation)
}

// marshalEach hands out the objects of xs, marshalled, skipping nil ones.
func marshalEach[T any](out topologyOut, section string, xs []*T, marshal func(*nodeArena, *T) ymap) error {
	for _, x := range xs {
		if x != nil {
			if err := out.item(section, marshal(out.nodes(), x)); err != nil {
				return err
			}
		}
	}
	return nil
}

func marshalApplicationSecurityGroup(na *nodeArena, a *ApplicationSecurityGroup) ymap {
	m := newMap(na)
	m.str("name", a.Name)
	return m
}

func marshalExpectation(na *nodeArena, e *Expectation) ymap {
	m := newMap(na)
	m.str("flow", e.Flow)
	m.scalar("verdict", ystr(e.Verdict.String()))
	m.flag("intended", e.Intended)
	return m
}

func marshalVirtualNetwork(na *nodeArena, v *VirtualNetwork) ymap {
	m := newMap(na)
	m.str("name", v.Name)
	m.list("addressSpace", prefixStrings(v.AddressSpace))
	m.list("peerings", v.Peerings)
	m.list("onPremisesPrefixes", prefixStrings(v.OnPremisesPrefixes))
	var subnets []ymap
	for _, s := range v.Subnets {
		if s == nil {
			continue
		}
		sm := newMap(na)
		sm.str("name", s.Name)
		if s.AddressPrefix.IsValid() {
			sm.str("addressPrefix", PrefixString(s.AddressPrefix))
		}
		sm.str("networkSecurityGroup", s.NetworkSecurityGroup)
		sm.str("routeTable", s.RouteTable)
		subnets = append(subnets, sm)
	}
	m.block("subnets", subnets)
	return m
}

func marshalRule(na *nodeArena, r *SecurityRule) (ymap, error) {
	m := newMap(na)
	m.str("name", r.Name)
	m.scalar("priority", yint(r.Priority))
	m.scalar("direction", ystr(r.Direction.String()))
	m.scalar("access", ystr(r.Access.String()))
	m.scalar("protocol", ystr(r.Protocol.String()))
	if err := marshalSide(m, r, "source", r.Source); err != nil {
		return m, err
	}
	if len(r.SourcePorts) == 0 {
		return m, fmt.Errorf("rule %q has no source port range", r.Name)
	}
	m.ports("sourcePortRange", "sourcePortRanges", r.SourcePorts)
	if err := marshalSide(m, r, "destination", r.Destination); err != nil {
		return m, err
	}
	if len(r.DestinationPorts) == 0 {
		return m, fmt.Errorf("rule %q has no destination port range", r.Name)
	}
	m.ports("destinationPortRange", "destinationPortRanges", r.DestinationPorts)
	m.str("description", r.Description)
	return m, nil
}

func marshalSide(m ymap, r *SecurityRule, side string, a Addresses) error {
	n := 0
	for _, set := range []bool{a.Any, a.Tag != "", a.HasPrefixes(), len(a.ApplicationSecurityGroups) > 0} {
		if set {
			n++
		}
	}
	if n != 1 {
		return fmt.Errorf("rule %q: %s must be exactly one of \"*\", a service tag, prefixes and application security groups", r.Name, side)
	}
	switch {
	case a.Any:
		m.scalar(side+"AddressPrefix", ystr("*"))
	case a.Tag != "":
		m.scalar(side+"AddressPrefix", ystr(a.Tag))
	case a.HasPrefixes():
		m.oneOrMany(side+"AddressPrefix", side+"AddressPrefixes", prefixStrings(a.AllPrefixes()))
	default:
		m.list(side+"ApplicationSecurityGroups", a.ApplicationSecurityGroups)
	}
	return nil
}

func marshalVirtualMachine(na *nodeArena, vm *VirtualMachine) ymap {
	m := newMap(na)
	m.str("name", vm.Name)
	if vm.VirtualNetwork != "" || vm.Subnet != "" {
		m.str("subnet", vm.VirtualNetwork+"/"+vm.Subnet)
	}
	if vm.PrivateIPAddress.IsValid() {
		m.str("privateIpAddress", vm.PrivateIPAddress.String())
	}
	if vm.OS != UnknownOS {
		m.scalar("os", ystr(vm.OS.String()))
	}
	m.str("networkSecurityGroup", vm.NetworkSecurityGroup)
	m.list("applicationSecurityGroups", vm.ApplicationSecurityGroups)
	if vm.PublicIPAddress.IsValid() {
		m.str("publicIpAddress", vm.PublicIPAddress.String())
	}
	return m
}

func marshalBastionHost(na *nodeArena, b *BastionHost) ymap {
	m := newMap(na)
	m.str("name", b.Name)
	m.str("virtualNetwork", b.VirtualNetwork)
	if b.SKU != DefaultSKU {
		m.scalar("sku", ystr(b.SKU.String()))
	}
	if b.ScaleUnits != DefaultScaleUnits {
		m.scalar("scaleUnits", yint(b.ScaleUnits))
	}
	for _, f := range b.Flags() {
		m.flag(f.Name, *f.Value)
	}
	if len(b.CustomPorts) > 0 {
		seq := m.flowSeq()
		for _, p := range b.CustomPorts {
			seq.Content = append(seq.Content, m.a.put(yint(int(p))))
		}
		m.add("customPorts", seq)
	}
	return m
}

func marshalFlow(na *nodeArena, f *Flow) ymap {
	m := newMap(na)
	m.str("name", f.Name)
	m.str("source", f.Source)
	m.str("destination", f.Destination)
	m.scalar("protocol", ystr(f.Protocol.String()))
	if hasPorts(f.Protocol) || f.DestinationPort != 0 {
		m.scalar("destinationPort", yint(int(f.DestinationPort)))
	}
	m.ports("sourcePortRange", "sourcePortRanges", f.SourcePorts)
	if f.Requirement != Optional {
		m.scalar("requirement", ystr(f.Requirement.String()))
	}
	return m
}

func prefixStrings(ps []netip.Prefix) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = PrefixString(p)
	}
	return out
}
