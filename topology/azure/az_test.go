package azure

import (
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/nsgsim/nsgsim/internal/topotest"
	"github.com/nsgsim/nsgsim/topology"
)

func TestImportAz(t *testing.T) {
	top, err := ImportAz(readDir(t, "testdata/az"))
	if err != nil {
		t.Fatalf("ImportAz(testdata/az) error: %v", err)
	}
	topotest.Golden(t, "testdata/golden/az.txt", topotest.Dump(top))

	// Names: two VNets and two NSGs share a name across resource groups.
	var vnets, nsgs []string
	for _, v := range top.VirtualNetworks {
		vnets = append(vnets, v.Name)
	}
	for _, g := range top.NetworkSecurityGroups {
		nsgs = append(nsgs, g.Name)
	}
	if want := []string{"hub", "hub-rg-lab", "spoke"}; !slices.Equal(vnets, want) {
		t.Errorf("VNets = %v, want %v", vnets, want)
	}
	if want := []string{"nsg-bastion", "nsg-vm-web-1", "nsg-workload", "nsg-workload-rg-spoke"}; !slices.Equal(nsgs, want) {
		t.Errorf("NSGs = %v, want %v", nsgs, want)
	}

	hub := top.VirtualNetworkByName("hub")
	if got := hub.AddressSpace; len(got) != 1 || got[0] != netip.MustParsePrefix("10.0.0.0/16") {
		t.Errorf("hub address space = %v, want [10.0.0.0/16] (IPv6 dropped)", got)
	}
	// The hub lists a Connected peering to spoke and a Disconnected one to
	// the lab; the spoke's side comes from `az network vnet peering list`.
	if want := []string{"spoke"}; !slices.Equal(hub.Peerings, want) {
		t.Errorf("hub peerings = %v, want %v", hub.Peerings, want)
	}
	if got, want := top.VirtualNetworkByName("spoke").Peerings, []string{"hub"}; !slices.Equal(got, want) {
		t.Errorf("spoke peerings = %v, want %v", got, want)
	}
	w := hub.SubnetByName("workload")
	if w == nil || w.AddressPrefix != netip.MustParsePrefix("10.0.1.0/24") || w.NetworkSecurityGroup != "nsg-workload" || w.RouteTable != "rt-firewall" {
		t.Errorf("hub/workload = %+v, want 10.0.1.0/24 (first IPv4 of addressPrefixes), nsg-workload, rt-firewall", w)
	}
	if got := top.VirtualNetworkByName("spoke").SubnetByName("app").NetworkSecurityGroup; got != "nsg-workload-rg-spoke" {
		t.Errorf("spoke/app NSG = %q, want nsg-workload-rg-spoke", got)
	}

	// Default rules are dropped; custom rules keep their fields.
	bastionNSG := top.NetworkSecurityGroupByName("nsg-bastion")
	if n := len(bastionNSG.SecurityRules); n != 8 {
		t.Errorf("nsg-bastion has %d rules, want 8 (the 6 default rules dropped)", n)
	}
	web := topotest.FindRule(top, "nsg-workload", "allow-web")
	if web == nil {
		t.Fatal("rule nsg-workload/allow-web missing")
	}
	wantSrc := []netip.Prefix{netip.MustParsePrefix("203.0.113.0/24"), netip.MustParsePrefix("198.51.100.7/32")}
	if !slices.Equal(web.Source.Prefixes, wantSrc) || !slices.Equal(web.Destination.ApplicationSecurityGroups, []string{"asg-web"}) ||
		web.Protocol != topology.Tcp || web.Priority != 110 {
		t.Errorf("allow-web = %+v, want Tcp 110 from %v to asg-web", web, wantSrc)
	}
	app := topotest.FindRule(top, "nsg-workload-rg-spoke", "allow-app")
	if app == nil || app.SourcePorts[0] != (topology.PortRange{Lo: 1024, Hi: 65535}) || app.Protocol != topology.Udp {
		t.Errorf("allow-app = %+v, want Udp from source ports 1024-65535", app)
	}

	tests := []struct {
		vm, vnet, subnet, addr, nsg, pip string
		os                               topology.OS
		asgs                             []string
	}{
		{"vm-web-1", "hub", "workload", "10.0.1.4", "nsg-vm-web-1", "20.50.60.70", topology.Linux, []string{"asg-mgmt", "asg-web"}},
		{"vm-win", "hub", "workload", "10.0.1.5", "", "", topology.Windows, nil},
		{"app-1", "spoke", "app", "10.1.0.10", "", "", topology.Linux, nil}, // the NIC marked primary, the OS from the image
	}
	for _, tt := range tests {
		vm := top.VirtualMachineByName(tt.vm)
		if vm == nil {
			t.Errorf("VM %s missing", tt.vm)
			continue
		}
		var pip string
		if vm.PublicIPAddress.IsValid() {
			pip = vm.PublicIPAddress.String()
		}
		if vm.VirtualNetwork != tt.vnet || vm.Subnet != tt.subnet || vm.PrivateIPAddress.String() != tt.addr ||
			vm.NetworkSecurityGroup != tt.nsg || pip != tt.pip || vm.OS != tt.os || !slices.Equal(vm.ApplicationSecurityGroups, tt.asgs) {
			t.Errorf("VM %s = %+v, want %s/%s %s nsg %q pip %q %v asgs %v", tt.vm, vm, tt.vnet, tt.subnet, tt.addr, tt.nsg, tt.pip, tt.os, tt.asgs)
		}
	}
	if n := len(top.VirtualMachines); n != 3 {
		t.Errorf("%d VMs, want 3 (the NIC without a VM is not one)", n)
	}

	if len(top.BastionHosts) != 2 {
		t.Fatalf("%d Bastion hosts, want 2", len(top.BastionHosts))
	}
	dev, std := top.BastionHosts[0], top.BastionHosts[1]
	if dev.Name != "bastion-dev" || dev.SKU != topology.Developer || dev.VirtualNetwork != "spoke" {
		t.Errorf("bastion-dev = %+v, want Developer in spoke", dev)
	}
	if std.Name != "bastion-hub" || std.SKU != topology.Standard || std.VirtualNetwork != "hub" || std.ScaleUnits != 3 ||
		!std.EnableTunneling || !std.EnableFileCopy || std.EnableIPConnect {
		t.Errorf("bastion-hub = %+v, want Standard in hub, 3 units, tunneling and file copy", std)
	}
	if top.Location != "westeurope" {
		t.Errorf("Location = %q, want westeurope", top.Location)
	}
}

