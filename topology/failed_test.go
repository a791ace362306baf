package topology

import (
	"reflect"
	"testing"
)

// failedCases are topologies with a value the decoder reports and leaves
// empty or zero: each problem is reported once, by the decoder, and
// Validate still checks the rest, with the index and position the file
// gives.
var failedCases = []struct {
	name, src, want string
}{
	// A key set to null is missing: the decoder says so, and Validate
	// does not say it again at the null.
	{"null-name", "virtualNetworks:\n  - {name: null, addressSpace: [10.0.0.0/16]}\n",
		"topo.yaml:2:5: virtualNetworks[0]: missing required key \"name\""},
	{"null-address-space", "virtualNetworks:\n  - name: hub\n    addressSpace: null\n",
		"topo.yaml:2:5: virtual network \"hub\": missing required key \"addressSpace\""},
	{"null-private-ip", vnetBase + "virtualMachines:\n  - {name: vm, subnet: hub/workload, privateIpAddress: null}\n",
		"topo.yaml:8:5: virtual machine \"vm\": missing required key \"privateIpAddress\""},
	{"null-priority", nsgHead + "      - {name: r, priority: null, direction: Inbound, access: Allow, protocol: Tcp, sourceAddressPrefix: \"*\", sourcePortRange: \"*\", destinationAddressPrefix: \"*\", destinationPortRange: \"22\"}\n",
		"topo.yaml:4:9: rule \"r\": missing required key \"priority\""},
	{"not-a-list", "virtualNetworks:\n  - {name: hub, addressSpace: 10.0.0.0/16}\n",
		"topo.yaml:2:31: virtual network \"hub\": addressSpace: expected a list of IPv4 addresses or CIDRs, got \"10.0.0.0/16\""},

	// A value that does not parse says nothing of what depends on it.
	{"direction-unknown", nsgHead +
		"      - {name: a, priority: 100, direction: Inbound, access: Allow, protocol: Tcp, sourceAddressPrefix: \"*\", sourcePortRange: \"*\", destinationAddressPrefix: \"*\", destinationPortRange: \"22\"}\n" +
		"      - {name: b, priority: 100, direction: Outbund, access: Allow, protocol: Tcp, sourceAddressPrefix: \"*\", sourcePortRange: \"*\", destinationAddressPrefix: \"*\", destinationPortRange: \"22\"}\n",
		"topo.yaml:5:45: rule \"b\": unknown direction \"Outbund\"; expected Inbound or Outbound"},
	{"sku-unknown", "virtualNetworks:\n  - {name: hub, addressSpace: [10.0.0.0/16]}\nbastionHosts:\n  - {name: b, virtualNetwork: hub, sku: Free}\n",
		"topo.yaml:4:41: bastion host \"b\": unknown sku \"Free\"; expected Developer, Basic, Standard or Premium"},
	{"verdict-unknown-intended", "expectations:\n  - {flow: f, verdict: Blocked, intended: true}\nflows:\n  - {name: f, source: 10.0.0.1, destination: 10.0.0.2, protocol: Icmp}\n",
		"topo.yaml:2:24: expectation for \"f\": unknown verdict \"Blocked\"; expected Allow, Deny, Partial or NoTraffic"},
	{"destination-port-not-a-number", "flows:\n  - {name: f, source: 10.0.0.1, destination: 10.0.0.2, protocol: Icmp, destinationPort: ssh}\n",
		"topo.yaml:2:89: flow \"f\": destinationPort: expected an integer, got \"ssh\""},

	// An item of a list that does not parse keeps its place: Validate
	// reports the others at their own index and position.
	{"address-space-item", "virtualNetworks:\n  - {name: hub, addressSpace: [bad, 10.0.0.1/16]}\n",
		"topo.yaml:2:32: virtual network \"hub\": addressSpace[0]: \"bad\" is not an IPv4 address or CIDR\n" +
			"topo.yaml:2:37: virtual network \"hub\": addressSpace[1]: 10.0.0.1/16 has host bits set; did you mean 10.0.0.0/16?"},
	{"peerings-item", "virtualNetworks:\n  - {name: hub, addressSpace: [10.0.0.0/16], peerings: [[x], spoke]}\n",
		"topo.yaml:2:57: virtual network \"hub\": peerings[0]: expected a string, got a list\n" +
			"topo.yaml:2:62: virtual network \"hub\": peerings[1]: unknown virtual network \"spoke\""},
	{"custom-ports-item", vnetBase + "bastionHosts:\n  - {name: b, virtualNetwork: hub, customPorts: [x, 22, 22]}\n",
		"topo.yaml:8:50: bastion host \"b\": customPorts[0]: expected an integer, got \"x\"\n" +
			"topo.yaml:8:57: bastion host \"b\": customPorts[2]: port 22 is already listed as customPorts[1] (first at 8:53); list each port once"},
	{"custom-port-zero", vnetBase + "bastionHosts:\n  - {name: b, virtualNetwork: hub, customPorts: [-1, 0, 65536]}\n",
		"topo.yaml:8:50: bastion host \"b\": customPorts[0]: port -1 out of range [1, 65535]\n" +
			"topo.yaml:8:54: bastion host \"b\": customPorts[1]: port 0 out of range [1, 65535]\n" +
			"topo.yaml:8:57: bastion host \"b\": customPorts[2]: port 65536 out of range [1, 65535]"},
	{"vm-asg-item", vnetBase + "applicationSecurityGroups: [{name: asg-web}]\nvirtualMachines:\n  - {name: vm, subnet: hub/workload, privateIpAddress: 10.0.1.4, applicationSecurityGroups: [[x], asg-wbe]}\n",
		"topo.yaml:9:94: virtual machine \"vm\": applicationSecurityGroups[0]: expected a string, got a list\n" +
			"topo.yaml:9:99: virtual machine \"vm\": applicationSecurityGroups[1]: unknown application security group \"asg-wbe\"; did you mean \"asg-web\"?"},
	{"rule-asg-item", "applicationSecurityGroups: [{name: a}]\n" + nsgHead +
		"      - {name: r, priority: 100, direction: Inbound, access: Allow, protocol: Tcp, sourceApplicationSecurityGroups: [{id: bad}, nope], sourcePortRange: \"*\", destinationAddressPrefix: \"*\", destinationPortRange: \"22\"}\n",
		"topo.yaml:5:123: rule \"r\": sourceApplicationSecurityGroups[0]: id: \"bad\" is not an application security group ID (.../applicationSecurityGroups/NAME)\n" +
			"topo.yaml:5:129: rule \"r\": sourceApplicationSecurityGroups[1]: unknown application security group \"nope\""},

	// An item that is not an object keeps its place too.
	{"object-item", "virtualNetworks:\n  - 5\n  - {addressSpace: [10.0.0.1/16]}\n",
		"topo.yaml:2:5: virtualNetworks[0]: expected a mapping, got \"5\"\n" +
			"topo.yaml:3:5: virtualNetworks[1]: missing required key \"name\"\n" +
			"topo.yaml:3:21: virtualNetworks[1]: addressSpace[0]: 10.0.0.1/16 has host bits set; did you mean 10.0.0.0/16?"},
	{"rule-item", nsgHead + "      - 5\n" +
		"      - {priority: 100, direction: Inbound, access: Allow, protocol: Tcp, sourceAddressPrefix: 10.0.0.1/24, sourcePortRange: \"*\", destinationAddressPrefix: \"*\", destinationPortRange: \"22\"}\n",
		"topo.yaml:4:9: network security group \"nsg\": securityRules[0]: expected a mapping, got \"5\"\n" +
			"topo.yaml:5:9: network security group \"nsg\": securityRules[1]: missing required key \"name\"\n" +
			"topo.yaml:5:96: network security group \"nsg\": securityRules[1]: sourceAddressPrefix: 10.0.0.1/24 has host bits set; did you mean 10.0.0.0/24?"},
}

