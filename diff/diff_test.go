package diff

import (
	"bytes"
	"io"
	"regexp"
	"strings"
	"testing"

	"github.com/nsgsim/nsgsim/internal/simtest"
)

const before = `
name: before
virtualNetworks:
  - name: hub
    addressSpace: [10.0.0.0/16]
    subnets:
      - {name: AzureBastionSubnet, addressPrefix: 10.0.0.0/26, networkSecurityGroup: nsg}
      - {name: work, addressPrefix: 10.0.1.0/24}
networkSecurityGroups:
  - name: nsg
    securityRules:
      - {name: allow-https, priority: 100, direction: Inbound, access: Allow, protocol: Tcp,
         sourceAddressPrefix: Internet, sourcePortRange: '*', destinationAddressPrefix: '*', destinationPortRange: '443'}
virtualMachines:
  - {name: vm1, subnet: hub/work, privateIpAddress: 10.0.1.4, os: Linux}
bastionHosts:
  - {name: b, virtualNetwork: hub}
`

// written is what write makes of d.
func written(t *testing.T, d *Result, write func(io.Writer, *Result) error) string {
	t.Helper()
	var buf bytes.Buffer
	if err := write(&buf, d); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

func TestCompare(t *testing.T) {
	// The change narrows 443 to an office range, adds a deny on SSH, and a
	// second VM.
	after := strings.Replace(before, "sourceAddressPrefix: Internet", "sourceAddressPrefix: 203.0.113.0/24", 1)
	after = strings.Replace(after, "destinationPortRange: '443'}", `destinationPortRange: '443'}
      - {name: deny-ssh, priority: 200, direction: Outbound, access: Deny, protocol: Tcp,
         sourceAddressPrefix: '*', sourcePortRange: '*', destinationAddressPrefix: '*', destinationPortRange: '22'}`, 1)
	after = strings.Replace(after, "os: Linux}", "os: Linux}\n  - {name: vm2, subnet: hub/work, privateIpAddress: 10.0.1.5, os: Windows}", 1)

	d := Compare(simtest.YAML(t, "before.yaml", before), simtest.YAML(t, "after.yaml", after))

	got := map[string]string{}
	for _, c := range d.Changed {
		got[c.ID] = c.Old.Verdict.String() + "->" + c.New.Verdict.String()
		if c.Broken() {
			got[c.ID] += " broken"
		}
	}
	want := map[string]string{
		"b/client-https/Internet": "Allow->Partial broken",
		"b/gatewaymanager-https":  "Allow->Deny broken",
		"b/ssh/vm1":               "Allow->Deny broken",
	}
	for id, w := range want {
		if got[id] != w {
			t.Errorf("change %s = %q, want %q", id, got[id], w)
		}
	}
	if len(d.Changed) != len(want) {
		t.Errorf("Compare: %d changes %v, want %d", len(d.Changed), got, len(want))
	}
	if d.Broken() != 3 {
		t.Errorf("Broken() = %d, want 3", d.Broken())
	}
	if len(d.Added) != 1 || d.Added[0].Flow.ID != "b/rdp/vm2" {
		t.Errorf("Added = %v, want b/rdp/vm2", d.Added)
	}
	if len(d.Removed) != 0 {
		t.Errorf("Removed = %v, want none", d.Removed)
	}
	// Broken flows come first.
	if !d.Changed[0].Broken() {
		t.Errorf("first change %s is not broken", d.Changed[0].ID)
	}

	tbl, js, mdown := written(t, d, WriteTable), written(t, d, WriteJSON), written(t, d, WriteMarkdown)
	for _, s := range []string{"3 flows changed (3 required flows broken), 1 added, 0 removed",
		"BROKEN  b/gatewaymanager-https", "nsg / deny-ssh / 200"} {
		if !strings.Contains(tbl, s) {
			t.Errorf("table lacks %q:\n%s", s, tbl)
		}
	}
	// Each changed flow names the rule change that decided it.
	for _, c := range d.Changed {
		want := map[string]string{
			"b/ssh/vm1":               "+ nsg/deny-ssh",
			"b/client-https/Internet": "~ nsg/allow-https",
		}[c.ID]
		if got := refs(c.Rules); want != "" && got != want {
			t.Errorf("change %s: by rule change %q, want %q", c.ID, got, want)
		}
	}
	if row := regexp.MustCompile(`(?m)^BROKEN +b/ssh/vm1 .*\+ nsg/deny-ssh$`); !row.MatchString(tbl) {
		t.Errorf("table's b/ssh/vm1 row does not name the added rule:\n%s", tbl)
	}
	if !strings.Contains(js, `"rules": [
        {
          "change": "added",
          "nsg": "nsg",
          "rule": "deny-ssh"
        }
      ]`) {
		t.Errorf("JSON change of b/ssh/vm1 does not name the added rule:\n%s", js)
	}
	if !strings.Contains(js, `"broken": 3`) {
		t.Errorf("JSON lacks the summary:\n%s", js)
	}
	if !strings.Contains(mdown, "**This change blocks 3 required Bastion flows.**") {
		t.Errorf("Markdown lacks the headline:\n%s", mdown)
	}
}

func TestCompareIdentical(t *testing.T) {
	r := simtest.YAML(t, "a.yaml", before)
	d := Compare(r, simtest.YAML(t, "b.yaml", before))
	if len(d.Changed)+len(d.Added)+len(d.Removed)+len(d.FindingsAdded)+len(d.FindingsRemoved) != 0 {
		t.Errorf("Compare(same, same) = %+v, want no difference", d)
	}
}
