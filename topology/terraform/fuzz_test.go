package terraform

import (
	"testing"

	"github.com/nsgsim/nsgsim/internal/topotest"
)

// fuzzSeeds are small plans that reach every part of the importer: planned
// and prior values, resource_changes, configuration references through a
// module, inline and standalone rules and subnets, associations, a NIC, a
// VM, a Bastion host and a peering.
//
// They are kept to a few hundred bytes on purpose. When the fuzzer finds an
// input that widens coverage it minimizes it, for up to -fuzzminimizetime
// (60 s by default), with a number of runs that grows with the square of
// its length; mutants of the 70-80 KB plans in testdata, which this target
// used to be seeded with, kept both workers minimizing nearly all the time
// (about 0.3 runs a second). The testdata plans are imported by the unit
// tests instead.
var fuzzSeeds = []string{
	`{"planned_values": {"root_module": {"child_modules": [{"address": "module.a", "resources": [{"address": "module.a.azurerm_subnet.s[0]",
	  "type": "azurerm_subnet", "name": "s", "index": 0, "values": {"name": "s"}}]}]}},
	  "configuration": {"root_module": {"module_calls": {"a": {"expressions": {"x": {"references": ["var.x"]}},
	    "module": {"resources": [{"address": "azurerm_subnet.s", "type": "azurerm_subnet", "name": "s",
	      "expressions": {"virtual_network_name": {"references": ["var.x", "module.a.y"]}}}]}}}}}}`,
	`{"planned_values": {"root_module": {"resources": [
	  {"address": "azurerm_virtual_network.h", "type": "azurerm_virtual_network", "name": "h", "values": {"name": "hub", "address_space": ["10.0.0.0/16"],
	    "subnet": [{"name": "AzureBastionSubnet", "address_prefixes": ["10.0.0.0/26"]}]}},
	  {"address": "azurerm_subnet.b", "type": "azurerm_subnet", "name": "b", "values": {"name": "AzureBastionSubnet", "virtual_network_name": "hub", "address_prefixes": ["10.0.0.0/26"]}},
	  {"address": "azurerm_subnet.w", "type": "azurerm_subnet", "name": "w", "values": {"name": "w", "virtual_network_name": "hub", "address_prefixes": ["10.0.1.0/24"]}},
	  {"address": "azurerm_network_security_group.n", "type": "azurerm_network_security_group", "name": "n", "values": {"name": "nsg",
	    "security_rule": [{"name": "ssh", "priority": 100, "direction": "Inbound", "access": "Allow", "protocol": "Tcp",
	      "source_address_prefix": "10.0.0.0/26", "source_port_range": "*", "destination_address_prefix": "*", "destination_port_ranges": ["22", "3389"]}]}},
	  {"address": "azurerm_subnet_network_security_group_association.a", "type": "azurerm_subnet_network_security_group_association", "name": "a", "values": {}},
	  {"address": "azurerm_network_interface.i", "type": "azurerm_network_interface", "name": "i", "values": {"name": "nic",
	    "ip_configuration": [{"name": "c", "private_ip_address_allocation": "Dynamic"}]}},
	  {"address": "azurerm_linux_virtual_machine.v", "type": "azurerm_linux_virtual_machine", "name": "v", "values": {"name": "vm"}},
	  {"address": "azurerm_bastion_host.b", "type": "azurerm_bastion_host", "name": "b", "values": {"name": "bas", "sku": "Standard", "scale_units": 2,
	    "ip_configuration": [{"name": "c"}]}}]}},
	 "configuration": {"root_module": {"resources": [
	  {"address": "azurerm_subnet_network_security_group_association.a", "type": "azurerm_subnet_network_security_group_association", "name": "a",
	   "expressions": {"subnet_id": {"references": ["azurerm_subnet.w.id", "azurerm_subnet.w"]},
	     "network_security_group_id": {"references": ["azurerm_network_security_group.n.id", "azurerm_network_security_group.n"]}}},
	  {"address": "azurerm_network_interface.i", "type": "azurerm_network_interface", "name": "i",
	   "expressions": {"ip_configuration": [{"subnet_id": {"references": ["azurerm_subnet.w.id", "azurerm_subnet.w"]}}]}},
	  {"address": "azurerm_linux_virtual_machine.v", "type": "azurerm_linux_virtual_machine", "name": "v",
	   "expressions": {"network_interface_ids": {"references": ["azurerm_network_interface.i.id", "azurerm_network_interface.i"]}}},
	  {"address": "azurerm_bastion_host.b", "type": "azurerm_bastion_host", "name": "b",
	   "expressions": {"ip_configuration": [{"subnet_id": {"references": ["azurerm_subnet.b.id", "azurerm_subnet.b"]}}]}}]}}}`,
	`{"planned_values": {"root_module": {"resources": [{"address": "azurerm_network_security_rule.r", "type": "azurerm_network_security_rule", "name": "r",
	   "values": {"name": "r", "network_security_group_name": "nsg", "priority": 200, "direction": "Outbound", "access": "Deny", "protocol": "*",
	     "source_address_prefixes": ["10.0.0.0/8"], "source_port_range": "*", "destination_address_prefix": "Internet", "destination_port_range": "*"}},
	  {"address": "azurerm_network_security_group.n", "type": "azurerm_network_security_group", "name": "n", "values": {"name": "nsg"}}]}},
	 "prior_state": {"values": {"root_module": {"resources": [{"address": "azurerm_network_security_group.n", "mode": "managed",
	   "type": "azurerm_network_security_group", "name": "n", "values": {"name": "nsg", "id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/networkSecurityGroups/nsg"}},
	  {"address": "data.azurerm_virtual_network.p", "mode": "data", "type": "azurerm_virtual_network", "name": "p", "values": {"name": "peer", "address_space": ["10.1.0.0/16"],
	   "id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/peer"}}]}}},
	 "resource_changes": [{"address": "azurerm_virtual_network_peering.p", "type": "azurerm_virtual_network_peering", "name": "p",
	   "change": {"before": null, "after": {"name": "to-peer", "virtual_network_name": "peer"}}}]}`,
	`{"format_version": "1.0", "values": {"root_module": {"resources": [{"address": "azurerm_windows_virtual_machine.w[\"a\"]", "index": "a",
	  "type": "azurerm_windows_virtual_machine", "name": "w", "values": {"name": "w", "network_interface_ids": ["/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/networkInterfaces/n"]}}]}}}`,
}

func FuzzImportPlan(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		planned, _, err := ImportPlan(data, "p.json")
		if err != nil {
			topotest.ErrorPositions(t, err, "p.json")
			return
		}
		if planned == nil {
			t.Fatal("ImportPlan returned neither a topology nor an error")
		}
	})
}

// TestFuzzSeeds checks that the two complete plans among the seeds import,
// so that the fuzzer starts from topologies as well as from errors.
func TestFuzzSeeds(t *testing.T) {
	for _, i := range []int{1, 2} {
		planned, _, err := ImportPlan([]byte(fuzzSeeds[i]), "p.json")
		if err != nil || planned == nil {
			t.Errorf("ImportPlan(fuzzSeeds[%d]) = %v, %v, want a topology", i, planned, err)
		}
	}
}