func TestImportAzREST(t *testing.T) {
	top, err := ImportAz(readDir(t, "testdata/rest"))
	if err != nil {
		t.Fatalf("ImportAz(testdata/rest) error: %v", err)
	}
	topotest.Golden(t, "testdata/golden/rest.txt", topotest.Dump(top))
	esp := topotest.FindRule(top, "nsg-rest", "esp-out")
	if esp == nil || esp.Protocol != topology.Esp || esp.Direction != topology.Outbound || len(esp.Destination.Prefixes) != 2 {
		t.Errorf("esp-out = %+v, want Esp outbound to 2 prefixes", esp)
	}
	b := top.BastionHosts[0]
	if b.SKU != topology.Premium || !b.EnablePrivateOnlyBastion || !b.EnableSessionRecording || !b.DisableCopyPaste || b.ScaleUnits != 4 {
		t.Errorf("bastion-rest = %+v, want Premium private-only with recording, 4 units", b)
	}
}

// TestImportAzOrder checks that the result does not depend on the order of
// the files or of the map.
func TestImportAzOrder(t *testing.T) {
	files := readDir(t, "testdata/az")
	first, err := ImportAz(files)
	if err != nil {
		t.Fatal(err)
	}
	want := topotest.Dump(first)
	for range 5 {
		again, err := ImportAz(files)
		if err != nil {
			t.Fatal(err)
		}
		if got := topotest.Dump(again); got != want {
			t.Fatalf("ImportAz is not deterministic:\n%s\nvs\n%s", got, want)
		}
	}
}

