package azure

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"

	"github.com/nsgsim/nsgsim/gen"
	"github.com/nsgsim/nsgsim/topology"
)

const aheadIDs = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network"

// aheadCases are az outputs whose rules take every way through
// preReader.each, addChildren and build: read as decoded or left for later
// (ASGs, no name, a bad ID), with problems (in order among those read
// later), given twice in one NSG, in an NSG listed twice, listed on their
// own before and after their NSG, embedded with an ID naming another NSG,
// in both shapes (flattened and with "properties").
var aheadCases = map[string]string{
	"plain": `[
{"type": "Microsoft.Network/virtualNetworks", "name": "vnet", "resourceGroup": "rg", "addressSpace": {"addressPrefixes": ["10.0.0.0/16"]},
 "subnets": [{"name": "snet", "addressPrefix": "10.0.1.0/24", "networkSecurityGroup": {"id": "ID/networkSecurityGroups/nsg"}}]},
{"type": "Microsoft.Network/networkSecurityGroups", "name": "nsg", "resourceGroup": "rg", "securityRules": [
  {"name": "AllowHttps", "priority": 100, "direction": "Inbound", "access": "Allow", "protocol": "Tcp", "sourceAddressPrefix": "Internet", "sourcePortRange": "*", "destinationAddressPrefixes": ["10.0.1.4", "10.0.1.5"], "destinationPortRanges": ["443", "8080-8081"]},
  {"name": "FromAsg", "priority": 110, "direction": "Inbound", "access": "Allow", "protocol": "*", "sourceApplicationSecurityGroups": [{"id": "ID/applicationSecurityGroups/asg-web"}], "sourcePortRange": "*", "destinationAddressPrefix": "*", "destinationPortRange": "22"},
  {"id": "ID/networkSecurityGroups/nsg/securityRules/withid", "name": "WithId", "properties": {"priority": 120, "direction": "Outbound", "access": "Deny", "protocol": "Udp", "sourceAddressPrefix": "*", "sourcePortRange": "*", "destinationAddressPrefix": "AzureCloud", "destinationPortRange": "53"}}
]},
{"type": "Microsoft.Network/networkSecurityGroups", "name": "nsg2", "resourceGroup": "rg", "securityRules": [
  {"name": "Deny", "priority": 4000, "direction": "Inbound", "access": "Deny", "protocol": "*", "sourceAddressPrefix": "*", "sourcePortRange": "*", "destinationAddressPrefix": "*", "destinationPortRange": "*"}
]},
{"type": "Microsoft.Network/applicationSecurityGroups", "name": "asg-web", "resourceGroup": "rg"}
]`,
	"problems in the list": `[
{"type": "Microsoft.Network/networkSecurityGroups", "name": "nsg", "securityRules": [
  {"name": "BadPriority", "priority": "high", "direction": "Sideways", "access": "Allow", "protocol": "Tcp", "sourceAddressPrefix": "10.0.0.0/33", "sourcePortRange": "*", "destinationAddressPrefix": "*", "destinationPortRange": "70000"},
  {"priority": 200, "direction": "Inbound", "access": "Allow", "protocol": "Tcp"},
  {"id": "not-an-id", "priority": 210},
  "not an object"
]},
{"type": "Microsoft.Network/networkSecurityGroups", "name": "not-a-list", "securityRules": "AllowAll"},
{"type": "Microsoft.Network/networkInterfaces", "id": "not an ID"},
{"type": "Microsoft.Network/networkInterfaces"},
{"type": "Microsoft.Compute/virtualMachineScaleSets", "name": "vmss"}
]`,
	"problems in rules": `[
{"type": "Microsoft.Network/networkSecurityGroups", "name": "nsg", "securityRules": [
  {"name": "BadPriority", "priority": "high", "direction": "Sideways", "access": "Allow", "protocol": "Tcp", "sourceAddressPrefix": "10.0.0.0/33", "sourcePortRange": "*", "destinationAddressPrefix": "*", "destinationPortRange": "70000"},
  {"name": "AsgNoPorts", "priority": 240, "direction": "Inbound", "access": "Allow", "protocol": "Tcp", "sourceApplicationSecurityGroups": [{"id": "ID/applicationSecurityGroups/asg"}], "destinationAddressPrefix": "*"},
  {"name": "NoPorts", "priority": 250, "direction": "Inbound", "access": "Allow", "protocol": "Tcp", "sourceAddressPrefix": "*", "destinationAddressPrefix": "*"},
  {"name": "Twice", "priority": 300, "direction": "Inbound", "access": "Allow", "protocol": "Tcp", "sourceAddressPrefix": "*", "sourcePortRange": "*", "destinationAddressPrefix": "*", "destinationPortRange": "22"},
  {"name": "twice", "priority": 301, "direction": "Inbound", "access": "Deny", "protocol": "Tcp", "sourceAddressPrefix": "*", "sourcePortRange": "*", "destinationAddressPrefix": "*"},
  {"name": "AsgTwice", "priority": 310, "sourceApplicationSecurityGroups": [{"id": "ID/applicationSecurityGroups/asg"}]},
  {"name": "asgtwice", "priority": 311, "direction": "Outbound"}
]},
{"type": "Microsoft.Network/networkSecurityGroups", "name": "other", "securityRules": [
  {"name": "Bad", "priority": 5, "direction": "Up", "access": "Allow", "protocol": "Tcp", "sourceAddressPrefix": "*", "sourcePortRange": "*", "destinationAddressPrefix": "*", "destinationPortRange": "22"}
]},
{"type": "Microsoft.Network/networkSecurityGroups", "name": "nsg", "securityRules": [
  {"name": "OnlyInTheSecondCopy", "priority": 1}
]}
]`,
	"standalone": `[
{"type": "Microsoft.Network/virtualNetworks/subnets", "id": "ID/virtualNetworks/vnet/subnets/snet", "name": "snet", "addressPrefix": "10.0.1.0/24"},
{"type": "Microsoft.Network/networkSecurityGroups/securityRules", "id": "ID/networkSecurityGroups/nsg/securityRules/Before", "name": "Before", "priority": 100, "direction": "Inbound", "access": "Deny", "protocol": "*", "sourceAddressPrefix": "*", "sourcePortRange": "*", "destinationAddressPrefix": "*", "destinationPortRange": "*"},
{"type": "Microsoft.Network/virtualNetworks", "id": "ID/virtualNetworks/vnet", "name": "vnet", "addressSpace": {"addressPrefixes": ["10.0.0.0/16"]}},
{"type": "Microsoft.Network/networkSecurityGroups", "id": "ID/networkSecurityGroups/nsg", "name": "nsg", "securityRules": [
  {"name": "Before", "priority": 4000, "direction": "Inbound", "access": "Allow", "protocol": "*", "sourceAddressPrefix": "*", "sourcePortRange": "*", "destinationAddressPrefix": "*", "destinationPortRange": "*"},
  {"name": "After", "priority": 200, "direction": "Outbound", "access": "Allow", "protocol": "Tcp", "sourceAddressPrefix": "VirtualNetwork", "sourcePortRange": "*", "destinationAddressPrefix": "Internet", "destinationPortRange": "80"}
]},
{"type": "Microsoft.Network/networkSecurityGroups/securityRules", "id": "ID/networkSecurityGroups/nsg/securityRules/after", "name": "after", "priority": 4001, "direction": "Outbound", "access": "Deny", "protocol": "*", "sourceAddressPrefix": "*", "sourcePortRange": "*", "destinationAddressPrefix": "*", "destinationPortRange": "*"}
]`,
	"names in another case than IDs": `[
{"type": "Microsoft.Network/networkSecurityGroups", "id": "ID/networkSecurityGroups/nsg-web", "name": "NSG-Web", "securityRules": [
  {"id": "ID/networkSecurityGroups/nsg-web/securityRules/allow-ssh", "name": "Allow-SSH", "priority": 100, "direction": "Inbound", "access": "Allow", "protocol": "Tcp", "sourceAddressPrefix": "*", "sourcePortRange": "*", "destinationAddressPrefix": "*", "destinationPortRange": "22"}
]}
]`,
	"foreign ID": `[
{"type": "Microsoft.Network/networkSecurityGroups", "id": "ID/networkSecurityGroups/a", "name": "a", "securityRules": [
  {"name": "x", "priority": 100, "direction": "Inbound", "access": "Allow", "protocol": "*", "sourceAddressPrefix": "*", "sourcePortRange": "*", "destinationAddressPrefix": "*", "destinationPortRange": "*"}
]},
{"type": "Microsoft.Network/networkSecurityGroups", "id": "ID/networkSecurityGroups/b", "name": "b", "securityRules": [
  {"id": "ID/networkSecurityGroups/a/securityRules/x", "name": "x", "priority": 200, "direction": "Inbound", "access": "Deny", "protocol": "*", "sourceAddressPrefix": "*", "sourcePortRange": "*", "destinationAddressPrefix": "*", "destinationPortRange": "*"},
  {"name": "y", "priority": 300, "direction": "Inbound", "access": "Deny", "protocol": "*", "sourceAddressPrefix": "*", "sourcePortRange": "*", "destinationAddressPrefix": "*", "destinationPortRange": "*"}
]}
]`,
}

