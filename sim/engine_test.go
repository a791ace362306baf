package sim

import (
	"strconv"
	"strings"
	"testing"

	"github.com/nsgsim/nsgsim/topology"
)

// Each case below names the Azure document its expected verdict comes from.
const (
	docOverview   = "https://learn.microsoft.com/en-us/azure/virtual-network/network-security-groups-overview"
	docHowItWorks = "https://learn.microsoft.com/en-us/azure/virtual-network/network-security-group-how-it-works"
	docASG        = "https://learn.microsoft.com/en-us/azure/virtual-network/application-security-groups"
	docTags       = "https://learn.microsoft.com/en-us/azure/virtual-network/service-tags-overview"
	docHostVIP    = "https://learn.microsoft.com/en-us/azure/virtual-network/what-is-ip-address-168-63-129-16"
	docBastionNSG = "https://learn.microsoft.com/en-us/azure/bastion/bastion-nsg"
	docDeveloper  = "https://learn.microsoft.com/en-us/azure/bastion/quickstart-developer"
	docPeering    = "https://learn.microsoft.com/en-us/azure/bastion/vnet-peering"
)

// base is a hub with AzureBastionSubnet, a workload subnet with two VMs, and
// a spoke; each case adds NSGs and rules.
const base = `
name: unit
virtualNetworks:
  - name: hub
    addressSpace: [10.0.0.0/16]
    peerings: [spoke]
    subnets:
      - {name: AzureBastionSubnet, addressPrefix: 10.0.0.0/26 %s}
      - {name: work, addressPrefix: 10.0.1.0/24 %s}
  - name: spoke
    addressSpace: [10.1.0.0/16]
    peerings: [far]
    subnets:
      - {name: app, addressPrefix: 10.1.0.0/24 %s}
  - name: far
    addressSpace: [10.2.0.0/16]
    subnets:
      - {name: app, addressPrefix: 10.2.0.0/24}
applicationSecurityGroups: [{name: asg-web}]
virtualMachines:
  - {name: vm1, subnet: hub/work, privateIpAddress: 10.0.1.4, os: Linux %s}
  - {name: vm2, subnet: hub/work, privateIpAddress: 10.0.1.5, os: Windows, applicationSecurityGroups: [asg-web]}
  - {name: vm3, subnet: spoke/app, privateIpAddress: 10.1.0.4, os: Linux}
  - {name: vm4, subnet: far/app, privateIpAddress: 10.2.0.4, os: Linux}
bastionHosts:
  - {name: bas, virtualNetwork: hub, sku: Standard}
`

func rule(name string, prio int, dir, access, proto, src, sport, dst, dport string) string {
	return "      - {name: " + name + ", priority: " + strconv.Itoa(prio) + ", direction: " + dir + ", access: " + access +
		", protocol: '" + proto + "', sourceAddressPrefix: '" + src + "', sourcePortRange: '" + sport +
		"', destinationAddressPrefix: '" + dst + "', destinationPortRange: '" + dport + "'}\n"
}

type unitCase struct {
	name    string
	doc     string
	bastion string            // ", networkSecurityGroup: X" on AzureBastionSubnet
	work    string            // on the work subnet
	spoke   string            // on the spoke subnet
	vm1     string            // on vm1 (NIC NSG)
	nsgs    string            // networkSecurityGroups YAML
	flows   string            // flows YAML
	want    map[string]string // flow ID → "Verdict" or "Verdict by NSG/RULE"
}

