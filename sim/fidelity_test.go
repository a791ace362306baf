package sim

import (
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nsgsim/nsgsim/topology"
)

// The tests of this file pin the corners of SPEC 2.3 and 2.4 (issue 12),
// each naming the Azure document its expectation rests on.

// fidelityHub is a hub VNet with AzureBastionSubnet (10.0.0.0/26) and a
// workload subnet holding vm1 (10.0.1.4); FIDELITY marks where a test adds
// its own keys. Each test fills in the NSGs.
const fidelityHub = `
name: corners
virtualNetworks:
  - name: hub
    addressSpace: [10.0.0.0/16]
    subnets:
      - {name: AzureBastionSubnet, addressPrefix: 10.0.0.0/26, networkSecurityGroup: nsg-bastion}
      - {name: work, addressPrefix: 10.0.1.0/24, networkSecurityGroup: nsg-work}
bastionHosts:
  - {name: bas, virtualNetwork: hub, sku: Standard}
virtualMachines:
  - {name: vm1, subnet: hub/work, privateIpAddress: 10.0.1.4, os: Linux}
`

// simulateYAML parses and simulates a topology; dir, when set, is where the
// file is taken to live (for a serviceTags path).
func simulateYAML(t *testing.T, dir, src string) *Report {
	t.Helper()
	file := "corners.yaml"
	if dir != "" {
		file = filepath.Join(dir, file)
	}
	topo, err := topology.Parse(file, []byte(src))
	if err != nil {
		t.Fatalf("Parse: %v\n%s", err, src)
	}
	r, err := Simulate(topo)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func resultByID(t *testing.T, r *Report, id string) *Result {
	t.Helper()
	for _, res := range r.Results {
		if res.Flow.ID == id {
			return res
		}
	}
	t.Fatalf("no flow %s", id)
	return nil
}

func findingsWithID(r *Report, id string) []Finding {
	var out []Finding
	for _, f := range r.Findings {
		if f.ID == id {
			out = append(out, f)
		}
	}
	return out
}

const allowAllNSGs = `
networkSecurityGroups:
  - {name: nsg-bastion, securityRules: []}
  - {name: nsg-work, securityRules: []}
`

// Item 1. "Application security groups": rules apply to the network
// interfaces that are members; a NIC of another, unpeered VNet that reuses
// the address is not one (SPEC 2.3).
// https://learn.microsoft.com/en-us/azure/virtual-network/application-security-groups
func TestASGMembershipIsPerNIC(t *testing.T) {
	src := fidelityHub + `  - {name: vm-other, subnet: other/app, privateIpAddress: 10.0.1.4, os: Linux, applicationSecurityGroups: [asg-app]}
  - {name: vm-member, subnet: hub/work, privateIpAddress: 10.0.1.5, os: Linux, applicationSecurityGroups: [asg-app]}
applicationSecurityGroups: [{name: asg-app}]
networkSecurityGroups:
  - {name: nsg-bastion, securityRules: []}
  - name: nsg-work
    securityRules:
      - {name: AllowAppSsh, priority: 100, direction: Inbound, access: Allow, protocol: Tcp, sourceAddressPrefix: Internet, sourcePortRange: "*", destinationApplicationSecurityGroups: [asg-app], destinationPortRange: "22"}
      - {name: DenyAll, priority: 200, direction: Inbound, access: Deny, protocol: "*", sourceAddressPrefix: "*", sourcePortRange: "*", destinationAddressPrefix: "*", destinationPortRange: "*"}
flows:
  - {name: to-vm1, source: 203.0.113.9, destination: vm1, protocol: Tcp, destinationPort: 22}
  - {name: to-member, source: 203.0.113.9, destination: vm-member, protocol: Tcp, destinationPort: 22}
`
	src = strings.Replace(src, "bastionHosts:", `  - name: other
    addressSpace: [10.0.0.0/16]
    subnets:
      - {name: app, addressPrefix: 10.0.1.0/24}
bastionHosts:`, 1)
	r := simulateYAML(t, "", src)
	if got := verdictBy(resultByID(t, r, "to-vm1")); got != "Deny by nsg-work/DenyAll" {
		t.Errorf("to-vm1 = %s, want Deny by nsg-work/DenyAll: vm1 is not a member; vm-other in unpeered VNet other shares its address", got)
	}
	if got := verdictBy(resultByID(t, r, "to-member")); got != "Allow by nsg-work/AllowAppSsh" {
		t.Errorf("to-member = %s, want Allow by nsg-work/AllowAppSsh", got)
	}
	// One address in one VNet twice is a load error; in two unpeered VNets
	// it is not (the topology above loaded).
	dup := strings.Replace(fidelityHub, "os: Linux}\n", "os: Linux}\n  - {name: vm2, subnet: hub/work, privateIpAddress: 10.0.1.4, os: Linux}\n", 1) + allowAllNSGs
	if _, err := topology.Parse("dup.yaml", []byte(dup)); err == nil || !strings.Contains(err.Error(), "already used by virtual machine \"vm1\"") {
		t.Errorf("two VMs with 10.0.1.4 in one VNet: err = %v, want already used", err)
	}
	// Peered, the two VNets could not share the address: Azure cannot peer
	// VNets whose address spaces overlap
	// (https://learn.microsoft.com/en-us/azure/virtual-network/virtual-network-peering-overview).
	peered := strings.Replace(src, "  - name: other\n    addressSpace", "  - name: other\n    peerings: [hub]\n    addressSpace", 1)
	if _, err := topology.Parse("peered.yaml", []byte(peered)); err == nil || !strings.Contains(err.Error(), "overlap") {
		t.Errorf("one address in two peered VNets: err = %v, want a load error", err)
	}
}

// Item 2. The NSG overview: "Protocol: TCP, UDP, ICMP, ESP, AH, or Any"; a
// rule on Tcp decides only Tcp, so a flow on * has one part per protocol
// (SPEC 2.3).
// https://learn.microsoft.com/en-us/azure/virtual-network/network-security-groups-overview#security-rules
func TestStarFlowPerProtocol(t *testing.T) {
	src := fidelityHub + `networkSecurityGroups:
  - {name: nsg-bastion, securityRules: []}
  - name: nsg-work
    securityRules:
      - {name: DenyTcp80, priority: 100, direction: Inbound, access: Deny, protocol: Tcp, sourceAddressPrefix: "*", sourcePortRange: "*", destinationAddressPrefix: "*", destinationPortRange: "80"}
flows:
  - {name: any-80, source: 10.0.1.10, destination: vm1, protocol: "*", destinationPort: 80}
`
	r := simulateYAML(t, "", src)
	res := resultByID(t, r, "any-80")
	if res.Verdict != topology.VerdictPartial {
		t.Fatalf("any-80 = %v, want Partial (Tcp denied, the other protocols allowed)", res.Verdict)
	}
	allowed, denied, differ := res.ProtocolSubsets()
	if !differ || allowed != "Udp, Icmp, Esp and Ah" || denied != "Tcp" {
		t.Errorf("ProtocolSubsets = %q, %q, %v; want Udp, Icmp, Esp and Ah / Tcp", allowed, denied, differ)
	}
	tr, err := r.Engine.Trace(res.Flow)
	if err != nil {
		t.Fatal(err)
	}
	var protos []string
	for _, p := range tr.Parts {
		protos = append(protos, p.Packet.Protocol.String()+":"+p.Access.String())
	}
	if got := strings.Join(protos, " "); got != "Tcp:Deny Udp:Allow Icmp:Allow Esp:Allow Ah:Allow" {
		t.Errorf("trace parts = %s, want one per protocol", got)
	}
}

// Item 3. ICMP, ESP and AH carry no ports: a rule on some ports does not
// match them, and the result says the reading decided (SPEC 2.3; the NSG
// overview does not document the case). A user flow naming a port for them
// is a load error (SPEC 1.1).
// https://learn.microsoft.com/en-us/azure/virtual-network/network-security-groups-overview#security-rules
func TestPortlessProtocols(t *testing.T) {
	src := fidelityHub + `networkSecurityGroups:
  - {name: nsg-bastion, securityRules: []}
  - name: nsg-work
    securityRules:
      - {name: Allow5000, priority: 100, direction: Inbound, access: Allow, protocol: "*", sourceAddressPrefix: "*", sourcePortRange: "*", destinationAddressPrefix: "*", destinationPortRange: "5000"}
      - {name: DenyAll, priority: 200, direction: Inbound, access: Deny, protocol: "*", sourceAddressPrefix: "*", sourcePortRange: "*", destinationAddressPrefix: "*", destinationPortRange: "*"}
flows:
  - {name: ping, source: 203.0.113.9, destination: vm1, protocol: Icmp}
`
	r := simulateYAML(t, "", src)
	if got := verdictBy(resultByID(t, r, "ping")); got != "Deny by nsg-work/DenyAll" {
		t.Errorf("ping = %s, want Deny by nsg-work/DenyAll (Allow5000 is on a port; ICMP has none)", got)
	}
	if fs := findingsWithID(r, "FLOW004"); len(fs) != 1 || !strings.Contains(fs[0].Message, "carry no ports") {
		t.Errorf("FLOW004 findings = %v, want one stating the assumption", fs)
	}
	withPort := strings.Replace(src, "protocol: Icmp}", "protocol: Icmp, destinationPort: 5000}", 1)
	_, err := topology.Parse("ping.yaml", []byte(withPort))
	if err == nil || !strings.Contains(err.Error(), "ping.yaml:20:") || !strings.Contains(err.Error(), "protocol Icmp carries no ports") {
		t.Errorf("Icmp flow with a port: err = %v, want a positioned load error", err)
	}
}

// Item 4. Service tags overview: Internet includes Azure's public ranges,
// so an endpoint covering all public IPv4 holds the GatewayManager addresses
// (SPEC 2.3, 2.4): a client 0.0.0.0/0 meets a Deny GatewayManager rule.
// https://learn.microsoft.com/en-us/azure/virtual-network/service-tags-overview#available-service-tags
func TestAllPublicEndpointHoldsTagAddresses(t *testing.T) {
	src := fidelityHub + `clients:
  - {name: everyone, addressPrefix: 0.0.0.0/0}
networkSecurityGroups:
  - name: nsg-bastion
    securityRules:
      - {name: DenyGatewayManager, priority: 100, direction: Inbound, access: Deny, protocol: "*", sourceAddressPrefix: GatewayManager, sourcePortRange: "*", destinationAddressPrefix: "*", destinationPortRange: "*"}
      - {name: AllowHttps, priority: 110, direction: Inbound, access: Allow, protocol: Tcp, sourceAddressPrefix: "*", sourcePortRange: "*", destinationAddressPrefix: "*", destinationPortRange: "443"}
  - {name: nsg-work, securityRules: []}
`
	r := simulateYAML(t, "", src)
	if got := resultByID(t, r, "bas/gatewaymanager-https").Verdict; got != topology.VerdictDeny {
		t.Fatalf("gatewaymanager-https = %v, want Deny", got)
	}
	res := resultByID(t, r, "bas/client-https/everyone")
	if res.Verdict != topology.VerdictPartial {
		t.Fatalf("client-https/everyone = %v, want Partial: its GatewayManager addresses are denied", res.Verdict)
	}
	deniedSrc, _ := res.Denied()
	if d := r.Engine.Describe(deniedSrc, res.Source, "everyone"); d != "GatewayManager addresses" {
		t.Errorf("denied part = %q, want GatewayManager addresses", d)
	}
}

// Item 5. Bastion Developer connects from 168.63.129.16, with no
// AzureBastionSubnet of its own: as a flow endpoint it is that address,
// in simulate and trace alike (SPEC 2.3).
// https://learn.microsoft.com/en-us/azure/bastion/quickstart-developer
func TestDeveloperEndpointIsHostVIP(t *testing.T) {
	src := strings.Replace(fidelityHub, "sku: Standard", "sku: Developer", 1) + allowAllNSGs +
		"flows:\n  - {name: dev-ssh, source: bas, destination: vm1, protocol: Tcp, destinationPort: 22}\n"
	r := simulateYAML(t, "", src)
	res := resultByID(t, r, "dev-ssh")
	vip := PointSet(AddrPoint(hostVIP))
	if !res.Source.Equal(vip) {
		t.Fatalf("dev-ssh source = %v, want 168.63.129.16 alone (not the leftover AzureBastionSubnet)", res.Source.Prefixes())
	}
	f, err := NewFlow(r.Topology, "t", "bas", "vm1", topology.Tcp, nil, 22)
	if err != nil {
		t.Fatalf("trace from a Developer Bastion: %v", err)
	}
	tr, err := r.Engine.Trace(f)
	if err != nil {
		t.Fatal(err)
	}
	if len(tr.Parts) != 1 || r.Engine.PointString(tr.Parts[0].Packet.Source) != "168.63.129.16" || len(tr.Parts[0].NSGs) != 1 {
		t.Errorf("trace = %+v, want one part from 168.63.129.16 through nsg-work inbound only", tr.Parts)
	}
}

// Item 6. "How network security groups filter network traffic": traffic
// from a VM meets its NIC's and subnet's NSGs outbound; a client address
// that is a VM's is that VM, and an AzureBastionSubnet address is not a
// user (SPEC 2.3).
// https://learn.microsoft.com/en-us/azure/virtual-network/network-security-group-how-it-works
func TestClientAddressesLiveWhereTheyAre(t *testing.T) {
	src := fidelityHub + `  - {name: vm2, subnet: hub/work, privateIpAddress: 10.0.1.5, os: Linux}
  - {name: vm3, subnet: hub/work, privateIpAddress: 10.0.1.6, os: Linux}
clients:
  - {name: corp, addressPrefix: 10.0.0.0/8}
networkSecurityGroups:
  - {name: nsg-bastion, securityRules: []}
  - {name: nsg-work, securityRules: []}
  - name: nsg-nic
    securityRules:
      - {name: DenyOut, priority: 100, direction: Outbound, access: Deny, protocol: "*", sourceAddressPrefix: "*", sourcePortRange: "*", destinationAddressPrefix: "*", destinationPortRange: "*"}
`
	src = strings.Replace(src, "os: Linux}\n", "os: Linux, networkSecurityGroup: nsg-nic}\n", 1)
	r := simulateYAML(t, "", src)
	res := resultByID(t, r, "bas/client-https/corp")
	if res.Verdict != topology.VerdictPartial {
		t.Fatalf("client-https/corp = %v, want Partial: vm1's NIC NSG denies its outbound traffic", res.Verdict)
	}
	deniedSrc, _ := res.Denied()
	vm1, vm2 := AddrPoint(netip.MustParseAddr("10.0.1.4")), AddrPoint(netip.MustParseAddr("10.0.1.5"))
	if !deniedSrc.Contains(vm1) || deniedSrc.Contains(vm2) {
		t.Errorf("denied sources = %v, want vm1's address and not vm2's", deniedSrc.Prefixes())
	}
	for _, sg := range res.Segments {
		if sg.Source.Contains(vm1) {
			if h := sg.Hops[0]; h.At != "nic vm1" || h.Rule.Name != "DenyOut" {
				t.Errorf("vm1's part decided at %s by %s, want nic vm1 by DenyOut", h.At, h.Rule.Name)
			}
		}
	}
	if res.Source.Overlaps(PrefixSet(netip.MustParsePrefix("10.0.0.0/26"))) {
		t.Errorf("client range includes AzureBastionSubnet addresses: %v", res.Source.Prefixes())
	}
	// Parts follow NSG contexts: vm1 (its NIC NSG), the rest of the work
	// subnet (vm2 and vm3 share it), the hub's other space, and outside.
	src2, _ := r.Engine.flowParts(res.Flow)
	if len(src2) != 3 {
		t.Errorf("client parts = %d, want 3 (vm1; the work subnet with vm2 and vm3; outside)", len(src2))
	}

	// VMs of one subnet with one NIC NSG share a part too, evaluated once,
	// and the result still names each VM's NIC.
	all := strings.ReplaceAll(src, "os: Linux}\n", "os: Linux, networkSecurityGroup: nsg-nic}\n")
	r = simulateYAML(t, "", all)
	res = resultByID(t, r, "bas/client-https/corp")
	if parts, _ := r.Engine.flowParts(res.Flow); len(parts) != 3 {
		t.Errorf("client parts = %d, want 3 (vm1, vm2 and vm3 behind nsg-nic; the rest of the subnet; outside)", len(parts))
	}
	var nics []string
	for _, sg := range res.Segments {
		if h := sg.Hops[0]; h.Rule.Name == "DenyOut" {
			nics = append(nics, r.Engine.Describe(sg.Source, res.Source, "corp")+" at "+h.At)
		}
	}
	if got := strings.Join(nics, "; "); got != "10.0.1.4/32 at nic vm1; 10.0.1.5/32 at nic vm2; 10.0.1.6/32 at nic vm3" {
		t.Errorf("NIC-denied segments = %s, want one per VM naming its NIC", got)
	}
}

// Item 7. A Service Tags file that lacks GatewayManager does not empty the
// GatewayManager flow: the built-in model stands in, with a warning; a tag
// Azure documents that the file lacks (CorpNetSaw, named by the Domain
// Services NSG rule) loads and matches nothing, with a warning; a tag
// unknown to Azure is a load error (SPEC 2.4).
// https://learn.microsoft.com/en-us/azure/virtual-network/service-tags-overview
// https://learn.microsoft.com/en-us/entra/identity/domain-services/network-considerations
func TestServiceTagsFileLackingTags(t *testing.T) {
	dir := t.TempDir()
	tags := `{"values": [{"name": "AzureCloud", "properties": {"addressPrefixes": ["20.0.0.0/8"]}}]}`
	if err := os.WriteFile(filepath.Join(dir, "tags.json"), []byte(tags), 0o644); err != nil {
		t.Fatal(err)
	}
	src := "serviceTags: tags.json\n" + fidelityHub + `networkSecurityGroups:
  - name: nsg-bastion
    securityRules:
      - {name: AllowSaw, priority: 100, direction: Inbound, access: Allow, protocol: Tcp, sourceAddressPrefix: CorpNetSaw, sourcePortRange: "*", destinationAddressPrefix: "*", destinationPortRange: "3389"}
  - {name: nsg-work, securityRules: []}
`
	r := simulateYAML(t, dir, src)
	res := resultByID(t, r, "bas/gatewaymanager-https")
	if !res.Source.Equal(r.Engine.tagSet(topology.TagGatewayManager, r.Engine.vnets["hub"])) || res.Source.IsEmpty() || res.Verdict != topology.VerdictDeny {
		t.Errorf("gatewaymanager-https = %v from %v, want Deny (DenyAllInBound) from the built-in GatewayManager addresses", res.Verdict, res.Source)
	}
	if fs := findingsWithID(r, "TAG001"); len(fs) != 1 || !strings.Contains(fs[0].Message, "no GatewayManager tag") {
		t.Errorf("TAG001 = %v, want one warning about GatewayManager", fs)
	}
	if fs := findingsWithID(r, "TAG002"); len(fs) != 1 || !strings.Contains(fs[0].Message, "CorpNetSaw") {
		t.Errorf("TAG002 = %v, want one warning about CorpNetSaw", fs)
	}
	bad := strings.Replace(src, "CorpNetSaw", "CorpNetSawx", 1)
	if _, err := topology.Parse(filepath.Join(dir, "bad.yaml"), []byte(bad)); err == nil || !strings.Contains(err.Error(), "CorpNetSawx") {
		t.Errorf("unknown tag: err = %v, want a load error", err)
	}
}

// Item 8. No address, no traffic: the flow is NoTraffic with a warning
// naming why, never a Deny that no rule decided (SPEC 2.3). A client range
// inside AzureBastionSubnet holds only Bastion's own instances (the
// subnet "can't contain other resources").
// https://learn.microsoft.com/en-us/azure/bastion/configuration-settings#subnet
func TestNoTraffic(t *testing.T) {
	src := fidelityHub + "clients:\n  - {name: inside, addressPrefix: 10.0.0.0/27}\n" + allowAllNSGs
	r := simulateYAML(t, "", src)
	res := resultByID(t, r, "bas/client-https/inside")
	if res.Verdict != topology.VerdictNoTraffic || res.Verdict.String() != "NoTraffic" || res.Blocked() {
		t.Errorf("client-https/inside = %v (blocked %v), want NoTraffic, not blocked", res.Verdict, res.Blocked())
	}
	if fs := findingsWithID(r, "FLOW003"); len(fs) != 1 || !strings.Contains(fs[0].Message, "AzureBastionSubnet") {
		t.Errorf("FLOW003 = %v, want one warning naming why", fs)
	}
	if r.Summary.NoTraffic != 1 {
		t.Errorf("summary = %+v, want NoTraffic 1", r.Summary)
	}
}

// Item 9. Private-only Bastion: users connect over private addresses;
// 168.63.129.16 is the platform's virtual IP, not a user (SPEC 2.3).
// https://learn.microsoft.com/en-us/azure/bastion/private-only-deployment
// https://learn.microsoft.com/en-us/azure/virtual-network/what-is-ip-address-168-63-129-16
func TestPrivateOnlyDefaultClient(t *testing.T) {
	src := strings.Replace(fidelityHub, "sku: Standard}", "sku: Premium, enablePrivateOnlyBastion: true}", 1) + `networkSecurityGroups:
  - name: nsg-bastion
    securityRules:
      - {name: AllowHttpsInbound, priority: 120, direction: Inbound, access: Allow, protocol: Tcp, sourceAddressPrefix: Internet, sourcePortRange: "*", destinationAddressPrefix: "*", destinationPortRange: "443"}
      - {name: DenyAllIn, priority: 4096, direction: Inbound, access: Deny, protocol: "*", sourceAddressPrefix: "*", sourcePortRange: "*", destinationAddressPrefix: "*", destinationPortRange: "*"}
  - {name: nsg-work, securityRules: []}
`
	r := simulateYAML(t, "", src)
	res := resultByID(t, r, "bas/client-https/VirtualNetwork")
	if res.Verdict != topology.VerdictDeny {
		t.Errorf("private users = %v, want Deny (an Internet rule admits no private user)", res.Verdict)
	}
	if res.Source.Contains(AddrPoint(hostVIP)) {
		t.Errorf("the default private client holds 168.63.129.16")
	}
}

// Item 12. "All network interfaces assigned to an application security
// group have to exist in the same virtual network": an ASG spanning VNets
// is an error finding.
// https://learn.microsoft.com/en-us/azure/virtual-network/application-security-groups
func TestASGInTwoVNetsIsAnError(t *testing.T) {
	src := fidelityHub + `  - {name: vm-spoke, subnet: spoke/app, privateIpAddress: 10.1.0.4, os: Linux, applicationSecurityGroups: [asg-web]}
applicationSecurityGroups: [{name: asg-web}]
` + allowAllNSGs
	src = strings.Replace(src, "os: Linux}\n", "os: Linux, applicationSecurityGroups: [asg-web]}\n", 1)
	src = strings.Replace(src, "bastionHosts:", `  - name: spoke
    addressSpace: [10.1.0.0/16]
    peerings: [hub]
    subnets:
      - {name: app, addressPrefix: 10.1.0.0/24}
bastionHosts:`, 1)
	r := simulateYAML(t, "", src)
	fs := findingsWithID(r, "ASG001")
	if len(fs) != 1 || fs[0].Severity != SeverityError || !strings.Contains(fs[0].Message, "hub (virtual machine vm1) and spoke (virtual machine vm-spoke)") {
		t.Errorf("ASG001 = %v, want one error naming both VNets", fs)
	}
}
