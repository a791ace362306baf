package azure

import (
	"net/netip"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/nsgsim/nsgsim/internal/topotest"
	"github.com/nsgsim/nsgsim/topology"
	"github.com/nsgsim/nsgsim/topology/azure/armexpr"
)

func readTemplate(t testing.TB) ([]byte, map[string]any) {
	t.Helper()
	tpl, err := os.ReadFile("testdata/arm/template.json")
	if err != nil {
		t.Fatal(err)
	}
	pf, err := os.ReadFile("testdata/arm/template.parameters.json")
	if err != nil {
		t.Fatal(err)
	}
	params, err := ReadARMParameters(pf, "template.parameters.json")
	if err != nil {
		t.Fatalf("ReadARMParameters error: %v", err)
	}
	return tpl, params
}

func TestImportARM(t *testing.T) {
	tpl, params := readTemplate(t)
	top, err := ImportARM(tpl, params, "template.json")
	if err != nil {
		t.Fatalf("ImportARM error: %v", err)
	}
	topotest.Golden(t, "testdata/golden/arm-template.txt", topotest.Dump(top))

	// Variables, toLower/concat, format, and the inner nested deployment's
	// peering (a child resource named "VNET/PEERING").
	hub, spoke := top.VirtualNetworkByName("contoso-vnet"), top.VirtualNetworkByName("Contoso-spoke")
	if hub == nil || spoke == nil {
		t.Fatalf("VNets = %s, want contoso-vnet and Contoso-spoke", topotest.Dump(top))
	}
	if !slices.Equal(hub.Peerings, []string{"Contoso-spoke"}) || !slices.Equal(spoke.Peerings, []string{"contoso-vnet"}) {
		t.Errorf("peerings hub %v spoke %v, want each other", hub.Peerings, spoke.Peerings)
	}
	// Subnets: inline, a child resource in the VNet's "resources", and a
	// variable copy loop with cidrSubnet().
	var names []string
	for _, s := range append(hub.Subnets, spoke.Subnets...) {
		names = append(names, s.Name+"="+s.AddressPrefix.String())
	}
	want := []string{"AzureBastionSubnet=10.10.0.0/26", "workload=10.10.1.0/24", "app=10.11.0.0/24", "data=10.11.1.0/24"}
	if !slices.Equal(names, want) {
		t.Errorf("subnets = %v, want %v", names, want)
	}
	if s := hub.SubnetByName("workload"); s.NetworkSecurityGroup != "Contoso-nsg-workload" || s.RouteTable != "rt-egress" {
		t.Errorf("workload subnet = %+v, want NSG Contoso-nsg-workload and route table rt-egress", s)
	}

	// Rules: inline, a child resource, a "NSG/rule" resource, a property copy
	// loop, reference() to declared subnet prefixes, "[[" escapes.
	g := top.NetworkSecurityGroupByName("Contoso-nsg-bastion")
	if g == nil || len(g.SecurityRules) != 4 {
		t.Fatalf("Contoso-nsg-bastion = %+v, want 4 rules", g)
	}
	if r := topotest.FindRule(top, "Contoso-nsg-bastion", "AllowHttpsInbound"); r.Description != "[literal description]" {
		t.Errorf("description = %q, want the [[ escape undone", r.Description)
	}
	if r := topotest.FindRule(top, "Contoso-nsg-bastion", "AllowGatewayManagerInbound"); r.Priority != 110 || r.DestinationPorts[0] != (topology.PortRange{Lo: 443, Hi: 443}) {
		t.Errorf("AllowGatewayManagerInbound = %+v, want priority add(100, 10) and numeric port 443", r)
	}
	if r := topotest.FindRule(top, "Contoso-nsg-bastion", "AllowSshRdpOutbound"); topology.PortRangesString(r.DestinationPorts) != "22,3389,2222" {
		t.Errorf("AllowSshRdpOutbound ports = %v, want if() to add 2222 for Standard", r.DestinationPorts)
	}
	if r := topotest.FindRule(top, "Contoso-nsg-bastion", "AllowAzureCloudOutbound"); r.Destination.Tag != "AzureCloud.eastus" {
		t.Errorf("AllowAzureCloudOutbound destination = %v, want AzureCloud.eastus (resourceGroup().location)", r.Destination)
	}
	office := top.NetworkSecurityGroupByName("Contoso-nsg-workload").SecurityRules
	if len(office) != 2 || office[1].Name != "allow-office-2" || office[1].Priority != 201 ||
		office[1].Source.Prefixes[0] != netip.MustParsePrefix("198.51.100.0/25") {
		t.Errorf("property copy rules = %+v, want allow-office-1 and -2 at 200, 201", office)
	}
	ref := topotest.FindRule(top, "nsg-from-reference", "ssh-from-bastion-subnet")
	if ref.Source.String() != "10.10.0.0/26" || ref.Destination.String() != "10.10.1.0/24" {
		t.Errorf("reference() rule = %v -> %v, want 10.10.0.0/26 -> 10.10.1.0/24", ref.Source, ref.Destination)
	}

	// VMs: a resource copy loop with a user-defined function; dynamic
	// addresses skip the static NIC's 10.10.1.4; the OS from
	// windowsConfiguration (odd copies) or the Canonical image. The VM whose
	// condition is false is not imported, so its bad reference() is never
	// evaluated; neither is the storage account's utcNow().
	vms := top.VirtualMachines
	if len(vms) != 2 {
		t.Fatalf("%d VMs, want 2", len(vms))
	}
	if vms[0].Name != "Contoso-vm01" || vms[0].PrivateIPAddress.String() != "10.10.1.5" || vms[0].OS != topology.Linux ||
		vms[1].Name != "Contoso-vm02" || vms[1].PrivateIPAddress.String() != "10.10.1.6" || vms[1].OS != topology.Windows {
		t.Errorf("VMs = %s, want Contoso-vm01 10.10.1.5 Linux and Contoso-vm02 10.10.1.6 Windows", topotest.Dump(&topology.Topology{VirtualMachines: vms}))
	}
	b := top.BastionHosts[0]
	if !strings.HasPrefix(b.Name, "Contoso-bastion-") || len(b.Name) != len("Contoso-bastion-")+5 || b.SKU != topology.Standard ||
		!b.EnableTunneling || !b.EnableIPConnect || b.EnableShareableLink || b.ScaleUnits != 3 || b.VirtualNetwork != "contoso-vnet" {
		t.Errorf("Bastion = %+v, want Contoso-bastion-XXXXX, Standard, tunneling and IP connect, 3 units, in contoso-vnet", b)
	}
}