func TestEvaluate(t *testing.T) {
	denyIn := rule("deny-in", 4096, "Inbound", "Deny", "*", "*", "*", "*", "*")
	cases := []unitCase{
		{
			name: "priority order", doc: docOverview,
			work: ", networkSecurityGroup: w",
			nsgs: "  - name: w\n    securityRules:\n" +
				rule("deny-ssh", 200, "Inbound", "Deny", "Tcp", "*", "*", "*", "22") +
				rule("allow-ssh", 100, "Inbound", "Allow", "Tcp", "10.0.0.0/26", "*", "*", "22"),
			want: map[string]string{"bas/ssh/vm1": "Allow by w/allow-ssh"},
		},
		{
			name: "default rules allow the VNet and deny the Internet", doc: docOverview,
			bastion: ", networkSecurityGroup: b",
			nsgs:    "  - name: b\n    securityRules: []\n",
			want: map[string]string{
				"bas/client-https/Internet": "Deny by b/DenyAllInBound",
				"bas/dataplane-8080":        "Allow by b/AllowVnetInBound",
				"bas/loadbalancer-https":    "Allow by b/AllowVnetInBound", // 168.63.129.16 is in VirtualNetwork
				"bas/gatewaymanager-https":  "Deny by b/DenyAllInBound",
				"bas/azurecloud-https":      "Allow by b/AllowInternetOutBound",
				"bas/internet-http":         "Allow by b/AllowInternetOutBound",
				"bas/ssh/vm3":               "Allow by b/AllowVnetOutBound", // peered spoke
			},
		},
		{
			name: "subnet NSG is evaluated before the NIC NSG inbound", doc: docHowItWorks,
			work: ", networkSecurityGroup: w", vm1: ", networkSecurityGroup: nic",
			nsgs: "  - name: w\n    securityRules:\n" + rule("deny-ssh", 100, "Inbound", "Deny", "Tcp", "*", "*", "*", "22") +
				"  - name: nic\n    securityRules:\n" + rule("allow-ssh", 100, "Inbound", "Allow", "Tcp", "*", "*", "*", "22"),
			want: map[string]string{"bas/ssh/vm1": "Deny by w/deny-ssh"},
		},
		{
			name: "NIC NSG blocks after the subnet allows", doc: docHowItWorks,
			work: ", networkSecurityGroup: w", vm1: ", networkSecurityGroup: nic",
			nsgs: "  - name: w\n    securityRules:\n" + rule("allow-ssh", 100, "Inbound", "Allow", "Tcp", "*", "*", "*", "22") +
				"  - name: nic\n    securityRules:\n" + rule("deny-ssh", 100, "Inbound", "Deny", "Tcp", "*", "*", "*", "22"),
			want: map[string]string{"bas/ssh/vm1": "Deny by nic/deny-ssh", "bas/rdp/vm2": "Allow by w/AllowVnetInBound"},
		},
		{
			name: "NIC NSG is evaluated before the subnet NSG outbound", doc: docHowItWorks,
			work: ", networkSecurityGroup: w", vm1: ", networkSecurityGroup: nic",
			nsgs: "  - name: w\n    securityRules:\n" + rule("allow-out", 100, "Outbound", "Allow", "Tcp", "*", "*", "*", "443") +
				"  - name: nic\n    securityRules:\n" + rule("deny-out", 100, "Outbound", "Deny", "Tcp", "*", "*", "*", "443"),
			flows: "  - {name: out, source: vm1, destination: 8.8.8.8, protocol: Tcp, destinationPort: 443}\n",
			want:  map[string]string{"out": "Deny by nic/deny-out"},
		},
		{
			name: "intra-subnet traffic takes the subnet NSG twice", doc: docHowItWorks,
			work:  ", networkSecurityGroup: w",
			nsgs:  "  - name: w\n    securityRules:\n" + rule("deny-all-in", 100, "Inbound", "Deny", "*", "*", "*", "*", "*"),
			flows: "  - {name: east-west, source: vm1, destination: vm2, protocol: Tcp, destinationPort: 3389}\n",
			want:  map[string]string{"east-west": "Deny by w/deny-all-in"},
		},
		{
			name: "no NSG means everything passes", doc: docHowItWorks,
			flows: "  - {name: in, source: Internet, destination: vm1, protocol: Tcp, destinationPort: 22}\n",
			want:  map[string]string{"in": "Allow", "bas/client-https/Internet": "Allow"},
		},
		{
			name: "ASG rules apply only to members", doc: docASG,
			work: ", networkSecurityGroup: w",
			nsgs: "  - name: w\n    securityRules:\n" +
				"      - {name: allow-web, priority: 100, direction: Inbound, access: Allow, protocol: Tcp, sourceAddressPrefix: '*', sourcePortRange: '*', destinationApplicationSecurityGroups: [asg-web], destinationPortRange: '80'}\n" + denyIn,
			flows: "  - {name: web1, source: Internet, destination: vm1, protocol: Tcp, destinationPort: 80}\n" +
				"  - {name: web2, source: Internet, destination: vm2, protocol: Tcp, destinationPort: 80}\n",
			want: map[string]string{"web1": "Deny by w/deny-in", "web2": "Allow by w/allow-web"},
		},
		{
			name: "VirtualNetwork holds the VNets peered with this one", doc: docTags,
			spoke: ", networkSecurityGroup: s",
			nsgs:  "  - name: s\n    securityRules:\n" + rule("allow-vnet", 100, "Inbound", "Allow", "*", "VirtualNetwork", "*", "*", "*") + denyIn,
			flows: "  - {name: from-hub, source: vm1, destination: vm3, protocol: Tcp, destinationPort: 22}\n" +
				"  - {name: from-far, source: vm4, destination: vm3, protocol: Tcp, destinationPort: 22}\n",
			want: map[string]string{"from-hub": "Allow by s/allow-vnet", "from-far": "Allow by s/allow-vnet", "bas/ssh/vm3": "Allow by s/allow-vnet"},
		},
		{
			name: "peering is not transitive", doc: docPeering,
			work: ", networkSecurityGroup: w",
			nsgs: "  - name: w\n    securityRules:\n" + rule("allow-vnet", 100, "Outbound", "Allow", "*", "*", "*", "VirtualNetwork", "*") +
				rule("deny-out", 4096, "Outbound", "Deny", "*", "*", "*", "*", "*"),
			flows: "  - {name: to-spoke, source: vm1, destination: vm3, protocol: Tcp, destinationPort: 22}\n" +
				"  - {name: to-far, source: vm1, destination: vm4, protocol: Tcp, destinationPort: 22}\n",
			want: map[string]string{"to-spoke": "Allow by w/allow-vnet", "to-far": "Deny by w/deny-out", "bas/ssh/vm4": "absent"},
		},
		{
			name: "Internet holds GatewayManager addresses", doc: docTags,
			bastion: ", networkSecurityGroup: b",
			nsgs:    "  - name: b\n    securityRules:\n" + rule("allow-443", 100, "Inbound", "Allow", "Tcp", "Internet", "*", "*", "443") + denyIn,
			want: map[string]string{
				"bas/gatewaymanager-https":  "Allow by b/allow-443",
				"bas/client-https/Internet": "Allow by b/allow-443",
				"bas/loadbalancer-https":    "Deny by b/deny-in", // 168.63.129.16 is not Internet
				"bas/dataplane-5701":        "Deny by b/deny-in",
			},
		},
		{
			name: "AzureLoadBalancer is 168.63.129.16", doc: docHostVIP,
			bastion: ", networkSecurityGroup: b",
			nsgs:    "  - name: b\n    securityRules:\n" + rule("deny-lb", 100, "Inbound", "Deny", "*", "AzureLoadBalancer", "*", "*", "*"),
			flows:   "  - {name: vip, source: 168.63.129.16, destination: bas, protocol: Tcp, destinationPort: 443}\n",
			want:    map[string]string{"bas/loadbalancer-https": "Deny by b/deny-lb", "vip": "Deny by b/deny-lb"},
		},
		{
			name: "documented flows come from ephemeral source ports", doc: docOverview,
			bastion: ", networkSecurityGroup: b",
			nsgs: "  - name: b\n    securityRules:\n" +
				rule("allow-from-80", 100, "Inbound", "Allow", "Tcp", "*", "80", "*", "443") +
				rule("allow-low-ephemeral", 110, "Inbound", "Allow", "Tcp", "AzureLoadBalancer", "1024-30000", "*", "443") + denyIn,
			want: map[string]string{"bas/client-https/Internet": "Deny by b/deny-in", "bas/loadbalancer-https": "Partial by b/deny-in"},
		},
		{
			name: "a rule on part of the Internet makes the client flow Partial", doc: docBastionNSG,
			bastion: ", networkSecurityGroup: b",
			nsgs:    "  - name: b\n    securityRules:\n" + rule("office", 100, "Inbound", "Allow", "Tcp", "203.0.113.0/24", "*", "*", "443") + denyIn,
			want:    map[string]string{"bas/client-https/Internet": "Partial by b/deny-in", "bas/gatewaymanager-https": "Deny by b/deny-in"},
		},
		{
			name: "protocol * matches every protocol; Tcp matches only Tcp", doc: docOverview,
			work: ", networkSecurityGroup: w",
			nsgs: "  - name: w\n    securityRules:\n" + rule("allow-tcp", 100, "Inbound", "Allow", "Tcp", "*", "*", "*", "53") +
				rule("deny-any", 110, "Inbound", "Deny", "*", "*", "*", "*", "53") +
				rule("deny-any-port", 120, "Inbound", "Deny", "*", "*", "*", "*", "*"),
			flows: "  - {name: tcp, source: vm3, destination: vm1, protocol: Tcp, destinationPort: 53}\n" +
				"  - {name: udp, source: vm3, destination: vm1, protocol: Udp, destinationPort: 53}\n" +
				"  - {name: icmp, source: vm3, destination: vm1, protocol: Icmp}\n",
			// ICMP carries no port: deny-any, on port 53, does not match it
			// (SPEC 2.3); deny-any-port, on every port, does.
			want: map[string]string{"tcp": "Allow by w/allow-tcp", "udp": "Deny by w/deny-any", "icmp": "Deny by w/deny-any-port"},
		},
		{
			name: "Bastion reaches target VMs from its whole subnet", doc: docBastionNSG,
			work: ", networkSecurityGroup: w",
			nsgs: "  - name: w\n    securityRules:\n" + rule("half", 100, "Inbound", "Allow", "Tcp", "10.0.0.0/27", "*", "*", "22") + denyIn,
			want: map[string]string{"bas/ssh/vm1": "Partial by w/deny-in"},
		},
		{
			name: "a CIDR source is split by subnet and VM", doc: docHowItWorks,
			work: ", networkSecurityGroup: w", vm1: ", networkSecurityGroup: nic",
			nsgs: "  - name: w\n    securityRules: []\n" +
				"  - name: nic\n    securityRules:\n" + rule("deny-out", 100, "Outbound", "Deny", "*", "*", "*", "*", "*"),
			flows: "  - {name: range, source: 10.0.1.0/24, destination: 8.8.8.8, protocol: Tcp, destinationPort: 443}\n",
			want:  map[string]string{"range": "Partial by nic/deny-out"},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			src := strings.Replace(base, "%s", c.bastion, 1)
			src = strings.Replace(src, "%s", c.work, 1)
			src = strings.Replace(src, "%s", c.spoke, 1)
			src = strings.Replace(src, "%s", c.vm1, 1)
			if c.nsgs != "" {
				src += "networkSecurityGroups:\n" + c.nsgs
			}
			if c.flows != "" {
				src += "flows:\n" + c.flows
			}
			topo, err := topology.Parse("unit.yaml", []byte(src))
			if err != nil {
				t.Fatalf("Parse: %v\n%s", err, src)
			}
			r, err := Simulate(topo)
			if err != nil {
				t.Fatal(err)
			}
			byID := make(map[string]*Result)
			for _, res := range r.Results {
				byID[res.Flow.ID] = res
			}
			for id, want := range c.want {
				res, ok := byID[id]
				if want == "absent" {
					if ok {
						t.Errorf("flow %s exists, want none (source: %s)", id, c.doc)
					}
					continue
				}
				if !ok {
					t.Errorf("no flow %s", id)
					continue
				}
				if got := verdictBy(res); got != want && !(strings.Index(want, " by ") < 0 && res.Verdict.String() == want) {
					t.Errorf("Evaluate(%s) = %s, want %s (source: %s)", id, got, want, c.doc)
				}
			}
		})
	}
}

// verdictBy prints a result as "Verdict by NSG/RULE" (the deciding hop), or
// "Verdict" when no NSG was on the path.
func verdictBy(res *Result) string {
	if len(res.Hops) == 0 {
		return res.Verdict.String()
	}
	h := res.Hops[len(res.Hops)-1]
	return res.Verdict.String() + " by " + h.NSG.Name + "/" + h.Rule.Name
}
