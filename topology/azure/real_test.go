package azure

import (
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/nsgsim/nsgsim/internal/topotest"
	"github.com/nsgsim/nsgsim/topology"
)

func realParams(t *testing.T, dir string, extra map[string]any) map[string]any {
	t.Helper()
	params := map[string]any{}
	if data, err := os.ReadFile(filepath.Join(topotest.RealDir(), dir, "azuredeploy.parameters.json")); err == nil {
		if params, err = ReadARMParameters(data, dir+"/azuredeploy.parameters.json"); err != nil {
			t.Fatal(err)
		}
	}
	for k, v := range extra {
		params[k] = v
	}
	return params
}

// facts summarises what an import concluded, for pinning.
type facts struct {
	vnets    []string // "name prefix,prefix peerings"
	subnets  []string // "vnet/name prefix nsg"
	rules    map[string]int
	vms      []string // "name vnet/subnet addr os nsg"
	bastions []string // "name vnet sku"
}

func factsOf(t *topology.Topology) facts {
	f := facts{rules: map[string]int{}}
	for _, v := range t.VirtualNetworks {
		var ps []string
		for _, p := range v.AddressSpace {
			ps = append(ps, p.String())
		}
		f.vnets = append(f.vnets, strings.TrimSpace(v.Name+" "+strings.Join(ps, ",")+" "+strings.Join(v.Peerings, ",")))
		for _, s := range v.Subnets {
			f.subnets = append(f.subnets, strings.TrimSpace(v.Name+"/"+s.Name+" "+s.AddressPrefix.String()+" "+s.NetworkSecurityGroup))
		}
	}
	for _, g := range t.NetworkSecurityGroups {
		f.rules[g.Name] = len(g.SecurityRules)
	}
	for _, vm := range t.VirtualMachines {
		f.vms = append(f.vms, strings.TrimSpace(vm.Name+" "+vm.VirtualNetwork+"/"+vm.Subnet+" "+vm.PrivateIPAddress.String()+" "+vm.OS.String()+" "+vm.NetworkSecurityGroup))
	}
	for _, b := range t.BastionHosts {
		f.bastions = append(f.bastions, b.Name+" "+b.VirtualNetwork+" "+b.SKU.String())
	}
	return f
}

func (f facts) check(t *testing.T, want facts) {
	t.Helper()
	for _, c := range []struct {
		what      string
		got, want []string
	}{
		{"VNets", f.vnets, want.vnets}, {"subnets", f.subnets, want.subnets},
		{"VMs", f.vms, want.vms}, {"Bastion hosts", f.bastions, want.bastions},
	} {
		if !slices.Equal(c.got, c.want) {
			t.Errorf("%s = %q, want %q", c.what, c.got, c.want)
		}
	}
	if len(f.rules) != len(want.rules) {
		t.Errorf("NSG rule counts = %v, want %v", f.rules, want.rules)
	}
	for k, n := range want.rules {
		if f.rules[k] != n {
			t.Errorf("NSG rule counts = %v, want %v", f.rules, want.rules)
			break
		}
	}
}

