package sim

import (
	"fmt"

	"github.com/nsgsim/nsgsim/network"
	"github.com/nsgsim/nsgsim/topology"
)

// MaxFlows is the most flows nsgsim evaluates for one topology. A flow and
// its result take about a kilobyte, so the budget keeps a simulation within
// about a gigabyte; past it Compile fails with an error at the Bastion host
// (its first custom port) or the declared flow that goes over, instead of
// running out of memory. The documented flows grow with the product of the
// VMs a Bastion host reaches and its custom ports: 65,535 custom ports on
// 2,000 VMs would be 131 million flows.
const MaxFlows = 1_000_000

// checkFlowBudget counts the flows of t without making them and fails when
// they pass MaxFlows. Per Bastion host it counts its clients, the six
// platform flows and, per VM it reaches, one flow and one per custom port
// (Flows makes fewer for some SKUs: the count is a bound); then the
// declared flows.
func checkFlowBudget(t *topology.Topology, net *network.Network) error {
	n := 0
	for _, b := range t.BastionHosts {
		targets := len(net.TargetVMs(net.VNet(b.VirtualNetwork), true))
		per := 1 + len(b.CustomPorts)
		hostFlows := len(Clients(t, b)) + 6 + targets*per
		if n += hostFlows; n > MaxFlows {
			at, what := b.Pos, "its documented flows"
			if len(b.CustomPorts) > 0 {
				at, what = b.At("customPorts[0]"), fmt.Sprintf("%d VMs × (1 + %d custom ports)", targets, len(b.CustomPorts))
			}
			return fmt.Errorf("%s: bastion host %q brings the flows to evaluate past %d (%s make %d); nsgsim evaluates at most %d flows per topology: use fewer custom ports or split the topology",
				at, b.Name, MaxFlows, what, hostFlows, MaxFlows)
		}
	}
	for _, f := range t.Flows {
		if n++; n > MaxFlows {
			return fmt.Errorf("%s: flow %q is past the %d flows nsgsim evaluates per topology: declare fewer flows or split the topology", f.Pos, f.Name, MaxFlows)
		}
	}
	return nil
}
