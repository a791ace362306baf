package render

import (
	"fmt"
	"net/netip"
	"strings"
	"testing"

	"github.com/nsgsim/nsgsim/internal/simtest"
	"github.com/nsgsim/nsgsim/topology"
)

// TestCollapsedVMsByOS checks that a collapsed subnet counts its VMs by
// operating system, a VM of unknown OS (SPEC 1) as such, not as Linux.
func TestCollapsedVMsByOS(t *testing.T) {
	vnet := &topology.VirtualNetwork{
		Name:         "hub",
		AddressSpace: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/16")},
		Subnets: []*topology.Subnet{
			{Name: topology.BastionSubnetName, AddressPrefix: netip.MustParsePrefix("10.0.0.0/26")},
			{Name: "work", AddressPrefix: netip.MustParsePrefix("10.0.1.0/24")},
		},
	}
	topo := &topology.Topology{Name: "os", VirtualNetworks: []*topology.VirtualNetwork{vnet},
		BastionHosts: []*topology.BastionHost{{Name: "bastion", VirtualNetwork: "hub", SKU: topology.Standard}}}
	for i, os := range []topology.OS{topology.Linux, topology.Linux, topology.Windows, topology.UnknownOS} {
		topo.VirtualMachines = append(topo.VirtualMachines, &topology.VirtualMachine{
			Name: fmt.Sprintf("vm%d", i), VirtualNetwork: "hub", Subnet: "work",
			PrivateIPAddress: netip.AddrFrom4([4]byte{10, 0, 1, byte(4 + i)}), OS: os,
		})
	}
	r := simtest.Simulate(t, topo)
	out := string(render(t, DOT, r, Options{CollapseAbove: 2}))
	if want := "2 Linux, 1 Windows, 1 of unknown OS"; !strings.Contains(out, want) {
		t.Errorf("collapsed DOT lacks %q:\n%s", want, out)
	}
}
