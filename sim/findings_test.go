package sim

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/nsgsim/nsgsim/topology"
)

// findingsBase is a hub with AzureBastionSubnet and the documented rule set
// (https://learn.microsoft.com/en-us/azure/bastion/bastion-nsg), a workload
// subnet admitting SSH and RDP from the Bastion range, and one VM of each OS.
// %[1]s is spliced into nsg-bastion's rules, %[2]s into nsg-work's, %[3]s
// into the Bastion host, %[4]s at the top level.
const findingsBase = `
name: unit
virtualNetworks:
  - name: hub
    addressSpace: [10.0.0.0/16]
    subnets:
      - {name: AzureBastionSubnet, addressPrefix: 10.0.0.0/26, networkSecurityGroup: nsg-bastion}
      - {name: work, addressPrefix: 10.0.1.0/24, networkSecurityGroup: nsg-work}
networkSecurityGroups:
  - name: nsg-bastion
    securityRules:
      - {name: AllowHttpsInbound, priority: 120, direction: Inbound, access: Allow, protocol: Tcp, sourceAddressPrefix: Internet, sourcePortRange: "*", destinationAddressPrefix: "*", destinationPortRange: "443"}
      - {name: AllowGatewayManagerInbound, priority: 130, direction: Inbound, access: Allow, protocol: Tcp, sourceAddressPrefix: GatewayManager, sourcePortRange: "*", destinationAddressPrefix: "*", destinationPortRange: "443"}
      - {name: AllowAzureLoadBalancerInbound, priority: 140, direction: Inbound, access: Allow, protocol: Tcp, sourceAddressPrefix: AzureLoadBalancer, sourcePortRange: "*", destinationAddressPrefix: "*", destinationPortRange: "443"}
      - {name: AllowBastionHostCommunication, priority: 150, direction: Inbound, access: Allow, protocol: "*", sourceAddressPrefix: VirtualNetwork, sourcePortRange: "*", destinationAddressPrefix: VirtualNetwork, destinationPortRanges: ["8080", "5701"]}
      - {name: DenyAllInbound, priority: 4096, direction: Inbound, access: Deny, protocol: "*", sourceAddressPrefix: "*", sourcePortRange: "*", destinationAddressPrefix: "*", destinationPortRange: "*"}
      - {name: AllowSshRdpOutbound, priority: 100, direction: Outbound, access: Allow, protocol: "*", sourceAddressPrefix: "*", sourcePortRange: "*", destinationAddressPrefix: VirtualNetwork, destinationPortRanges: ["22", "3389"]}
      - {name: AllowAzureCloudOutbound, priority: 110, direction: Outbound, access: Allow, protocol: Tcp, sourceAddressPrefix: "*", sourcePortRange: "*", destinationAddressPrefix: AzureCloud, destinationPortRange: "443"}
      - {name: AllowBastionCommunication, priority: 120, direction: Outbound, access: Allow, protocol: "*", sourceAddressPrefix: VirtualNetwork, sourcePortRange: "*", destinationAddressPrefix: VirtualNetwork, destinationPortRanges: ["8080", "5701"]}
      - {name: AllowHttpOutbound, priority: 130, direction: Outbound, access: Allow, protocol: "*", sourceAddressPrefix: "*", sourcePortRange: "*", destinationAddressPrefix: Internet, destinationPortRange: "80"}
      - {name: DenyAllOutbound, priority: 4096, direction: Outbound, access: Deny, protocol: "*", sourceAddressPrefix: "*", sourcePortRange: "*", destinationAddressPrefix: "*", destinationPortRange: "*"}
%[1]s
  - name: nsg-work
    securityRules:
      - {name: AllowSshRdpFromBastion, priority: 100, direction: Inbound, access: Allow, protocol: Tcp, sourceAddressPrefix: 10.0.0.0/26, sourcePortRange: "*", destinationAddressPrefix: "*", destinationPortRanges: ["22", "3389"]}
      - {name: DenyAllInbound, priority: 4096, direction: Inbound, access: Deny, protocol: "*", sourceAddressPrefix: "*", sourcePortRange: "*", destinationAddressPrefix: "*", destinationPortRange: "*"}
%[2]s
virtualMachines:
  - {name: vm-linux, subnet: hub/work, privateIpAddress: 10.0.1.4, os: Linux}
  - {name: vm-windows, subnet: hub/work, privateIpAddress: 10.0.1.5, os: Windows}
bastionHosts:
  - name: bastion
    virtualNetwork: hub
%[3]s
%[4]s
`

