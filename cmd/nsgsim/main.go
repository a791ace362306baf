// Command nsgsim simulates Azure network security groups around Azure
// Bastion: it reads a topology, decides every documented Bastion flow the way
// Azure would, and reports and draws what passes and what is blocked.
//
// Run `nsgsim help` for the commands.
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