// TestReadAheadAgrees checks that reading resources and their rules ahead
// on every core (readAhead) gives the topology and the problems, in their
// order, that reading them one after the other on one core gives: on the
// cases above, on every az fixture together, and on generated estates
// written as az output (hundreds of resources, so that several workers
// share them).
func TestReadAheadAgrees(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	inputs := map[string]map[string][]byte{}
	for name, data := range aheadCases {
		inputs[name] = map[string][]byte{"az.json": []byte(strings.ReplaceAll(data, "ID/", aheadIDs+"/"))}
	}
	fixtures, _ := filepath.Glob("testdata/az/*.json")
	all := map[string][]byte{}
	for _, f := range fixtures {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		all[f] = data
	}
	inputs["testdata/az"] = all
	for seed := uint64(1); seed <= 3; seed++ {
		g, err := gen.Generate(gen.Options{Seed: seed, VNets: 4, Subnets: 24, VMs: 60, RulesPerNSG: 40, NSGs: int(seed) * 3})
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		if err := gen.WriteAz(&b, g); err != nil {
			t.Fatal(err)
		}
		inputs["estate "+string(rune('0'+seed))] = map[string][]byte{"estate.json": b.Bytes()}
	}
	for name, files := range inputs {
		runtime.GOMAXPROCS(1)
		inOrder, inOrderErr := ImportAz(files)
		runtime.GOMAXPROCS(4)
		ahead, aheadErr := ImportAz(files)
		if got, want := topology.ErrorText(aheadErr), topology.ErrorText(inOrderErr); got != want {
			t.Errorf("%s: read on every core: problems\n%s\nread on one:\n%s", name, got, want)
		}
		if !reflect.DeepEqual(ahead, inOrder) {
			t.Errorf("%s: read on every core: %+v\nread on one: %+v", name, ahead, inOrder)
		}
	}
}

// TestReadAheadReports pins the problems read ahead and reported by add,
// in order: those of the resources' IDs and those of the rules NSGs embed.
func TestReadAheadReports(t *testing.T) {
	_, err := ImportAz(map[string][]byte{"az.json": []byte(strings.ReplaceAll(aheadCases["problems in the list"], "ID/", aheadIDs+"/"))})
	want := `az.json: [0].securityRules[1]: security rule without a name; expected "name"
az.json: [0].securityRules[2].id: "not-an-id" is not an Azure resource ID
az.json: [0].securityRules[3]: expected an object, got a string
az.json: [1].securityRules: expected an array of security rules, got a string
az.json: [2].id: "not an ID" is not an Azure resource ID; expected "/subscriptions/SUB/resourceGroups/RG/providers/TYPE/NAME"
az.json: [3]: Microsoft.Network/networkInterfaces has neither "id" nor "name"; expected at least a name`
	if got := topology.ErrorText(err); got != want {
		t.Errorf("ImportAz = \n%s\nwant\n%s", got, want)
	}
}
