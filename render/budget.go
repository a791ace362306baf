package render

import (
	"fmt"

	"github.com/nsgsim/nsgsim/topology"
)

// MaxElements is the most boxes and edges a diagram draws, after
// collapsing: beyond it no page is readable, and Graphviz's layout takes
// tens of seconds and gigabytes. A larger picture is refused with an error
// that says how to draw part of it (--focus).
const MaxElements = 2500

// withinBudget refuses a diagram that, collapsed as far as it goes, still
// has more than MaxElements boxes and edges: for example thousands of VNets
// that carry no flow. The error points at the first object past the
// budget.
func (d *diagram) withinBudget() error {
	n := len(d.left) + len(d.right) + len(d.edges)
	var past topology.Pos
	for _, vb := range d.vnets {
		n++
		if vb.collapsed == nil {
			n += len(vb.nodes)
			for _, sb := range vb.subnets {
				n += 1 + len(sb.nodes)
			}
		}
		if n > MaxElements && !past.IsValid() {
			past = vb.vnet.Pos
		}
	}
	if n <= MaxElements {
		return nil
	}
	msg := fmt.Sprintf("the diagram would draw %d boxes and edges even collapsed, more than the %d nsgsim draws; draw part of it with --focus NAME (a VNet, subnet, NSG, Bastion host or VM)", n, MaxElements)
	if past.IsValid() {
		return topology.Errorf(past, "%s", msg)
	}
	return fmt.Errorf("%s", msg)
}
