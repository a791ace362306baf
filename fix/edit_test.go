package fix

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/nsgsim/nsgsim/scenarios"
	"github.com/nsgsim/nsgsim/sim"
	"github.com/nsgsim/nsgsim/topology"
)

// commented is a topology as a person writes it: comments everywhere, keys
// in their own order, quoting of every kind, block and flow style. Its fix
// adds a documented rule inside a block list (before a commented Deny),
// adds a rule and moves a Deny inside a flow list, adds a securityRules
// list to an NSG that has none, and rewrites an expectation.
const commented = `# Contoso hub: Bastion and two workloads.
name: 'contoso'   # the diagram title

virtualNetworks:
  - name: hub
    addressSpace: [10.0.0.0/16]   # one prefix
    subnets:
      - {name: AzureBastionSubnet, addressPrefix: 10.0.0.0/26, networkSecurityGroup: nsg-bastion}
      - {name: work, addressPrefix: 10.0.1.0/24, networkSecurityGroup: nsg-work}
      - name: app
        addressPrefix: "10.0.2.0/24"
        networkSecurityGroup: nsg-app

networkSecurityGroups:
  # The Bastion subnet's NSG: someone forgot GatewayManager.
  - name: nsg-bastion
    securityRules:
      - name: AllowHttpsInbound   # users
        priority: 120
        direction: Inbound
        access: Allow
        protocol: Tcp
        sourceAddressPrefix: 203.0.113.0/24
        sourcePortRange: "*"
        destinationAddressPrefix: '*'
        destinationPortRange: "443"
      - {name: AllowAzureLoadBalancerInbound, priority: 140, direction: Inbound, access: Allow, protocol: Tcp, sourceAddressPrefix: AzureLoadBalancer, sourcePortRange: "*", destinationAddressPrefix: "*", destinationPortRange: "443"}
      - {name: AllowBastionHostCommunication, priority: 150, direction: Inbound, access: Allow, protocol: "*", sourceAddressPrefix: VirtualNetwork, sourcePortRange: "*", destinationAddressPrefix: VirtualNetwork, destinationPortRanges: ["8080", "5701"]}
      # Nothing else gets in.
      - name: DenyAllInbound
        priority: 4096
        access: Deny          # keys in another order
        direction: Inbound
        protocol: "*"
        sourceAddressPrefix: "*"
        sourcePortRange: "*"
        destinationAddressPrefix: "*"
        destinationPortRange: "*"
      - {name: AllowSshRdpOutbound, priority: 100, direction: Outbound, access: Allow, protocol: "*", sourceAddressPrefix: "*", sourcePortRange: "*", destinationAddressPrefix: VirtualNetwork, destinationPortRanges: ["22", "3389"]}
      - {name: AllowAzureCloudOutbound, priority: 110, direction: Outbound, access: Allow, protocol: Tcp, sourceAddressPrefix: "*", sourcePortRange: "*", destinationAddressPrefix: AzureCloud, destinationPortRange: "443"}
      - {name: AllowBastionCommunication, priority: 120, direction: Outbound, access: Allow, protocol: "*", sourceAddressPrefix: VirtualNetwork, sourcePortRange: "*", destinationAddressPrefix: VirtualNetwork, destinationPortRanges: ["8080", "5701"]}
      - {name: AllowHttpOutbound, priority: 130, direction: Outbound, access: Allow, protocol: "*", sourceAddressPrefix: "*", sourcePortRange: "*", destinationAddressPrefix: Internet, destinationPortRange: "80"}
  - name: nsg-work   # SSH is denied first: the mistake this file teaches
    securityRules: [{name: DenySsh, priority: 100, direction: Inbound, access: Deny, protocol: Tcp,
                     sourceAddressPrefix: "*", sourcePortRange: "*", destinationAddressPrefix: "*", destinationPortRange: "22"}]
  - name: nsg-app    # no rules yet

clients:
  - {name: office, addressPrefix: 203.0.113.0/24}

virtualMachines:
  - {name: vm1, subnet: hub/work, privateIpAddress: 10.0.1.4, os: Linux}
  - name: vm2
    subnet: hub/app
    privateIpAddress: 10.0.2.4   # the API server
    os: Linux

bastionHosts:
  - {name: bastion, virtualNetwork: hub, sku: Standard}

flows:
  - {name: api, source: office, destination: vm2, protocol: Tcp, destinationPort: 8443, requirement: required}

expectations:
  - flow: bastion/ssh/vm1
    verdict: "Deny"   # what the mistake does today
`

