package simtest

import (
	"testing"

	"github.com/nsgsim/nsgsim/internal/hostile"
	"github.com/nsgsim/nsgsim/scenarios"
	"github.com/nsgsim/nsgsim/sim"
	"github.com/nsgsim/nsgsim/topology"
)

// Scenario loads the built-in scenario name and simulates it.
func Scenario(t testing.TB, name string) *sim.Report {
	t.Helper()
	topo, err := scenarios.Load(name)
	if err != nil {
		t.Fatalf("scenarios.Load(%q): %v", name, err)
	}
	return Simulate(t, topo)
}

// YAML parses src as the topology file named file and simulates it.
func YAML(t testing.TB, file, src string) *sim.Report {
	t.Helper()
	topo, err := topology.Parse(file, []byte(src))
	if err != nil {
		t.Fatalf("topology.Parse(%s): %v", file, err)
	}
	return Simulate(t, topo)
}

// Simulate simulates topo.
func Simulate(t testing.TB, topo *topology.Topology) *sim.Report {
	t.Helper()
	r, err := sim.Simulate(topo)
	if err != nil {
		t.Fatalf("sim.Simulate(%s): %v", topo.Name, err)
	}
	return r
}

// Hostile simulates the topology that hostile.Build makes with name, after
// change (when not nil) has altered it; any error fails t.
func Hostile(t testing.TB, name string, change func(*topology.Topology)) *sim.Report {
	t.Helper()
	topo, err := hostile.Build(name)
	if err != nil {
		t.Fatal(err)
	}
	if change != nil {
		change(topo)
	}
	return Simulate(t, topo)
}