func lint(t *testing.T, bastionRules, workRules, host, extra string) []Finding {
	t.Helper()
	src := fmt.Sprintf(findingsBase, bastionRules, workRules, host, extra)
	topo, err := topology.Parse("unit.yaml", []byte(src))
	if err != nil {
		t.Fatalf("Parse: %v\n%s", err, src)
	}
	r, err := Simulate(topo)
	if err != nil {
		t.Fatal(err)
	}
	return r.Findings
}

// withoutRule removes one rule line of findingsBase.
func withoutRule(name string) string {
	var out []string
	for _, l := range strings.Split(findingsBase, "\n") {
		if !strings.Contains(l, "{name: "+name+",") {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

func lintSource(t *testing.T, src string) []Finding {
	t.Helper()
	topo, err := topology.Parse("unit.yaml", []byte(fmt.Sprintf(src, "", "", "", "")))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	r, err := Simulate(topo)
	if err != nil {
		t.Fatal(err)
	}
	return r.Findings
}

func ids(fs []Finding) string {
	var out []string
	for _, f := range fs {
		out = append(out, f.ID)
	}
	return strings.Join(out, " ")
}

func TestReferenceHasNoFindings(t *testing.T) {
	if fs := lint(t, "", "", "", ""); len(fs) != 0 {
		for _, f := range fs {
			t.Errorf("unexpected finding %s %s: %s", f.Pos, f.ID, f.Message)
		}
	}
}

// TestExplicitRules removes each documented rule in turn: each removal is
// one NSG001 naming the rule, at the NSG, even where a default rule or a
// broader rule still carries the traffic (bastion-nsg: "you must create all
// of the following ... rules").
func TestExplicitRules(t *testing.T) {
	for _, br := range BastionRules() {
		t.Run(br.Name, func(t *testing.T) {
			fs := lintSource(t, withoutRule(br.Name))
			var got []Finding
			for _, f := range fs {
				if f.ID == "NSG001" {
					got = append(got, f)
				}
			}
			if len(got) != 1 {
				t.Fatalf("findings %s, want one NSG001", ids(fs))
			}
			f := got[0]
			if f.Severity != SeverityError || !strings.Contains(f.Message, br.Name) ||
				!strings.Contains(f.Message, "NetworkSecurityGroupNotCompliantForAzureBastionSubnet") {
				t.Errorf("NSG001 = %s %q", f.Severity, f.Message)
			}
			if f.Pos.Line != 10 || f.DocURL != urlBastionNSG {
				t.Errorf("NSG001 at %s (doc %s), want line 10, the NSG, and %s", f.Pos, f.DocURL, urlBastionNSG)
			}
		})
	}
}

func TestExplicitRuleVariants(t *testing.T) {
	rule := func(name string, prio int, dir, access, proto, src, dst, ports string) string {
		return fmt.Sprintf(`      - {name: %s, priority: %d, direction: %s, access: %s, protocol: "%s", sourceAddressPrefix: "%s", sourcePortRange: "*", destinationAddressPrefix: "%s", destinationPortRanges: [%s]}`,
			name, prio, dir, access, proto, src, dst, ports)
	}
	base := func(drop string) string { return withoutRule(drop) }
	tests := []struct {
		name  string
		drop  string // documented rule removed
		add   string // rules added to nsg-bastion
		want  string // NSG00x findings expected, in order
		extra string
	}{
		{name: "https from office range", drop: "AllowHttpsInbound",
			add: rule("AllowOffice", 120, "Inbound", "Allow", "Tcp", "203.0.113.0/24", "*", `"443"`), want: ""},
		{name: "https from private range is not it", drop: "AllowHttpsInbound",
			add: rule("AllowPrivate", 120, "Inbound", "Allow", "Tcp", "10.9.0.0/16", "*", `"443"`), want: "NSG001"},
		{name: "gatewaymanager from star", drop: "AllowGatewayManagerInbound",
			add: rule("AllowAny443", 130, "Inbound", "Allow", "Tcp", "*", "*", `"443"`), want: ""},
		{name: "udp does not count", drop: "AllowAzureCloudOutbound",
			add: rule("AllowCloudUdp", 110, "Outbound", "Allow", "Udp", "*", "AzureCloud", `"443"`), want: "NSG001"},
		{name: "data plane split over two rules", drop: "AllowBastionCommunication",
			add: rule("Allow8080", 120, "Outbound", "Allow", "*", "VirtualNetwork", "VirtualNetwork", `"8080"`) + "\n" +
				rule("Allow5701", 125, "Outbound", "Allow", "*", "VirtualNetwork", "VirtualNetwork", `"5701"`), want: ""},
		{name: "data plane half missing", drop: "AllowBastionCommunication",
			add: rule("Allow8080", 120, "Outbound", "Allow", "*", "VirtualNetwork", "VirtualNetwork", `"8080"`), want: "NSG001"},
		{name: "ssh rdp to a subnet is not VirtualNetwork", drop: "AllowSshRdpOutbound",
			add: rule("AllowToWork", 100, "Outbound", "Allow", "*", "*", "10.0.1.0/24", `"22", "3389"`), want: "NSG001"},
		{name: "regional AzureCloud", drop: "AllowAzureCloudOutbound",
			add: rule("AllowCloudRegion", 110, "Outbound", "Allow", "Tcp", "*", "AzureCloud.westeurope", `"443"`), want: "NSG003"},
		{name: "deny before the documented rule", drop: "NONE",
			add: rule("DenyGM", 115, "Inbound", "Deny", "Tcp", "GatewayManager", "*", `"443"`), want: "NSG002"},
		{name: "deny before, but an allow before it", drop: "NONE",
			add: rule("AllowGMFirst", 101, "Inbound", "Allow", "Tcp", "GatewayManager", "*", `"443"`) + "\n" +
				rule("DenyGM", 115, "Inbound", "Deny", "Tcp", "GatewayManager", "*", `"443"`), want: "NSG005"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := lintSource(t, strings.Replace(base(tt.drop), "%[1]s", tt.add+"\n%[1]s", 1))
			var got []string
			for _, f := range fs {
				if strings.HasPrefix(f.ID, "NSG") {
					got = append(got, f.ID)
				}
			}
			if g := strings.Join(got, " "); g != tt.want {
				t.Errorf("findings %q, want %q", g, tt.want)
				for _, f := range fs {
					t.Logf("%s %s: %s", f.Pos, f.ID, f.Message)
				}
			}
		})
	}
}

// TestFindingIDs checks that each check fires where it should, with its
// severity, at the position of the field it is about.
func TestFindingIDs(t *testing.T) {
	tests := []struct {
		name                       string
		bastion, work, host, extra string
		id                         string
		sev                        Severity
		line                       int // 0: do not check
		text                       string
	}{
		{name: "shadowed", work: `      - {name: AllowWebLater, priority: 200, direction: Inbound, access: Allow, protocol: Tcp, sourceAddressPrefix: 10.0.0.0/27, sourcePortRange: "*", destinationAddressPrefix: "*", destinationPortRange: "22"}`,
			id: "NSG005", sev: SeverityWarning, line: 27, text: `higher-priority rule "AllowSshRdpFromBastion" (priority 100) matches all its traffic; it is redundant`},
		{name: "shadowed by two", work: `      - {name: DenyA, priority: 101, direction: Inbound, access: Deny, protocol: Udp, sourceAddressPrefix: 10.0.0.0/8, sourcePortRange: "*", destinationAddressPrefix: "*", destinationPortRange: "53"}
      - {name: DenyB, priority: 102, direction: Inbound, access: Deny, protocol: "*", sourceAddressPrefix: 0.0.0.0/0, sourcePortRange: "*", destinationAddressPrefix: "*", destinationPortRange: "53"}
      - {name: AllowDns, priority: 300, direction: Inbound, access: Allow, protocol: Udp, sourceAddressPrefix: VirtualNetwork, sourcePortRange: "*", destinationAddressPrefix: "*", destinationPortRange: "53"}`,
			id: "NSG005", sev: SeverityWarning, text: `rule "AllowDns" (priority 300, Inbound) of network security group "nsg-work" never matches: higher-priority rules "DenyA" (priority 101), "DenyB" (priority 102) match all its traffic; its Allow never applies`},
		{name: "ssh from internet", work: `      - {name: AllowSshAnywhere, priority: 105, direction: Inbound, access: Allow, protocol: Tcp, sourceAddressPrefix: Internet, sourcePortRange: "*", destinationAddressPrefix: "*", destinationPortRange: "22"}`,
			id: "NSG006", sev: SeverityWarning, line: 27, text: `allows SSH (22) from Internet to vm-linux, vm-windows`},
		{name: "basic with tunneling", host: "    sku: Basic\n    enableTunneling: true",
			id: "SKU001", sev: SeverityError, line: 35, text: "needs the Standard or Premium SKU"},
		{name: "standard with recording", host: "    sku: Standard\n    enableSessionRecording: true",
			id: "SKU001", sev: SeverityError, text: "needs the Premium SKU"},
		{name: "basic custom ports", host: "    sku: Basic\n    customPorts: [2222]",
			id: "SKU001", sev: SeverityError, text: "custom ports"},
		{name: "scale units", host: "    sku: Standard\n    scaleUnits: 60",
			id: "SKU002", sev: SeverityError, line: 35, text: "scaleUnits 60"},
		{name: "basic scale units", host: "    sku: Basic\n    scaleUnits: 4",
			id: "SKU002", sev: SeverityError, text: "host scaling needs"},
		{name: "private-only public client", host: "    sku: Premium\n    enablePrivateOnlyBastion: true",
			extra: "clients:\n  - {name: home, addressPrefix: 198.51.100.0/24}", id: "SKU003", sev: SeverityError, text: "198.51.100.0/24"},
		{name: "custom ports not outbound", host: "    sku: Standard\n    customPorts: [2222]",
			id: "NSG004", sev: SeverityWarning, line: 35, text: "custom port 2222"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := lint(t, tt.bastion, tt.work, tt.host, tt.extra)
			var f *Finding
			for i := range fs {
				if fs[i].ID == tt.id {
					f = &fs[i]
				}
			}
			if f == nil {
				t.Fatalf("no %s in %s", tt.id, ids(fs))
			}
			if f.Severity != tt.sev || !strings.Contains(f.Message, tt.text) {
				t.Errorf("%s = %s %q, want %s containing %q", tt.id, f.Severity, f.Message, tt.sev, tt.text)
			}
			if tt.line != 0 && f.Pos.Line != tt.line {
				t.Errorf("%s at %s, want line %d", tt.id, f.Pos, tt.line)
			}
			if r, ok := FindingRuleByID(f.ID); !ok || f.DocURL != r.DocURL || !strings.HasPrefix(f.DocURL, "https://learn.microsoft.com/") {
				t.Errorf("%s doc %q", f.ID, f.DocURL)
			}
		})
	}
}

func TestSubnetAndVMFindings(t *testing.T) {
	src := strings.Replace(findingsBase, "addressPrefix: 10.0.0.0/26, networkSecurityGroup: nsg-bastion}",
		"addressPrefix: %s, networkSecurityGroup: nsg-bastion, routeTable: rt-fw}", 1)
	tests := []struct {
		prefix string
		want   string // SUB001 severity, "" for none
	}{
		{"10.0.0.0/26", ""},
		{"10.0.0.0/25", ""},
		{"10.0.0.0/27", "warning"},
		{"10.0.0.0/28", "error"},
	}
	for _, tt := range tests {
		t.Run(tt.prefix, func(t *testing.T) {
			s := strings.Replace(src, "%s", tt.prefix, 1)
			s = strings.Replace(s, "  - {name: vm-windows, subnet: hub/work, privateIpAddress: 10.0.1.5, os: Windows}",
				"  - {name: vm-windows, subnet: hub/work, privateIpAddress: 10.0.1.5, os: Windows, publicIpAddress: 20.1.2.3}\n  - {name: vm-jump, subnet: hub/AzureBastionSubnet, privateIpAddress: 10.0.0.5, os: Linux}", 1)
			fs := lintSource(t, s)
			got := map[string]Finding{}
			for _, f := range fs {
				got[f.ID] = f
			}
			if f, ok := got["SUB001"]; (tt.want == "") == ok || ok && f.Severity.String() != tt.want {
				t.Errorf("SUB001 = %+v, want %q", f, tt.want)
			}
			for _, id := range []string{"SUB002", "SUB003", "VM001"} {
				if _, ok := got[id]; !ok {
					t.Errorf("no %s in %s", id, ids(fs))
				}
			}
			if got["SUB002"].Severity != SeverityError || got["SUB003"].Severity != SeverityError || got["VM001"].Severity != SeverityWarning {
				t.Errorf("severities: %s", ids(fs))
			}
		})
	}
}

func TestRecommendedFlowFinding(t *testing.T) {
	fs := lintSource(t, strings.Replace(withoutRule("AllowHttpOutbound"), "%[1]s",
		`      - {name: AllowHttpOutbound, priority: 130, direction: Outbound, access: Allow, protocol: "*", sourceAddressPrefix: "*", sourcePortRange: "*", destinationAddressPrefix: Internet, destinationPortRange: "80"}
      - {name: DenyHttp, priority: 125, direction: Outbound, access: Deny, protocol: "*", sourceAddressPrefix: "*", sourcePortRange: "*", destinationAddressPrefix: "*", destinationPortRange: "80"}
%[1]s`, 1))
	if got := ids(fs); got != "NSG002 FLOW002" {
		t.Errorf("findings %q, want NSG002 (the Deny before AllowHttpOutbound) then FLOW002 (internet-http is recommended)", got)
	}
}

func TestFindingsSorted(t *testing.T) {
	fs := lint(t, "", `      - {name: AllowSshAnywhere, priority: 105, direction: Inbound, access: Allow, protocol: Tcp, sourceAddressPrefix: "*", sourcePortRange: "*", destinationAddressPrefix: "*", destinationPortRange: "22"}`,
		"    sku: Basic\n    enableTunneling: true\n    enableFileCopy: true", "")
	for i := 1; i < len(fs); i++ {
		a, b := fs[i-1], fs[i]
		if b.Pos.Before(a.Pos) || a.Pos == b.Pos && b.ID < a.ID {
			t.Errorf("findings out of order: %s %s before %s %s", a.Pos, a.ID, b.Pos, b.ID)
		}
	}
	if len(fs) < 3 {
		t.Errorf("findings %s, want NSG006 and two SKU001", ids(fs))
	}
}

// TestFindingRulesCatalogue checks that every finding ID has a title and a
// Microsoft Learn page, and is documented in findings.go and docs/findings.md.
func TestFindingRulesCatalogue(t *testing.T) {
	var docs []string
	for _, f := range []string{"findings.go", "../docs/findings.md"} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		docs = append(docs, string(b))
	}
	seen := map[string]bool{}
	for _, r := range FindingRules() {
		if seen[r.ID] {
			t.Errorf("duplicate ID %s", r.ID)
		}
		seen[r.ID] = true
		if r.Title == "" || r.ID != "EXP001" && !strings.HasPrefix(r.DocURL, "https://learn.microsoft.com/") {
			t.Errorf("rule %s: title %q doc %q", r.ID, r.Title, r.DocURL)
		}
		for i, d := range docs {
			if !strings.Contains(d, r.ID) {
				t.Errorf("finding %s is not documented in %s", r.ID, []string{"findings.go", "docs/findings.md"}[i])
			}
		}
	}
}
