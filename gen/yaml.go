package gen

import (
	"bufio"
	"fmt"
	"io"
	"net/netip"
	"strconv"
	"strings"

	"github.com/nsgsim/nsgsim/topology"
)

// Write prints a generated topology in the YAML of SPEC 1, compactly: each
// subnet, rule, ASG, VM, client and flow is one flow-style mapping on one
// line, which keeps a 50,000-VM file small and quick to read. header, when
// not empty, is written first as a comment. The output is deterministic.
//
// Write handles what Generate produces; for any topology use
// topology.Marshal.
func Write(w io.Writer, t *topology.Topology, header string) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	y := &writer{w: bw}
	if header != "" {
		for _, l := range strings.Split(strings.TrimRight(header, "\n"), "\n") {
			y.line("# " + l)
		}
	}
	y.kv("name", t.Name)
	y.kv("location", t.Location)
	y.kv("serviceTags", t.ServiceTagsFile)

	y.section("virtualNetworks", len(t.VirtualNetworks))
	for _, v := range t.VirtualNetworks {
		y.printf("  - name: %s\n", y.scalar(v.Name))
		y.printf("    addressSpace: %s\n", prefixList(v.AddressSpace))
		if len(v.Peerings) > 0 {
			y.printf("    peerings: %s\n", y.list(v.Peerings))
		}
		if len(v.OnPremisesPrefixes) > 0 {
			y.printf("    onPremisesPrefixes: %s\n", prefixList(v.OnPremisesPrefixes))
		}
		if len(v.Subnets) > 0 {
			y.line("    subnets:")
		}
		for _, s := range v.Subnets {
			m := y.mapping()
			m.str("name", s.Name)
			m.str("addressPrefix", topology.PrefixString(s.AddressPrefix))
			m.str("networkSecurityGroup", s.NetworkSecurityGroup)
			m.str("routeTable", s.RouteTable)
			y.item("      ", m)
		}
	}

	y.section("networkSecurityGroups", len(t.NetworkSecurityGroups))
	for _, g := range t.NetworkSecurityGroups {
		y.printf("  - name: %s\n", y.scalar(g.Name))
		if len(g.SecurityRules) == 0 {
			continue
		}
		y.line("    securityRules:")
		for _, r := range g.SecurityRules {
			if r.Default {
				continue
			}
			m := y.mapping()
			m.str("name", r.Name)
			m.raw("priority", strconv.Itoa(r.Priority))
			m.str("direction", r.Direction.String())
			m.str("access", r.Access.String())
			m.str("protocol", r.Protocol.String())
			if err := m.side("source", r.Source); err != nil {
				return fmt.Errorf("rule %q: %w", r.Name, err)
			}
			m.ports("sourcePortRange", r.SourcePorts)
			if err := m.side("destination", r.Destination); err != nil {
				return fmt.Errorf("rule %q: %w", r.Name, err)
			}
			m.ports("destinationPortRange", r.DestinationPorts)
			m.str("description", r.Description)
			y.item("      ", m)
		}
	}

	y.section("applicationSecurityGroups", len(t.ApplicationSecurityGroups))
	for _, a := range t.ApplicationSecurityGroups {
		m := y.mapping()
		m.str("name", a.Name)
		y.item("  ", m)
	}

	y.section("virtualMachines", len(t.VirtualMachines))
	for _, vm := range t.VirtualMachines {
		m := y.mapping()
		m.str("name", vm.Name)
		m.str("subnet", vm.VirtualNetwork+"/"+vm.Subnet)
		m.str("privateIpAddress", vm.PrivateIPAddress.String())
		m.str("os", vm.OS.String())
		m.str("networkSecurityGroup", vm.NetworkSecurityGroup)
		if len(vm.ApplicationSecurityGroups) > 0 {
			m.raw("applicationSecurityGroups", y.list(vm.ApplicationSecurityGroups))
		}
		if vm.PublicIPAddress.IsValid() {
			m.str("publicIpAddress", vm.PublicIPAddress.String())
		}
		y.item("  ", m)
	}

	y.section("bastionHosts", len(t.BastionHosts))
	for _, b := range t.BastionHosts {
		m := y.mapping()
		m.str("name", b.Name)
		m.str("virtualNetwork", b.VirtualNetwork)
		m.str("sku", b.SKU.String())
		m.raw("scaleUnits", strconv.Itoa(b.ScaleUnits))
		for _, f := range []struct {
			key string
			on  bool
		}{
			{"enableTunneling", b.EnableTunneling}, {"enableIpConnect", b.EnableIPConnect},
			{"enableShareableLink", b.EnableShareableLink}, {"enableFileCopy", b.EnableFileCopy},
			{"enableKerberos", b.EnableKerberos}, {"enableSessionRecording", b.EnableSessionRecording},
			{"enablePrivateOnlyBastion", b.EnablePrivateOnlyBastion}, {"disableCopyPaste", b.DisableCopyPaste},
		} {
			if f.on {
				m.raw(f.key, "true")
			}
		}
		if len(b.CustomPorts) > 0 {
			ps := make([]string, len(b.CustomPorts))
			for i, p := range b.CustomPorts {
				ps[i] = strconv.Itoa(int(p))
			}
			m.raw("customPorts", "["+strings.Join(ps, ", ")+"]")
		}
		y.item("  ", m)
	}

	y.section("clients", len(t.Clients))
	for _, c := range t.Clients {
		m := y.mapping()
		m.str("name", c.Name)
		switch {
		case c.Tag != "":
			m.str("addressPrefix", c.Tag)
		case len(c.AddressPrefixes) == 1:
			m.str("addressPrefix", topology.PrefixString(c.AddressPrefixes[0]))
		default:
			m.raw("addressPrefixes", prefixList(c.AddressPrefixes))
		}
		y.item("  ", m)
	}

	y.section("flows", len(t.Flows))
	for _, f := range t.Flows {
		m := y.mapping()
		m.str("name", f.Name)
		m.str("source", f.Source)
		m.str("destination", f.Destination)
		m.str("protocol", f.Protocol.String())
		m.raw("destinationPort", strconv.Itoa(int(f.DestinationPort)))
		if len(f.SourcePorts) > 0 {
			m.ports("sourcePortRange", f.SourcePorts)
		}
		if f.Requirement != topology.Optional {
			m.str("requirement", f.Requirement.String())
		}
		y.item("  ", m)
	}

	y.section("expectations", len(t.Expectations))
	for _, x := range t.Expectations {
		m := y.mapping()
		m.str("flow", x.Flow)
		m.str("verdict", x.Verdict.String())
		y.item("  ", m)
	}
	if y.err != nil {
		return y.err
	}
	return bw.Flush()
}

