package hostile

import (
	"fmt"
	"net/netip"
	"strings"
)

// Topologies whose NSG rules cut flows into many pieces, for the tests of
// evaluation's cost and budgets (sim's budget_pieces.go) and the hostile
// input corpus. Each is YAML, about 200 bytes a rule.

// DistinctRules is issue 11's bounded-work case: NSGs of n rules, each rule
// with its own /32 source, source port and /32 destination, so that every
// rule cuts the source, source-port and destination axes of a flow at new
// points. One such NSG guards AzureBastionSubnet (the client flows from the
// Internet cross it), another a workload subnet that a user flow from
// 0.0.0.0/0 reaches whole. A grid of cells would have (2n)² × 64 and (2n)³
// cells; partition by first match makes four pieces a rule.
func DistinctRules(n int) string {
	var b strings.Builder
	b.WriteString(`name: hostile
virtualNetworks:
  - name: hub
    addressSpace: [10.0.0.0/16]
    subnets:
      - {name: AzureBastionSubnet, addressPrefix: 10.0.0.0/26, networkSecurityGroup: nsg-bastion}
      - {name: work, addressPrefix: 10.0.1.0/24, networkSecurityGroup: nsg-work}
bastionHosts:
  - {name: bastion, virtualNetwork: hub, sku: Standard}
virtualMachines:
  - {name: vm1, subnet: hub/work, privateIpAddress: 10.0.1.4, os: Linux}
flows:
  - {name: anyone-to-work, source: 0.0.0.0/0, destination: 10.0.1.0/24, protocol: Tcp, destinationPort: 443}
networkSecurityGroups:
`)
	for _, g := range []struct {
		name string
		dst  func(i int) string
	}{
		{"nsg-bastion", func(i int) string { return fmt.Sprintf("10.0.0.%d", i%64) }},
		{"nsg-work", func(i int) string { return fmt.Sprintf("10.0.1.%d", i%250+1) }},
	} {
		fmt.Fprintf(&b, "  - name: %s\n    securityRules:\n", g.name)
		for i := range n {
			fmt.Fprintf(&b, "      - {name: r%d, priority: %d, direction: Inbound, access: %s, protocol: Tcp, sourceAddressPrefix: 20.%d.%d.%d, sourcePortRange: '%d', destinationAddressPrefix: %s, destinationPortRange: '443'}\n",
				i, 100+i, access(i), i/65536%256, i/256%256, i%256, 1024+i*7, g.dst(i))
		}
	}
	return b.String()
}

// StaggeredRules is the worst case found for partition by first match: an
// NSG of n rules whose source, source-port and destination ranges are
// windows of width n shifted by one per rule, so that every rule cuts every
// piece the rules before it left, on a subnet that the flows reach whole
// from 20.0.0.0/8, each flow on its own port. The pieces of a flow grow
// with n³/5: 100 rules make 187,000, 1,000 would make 170 million.
func StaggeredRules(n, flows int) string {
	var b strings.Builder
	b.WriteString(workSubnet)
	for i := range flows {
		fmt.Fprintf(&b, "  - {name: f%d, source: 20.0.0.0/8, destination: 10.1.0.0/16, protocol: Tcp, destinationPort: %d}\n", i, 443+i)
	}
	b.WriteString("networkSecurityGroups:\n  - name: nsg\n    securityRules:\n")
	for i := range n {
		b.WriteString(StaggeredRule(i, n, "*"))
	}
	return b.String()
}

// StaggeredRule is rule i of StaggeredRules(n, ...), on destination ports
// ports: a line of YAML that can be added to the end of its rules.
func StaggeredRule(i, n int, ports string) string {
	return fmt.Sprintf("      - {name: r%d, priority: %d, direction: Inbound, access: %s, protocol: Tcp, sourceAddressPrefixes: [%s], sourcePortRange: '%d-%d', destinationAddressPrefixes: [%s], destinationPortRange: '%s'}\n",
		i, 100+i, access(i), rangePrefixes(source, i, i+n), 1024+i, 1024+i+n, rangePrefixes(work, i, i+n), ports)
}

// Staircase is an NSG of n rules whose sources grow, source ports shrink
// and destinations move with each rule, on a subnet that the flows reach
// whole from 20.0.0.0/8, all on port 443: few pieces (12,000 a flow at 300
// rules, 34,000 at 500), but joining those decided alike takes tens of
// millions of steps (24 million a flow at 300 rules).
func Staircase(n, flows int) string {
	var b strings.Builder
	b.WriteString(workSubnet)
	for i := range flows {
		fmt.Fprintf(&b, "  - {name: f%d, source: 20.0.0.0/8, destination: 10.1.0.0/16, protocol: Tcp, destinationPort: 443}\n", i)
	}
	b.WriteString("networkSecurityGroups:\n  - name: nsg\n    securityRules:\n")
	for i := range n {
		fmt.Fprintf(&b, "      - {name: r%d, priority: %d, direction: Inbound, access: %s, protocol: Tcp, sourceAddressPrefixes: [%s], sourcePortRange: '1024-%d', destinationAddressPrefixes: [%s], destinationPortRange: '443'}\n",
			i, 100+i, access(i), rangePrefixes(source, 0, i), 1024+n-i, rangePrefixes(work, i%37, n+i*13%n))
	}
	return b.String()
}

// workSubnet is the start of StaggeredRules and Staircase, up to their
// flows.
const workSubnet = `name: crafted
virtualNetworks:
  - name: hub
    addressSpace: [10.0.0.0/8]
    subnets:
      - {name: AzureBastionSubnet, addressPrefix: 10.0.0.0/26}
      - {name: work, addressPrefix: 10.1.0.0/16, networkSecurityGroup: nsg}
flows:
`

// The bases of the crafted rules' sources and destinations.
var (
	source = netip.MustParseAddr("20.0.0.0")
	work   = netip.MustParseAddr("10.1.0.0")
)

// access alternates Allow and Deny.
func access(i int) string {
	if i%2 == 1 {
		return "Deny"
	}
	return "Allow"
}

// rangePrefixes writes the addresses base+lo to base+hi as a list of CIDR
// prefixes.
func rangePrefixes(base netip.Addr, lo, hi int) string {
	b4 := base.As4()
	v := uint64(b4[0])<<24 | uint64(b4[1])<<16 | uint64(b4[2])<<8 | uint64(b4[3])
	var out []string
	for a, end := v+uint64(lo), v+uint64(hi); a <= end; {
		bits := 0
		for a%(2<<bits) == 0 && a+(2<<bits)-1 <= end {
			bits++
		}
		out = append(out, fmt.Sprintf("%s/%d", netip.AddrFrom4([4]byte{byte(a >> 24), byte(a >> 16), byte(a >> 8), byte(a)}), 32-bits))
		a += 1 << bits
	}
	return strings.Join(out, ", ")
}