func TestImportAzErrors(t *testing.T) {
	vnet := `{"type": "Microsoft.Network/virtualNetworks", "name": "v", "id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v",
	  "addressSpace": {"addressPrefixes": ["10.0.0.0/16"]},
	  "subnets": [{"name": "a", "addressPrefix": "10.0.1.0/24", "networkSecurityGroup": {"id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/networkSecurityGroups/missing"}}]}`
	nsg := func(rule string) string {
		return `[{"type": "Microsoft.Network/networkSecurityGroups", "name": "g", "resourceGroup": "rg", "securityRules": [` + rule + `]}]`
	}
	tests := []struct {
		name, file, data string
		want             []string // substrings of the error
	}{
		{"not json", "x.json", `{"type": `, []string{"x.json:1:10: not JSON", "az"}},
		{"number", "n.json", `42`, []string{"n.json: the JSON is a number; expected the JSON output of an `az` list"}},
		{"no type", "o.json", `{"name": "x"}`, []string{`o.json: no "type" and no "value" list`}},
		{"element without type", "l.json", `[{"name": "x"}]`, []string{`l.json: [0]: no "type"`}},
		{"template", "t.json", `{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#", "resources": []}`,
			[]string{"t.json: this is an ARM deployment template; import it with `nsgsim import arm`"}},
		{"terraform", "p.json", `{"format_version": "1.2", "planned_values": {}}`, []string{"p.json: this is a Terraform plan"}},
		{"effective nsg", "e.json", `{"value": [{"association": {}, "effectiveSecurityRules": []}]}`,
			[]string{"e.json: value: this is the output of `az network nic list-effective-nsg`"}},
		{"missing nsg", "v.json", vnet, []string{`v.json: subnets[0].networkSecurityGroup.id: subnet "a" refers to network security group "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/networkSecurityGroups/missing", which is not among the inputs`}},
		{"host bits", "h.json", `{"type": "Microsoft.Network/virtualNetworks", "name": "v", "addressSpace": {"addressPrefixes": ["10.0.0.1/16"]}}`,
			[]string{"h.json: addressSpace.addressPrefixes[0]: 10.0.0.1/16 has host bits set; did you mean 10.0.0.0/16?"}},
		{"bad protocol", "r.json", nsg(`{"name": "r", "priority": 100, "direction": "Inbound", "access": "Allow", "protocol": "Gre",
			"sourceAddressPrefix": "*", "destinationAddressPrefix": "*", "sourcePortRange": "*", "destinationPortRange": "*"}`),
			[]string{`r.json: [0].securityRules[0].protocol: rule "r": protocol "Gre" is not Tcp, Udp, Icmp, Esp, Ah or *`}},
		{"tag in list", "r.json", nsg(`{"name": "r", "priority": 100, "direction": "Inbound", "access": "Allow", "protocol": "Tcp",
			"sourceAddressPrefixes": ["10.0.0.0/8", "Internet"], "destinationAddressPrefix": "*", "sourcePortRange": "*", "destinationPortRange": "*"}`),
			[]string{`r.json: [0].securityRules[0].sourceAddressPrefixes[1]: rule "r": service tag "Internet" in sourceAddressPrefixes`}},
		{"both prefix forms", "r.json", nsg(`{"name": "r", "priority": 100, "direction": "Inbound", "access": "Allow", "protocol": "Tcp",
			"sourceAddressPrefix": "*", "sourceAddressPrefixes": ["10.0.0.0/8"], "destinationAddressPrefix": "*", "sourcePortRange": "*", "destinationPortRange": "*"}`),
			[]string{`rule "r" sets more than one of sourceAddressPrefix, sourceAddressPrefixes and sourceApplicationSecurityGroups`}},
		{"bad port", "r.json", nsg(`{"name": "r", "priority": 100, "direction": "Inbound", "access": "Allow", "protocol": "Tcp",
			"sourceAddressPrefix": "*", "destinationAddressPrefix": "*", "sourcePortRange": "*", "destinationPortRange": "90-80"}`),
			[]string{`r.json: [0].securityRules[0].destinationPortRange: rule "r": port range "90-80" is reversed`}},
		{"missing fields", "r.json", nsg(`{"name": "r"}`), []string{
			`rule "r" has no priority`, `rule "r" has no direction; expected Inbound or Outbound`, `rule "r" has no access`,
			`rule "r" has no source address`, `rule "r" has no destination port`}},
		{"vm without nic", "vm.json", `{"type": "Microsoft.Compute/virtualMachines", "name": "vm1", "resourceGroup": "rg",
			"storageProfile": {"osDisk": {"osType": "Linux"}},
			"networkProfile": {"networkInterfaces": [{"id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/networkInterfaces/nic1"}]}}`,
			[]string{`vm.json: networkProfile.networkInterfaces[0].id: virtual machine "vm1": network interface "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/networkInterfaces/nic1" is not among the inputs; add it (for example ` + "`az network nic list`)"}},
		{"vm os unknown, no nic", "vm.json", `[{"type": "Microsoft.Compute/virtualMachines", "name": "vm1",
			"storageProfile": {"imageReference": {"id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/images/golden"}},
			"networkProfile": {"networkInterfaces": []}}]`,
			[]string{`virtual machine "vm1" has no network interface`}},
		{"bastion sku", "b.json", `{"type": "Microsoft.Network/bastionHosts", "name": "b", "sku": {"name": "Gold"}, "virtualNetwork": {"id": "bad"}}`,
			[]string{`b.json: sku.name: Bastion host "b": SKU "Gold" is not Developer, Basic, Standard or Premium`,
				`b.json: virtualNetwork.id: "bad" is not an Azure resource ID`}},
		{"subnet outside inputs", "s.json", `{"type": "Microsoft.Network/virtualNetworks/subnets", "name": "other/s1", "addressPrefix": "10.0.0.0/24"}`,
			[]string{`s.json: subnet "s1" belongs to virtual network "other", which is not among the inputs`}},
		{"syntax column", "x.json", "[\n  {\"type\": x}]", []string{"x.json:2:12: not JSON: invalid character 'x' looking for beginning of value"}},
		{"not utf-8", "x.json", "[{\"type\": \"Microsoft.Network/networkSecurityGroups\", \"name\": \"caf\xe9\"}]",
			[]string{"x.json:1:66: not UTF-8: invalid byte 0xE9; nsgsim reads UTF-8 JSON (save the file as UTF-8)"}},
		{"utf-16", "x.json", "\xff\xfe[\x00]\x00", []string{"x.json:1:1: file is UTF-16; save it as UTF-8 (e.g. `az ... -o json > x.json` in bash, or Out-File -Encoding utf8)"}},
		{"utf-8 bom", "x.json", "\xef\xbb\xbf" + nsg(`{"name": "r", "priority": 5000, "direction": "Inbound", "access": "Allow", "protocol": "Tcp",
			"sourceAddressPrefix": "*", "destinationAddressPrefix": "*", "sourcePortRange": "*", "destinationPortRange": "*"}`),
			[]string{`x.json: [0].securityRules[0].priority: rule "r": priority 5000 out of range [100, 4096]`}},
		{"priority enormous", "r.json", nsg(`{"name": "r", "priority": 99999999999999999999, "direction": "Inbound", "access": "Allow", "protocol": "Tcp",
			"sourceAddressPrefix": "*", "destinationAddressPrefix": "*", "sourcePortRange": "*", "destinationPortRange": "*"}`),
			[]string{`r.json: [0].securityRules[0].priority: rule "r": priority 99999999999999999999 out of range [100, 4096]`}},
		{"priority fraction", "r.json", nsg(`{"name": "r", "priority": 100.5, "direction": "Inbound", "access": "Allow", "protocol": "Tcp",
			"sourceAddressPrefix": "*", "destinationAddressPrefix": "*", "sourcePortRange": "*", "destinationPortRange": "*"}`),
			[]string{`r.json: [0].securityRules[0].priority: expected a whole number, got 100.5`}},
		{"sku string", "b.json", `{"type": "Microsoft.Network/bastionHosts", "name": "b", "sku": "Standard"}`,
			[]string{`b.json: sku: Bastion host "b": expected an object {"name": SKU}, got "Standard"`}},
		{"rules object", "r.json", `[{"type": "Microsoft.Network/networkSecurityGroups", "name": "g", "securityRules": {"name": "r"}}]`,
			[]string{`r.json: [0].securityRules: expected an array of security rules, got an object`}},
		{"subnets string", "v.json", `{"type": "Microsoft.Network/virtualNetworks", "name": "v", "addressSpace": {"addressPrefixes": ["10.0.0.0/16"]}, "subnets": "a"}`,
			[]string{`v.json: subnets: expected an array of subnets, got a string`}},
		{"duplicate priority", "r.json", nsg(`{"name": "a", "priority": 100, "direction": "Inbound", "access": "Allow", "protocol": "Tcp",
			"sourceAddressPrefix": "*", "destinationAddressPrefix": "*", "sourcePortRange": "*", "destinationPortRange": "*"},
			{"name": "b", "priority": 100, "direction": "Inbound", "access": "Allow", "protocol": "Tcp",
			"sourceAddressPrefix": "*", "destinationAddressPrefix": "*", "sourcePortRange": "*", "destinationPortRange": "*"}`),
			[]string{`r.json: [0].securityRules[1].priority: rule "b": priority 100 is already used by inbound rule "a"`}},
		{"long name", "v.json", `{"type": "Microsoft.Network/virtualNetworks", "name": "` + strings.Repeat("v", 1000) + `"}`,
			[]string{`v.json: addressSpace.addressPrefixes: virtual network "` + strings.Repeat("v", 100) + `..." has no IPv4 address prefix`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			top, err := ImportAz(map[string][]byte{tt.file: []byte(tt.data)})
			topotest.WantErrors(t, "ImportAz", top, err, tt.want)
		})
	}
}

