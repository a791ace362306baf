package topology_test

import (
	"bytes"
	"fmt"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/nsgsim/nsgsim/gen"
	"github.com/nsgsim/nsgsim/scenarios"
	"github.com/nsgsim/nsgsim/topology"
)

// TestCountNodesScenariosAndGen checks that the pre-scan's bound stays at or
// below yaml.v3's node count on every built-in scenario and on generated
// topologies, written both by gen.Write and by topology.Marshal.
func TestCountNodesScenariosAndGen(t *testing.T) {
	for _, s := range scenarios.List() {
		file, data, err := scenarios.Source(s.Name)
		if err != nil {
			t.Fatal(err)
		}
		checkBound(t, file, data)
	}
	for seed := range uint64(8) {
		o := gen.Options{Seed: seed, VNets: 1 + int(seed%5), Subnets: 5 + int(seed*5), VMs: int(seed * 11), RulesPerNSG: int(seed * 7 % 40)}
		topo, err := gen.Generate(o)
		if err != nil {
			t.Fatalf("gen.Generate(%+v): %v", o, err)
		}
		var buf bytes.Buffer
		if err := gen.Write(&buf, topo, "generated"); err != nil {
			t.Fatal(err)
		}
		checkBound(t, fmt.Sprintf("gen.Write(%+v)", o), buf.Bytes())
		data, err := topology.Marshal(topo)
		if err != nil {
			t.Fatal(err)
		}
		checkBound(t, fmt.Sprintf("Marshal(%+v)", o), data)
	}
}

func checkBound(t *testing.T, name string, data []byte) {
	t.Helper()
	got, past := topology.CountNodes(data, topology.DefaultBudget.Limits().Nodes)
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	want := nodes(&doc) - 1 // not the document node
	if got > want || past.IsValid() {
		t.Errorf("%s: CountNodes = %d (past %v), more than the %d nodes yaml.v3 makes", name, got, past, want)
	}
	if got < want/3 {
		t.Errorf("%s: CountNodes = %d, below a third of the %d nodes yaml.v3 makes", name, got, want)
	}
}

func nodes(n *yaml.Node) int {
	c := 1
	for _, k := range n.Content {
		c += nodes(k)
	}
	return c
}