// writeTopology writes src to a file in a new directory and loads it.
func writeTopology(t *testing.T, name, src string) (string, *topology.Topology) {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	topo, err := topology.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	return path, topo
}

// TestFixEditsDocument fixes a commented topology: every line of the
// original survives but the lines the fix changes (a moved priority, an
// expectation's verdict), every comment among them; the new lines are
// rules and the comments that explain them; the result loads and passes;
// and the patch applies with git apply to give the same document.
func TestFixEditsDocument(t *testing.T) {
	path, topo := writeTopology(t, "topo.yaml", commented)
	plan := computePlan(t, topo)
	if len(plan.Added) != 3 || len(plan.Moves) != 1 || len(plan.Expectations) != 1 {
		t.Fatalf("plan: %d added, %d moves, %d expectations; want 3, 1, 1 (notes %q)", len(plan.Added), len(plan.Moves), len(plan.Expectations), plan.Notes)
	}
	var out bytes.Buffer
	if err := plan.WriteYAML(&out); err != nil {
		t.Fatal(err)
	}
	fixed := out.String()

	// Every comment survives.
	for _, l := range strings.Split(commented, "\n") {
		if i := strings.Index(l, "#"); i >= 0 && !strings.Contains(fixed, l[i:]) {
			t.Errorf("comment %q was lost", l[i:])
		}
	}
	// The original lines stay, in order, but the changed ones.
	changed := regexp.MustCompile(`priority: 100, direction: Inbound, access: Deny|verdict: "Deny"`)
	got := strings.Split(fixed, "\n")
	k := 0
	for _, l := range strings.Split(commented, "\n") {
		if changed.MatchString(l) {
			continue
		}
		for k < len(got) && got[k] != l {
			k++
		}
		if k == len(got) {
			t.Fatalf("line %q is missing or out of order in the fixed document:\n%s", l, fixed)
		}
	}
	for _, want := range []string{
		`    securityRules: [{name: AllowSshRdpFromBastion, priority: 100, direction: Inbound, access: Allow, protocol: Tcp, sourceAddressPrefix: 10.0.0.0/26, sourcePortRange: "*", destinationAddressPrefix: 10.0.1.0/24, destinationPortRange: "22", description: "Azure Bastion: SSH/RDP from the AzureBastionSubnet range"}, {name: DenySsh, priority: 101, direction: Inbound, access: Deny, protocol: Tcp,`,
		`    verdict: "Allow"   # what the mistake does today`,
		"  - name: nsg-app    # no rules yet\n    securityRules:\n      # nsgsim fix: required flow api is blocked by nsg-app at subnet hub/app\n      - name: Allow-api\n",
		"      - {name: AllowBastionHostCommunication, priority: 150,",
		"      # nsgsim fix: AllowGatewayManagerInbound on hub/AzureBastionSubnet: missing explicit rule (NSG001)\n      - name: AllowGatewayManagerInbound\n        priority: 160\n",
	} {
		if !strings.Contains(fixed, want) {
			t.Errorf("fixed document lacks %q:\n%s", want, fixed)
		}
	}

	// The fixed document loads, passes, and says what the plan says.
	back, err := topology.Parse(path, out.Bytes())
	if err != nil {
		t.Fatalf("Parse(fixed): %v\n%s", err, fixed)
	}
	r, err := sim.Simulate(back)
	if err != nil {
		t.Fatal(err)
	}
	if !r.Summary.OK() {
		t.Errorf("the fixed document does not pass: %+v", r.Summary)
	}
	a, _ := topology.Marshal(back)
	b, _ := topology.Marshal(plan.Patched)
	if !bytes.Equal(a, b) {
		t.Errorf("the fixed document is not the patched topology:\n%s\nwant\n%s", a, b)
	}

	// The patch touches only rule lines and the expectation, and git apply
	// turns the original into the fixed document.
	var patch bytes.Buffer
	if err := plan.WritePatch(&patch); err != nil {
		t.Fatal(err)
	}
	ruleLine := regexp.MustCompile(`^[-+](\s+# nsgsim fix: |\s+- name: |\s+(priority|direction|access|protocol|source\w*|destination\w*|description): |\s+securityRules:|.*\{name: .*priority: |\s+verdict: )`)
	for _, l := range strings.Split(patch.String(), "\n") {
		if (strings.HasPrefix(l, "+") || strings.HasPrefix(l, "-")) && !strings.HasPrefix(l, "+++") && !strings.HasPrefix(l, "---") && !ruleLine.MatchString(l) {
			t.Errorf("the patch touches a line that is no rule: %q", l)
		}
	}
	gitApply(t, commented, patch.String(), fixed)
}

