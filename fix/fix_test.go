package fix

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/nsgsim/nsgsim/scenarios"
	"github.com/nsgsim/nsgsim/sim"
	"github.com/nsgsim/nsgsim/topology"
)

// TestFixLoop applies the YAML fix to every built-in scenario, loads the
// patched file again with topology.Parse, and simulates it: no required flow
// may be blocked, there may be no error finding, and simulate must exit 0.
// Several scenarios assert a Deny on purpose (that is what they teach); the
// fix rewrites the expectations of the flows it changes, so they hold. The
// test also checks the patched file with those expectations dropped, so that
// a rewritten expectation cannot hide a blocked flow.
func TestFixLoop(t *testing.T) {
	list := scenarios.List()
	if len(list) == 0 {
		t.Fatal("no built-in scenarios")
	}
	for _, s := range list {
		t.Run(s.Name, func(t *testing.T) {
			_, plan := scenarioPlan(t, s.Name)
			var buf bytes.Buffer
			if err := plan.WriteYAML(&buf); err != nil {
				t.Fatalf("WriteYAML: %v", err)
			}
			patched, err := topology.Parse(s.Name+"-fixed.yaml", buf.Bytes())
			if err != nil {
				t.Fatalf("Parse(fixed YAML): %v\n%s", err, buf.String())
			}
			withExp, err := sim.Simulate(patched)
			if err != nil {
				t.Fatalf("Simulate: %v", err)
			}
			if !withExp.Summary.OK() {
				t.Errorf("simulate of the fixed YAML would exit 1: %+v", withExp.Summary)
			}
			// Flows blocked by intent stay blocked: the fix leaves them alone.
			intended := make(map[string]bool)
			for _, res := range withExp.Results {
				intended[res.Flow.ID] = res.Intended
			}
			patched.Expectations = nil
			r, err := sim.Simulate(patched)
			if err != nil {
				t.Fatalf("Simulate: %v", err)
			}
			for _, res := range r.Results {
				if res.Blocked() && res.Flow.Requirement == topology.Required && !intended[res.Flow.ID] {
					t.Errorf("after the fix, required flow %s is %s: %s", res.Flow.ID, res.Verdict, sim.HopsText(res.Hops))
				}
			}
			for _, f := range r.Findings {
				if f.Severity == sim.SeverityError {
					t.Errorf("after the fix: %s %s: %s", f.Pos, f.ID, f.Message)
				}
			}
			if len(plan.Notes) > 0 {
				t.Errorf("notes: %q", plan.Notes)
			}
		})
	}
}

// TestFixKeepsOtherVerdicts checks, on every scenario, that the fix changes
// no verdict except of required and recommended flows that were blocked,
// and that those only become less blocked.
func TestFixKeepsOtherVerdicts(t *testing.T) {
	rank := map[topology.Verdict]int{topology.VerdictDeny: 0, topology.VerdictPartial: 1, topology.VerdictAllow: 2}
	for _, s := range scenarios.List() {
		t.Run(s.Name, func(t *testing.T) {
			topo, plan := scenarioPlan(t, s.Name)
			after := make(map[string]*sim.Result)
			for _, r := range plan.After.Results {
				after[r.Flow.ID] = r
			}
			for _, b := range plan.Before.Results {
				a := after[b.Flow.ID]
				if a == nil {
					t.Errorf("flow %s disappeared", b.Flow.ID)
					continue
				}
				if a.Verdict == b.Verdict {
					continue
				}
				if b.Flow.Requirement == topology.Optional || rank[a.Verdict] < rank[b.Verdict] {
					t.Errorf("flow %s (%s) changed from %s to %s", b.Flow.ID, b.Flow.Requirement, b.Verdict, a.Verdict)
				}
			}
			// The fix only adds rules, and moves existing ones without
			// reordering them.
			for _, g := range topo.NetworkSecurityGroups {
				pg := plan.Patched.NetworkSecurityGroupByName(g.Name)
				for _, r := range g.SecurityRules {
					found := false
					for _, pr := range pg.SecurityRules {
						if pr.Name == r.Name {
							found = true
							if pr.Access != r.Access || pr.Direction != r.Direction || pr.Protocol != r.Protocol {
								t.Errorf("rule %s/%s changed", g.Name, r.Name)
							}
						}
					}
					if !found {
						t.Errorf("rule %s/%s was removed", g.Name, r.Name)
					}
				}
			}
		})
	}
}

