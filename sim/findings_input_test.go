package sim

import (
	"strings"
	"testing"

	"github.com/nsgsim/nsgsim/topology"
)

// TestUnknownOS checks SPEC 1: a VM written without os gets no ssh or rdp
// flow, keeps its custom-port flows, and gets a VM002 warning at its
// position.
func TestUnknownOS(t *testing.T) {
	src := strings.Replace(findingsBase, "  - {name: vm-windows,", "  - {name: vm-unknown, subnet: hub/work, privateIpAddress: 10.0.1.6}\n  - {name: vm-windows,", 1)
	for _, tc := range []struct {
		name, host string
		want       []string // flow IDs to vm-unknown
	}{
		{"standard", "    sku: Standard\n    customPorts: [2222]", []string{"bastion/port-2222/vm-unknown"}},
		{"developer", "    sku: Developer", nil},
		{"basic", "    sku: Basic", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			topo, err := topology.Parse("unit.yaml", []byte(fmtBase(src, tc.host)))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			vm := topo.VirtualMachineByName("vm-unknown")
			if vm.OS != topology.UnknownOS {
				t.Fatalf("OS = %v, want %v", vm.OS, topology.UnknownOS)
			}
			var got []string
			known := 0
			for _, f := range Flows(topo) {
				switch f.Target {
				case "vm-unknown":
					got = append(got, f.ID)
				case "vm-linux", "vm-windows":
					known++
				}
			}
			if strings.Join(got, " ") != strings.Join(tc.want, " ") {
				t.Errorf("flows to vm-unknown = %q, want %q", got, tc.want)
			}
			if known < 2 {
				t.Errorf("%d flows to the VMs of known OS, want at least 2", known)
			}
			r, err := Simulate(topo)
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for _, f := range r.Findings {
				if f.ID != "VM002" {
					continue
				}
				n++
				if f.Pos != vm.Pos || f.Severity != SeverityWarning || !strings.Contains(f.Message, `"vm-unknown"`) {
					t.Errorf("VM002 = %+v, want a warning naming vm-unknown at %v", f, vm.Pos)
				}
			}
			if n != 1 {
				t.Errorf("%d VM002 findings, want 1: %s", n, ids(r.Findings))
			}
		})
	}
}

// fmtBase fills findingsBase's Bastion host slot with host, the others empty.
func fmtBase(src, host string) string {
	r := strings.NewReplacer("%[1]s", "", "%[2]s", "", "%[3]s", host, "%[4]s", "")
	return r.Replace(src)
}

// TestImportWarningsAreFindings checks that each warning an importer left
// in Topology.Warnings is an IMP001 warning finding at its position.
func TestImportWarningsAreFindings(t *testing.T) {
	topo, err := topology.Parse("unit.yaml", []byte(fmtBase(findingsBase, "")))
	if err != nil {
		t.Fatal(err)
	}
	at := topology.Pos{File: "vms.json", Path: "[3].properties"}
	topo.Warnings.Add(at, "1 VM scale set is not modelled: %q", "vmss")
	topo.Warnings = append(topo.Warnings, topology.Errorf(topology.Pos{File: "nsg.json", Line: 4, Col: 7}, "IPv6 prefix dropped").At("rule at", topology.Pos{File: "nsg.json", Line: 2, Col: 3}))
	r, err := Simulate(topo)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range r.Findings {
		if f.ID == "IMP001" {
			if f.Severity != SeverityWarning {
				t.Errorf("IMP001 severity = %v, want warning", f.Severity)
			}
			got = append(got, f.Pos.String()+" "+f.Message)
		}
	}
	want := []string{
		`nsg.json:4:7 IPv6 prefix dropped (rule at 2:3)`,
		`vms.json: [3].properties 1 VM scale set is not modelled: "vmss"`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("IMP001 findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestIPv6RuleMatchesNothing checks that a rule whose source prefixes are
// all IPv6 decides no flow (a Deny ahead of the Bastion Allow blocks
// nothing), that IPv6 prefixes beside IPv4 ones do not widen a rule, and
// that each such side is an NSG007 warning at its position.
func TestIPv6RuleMatchesNothing(t *testing.T) {
	work := `      - {name: DenyV6, priority: 100, direction: Inbound, access: Deny, protocol: "*", sourceAddressPrefixes: ["2001:db8::/32", "::/0"], sourcePortRange: "*", destinationAddressPrefix: "*", destinationPortRange: "*"}
      - {name: DenyMixed, priority: 110, direction: Inbound, access: Deny, protocol: "*", sourceAddressPrefixes: ["203.0.113.0/24", "::/0"], sourcePortRange: "*", destinationAddressPrefix: "*", destinationPortRange: "*"}`
	src := strings.NewReplacer("%[1]s", "", "%[2]s", work, "%[3]s", "", "%[4]s", "",
		"{name: AllowSshRdpFromBastion, priority: 100,", "{name: AllowSshRdpFromBastion, priority: 200,").Replace(findingsBase)
	topo, err := topology.Parse("unit.yaml", []byte(src))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	r, err := Simulate(topo)
	if err != nil {
		t.Fatal(err)
	}
	for _, res := range r.Results {
		if res.Flow.ID == "bastion/ssh/vm-linux" || res.Flow.ID == "bastion/rdp/vm-windows" {
			if res.Verdict != topology.VerdictAllow {
				t.Errorf("%s = %v (%s), want Allow: IPv6 prefixes match no IPv4 flow", res.Flow.ID, res.Verdict, HopsText(res.Hops))
			}
		}
	}
	rules := topo.NetworkSecurityGroupByName("nsg-work").SecurityRules
	var got []string
	for _, f := range r.Findings {
		if f.ID == "NSG007" {
			got = append(got, f.Pos.String()+" "+f.Message)
		}
	}
	want := []string{
		rules[2].At("sourceAddressPrefixes[0]").String() + ` rule "DenyV6" (priority 100) of network security group "nsg-work": its source prefixes are all IPv6 (2001:db8::/32,::/0), so it matches no flow (Azure Bastion and nsgsim are IPv4 only); in Azure it still holds priority 100 inbound`,
		rules[3].At("sourceAddressPrefixes[1]").String() + ` rule "DenyMixed" (priority 110) of network security group "nsg-work": its IPv6 source prefixes (::/0) match no flow (Azure Bastion and nsgsim are IPv4 only); its IPv4 ones do`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("NSG007 findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
