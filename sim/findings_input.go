package sim

import (
	"fmt"
	"strings"

	"github.com/nsgsim/nsgsim/topology"
)

// checkInputGaps reports what the topology's input does not say, what
// nsgsim does not simulate, or what an importer passed over, so that no
// part of the input vanishes silently: VM002, a VM whose operating system
// is unknown; NSG007, a rule's IPv6 prefixes; IMP001, each warning an
// importer left in Topology.Warnings.
func (e *Engine) checkInputGaps(l *findingList) {
	for _, nsg := range e.topo.NetworkSecurityGroups {
		for _, r := range nsg.SecurityRules {
			ipv6Sides(l, nsg, r)
		}
	}
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

// ipv6Sides reports NSG007 for each side of rule r that holds IPv6
// prefixes. Azure NSG rules accept them
// (https://learn.microsoft.com/en-us/azure/virtual-network/network-security-groups-overview#security-rules),
// but Azure Bastion is IPv4 only
// (https://learn.microsoft.com/en-us/azure/bastion/bastion-faq#ipv6) and
// so is nsgsim's model: they match no flow, and a side whose prefixes are
// all IPv6 makes the rule match nothing while its priority stays taken.
func ipv6Sides(l *findingList, nsg *topology.NetworkSecurityGroup, r *topology.SecurityRule) {
	for _, side := range []struct {
		name string
		a    topology.Addresses
	}{{"source", r.Source}, {"destination", r.Destination}} {
		a := side.a
		if len(a.IPv6Prefixes) == 0 {
			continue
		}
		pos := r.At(fmt.Sprintf("%sAddressPrefixes[%d]", side.name, len(a.Prefixes)))
		if pos == r.Pos {
			pos = r.At(side.name + "AddressPrefix")
		}
		v6 := topology.Addresses{IPv6Prefixes: a.IPv6Prefixes}.String()
		if len(a.Prefixes) == 0 {
			l.add("NSG007", SeverityWarning, pos, fmt.Sprintf(
				"rule %q (priority %d) of network security group %q: its %s prefixes are all IPv6 (%s), so it matches no flow (Azure Bastion and nsgsim are IPv4 only); in Azure it still holds priority %d %s",
				r.Name, r.Priority, nsg.Name, side.name, v6, r.Priority, strings.ToLower(r.Direction.String())))
			continue
		}
		l.add("NSG007", SeverityWarning, pos, fmt.Sprintf(
			"rule %q (priority %d) of network security group %q: its IPv6 %s prefixes (%s) match no flow (Azure Bastion and nsgsim are IPv4 only); its IPv4 ones do",
			r.Name, r.Priority, nsg.Name, side.name, v6))
	}
}