// gitApply applies patch to a file holding original in a new git
// repository, as a user would, and checks the result is want.
func gitApply(t *testing.T, original, patch, want string) {
	t.Helper()
	git, err := exec.LookPath("git")
	if err != nil {
		t.Skip("git not found; the patch is checked with git apply")
	}
	repo := t.TempDir()
	run := func(args ...string) {
		cmd := exec.Command(git, args...)
		cmd.Dir = repo
		cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_SYSTEM=/dev/null")
		cmd.Stdin = strings.NewReader(patch)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %s: %v\n%s\npatch:\n%s", strings.Join(args, " "), err, out, patch)
		}
	}
	run("init", "-q")
	name := strings.TrimPrefix(strings.SplitN(strings.TrimPrefix(patch, "--- a/"), "\n", 2)[0], "")
	if err := os.MkdirAll(filepath.Dir(filepath.Join(repo, name)), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(repo, name), []byte(original), 0o644); err != nil {
		t.Fatal(err)
	}
	run("apply", "--check", "-")
	run("apply", "-")
	got, err := os.ReadFile(filepath.Join(repo, name))
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Errorf("git apply gives:\n%s\nwant:\n%s", got, want)
	}
}

// TestFixPatchLineEndings checks a file with CRLF line endings and no final
// newline, whose fix adds a securityRules list after its last line: the new
// lines take CRLF, the last line gains its ending, and git apply agrees.
func TestFixPatchLineEndings(t *testing.T) {
	src := strings.ReplaceAll(`virtualNetworks:
  - name: hub
    addressSpace: [10.0.0.0/16]
    subnets:
      - {name: AzureBastionSubnet, addressPrefix: 10.0.0.0/26}
      - {name: app, addressPrefix: 10.0.2.0/24, networkSecurityGroup: nsg-app}
clients:
  - {name: office, addressPrefix: 203.0.113.0/24}
virtualMachines:
  - {name: vm2, subnet: hub/app, privateIpAddress: 10.0.2.4, os: Linux}
flows:
  - {name: api, source: office, destination: vm2, protocol: Tcp, destinationPort: 8443, requirement: required}
networkSecurityGroups:
  - name: nsg-app`, "\n", "\r\n")
	_, topo := writeTopology(t, "crlf.yaml", src)
	plan := computePlan(t, topo)
	if len(plan.Added) != 1 {
		t.Fatalf("plan adds %d rules, want 1 (notes %q)", len(plan.Added), plan.Notes)
	}
	var out, patch bytes.Buffer
	if err := plan.WriteYAML(&out); err != nil {
		t.Fatal(err)
	}
	if err := plan.WritePatch(&patch); err != nil {
		t.Fatal(err)
	}
	fixed := out.String()
	if strings.Count(fixed, "\n") != strings.Count(fixed, "\r\n") || !strings.HasPrefix(fixed, src+"\r\n    securityRules:\r\n") {
		t.Errorf("the fixed document:\n%q", fixed)
	}
	if !strings.Contains(patch.String(), "-  - name: nsg-app\n\\ No newline at end of file\n+  - name: nsg-app\r\n") {
		t.Errorf("the patch does not give the last line its ending:\n%s", patch.String())
	}
	if _, err := topology.Parse("crlf.yaml", out.Bytes()); err != nil {
		t.Errorf("Parse(fixed): %v", err)
	}
	gitApply(t, src, patch.String(), fixed)
}

