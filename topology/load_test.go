package topology

import (
	"errors"
	"io/fs"
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

// TestParseRejects pins the message and position of each problem the
// loader rejects (SPEC 1.1), one small topology per problem.
func TestParseRejects(t *testing.T) {
	for _, c := range rejectCases {
		t.Run(c.name, func(t *testing.T) {
			top, err := Parse("topo.yaml", []byte(c.src))
			if err == nil {
				t.Fatalf("Parse(%s) = %v, nil; want error\n%s", c.name, top, c.want)
			}
			if got := ErrorText(err); got != c.want {
				t.Errorf("Parse(%s) error:\n%s\nwant:\n%s", c.name, got, c.want)
			}
			var list ErrorList
			if !errors.As(err, &list) {
				t.Errorf("Parse(%s) error is %T, want ErrorList", c.name, err)
			}
		})
	}
}

// Inputs of the rejection tests: each is valid but for one problem.

// nsgHead starts an NSG; a case adds one rule per line, in flow style.
const nsgHead = `networkSecurityGroups:
  - name: nsg
    securityRules:
`

// vnetBase is a hub VNet with a workload subnet, for the VM and Bastion cases.
const vnetBase = `virtualNetworks:
  - name: hub
    addressSpace: [10.0.0.0/16]
    subnets:
      - {name: AzureBastionSubnet, addressPrefix: 10.0.0.0/26}
      - {name: workload, addressPrefix: 10.0.1.0/24}
`

var rejectCases = []struct {
	name, src, want string
}{
	// YAML and structure.
	{"syntax", "virtualNetworks: [\n  - name: hub\n",
		"topo.yaml:1:18: YAML syntax: this [ is never closed; expected ',' or ']' before line 2"},
	{"syntax-colon", "name: a\nlocation b\nflows: []\n",
		"topo.yaml:2:1: YAML syntax: \"location b\" has no colon; expected KEY: VALUE"},
	{"unknown-anchor", "name: a\nlocation: *where\n",
		"topo.yaml:2:11: YAML syntax: alias *where names no anchor &where defined before it"},
	{"second-document", "name: a\n---\nname: b\n",
		"topo.yaml:2:1: a second YAML document; a topology file holds one document"},
	{"empty", "# nothing\n",
		"topo.yaml:1:1: no topology in file; expected a mapping with keys such as virtualNetworks and networkSecurityGroups"},
	{"root-list", "- name: hub\n",
		"topo.yaml:1:1: expected a mapping with keys such as virtualNetworks and networkSecurityGroups, got a list"},
	{"root-scalar", "hello\n",
		"topo.yaml:1:1: expected a mapping with keys such as virtualNetworks and networkSecurityGroups, got \"hello\""},
	{"unknown-key-suggest", "name: a\nvirtualNetwork: []\n",
		"topo.yaml:2:1: unknown key \"virtualNetwork\"; did you mean \"virtualNetworks\"?"},
	{"unknown-key", "name: a\nzones: [1]\n",
		"topo.yaml:2:1: unknown key \"zones\""},
	{"unknown-key-case", "bastionHosts:\n  - {name: b, virtualNetwork: hub, EnableIPConnect: true}\n" + vnetBase,
		"topo.yaml:2:36: bastionHosts[0]: unknown key \"EnableIPConnect\"; did you mean \"enableIpConnect\"?"},
	{"duplicate-key", "name: a\nname: b\n",
		"topo.yaml:2:1: duplicate key \"name\" (first at 1:1)"},
	{"list-not-mapping", "virtualNetworks:\n  - [hub]\n",
		"topo.yaml:2:5: virtualNetworks[0]: expected a mapping, got a list"},
	{"mapping-not-list", "virtualNetworks:\n  name: hub\n",
		"topo.yaml:2:3: virtualNetworks: expected a list of virtual networks, got a mapping"},
	{"string-not-int", nsgHead + `      - {name: r, priority: "100", direction: Inbound, access: Allow, protocol: Tcp, sourceAddressPrefix: "*", sourcePortRange: "*", destinationAddressPrefix: "*", destinationPortRange: "443"}` + "\n",
		"topo.yaml:4:29: rule \"r\": priority: expected an integer, got \"100\""},
	{"float-not-int", nsgHead + `      - {name: r, priority: 100.5, direction: Inbound, access: Allow, protocol: Tcp, sourceAddressPrefix: "*", sourcePortRange: "*", destinationAddressPrefix: "*", destinationPortRange: "443"}` + "\n",
		"topo.yaml:4:29: rule \"r\": priority: expected an integer, got \"100.5\""},
	{"mapping-not-string", "name: {first: a}\n",
		"topo.yaml:1:7: name: expected a string, got a mapping"},
	{"scalar-not-list", "virtualNetworks:\n  - {name: hub, addressSpace: 10.0.0.0/16}\n",
		"topo.yaml:2:31: virtual network \"hub\": addressSpace: expected a list of IPv4 addresses or CIDRs, got \"10.0.0.0/16\""},
	{"not-bool", vnetBase + "bastionHosts:\n  - {name: b, virtualNetwork: hub, enableTunneling: yes}\n",
		"topo.yaml:8:53: bastion host \"b\": enableTunneling: expected true or false, got \"yes\""},
	{"missing-keys", nsgHead + "      - {name: r, sourceAddressPrefix: \"*\", destinationAddressPrefix: \"*\", sourcePortRange: \"*\", destinationPortRange: \"443\"}\n",
		"topo.yaml:4:9: rule \"r\": missing required keys \"priority\", \"direction\", \"access\" and \"protocol\""},
	{"missing-name", "applicationSecurityGroups:\n  - {}\n",
		"topo.yaml:2:5: applicationSecurityGroups[0]: missing required key \"name\""},
	{"no-source", nsgHead + `      - {name: r, priority: 100, direction: Inbound, access: Allow, protocol: Tcp, sourcePortRange: "*", destinationAddressPrefix: "*", destinationPortRange: "443"}` + "\n",
		"topo.yaml:4:9: rule \"r\": no source (expected sourceAddressPrefix, sourceAddressPrefixes or sourceApplicationSecurityGroups)"},
	{"no-ports", nsgHead + `      - {name: r, priority: 100, direction: Inbound, access: Allow, protocol: Tcp, sourceAddressPrefix: "*", destinationAddressPrefix: "*"}` + "\n",
		"topo.yaml:4:9: rule \"r\": no destination port range (expected destinationPortRange or destinationPortRanges)\n" +
			"topo.yaml:4:9: rule \"r\": no source port range (expected sourcePortRange or sourcePortRanges)"},
	{"arm-duplicate-field", nsgHead + `      - {name: r, priority: 100, properties: {priority: 110, direction: Inbound, access: Allow, protocol: Tcp, sourceAddressPrefix: "*", sourcePortRange: "*", destinationAddressPrefix: "*", destinationPortRange: "443"}}` + "\n",
		"topo.yaml:4:57: rule \"r\": key \"priority\" is set both inside and outside properties (first at 4:29)"},
	{"arm-unknown-inner-key", nsgHead + `      - {name: r, properties: {priority: 100, direction: Inbound, access: Allow, protocol: Tcp, sourceAddressPrefix: "*", sourcePortRange: "*", destinationAddressPrefix: "*", destinationPortRange: "443", sourcePortRangez: []}}` + "\n",
		"topo.yaml:4:205: rule \"r\": properties: unknown key \"sourcePortRangez\"; did you mean \"sourcePortRange\"?"},

	{"asg-bare-string", "applicationSecurityGroups: [asg-web]\n",
		"topo.yaml:1:29: applicationSecurityGroups[0]: expected a mapping, got \"asg-web\""},
	{"null-document", "---\n",
		"topo.yaml:1:1: no topology in file; expected a mapping with keys such as virtualNetworks and networkSecurityGroups"},
	{"key-not-string", "name: a\n[x]: 1\n",
		"topo.yaml:2:1: expected a string key, got a list"},
	{"merge-not-mapping", "virtualNetworks:\n  - {<<: [1], name: hub, addressSpace: [10.0.0.0/16]}\n",
		"topo.yaml:2:10: virtualNetworks[0]: merge key <<: expected a mapping or a list of mappings, got a list holding \"1\""},
	{"peering-twice", "virtualNetworks:\n  - {name: hub, addressSpace: [10.0.0.0/16], peerings: [spoke, spoke]}\n  - {name: spoke, addressSpace: [10.1.0.0/16]}\n",
		"topo.yaml:2:64: virtual network \"hub\": peerings[1]: peering with \"spoke\" is listed twice"},
	{"asg-id-name-mismatch", "applicationSecurityGroups: [{name: a}, {name: b}]\n" + nsgHead + `      - {name: r, priority: 100, direction: Inbound, access: Allow, protocol: Tcp, sourceApplicationSecurityGroups: [{id: /x/applicationSecurityGroups/a, name: b}], sourcePortRange: "*", destinationAddressPrefix: "*", destinationPortRange: "443"}` + "\n",
		"topo.yaml:5:123: rule \"r\": sourceApplicationSecurityGroups[0]: id: \"/x/applicationSecurityGroups/a\" names application security group \"a\", but name is \"b\""},

	// Addresses.
	{"bad-cidr", "virtualNetworks:\n  - {name: hub, addressSpace: [10.0.0.0/33]}\n",
		"topo.yaml:2:32: virtual network \"hub\": addressSpace[0]: \"10.0.0.0/33\" is not an IPv4 address or CIDR"},
	{"bad-ip", vnetBase + "virtualMachines:\n  - {name: vm, subnet: hub/workload, privateIpAddress: 10.0.1.256, os: Linux}\n",
		"topo.yaml:8:56: virtual machine \"vm\": privateIpAddress: \"10.0.1.256\" is not an IPv4 address"},
	{"ipv6-prefix", "virtualNetworks:\n  - {name: hub, addressSpace: [\"fd00::/48\"]}\n",
		"topo.yaml:2:32: virtual network \"hub\": addressSpace[0]: \"fd00::/48\" is IPv6; nsgsim models IPv4 only; Azure Bastion is IPv4 only"},
	// IPv6 loads in rule address fields only (ipv6_test.go).
	{"ipv6-client", "clients:\n  - {name: c, addressPrefix: \"2001:db8::/32\"}\n",
		"topo.yaml:2:30: client \"c\": addressPrefix: \"2001:db8::/32\" is not an IPv4 address, a CIDR or a service tag"},
	{"ipv6-rule-host-bits", nsgHead + `      - {name: r, priority: 100, direction: Inbound, access: Allow, protocol: Tcp, sourceAddressPrefix: "2001:db8::1/32", sourcePortRange: "*", destinationAddressPrefix: "*", destinationPortRange: "443"}` + "\n",
		"topo.yaml:4:105: rule \"r\": sourceAddressPrefix: 2001:db8::1/32 has host bits set; did you mean 2001:db8::/32?"},
	{"host-bits", "virtualNetworks:\n  - name: hub\n    addressSpace: [10.0.0.0/16]\n    subnets:\n      - {name: workload, addressPrefix: 10.0.1.5/24}\n",
		"topo.yaml:5:41: subnet \"hub/workload\": addressPrefix: 10.0.1.5/24 has host bits set; did you mean 10.0.1.0/24?"},
	{"host-bits-rule", nsgHead + `      - {name: r, priority: 100, direction: Inbound, access: Allow, protocol: Tcp, sourceAddressPrefixes: [10.0.0.0/8, 192.168.1.1/16], sourcePortRange: "*", destinationAddressPrefix: "*", destinationPortRange: "443"}` + "\n",
		"topo.yaml:4:120: rule \"r\": sourceAddressPrefixes[1]: 192.168.1.1/16 has host bits set; did you mean 192.168.0.0/16?"},
	{"bad-address", nsgHead + `      - {name: r, priority: 100, direction: Inbound, access: Allow, protocol: Tcp, sourceAddressPrefix: "10.0.0.0-10.0.0.9", sourcePortRange: "*", destinationAddressPrefix: "*", destinationPortRange: "443"}` + "\n",
		"topo.yaml:4:105: rule \"r\": sourceAddressPrefix: \"10.0.0.0-10.0.0.9\" is not \"*\", a service tag, an IPv4 address or a CIDR"},

	// Ports and enumerations.
	{"port-range", nsgHead + `      - {name: r, priority: 100, direction: Inbound, access: Allow, protocol: Tcp, sourceAddressPrefix: "*", sourcePortRange: "*", destinationAddressPrefix: "*", destinationPortRange: "70000"}` + "\n",
		"topo.yaml:4:185: rule \"r\": destinationPortRange: port 70000 out of range [0, 65535]"},
	{"port-reversed", nsgHead + `      - {name: r, priority: 100, direction: Inbound, access: Allow, protocol: Tcp, sourceAddressPrefix: "*", sourcePortRange: "*", destinationAddressPrefix: "*", destinationPortRanges: ["22", "90-80"]}` + "\n",
		"topo.yaml:4:193: rule \"r\": destinationPortRanges[1]: port range \"90-80\" is reversed; did you mean \"80-90\"?"},
	{"port-not-number", nsgHead + `      - {name: r, priority: 100, direction: Inbound, access: Allow, protocol: Tcp, sourceAddressPrefix: "*", sourcePortRange: "*", destinationAddressPrefix: "*", destinationPortRange: "https"}` + "\n",
		"topo.yaml:4:185: rule \"r\": destinationPortRange: port \"https\" is not a number, a range \"LOW-HIGH\" or \"*\""},
	{"port-comma-list", nsgHead + `      - {name: r, priority: 100, direction: Inbound, access: Allow, protocol: Tcp, sourceAddressPrefix: "*", sourcePortRange: "*", destinationAddressPrefix: "*", destinationPortRange: "80,443"}` + "\n",
		"topo.yaml:4:185: rule \"r\": destinationPortRange: port \"80,443\" is not a number, a range \"LOW-HIGH\" or \"*\"; for several ports use destinationPortRanges: [...]"},
	{"unknown-protocol", nsgHead + `      - {name: r, priority: 100, direction: Inbound, access: Allow, protocol: Http, sourceAddressPrefix: "*", sourcePortRange: "*", destinationAddressPrefix: "*", destinationPortRange: "443"}` + "\n",
		"topo.yaml:4:79: rule \"r\": unknown protocol \"Http\"; expected Tcp, Udp, Icmp, Esp, Ah or * (any)"},
	{"unknown-access", nsgHead + `      - {name: r, priority: 100, direction: Inbound, access: Permit, protocol: Tcp, sourceAddressPrefix: "*", sourcePortRange: "*", destinationAddressPrefix: "*", destinationPortRange: "443"}` + "\n",
		"topo.yaml:4:62: rule \"r\": unknown access \"Permit\"; expected Allow or Deny"},
	{"unknown-direction", nsgHead + `      - {name: r, priority: 100, direction: In, access: Allow, protocol: Tcp, sourceAddressPrefix: "*", sourcePortRange: "*", destinationAddressPrefix: "*", destinationPortRange: "443"}` + "\n",
		"topo.yaml:4:45: rule \"r\": unknown direction \"In\"; expected Inbound or Outbound"},
	{"unknown-os", vnetBase + "virtualMachines:\n  - {name: vm, subnet: hub/workload, privateIpAddress: 10.0.1.4, os: BSD}\n",
		"topo.yaml:8:70: virtual machine \"vm\": unknown os \"BSD\"; expected Linux or Windows"},
	{"unknown-sku", vnetBase + "bastionHosts:\n  - {name: b, virtualNetwork: hub, sku: Free}\n",
		"topo.yaml:8:41: bastion host \"b\": unknown sku \"Free\"; expected Developer, Basic, Standard or Premium"},
	{"unknown-verdict", vnetBase + "bastionHosts:\n  - {name: b, virtualNetwork: hub}\nexpectations:\n  - {flow: b/gatewaymanager-https, verdict: Blocked}\n",
		"topo.yaml:10:45: expectation for \"b/gatewaymanager-https\": unknown verdict \"Blocked\"; expected Allow, Deny, Partial or NoTraffic"},
	{"unknown-requirement", "flows:\n  - {name: f, source: Internet, destination: 10.0.1.4, protocol: Tcp, destinationPort: 22, requirement: must}\n",
		"topo.yaml:2:105: flow \"f\": unknown requirement \"must\"; expected required, recommended or optional"},
	{"custom-port-range", vnetBase + "bastionHosts:\n  - {name: b, virtualNetwork: hub, customPorts: [2222, 0, 70000]}\n",
		"topo.yaml:8:56: bastion host \"b\": customPorts[1]: port 0 out of range [1, 65535]\n" +
			"topo.yaml:8:59: bastion host \"b\": customPorts[2]: port 70000 out of range [1, 65535]"},
	{"flow-port-range", "flows:\n  - {name: f, source: Internet, destination: 10.0.1.4, protocol: Tcp, destinationPort: 65536}\n",
		"topo.yaml:2:88: flow \"f\": destinationPort 65536 out of range [0, 65535]"},
	{"flow-port-missing", "flows:\n  - {name: f, source: Internet, destination: 10.0.1.4, protocol: Udp}\n",
		"topo.yaml:2:5: flow \"f\": missing required key \"destinationPort\" (needed for protocol Udp)"},

	// Priorities and names.
	{"priority-low", nsgHead + `      - {name: allow-https, priority: 50, direction: Inbound, access: Allow, protocol: Tcp, sourceAddressPrefix: "*", sourcePortRange: "*", destinationAddressPrefix: "*", destinationPortRange: "443"}` + "\n",
		"topo.yaml:4:39: rule \"allow-https\": priority 50 out of range [100, 4096]"},
	{"priority-high", nsgHead + `      - {name: r, priority: 4097, direction: Outbound, access: Allow, protocol: Tcp, sourceAddressPrefix: "*", sourcePortRange: "*", destinationAddressPrefix: "*", destinationPortRange: "443"}` + "\n",
		"topo.yaml:4:29: rule \"r\": priority 4097 out of range [100, 4096]"},
	{"priority-past-int32", nsgHead + `      - {name: r, priority: 3000000000, direction: Outbound, access: Allow, protocol: Tcp, sourceAddressPrefix: "*", sourcePortRange: "*", destinationAddressPrefix: "*", destinationPortRange: "443"}` + "\n",
		"topo.yaml:4:29: rule \"r\": priority 3000000000 out of range [100, 4096]"},
	{"scale-units-not-a-count", vnetBase + "bastionHosts:\n  - {name: b, virtualNetwork: hub, sku: Standard, scaleUnits: -2}\n",
		"topo.yaml:8:63: bastion host \"b\": scaleUnits -2 is not a number of instances (Azure allows 2 to 50)"},
	{"priority-duplicate", nsgHead +
		`      - {name: a, priority: 100, direction: Inbound, access: Allow, protocol: Tcp, sourceAddressPrefix: "*", sourcePortRange: "*", destinationAddressPrefix: "*", destinationPortRange: "443"}` + "\n" +
		`      - {name: b, priority: 100, direction: Outbound, access: Allow, protocol: Tcp, sourceAddressPrefix: "*", sourcePortRange: "*", destinationAddressPrefix: "*", destinationPortRange: "443"}` + "\n" +
		`      - {name: c, priority: 100, direction: inbound, access: Deny, protocol: Tcp, sourceAddressPrefix: "*", sourcePortRange: "*", destinationAddressPrefix: "*", destinationPortRange: "22"}` + "\n",
		"topo.yaml:6:29: rule \"c\": priority 100 is already used by inbound rule \"a\" (first at 4:29); priorities must be unique per direction"},
	{"duplicate-rule", nsgHead +
		`      - {name: a, priority: 100, direction: Inbound, access: Allow, protocol: Tcp, sourceAddressPrefix: "*", sourcePortRange: "*", destinationAddressPrefix: "*", destinationPortRange: "443"}` + "\n" +
		`      - {name: a, priority: 110, direction: Inbound, access: Allow, protocol: Tcp, sourceAddressPrefix: "*", sourcePortRange: "*", destinationAddressPrefix: "*", destinationPortRange: "443"}` + "\n",
		"topo.yaml:5:16: network security group \"nsg\": duplicate rule name \"a\" (first at 4:16)"},
	{"duplicate-vnet", "virtualNetworks:\n  - {name: hub, addressSpace: [10.0.0.0/16]}\n  - {name: Hub, addressSpace: [10.1.0.0/16]}\n",
		"topo.yaml:3:12: duplicate virtual network name \"Hub\": it differs only in case from \"hub\" (first at 2:12), and Azure names are case-insensitive"},
	{"duplicate-subnet", "virtualNetworks:\n  - name: hub\n    addressSpace: [10.0.0.0/16]\n    subnets:\n      - {name: a, addressPrefix: 10.0.1.0/24}\n      - {name: a, addressPrefix: 10.0.2.0/24}\n",
		"topo.yaml:6:16: virtual network \"hub\": duplicate subnet name \"a\" (first at 5:16)"},
	{"duplicate-nsg", "networkSecurityGroups:\n  - name: nsg\n  - name: nsg\n",
		"topo.yaml:3:11: duplicate network security group name \"nsg\" (first at 2:11)"},
	{"duplicate-asg", "applicationSecurityGroups:\n  - name: asg\n  - name: asg\n",
		"topo.yaml:3:11: duplicate application security group name \"asg\" (first at 2:11)"},
	{"duplicate-vm", vnetBase + "virtualMachines:\n  - {name: vm, subnet: hub/workload, privateIpAddress: 10.0.1.4, os: Linux}\n  - {name: vm, subnet: hub/workload, privateIpAddress: 10.0.1.5, os: Linux}\n",
		"topo.yaml:9:12: duplicate virtual machine name \"vm\" (first at 8:12)"},
	{"duplicate-bastion", vnetBase + "bastionHosts:\n  - {name: b, virtualNetwork: hub}\n  - {name: b, virtualNetwork: hub}\n",
		"topo.yaml:9:12: duplicate bastion host name \"b\" (first at 8:12)"},
	{"duplicate-client", "clients:\n  - {name: office, addressPrefix: 203.0.113.0/24}\n  - {name: office, addressPrefix: 198.51.100.0/24}\n",
		"topo.yaml:3:12: duplicate client name \"office\" (first at 2:12)"},
	{"duplicate-flow", "flows:\n  - {name: f, source: Internet, destination: 10.0.1.4, protocol: Tcp, destinationPort: 22}\n  - {name: f, source: Internet, destination: 10.0.1.4, protocol: Tcp, destinationPort: 80}\n",
		"topo.yaml:3:12: duplicate flow name \"f\" (first at 2:12)"},

	// Singular and plural; tags.
	{"singular-and-plural", nsgHead + `      - {name: r, priority: 100, direction: Inbound, access: Allow, protocol: Tcp, sourceAddressPrefix: 10.0.0.0/8, sourceAddressPrefixes: [192.168.0.0/16], sourcePortRange: "*", destinationAddressPrefix: "*", destinationPortRange: "443"}` + "\n",
		"topo.yaml:4:140: rule \"r\": both sourceAddressPrefix and sourceAddressPrefixes are set; expected one of them"},
	{"singular-and-plural-ports", nsgHead + `      - {name: r, priority: 100, direction: Inbound, access: Allow, protocol: Tcp, sourceAddressPrefix: "*", sourcePortRange: "*", destinationAddressPrefix: "*", destinationPortRange: "443", destinationPortRanges: ["80"]}` + "\n",
		"topo.yaml:4:215: rule \"r\": both destinationPortRange and destinationPortRanges are set; expected one of them"},
	{"prefix-and-asg", "applicationSecurityGroups: [{name: web}]\n" + nsgHead + `      - {name: r, priority: 100, direction: Inbound, access: Allow, protocol: Tcp, sourceAddressPrefix: "*", sourcePortRange: "*", destinationAddressPrefix: "*", destinationApplicationSecurityGroups: [web], destinationPortRange: "443"}` + "\n",
		"topo.yaml:5:201: rule \"r\": both destinationAddressPrefix and destinationApplicationSecurityGroups are set; expected one of them"},
	{"tag-in-plural", nsgHead + `      - {name: r, priority: 100, direction: Inbound, access: Allow, protocol: Tcp, sourceAddressPrefixes: [10.0.0.0/8, Internet], sourcePortRange: "*", destinationAddressPrefix: "*", destinationPortRange: "443"}` + "\n",
		"topo.yaml:4:120: rule \"r\": sourceAddressPrefixes[1]: service tag \"Internet\" in a list; Azure allows a service tag only in sourceAddressPrefix"},
	{"star-in-plural", nsgHead + `      - {name: r, priority: 100, direction: Inbound, access: Allow, protocol: Tcp, sourceAddressPrefixes: ["*"], sourcePortRange: "*", destinationAddressPrefix: "*", destinationPortRange: "443"}` + "\n",
		"topo.yaml:4:108: rule \"r\": sourceAddressPrefixes[0]: \"*\" in a list; use sourceAddressPrefix: \"*\""},
	{"unknown-tag-suggest", nsgHead + `      - {name: r, priority: 100, direction: Inbound, access: Allow, protocol: Tcp, sourceAddressPrefix: GatewayManger, sourcePortRange: "*", destinationAddressPrefix: "*", destinationPortRange: "443"}` + "\n",
		"topo.yaml:4:105: rule \"r\": sourceAddressPrefix: unknown service tag \"GatewayManger\"; did you mean \"GatewayManager\"?"},
	{"unknown-tag", nsgHead + `      - {name: r, priority: 100, direction: Inbound, access: Allow, protocol: Tcp, sourceAddressPrefix: ContosoOffice, sourcePortRange: "*", destinationAddressPrefix: "*", destinationPortRange: "443"}` + "\n",
		"topo.yaml:4:105: rule \"r\": sourceAddressPrefix: unknown service tag \"ContosoOffice\" (name a Service Tags file in serviceTags for tags nsgsim does not know)"},
	{"unknown-client-tag", "clients:\n  - {name: c, addressPrefix: Internt}\n",
		"topo.yaml:2:30: client \"c\": addressPrefix: unknown service tag \"Internt\"; did you mean \"Internet\"?"},

	// References.
	{"ref-subnet-nsg", "virtualNetworks:\n  - name: hub\n    addressSpace: [10.0.0.0/16]\n    subnets:\n      - {name: a, addressPrefix: 10.0.1.0/24, networkSecurityGroup: nsg-a}\nnetworkSecurityGroups:\n  - name: nsg-b\n",
		"topo.yaml:5:69: subnet \"hub/a\": unknown network security group \"nsg-a\"; did you mean \"nsg-b\"?"},
	{"ref-vm-nsg", vnetBase + "virtualMachines:\n  - {name: vm, subnet: hub/workload, privateIpAddress: 10.0.1.4, os: Linux, networkSecurityGroup: nic-nsg}\n",
		"topo.yaml:8:99: virtual machine \"vm\": unknown network security group \"nic-nsg\""},
	{"ref-vm-vnet", vnetBase + "virtualMachines:\n  - {name: vm, subnet: hbu/workload, privateIpAddress: 10.0.1.4, os: Linux}\n",
		"topo.yaml:8:24: virtual machine \"vm\": subnet \"hbu/workload\": unknown virtual network \"hbu\"; did you mean \"hub\"?"},
	{"ref-vm-subnet", vnetBase + "virtualMachines:\n  - {name: vm, subnet: hub/Workload, privateIpAddress: 10.0.1.4, os: Linux}\n",
		"topo.yaml:8:24: virtual machine \"vm\": subnet \"hub/Workload\": unknown subnet \"Workload\"; did you mean \"workload\"?"},
	{"vm-subnet-syntax", vnetBase + "virtualMachines:\n  - {name: vm, subnet: workload, privateIpAddress: 10.0.1.4, os: Linux}\n",
		"topo.yaml:8:24: virtual machine \"vm\": subnet: \"workload\" is not VNET/SUBNET (for example \"hub/workload\")"},
	{"ref-vm-asg", vnetBase + "applicationSecurityGroups: [{name: asg-web}]\nvirtualMachines:\n  - {name: vm, subnet: hub/workload, privateIpAddress: 10.0.1.4, os: Linux, applicationSecurityGroups: [asg-web, asg-wbe]}\n",
		"topo.yaml:9:114: virtual machine \"vm\": applicationSecurityGroups[1]: unknown application security group \"asg-wbe\"; did you mean \"asg-web\"?"},
	{"ref-rule-asg", nsgHead + `      - {name: r, priority: 100, direction: Inbound, access: Allow, protocol: Tcp, sourceApplicationSecurityGroups: [asg-web], sourcePortRange: "*", destinationAddressPrefix: "*", destinationPortRange: "443"}` + "\n",
		"topo.yaml:4:118: rule \"r\": sourceApplicationSecurityGroups[0]: unknown application security group \"asg-web\""},
	{"ref-rule-asg-id", nsgHead + `      - {name: r, priority: 100, direction: Inbound, access: Allow, protocol: Tcp, sourceApplicationSecurityGroups: [{id: /subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/networkSecurityGroups/x}], sourcePortRange: "*", destinationAddressPrefix: "*", destinationPortRange: "443"}` + "\n",
		"topo.yaml:4:123: rule \"r\": sourceApplicationSecurityGroups[0]: id: \"/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/networkSecurityGroups/x\" is not an application security group ID (.../applicationSecurityGroups/NAME)"},
	{"ref-bastion-vnet", vnetBase + "bastionHosts:\n  - {name: b, virtualNetwork: hbu}\n",
		"topo.yaml:8:31: bastion host \"b\": unknown virtual network \"hbu\"; did you mean \"hub\"?"},
	{"ref-peering", "virtualNetworks:\n  - {name: hub, addressSpace: [10.0.0.0/16], peerings: [spoke]}\n  - {name: spoke1, addressSpace: [10.1.0.0/16]}\n",
		"topo.yaml:2:57: virtual network \"hub\": peerings[0]: unknown virtual network \"spoke\"; did you mean \"spoke1\"?"},
	{"ref-peering-self", "virtualNetworks:\n  - {name: hub, addressSpace: [10.0.0.0/16], peerings: [hub]}\n",
		"topo.yaml:2:57: virtual network \"hub\": peerings[0]: a virtual network cannot be peered with itself"},
	{"ref-flow-endpoint", vnetBase + "virtualMachines:\n  - {name: vm-web, subnet: hub/workload, privateIpAddress: 10.0.1.4, os: Linux}\nflows:\n  - {name: f, source: vm-wbe, destination: 10.0.1.0/24, protocol: Tcp, destinationPort: 22}\n  - {name: g, source: Internet, destination: 10.0.1.0/16, protocol: Tcp, destinationPort: 22}\n",
		"topo.yaml:10:23: flow \"f\": source \"vm-wbe\" is not a virtual machine, client, bastion host, service tag, IPv4 address or CIDR; did you mean \"vm-web\"?\n" +
			"topo.yaml:11:46: flow \"g\": destination: 10.0.1.0/16 has host bits set; did you mean 10.0.0.0/16?"},
	{"ref-expectation-name", "flows:\n  - {name: web-to-sql, source: Internet, destination: 10.0.1.4, protocol: Tcp, destinationPort: 22}\nexpectations:\n  - {flow: web-to-sq, verdict: Allow}\n",
		"topo.yaml:4:12: expectation for \"web-to-sq\": not the name of a flow in flows, nor a flow ID BASTION/KIND or BASTION/KIND/TARGET; did you mean \"web-to-sql\"?"},
	{"ref-expectation-bastion", vnetBase + "bastionHosts:\n  - {name: bastion-hub, virtualNetwork: hub}\nexpectations:\n  - {flow: bastion-hbu/gatewaymanager-https, verdict: Allow}\n",
		"topo.yaml:10:12: expectation for \"bastion-hbu/gatewaymanager-https\": unknown bastion host \"bastion-hbu\"; did you mean \"bastion-hub\"?"},
	{"ref-expectation-kind", vnetBase + "bastionHosts:\n  - {name: b, virtualNetwork: hub}\nexpectations:\n  - {flow: b/gatewaymanager, verdict: Allow}\n  - {flow: b/telnet, verdict: Allow}\n  - {flow: b/port-0/vm, verdict: Allow}\n",
		"topo.yaml:10:12: expectation for \"b/gatewaymanager\": unknown flow kind \"gatewaymanager\"; expected one of azurecloud-https, client-https, dataplane-5701, dataplane-8080, developer-rdp, developer-ssh, gatewaymanager-https, internet-http, loadbalancer-https, rdp, ssh, port-N\n" +
			"topo.yaml:11:12: expectation for \"b/telnet\": unknown flow kind \"telnet\"; expected one of azurecloud-https, client-https, dataplane-5701, dataplane-8080, developer-rdp, developer-ssh, gatewaymanager-https, internet-http, loadbalancer-https, rdp, ssh, port-N\n" +
			"topo.yaml:12:12: expectation for \"b/port-0/vm\": flow kind \"port-0\" is not port-N with N a port in [1, 65535]"},
	{"ref-expectation-target", vnetBase + "bastionHosts:\n  - {name: b, virtualNetwork: hub}\nclients:\n  - {name: office, addressPrefix: 203.0.113.0/24}\nexpectations:\n  - {flow: b/ssh, verdict: Allow}\n  - {flow: b/ssh/vm9, verdict: Allow}\n  - {flow: b/dataplane-8080/b, verdict: Allow}\n  - {flow: b/client-https/ofice, verdict: Allow}\n  - {flow: b/client-https/Internet, verdict: Allow}\n",
		"topo.yaml:12:12: expectation for \"b/ssh\": flow kind \"ssh\" needs a virtual machine: \"b/ssh/VM\"\n" +
			"topo.yaml:13:12: expectation for \"b/ssh/vm9\": unknown virtual machine \"vm9\"\n" +
			"topo.yaml:14:12: expectation for \"b/dataplane-8080/b\": flow kind \"dataplane-8080\" takes no target; expected \"b/dataplane-8080\"\n" +
			"topo.yaml:15:12: expectation for \"b/client-https/ofice\": unknown client \"ofice\"; did you mean \"office\"?"},

	// Address plans.
	{"subnet-outside", "virtualNetworks:\n  - name: hub\n    addressSpace: [10.0.0.0/16]\n    subnets:\n      - {name: a, addressPrefix: 10.1.0.0/24}\n",
		"topo.yaml:5:34: subnet \"hub/a\": addressPrefix 10.1.0.0/24 is outside the address space of virtual network \"hub\" (10.0.0.0/16)"},
	{"subnet-overlap", "virtualNetworks:\n  - name: hub\n    addressSpace: [10.0.0.0/16]\n    subnets:\n      - {name: a, addressPrefix: 10.0.1.0/24}\n      - {name: b, addressPrefix: 10.0.1.128/25}\n",
		"topo.yaml:6:34: subnet \"hub/b\": addressPrefix 10.0.1.128/25 overlaps subnet \"a\" (10.0.1.0/24)"},
	{"peering-overlap", "virtualNetworks:\n  - {name: hub, addressSpace: [10.0.0.0/16], peerings: [spoke]}\n  - {name: spoke, addressSpace: [10.0.128.0/17], peerings: [hub]}\n",
		"topo.yaml:2:57: virtual network \"hub\": peered with \"spoke\", but their address spaces overlap (10.0.0.0/16 and 10.0.128.0/17); Azure cannot peer virtual networks whose address spaces overlap"},
	{"vm-outside-subnet", vnetBase + "virtualMachines:\n  - {name: vm, subnet: hub/workload, privateIpAddress: 10.0.2.4, os: Linux}\n",
		"topo.yaml:8:56: virtual machine \"vm\": privateIpAddress 10.0.2.4 is outside subnet \"hub/workload\" (10.0.1.0/24)"},
	{"vm-reserved", vnetBase + "virtualMachines:\n  - {name: vm0, subnet: hub/workload, privateIpAddress: 10.0.1.0, os: Linux}\n  - {name: vm1, subnet: hub/workload, privateIpAddress: 10.0.1.1, os: Linux}\n  - {name: vm3, subnet: hub/workload, privateIpAddress: 10.0.1.3, os: Linux}\n  - {name: vm255, subnet: hub/workload, privateIpAddress: 10.0.1.255, os: Linux}\n",
		"topo.yaml:8:57: virtual machine \"vm0\": privateIpAddress 10.0.1.0 is one of the five addresses Azure reserves in subnet \"hub/workload\" (10.0.1.0/24: the first four and the last)\n" +
			"topo.yaml:9:57: virtual machine \"vm1\": privateIpAddress 10.0.1.1 is one of the five addresses Azure reserves in subnet \"hub/workload\" (10.0.1.0/24: the first four and the last)\n" +
			"topo.yaml:10:57: virtual machine \"vm3\": privateIpAddress 10.0.1.3 is one of the five addresses Azure reserves in subnet \"hub/workload\" (10.0.1.0/24: the first four and the last)\n" +
			"topo.yaml:11:59: virtual machine \"vm255\": privateIpAddress 10.0.1.255 is one of the five addresses Azure reserves in subnet \"hub/workload\" (10.0.1.0/24: the first four and the last)"},
	{"vm-same-address", vnetBase + "virtualMachines:\n  - {name: vm1, subnet: hub/workload, privateIpAddress: 10.0.1.4, os: Linux}\n  - {name: vm2, subnet: hub/workload, privateIpAddress: 10.0.1.4, os: Windows}\n",
		"topo.yaml:9:57: virtual machine \"vm2\": privateIpAddress 10.0.1.4 is already used by virtual machine \"vm1\" (first at 8:57) in virtual network \"hub\""},
	{"bastion-no-subnet", "virtualNetworks:\n  - {name: hub, addressSpace: [10.0.0.0/16]}\nbastionHosts:\n  - {name: b, virtualNetwork: hub, sku: Basic}\n",
		"topo.yaml:4:31: bastion host \"b\": virtual network \"hub\" has no subnet named \"AzureBastionSubnet\" (the Basic SKU needs one)"},
	{"bastion-subnet-case", "virtualNetworks:\n  - name: hub\n    addressSpace: [10.0.0.0/16]\n    subnets: [{name: azurebastionsubnet, addressPrefix: 10.0.0.0/26}]\nbastionHosts:\n  - {name: b, virtualNetwork: hub}\n",
		"topo.yaml:6:31: bastion host \"b\": virtual network \"hub\" has no subnet named exactly \"AzureBastionSubnet\" (the Basic SKU needs one); subnet \"azurebastionsubnet\" differs in case, and Azure requires the exact name"},

	// Service tags file.
	{"service-tags-missing", "serviceTags: nope.json\n",
		"topo.yaml:1:14: serviceTags \"nope.json\": no such file or directory"},
	{"service-tags-directory", "serviceTags: .\n",
		"topo.yaml:1:14: serviceTags \".\" is a directory; expected an Azure Service Tags JSON file"},
}

// TestAllProblemsAtOnce checks that one load reports every problem, parse
// and validation alike, sorted by position.
func TestAllProblemsAtOnce(t *testing.T) {
	src := `name: all
virtualNetworks:
  - name: hub
    addressSpace: [10.0.0.0/16]
    peerings: [spoke]
    subnets:
      - {name: workload, addressPrefix: 10.0.1.5/24, networkSecurityGroup: nsg-x}
networkSecurityGroups:
  - name: nsg
    securityRules:
      - {name: r, priority: 50, direction: Inbound, access: Allow, protocol: Tcpp, sourceAddressPrefix: "*", sourcePortRange: "*", destinationAddressPrefix: "*", destinationPortRange: "443"}
virtualMachines:
  - {name: vm, subnet: hub/workload, privateIpAddress: 10.0.1.1, os: Linux}
colour: blue
`
	want := `topo.yaml:5:16: virtual network "hub": peerings[0]: unknown virtual network "spoke"
topo.yaml:7:41: subnet "hub/workload": addressPrefix: 10.0.1.5/24 has host bits set; did you mean 10.0.1.0/24?
topo.yaml:7:76: subnet "hub/workload": unknown network security group "nsg-x"; did you mean "nsg"?
topo.yaml:11:29: rule "r": priority 50 out of range [100, 4096]
topo.yaml:11:78: rule "r": unknown protocol "Tcpp"; expected Tcp, Udp, Icmp, Esp, Ah or * (any)
topo.yaml:13:56: virtual machine "vm": privateIpAddress 10.0.1.1 is one of the five addresses Azure reserves in subnet "hub/workload" (10.0.1.0/24: the first four and the last)
topo.yaml:14:1: unknown key "colour"`
	_, err := Parse("topo.yaml", []byte(src))
	if err == nil {
		t.Fatal("Parse = nil error; want several problems")
	}
	if got := ErrorText(err); got != want {
		t.Errorf("Parse error:\n%s\nwant:\n%s", got, want)
	}
}

func TestLoadValid(t *testing.T) {
	top, err := Load("testdata/valid.yaml")
	if err != nil {
		t.Fatalf("Load(testdata/valid.yaml) = %v", err)
	}
	if errs := Validate(top); errs != nil {
		t.Errorf("Validate(Load(valid.yaml)) = %v, want nil", errs)
	}
	if top.File != "testdata/valid.yaml" || top.Name != "contoso-hub" || top.Location != "westeurope" {
		t.Errorf("Load: File, Name, Location = %q, %q, %q", top.File, top.Name, top.Location)
	}
	if top.ServiceTags == nil || top.ServiceTagsFile != "servicetags.json" {
		t.Fatalf("Load: ServiceTags = %v, ServiceTagsFile = %q; want the file read", top.ServiceTags, top.ServiceTagsFile)
	}

	bastionNSG := top.NetworkSecurityGroupByName("nsg-bastion")
	rules := map[string]*SecurityRule{}
	for _, r := range bastionNSG.SecurityRules {
		rules[r.Name] = r
	}
	// Case-insensitive enumerations and canonical service tags.
	gm := rules["AllowGatewayManagerInbound"]
	if gm.Direction != Inbound || gm.Access != Allow || gm.Protocol != Tcp || gm.Source.Tag != "GatewayManager" {
		t.Errorf("AllowGatewayManagerInbound = %+v; want Inbound Allow Tcp from GatewayManager", gm)
	}
	if got := gm.DestinationPorts; !reflect.DeepEqual(got, []PortRange{{443, 443}}) {
		t.Errorf("AllowGatewayManagerInbound ports = %v; an unquoted 443 is a port", got)
	}
	// az output: bookkeeping keys, empty plural lists, null ASG lists.
	dp := rules["AllowBastionHostCommunication"]
	if dp.Protocol != Any || dp.Source.Tag != "VirtualNetwork" || !reflect.DeepEqual(dp.DestinationPorts, []PortRange{{8080, 8080}, {5701, 5701}}) {
		t.Errorf("AllowBastionHostCommunication = %+v", dp)
	}
	// ARM's wrapped form.
	ac := rules["AllowAzureCloudOutbound"]
	if ac.Priority != 110 || ac.Direction != Outbound || ac.Destination.Tag != "AzureCloud" {
		t.Errorf("AllowAzureCloudOutbound = %+v; want priority 110 Outbound to AzureCloud", ac)
	}
	if got := ac.At("priority"); got.Line != 98 || got.Col != 21 {
		t.Errorf("AllowAzureCloudOutbound.At(priority) = %v; want the position inside properties, 98:21", got)
	}

	wl := top.NetworkSecurityGroupByName("nsg-workload").SecurityRules
	if got, want := wl[0].Source.Prefixes, []netip.Prefix{netip.MustParsePrefix("10.0.0.0/26"), netip.MustParsePrefix("10.0.0.64/32")}; !reflect.DeepEqual(got, want) {
		t.Errorf("AllowBastionToWeb source = %v, want %v", got, want)
	}
	if got := wl[0].At("sourceAddressPrefixes[1]"); got.Line != 131 || got.Col != 46 {
		t.Errorf("At(sourceAddressPrefixes[1]) = %v, want 131:46", got)
	}
	if got := wl[1].Source.ApplicationSecurityGroups; !reflect.DeepEqual(got, []string{"asg-web"}) {
		t.Errorf("ASG from an ARM id = %v, want [asg-web]", got)
	}
	if got := wl[2].Destination.Tag; got != "AzureCloud.westeurope" {
		t.Errorf("regional tag = %q, want the file's spelling AzureCloud.westeurope", got)
	}
	if got := wl[3].Source.Prefixes; len(got) != 1 || got[0] != netip.MustParsePrefix("0.0.0.0/0") {
		t.Errorf("0.0.0.0/0 = %v, want kept as a prefix", got)
	}

	vm := top.VirtualMachineByName("vm-app-1")
	if vm.VirtualNetwork != "spoke1" || vm.Subnet != "app" || vm.OS != Windows {
		t.Errorf("vm-app-1 = %+v", vm)
	}
	b := top.BastionHostByName("bastion-hub")
	if b.SKU != Premium || b.ScaleUnits != 4 || !b.EnableIPConnect || !b.DisableCopyPaste || !reflect.DeepEqual(b.CustomPorts, []uint16{2222}) {
		t.Errorf("bastion-hub = %+v", b)
	}
	if got := top.ClientByName("anywhere").Tag; got != "Internet" {
		t.Errorf("client tag = %q, want Internet", got)
	}
	f := top.FlowByName("ping-sql")
	if f.Destination != "Sql.WestEurope" || f.Requirement != Recommended || f.DestinationPort != 0 {
		t.Errorf("ping-sql = %+v; want destination canonical, requirement recommended", f)
	}
	if got := top.FlowByName("web-to-sql").Requirement; got != Optional {
		t.Errorf("default requirement = %v, want optional", got)
	}
}

// TestValidExercisesEveryKey keeps testdata/valid.yaml complete: every key
// the loader knows appears in it.
func TestValidExercisesEveryKey(t *testing.T) {
	data, err := os.ReadFile("testdata/valid.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		if n.Kind == yaml.MappingNode {
			for i := 0; i < len(n.Content); i += 2 {
				seen[n.Content[i].Value] = true
			}
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	walk(&doc)
	lists := [][]string{topologyKeys, virtualNetworkKeys, subnetKeys, nsgKeys, ruleKeys, asgKeys,
		virtualMachineKeys, bastionHostKeys, clientKeys, flowKeys, expectationKeys, bookkeepingKeys, {"properties"}}
	for _, keys := range lists {
		for _, k := range keys {
			if !seen[k] {
				t.Errorf("testdata/valid.yaml lacks key %q", k)
			}
		}
	}
}

// stripOrigins clears what Marshal does not keep: positions and File.
func stripOrigins(t *Topology) {
	t.Origin, t.File = Origin{}, ""
	for _, v := range t.VirtualNetworks {
		v.Origin = Origin{}
		for _, s := range v.Subnets {
			s.Origin = Origin{}
		}
	}
	for _, g := range t.NetworkSecurityGroups {
		g.Origin = Origin{}
		for _, r := range g.SecurityRules {
			r.Origin = Origin{}
		}
	}
	for _, a := range t.ApplicationSecurityGroups {
		a.Origin = Origin{}
	}
	for _, vm := range t.VirtualMachines {
		vm.Origin = Origin{}
	}
	for _, b := range t.BastionHosts {
		b.Origin = Origin{}
	}
	for _, c := range t.Clients {
		c.Origin = Origin{}
	}
	for _, f := range t.Flows {
		f.Origin = Origin{}
	}
	for _, e := range t.Expectations {
		e.Origin = Origin{}
	}
}

func TestMarshalRoundTrip(t *testing.T) {
	orig, err := Load("testdata/valid.yaml")
	if err != nil {
		t.Fatal(err)
	}
	// Default rules are never written.
	g := orig.NetworkSecurityGroupByName("nsg-vm-web-1")
	g.SecurityRules = append(g.SecurityRules, DefaultRules()...)
	out, err := Marshal(orig)
	if err != nil {
		t.Fatalf("Marshal = %v", err)
	}
	g.SecurityRules = nil
	if strings.Contains(string(out), "DenyAllInBound") {
		t.Errorf("Marshal wrote a default rule:\n%s", out)
	}
	// Same directory, so that serviceTags resolves the same way.
	back, err := Parse("testdata/marshalled.yaml", out)
	if err != nil {
		t.Fatalf("Parse(Marshal(valid.yaml)) = %v\n%s", err, out)
	}
	again, err := Marshal(back)
	if err != nil {
		t.Fatal(err)
	}
	if string(again) != string(out) {
		t.Errorf("Marshal is not stable:\n%s\nthen:\n%s", out, again)
	}
	stripOrigins(orig)
	stripOrigins(back)
	if !reflect.DeepEqual(orig, back) {
		t.Errorf("Parse(Marshal(t)) differs from t.\nMarshal(t):\n%s", out)
	}
}

func TestMarshalOmitsDefaults(t *testing.T) {
	top := &Topology{
		VirtualNetworks: []*VirtualNetwork{{Name: "hub", AddressSpace: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/16")},
			Subnets: []*Subnet{{Name: BastionSubnetName, AddressPrefix: netip.MustParsePrefix("10.0.0.0/26")}}}},
		BastionHosts: []*BastionHost{{Name: "b", VirtualNetwork: "hub", SKU: DefaultSKU, ScaleUnits: DefaultScaleUnits}},
		NetworkSecurityGroups: []*NetworkSecurityGroup{{Name: "nsg", SecurityRules: []*SecurityRule{{
			Name: "r", Priority: 100, Direction: Inbound, Access: Allow, Protocol: Tcp,
			Source: Addresses{Prefixes: []netip.Prefix{netip.MustParsePrefix("10.0.0.4/32")}}, SourcePorts: []PortRange{AllPorts},
			Destination: Addresses{Any: true}, DestinationPorts: []PortRange{{22, 22}, {3389, 3389}},
		}}}},
	}
	out, err := Marshal(top)
	if err != nil {
		t.Fatal(err)
	}
	want := `virtualNetworks:
  - name: hub
    addressSpace: [10.0.0.0/16]
    subnets:
      - name: AzureBastionSubnet
        addressPrefix: 10.0.0.0/26

networkSecurityGroups:
  - name: nsg
    securityRules:
      - name: r
        priority: 100
        direction: Inbound
        access: Allow
        protocol: Tcp
        sourceAddressPrefix: 10.0.0.4
        sourcePortRange: "*"
        destinationAddressPrefix: "*"
        destinationPortRanges: ["22", "3389"]

bastionHosts:
  - name: b
    virtualNetwork: hub
`
	if string(out) != want {
		t.Errorf("Marshal =\n%s\nwant\n%s", out, want)
	}
}

func TestMarshalRejectsUnrepresentable(t *testing.T) {
	top := &Topology{NetworkSecurityGroups: []*NetworkSecurityGroup{{Name: "nsg", SecurityRules: []*SecurityRule{{
		Name: "r", Priority: 100, SourcePorts: []PortRange{AllPorts}, DestinationPorts: []PortRange{AllPorts},
		Destination: Addresses{Any: true},
	}}}}}
	if _, err := Marshal(top); err == nil || !strings.Contains(ErrorText(err), `rule "r": source must be exactly one of`) {
		t.Errorf("Marshal(rule without source) = %v; want an error", err)
	}
}

// TestARMWrappedAndAzShapes loads one rule in three shapes: flat, wrapped
// the ARM way, and as az prints it in JSON (YAML reads JSON).
func TestARMWrappedAndAzShapes(t *testing.T) {
	shapes := map[string]string{
		"flat": nsgHead + `      - name: AllowSsh
        priority: 200
        direction: Inbound
        access: Allow
        protocol: Tcp
        sourceAddressPrefix: 10.0.0.0/26
        sourcePortRange: "*"
        destinationAddressPrefix: "*"
        destinationPortRange: "22"
`,
		"arm": nsgHead + `      - name: AllowSsh
        id: /subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/networkSecurityGroups/nsg/securityRules/AllowSsh
        etag: W/"1"
        type: Microsoft.Network/networkSecurityGroups/securityRules
        properties:
          provisioningState: Succeeded
          priority: 200
          direction: Inbound
          access: Allow
          protocol: Tcp
          sourceAddressPrefix: 10.0.0.0/26
          sourcePortRange: "*"
          destinationAddressPrefix: "*"
          destinationPortRange: "22"
`,
		"az-json": `{"networkSecurityGroups": [{"name": "nsg", "securityRules": [
  {
    "access": "Allow",
    "destinationAddressPrefix": "*",
    "destinationAddressPrefixes": [],
    "destinationPortRange": "22",
    "destinationPortRanges": [],
    "direction": "Inbound",
    "etag": "W/\"1\"",
    "id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/networkSecurityGroups/nsg/securityRules/AllowSsh",
    "name": "AllowSsh",
    "priority": 200,
    "protocol": "Tcp",
    "provisioningState": "Succeeded",
    "resourceGroup": "rg",
    "sourceAddressPrefix": "10.0.0.0/26",
    "sourceAddressPrefixes": [],
    "sourceApplicationSecurityGroups": null,
    "destinationApplicationSecurityGroups": null,
    "sourcePortRange": "*",
    "sourcePortRanges": [],
    "type": "Microsoft.Network/networkSecurityGroups/securityRules"
  }
]}]}
`,
	}
	want := &SecurityRule{
		Name: "AllowSsh", Priority: 200, Direction: Inbound, Access: Allow, Protocol: Tcp,
		Source: Addresses{Prefixes: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/26")}}, SourcePorts: []PortRange{AllPorts},
		Destination: Addresses{Any: true}, DestinationPorts: []PortRange{{22, 22}},
	}
	for name, src := range shapes {
		t.Run(name, func(t *testing.T) {
			top, err := Parse("topo.yaml", []byte(src))
			if err != nil {
				t.Fatalf("Parse = %v", err)
			}
			got := top.NetworkSecurityGroups[0].SecurityRules[0]
			got.Origin = Origin{}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("Parse rule = %+v, want %+v", got, want)
			}
		})
	}
}

func TestEnumsCaseInsensitive(t *testing.T) {
	for _, c := range []struct {
		protocol, access, direction string
		want                        [3]string
	}{
		{"tcp", "allow", "inbound", [3]string{"Tcp", "Allow", "Inbound"}},
		{"TCP", "ALLOW", "INBOUND", [3]string{"Tcp", "Allow", "Inbound"}},
		{"uDp", "deny", "outBound", [3]string{"Udp", "Deny", "Outbound"}},
		{"any", "Deny", "Outbound", [3]string{"*", "Deny", "Outbound"}},
		{"ICMP", "Allow", "Inbound", [3]string{"Icmp", "Allow", "Inbound"}},
		{"esp", "Allow", "Inbound", [3]string{"Esp", "Allow", "Inbound"}},
		{"AH", "Allow", "Inbound", [3]string{"Ah", "Allow", "Inbound"}},
	} {
		t.Run(c.protocol, func(t *testing.T) {
			src := nsgHead + "      - {name: r, priority: 100, direction: " + c.direction + ", access: " + c.access +
				", protocol: " + c.protocol + `, sourceAddressPrefix: internet, sourcePortRange: "*", destinationAddressPrefix: virtualnetwork, destinationPortRange: "*"}` + "\n"
			top, err := Parse("topo.yaml", []byte(src))
			if err != nil {
				t.Fatalf("Parse = %v", err)
			}
			r := top.NetworkSecurityGroups[0].SecurityRules[0]
			got := [3]string{r.Protocol.String(), r.Access.String(), r.Direction.String()}
			if got != c.want {
				t.Errorf("Parse(%s, %s, %s) = %v, want %v", c.protocol, c.access, c.direction, got, c.want)
			}
			if r.Source.Tag != "Internet" || r.Destination.Tag != "VirtualNetwork" {
				t.Errorf("tags = %q, %q; want canonical Internet, VirtualNetwork", r.Source.Tag, r.Destination.Tag)
			}
		})
	}
}

func TestMergeKeys(t *testing.T) {
	src := `x-rule: &base {direction: Inbound, access: Allow, protocol: Tcp, sourceAddressPrefix: "*", sourcePortRange: "*", destinationAddressPrefix: "*"}
networkSecurityGroups:
  - name: nsg
    securityRules:
      - {<<: *base, name: ssh, priority: 100, destinationPortRange: "22"}
      - {<<: *base, name: rdp, priority: 110, destinationPortRange: "3389", access: Deny}
`
	_, err := Parse("topo.yaml", []byte(src))
	// The anchor's home key is unknown: only that is reported.
	want := `topo.yaml:1:1: unknown key "x-rule"`
	if err == nil || ErrorText(err) != want {
		t.Fatalf("Parse = %v, want %s", err, want)
	}
	src = strings.Replace(src, "x-rule: &base", "name: demo\nlocation: &base", 1)
	_, err = Parse("topo.yaml", []byte(src))
	if err == nil || !strings.Contains(ErrorText(err), "location: expected a string, got a mapping") {
		t.Fatalf("Parse = %v; want the mapping under location rejected", err)
	}
	// A real file keeps its anchors in a list the loader reads.
	src = `networkSecurityGroups:
  - name: nsg
    securityRules:
      - &base {name: ssh, priority: 100, direction: Inbound, access: Allow, protocol: Tcp, sourceAddressPrefix: "*", sourcePortRange: "*", destinationAddressPrefix: "*", destinationPortRange: "22"}
      - {<<: *base, name: rdp, priority: 110, destinationPortRange: "3389", access: Deny}
`
	top, err := Parse("topo.yaml", []byte(src))
	if err != nil {
		t.Fatalf("Parse = %v", err)
	}
	rdp := top.NetworkSecurityGroups[0].SecurityRules[1]
	if rdp.Name != "rdp" || rdp.Priority != 110 || rdp.Access != Deny || rdp.Protocol != Tcp || rdp.DestinationPorts[0] != (PortRange{3389, 3389}) {
		t.Errorf("merged rule = %+v", rdp)
	}
}

// TestAliasBomb is the "billion laughs": nine levels of nine aliases. The
// loader must stop at DefaultBudget.Limits().Nodes instead of expanding 9^9 nodes.
func TestAliasBomb(t *testing.T) {
	var b strings.Builder
	b.WriteString("a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n")
	for c := 'b'; c <= 'i'; c++ {
		p := string(c - 1)
		b.WriteString(string(c) + ": &" + string(c) + " [" + strings.Repeat("*"+p+", ", 8) + "*" + p + "]\n")
	}
	start := time.Now()
	_, err := Parse("topo.yaml", []byte(b.String()))
	if elapsed := time.Since(start); elapsed > 20*time.Second {
		t.Errorf("Parse(billion laughs) took %v", elapsed)
	}
	want := "topo.yaml:7:8: more than 1048576 YAML nodes once aliases are expanded; nsgsim reads topologies up to 1048576 nodes"
	if err == nil || ErrorText(err) != want {
		t.Errorf("Parse(billion laughs) = %v, want %s", err, want)
	}
}

func TestDepthLimit(t *testing.T) {
	src := "name: " + strings.Repeat("[", 150) + strings.Repeat("]", 150) + "\n"
	_, err := Parse("topo.yaml", []byte(src))
	want := "topo.yaml:1:106: nested more than 100 levels deep; nsgsim reads topologies up to 100 levels"
	if err == nil || ErrorText(err) != want {
		t.Errorf("Parse(150 nested lists) = %v, want %s", err, want)
	}
	// An alias to its own ancestor is a cycle; the depth limit ends it.
	_, err = Parse("topo.yaml", []byte("name: &a [*a]\n"))
	if err == nil || !strings.Contains(ErrorText(err), "nested more than 100 levels deep") {
		t.Errorf("Parse(cycle) = %v, want the depth limit", err)
	}
}

func TestSizeLimit(t *testing.T) {
	data := make([]byte, int(DefaultBudget.Limits().TopologySize)+1)
	_, err := Parse("big.yaml", data)
	want := "big.yaml:1:1: file is 134217729 bytes; nsgsim reads YAML topologies up to 128 MiB with its memory budget of 2 GiB (raise it with --memory-budget)"
	if err == nil || ErrorText(err) != want {
		t.Errorf("Parse(128 MiB + 1) = %v, want %s", err, want)
	}

	path := filepath.Join(t.TempDir(), "big.yaml")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(1 << 30); err != nil { // sparse: takes no disk
		t.Fatal(err)
	}
	f.Close()
	start := time.Now()
	_, err = Load(path)
	want = path + ":1:1: file is 1073741824 bytes; nsgsim reads YAML topologies up to 128 MiB with its memory budget of 2 GiB (raise it with --memory-budget)"
	if err == nil || ErrorText(err) != want {
		t.Errorf("Load(1 GiB) = %v, want %s", err, want)
	}
	if elapsed := time.Since(start); elapsed > time.Second {
		t.Errorf("Load(1 GiB) took %v; it should not read the file", elapsed)
	}

	// A JSON input (its first character opens an array) may be twice
	// the size, and is refused by its own limit before it is read.
	jsonPath := filepath.Join(t.TempDir(), "big.json")
	if err := os.WriteFile(jsonPath, []byte("  ["), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(jsonPath, 1<<30); err != nil {
		t.Fatal(err)
	}
	_, err = ReadFile(jsonPath)
	want = jsonPath + ":1:1: file is 1073741824 bytes; nsgsim reads JSON inputs up to 256 MiB with its memory budget of 2 GiB (raise it with --memory-budget)"
	if err == nil || ErrorText(err) != want {
		t.Errorf("ReadFile(1 GiB of JSON) = %v, want %s", err, want)
	}
}

func TestEncoding(t *testing.T) {
	for _, c := range []struct{ name, src, want string }{
		{"latin1", "name: hub\nlocation: caf\xe9\n", "topo.yaml:2:14: invalid UTF-8 (byte 0xE9); nsgsim reads UTF-8 YAML"},
		{"after-multibyte", "name: \u00e9t\u00e9 \xff\n", "topo.yaml:1:11: invalid UTF-8 (byte 0xFF); nsgsim reads UTF-8 YAML"},
		{"utf16", "\xff\xfen\x00a\x00", "topo.yaml:1:1: file is UTF-16; nsgsim reads UTF-8 YAML (save the file as UTF-8)"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse("topo.yaml", []byte(c.src))
			if err == nil || ErrorText(err) != c.want {
				t.Errorf("Parse(%q) = %v, want %s", c.src, err, c.want)
			}
		})
	}
	// A UTF-8 byte order mark is fine.
	if _, err := Parse("topo.yaml", []byte("\xef\xbb\xbfname: hub\n")); err != nil {
		t.Errorf("Parse(BOM) = %v", err)
	}
}

func TestLoadIOErrors(t *testing.T) {
	_, err := Load("testdata")
	if want := "reading topology: testdata is a directory; expected a topology file"; err == nil || ErrorText(err) != want {
		t.Errorf("Load(directory) = %v, want %s", err, want)
	}
	_, err = Load("testdata/no-such-file.yaml")
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Load(missing) = %v, want an error wrapping fs.ErrNotExist", err)
	}
}

// TestServiceTagsRelative reads serviceTags relative to the topology file,
// and reports a bad file at the serviceTags value.
func TestServiceTagsRelative(t *testing.T) {
	src := "serviceTags: servicetags.json\n" + nsgHead +
		`      - {name: r, priority: 100, direction: Inbound, access: Allow, protocol: Tcp, sourceAddressPrefix: gatewaymanager, sourcePortRange: "*", destinationAddressPrefix: sql.westeurope, destinationPortRange: "1433"}` + "\n"
	top, err := Parse("testdata/topo.yaml", []byte(src))
	if err != nil {
		t.Fatalf("Parse = %v", err)
	}
	r := top.NetworkSecurityGroups[0].SecurityRules[0]
	if r.Source.Tag != "GatewayManager" || r.Destination.Tag != "Sql.WestEurope" {
		t.Errorf("tags = %q, %q; want the file's spellings", r.Source.Tag, r.Destination.Tag)
	}
	_, err = Parse("testdata/topo.yaml", []byte("serviceTags: valid.yaml\n"))
	if err == nil || ErrorText(err) != `testdata/valid.yaml:1:1: not JSON: invalid character '#' looking for beginning of value; expected an Azure Service Tags JSON file (named by serviceTags at testdata/topo.yaml:1:14)` {
		t.Errorf("Parse(serviceTags: valid.yaml) = %v", err)
	}
}

// TestValidateImported checks Validate on a topology an importer built:
// no positions, so errors name the file only.
func TestValidateImported(t *testing.T) {
	top := &Topology{
		File: "export.json",
		VirtualNetworks: []*VirtualNetwork{{
			Name: "hub", AddressSpace: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/16")},
			Subnets: []*Subnet{{Name: "workload", AddressPrefix: netip.MustParsePrefix("10.0.1.0/24"), NetworkSecurityGroup: "nsg-missing"}},
		}},
		NetworkSecurityGroups: []*NetworkSecurityGroup{{Name: "nsg", SecurityRules: []*SecurityRule{{
			Name: "r", Priority: 100, Direction: Inbound, Access: Allow, Protocol: Tcp,
			Source:      Addresses{Prefixes: []netip.Prefix{netip.MustParsePrefix("10.0.0.5/24")}},
			SourcePorts: []PortRange{AllPorts}, Destination: Addresses{Tag: "NotATag"},
			DestinationPorts: []PortRange{{90, 80}},
		}}}},
		VirtualMachines: []*VirtualMachine{{Name: "vm", VirtualNetwork: "hub", Subnet: "workload", PrivateIPAddress: netip.MustParseAddr("fd00::4")}},
		BastionHosts:    []*BastionHost{{Name: "b", VirtualNetwork: "hub", SKU: Standard, ScaleUnits: 2}},
		Expectations:    []*Expectation{{Flow: "b/ssh/vm"}},
	}
	want := `export.json: bastion host "b": virtual network "hub" has no subnet named "AzureBastionSubnet" (the Standard SKU needs one)
export.json: rule "r": destinationAddressPrefix: unknown service tag "NotATag"
export.json: rule "r": port range "90-80" is reversed; did you mean "80-90"?
export.json: rule "r": sourceAddressPrefix: 10.0.0.5/24 has host bits set; did you mean 10.0.0.0/24?
export.json: subnet "hub/workload": unknown network security group "nsg-missing"
export.json: virtual machine "vm": privateIpAddress: fd00::4 is IPv6; nsgsim models IPv4 only; Azure Bastion is IPv4 only`
	if got := ErrorText(Validate(top)); got != want {
		t.Errorf("Validate(imported) =\n%s\nwant\n%s", got, want)
	}
	if got := Validate(nil); got != nil {
		t.Errorf("Validate(nil) = %v, want nil", got)
	}
}

var errorLine = regexp.MustCompile(`^topo\.yaml:\d+:\d+: \S`)

// FuzzParse checks that the loader never panics and that every problem it
// reports carries a FILE:LINE:COL position.
func FuzzParse(f *testing.F) {
	if data, err := os.ReadFile("testdata/valid.yaml"); err == nil {
		f.Add(data)
	}
	for _, c := range rejectCases {
		f.Add([]byte(c.src))
	}
	f.Add([]byte("a: &a [*a, *a]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		top, err := Parse("topo.yaml", data)
		if err == nil {
			if top == nil {
				t.Fatal("Parse = nil, nil")
			}
			if _, err := Marshal(top); err != nil {
				t.Fatalf("Marshal(Parse(data)) = %v", err)
			}
			return
		}
		for _, line := range strings.Split(ErrorText(err), "\n") {
			if !errorLine.MatchString(line) {
				t.Fatalf("error line %q lacks a position", line)
			}
		}
	})
}