func TestImportARMParameters(t *testing.T) {
	tpl, params := readTemplate(t)
	params["bastionSku"] = "Basic"
	params["vmCount"] = "1" // a string, as from --parameter vmCount=1
	params["officeRanges"] = `["192.0.2.0/24"]`
	top, err := ImportARM(tpl, params, "template.json")
	if err != nil {
		t.Fatalf("ImportARM error: %v", err)
	}
	b := top.BastionHosts[0]
	if b.SKU != topology.Basic || b.EnableTunneling || b.ScaleUnits != 2 {
		t.Errorf("Bastion = %+v, want Basic without tunneling, 2 units", b)
	}
	if n := len(top.VirtualMachines); n != 1 {
		t.Errorf("%d VMs, want 1", n)
	}
	if r := topotest.FindRule(top, "Contoso-nsg-bastion", "AllowSshRdpOutbound"); topology.PortRangesString(r.DestinationPorts) != "22,3389" {
		t.Errorf("ports = %v, want 22,3389 for Basic", r.DestinationPorts)
	}
	if rs := top.NetworkSecurityGroupByName("Contoso-nsg-workload").SecurityRules; len(rs) != 1 {
		t.Errorf("%d office rules, want 1", len(rs))
	}

	// The ARMOptions deployment context.
	top, err = ImportARMWithOptions(tpl, ARMOptions{Name: "template.json", Parameters: params, Location: "northeurope"})
	if err != nil {
		t.Fatal(err)
	}
	if r := topotest.FindRule(top, "Contoso-nsg-bastion", "AllowAzureCloudOutbound"); r.Destination.Tag != "AzureCloud.northeurope" || top.Location != "northeurope" {
		t.Errorf("with Location northeurope: tag %v, location %q", r.Destination, top.Location)
	}
}