// scenarioPlan loads a built-in scenario and computes its fix.
func scenarioPlan(t *testing.T, name string) (*topology.Topology, *Plan) {
	t.Helper()
	topo, err := scenarios.Load(name)
	if err != nil {
		t.Fatal(err)
	}
	return topo, computePlan(t, topo)
}

// yamlPlan parses a topology given as YAML text and computes its fix.
func yamlPlan(t *testing.T, file, src string) (*topology.Topology, *Plan) {
	t.Helper()
	topo, err := topology.Parse(file, []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return topo, computePlan(t, topo)
}

// computePlan is Compute(topo), failing t on an error.
func computePlan(t testing.TB, topo *topology.Topology) *Plan {
	t.Helper()
	plan, err := Compute(topo)
	if err != nil {
		t.Fatalf("Compute: %v", err)
	}
	return plan
}

// TestFixNothingToDo checks that the reference deployment needs no rule.
func TestFixNothingToDo(t *testing.T) {
	_, plan := scenarioPlan(t, "reference")
	if len(plan.Added) != 0 || len(plan.Moves) != 0 || len(plan.Notes) != 0 {
		t.Errorf("Compute(reference) added %d rules, %d moves, notes %q; want nothing", len(plan.Added), len(plan.Moves), plan.Notes)
	}
}

const missingGatewayManager = `
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
      - {name: AllowHttpsInbound, priority: 120, direction: Inbound, access: Allow, protocol: Tcp, sourceAddressPrefix: 203.0.113.0/24, sourcePortRange: "*", destinationAddressPrefix: "*", destinationPortRange: "443"}
      - {name: AllowAzureLoadBalancerInbound, priority: 140, direction: Inbound, access: Allow, protocol: Tcp, sourceAddressPrefix: AzureLoadBalancer, sourcePortRange: "*", destinationAddressPrefix: "*", destinationPortRange: "443"}
      - {name: AllowBastionHostCommunication, priority: 150, direction: Inbound, access: Allow, protocol: "*", sourceAddressPrefix: VirtualNetwork, sourcePortRange: "*", destinationAddressPrefix: VirtualNetwork, destinationPortRanges: ["8080", "5701"]}
      - {name: DenyAllInbound, priority: 4096, direction: Inbound, access: Deny, protocol: "*", sourceAddressPrefix: "*", sourcePortRange: "*", destinationAddressPrefix: "*", destinationPortRange: "*"}
      - {name: AllowSshRdpOutbound, priority: 100, direction: Outbound, access: Allow, protocol: "*", sourceAddressPrefix: "*", sourcePortRange: "*", destinationAddressPrefix: VirtualNetwork, destinationPortRanges: ["22", "3389"]}
      - {name: AllowAzureCloudOutbound, priority: 110, direction: Outbound, access: Allow, protocol: Tcp, sourceAddressPrefix: "*", sourcePortRange: "*", destinationAddressPrefix: AzureCloud, destinationPortRange: "443"}
      - {name: AllowBastionCommunication, priority: 120, direction: Outbound, access: Allow, protocol: "*", sourceAddressPrefix: VirtualNetwork, sourcePortRange: "*", destinationAddressPrefix: VirtualNetwork, destinationPortRanges: ["8080", "5701"]}
      - {name: AllowHttpOutbound, priority: 130, direction: Outbound, access: Allow, protocol: "*", sourceAddressPrefix: "*", sourcePortRange: "*", destinationAddressPrefix: Internet, destinationPortRange: "80"}
  - name: nsg-work
    securityRules:
      - {name: DenySsh, priority: 100, direction: Inbound, access: Deny, protocol: Tcp, sourceAddressPrefix: "*", sourcePortRange: "*", destinationAddressPrefix: "*", destinationPortRange: "22"}
clients:
  - {name: office, addressPrefix: 203.0.113.0/24}
virtualMachines:
  - {name: vm1, subnet: hub/work, privateIpAddress: 10.0.1.4, os: Linux}
bastionHosts:
  - {name: bastion, virtualNetwork: hub, sku: Standard}
`

// TestFixRules checks the rules chosen for a missing GatewayManager rule
// behind a deny-all and an SSH Deny at priority 100 on the VM subnet.
func TestFixRules(t *testing.T) {
	_, plan := yamlPlan(t, "unit.yaml", missingGatewayManager)
	if !plan.OK() {
		t.Fatalf("plan not OK: %q", plan.Notes)
	}
	want := map[string]string{
		"nsg-bastion/AllowGatewayManagerInbound": "160 Inbound Allow Tcp GatewayManager:* -> *:443",
		"nsg-work/AllowSshRdpFromBastion":        "100 Inbound Allow Tcp 10.0.0.0/26:* -> 10.0.1.0/24:22",
	}
	if len(plan.Added) != len(want) {
		t.Errorf("added %d rules, want %d", len(plan.Added), len(want))
	}
	for _, a := range plan.Added {
		r := a.Rule
		got := strings.Join([]string{
			strconv.Itoa(r.Priority), r.Direction.String(), r.Access.String(), r.Protocol.String(),
			r.Source.String() + ":" + topology.PortRangesString(r.SourcePorts), "->",
			r.Destination.String() + ":" + topology.PortRangesString(r.DestinationPorts),
		}, " ")
		if w := want[a.NSG+"/"+r.Name]; got != w {
			t.Errorf("added %s/%s = %q, want %q", a.NSG, r.Name, got, w)
		}
	}
	if len(plan.Moves) != 1 || plan.Moves[0].Rule.Name != "DenySsh" || plan.Moves[0].From != 100 || plan.Moves[0].To != 101 {
		t.Errorf("moves = %+v, want DenySsh 100 -> 101", plan.Moves)
	}
}

// TestEmitters checks the az, Bicep and Terraform forms of a plan against
// golden files (NSGSIM_UPDATE=1 go test ./fix rewrites them).
func TestEmitters(t *testing.T) {
	_, plan := yamlPlan(t, "unit.yaml", missingGatewayManager)
	for _, format := range Formats {
		if format == "patch" {
			continue // needs the YAML file on disk: TestFixEditsDocument
		}
		t.Run(format, func(t *testing.T) {
			var buf bytes.Buffer
			if err := plan.Write(&buf, format); err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", "unit."+format+".golden")
			if os.Getenv("NSGSIM_UPDATE") != "" {
				if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run NSGSIM_UPDATE=1 go test ./fix)", err)
			}
			if !bytes.Equal(buf.Bytes(), want) {
				t.Errorf("%s output differs from %s:\n%s", format, golden, buf.String())
			}
		})
	}
}

