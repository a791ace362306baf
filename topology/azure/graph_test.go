package azure

import (
	"os"
	"strings"
	"testing"

	"github.com/nsgsim/nsgsim/internal/topotest"
)

// graphPage is one page of `az graph query` output holding rows.
func graphPage(skip string, rows ...string) []byte {
	tok := "null"
	if skip != "" {
		tok = `"` + skip + `"`
	}
	return []byte(`{"count": ` + string(rune('0'+len(rows))) + `, "data": [` + strings.Join(rows, ",\n") + `], "skip_token": ` + tok + `, "total_records": 9}`)
}

func graphVNet(sub, rg, name, space string, subnets, peerings string) string {
	id := "/subscriptions/" + sub + "/resourceGroups/" + rg + "/providers/Microsoft.Network/virtualNetworks/" + name
	return `{"id": "` + id + `", "name": "` + name + `", "type": "microsoft.network/virtualnetworks", "location": "westeurope",
  "resourceGroup": "` + rg + `", "subscriptionId": "` + sub + `", "tenantId": "t",
  "properties": {"addressSpace": {"addressPrefixes": ["` + space + `"]}, "subnets": [` + subnets + `], "virtualNetworkPeerings": [` + peerings + `]}}`
}

func graphSubnet(sub, rg, vnet, name, prefix, nsg string) string {
	id := "/subscriptions/" + sub + "/resourceGroups/" + rg + "/providers/Microsoft.Network/virtualNetworks/" + vnet + "/subnets/" + name
	s := `{"id": "` + id + `", "name": "` + name + `", "properties": {"addressPrefix": "` + prefix + `"`
	if nsg != "" {
		s += `, "networkSecurityGroup": {"id": "/subscriptions/` + sub + `/resourceGroups/` + rg + `/providers/Microsoft.Network/networkSecurityGroups/` + nsg + `"}`
	}
	return s + `}}`
}

func graphNSG(sub, rg, name string) string {
	return `{"id": "/subscriptions/` + sub + `/resourceGroups/` + rg + `/providers/Microsoft.Network/networkSecurityGroups/` + name + `", "name": "` + name + `",
  "type": "microsoft.network/networksecuritygroups", "resourceGroup": "` + rg + `", "subscriptionId": "` + sub + `",
  "properties": {"securityRules": [{"name": "ssh", "properties": {"priority": 100, "direction": "Inbound", "access": "Allow", "protocol": "Tcp",
    "sourceAddressPrefix": "VirtualNetwork", "sourcePortRange": "*", "destinationAddressPrefix": "*", "destinationPortRange": "22"}}]}}`
}

// Two subscriptions each hold a VNet "hub" and an NSG "nsg-app" in resource
// groups named alike; the rows come in two pages, one row twice; the hub of
// sub-a peers with a VNet in a subscription the export does not cover.
func TestImportARG(t *testing.T) {
	a, b := "11111111-1111-1111-1111-111111111111", "22222222-2222-2222-2222-222222222222"
	peering := `{"name": "to-shared", "id": "/subscriptions/` + a + `/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/hub/virtualNetworkPeerings/to-shared", "properties": {"peeringState": "Connected", "allowVirtualNetworkAccess": true,
  "remoteVirtualNetwork": {"id": "/subscriptions/33333333-3333-3333-3333-333333333333/resourceGroups/rg-shared/providers/Microsoft.Network/virtualNetworks/shared"},
  "remoteAddressSpace": {"addressPrefixes": ["10.50.0.0/16", "fd00::/48"]}}}`
	vnetA := graphVNet(a, "rg-net", "hub", "10.0.0.0/16", graphSubnet(a, "rg-net", "hub", "app", "10.0.1.0/24", "nsg-app"), peering)
	vnetB := graphVNet(b, "rg-net", "hub", "10.1.0.0/16", graphSubnet(b, "rg-net", "hub", "app", "10.1.1.0/24", "nsg-app"), "")
	files := map[string][]byte{
		"page1.json": graphPage("tok", vnetA, graphNSG(a, "rg-net", "nsg-app")),
		"page2.json": graphPage("", vnetB, graphNSG(b, "rg-net", "nsg-app"), vnetA),
	}
	top, err := ImportARG(files, Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := "location westeurope\nvnet hub [10.0.0.0/16] peerings=[shared]\n  subnet app 10.0.1.0/24 nsg=nsg-app\n" +
		"vnet hub-rg-net [10.1.0.0/16]\n  subnet app 10.1.1.0/24 nsg=nsg-app-rg-net\n" +
		"vnet shared [10.50.0.0/16] peerings=[hub]\n" +
		"nsg nsg-app\n  rule ssh 100 Inbound Allow Tcp VirtualNetwork:* -> *:22\n" +
		"nsg nsg-app-rg-net\n  rule ssh 100 Inbound Allow Tcp VirtualNetwork:* -> *:22\n"
	if got := topotest.Dump(top); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if w := warnings(top); !strings.Contains(w, `page1.json: data[0].properties.virtualNetworkPeerings[0]: peering "to-shared" of virtual network "hub": remote virtual network "/subscriptions/33333333-3333-3333-3333-333333333333/resourceGroups/rg-shared/providers/Microsoft.Net..." is not in the export; it is added as the external placeholder "shared", with the address space the peering records (10.50.0.0/16)`) {
		t.Errorf("warnings:\n%s", w)
	}
	// The same pages read as az output (every command reads them so)
	// import alike.
	top2, err := ImportAz(files)
	if err != nil {
		t.Fatal(err)
	}
	if got := topotest.Dump(top2); got != want {
		t.Errorf("ImportAz: got\n%s\nwant\n%s", got, want)
	}
	if !IsResourceGraph(files["page1.json"]) || IsResourceGraph([]byte(`{"value": []}`)) || IsResourceGraph([]byte(`[{"data": []}]`)) {
		t.Error("IsResourceGraph")
	}
}

// The pages under testdata/arg (hand-written, two subscriptions that both
// have an "nsg-app" and a VM "vm-app", a peering to a third subscription
// outside the export, and one row on both pages) import to a topology that
// validates, with the external VNet a placeholder.
func TestImportARGTestdata(t *testing.T) {
	files := map[string][]byte{}
	for _, name := range []string{"page1.json", "page2.json"} {
		data, err := os.ReadFile("testdata/arg/" + name)
		if err != nil {
			t.Fatal(err)
		}
		files[name] = data
	}
	top, err := ImportARG(files, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var vms []string
	for _, vm := range top.VirtualMachines {
		vms = append(vms, vm.Name+" "+vm.VirtualNetwork+"/"+vm.Subnet+" "+vm.OS.String())
	}
	if got, want := strings.Join(vms, "; "), "vm-app hub/app Linux; vm-app-rg-vm spoke/app Windows"; got != want {
		t.Errorf("VMs: %s, want %s", got, want)
	}
	if got := top.VirtualNetworkByName("hub").Peerings; strings.Join(got, ",") != "shared,spoke" {
		t.Errorf("hub peerings %v, want shared (placeholder) and spoke", got)
	}
	if got := top.VirtualNetworkByName("spoke").SubnetByName("app").NetworkSecurityGroup; got != "nsg-app-rg-net" {
		t.Errorf("spoke/app NSG %q, want nsg-app-rg-net", got)
	}
	if len(top.Warnings) != 1 || !strings.Contains(top.Warnings[0].Error(), `external placeholder "shared"`) {
		t.Errorf("warnings: %v", top.Warnings)
	}
}
