package main

import (
	"github.com/nsgsim/nsgsim/scenarios"
	"github.com/nsgsim/nsgsim/topology"
)

// loadTopology reads a topology file, or a built-in scenario when scenario
// is set. The returned error lists every problem, one FILE:LINE:COL per line.
func loadTopology(path, scenario string) (*topology.Topology, error) {
	if scenario != "" {
		return scenarios.Load(scenario)
	}
	return topology.Load(path)
}