// TestAzCommandsAreWellFormed checks each az command of every scenario's
// fix: the required arguments are there and every quote is closed.
func TestAzCommandsAreWellFormed(t *testing.T) {
	need := []string{"--resource-group", "--nsg-name", "--name", "--priority", "--direction", "--access", "--protocol",
		"--source-address-prefixes", "--source-port-ranges", "--destination-address-prefixes", "--destination-port-ranges"}
	for _, s := range scenarios.List() {
		_, plan := scenarioPlan(t, s.Name)
		var buf bytes.Buffer
		if err := plan.WriteAz(&buf); err != nil {
			t.Fatal(err)
		}
		cmds := strings.Split(strings.ReplaceAll(buf.String(), "\\\n", " "), "\n")
		n := 0
		for _, c := range cmds {
			if !strings.HasPrefix(c, "az network nsg rule create") {
				continue
			}
			n++
			for _, a := range need {
				if !strings.Contains(c, " "+a+" ") {
					t.Errorf("%s: command lacks %s: %s", s.Name, a, c)
				}
			}
			if strings.Count(c, "'")%2 != 0 {
				t.Errorf("%s: unbalanced quotes: %s", s.Name, c)
			}
		}
		if n != len(plan.Added) {
			t.Errorf("%s: %d create commands for %d rules", s.Name, n, len(plan.Added))
		}
	}
}