// TestImportAzPositions checks that validation errors name the JSON path
// and that the topology's positions keep the plain file name, which the
// reports take for files, with the JSON path beside it.
func TestImportAzPositions(t *testing.T) {
	data := `[{"type": "Microsoft.Network/networkSecurityGroups", "name": "g", "securityRules": [{"name": "r", "priority": 5000,
	  "direction": "Inbound", "access": "Allow", "protocol": "Tcp", "sourceAddressPrefix": "*", "destinationAddressPrefix": "*",
	  "sourcePortRange": "*", "destinationPortRange": "*"}]}]`
	top, err := ImportAz(map[string][]byte{"nsg.json": []byte(data)})
	want := `nsg.json: [0].securityRules[0].priority: rule "r": priority 5000 out of range [100, 4096]`
	if err == nil || topology.ErrorText(err) != want {
		t.Fatalf("ImportAz error = %v, want %s", err, want)
	}
	r := topotest.FindRule(top, "g", "r")
	if r == nil {
		t.Fatalf("ImportAz = %s, want the topology with the error", topotest.Dump(top))
	}
	for i, p := range []topology.Pos{top.NetworkSecurityGroups[0].Pos, r.Pos, r.At("priority"), r.At("destinationPortRange")} {
		want := topology.Pos{File: "nsg.json", Path: []string{"[0]", "[0].securityRules[0]", "[0].securityRules[0].priority", "[0].securityRules[0].destinationPortRange"}[i]}
		if p != want {
			t.Errorf("position %+v, want %+v", p, want)
		}
	}
}

