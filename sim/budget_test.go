package sim

import (
	"fmt"
	"net/netip"
	"strings"
	"testing"

	"github.com/nsgsim/nsgsim/topology"
)

// TestFlowBudget requires a topology past MaxFlows to fail to compile, at
// once and with the position of the Bastion host's custom ports, and one
// just within it to compile.
func TestFlowBudget(t *testing.T) {
	mk := func(vms, ports int) *topology.Topology {
		topo := &topology.Topology{Name: "budget"}
		topo.VirtualNetworks = []*topology.VirtualNetwork{{
			Name: "hub", AddressSpace: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/16")},
			Subnets: []*topology.Subnet{
				{Name: topology.BastionSubnetName, AddressPrefix: netip.MustParsePrefix("10.0.0.0/26")},
				{Name: "work", AddressPrefix: netip.MustParsePrefix("10.0.8.0/21")},
			},
		}}
		for i := range vms {
			topo.VirtualMachines = append(topo.VirtualMachines, &topology.VirtualMachine{
				Name: fmt.Sprintf("vm%d", i), VirtualNetwork: "hub", Subnet: "work",
				PrivateIPAddress: netip.AddrFrom4([4]byte{10, 0, byte(8 + (i+4)/256), byte((i + 4) % 256)}),
			})
		}
		b := &topology.BastionHost{Name: "bastion", VirtualNetwork: "hub", SKU: topology.Standard, ScaleUnits: 2}
		b.Pos = topology.Pos{File: "budget.yaml", Line: 9, Col: 5}
		b.SetField("customPorts[0]", topology.Pos{File: "budget.yaml", Line: 10, Col: 20})
		for p := range ports {
			b.CustomPorts = append(b.CustomPorts, uint16(1024+p))
		}
		topo.BastionHosts = []*topology.BastionHost{b}
		return topo
	}
	// 2,000 VMs × (1 + 65,535 ports) is 131 million flows.
	_, err := Compile(mk(2000, 65535))
	if err == nil {
		t.Fatal("Compile of 131 million flows succeeded")
	}
	for _, want := range []string{"budget.yaml:10:20: ", `"bastion"`, "2000 VMs × (1 + 65535 custom ports)", fmt.Sprint(MaxFlows)} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
	// 1,000 VMs × (1 + 998 ports) + 1 client + 6 is within the budget.
	if _, err := Compile(mk(1000, 998)); err != nil {
		t.Fatalf("Compile within the budget: %v", err)
	}
	if _, err := Compile(mk(1000, 1000)); err == nil {
		t.Fatal("Compile of 1,001,007 flows succeeded")
	}
}
