package azure

import (
	"net/netip"
	"strings"
	"testing"
)

func TestDisambiguate(t *testing.T) {
	mk := func(sub, rg, name string) *rec {
		id, _ := makeResourceID(sub, rg, "Microsoft.Network/networkSecurityGroups", []string{name})
		return &rec{id: id, name: name, model: name}
	}
	rs := []*rec{
		mk("s", "rg-b", "nsg"), mk("s", "rg-a", "nsg"), mk("s", "rg-c", "other"),
		mk("s", "rg-a", "nsg-rg-b"), // already holds the name rg-b's nsg would get
		mk("t", "rg-a", "nsg"),      // another subscription, same group name
		mk("s", "rg-c", "other"),    // the same resource twice: kept, for validation to report
	}
	disambiguate(rs)
	var got []string
	for _, r := range rs {
		got = append(got, r.model)
	}
	want := "nsg-rg-b-2 nsg other nsg-rg-b nsg-rg-a other"
	if strings.Join(got, " ") != want {
		t.Errorf("disambiguate = %q, want %q", strings.Join(got, " "), want)
	}
}

func TestFirstFree(t *testing.T) {
	p := netip.MustParsePrefix("10.0.0.0/29")
	used := map[netip.Addr]bool{netip.MustParseAddr("10.0.0.4"): true}
	tests := []struct {
		used map[netip.Addr]bool
		want string
	}{
		{nil, "10.0.0.4"},
		{used, "10.0.0.5"},
		{map[netip.Addr]bool{netip.MustParseAddr("10.0.0.4"): true, netip.MustParseAddr("10.0.0.5"): true, netip.MustParseAddr("10.0.0.6"): true}, "none"},
	}
	for _, tt := range tests {
		got := "none"
		if a, ok := firstFree(p, tt.used); ok {
			got = a.String()
		}
		if got != tt.want {
			t.Errorf("firstFree(%v, %v) = %s, want %s", p, tt.used, got, tt.want)
		}
	}
	if _, ok := firstFree(netip.MustParsePrefix("10.0.0.0/30"), nil); ok {
		t.Errorf("firstFree(/30) found an address; Azure reserves all of a /30")
	}
}

// TestDynamicAllocation checks that dynamic NICs take the lowest free
// addresses after the reserved ones, in input order, around static ones and
// around NICs whose VM is not among the inputs.
func TestDynamicAllocation(t *testing.T) {
	sub := "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/a"
	nic := func(name, addr string, vm bool) string {
		s := `{"type": "Microsoft.Network/networkInterfaces", "name": "` + name + `", "resourceGroup": "rg",
		  "ipConfigurations": [{"name": "ip", "privateIPAddress": "` + addr + `", "subnet": {"id": "` + sub + `"}}]}`
		return s
	}
	vm := func(name, nic string) string {
		return `{"type": "Microsoft.Compute/virtualMachines", "name": "` + name + `", "resourceGroup": "rg",
		  "storageProfile": {"osDisk": {"osType": "Linux"}},
		  "networkProfile": {"networkInterfaces": [{"id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/networkInterfaces/` + nic + `"}]}}`
	}
	data := `[{"type": "Microsoft.Network/virtualNetworks", "name": "v", "id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v",
	  "addressSpace": {"addressPrefixes": ["10.0.0.0/24"]}, "subnets": [{"name": "a", "addressPrefix": "10.0.0.0/28"}]},
	  ` + nic("n1", "", true) + `, ` + nic("lb", "10.0.0.4", false) + `, ` + nic("n2", "", true) + `, ` + nic("n3", "10.0.0.6", true) + `,
	  ` + vm("vm3", "n3") + `, ` + vm("vm2", "n2") + `, ` + vm("vm1", "n1") + `]`
	top, err := ImportAz(map[string][]byte{"x.json": []byte(data)})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, v := range top.VirtualMachines {
		got[v.Name] = v.PrivateIPAddress.String()
	}
	want := map[string]string{"vm1": "10.0.0.5", "vm2": "10.0.0.7", "vm3": "10.0.0.6"}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s = %s, want %s (all: %v)", k, got[k], w, got)
		}
	}
}
