package hostile

import (
	"testing"

	"github.com/nsgsim/nsgsim/internal/simtest"
	"github.com/nsgsim/nsgsim/sim"
	"github.com/nsgsim/nsgsim/topology"
)

// Report simulates the topology that Build makes with name, after change
// (when not nil) has altered it; any error fails t. It imports sim (through
// package simtest), so sim's own in-package tests cannot use it.
func Report(t testing.TB, name string, change func(*topology.Topology)) *sim.Report {
	t.Helper()
	topo, err := Build(name)
	if err != nil {
		t.Fatal(err)
	}
	if change != nil {
		change(topo)
	}
	return simtest.Simulate(t, topo)
}
