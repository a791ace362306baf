package terraform

import (
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/nsgsim/nsgsim/internal/topotest"
	"github.com/nsgsim/nsgsim/topology"
)

func readPlan(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func vmLine(vm *topology.VirtualMachine) string {
	s := vm.Name + " " + vm.VirtualNetwork + "/" + vm.Subnet + " " + vm.PrivateIPAddress.String() + " " + vm.OS.String()
	if vm.NetworkSecurityGroup != "" {
		s += " nsg=" + vm.NetworkSecurityGroup
	}
	if len(vm.ApplicationSecurityGroups) > 0 {
		s += " asgs=" + strings.Join(vm.ApplicationSecurityGroups, ",")
	}
	return s
}

func TestImportPlan(t *testing.T) {
	planned, prior, err := ImportPlan(readPlan(t, "plan.json"), "plan.json")
	if err != nil {
		t.Fatalf("ImportPlan error: %v", err)
	}
	topotest.Golden(t, "testdata/golden/plan-planned.txt", topotest.Dump(planned))
	topotest.Golden(t, "testdata/golden/plan-prior.txt", topotest.Dump(prior))

	// Subnets and their NSGs come through associations whose IDs are
	// unknown until apply: linked by configuration references, with count
	// (workload[0], [1]), for_each (this["app"]) and a module variable
	// (var.nsg_id); an inline subnet's security_group likewise.
	hub := planned.VirtualNetworkByName("vnet-hub")
	var subs []string
	for _, s := range hub.Subnets {
		subs = append(subs, s.Name+" "+s.AddressPrefix.String()+" "+s.NetworkSecurityGroup)
	}
	want := []string{"AzureBastionSubnet 10.0.0.0/26 nsg-bastion", "workload-0 10.0.1.0/24 nsg-workload", "workload-1 10.0.2.0/24 nsg-workload"}
	if !slices.Equal(subs, want) {
		t.Errorf("vnet-hub subnets = %q, want %q", subs, want)
	}
	if s := planned.VirtualNetworkByName("vnet-spoke").SubnetByName("app"); s == nil || s.NetworkSecurityGroup != "nsg-workload" {
		t.Errorf("vnet-spoke/app = %+v, want NSG nsg-workload through var.nsg_id", s)
	}
	if s := planned.VirtualNetworkByName("vnet-shared").SubnetByName("shared-a"); s == nil || s.NetworkSecurityGroup != "nsg-workload" {
		t.Errorf("vnet-shared/shared-a = %+v, want NSG nsg-workload from the inline block's reference", s)
	}
	// Peering: hub to spoke through a module output, spoke to hub through a
	// module variable.
	if !slices.Equal(hub.Peerings, []string{"vnet-spoke"}) || !slices.Equal(planned.VirtualNetworkByName("vnet-spoke").Peerings, []string{"vnet-hub"}) {
		t.Errorf("peerings: hub %v, spoke %v", hub.Peerings, planned.VirtualNetworkByName("vnet-spoke").Peerings)
	}

	// Rules: inline blocks, and standalone rules whose ASG is linked. The
	// NSG's computed copy of a rule the plan deletes (allow-old) is ignored.
	if n := len(planned.NetworkSecurityGroupByName("nsg-bastion").SecurityRules); n != 8 {
		t.Errorf("nsg-bastion has %d rules, want 8", n)
	}
	if r := topotest.FindRule(planned, "nsg-workload", "allow-old"); r != nil {
		t.Errorf("planned nsg-workload still has allow-old, which the plan deletes")
	}
	if r := topotest.FindRule(planned, "nsg-workload", "allow-web"); r == nil || !slices.Equal(r.Destination.ApplicationSecurityGroups, []string{"asg-web"}) {
		t.Errorf("allow-web = %+v, want destination asg-web", r)
	}
	if r := topotest.FindRule(prior, "nsg-workload", "allow-old"); r == nil || r.Priority != 300 {
		t.Errorf("prior allow-old = %+v, want priority 300", r)
	}

	// VMs: NICs by count.index, dynamic addresses allocated, NIC NSG and ASG
	// associations, OS by resource type.
	var vms []string
	for _, vm := range planned.VirtualMachines {
		vms = append(vms, vmLine(vm))
	}
	wantVMs := []string{
		"vm-app vnet-spoke/app 10.1.0.4 Windows",
		"vm-web-0 vnet-hub/workload-0 10.0.1.4 Linux nsg=nsg-nic asgs=asg-web",
		"vm-web-1 vnet-hub/workload-1 10.0.2.10 Linux asgs=asg-web",
	}
	if !slices.Equal(vms, wantVMs) {
		t.Errorf("VMs = %q, want %q", vms, wantVMs)
	}

	// The Bastion host changes from Basic to Standard with tunneling.
	if b := planned.BastionHosts[0]; b.SKU != topology.Standard || !b.EnableTunneling || !b.DisableCopyPaste || b.VirtualNetwork != "vnet-hub" {
		t.Errorf("planned Bastion = %+v, want Standard, tunneling, copy/paste disabled, in vnet-hub", b)
	}
	if b := prior.BastionHosts[0]; b.SKU != topology.Basic || b.EnableTunneling || b.DisableCopyPaste {
		t.Errorf("prior Bastion = %+v, want Basic", b)
	}
	if len(prior.VirtualNetworks) != 1 || len(prior.VirtualMachines) != 0 {
		t.Errorf("prior = %s, want one VNet and no VM", topotest.Dump(prior))
	}
	if planned.Location != "westeurope" {
		t.Errorf("Location = %q", planned.Location)
	}
}

func TestImportPlanNoPrior(t *testing.T) {
	planned, prior, err := ImportPlan(readPlan(t, "plan-create.json"), "plan-create.json")
	if err != nil {
		t.Fatalf("ImportPlan error: %v", err)
	}
	if prior != nil {
		t.Errorf("prior = %s, want nil for a plan without prior_state", topotest.Dump(prior))
	}
	if got, want := topotest.Dump(planned), mustGolden(t, "plan-planned.txt"); got != want {
		t.Errorf("planned topology of the first plan differs from the second's:\n%s\nwant\n%s", got, want)
	}
}

func mustGolden(t *testing.T, name string) string {
	data, err := os.ReadFile("testdata/golden/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// TestImportState reads `terraform show -json` of a state: the prior state
// of plan.json on its own.
func TestImportState(t *testing.T) {
	planned, prior, err := ImportPlan(readPlan(t, "state.json"), "state.json")
	if err != nil {
		t.Fatalf("ImportPlan(state.json) error: %v", err)
	}
	if prior != nil {
		t.Errorf("prior = %v, want nil for a state", prior)
	}
	if got, want := topotest.Dump(planned), mustGolden(t, "plan-prior.txt"); got != want {
		t.Errorf("state topology =\n%s\nwant the plan's prior:\n%s", got, want)
	}
}

func TestImportPlanErrors(t *testing.T) {
	plan := func(resources, config string) string {
		return `{"format_version": "1.2", "planned_values": {"root_module": {"resources": [` + resources + `]}},
		  "configuration": {"root_module": {"resources": [` + config + `]}}}`
	}
	vnet := `{"address": "azurerm_virtual_network.v", "mode": "managed", "type": "azurerm_virtual_network", "name": "v",
	  "values": {"name": "v", "resource_group_name": "rg", "address_space": ["10.0.0.0/16"]}}`
	subnet := func(addr, name string, index string) string {
		return `{"address": "` + addr + `", "mode": "managed", "type": "azurerm_subnet", "name": "s"` + index + `,
		  "values": {"name": "` + name + `", "resource_group_name": "rg", "virtual_network_name": "v", "address_prefixes": ["10.0.1.0/24"]}}`
	}
	nic := `{"address": "azurerm_network_interface.n", "mode": "managed", "type": "azurerm_network_interface", "name": "n",
	  "values": {"name": "n", "resource_group_name": "rg", "ip_configuration": [{"name": "ip", "private_ip_address_allocation": "Dynamic"}]}}`
	vm := `{"address": "azurerm_linux_virtual_machine.m", "mode": "managed", "type": "azurerm_linux_virtual_machine", "name": "m",
	  "values": {"name": "m", "resource_group_name": "rg"}}`
	nicCfg := func(refs string) string {
		return `{"address": "azurerm_network_interface.n", "mode": "managed", "type": "azurerm_network_interface", "name": "n",
		  "expressions": {"ip_configuration": [{"subnet_id": {"references": [` + refs + `]}}]}}`
	}
	vmCfg := `{"address": "azurerm_linux_virtual_machine.m", "mode": "managed", "type": "azurerm_linux_virtual_machine", "name": "m",
	  "expressions": {"network_interface_ids": {"references": ["azurerm_network_interface.n.id", "azurerm_network_interface.n"]}}}`
	tests := []struct {
		name, data string
		want       []string
	}{
		{"hcl", "resource \"azurerm_virtual_network\" \"v\" {\n  name = \"v\"\n}\n",
			[]string{"p.json: this is Terraform configuration (HCL), which nsgsim does not read; import the JSON plan: `terraform plan -out=tfplan && terraform show -json tfplan > plan.json`"}},
		{"not json", `{"planned_values": `, []string{"p.json:1:20: not JSON: unexpected end of input; expected the output of `terraform show -json PLANFILE`"}},
		{"array", `[1]`, []string{"p.json: the top level is not an object"}},
		{"raw state", `{"version": 4, "terraform_version": "1.9.5", "resources": []}`, []string{"p.json: this is a raw Terraform state file"}},
		{"azure json", `{"value": []}`, []string{"p.json: this is Azure JSON, not a Terraform plan"}},
		{"other", `{"x": 1}`, []string{"p.json: no planned_values; expected the output of `terraform show -json PLANFILE`"}},
		{"local", plan(vnet+","+subnet("azurerm_subnet.s", "s", "")+","+nic+","+vm, nicCfg(`"local.subnet_id"`)+","+vmCfg),
			[]string{`p.json: planned_values.root_module.resources[2].values.ip_configuration[0].subnet_id: unknown until apply, and the configuration's references ["local.subnet_id"] do not lead to a resource in the plan: local.subnet_id is a local value; the plan does not record what it refers to`}},
		{"ambiguous count", plan(vnet+","+subnet("azurerm_subnet.s[0]", "s0", `, "index": 0`)+","+subnet("azurerm_subnet.s[1]", "s1", `, "index": 1`)+","+nic+","+vm,
			nicCfg(`"azurerm_subnet.s"`)+","+vmCfg),
			[]string{`p.json: planned_values.root_module.resources[3].values.ip_configuration[0].subnet_id: unknown until apply, and the configuration's references ["azurerm_subnet.s"] do not lead to a resource in the plan: azurerm_subnet.s has 2 instances and the reference does not say which`}},
		{"no subnet", plan(vnet+","+nic+","+vm, vmCfg),
			[]string{`p.json: planned_values.root_module.resources[1].values.ip_configuration[0]: network interface "n": the IP configuration of virtual machine "m" has no subnet; expected subnet.id`}},
		{"bad address", `{"planned_values": {"root_module": {"resources": [{"address": "nonsense"}]}}}`,
			[]string{`p.json: planned_values.root_module.resources[0].address: "nonsense" is not a resource address TYPE.NAME`}},
		{"bad rule", plan(`{"address": "azurerm_network_security_group.g", "mode": "managed", "type": "azurerm_network_security_group", "name": "g",
		  "values": {"name": "g", "security_rule": [{"name": "r", "priority": 100, "direction": "Inbound", "access": "Allow", "protocol": "Tcp",
		    "source_address_prefix": "*", "destination_address_prefix": "*", "source_port_range": "*", "destination_port_range": "70000"}]}}`, ""),
			[]string{`p.json: planned_values.root_module.resources[0].values.security_rule[0].destination_port_range: rule "r": port 70000 out of range [0, 65535]`}},
		{"syntax column", "{\n  \"planned_values\": x}", []string{"p.json:2:21: not JSON: invalid character 'x' looking for beginning of value"}},
		{"truncated", "{\"planned_values\": {\n", []string{"p.json:2:1: not JSON: unexpected end of input"}},
		{"not utf-8", "{\"planned_values\": {\"x\": \"\xff\"}}", []string{"p.json:1:27: not UTF-8: invalid byte 0xFF; nsgsim reads UTF-8 JSON"}},
		{"utf-16", "\xff\xfe{\x00}\x00", []string{"p.json:1:1: file is UTF-16; save it as UTF-8 (e.g. `terraform show -json tfplan > p.json` in bash, or Out-File -Encoding utf8)"}},
		{"resources number", `{"planned_values": {"root_module": {"resources": 5}}}`,
			[]string{"p.json: planned_values.root_module.resources: expected an array of resource objects, got a number"}},
		{"planned_values array", `{"planned_values": []}`, []string{"p.json: planned_values: expected an object, got an array"}},
		{"child_modules object", `{"planned_values": {"root_module": {"child_modules": {}}}}`,
			[]string{"p.json: planned_values.root_module.child_modules: expected an array of module objects, got an object"}},
		{"values string", `{"planned_values": {"root_module": {"resources": [{"address": "azurerm_network_security_group.g", "values": "g"}]}}}`,
			[]string{"p.json: planned_values.root_module.resources[0].values: expected an object, got a string"}},
		{"resource_changes object", `{"planned_values": {}, "resource_changes": {}}`,
			[]string{"p.json: resource_changes: expected an array of resource changes, got an object"}},
		{"name number", plan(`{"address": "azurerm_network_security_group.g", "mode": "managed", "type": "azurerm_network_security_group", "name": "g",
		  "values": {"name": 7}}`, ""), []string{"p.json: planned_values.root_module.resources[0].values.name: expected a string, got a number"}},
		{"security_rule object", plan(`{"address": "azurerm_network_security_group.g", "mode": "managed", "type": "azurerm_network_security_group", "name": "g",
		  "values": {"name": "g", "security_rule": {"name": "r"}}}`, ""),
			[]string{"p.json: planned_values.root_module.resources[0].values.security_rule: expected a list of security_rule blocks, got an object"}},
		{"priority enormous", plan(`{"address": "azurerm_network_security_rule.r", "mode": "managed", "type": "azurerm_network_security_rule", "name": "r",
		  "values": {"name": "r", "network_security_group_name": "g", "priority": 99999999999999999999}},
		  {"address": "azurerm_network_security_group.g", "mode": "managed", "type": "azurerm_network_security_group", "name": "g", "values": {"name": "g"}}`, ""),
			[]string{`p.json: planned_values.root_module.resources[0].values.priority: rule "r": priority 99999999999999999999 out of range [100, 4096]`}},
		{"no resources", `{"planned_values": {"root_module": {}}}`,
			[]string{"p.json: planned_values.root_module: the plan has no resources; nsgsim reads azurerm_virtual_network,"}},
		{"no network", `{"values": {"root_module": {"resources": [{"address": "azurerm_resource_group.rg", "values": {"name": "rg"}},
		  {"address": "azurerm_public_ip.ip", "values": {"name": "ip"}}]}}}`,
			[]string{`p.json: values.root_module: the plan has no resource nsgsim models (it has "azurerm_public_ip", "azurerm_resource_group"); nsgsim reads`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			planned, _, err := ImportPlan([]byte(tt.data), "p.json")
			topotest.WantErrors(t, "ImportPlan", planned, err, tt.want)
		})
	}
}

// TestImportPlanBOM checks that a plan saved with a UTF-8 byte-order mark
// (PowerShell's Out-File -Encoding utf8) is read.
func TestImportPlanBOM(t *testing.T) {
	data := append([]byte("\xef\xbb\xbf"), readPlan(t, "state.json")...)
	planned, _, err := ImportPlan(data, "state.json")
	if err != nil || planned == nil || len(planned.VirtualNetworks) == 0 {
		t.Errorf("ImportPlan(BOM + state.json) = %s, %v, want the topology", topotest.Dump(planned), err)
	}
}

func TestParseResourceAddr(t *testing.T) {
	tests := []struct {
		in, mod, typ, name, idx, rest string
	}{
		{"azurerm_subnet.bastion", "", "azurerm_subnet", "bastion", "", ""},
		{"azurerm_subnet.bastion.id", "", "azurerm_subnet", "bastion", "", ".id"},
		{"azurerm_subnet.w[1].id", "", "azurerm_subnet", "w", "[1]", ".id"},
		{`module.spoke["a.b"].module.x[0].azurerm_subnet.this["app"]`, `module.spoke["a.b"].module.x[0]`, "azurerm_subnet", "this", `["app"]`, ""},
		{"data.azurerm_subnet.existing.id", "", "azurerm_subnet", "existing", "", ".id"},
	}
	for _, tt := range tests {
		a, err := parseResourceAddr(tt.in)
		if err != nil {
			t.Errorf("parseResourceAddr(%q) error: %v", tt.in, err)
			continue
		}
		got := []string{moduleKey(a.modules), a.typ, a.name, indexString(a.index), a.rest}
		if want := []string{tt.mod, tt.typ, tt.name, tt.idx, tt.rest}; !slices.Equal(got, want) {
			t.Errorf("parseResourceAddr(%q) = %q, want %q", tt.in, got, want)
		}
	}
	for _, bad := range []string{"", "azurerm_subnet", "module.", `x.y["unclosed`} {
		if a, err := parseResourceAddr(bad); err == nil && a.rest == "" && a.index == nil {
			t.Errorf("parseResourceAddr(%q) = %+v, want an error", bad, a)
		}
	}
}
