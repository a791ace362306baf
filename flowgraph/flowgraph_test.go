package flowgraph_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/nsgsim/nsgsim/flowgraph"
	"github.com/nsgsim/nsgsim/internal/simtest"
	"github.com/nsgsim/nsgsim/scenarios"
	"github.com/nsgsim/nsgsim/sim"
)

// TestBuild checks, for every built-in scenario, that each result is one
// edge of the multigraph, between the nodes its endpoints name.
func TestBuild(t *testing.T) {
	for _, s := range scenarios.List() {
		t.Run(s.Name, func(t *testing.T) {
			r := simtest.Scenario(t, s.Name)
			g := flowgraph.Build(r)
			if got := len(g.Flows()); got != len(r.Results) {
				t.Fatalf("%d flows in the graph, want %d", got, len(r.Results))
			}
			lines := 0
			for it := g.Multigraph().Edges(); it.Next(); {
				e := it.Edge()
				lines += g.Multigraph().Lines(e.From().ID(), e.To().ID()).Len()
			}
			if lines != len(r.Results) {
				t.Errorf("%d lines in the multigraph, want %d", lines, len(r.Results))
			}
			for i, f := range g.Flows() {
				if f.Result != r.Results[i] {
					t.Fatalf("flow %d carries %s, want %s", i, f.Result.Flow.ID, r.Results[i].Flow.ID)
				}
				for _, end := range []struct {
					n  *flowgraph.Node
					ep sim.Endpoint
				}{{f.Source(), f.Result.Flow.Source}, {f.Destination(), f.Result.Flow.Destination}} {
					if !names(end.n, end.ep, f.Result.Flow) {
						t.Errorf("flow %s: endpoint %v (%v) drawn as %s %q", f.Result.Flow.ID, end.ep.Name, end.ep.Kind, end.n.Kind, end.n.Key)
					}
				}
			}
		})
	}
}

// names reports whether a node is what an endpoint stands for.
func names(n *flowgraph.Node, ep sim.Endpoint, f *sim.Flow) bool {
	switch ep.Kind {
	case sim.EndpointVM:
		return n.Kind == flowgraph.VM && n.Name == ep.Name
	case sim.EndpointBastion:
		return n.Kind == flowgraph.Bastion && n.Name == ep.Name
	case sim.EndpointClient:
		return n.Kind == flowgraph.Client && n.Name == ep.Name
	case sim.EndpointServiceTag:
		return n.Kind == flowgraph.ServiceTag && n.Name == ep.Name
	case sim.EndpointExternal:
		return n.Kind == flowgraph.External && n.Name == ep.Name || n.Kind == flowgraph.Bastion && n.Name == f.Bastion
	case sim.EndpointAddress:
		switch n.Kind {
		case flowgraph.VM:
			return ep.Addr.IsSingleIP() && n.VM.PrivateIPAddress == ep.Addr.Addr()
		case flowgraph.Address, flowgraph.External:
			return n.Name == ep.Name
		case flowgraph.Subnet:
			return true
		}
	}
	return false
}

// TestNeighbourhood checks the traversal against the obvious loop: the
// flows that start or end at a node.
func TestNeighbourhood(t *testing.T) {
	r := simtest.Scenario(t, "hub-three-spokes")
	g := flowgraph.Build(r)
	for _, n := range g.Nodes() {
		var want []*flowgraph.Flow
		for _, f := range g.Flows() {
			if f.Source() == n || f.Destination() == n {
				want = append(want, f)
			}
		}
		if got := g.Neighbourhood([]*flowgraph.Node{n}); !slices.Equal(got, want) {
			t.Errorf("Neighbourhood(%s) = %d flows, want %d", n.Key, len(got), len(want))
		}
	}
}

func TestFindAndSelect(t *testing.T) {
	r := simtest.Scenario(t, "hub-three-spokes")
	g := flowgraph.Build(r)
	nodes, nsg := g.Find("nsg-data")
	if !nsg || len(nodes) == 0 {
		t.Fatalf("Find(nsg-data) = %d nodes, nsg %v; want the data subnets' nodes", len(nodes), nsg)
	}
	for _, n := range nodes {
		if n.VNet == "" {
			t.Errorf("Find(nsg-data) holds %s, which is in no VNet", n.Key)
		}
	}
	denied := g.Select(func(f *flowgraph.Flow) bool { return f.Result.Verdict.String() == "Deny" })
	if len(denied.Flows()) == 0 || len(denied.Flows()) == len(g.Flows()) {
		t.Fatalf("Select(denied) kept %d of %d flows", len(denied.Flows()), len(g.Flows()))
	}
	for _, f := range denied.Flows() {
		if got := denied.Flow(f.Result.Flow.ID); got != f {
			t.Errorf("Flow(%q) = %v, want the selected flow", f.Result.Flow.ID, got)
		}
		if between := denied.Between(f.Source(), f.Destination()); !slices.Contains(between, f) {
			t.Errorf("Between(%s, %s) misses %s", f.Source().Key, f.Destination().Key, f.Result.Flow.ID)
		}
	}
}

// The graph of a scenario's flows, and the neighbourhood of one VM in it.
func Example() {
	topo, _ := scenarios.Load("nic-nsg-blocks-ssh")
	r, _ := sim.Simulate(topo)
	g := flowgraph.Build(r)
	vm := g.Node("vm:vm-linux-2")
	for _, f := range g.Neighbourhood([]*flowgraph.Node{vm}) {
		fmt.Printf("%s → %s: %s\n", f.Source().Name, f.Destination().Name, strings.ToLower(f.Result.Verdict.String()))
	}
	// Output:
	// bastion-hub → vm-linux-2: deny
}
