package azure

import (
	"fmt"
	"strings"
	"testing"

	"github.com/nsgsim/nsgsim/topology"
)

// estate is az JSON (ARM REST shape) of one VNet with a subnet, and a VM
// per image given, each with its NIC; extra resources are appended.
func estate(images []string, extra ...string) map[string][]byte {
	sub := "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers"
	res := []string{`{"type": "Microsoft.Network/virtualNetworks", "name": "vnet", "id": "` + sub + `/Microsoft.Network/virtualNetworks/vnet",
  "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16", "fd00::/48"]},
    "subnets": [{"name": "vms", "id": "` + sub + `/Microsoft.Network/virtualNetworks/vnet/subnets/vms", "properties": {"addressPrefix": "10.0.1.0/24"}}]}}`}
	for i, img := range images {
		n := string(rune('a' + i))
		res = append(res, `{"type": "Microsoft.Network/networkInterfaces", "name": "nic-`+n+`", "id": "`+sub+`/Microsoft.Network/networkInterfaces/nic-`+n+`",
  "properties": {"ipConfigurations": [{"name": "ip", "properties": {"privateIPAddress": "10.0.1.`+string(rune('4'+i))+`",
    "subnet": {"id": "`+sub+`/Microsoft.Network/virtualNetworks/vnet/subnets/vms"}, "publicIPAddress": {"id": "`+sub+`/Microsoft.Network/publicIPAddresses/pip-`+n+`"}}}]}}`,
			`{"type": "Microsoft.Network/publicIPAddresses", "name": "pip-`+n+`", "id": "`+sub+`/Microsoft.Network/publicIPAddresses/pip-`+n+`", "properties": {"publicIPAllocationMethod": "Dynamic"}}`,
			`{"type": "Microsoft.Compute/virtualMachines", "name": "vm-`+n+`", "id": "`+sub+`/Microsoft.Compute/virtualMachines/vm-`+n+`",
  "properties": {"storageProfile": {"imageReference": `+img+`}, "networkProfile": {"networkInterfaces": [{"id": "`+sub+`/Microsoft.Network/networkInterfaces/nic-`+n+`"}]}}}`)
	}
	res = append(res, extra...)
	return map[string][]byte{"estate.json": []byte("[" + strings.Join(res, ",\n") + "]")}
}

func warnings(t *topology.Topology) string {
	var b strings.Builder
	for _, w := range t.Warnings {
		b.WriteString(w.Error() + "\n")
	}
	return b.String()
}

// The OS of a VM comes from its image's publisher (the Marketplace
// publishers with one OS), else from --vm-os; without either, it is
// unknown (SPEC 1), and the VM is imported without os.
func TestImageOS(t *testing.T) {
	images := []string{
		`{"publisher": "MicrosoftVisualStudio", "offer": "visualstudio2022", "sku": "vs-2022-comm-latest-ws2022"}`,
		`{"publisher": "MicrosoftWindowsDesktop", "offer": "office-365", "sku": "win11-23h2-avd-m365"}`,
		`{"publisher": "RedHat", "offer": "RHEL", "sku": "9-lvm-gen2"}`,
		`{"publisher": "SUSE", "offer": "sles-15-sp5", "sku": "gen2"}`,
		`{"publisher": "MicrosoftSQLServer", "offer": "sql2022-ws2022", "sku": "standard-gen2"}`,
		`{"id": "/subscriptions/x/resourceGroups/rg/providers/Microsoft.Compute/galleries/g/images/golden"}`,
	}
	unknown, err := ImportAz(estate(images))
	if err != nil {
		t.Fatalf("ImportAz = %v, want a VM of unknown OS, not an error", err)
	}
	if vm := unknown.VirtualMachineByName("vm-f"); vm == nil || vm.OS != topology.UnknownOS {
		t.Errorf("vm-f = %+v, want OS %v", vm, topology.UnknownOS)
	}
	top, err := ImportAzWith(estate(images), Options{VMOS: []string{"vm-f=Windows", "vm-a=Linux", "vm-z=Linux"}})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, vm := range top.VirtualMachines {
		got = append(got, vm.Name+" "+vm.OS.String())
	}
	wantOS := "vm-a Windows, vm-b Windows, vm-c Linux, vm-d Linux, vm-e Windows, vm-f Windows"
	if strings.Join(got, ", ") != wantOS {
		t.Errorf("OS = %s, want %s (the image wins over --vm-os; --vm-os tells vm-f)", strings.Join(got, ", "), wantOS)
	}
	w := warnings(top)
	for _, s := range []string{
		`--vm-os vm-a: no virtual machine of that name needed it`,
		`--vm-os vm-z: no virtual machine of that name needed it`,
		`6 public IPs have no address until deployed (dynamic, or any in a template): "pip-a", "pip-b", "pip-c", "pip-d", "pip-e", "pip-f"`,
	} {
		if !strings.Contains(w, s) {
			t.Errorf("warnings:\n%s\nwant one containing %q", w, s)
		}
	}
	if _, err := ImportAzWith(estate(images), Options{VMOS: []string{"vm-f=Solaris"}}); err == nil || err.Error() != `--vm-os "vm-f=Solaris": expected NAME=Linux or NAME=Windows` {
		t.Errorf("bad --vm-os: error %v", err)
	}
}