func TestImportARMErrors(t *testing.T) {
	tpl, params := readTemplate(t)
	with := func(k string, v any) map[string]any {
		m := map[string]any{}
		for k, v := range params {
			m[k] = v
		}
		m[k] = v
		return m
	}
	without := func(k string) map[string]any {
		m := with("x", nil)
		delete(m, "x")
		delete(m, k)
		return m
	}
	small := func(resources string) []byte {
		return []byte(`{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
		  "parameters": {"p": {"type": "string", "defaultValue": "x"}}, "variables": {"v": "[parameters('p')]"}, "resources": [` + resources + `]}`)
	}
	vnet := func(prefix string) string {
		return `{"type": "Microsoft.Network/virtualNetworks", "name": "v", "properties": {"addressSpace": {"addressPrefixes": ["` + prefix + `"]}}}`
	}
	tests := []struct {
		name   string
		tpl    []byte
		params map[string]any
		want   []string
	}{
		{"required parameter", tpl, without("prefix"),
			[]string{`template.json: parameters.prefix: required parameter "prefix" has no value and no defaultValue; give it a value (in a parameters file, or as prefix=VALUE)`}},
		{"undeclared parameter", tpl, with("nope", "1"), []string{`a value is given for parameter "nope", which the template does not declare; declared: adminPassword, bastionSku,`}},
		{"not allowed", tpl, with("bastionSku", "Gold"), []string{`template.json: parameters.bastionSku: parameter "bastionSku": value "Gold" is not one of the allowed values "Basic", "Standard", "Premium"`}},
		{"bad int", tpl, with("vmCount", "two"), []string{`parameters.vmCount: parameter "vmCount": value "two" is not an int`}},
		{"int out of range", tpl, with("vmCount", "99999999999999999999"),
			[]string{`parameters.vmCount: parameter "vmCount": value "99999999999999999999" is out of range for an int (64 bits)`}},
		{"key vault value needed", tpl, with("prefix", "[[x]"), nil}, // a literal: no error
		{"copy count", tpl, with("vmCount", 1000), []string{`template.json: resources[6].copy.count: copy count 1000 is out of range; expected a number from 0 to 800`}},
		{"unknown function", small(vnet("[frobnicate('a')]")), nil,
			[]string{`template.json: resources[0].properties.addressSpace.addressPrefixes[0]: cannot evaluate "[frobnicate('a')]": unknown function frobnicate()`}},
		{"syntax", small(vnet("[concat('a', ]")), nil, []string{`cannot evaluate "[concat('a', ]": syntax error: expected a function call, a string or a number at offset 13, found end of expression`}},
		{"unclosed string", small(vnet("[concat('a)]")), nil, []string{`syntax error: string starting at offset 8 is not closed with '`}},
		{"reference runtime", small(vnet("[reference('v').addressSpace.addressPrefixes[0]]")), nil,
			[]string{`the resource's properties refer to themselves through reference()`}},
		{"reference unknown", small(vnet("[reference('x').foo]")), nil,
			[]string{`template.json: resources[0].properties.addressSpace.addressPrefixes[0]: cannot evaluate "[reference('x').foo]": reference() needs a deployed resource: "x" is not defined in this template, so its properties are known only in Azure`}},
		{"reference runtime property", small(vnet("10.0.0.0/16") + `, {"type": "Microsoft.Network/networkSecurityGroups", "name": "g", "properties": {"securityRules": [{"name": "r",
			"properties": {"sourceAddressPrefix": "[reference('v').dhcpOptions.dnsServers[0]]"}}]}}`), nil,
			[]string{`cannot evaluate "[reference('v').dhcpOptions.dnsServers[0]]": reference('v').dhcpOptions is not set in the template; Azure sets it when the resource is deployed`}},
		{"utcNow", small(vnet("[utcNow()]")), nil, []string{`cannot evaluate "[utcNow()]": utcNow() is known only when the template is deployed`}},
		{"variable cycle", []byte(`{"variables": {"a": "[variables('b')]", "b": "[variables('a')]"}, "resources": [` + vnet("[variables('a')]") + `]}`), nil,
			[]string{`refers to itself`}},
		{"condition", small(`{"condition": "[parameters('p')]", "type": "Microsoft.Network/virtualNetworks", "name": "v"}`), nil,
			[]string{`template.json: resources[0].condition: condition is "x"; expected true or false`}},
		{"name mismatch", small(`{"type": "Microsoft.Network/virtualNetworks/subnets", "name": "justone", "properties": {}}`), nil,
			[]string{`template.json: resources[0].name: name "justone" does not fit type Microsoft.Network/virtualNetworks/subnets: expected 2 name segments`}},
		{"existing vnet", small(`{"type": "Microsoft.Network/virtualNetworks/subnets", "name": "old/s", "properties": {"addressPrefix": "10.0.0.0/24"}}`), nil,
			[]string{`template.json: resources[0]: subnet "s" belongs to virtual network "old", which is not among the inputs`}},
		{"linked template", small(`{"type": "Microsoft.Resources/deployments", "name": "d", "properties": {"templateLink": {"uri": "https://example.com/t.json"}}}`), nil,
			[]string{`template.json: resources[0].properties.templateLink: the linked template "https://example.com/t.json" is remote, and nsgsim works offline: save it beside template.json (as t.json) and import again`}},
		{"lambda", small(vnet("[first(filter(createArray('a'), lambda('x', true())))]")), nil, []string{`"a" is not an IP address or CIDR prefix`}},
		{"not json", []byte(`{"resources": [}`), nil, []string{`template.json:1:16: not JSON`}},

		{"not an object", []byte(`[1]`), nil, []string{`template.json: the top level is an array; expected an ARM deployment template`}},
		{"parameters file", []byte(`{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#", "parameters": {}}`), nil,
			[]string{`this is an ARM parameters file`}},
		{"az output", []byte(`{"value": []}`), nil, []string{"this looks like Azure CLI or REST output, not a template; import it with `nsgsim import az`"}},
		{"no resources", []byte(`{"foo": 1}`), nil, []string{`template.json: no "resources"; expected an ARM deployment template`}},
		{"no network", small(`{"type": "Microsoft.Storage/storageAccounts", "name": "sa"}`), nil,
			[]string{`template.json: resources: the template has no resource nsgsim models (it has "Microsoft.Storage/storageAccounts"); nsgsim reads Microsoft.Network/virtualNetworks`}},
		{"empty", small(``), nil, []string{`template.json: resources: the template has no resources; nsgsim reads`}},
		{"copy count enormous", small(`{"type": "Microsoft.Network/virtualNetworks", "name": "v", "copy": {"name": "c", "count": 99999999999999999999}}`), nil,
			[]string{`template.json: resources[0].copy.count: copy count 99999999999999999999 is out of range; expected a number from 0 to 800`}},
		{"deep expression", small(vnet("[" + strings.Repeat("concat(", 20000) + "'a'" + strings.Repeat(")", 20000) + "]")), nil,
			[]string{`template.json: resources[0].properties.addressSpace.addressPrefixes[0]: cannot evaluate "[` + strings.Repeat("concat(", 14) + `c...": syntax error: expression nested too deeply`}},
		{"bom", append([]byte("\xef\xbb\xbf"), small(vnet("10.0.0.0/16"))...), nil, nil},
		{"utf-16", []byte("\xfe\xff\x00{\x00}"), nil, []string{`template.json:1:1: file is UTF-16; save it as UTF-8`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			top, err := ImportARM(tt.tpl, tt.params, "template.json")
			if tt.want == nil {
				if err != nil {
					t.Fatalf("ImportARM error: %v", err)
				}
				return
			}
			topotest.WantErrors(t, "ImportARM", top, err, tt.want)
		})
	}
}