// TestFailedValuesReportedOnce runs failedCases through both paths, the
// topology scanner's and yaml.v3's.
func TestFailedValuesReportedOnce(t *testing.T) {
	for _, c := range failedCases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse("topo.yaml", []byte(c.src))
			if got := ErrorText(err); got != c.want {
				t.Errorf("Parse error:\n%s\nwant:\n%s", got, c.want)
			}
			_, err = parseYAMLv3("topo.yaml", []byte(c.src), nil)
			if got := ErrorText(err); got != c.want {
				t.Errorf("parseYAMLv3 error:\n%s\nwant:\n%s", got, c.want)
			}
		})
	}
}

// TestFailedFieldsMarked checks what the decoder marks failed, and that a
// valid topology marks nothing: its Origins record no failed field, and so
// pay for none.
func TestFailedFieldsMarked(t *testing.T) {
	src := "virtualNetworks:\n  - {name: \"\", addressSpace: [10.0.0.0/16, bad], peerings: [[x]]}\n" +
		nsgHead + "      - {name: r, priority: high, direction: Inbound, access: Allow, protocol: Tcp, sourceAddressPrefix: \"10.0.0.0-9\", sourcePortRange: \"*\", destinationAddressPrefix: \"*\"}\n"
	d := &decoder{file: "topo.yaml", t: &Topology{File: "topo.yaml"}}
	root, err := decodeYAML("topo.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if !d.topology(root) {
		t.Fatalf("topology: %v", d.errs)
	}
	vn, r := d.t.VirtualNetworks[0], d.t.NetworkSecurityGroups[0].SecurityRules[0]
	for _, c := range []struct {
		o      *Origin
		failed []string
	}{
		{&vn.Origin, []string{"name", "addressSpace[1]", "addressSpace", "peerings[0]", "peerings"}},
		{&r.Origin, []string{"priority", "sourceAddressPrefix", "destinationPortRange"}},
	} {
		if c.o.more == nil || !reflect.DeepEqual(c.o.more.failed, c.failed) {
			var got []string
			if c.o.more != nil {
				got = c.o.more.failed
			}
			t.Errorf("failed fields at %v = %q, want %q", c.o.Pos, got, c.failed)
		}
		for _, f := range c.failed {
			if !c.o.Failed(f) {
				t.Errorf("Failed(%q) = false at %v", f, c.o.Pos)
			}
		}
		if c.o.Failed("subnets") {
			t.Errorf("Failed(subnets) = true at %v", c.o.Pos)
		}
	}
	if got := len(vn.AddressSpace); got != 2 {
		t.Errorf("addressSpace holds %d prefixes, want 2 (the one that failed kept as the zero Prefix)", got)
	}

	top, err := Load("testdata/valid.yaml")
	if err != nil {
		t.Fatal(err)
	}
	forEachOrigin(top, func(o *Origin) {
		if o.more != nil && o.more.failed != nil {
			t.Errorf("valid topology: %v has failed fields %q", o.Pos, o.more.failed)
		}
	})
}

// forEachOrigin calls f with the Origin of every object of t.
func forEachOrigin(t *Topology, f func(*Origin)) {
	f(&t.Origin)
	for _, v := range eachNamed(t.VirtualNetworks) {
		f(v.origin())
		originsOf(v.Subnets, f)
	}
	for _, g := range eachNamed(t.NetworkSecurityGroups) {
		f(g.origin())
		originsOf(g.SecurityRules, f)
	}
	originsOf(t.ApplicationSecurityGroups, f)
	originsOf(t.VirtualMachines, f)
	originsOf(t.BastionHosts, f)
	originsOf(t.Clients, f)
	originsOf(t.Flows, f)
	for _, x := range t.Expectations {
		f(&x.Origin)
	}
}

// originsOf calls f with the Origin of every object of xs.
func originsOf[E any, P namedObject[E]](xs []P, f func(*Origin)) {
	for _, x := range eachNamed(xs) {
		f(x.origin())
	}
}
