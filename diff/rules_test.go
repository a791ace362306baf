package diff

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/nsgsim/nsgsim/internal/simtest"
)

// TestRuleChanges checks that diff shows the rules added, removed and
// changed, field by field, in the table, the Markdown and the JSON.
func TestRuleChanges(t *testing.T) {
	old := strings.Replace(before, "destinationPortRange: '443'}", `destinationPortRange: '443'}
      - {name: Allow-SSH, priority: 100, direction: Inbound, access: Allow, protocol: Tcp,
         sourceAddressPrefix: 10.0.0.0/26, sourcePortRange: '*', destinationAddressPrefix: '*', destinationPortRange: '22'}
      - {name: old-rule, priority: 300, direction: Outbound, access: Deny, protocol: Udp,
         sourceAddressPrefix: '*', sourcePortRange: '*', destinationAddressPrefix: '*', destinationPortRange: '53'}`, 1)
	old = strings.Replace(old, "priority: 100, direction: Inbound, access: Allow, protocol: Tcp,\n         sourceAddressPrefix: Internet", "priority: 110, direction: Inbound, access: Allow, protocol: Tcp,\n         sourceAddressPrefix: Internet", 1)
	cur := strings.Replace(old, `{name: Allow-SSH, priority: 100, direction: Inbound, access: Allow, protocol: Tcp,
         sourceAddressPrefix: 10.0.0.0/26, sourcePortRange: '*', destinationAddressPrefix: '*', destinationPortRange: '22'}`,
		`{name: allow-ssh, priority: 101, direction: Inbound, access: Allow, protocol: Tcp,
         sourceAddressPrefix: 10.0.0.0/26, sourcePortRange: '*', destinationAddressPrefix: '*', destinationPortRanges: ['22', '2222']}
      - {name: deny-rdp, priority: 200, direction: Inbound, access: Deny, protocol: Tcp,
         sourceAddressPrefix: '*', sourcePortRange: '*', destinationAddressPrefix: '*', destinationPortRange: '3389'}`, 1)
	i := strings.Index(cur, "      - {name: old-rule")
	j := strings.Index(cur[i:], "'53'}\n") + i + len("'53'}\n")
	cur = cur[:i] + cur[j:]

	d := Compare(simtest.YAML(t, "old.yaml", old), simtest.YAML(t, "new.yaml", cur))
	var got []string
	for _, c := range d.Rules {
		got = append(got, c.Kind.mark()+" "+c.NSG+"/"+c.Rule+": "+c.Detail())
	}
	want := []string{
		"~ nsg/allow-ssh: priority 100 → 101; destinationPorts 22 → 22, 2222",
		"+ nsg/deny-rdp: priority 200 Inbound Deny Tcp from * to * port 3389",
		"- nsg/old-rule: priority 300 Outbound Deny Udp from * to * port 53",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("rule changes:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	tbl, js, mdown := written(t, d, WriteTable), written(t, d, WriteJSON), written(t, d, WriteMarkdown)
	for _, s := range []string{
		"rules +1 −1 ~1",
		"Rules:\n  ~ nsg / allow-ssh: priority 100 → 101; destinationPorts 22 → 22, 2222\n  + nsg / deny-rdp: priority 200 Inbound Deny Tcp from * to * port 3389\n",
	} {
		if !strings.Contains(tbl, s) {
			t.Errorf("table lacks %q:\n%s", s, tbl)
		}
	}
	if s := "| ~ | `nsg` | `allow-ssh` | priority 100 → 101; destinationPorts 22 → 22, 2222 |"; !strings.Contains(strings.ReplaceAll(mdown, `\~`, "~"), s) {
		t.Errorf("Markdown lacks %q:\n%s", s, mdown)
	}
	var doc Document
	if err := json.Unmarshal([]byte(js), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Summary.Rules != 3 || len(doc.Rules) != 3 {
		t.Fatalf("JSON rules %+v, summary %+v", doc.Rules, doc.Summary)
	}
	c := doc.Rules[0]
	if c.Change != "changed" || c.Before.Priority != 100 || c.After.Priority != 101 || c.After.DestinationPorts != "22, 2222" ||
		len(c.Fields) != 2 || c.Fields[1] != (FieldChange{"destinationPorts", "22", "22, 2222"}) {
		t.Errorf("JSON rule change %+v", c)
	}
	if doc.Rules[1].Change != "added" || doc.Rules[1].Before != nil || doc.Rules[2].Change != "removed" || doc.Rules[2].After != nil {
		t.Errorf("JSON rule changes %+v", doc.Rules)
	}
}