type writer struct {
	w   *bufio.Writer
	err error
}

func (y *writer) printf(format string, args ...any) {
	if y.err == nil {
		_, y.err = fmt.Fprintf(y.w, format, args...)
	}
}

func (y *writer) line(s string) {
	if y.err == nil {
		_, y.err = y.w.WriteString(s + "\n")
	}
}

func (y *writer) kv(key, value string) {
	if value != "" {
		y.line(key + ": " + y.scalar(value))
	}
}

// section starts a top-level list, after a blank line.
func (y *writer) section(key string, n int) {
	if n > 0 {
		y.line("\n" + key + ":")
	}
}

func (y *writer) item(indent string, m *mapping) {
	y.line(indent + "- {" + strings.Join(m.parts, ", ") + "}")
}

// scalar quotes s unless YAML reads it as this very string when plain, in
// block and in flow context alike.
func (y *writer) scalar(s string) string {
	if plain(s) {
		return s
	}
	return strconv.Quote(s)
}

func (y *writer) list(items []string) string {
	parts := make([]string, len(items))
	for i, s := range items {
		parts[i] = y.scalar(s)
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// plain reports whether s can be written as a plain scalar: it starts with
// a letter and holds only letters, digits and . _ / - (names, tags,
// addresses, CIDRs), and is no YAML keyword.
func plain(s string) bool {
	if s == "" || !isLetter(s[0]) {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !isLetter(c) && !('0' <= c && c <= '9') && c != '.' && c != '_' && c != '/' && c != '-' {
			return false
		}
	}
	switch strings.ToLower(s) {
	case "true", "false", "yes", "no", "on", "off", "y", "n", "null", "nan", "inf":
		return false
	}
	return true
}

func isLetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

// prefixList prints prefixes as a flow list. An address or CIDR starts with
// a digit but holds only digits, dots and a slash, which YAML reads as a
// string.
func prefixList(ps []netip.Prefix) string {
	parts := make([]string, len(ps))
	for i, p := range ps {
		parts[i] = topology.PrefixString(p)
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// mapping is one flow-style mapping under construction.
type mapping struct {
	y     *writer
	parts []string
}

func (y *writer) mapping() *mapping { return &mapping{y: y} }

func (m *mapping) raw(key, value string) { m.parts = append(m.parts, key+": "+value) }

// str adds a string unless it is empty. Addresses and CIDRs are plain.
func (m *mapping) str(key, value string) {
	if value == "" {
		return
	}
	if isAddress(value) {
		m.raw(key, value)
		return
	}
	m.raw(key, m.y.scalar(value))
}

// isAddress reports whether s is an IPv4 address or CIDR: digits, dots and
// at most one slash, which YAML reads as a string ("10.0.0.0/16").
func isAddress(s string) bool {
	if _, err := netip.ParsePrefix(s); err == nil {
		return true
	}
	a, err := netip.ParseAddr(s)
	return err == nil && a.Is4()
}

// ports adds port ranges, always double-quoted as ARM writes them:
// singular for one, plural for more.
func (m *mapping) ports(singular string, rs []topology.PortRange) {
	if len(rs) == 1 {
		m.raw(singular, strconv.Quote(rs[0].String()))
		return
	}
	parts := make([]string, len(rs))
	for i, r := range rs {
		parts[i] = strconv.Quote(r.String())
	}
	m.raw(singular+"s", "["+strings.Join(parts, ", ")+"]")
}

// side adds the source or destination of a rule.
func (m *mapping) side(side string, a topology.Addresses) error {
	switch {
	case a.Any:
		m.raw(side+"AddressPrefix", `"*"`)
	case a.Tag != "":
		m.str(side+"AddressPrefix", a.Tag)
	case len(a.ApplicationSecurityGroups) > 0:
		m.raw(side+"ApplicationSecurityGroups", m.y.list(a.ApplicationSecurityGroups))
	case len(a.Prefixes) == 1:
		m.str(side+"AddressPrefix", topology.PrefixString(a.Prefixes[0]))
	case len(a.Prefixes) > 1:
		m.raw(side+"AddressPrefixes", prefixList(a.Prefixes))
	default:
		return fmt.Errorf("%s has no address", side)
	}
	return nil
}