// TestImportAzSkips checks that unknown types, empty lists and duplicate
// listings are not errors.
func TestImportAzSkips(t *testing.T) {
	files := map[string][]byte{
		"empty.json":   []byte(`{"nextLink": null, "value": []}`),
		"nsg.json":     []byte(`[{"type": "Microsoft.Network/networkSecurityGroups", "name": "nsg1"}]`),
		"storage.json": []byte(`[{"type": "Microsoft.Storage/storageAccounts", "name": "sa", "whatever": [1, 2]}]`),
		"show.json": []byte(`{"type": "Microsoft.Network/applicationSecurityGroups", "name": "asg1",
			"id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/applicationSecurityGroups/asg1"}`),
		"list.json": []byte(`[{"type": "Microsoft.Network/applicationSecurityGroups", "name": "asg1",
			"id": "/subscriptions/s/resourceGroups/RG/providers/Microsoft.Network/applicationSecurityGroups/ASG1"}]`),
	}
	top, err := ImportAz(files)
	if err != nil {
		t.Fatalf("ImportAz error: %v", err)
	}
	if got := topotest.Dump(top); got != "nsg nsg1\nasg asg1\n" {
		t.Errorf("ImportAz = %q, want the NSG and one ASG (the list and the show are one resource)", got)
	}
}

// TestImportAzNoNetwork checks that inputs without a resource that makes a
// network are an error that says what they hold, file by file.
func TestImportAzNoNetwork(t *testing.T) {
	files := map[string][]byte{
		"empty.json":   []byte(`{"nextLink": null, "value": []}`),
		"storage.json": []byte(`[{"type": "Microsoft.Storage/storageAccounts", "name": "sa"}, {"type": "Microsoft.Network/applicationSecurityGroups", "name": "asg1"}]`),
	}
	top, err := ImportAz(files)
	topotest.WantErrors(t, "ImportAz", top, err, []string{
		"empty.json: the file has no resources; nsgsim reads Microsoft.Network/virtualNetworks",
		`storage.json: the file has no resource nsgsim models (it has "Microsoft.Network/applicationSecurityGroups", "Microsoft.Storage/storageAccounts"); nsgsim reads`,
	})
}

// readDir reads every *.json file of dir, keyed by file name.
func readDir(t testing.TB, dir string) map[string][]byte {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no JSON files in %s: %v", dir, err)
	}
	files := map[string][]byte{}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		files[filepath.ToSlash(p)] = data
	}
	return files
}
