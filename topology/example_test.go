package topology_test

import (
	"fmt"
	"os"

	"github.com/nsgsim/nsgsim/topology"
)

// A topology is read from YAML (or from a file with topology.Load); every
// problem comes back at once, each with its position.
func ExampleParse() {
	t, err := topology.Parse("hub.yaml", []byte(`
name: hub
virtualNetworks:
  - name: hub
    addressSpace: [10.0.0.0/16]
    subnets:
      - name: AzureBastionSubnet
        addressPrefix: 10.0.0.0/26
      - name: workload
        addressPrefix: 10.0.1.0/24
virtualMachines:
  - name: vm-1
    subnet: hub/workload
    privateIpAddress: 10.0.1.4
    os: Linux
bastionHosts:
  - name: bastion
    virtualNetwork: hub
    sku: Standard
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(t.Name, len(t.VirtualNetworks), "VNet,", len(t.VirtualMachines), "VM")

	_, err = topology.Parse("bad.yaml", []byte(`
virtualNetworks:
  - name: hub
    addressSpace: [10.0.0.0/33]
    subnets: []
networkSecurityGroups:
  - name: nsg
    securityRules:
      - {name: r, priority: 99, direction: Inbound, access: Allow, protocol: Tcp,
         sourceAddressPrefix: "*", sourcePortRange: "*", destinationAddressPrefix: "*", destinationPortRange: "22"}
`))
	topology.PrintErrors(os.Stdout, err)
	// Output:
	// hub 1 VNet, 1 VM
	// bad.yaml:4:20: virtual network "hub": addressSpace[0]: "10.0.0.0/33" is not an IPv4 address or CIDR
	// bad.yaml:9:29: rule "r": priority 99 out of range [100, 4096]
}