// IPv6 prefixes of rules are dropped with a warning; a rule left with no
// address on a side is left out, with a warning that says its priority is
// still taken in Azure. VM scale sets are listed in a warning.
func TestImportWarnings(t *testing.T) {
	sub := "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers"
	nsg := `{"type": "Microsoft.Network/networkSecurityGroups", "name": "nsg", "id": "` + sub + `/Microsoft.Network/networkSecurityGroups/nsg",
  "properties": {"securityRules": [
    {"name": "mixed", "properties": {"priority": 100, "direction": "Inbound", "access": "Allow", "protocol": "Tcp",
      "sourceAddressPrefixes": ["10.1.0.0/16", "2001:db8::/32"], "sourcePortRange": "*", "destinationAddressPrefix": "*", "destinationPortRange": "22"}},
    {"name": "v6only", "properties": {"priority": 110, "direction": "Inbound", "access": "Deny", "protocol": "*",
      "sourceAddressPrefix": "*", "sourcePortRange": "*", "destinationAddressPrefixes": ["fd00::/64", "fd01::/64"], "destinationPortRange": "*"}}]}}`
	vmss := `{"type": "Microsoft.Compute/virtualMachineScaleSets", "name": "web-vmss", "id": "` + sub + `/Microsoft.Compute/virtualMachineScaleSets/web-vmss", "properties": {}}`
	top, err := ImportAz(estate([]string{`{"publisher": "Canonical", "offer": "ubuntu-24_04-lts", "sku": "server"}`}, nsg, vmss))
	if err != nil {
		t.Fatal(err)
	}
	// IPv6 prefixes are kept (they match no flow; simulate reports them as
	// NSG007), so the rule whose destination is all IPv6 keeps priority 110.
	var got []string
	for _, r := range top.NetworkSecurityGroupByName("nsg").SecurityRules {
		got = append(got, fmt.Sprintf("%s %d %s -> %s", r.Name, r.Priority, r.Source, r.Destination))
	}
	wantRules := "mixed 100 10.1.0.0/16,2001:db8::/32 -> *; v6only 110 * -> fd00::/64,fd01::/64"
	if strings.Join(got, "; ") != wantRules {
		t.Errorf("rules = %s, want %s", strings.Join(got, "; "), wantRules)
	}
	want := `estate.json: [2]: 1 public IP has no address until deployed (dynamic, or any in a template): "pip-a"; their VMs are imported without a public IP, so the lint for VMs with a public IP does not see them
estate.json: [5]: 1 VM scale set is not modelled: "web-vmss"; their instances get no flows (nsgsim models single virtual machines)
`
	if got := warnings(top); got != want {
		t.Errorf("warnings:\n%s\nwant:\n%s", got, want)
	}
}

// The header of an imported YAML names the inputs and the options, and
// never a secure parameter's value.
func TestHeader(t *testing.T) {
	tpl := []byte(`{"parameters": {"adminPassword": {"type": "secureString"}, "cfg": {"$ref": "#/definitions/secret"}, "name": {"type": "string"}},
  "definitions": {"secret": {"type": "secureObject"}}, "resources": []}`)
	got := Header("arm", []string{"main.json"}, Options{
		ParametersFile: "main.parameters.json",
		Parameters:     []string{"adminPassword=hunter2", "name=web\nrm -rf /", "cfg={\"k\": 1}"},
		VMOS:           []string{"vm1=Linux"},
	}, tpl, topology.ErrorList{topology.Errorf(topology.Pos{File: "main.json", Path: "resources[0]"}, "rule \"x\u2028y\": IPv6 prefixes dropped")})
	want := "# Imported by `nsgsim import arm` from:\n#   main.json\n# Parameters file: main.parameters.json\n" +
		"# Parameter adminPassword (secure: value not shown)\n# Parameter name=\"web\\nrm -rf /\"\n" +
		"# Parameter cfg (secure: value not shown)\n# VM OS vm1=Linux\n" +
		"# Warning: \"main.json: resources[0]: rule \\\"x\\u2028y\\\": IPv6 prefixes dropped\"\n"
	if got != want {
		t.Errorf("Header =\n%s\nwant\n%s", got, want)
	}
	if strings.Contains(got, "hunter2") {
		t.Error("a secure value is printed")
	}
}

// A template's VM scale set is listed in a warning too.
func TestImportARMScaleSetWarning(t *testing.T) {
	tpl := `{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#", "contentVersion": "1.0.0.0",
  "resources": [
    {"type": "Microsoft.Network/networkSecurityGroups", "apiVersion": "2024-05-01", "name": "nsg", "properties": {}},
    {"type": "Microsoft.Compute/virtualMachineScaleSets", "apiVersion": "2024-07-01", "name": "[concat('web', '-vmss')]", "properties": {"virtualMachineProfile": {}}}]}`
	top, err := ImportARM([]byte(tpl), nil, "main.json")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := warnings(top), "main.json: resources[1]: 1 VM scale set is not modelled: \"web-vmss\"; their instances get no flows (nsgsim models single virtual machines)\n"; got != want {
		t.Errorf("warnings:\n%s\nwant:\n%s", got, want)
	}
}