// TestRealARM imports every real ARM template that holds a network, and pins
// what the import concludes, or the clear error it gives.
func TestRealARM(t *testing.T) {
	tests := []struct {
		name    string
		dir     string
		extra   map[string]any
		want    facts
		wantErr string
	}{
		{name: "azure-bastion-nsg", dir: "arm-azure-bastion-nsg", want: facts{
			vnets:    []string{"vnet01 10.1.0.0/16"},
			subnets:  []string{"vnet01/AzureBastionSubnet 10.1.1.0/27 GEN-UNIQUE-8-nsg"},
			rules:    map[string]int{"GEN-UNIQUE-8-nsg": 10},
			bastions: []string{"GEN-UNIQUE-8 vnet01 Basic"},
		}},
		{name: "azure-bastion-nsg without parameters", dir: "arm-azure-bastion-nsg", extra: map[string]any{"bastion-host-name": nil},
			wantErr: `arm-azure-bastion-nsg/azuredeploy.json: parameters.bastion-host-name: required parameter "bastion-host-name" has no value and no defaultValue`},
		{name: "azure-bastion-nsg existing vnet", dir: "arm-azure-bastion-nsg", extra: map[string]any{"vnet-new-or-existing": "existing"},
			wantErr: `arm-azure-bastion-nsg/azuredeploy.json: resources[3]: subnet "AzureBastionSubnet" belongs to virtual network "vnet01", which is not among the inputs`},
		{name: "bastion-hub-spoke-vnet", dir: "arm-bastion-hub-spoke-vnet", want: facts{
			vnets:    []string{"vnet-hub 10.0.0.0/16 vnet-spoke", "vnet-spoke 10.1.0.0/16 vnet-hub"},
			subnets:  []string{"vnet-hub/AzureBastionSubnet 10.0.0.0/26", "vnet-spoke/Subnet-1 10.1.0.0/24"},
			rules:    map[string]int{},
			vms:      []string{"vm1 vnet-spoke/Subnet-1 10.1.0.4 Linux"},
			bastions: []string{"bastion1 vnet-hub Basic"},
		}},
		{name: "bastion-hub-spoke-vnet-2021", dir: "arm-bastion-hub-spoke-vnet-2021", want: facts{
			vnets:    []string{"vnet-hub 10.0.0.0/16 vnet-spoke", "vnet-spoke 10.1.0.0/16 vnet-hub"},
			subnets:  []string{"vnet-hub/AzureBastionSubnet 10.0.0.0/27", "vnet-spoke/Subnet-1 10.1.0.0/24"},
			rules:    map[string]int{"nsg-subnet-1": 1},
			vms:      []string{"vm1 vnet-spoke/Subnet-1 10.1.0.4 Linux nsg-subnet-1"},
			bastions: []string{"bastion1 vnet-hub Basic"},
		}},
		{name: "load-balancer-standard-bastion-2020", dir: "arm-load-balancer-standard-bastion-2020", want: facts{
			vnets:   []string{"GEN-UNIQUE-8-vnet 10.0.0.0/16"},
			subnets: []string{"GEN-UNIQUE-8-vnet/AzureBastionSubnet 10.0.1.0/24", "GEN-UNIQUE-8-vnet/BackendSubnet 10.0.0.0/24"},
			rules:   map[string]int{"GEN-UNIQUE-8-nsg": 1},
			vms: []string{
				"GEN-UNIQUE-8-vm1 GEN-UNIQUE-8-vnet/BackendSubnet 10.0.0.4 Windows GEN-UNIQUE-8-nsg",
				"GEN-UNIQUE-8-vm2 GEN-UNIQUE-8-vnet/BackendSubnet 10.0.0.5 Windows GEN-UNIQUE-8-nsg",
				"GEN-UNIQUE-8-vm3 GEN-UNIQUE-8-vnet/BackendSubnet 10.0.0.6 Windows GEN-UNIQUE-8-nsg",
			},
			bastions: []string{"GEN-UNIQUE-8-bastion GEN-UNIQUE-8-vnet Basic"},
		}},
		{name: "mspnp-azure-hub-spoke without password", dir: "arm-mspnp-azure-hub-spoke",
			wantErr: `arm-mspnp-azure-hub-spoke/azuredeploy.json: parameters.adminPassword: required parameter "adminPassword" has no value and no defaultValue; give it a value (in a parameters file, or as adminPassword=VALUE)`},
		{name: "mspnp-azure-hub-spoke", dir: "arm-mspnp-azure-hub-spoke", extra: map[string]any{"adminPassword": "unused"}, want: facts{
			vnets: []string{
				"vnet-eastus-hub 10.0.0.0/22 vnet-eastus-spoke-one,vnet-eastus-spoke-two",
				"vnet-eastus-spoke-one 10.100.0.0/22 vnet-eastus-hub",
				"vnet-eastus-spoke-two 10.200.0.0/22 vnet-eastus-hub",
			},
			subnets: []string{
				"vnet-eastus-hub/AzureBastionSubnet 10.0.1.0/26 nsg-eastus-bastion",
				"vnet-eastus-hub/AzureFirewallSubnet 10.0.3.0/26",
				"vnet-eastus-hub/GatewaySubnet 10.0.2.0/27",
				"vnet-eastus-spoke-one/snet-privatelinkendpoints 10.100.1.0/26 nsg-spoke-privatelinkendpoints",
				"vnet-eastus-spoke-one/snet-resources 10.100.0.0/24 nsg-spoke-resources",
				"vnet-eastus-spoke-two/snet-privatelinkendpoints 10.200.1.0/26 nsg-spoke-privatelinkendpoints",
				"vnet-eastus-spoke-two/snet-resources 10.200.0.0/24 nsg-spoke-resources",
			},
			rules:    map[string]int{"nsg-eastus-bastion": 11, "nsg-spoke-privatelinkendpoints": 3, "nsg-spoke-resources": 3},
			bastions: []string{"ab-eastus-2depmptg7slqe vnet-eastus-hub Basic"},
		}},
		{name: "mspnp-azure-hub-spoke with VMs", dir: "arm-mspnp-azure-hub-spoke",
			extra: map[string]any{"adminPassword": "unused", "deployVirtualMachines": "true", "location": "westeurope"}, want: facts{
				vnets: []string{
					"vnet-westeurope-hub 10.0.0.0/22 vnet-westeurope-spoke-one,vnet-westeurope-spoke-two",
					"vnet-westeurope-spoke-one 10.100.0.0/22 vnet-westeurope-hub",
					"vnet-westeurope-spoke-two 10.200.0.0/22 vnet-westeurope-hub",
				},
				subnets: []string{
					"vnet-westeurope-hub/AzureBastionSubnet 10.0.1.0/26 nsg-westeurope-bastion",
					"vnet-westeurope-hub/AzureFirewallSubnet 10.0.3.0/26",
					"vnet-westeurope-hub/GatewaySubnet 10.0.2.0/27",
					"vnet-westeurope-spoke-one/snet-privatelinkendpoints 10.100.1.0/26 nsg-spoke-privatelinkendpoints",
					"vnet-westeurope-spoke-one/snet-resources 10.100.0.0/24 nsg-spoke-resources",
					"vnet-westeurope-spoke-two/snet-privatelinkendpoints 10.200.1.0/26 nsg-spoke-privatelinkendpoints",
					"vnet-westeurope-spoke-two/snet-resources 10.200.0.0/24 nsg-spoke-resources",
				},
				rules: map[string]int{"nsg-westeurope-bastion": 11, "nsg-spoke-privatelinkendpoints": 3, "nsg-spoke-resources": 3},
				vms: []string{
					"vm-westeurope-spoke-one-linux vnet-westeurope-spoke-one/snet-resources 10.100.0.4 Linux",
					"vm-westeurope-spoke-two-windows vnet-westeurope-spoke-two/snet-resources 10.200.0.4 Windows",
				},
				bastions: []string{"ab-westeurope-2depmptg7slqe vnet-westeurope-hub Basic"},
			}},
		{name: "vm-simple-linux without credentials", dir: "arm-vm-simple-linux",
			wantErr: "arm-vm-simple-linux/azuredeploy.json: parameters.adminPasswordOrKey: required parameter \"adminPasswordOrKey\" has no value and no defaultValue; give it a value (in a parameters file, or as adminPasswordOrKey=VALUE)\n" +
				"arm-vm-simple-linux/azuredeploy.json: parameters.adminUsername: required parameter \"adminUsername\""},
		{name: "vm-simple-linux", dir: "arm-vm-simple-linux", extra: map[string]any{"adminUsername": "azureuser", "adminPasswordOrKey": "unused"}, want: facts{
			vnets:   []string{"vNet 10.1.0.0/16"},
			subnets: []string{"vNet/Subnet 10.1.0.0/24"},
			rules:   map[string]int{"SecGroupNet": 1},
			vms:     []string{"simpleLinuxVM vNet/Subnet 10.1.0.4 Linux SecGroupNet"},
		}},
		{name: "vm-simple-windows-2020", dir: "arm-vm-simple-windows-2020", want: facts{
			vnets:   []string{"MyVNET 10.0.0.0/16"},
			subnets: []string{"MyVNET/Subnet 10.0.0.0/24 default-NSG"},
			rules:   map[string]int{"default-NSG": 1},
			vms:     []string{"simple-vm MyVNET/Subnet 10.0.0.4 Windows"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tpl := topotest.ReadReal(t, filepath.Join(tt.dir, "azuredeploy.json"))
			params := realParams(t, tt.dir, tt.extra)
			for k, v := range params {
				if v == nil {
					delete(params, k)
				}
			}
			top, err := ImportARM(tpl, params, tt.dir+"/azuredeploy.json")
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(topology.ErrorText(err), tt.wantErr) {
					t.Fatalf("ImportARM error = %v, want %s", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ImportARM error: %v", err)
			}
			factsOf(top).check(t, tt.want)
		})
	}
}

// TestRealARMRules pins the rules of the real templates' Bastion NSGs.
func TestRealARMRules(t *testing.T) {
	tpl := topotest.ReadReal(t, "arm-azure-bastion-nsg/azuredeploy.json")
	top, err := ImportARM(tpl, map[string]any{"bastion-host-name": "bh"}, "azuredeploy.json")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range top.NetworkSecurityGroupByName("bh-nsg").SecurityRules {
		got = append(got, strings.Join([]string{r.Direction.String(), strconv.Itoa(r.Priority), r.Access.String(), r.Protocol.String(),
			r.Source.String(), r.Destination.String(), topology.PortRangesString(r.DestinationPorts)}, " "))
	}
	want := []string{
		"Inbound 100 Allow Tcp Internet * 443",
		"Inbound 110 Allow Tcp GatewayManager * 443",
		"Inbound 120 Allow Tcp AzureLoadBalancer * 443",
		"Inbound 130 Allow * VirtualNetwork VirtualNetwork 8080,5701",
		"Inbound 1000 Deny * * * *",
		"Outbound 100 Allow Tcp * VirtualNetwork 22,3389",
		"Outbound 110 Allow Tcp * AzureCloud 443",
		"Outbound 120 Allow * VirtualNetwork VirtualNetwork 8080,5701",
		"Outbound 130 Allow * * Internet 80,443",
		"Outbound 1000 Deny * * * *",
	}
	if !slices.Equal(got, want) {
		t.Errorf("bh-nsg rules =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	tpl = topotest.ReadReal(t, "arm-mspnp-azure-hub-spoke/azuredeploy.json")
	top, err = ImportARM(tpl, map[string]any{"adminPassword": "unused"}, "azuredeploy.json")
	if err != nil {
		t.Fatal(err)
	}
	// The spoke rules' source is reference() to the hub's AzureBastionSubnet.
	for _, name := range []string{"AllowBastionRdpFromHub", "AllowBastionSshFromHub"} {
		if r := topotest.FindRule(top, "nsg-spoke-resources", name); r == nil || r.Source.String() != "10.0.1.0/26" {
			t.Errorf("nsg-spoke-resources/%s = %+v, want source 10.0.1.0/26", name, r)
		}
	}
}

// TestRealAz imports the real Azure CLI and REST JSON.
func TestRealAz(t *testing.T) {
	tests := []struct {
		file    string
		want    string // dump of the topology
		wantErr string
	}{
		{file: "rest-api-nsg-get-example/NetworkSecurityGroupGet.json", want: "nsg testnsg\n  rule rule1 130 Inbound Allow * *:* -> *:80\n"},
		{file: "az-cli-nic-list-effective-nsg/scenario0-hub-vnet-vm.json", // an empty list: nothing to import
			wantErr: "az-cli-nic-list-effective-nsg/scenario0-hub-vnet-vm.json: the file has no resources; nsgsim reads Microsoft.Network/virtualNetworks"},
		{file: "az-cli-nic-list-effective-nsg/scenario1-hub-vnet-vm.json",
			wantErr: "az-cli-nic-list-effective-nsg/scenario1-hub-vnet-vm.json: value: this is the output of `az network nic list-effective-nsg`"},
		{file: "az-cli-nic-list-effective-nsg/scenario4-spoke-vnet-vm.json",
			wantErr: "az-cli-nic-list-effective-nsg/scenario4-spoke-vnet-vm.json: value: this is the output of `az network nic list-effective-nsg`"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			data := topotest.ReadReal(t, tt.file)
			top, err := ImportAz(map[string][]byte{tt.file: data})
			if tt.wantErr != "" {
				if err == nil || !strings.HasPrefix(topology.ErrorText(err), tt.wantErr) {
					t.Fatalf("ImportAz error = %v, want %s", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ImportAz error: %v", err)
			}
			if got := topotest.Dump(top); got != tt.want {
				t.Errorf("ImportAz = %q, want %q", got, tt.want)
			}
		})
	}
}
