package sim

import (
	"fmt"
	"strings"
	"testing"

	"github.com/nsgsim/nsgsim/topology"
)

// hostileRules writes the topology of issue 11's bounded-work case: NSGs
// of n rules, each rule with its own /32 source, source port and /32
// destination, so that every rule cuts the source, source-port and
// destination axes of a flow at new points. One such NSG guards
// AzureBastionSubnet (the client flows from the Internet cross it), another
// a workload subnet that a user flow from 0.0.0.0/0 reaches whole. A grid
// of cells would have (2n)² × 64 and (2n)³ cells; the file is about
// 180 bytes a rule.
func hostileRules(tb testing.TB, n int) *topology.Topology {
	tb.Helper()
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
			access := "Allow"
			if i%2 == 1 {
				access = "Deny"
			}
			fmt.Fprintf(&b, "      - {name: r%d, priority: %d, direction: Inbound, access: %s, protocol: Tcp, sourceAddressPrefix: 20.%d.%d.%d, sourcePortRange: '%d', destinationAddressPrefix: %s, destinationPortRange: '443'}\n",
				i, 100+i, access, i/65536%256, i/256%256, i%256, 1024+i*7, g.dst(i))
		}
	}
	t, err := topology.Parse("hostile.yaml", []byte(b.String()))
	if err != nil {
		tb.Fatal(err)
	}
	return t
}

// BenchmarkHostileRules simulates hostileRules topologies: issue 11 asks
// 500 rules to end within 5 s and 1 GiB (B/op, all that one simulation
// allocates, bounds its peak memory).
func BenchmarkHostileRules(b *testing.B) {
	for _, n := range []int{200, 500} {
		t := hostileRules(b, n)
		b.Run(fmt.Sprintf("rules=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			cpu0 := cpuTime()
			for b.Loop() {
				if _, err := Simulate(t); err != nil {
					b.Fatal(err)
				}
			}
			reportCPU(b, cpu0)
		})
	}
}