// TestImportARMParameterOneError checks that a parameter given a value of
// the wrong type is reported once, not also as a parameter with no value.
func TestImportARMParameterOneError(t *testing.T) {
	tpl := []byte(`{"parameters": {"prio": {"type": "int"}}, "resources": [{"type": "Microsoft.Network/networkSecurityGroups", "name": "nsg"}]}`)
	_, err := ImportARM(tpl, map[string]any{"prio": "high"}, "t.json")
	want := `t.json: parameters.prio: parameter "prio": value "high" is not an int`
	if err == nil || topology.ErrorText(err) != want {
		t.Errorf("ImportARM error = %v, want only %s", err, want)
	}
}

// TestImportARMKeyVault checks that a Key Vault reference is an error only
// when its value is needed.
func TestImportARMKeyVault(t *testing.T) {
	tpl := []byte(`{"parameters": {"pw": {"type": "securestring"}, "name": {"type": "string"}},
	  "resources": [{"type": "Microsoft.Network/virtualNetworks", "name": "[parameters('name')]",
	    "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]}, "dhcpOptions": {"x": "[parameters('pw')]"}}}]}`)
	pf := []byte(`{"parameters": {"pw": {"reference": {"keyVault": {"id": "kv"}, "secretName": "s"}}, "name": {"reference": {"keyVault": {"id": "kv"}, "secretName": "n"}}}}`)
	params, err := ReadARMParameters(pf, "p.json")
	if err != nil {
		t.Fatal(err)
	}
	_, err = ImportARM(tpl, params, "t.json")
	want := `t.json: resources[0].name: cannot evaluate "[parameters('name')]": parameters(): parameter "name" is a Key Vault reference (secret "n"); its value is known only in Azure: give it a value`
	if err == nil || topology.ErrorText(err) != want {
		t.Errorf("ImportARM error = %v, want %s", err, want)
	}
	params["name"] = "v"
	if _, err := ImportARM(tpl, params, "t.json"); err != nil {
		t.Errorf("ImportARM with pw unused: %v", err)
	}
}

