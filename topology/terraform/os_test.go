package terraform

import (
	"testing"

	"github.com/nsgsim/nsgsim/topology"
)

// TestVMOfUnknownOS checks that an azurerm_virtual_machine whose plan tells
// no OS (no storage_os_disk.os_type, no image from a known publisher) is
// imported without one (SPEC 1), not refused, while the typed resources
// keep theirs.
func TestVMOfUnknownOS(t *testing.T) {
	plan := `{"format_version": "1.2", "planned_values": {"root_module": {"resources": [
	  {"address": "azurerm_virtual_network.v", "mode": "managed", "type": "azurerm_virtual_network", "name": "v",
	   "values": {"name": "v", "resource_group_name": "rg", "address_space": ["10.0.0.0/16"]}},
	  {"address": "azurerm_subnet.s", "mode": "managed", "type": "azurerm_subnet", "name": "s",
	   "values": {"name": "s", "resource_group_name": "rg", "virtual_network_name": "v", "address_prefixes": ["10.0.1.0/24"]}},
	  {"address": "azurerm_network_interface.n", "mode": "managed", "type": "azurerm_network_interface", "name": "n",
	   "values": {"name": "n", "resource_group_name": "rg", "ip_configuration": [{"name": "ip", "private_ip_address_allocation": "Static", "private_ip_address": "10.0.1.4"}]}},
	  {"address": "azurerm_network_interface.w", "mode": "managed", "type": "azurerm_network_interface", "name": "w",
	   "values": {"name": "w", "resource_group_name": "rg", "ip_configuration": [{"name": "ip", "private_ip_address_allocation": "Static", "private_ip_address": "10.0.1.5"}]}},
	  {"address": "azurerm_virtual_machine.legacy", "mode": "managed", "type": "azurerm_virtual_machine", "name": "legacy",
	   "values": {"name": "legacy", "resource_group_name": "rg", "storage_image_reference": [{"id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/images/golden"}]}},
	  {"address": "azurerm_windows_virtual_machine.win", "mode": "managed", "type": "azurerm_windows_virtual_machine", "name": "win",
	   "values": {"name": "win", "resource_group_name": "rg"}}]}},
	 "configuration": {"root_module": {"resources": [
	  {"address": "azurerm_network_interface.n", "mode": "managed", "type": "azurerm_network_interface", "name": "n",
	   "expressions": {"ip_configuration": [{"subnet_id": {"references": ["azurerm_subnet.s.id", "azurerm_subnet.s"]}}]}},
	  {"address": "azurerm_network_interface.w", "mode": "managed", "type": "azurerm_network_interface", "name": "w",
	   "expressions": {"ip_configuration": [{"subnet_id": {"references": ["azurerm_subnet.s.id", "azurerm_subnet.s"]}}]}},
	  {"address": "azurerm_virtual_machine.legacy", "mode": "managed", "type": "azurerm_virtual_machine", "name": "legacy",
	   "expressions": {"network_interface_ids": {"references": ["azurerm_network_interface.n.id", "azurerm_network_interface.n"]}}},
	  {"address": "azurerm_windows_virtual_machine.win", "mode": "managed", "type": "azurerm_windows_virtual_machine", "name": "win",
	   "expressions": {"network_interface_ids": {"references": ["azurerm_network_interface.w.id", "azurerm_network_interface.w"]}}}]}}}`
	top, _, err := ImportPlan([]byte(plan), "p.json")
	if err != nil {
		t.Fatalf("ImportPlan = %v, want a VM of unknown OS, not an error", err)
	}
	for name, want := range map[string]topology.OS{"legacy": topology.UnknownOS, "win": topology.Windows} {
		vm := top.VirtualMachineByName(name)
		if vm == nil {
			t.Fatalf("no VM %q", name)
		}
		if vm.OS != want {
			t.Errorf("OS of %s = %v, want %v", name, vm.OS, want)
		}
	}
}
