package sim

import (
	"strings"
	"testing"

	"github.com/nsgsim/nsgsim/topology"
)

// TestAzureNamingRules checks each rule of "Naming rules and restrictions
// for Azure resources" (urlNamingRules) that NAME001 encodes.
func TestAzureNamingRules(t *testing.T) {
	for _, tc := range []struct {
		rule azureName
		name string
		want string // "" when Azure accepts the name
	}{
		{nameNSG, "nsg-bastion", ""},
		{nameNSG, "nsg_1.a_", ""},
		{nameNSG, "a", ""},
		{nameNSG, strings.Repeat("n", 80), ""},
		{nameNSG, strings.Repeat("n", 81), "81 characters long; Azure allows 1 to 80"},
		{nameRule, "Allow Https", "holds ' '"},
		{nameRule, "-deny", "must start with a letter or digit"},
		{nameRule, "deny.", "must end with a letter, digit or underscore"},
		{nameSubnet, "snet$(id)", "holds '$'"},
		{nameSubnet, "café", "holds 'é'"},
		{nameVNet, "h", "1 characters long; Azure allows 2 to 64"},
		{nameVNet, strings.Repeat("v", 65), "65 characters long; Azure allows 2 to 64"},
		{nameBastion, "bastion`x`", "holds '`'"},
		{nameASG, "asg-web", ""},
		{nameVM, "vm-web-1", ""},
		{nameVM, "vm.web_1", ""},
		{nameVM, "vm(web)", ""}, // parentheses are not among the characters VMs can't use
		{nameVM, strings.Repeat("v", 65), "65 characters long; Azure allows 1 to 64"},
		{nameVM, "vm;reboot", "holds ';'"},
		{nameVM, "vm web", "holds ' '"},
		{nameVM, "_vm", "must not start with an underscore"},
		{nameVM, "vm-", "must not end with a period or a hyphen"},
		{nameVM, "vm.", "must not end with a period or a hyphen"},
	} {
		got := tc.rule.problem(tc.name)
		if tc.want == "" && got != "" || tc.want != "" && !strings.Contains(got, tc.want) {
			t.Errorf("%s name %q: problem = %q, want %q", tc.rule.kind, tc.name, got, tc.want)
		}
	}
}

// TestNameFindings checks that names which load but which Azure rejects are
// error findings at the name's position, one per name.
func TestNameFindings(t *testing.T) {
	src := `virtualNetworks:
  - name: hub
    addressSpace: [10.0.0.0/16]
    subnets:
      - name: "work load"
        addressPrefix: 10.0.1.0/24
networkSecurityGroups:
  - name: "nsg-$(reboot)"
    securityRules:
      - name: "allow ssh"
        priority: 100
        direction: Inbound
        access: Allow
        protocol: Tcp
        sourceAddressPrefix: VirtualNetwork
        sourcePortRange: "*"
        destinationAddressPrefix: "*"
        destinationPortRange: "22"
virtualMachines:
  - name: "vm;1"
    subnet: hub/work load
    privateIpAddress: 10.0.1.4
    os: Linux
clients:
  - name: "office; not an Azure resource"
    addressPrefix: 203.0.113.0/24
`
	topo, err := topology.Parse("names.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	r, err := Simulate(topo)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range r.Findings {
		if f.ID == "NAME001" {
			if f.Severity != SeverityError || f.DocURL != urlNamingRules {
				t.Errorf("NAME001 %s: severity %s, doc %q", f.Pos, f.Severity, f.DocURL)
			}
			got = append(got, f.Pos.String()+": "+f.Message)
		}
	}
	want := []string{
		`names.yaml:5:15: subnet name "work load" holds ' '; only letters a-z and A-Z, digits, underscores, periods and hyphens are allowed (Azure naming rules)`,
		`names.yaml:8:11: network security group name "nsg-$(reboot)" holds '$'; only letters a-z and A-Z, digits, underscores, periods and hyphens are allowed (Azure naming rules)`,
		`names.yaml:10:15: security rule name "allow ssh" holds ' '; only letters a-z and A-Z, digits, underscores, periods and hyphens are allowed (Azure naming rules)`,
		`names.yaml:20:11: virtual machine name "vm;1" holds ';', which Azure does not allow in a virtual machine name (Azure naming rules)`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("NAME001 findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