func TestSlots(t *testing.T) {
	nsg := &topology.NetworkSecurityGroup{Name: "n"}
	for _, p := range []int{100, 110, 115, 4096} {
		nsg.SecurityRules = append(nsg.SecurityRules, &topology.SecurityRule{Name: strconv.Itoa(p), Priority: p, Direction: topology.Inbound})
	}
	tests := []struct {
		bound int
		want  []int
	}{
		{4097, []int{120, 112, 105}}, // nothing after 4096; then the gaps 115-4096, 110-115, 100-110
		{4096, []int{120, 112, 105}},
		{110, []int{105}},
		{100, nil},
	}
	for _, tt := range tests {
		got := slots(nsg, topology.Inbound, tt.bound)
		if !equalInts(got, tt.want) {
			t.Errorf("slots(bound %d) = %v, want %v", tt.bound, got, tt.want)
		}
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestQuoting(t *testing.T) {
	tests := []struct{ in, sh, bicep, tf string }{
		{"*", "'*'", "'*'", `"*"`},
		{"10.0.0.0/26", "10.0.0.0/26", "'10.0.0.0/26'", `"10.0.0.0/26"`},
		{"it's", `'it'\''s'`, `'it\'s'`, `"it's"`},
		{"${x}", "'${x}'", `'\${x}'`, `"$${x}"`},
	}
	for _, tt := range tests {
		if got := shq(tt.in); got != tt.sh {
			t.Errorf("shq(%q) = %s, want %s", tt.in, got, tt.sh)
		}
		if got := bicepStr(tt.in); got != tt.bicep {
			t.Errorf("bicepStr(%q) = %s, want %s", tt.in, got, tt.bicep)
		}
		if got := tfStr(tt.in); got != tt.tf {
			t.Errorf("tfStr(%q) = %s, want %s", tt.in, got, tt.tf)
		}
	}
	if got := bicepIdent("nsg-bastion-AllowHttpsInbound"); got != "nsgBastionAllowHttpsInbound" {
		t.Errorf("bicepIdent = %s", got)
	}
	if got := tfIdent("nsg-bastion_AllowHttpsInbound"); !regexp.MustCompile(`^[a-z_][a-z0-9_]*$`).MatchString(got) {
		t.Errorf("tfIdent = %s", got)
	}
}

// TestFixLeavesIntendedDenies checks that fix leaves a flow blocked by
// intent alone: on hub-three-spokes the quarantine of dev-win-4 (its NIC
// NSG's Deny, marked intended: true) is neither moved nor overridden, while
// the scenario's mistake (nsg-data's DenyRdpFromHub) is fixed.
func TestFixLeavesIntendedDenies(t *testing.T) {
	_, plan := scenarioPlan(t, "hub-three-spokes")
	touched := map[string]bool{}
	for _, a := range plan.Added {
		touched[a.NSG] = true
	}
	for _, m := range plan.Moves {
		touched[m.NSG] = true
	}
	if touched["nsg-nic-quarantine"] || !touched["nsg-data"] {
		t.Errorf("fix touched %v; want nsg-data and not nsg-nic-quarantine", touched)
	}
	for _, r := range plan.After.Results {
		if r.Flow.ID == "bastion-hub/rdp/dev-win-4" && (r.Verdict != topology.VerdictDeny || !r.Intended) {
			t.Errorf("after the fix %s is %s (intended %v); want an intended Deny", r.Flow.ID, r.Verdict, r.Intended)
		}
	}
	if !plan.OK() || plan.After.Summary.Intended != 1 {
		t.Errorf("plan OK %v, summary %+v; want OK with one intended deny", plan.OK(), plan.After.Summary)
	}
}
