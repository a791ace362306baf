package main

import (
	"os"

	"github.com/nsgsim/nsgsim/topology"
)

func main() {
	// The default memory budget is also the runtime's soft memory limit.
	_ = topology.SetBudget(topology.DefaultBudget)
	os.Exit(Main(os.Args[1:], os.Stdout, os.Stderr))
}
