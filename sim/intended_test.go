package sim

import (
	"strings"
	"testing"

	"github.com/nsgsim/nsgsim/topology"
)

const intendedBase = `
virtualNetworks:
  - name: hub
    addressSpace: [10.0.0.0/16]
    subnets:
      - {name: AzureBastionSubnet, addressPrefix: 10.0.0.0/26}
      - {name: work, addressPrefix: 10.0.1.0/24}
networkSecurityGroups:
  - name: nsg-quarantine
    securityRules:
      - {name: DenyRdp, priority: 100, direction: Inbound, access: Deny, protocol: Tcp, sourceAddressPrefix: "*", sourcePortRange: "*", destinationAddressPrefix: "*", destinationPortRange: "3389"}
virtualMachines:
  - {name: vm-open, subnet: hub/work, privateIpAddress: 10.0.1.4, os: Windows}
  - {name: vm-quarantined, subnet: hub/work, privateIpAddress: 10.0.1.5, os: Windows, networkSecurityGroup: nsg-quarantine}
bastionHosts:
  - {name: b, virtualNetwork: hub, sku: Standard}
expectations:
`

// TestIntendedDeny checks SPEC 1 and 5: an expectation with intended: true
// that holds marks the blocked flow as intended, which then counts in
// Intended and not in RequiredBlocked, and the run passes; without
// intended, or when the expectation does not hold, the flow counts as
// blocked.
func TestIntendedDeny(t *testing.T) {
	for _, tc := range []struct {
		name, exp                string
		intended, blocked, fails int
		ok                       bool
	}{
		{"intended", "  - {flow: b/rdp/vm-quarantined, verdict: Deny, intended: true}", 1, 0, 0, true},
		{"not intended", "  - {flow: b/rdp/vm-quarantined, verdict: Deny}", 0, 1, 0, false},
		{"no expectation", "", 0, 1, 0, false},
		{"wrong verdict", "  - {flow: b/rdp/vm-quarantined, verdict: Partial, intended: true}", 0, 1, 1, false},
		{"flow passes", "  - {flow: b/rdp/vm-open, verdict: Deny, intended: true}", 0, 1, 1, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			topo, err := topology.Parse("intended.yaml", []byte(intendedBase+tc.exp+"\n"))
			if err != nil {
				t.Fatal(err)
			}
			r, err := Simulate(topo)
			if err != nil {
				t.Fatal(err)
			}
			s := r.Summary
			if s.Intended != tc.intended || s.RequiredBlocked != tc.blocked || s.ExpectationsFailed != tc.fails || s.OK() != tc.ok {
				t.Errorf("summary %+v; want intended %d, requiredBlocked %d, expectationsFailed %d, OK %v",
					s, tc.intended, tc.blocked, tc.fails, tc.ok)
			}
			for _, res := range r.Results {
				if want := tc.intended == 1 && res.Flow.ID == "b/rdp/vm-quarantined"; res.Intended != want {
					t.Errorf("%s: Intended = %v, want %v", res.Flow.ID, res.Intended, want)
				}
			}
		})
	}
}

// TestIntendedAllowIsLoadError checks SPEC 1.1: intended: true on an
// expectation whose verdict is Allow is a positioned load error.
func TestIntendedAllowIsLoadError(t *testing.T) {
	_, err := topology.Parse("intended.yaml", []byte(intendedBase+"  - flow: b/rdp/vm-open\n    verdict: Allow\n    intended: true\n"))
	want := "intended.yaml:20:15: expectations[0]: intended: true marks a blocked flow as meant, but the verdict is Allow"
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("Parse = %v, want %q", err, want)
	}
}
