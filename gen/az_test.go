package gen

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/nsgsim/nsgsim/sim"
	"github.com/nsgsim/nsgsim/topology"
	"github.com/nsgsim/nsgsim/topology/azure"
)

// TestAzRoundTrip: the az CLI output WriteAz makes imports as the topology
// the YAML of the same options loads as: the same resources (compared as
// YAML, in one order, peerings on both sides as the importer makes them)
// and, with the parts Azure does not hold (clients, flows, on-premises
// prefixes) put back, the same verdict for every flow.
func TestAzRoundTrip(t *testing.T) {
	for _, o := range []Options{
		{Seed: 3, VNets: 4, Subnets: 24, VMs: 200, RulesPerNSG: 60},
		{Seed: 7, VNets: 5, Subnets: 41, VMs: 300, RulesPerNSG: 40, NSGs: 12},
	} {
		_, data := generate(t, o)
		fromYAML := load(t, o, data)
		var az bytes.Buffer
		gen, err := Generate(o)
		if err != nil {
			t.Fatal(err)
		}
		if err := WriteAz(&az, gen); err != nil {
			t.Fatalf("WriteAz(%+v): %v", o, err)
		}
		fromAz, err := azure.ImportAz(map[string][]byte{"gen.json": az.Bytes()})
		if err != nil {
			t.Fatalf("ImportAz(WriteAz(%+v)): %s", o, topology.ErrorText(err))
		}
		// What Azure does not hold comes from the YAML.
		fromAz.Name, fromAz.Clients, fromAz.Flows, fromAz.Expectations = fromYAML.Name, fromYAML.Clients, fromYAML.Flows, fromYAML.Expectations
		for _, v := range fromAz.VirtualNetworks {
			for _, y := range fromYAML.VirtualNetworks {
				if y.Name == v.Name {
					v.OnPremisesPrefixes = y.OnPremisesPrefixes
				}
			}
		}
		if a, b := marshalNormal(t, fromYAML), marshalNormal(t, fromAz); a != b {
			t.Errorf("%+v: the az output imports as another topology:\n%s", o, firstDifference(a, b))
		}
		want, err := sim.Simulate(fromYAML)
		if err != nil {
			t.Fatal(err)
		}
		got, err := sim.Simulate(fromAz)
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Results) != len(want.Results) || len(want.Results) == 0 {
			t.Fatalf("%+v: %d flows from az, %d from YAML", o, len(got.Results), len(want.Results))
		}
		for i, w := range want.Results {
			if g := got.Results[i]; g.Flow.ID != w.Flow.ID || g.Verdict != w.Verdict {
				t.Errorf("%+v: flow %s: %s from YAML, %s %s from az", o, w.Flow.ID, w.Verdict, g.Flow.ID, g.Verdict)
			}
		}
		if got.Summary != want.Summary {
			t.Errorf("%+v: summary %+v from az, %+v from YAML", o, got.Summary, want.Summary)
		}
	}
}

// marshalNormal is t's YAML with its objects in name order and every
// peering on both sides, as the az importer gives them.
func marshalNormal(t *testing.T, top *topology.Topology) string {
	t.Helper()
	byName := func(x, y string) int { return strings.Compare(x, y) }
	peers := map[string][]string{}
	for _, v := range top.VirtualNetworks {
		for _, p := range v.Peerings {
			peers[v.Name] = append(peers[v.Name], p)
			peers[p] = append(peers[p], v.Name)
		}
	}
	for _, v := range top.VirtualNetworks {
		v.Peerings = slices.Compact(slices.Sorted(slices.Values(peers[v.Name])))
		slices.SortFunc(v.Subnets, func(a, b *topology.Subnet) int { return byName(a.Name, b.Name) })
	}
	slices.SortFunc(top.VirtualNetworks, func(a, b *topology.VirtualNetwork) int { return byName(a.Name, b.Name) })
	slices.SortFunc(top.NetworkSecurityGroups, func(a, b *topology.NetworkSecurityGroup) int { return byName(a.Name, b.Name) })
	for _, g := range top.NetworkSecurityGroups {
		slices.SortFunc(g.SecurityRules, func(a, b *topology.SecurityRule) int { return byName(a.Name, b.Name) })
	}
	slices.SortFunc(top.ApplicationSecurityGroups, func(a, b *topology.ApplicationSecurityGroup) int { return byName(a.Name, b.Name) })
	slices.SortFunc(top.VirtualMachines, func(a, b *topology.VirtualMachine) int { return byName(a.Name, b.Name) })
	data, err := topology.Marshal(top)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// firstDifference shows the first line where a and b differ.
func firstDifference(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := range min(len(al), len(bl)) {
		if al[i] != bl[i] {
			return "line " + al[i] + "\nvs   " + bl[i]
		}
	}
	return "one is a prefix of the other"
}