func TestReadARMParameters(t *testing.T) {
	tests := []struct {
		name, data, want string
	}{
		{"file", `{"$schema": "x", "contentVersion": "1.0.0.0", "parameters": {"a": {"value": 1}, "b": {"value": ["x"]}}}`, "a=1 b=[x]"},
		{"bare", `{"a": {"value": "s"}}`, "a=s"},
		{"not json", `{`, "p.json:1:2: not JSON"},
		{"no value", `{"parameters": {"a": {"x": 1}}}`, `p.json: parameters.a: expected {"value": ...} or a Key Vault {"reference": ...}`},
		{"template", `{"resources": []}`, "p.json: this is a template, not a parameters file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := ReadARMParameters([]byte(tt.data), "p.json")
			var got string
			if err != nil {
				got = topology.ErrorText(err)
			} else {
				var parts []string
				for _, k := range armexpr.SortedKeys(m) {
					parts = append(parts, k+"="+strings.Trim(strings.ReplaceAll(strings.TrimSpace(fmtValue(m[k])), " ", ","), ""))
				}
				got = strings.Join(parts, " ")
			}
			if !strings.HasPrefix(got, tt.want) {
				t.Errorf("ReadARMParameters = %q, want prefix %q", got, tt.want)
			}
		})
	}
}

// TestImportARMSymbolic reads a languageVersion 2.0 template (resources by
// symbolic name, an existing resource) with an outer-scope nested
// deployment.
func TestImportARMSymbolic(t *testing.T) {
	tpl := []byte(`{
	  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
	  "languageVersion": "2.0",
	  "parameters": {"space": {"type": "string", "defaultValue": "10.5.0.0/16"}},
	  "resources": {
	    "oldVnet": {"type": "Microsoft.Network/virtualNetworks", "apiVersion": "2024-05-01", "name": "legacy", "existing": true},
	    "vnet": {"type": "Microsoft.Network/virtualNetworks", "apiVersion": "2024-05-01", "name": "net",
	      "properties": {"addressSpace": {"addressPrefixes": ["[parameters('space')]"]},
	        "subnets": [{"name": "AzureBastionSubnet", "properties": {"addressPrefix": "[cidrSubnet(parameters('space'), 26, 0)]"}}]}},
	    "nsg": {"type": "Microsoft.Network/networkSecurityGroups", "apiVersion": "2024-05-01", "name": "nsg",
	      "properties": {"securityRules": [{"name": "from-net", "properties": {"priority": 100, "direction": "Inbound", "access": "Allow",
	        "protocol": "*", "sourceAddressPrefix": "[reference('vnet').addressSpace.addressPrefixes[0]]", "destinationAddressPrefix": "*",
	        "sourcePortRange": "*", "destinationPortRange": "*"}}]}},
	    "module": {"type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01", "name": "outer",
	      "properties": {"mode": "Incremental", "template": {"resources": [
	        {"type": "Microsoft.Network/bastionHosts", "apiVersion": "2024-05-01", "name": "[concat('bastion-', parameters('space') == null)]",
	         "sku": {"name": "Developer"}, "properties": {"virtualNetwork": {"id": "[resourceId('Microsoft.Network/virtualNetworks', 'net')]"}}}]}}}
	  }
	}`)
	_, err := ImportARM(tpl, nil, "sym.json")
	if err == nil || !strings.Contains(topology.ErrorText(err), `sym.json: resources.module.properties.template.resources[0].name: cannot evaluate`) {
		t.Errorf("ImportARM error = %v, want a syntax error in the nested template's name", err)
	}
	tpl = []byte(strings.Replace(string(tpl), `[concat('bastion-', parameters('space') == null)]`, `[concat('bastion-', replace(parameters('space'), '/', '-'))]`, 1))
	top, err := ImportARM(tpl, nil, "sym.json")
	if err != nil {
		t.Fatalf("ImportARM error: %v", err)
	}
	want := "vnet net [10.5.0.0/16]\n  subnet AzureBastionSubnet 10.5.0.0/26\n" +
		"nsg nsg\n  rule from-net 100 Inbound Allow * 10.5.0.0/16:* -> *:*\n" +
		"bastion bastion-10.5.0.0-16 vnet=net sku=Developer scaleUnits=2\n"
	if got := topotest.Dump(top); got != want {
		t.Errorf("ImportARM =\n%s\nwant\n%s", got, want)
	}
}
