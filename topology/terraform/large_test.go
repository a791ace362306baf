package terraform

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// largePlan makes the JSON plan of an estate of n VMs, one NIC each, each
// NIC in its own subnet of one VNet (azurerm_subnet with count), with its NSG
// association: the IDs are unknown until apply, so every link goes through
// the configuration's references (count.index), the case that was quadratic.
// n = 10,000 makes about 18 MB.
func largePlan(n int) []byte {
	subnets := n
	var res []any
	add := func(addr, typ, name string, index any, values map[string]any) {
		r := map[string]any{"address": addr, "mode": "managed", "type": typ, "name": name,
			"provider_name": "registry.terraform.io/hashicorp/azurerm", "schema_version": 0,
			"values": values, "sensitive_values": map[string]any{}}
		if index != nil {
			r["index"] = index
		}
		res = append(res, r)
	}
	add("azurerm_virtual_network.hub", "azurerm_virtual_network", "hub", nil, map[string]any{
		"name": "vnet-hub", "resource_group_name": "rg", "location": "westeurope", "address_space": []any{"10.0.0.0/8"}})
	add("azurerm_network_security_group.nsg", "azurerm_network_security_group", "nsg", nil, map[string]any{
		"name": "nsg-vm", "resource_group_name": "rg", "location": "westeurope", "security_rule": []any{}})
	for s := range subnets {
		add(fmt.Sprintf("azurerm_subnet.s[%d]", s), "azurerm_subnet", "s", s, map[string]any{
			"name": fmt.Sprintf("snet-%d", s), "resource_group_name": "rg", "virtual_network_name": "vnet-hub",
			"address_prefixes": []any{fmt.Sprintf("10.%d.%d.%d/27", s*32>>16, s*32>>8&255, s*32&255)}})
	}
	for i := range n {
		add(fmt.Sprintf("azurerm_network_interface.nic[%d]", i), "azurerm_network_interface", "nic", i, map[string]any{
			"name": fmt.Sprintf("nic-%d", i), "resource_group_name": "rg", "location": "westeurope",
			"ip_configuration": []any{map[string]any{"name": "ipconfig1", "private_ip_address_allocation": "Dynamic",
				"primary": true, "public_ip_address_id": nil, "private_ip_address_version": "IPv4"}},
			"tags": map[string]any{"owner": "team-a", "cost-center": "12345", "environment": "production"}})
		add(fmt.Sprintf("azurerm_network_interface_security_group_association.a[%d]", i),
			"azurerm_network_interface_security_group_association", "a", i, map[string]any{})
		add(fmt.Sprintf("azurerm_linux_virtual_machine.vm[%d]", i), "azurerm_linux_virtual_machine", "vm", i, map[string]any{
			"name": fmt.Sprintf("vm-%d", i), "resource_group_name": "rg", "location": "westeurope", "size": "Standard_B2s",
			"admin_username": "azureuser", "disable_password_authentication": true,
			"os_disk":                []any{map[string]any{"caching": "ReadWrite", "storage_account_type": "Standard_LRS"}},
			"source_image_reference": []any{map[string]any{"publisher": "Canonical", "offer": "ubuntu-24_04-lts", "sku": "server", "version": "latest"}},
			"tags":                   map[string]any{"owner": "team-a", "cost-center": "12345", "environment": "production"}})
	}
	refs := func(r ...string) map[string]any { return map[string]any{"references": r} }
	cfg := []any{
		map[string]any{"address": "azurerm_subnet.s", "mode": "managed", "type": "azurerm_subnet", "name": "s",
			"expressions": map[string]any{"virtual_network_name": refs("azurerm_virtual_network.hub.name", "azurerm_virtual_network.hub")}},
		map[string]any{"address": "azurerm_network_interface.nic", "mode": "managed", "type": "azurerm_network_interface", "name": "nic",
			"expressions": map[string]any{"ip_configuration": []any{map[string]any{
				"subnet_id": refs("azurerm_subnet.s[count.index].id", "azurerm_subnet.s", "count.index")}}}},
		map[string]any{"address": "azurerm_network_interface_security_group_association.a", "mode": "managed",
			"type": "azurerm_network_interface_security_group_association", "name": "a",
			"expressions": map[string]any{
				"network_interface_id":      refs("azurerm_network_interface.nic[count.index].id", "azurerm_network_interface.nic", "count.index"),
				"network_security_group_id": refs("azurerm_network_security_group.nsg.id", "azurerm_network_security_group.nsg")}},
		map[string]any{"address": "azurerm_linux_virtual_machine.vm", "mode": "managed", "type": "azurerm_linux_virtual_machine", "name": "vm",
			"expressions": map[string]any{"network_interface_ids": refs("azurerm_network_interface.nic[count.index].id", "azurerm_network_interface.nic", "count.index")}},
	}
	plan := map[string]any{"format_version": "1.2", "terraform_version": "1.9.5",
		"planned_values": map[string]any{"root_module": map[string]any{"resources": res}},
		"configuration":  map[string]any{"root_module": map[string]any{"resources": cfg}}}
	data, err := json.Marshal(plan)
	if err != nil {
		panic(err)
	}
	return data
}

func TestLargePlan(t *testing.T) {
	planned, _, err := ImportPlan(largePlan(200), "plan.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(planned.VirtualMachines) != 200 || len(planned.VirtualNetworks[0].Subnets) != 200 {
		t.Fatalf("got %d VMs, %d subnets", len(planned.VirtualMachines), len(planned.VirtualNetworks[0].Subnets))
	}
	for _, vm := range planned.VirtualMachines {
		if vm.NetworkSecurityGroup != "nsg-vm" {
			t.Fatalf("%s: NSG %q, want nsg-vm through the association", vm.Name, vm.NetworkSecurityGroup)
		}
	}
}

// BenchmarkImportPlan18MB imports an 18 MB plan (10,000 VMs): linking must
// be linear in the number of instances (issue 11: it took a minute).
func BenchmarkImportPlan18MB(b *testing.B) {
	data := largePlan(10000)
	b.Logf("plan JSON: %.1f MB", float64(len(data))/1e6)
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := ImportPlan(data, "plan.json"); err != nil {
			b.Fatal(err)
		}
	}
}

// A plan's VM scale set is listed in a warning, not silently dropped.
func TestPlanScaleSetWarning(t *testing.T) {
	plan := `{"format_version": "1.2", "planned_values": {"root_module": {"resources": [
  {"address": "azurerm_network_security_group.nsg", "mode": "managed", "type": "azurerm_network_security_group", "name": "nsg",
   "values": {"name": "nsg", "resource_group_name": "rg", "location": "westeurope", "security_rule": []}},
  {"address": "azurerm_linux_virtual_machine_scale_set.web", "mode": "managed", "type": "azurerm_linux_virtual_machine_scale_set", "name": "web",
   "values": {"name": "web-vmss", "resource_group_name": "rg", "location": "westeurope"}}]}}}`
	planned, _, err := ImportPlan([]byte(plan), "plan.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(planned.Warnings) != 1 || !strings.Contains(planned.Warnings[0].Error(), `1 VM scale set is not modelled: "web-vmss"`) {
		t.Errorf("warnings = %v", planned.Warnings)
	}
}
