package gen

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/nsgsim/nsgsim/sim"
	"github.com/nsgsim/nsgsim/topology"
)

func generate(t *testing.T, o Options) (*topology.Topology, []byte) {
	t.Helper()
	topo, err := Generate(o)
	if err != nil {
		t.Fatalf("Generate(%+v): %v", o, err)
	}
	var buf bytes.Buffer
	if err := Write(&buf, topo, "test"); err != nil {
		t.Fatalf("Write(%+v): %v", o, err)
	}
	return topo, buf.Bytes()
}

func load(t *testing.T, o Options, data []byte) *topology.Topology {
	t.Helper()
	topo, err := topology.Parse("gen.yaml", data)
	if err != nil {
		t.Fatalf("Parse(Write(Generate(%+v))): %v", o, err)
	}
	return topo
}

var sizes = []Options{
	{Seed: 1, VNets: 1, Subnets: 1, VMs: 0, RulesPerNSG: 0},
	{Seed: 1, VNets: 1, Subnets: 2, VMs: 3, RulesPerNSG: 1},
	{Seed: 2, VNets: 2, Subnets: 2, VMs: 5, RulesPerNSG: 10},
	{Seed: 3, VNets: 4, Subnets: 20, VMs: 100, RulesPerNSG: 50},
	{Seed: 4, VNets: 10, Subnets: 80, VMs: 1000, RulesPerNSG: 200},
	{Seed: 5, VNets: 6, Subnets: 30, VMs: 200, RulesPerNSG: 1000},
}

func TestDeterministic(t *testing.T) {
	for _, o := range sizes {
		_, a := generate(t, o)
		_, b := generate(t, o)
		if !bytes.Equal(a, b) {
			t.Errorf("Generate(%+v) twice gives different YAML", o)
		}
		o.Seed += 100
		_, c := generate(t, o)
		if o.VMs > 0 && bytes.Equal(a, c) {
			t.Errorf("seeds %d and %d give the same YAML", o.Seed-100, o.Seed)
		}
	}
}

func TestLoadsAndRespectsSizes(t *testing.T) {
	for _, o := range sizes {
		t.Run(fmt.Sprintf("vnets=%d,subnets=%d,vms=%d,rules=%d", o.VNets, o.Subnets, o.VMs, o.RulesPerNSG), func(t *testing.T) {
			_, data := generate(t, o)
			topo := load(t, o, data)
			checkSizes(t, o, topo)
			if _, err := sim.Simulate(topo); err != nil {
				t.Fatalf("Simulate: %v", err)
			}
		})
	}
}

func checkSizes(t *testing.T, o Options, topo *topology.Topology) {
	t.Helper()
	subnets := 0
	for _, v := range topo.VirtualNetworks {
		subnets += len(v.Subnets)
	}
	if got := len(topo.VirtualNetworks); got != o.VNets {
		t.Errorf("%d VNets, want %d", got, o.VNets)
	}
	if subnets != o.Subnets {
		t.Errorf("%d subnets, want %d", subnets, o.Subnets)
	}
	if got := len(topo.VirtualMachines); got != o.VMs {
		t.Errorf("%d VMs, want %d", got, o.VMs)
	}
	if len(topo.BastionHosts) != 1 {
		t.Errorf("%d Bastion hosts, want 1", len(topo.BastionHosts))
	}
	workload, legacy := 0, 0
	for _, n := range topo.NetworkSecurityGroups {
		rules := len(n.SecurityRules)
		if rules > MaxRulesPerNSG {
			t.Errorf("NSG %s has %d rules, more than Azure's %d", n.Name, rules, MaxRulesPerNSG)
		}
		switch {
		case n.Name == "nsg-bastion" || len(n.Name) > 8 && n.Name[:8] == "nsg-nic-":
		case len(n.Name) > 11 && n.Name[:11] == "nsg-legacy-":
			legacy++
			if rules < MaxRulesPerNSG-40 {
				t.Errorf("legacy NSG %s has %d rules, want %d to %d", n.Name, rules, MaxRulesPerNSG-40, MaxRulesPerNSG)
			}
		default:
			workload++
			if rules != o.RulesPerNSG {
				t.Errorf("workload NSG %s has %d rules, want %d (--rules-per-nsg)", n.Name, rules, o.RulesPerNSG)
			}
		}
	}
	if o.Subnets > 1 && workload+legacy == 0 {
		t.Errorf("no workload NSG")
	}
}

// TestRealisticMix checks that a medium topology uses the rule forms real
// NSGs use and that its flows get every verdict.
func TestRealisticMix(t *testing.T) {
	o := Options{Seed: 1, VNets: 8, Subnets: 100, VMs: 1200, RulesPerNSG: 200}
	_, data := generate(t, o)
	topo := load(t, o, data)
	seen := map[string]bool{}
	for _, n := range topo.NetworkSecurityGroups {
		for _, r := range n.SecurityRules {
			for _, side := range []topology.Addresses{r.Source, r.Destination} {
				switch {
				case side.Tag != "":
					seen["service tag"] = true
				case len(side.Prefixes) > 1:
					seen["CIDR list"] = true
				case len(side.ApplicationSecurityGroups) > 0:
					seen["ASG"] = true
				}
			}
			if len(r.DestinationPorts) > 1 {
				seen["port list"] = true
			}
			for _, p := range r.DestinationPorts {
				if p.Lo != p.Hi && p != topology.AllPorts {
					seen["port range"] = true
				}
			}
			if r.Access == topology.Deny {
				seen["deny"] = true
			}
		}
		if len(n.SecurityRules) >= MaxRulesPerNSG-40 {
			seen["near 1,000 rules"] = true
		}
	}
	r, err := sim.Simulate(topo)
	if err != nil {
		t.Fatal(err)
	}
	for _, res := range r.Results {
		seen[res.Verdict.String()] = true
	}
	for _, want := range []string{"service tag", "CIDR list", "ASG", "port list", "port range", "deny", "near 1,000 rules", "Allow", "Deny", "Partial"} {
		if !seen[want] {
			t.Errorf("no %s in the generated topology", want)
		}
	}
}

