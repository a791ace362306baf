package sim_test

import (
	"fmt"

	"github.com/nsgsim/nsgsim/scenarios"
	"github.com/nsgsim/nsgsim/sim"
)

// Simulate decides every documented Bastion flow of a topology; a blocked
// flow names the rule that decided it.
func ExampleSimulate() {
	t, err := scenarios.Load("omit-ssh-rdp-outbound")
	if err != nil {
		panic(err)
	}
	r, err := sim.Simulate(t)
	if err != nil {
		panic(err)
	}
	for _, res := range r.Results {
		if res.Blocked() {
			h := res.Hops[len(res.Hops)-1]
			fmt.Printf("%s: %s by %s/%s\n", res.Flow.ID, res.Verdict, h.NSG.Name, h.Rule.Name)
		}
	}
	fmt.Println("required flows blocked:", r.Summary.RequiredBlocked)
	// Output:
	// bastion-hub/ssh/vm-linux-1: Deny by nsg-bastion/DenyAllOutbound
	// bastion-hub/rdp/vm-windows-1: Deny by nsg-bastion/DenyAllOutbound
	// required flows blocked: 2
}