// TestFixPatchRefusesJSON checks that a topology imported from JSON gets
// the whole topology from --emit yaml and a refusal that says why from
// --emit patch.
func TestFixPatchRefusesJSON(t *testing.T) {
	topo, err := topology.Parse("unit.yaml", []byte(missingGatewayManager))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	topo.File = filepath.Join(dir, "nsgs.json")
	if err := os.WriteFile(topo.File, []byte(`{"value": []}`), 0o644); err != nil {
		t.Fatal(err)
	}
	plan := computePlan(t, topo)
	var out bytes.Buffer
	if err := plan.WriteYAML(&out); err != nil || !strings.HasPrefix(out.String(), "# nsgsim fix for ") {
		t.Errorf("WriteYAML of an imported topology: %v\n%s", err, out.String())
	}
	err = plan.WritePatch(new(bytes.Buffer))
	if err == nil || !strings.Contains(err.Error(), "is JSON (an az, ARM or Terraform input)") || !strings.Contains(err.Error(), "use --emit yaml") {
		t.Errorf("WritePatch of an imported topology: %v; want a refusal saying why", err)
	}
}

// TestFixEditRefusesAliases checks a document whose rule list is shared
// through a YAML alias: editing the list would change both NSGs, so patch
// refuses, and yaml writes the whole topology and says why.
func TestFixEditRefusesAliases(t *testing.T) {
	src := strings.Replace(missingGatewayManager, "  - name: nsg-work\n    securityRules:\n", "  - name: nsg-work\n    securityRules: &rules\n", 1)
	src = strings.Replace(src, "clients:", "  - name: nsg-other\n    securityRules: *rules\nclients:", 1)
	_, topo := writeTopology(t, "alias.yaml", src)
	plan := computePlan(t, topo)
	err := plan.WritePatch(new(bytes.Buffer))
	if err == nil || !strings.Contains(err.Error(), "YAML alias (*rules at") {
		t.Errorf("WritePatch = %v; want a refusal naming the alias", err)
	}
	var out bytes.Buffer
	if err := plan.WriteYAML(&out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "# Note: editing ") || strings.Contains(out.String(), "securityRules: *rules") {
		t.Errorf("WriteYAML of an aliased document:\n%s", out.String())
	}
	back, err := topology.Parse("alias.yaml", out.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if g := back.NetworkSecurityGroupByName("nsg-other"); g == nil || len(g.SecurityRules) != 1 || g.SecurityRules[0].Priority != 100 {
		t.Errorf("nsg-other changed with nsg-work: %+v", g)
	}
}

// TestFixEditsScenarios edits every built-in scenario's own file, as a user
// would run fix on it: the edited text must load as the patched topology,
// keep every comment line, and equal what git apply makes of the patch.
func TestFixEditsScenarios(t *testing.T) {
	for _, s := range scenarios.List() {
		t.Run(s.Name, func(t *testing.T) {
			_, data, err := scenarios.Source(s.Name)
			if err != nil {
				t.Fatal(err)
			}
			_, topo := writeTopology(t, s.Name+".yaml", string(data))
			plan := computePlan(t, topo)
			var out, patch bytes.Buffer
			if err := plan.WriteYAML(&out); err != nil {
				t.Fatal(err)
			}
			if strings.HasPrefix(out.String(), "# nsgsim fix for ") {
				t.Fatalf("the scenario was not edited in place: %q", plan.Notes)
			}
			for _, l := range strings.Split(string(data), "\n") {
				if strings.HasPrefix(strings.TrimSpace(l), "#") && !strings.Contains(out.String(), l) {
					t.Errorf("comment line %q was lost", l)
				}
			}
			back, err := topology.Parse(topo.File, out.Bytes())
			if err != nil {
				t.Fatal(err)
			}
			if what := differs(back, plan.Patched); what != "" {
				t.Errorf("the edited scenario differs from the patched topology in %s", what)
			}
			if err := plan.WritePatch(&patch); err != nil {
				t.Fatal(err)
			}
			if len(plan.Added)+len(plan.Moves)+len(plan.Expectations) == 0 {
				if patch.Len() != 0 || out.String() != string(data) {
					t.Errorf("nothing to fix, but the output changed")
				}
				return
			}
			gitApply(t, string(data), patch.String(), out.String())
		})
	}
}

// TestEditChangedAndRemovedRules edits rules the way a review in nsgsim
// serve changes them (Plan built by hand): a block rule changed in more
// than its priority is written anew in its place, a one-line flow rule
// too, and a removed rule's lines go; the rest of the file stays.
func TestEditChangedAndRemovedRules(t *testing.T) {
	_, topo := writeTopology(t, "topo.yaml", commented)
	patched := *topo
	patched.NetworkSecurityGroups = slices.Clone(topo.NetworkSecurityGroups)
	g := *topo.NetworkSecurityGroupByName("nsg-bastion")
	var rules []*topology.SecurityRule
	for _, r := range g.SecurityRules {
		switch r.Name {
		case "AllowHttpsInbound":
			c := *r
			c.Source = topology.Addresses{Tag: topology.TagInternet}
			rules = append(rules, &c)
		case "AllowAzureLoadBalancerInbound":
			c := *r
			c.Access = topology.Deny
			rules = append(rules, &c)
		case "DenyAllInbound":
			// removed in review
		default:
			rules = append(rules, r)
		}
	}
	g.SecurityRules = rules
	patched.NetworkSecurityGroups[0] = &g
	plan := &Plan{Original: topo, Patched: &patched}
	plan.Added = []Addition{{NSG: "nsg-bastion", Rule: rules[0], Reason: "changed in review: source 203.0.113.0/24 -> Internet"}}
	var out, patch bytes.Buffer
	if err := plan.WriteYAML(&out); err != nil {
		t.Fatal(err)
	}
	fixed := out.String()
	if strings.HasPrefix(fixed, "# nsgsim fix for ") {
		t.Fatalf("not edited in place:\n%s", fixed)
	}
	for _, want := range []string{
		"    securityRules:\n      # nsgsim fix: changed in review: source 203.0.113.0/24 -> Internet\n      - name: AllowHttpsInbound\n        priority: 120\n",
		"        sourceAddressPrefix: Internet\n",
		"      - {name: AllowAzureLoadBalancerInbound, priority: 140, direction: Inbound, access: Deny, protocol: Tcp,",
		"      # Nothing else gets in.\n      - {name: AllowSshRdpOutbound,",
	} {
		if !strings.Contains(fixed, want) {
			t.Errorf("edited document lacks %q:\n%s", want, fixed)
		}
	}
	if strings.Contains(fixed, "DenyAllInbound") || strings.Contains(fixed, "203.0.113.0/24\n        sourcePortRange") {
		t.Errorf("the removed or the old rule is still there:\n%s", fixed)
	}
	if err := plan.WritePatch(&patch); err != nil {
		t.Fatal(err)
	}
	gitApply(t, commented, patch.String(), fixed)
}