// TestIssueSizeFitsTheLoader generates the topology of the scale target
// (200 VNets, 4,000 subnets, 50,000 VMs, 200 rules per NSG) and checks that
// it loads: under the loader's size and node limits, with the generator's
// estimates above the real counts.
func TestIssueSizeFitsTheLoader(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("generates and loads a 50,000-VM topology")
	}
	o := Options{Seed: 1, VNets: 200, Subnets: 4000, VMs: 50000, RulesPerNSG: 200}
	topo, data := generate(t, o)
	nodes, size := estimate(topo)
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	real := countNodes(doc.Content[0])
	t.Logf("%d bytes (estimate %d, limit %d); %d YAML nodes (estimate %d, limit %d)",
		len(data), size, int(topology.DefaultBudget.Limits().TopologySize), real, nodes, topology.DefaultBudget.Limits().Nodes)
	if len(data) > size || real > nodes {
		t.Errorf("estimates %d bytes, %d nodes are below the real %d bytes, %d nodes", size, nodes, len(data), real)
	}
	checkSizes(t, o, load(t, o, data))
}

func countNodes(n *yaml.Node) int {
	c := 1
	for _, k := range n.Content {
		c += countNodes(k)
	}
	return c
}

func TestGenerateRejects(t *testing.T) {
	for _, o := range []Options{
		{VNets: 0, Subnets: 1},
		{VNets: 3, Subnets: 2},
		{VNets: 1, Subnets: 1, VMs: 1},
		{VNets: 1, Subnets: 2, VMs: -1},
		{VNets: 1, Subnets: 2, RulesPerNSG: MaxRulesPerNSG + 1},
		{VNets: 1, Subnets: 2, VMs: 1_000_000},
		{VNets: 2, Subnets: 4, NSGs: 4},
		{VNets: 2, Subnets: 4, NSGs: -1},
		{VNets: 2, Subnets: 600, NSGs: 550, RulesPerNSG: 1000, VMs: 10},
	} {
		if _, err := Generate(o); err == nil {
			t.Errorf("Generate(%+v) = nil error, want one", o)
		}
	}
}

// TestGenerateNSGs checks gen --nsgs: exactly N workload NSGs of
// RulesPerNSG rules each, independent of the VNets, sharing out the
// workload subnets in equal runs, and a file that loads.
func TestGenerateNSGs(t *testing.T) {
	o := Options{Seed: 3, VNets: 4, Subnets: 41, VMs: 120, RulesPerNSG: 30, NSGs: 16}
	topo, data := generate(t, o)
	checkSizes(t, o, load(t, o, data))
	rules := map[string]int{}
	for _, g := range topo.NetworkSecurityGroups {
		if strings.HasPrefix(g.Name, "nsg-app-") {
			rules[g.Name] = len(g.SecurityRules)
		}
	}
	if len(rules) != o.NSGs {
		t.Errorf("%d workload NSGs, want %d", len(rules), o.NSGs)
	}
	for name, n := range rules {
		if n != o.RulesPerNSG {
			t.Errorf("%s has %d rules, want %d", name, n, o.RulesPerNSG)
		}
	}
	attached := map[string]int{}
	for _, v := range topo.VirtualNetworks {
		for _, s := range v.Subnets {
			if s.NetworkSecurityGroup != "" {
				attached[s.NetworkSecurityGroup]++
			}
		}
	}
	for name := range rules {
		// 40 workload subnets over 16 NSGs: runs of 2 or 3, less the one
		// subnet in fifty left without an NSG.
		if n := attached[name]; n < 1 || n > 3 {
			t.Errorf("%s is attached to %d subnets, want 2 or 3", name, n)
		}
	}
}

// TestInMemoryMatchesYAML: the topology Generate returns is the one its
// YAML loads as: it validates, and every flow gets the same verdict, so
// callers may simulate it without a round trip through YAML.
func TestInMemoryMatchesYAML(t *testing.T) {
	o := Options{Seed: 3, VNets: 4, Subnets: 24, VMs: 200, RulesPerNSG: 60}
	topo, data := generate(t, o)
	if errs := topology.Validate(topo); len(errs) > 0 {
		t.Fatalf("the generated topology does not validate: %s", topology.ErrorText(errs))
	}
	mem, err := sim.Simulate(topo)
	if err != nil {
		t.Fatal(err)
	}
	loaded, err := sim.Simulate(load(t, o, data))
	if err != nil {
		t.Fatal(err)
	}
	if len(mem.Results) != len(loaded.Results) {
		t.Fatalf("%d flows in memory, %d from YAML", len(mem.Results), len(loaded.Results))
	}
	for i, r := range mem.Results {
		if l := loaded.Results[i]; r.Flow.ID != l.Flow.ID || r.Verdict != l.Verdict {
			t.Errorf("flow %s: %s in memory, %s %s from YAML", r.Flow.ID, r.Verdict, l.Flow.ID, l.Verdict)
		}
	}
}
