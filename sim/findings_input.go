package sim

import (
	"fmt"
	"strings"

	"github.com/nsgsim/nsgsim/topology"
)

// checkInputGaps reports what the topology's input does not say, or what
// an importer passed over, so that no part of the input vanishes silently:
// VM002, a VM whose operating system is unknown, and IMP001, each warning
// an importer left in Topology.Warnings.
func (e *Engine) checkInputGaps(l *findingList) {
	for _, vm := range e.topo.VirtualMachines {
		if vm.OS != topology.UnknownOS {
			continue
		}
		// Bastion connects on SSH 22 to Linux VMs and RDP 3389 to Windows
		// VMs (https://learn.microsoft.com/en-us/azure/bastion/bastion-nsg);
		// for a VM of neither, nsgsim cannot tell which to check.
		l.add("VM002", SeverityWarning, vm.Pos, fmt.Sprintf(
			"VM %q: operating system unknown, so no ssh or rdp flow is checked for it; set os: Linux or os: Windows", vm.Name))
	}
	for _, w := range e.topo.Warnings {
		l.add("IMP001", SeverityWarning, w.Pos, strings.TrimPrefix(w.Error(), w.Pos.String()+": "))
	}
}
