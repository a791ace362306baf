package topotest

import (
	"fmt"
	"strings"

	"github.com/nsgsim/nsgsim/topology"
)

// Dump renders a topology as stable text, for golden files and messages.
func Dump(t *topology.Topology) string {
	if t == nil {
		return "<nil>\n"
	}
	var b strings.Builder
	if t.Location != "" {
		fmt.Fprintf(&b, "location %s\n", t.Location)
	}
	for _, v := range t.VirtualNetworks {
		fmt.Fprintf(&b, "vnet %s %v", v.Name, v.AddressSpace)
		if len(v.Peerings) > 0 {
			fmt.Fprintf(&b, " peerings=%v", v.Peerings)
		}
		b.WriteString("\n")
		for _, s := range v.Subnets {
			fmt.Fprintf(&b, "  subnet %s %s", s.Name, s.AddressPrefix)
			if s.NetworkSecurityGroup != "" {
				fmt.Fprintf(&b, " nsg=%s", s.NetworkSecurityGroup)
			}
			if s.RouteTable != "" {
				fmt.Fprintf(&b, " routeTable=%s", s.RouteTable)
			}
			b.WriteString("\n")
		}
	}
	for _, g := range t.NetworkSecurityGroups {
		fmt.Fprintf(&b, "nsg %s\n", g.Name)
		for _, r := range g.SecurityRules {
			fmt.Fprintf(&b, "  rule %s %d %s %s %s %s:%s -> %s:%s\n", r.Name, r.Priority, r.Direction, r.Access, r.Protocol,
				r.Source, topology.PortRangesString(r.SourcePorts), r.Destination, topology.PortRangesString(r.DestinationPorts))
		}
	}
	for _, g := range t.ApplicationSecurityGroups {
		fmt.Fprintf(&b, "asg %s\n", g.Name)
	}
	for _, vm := range t.VirtualMachines {
		fmt.Fprintf(&b, "vm %s %s/%s %s %s", vm.Name, vm.VirtualNetwork, vm.Subnet, vm.PrivateIPAddress, vm.OS)
		if vm.NetworkSecurityGroup != "" {
			fmt.Fprintf(&b, " nsg=%s", vm.NetworkSecurityGroup)
		}
		if len(vm.ApplicationSecurityGroups) > 0 {
			fmt.Fprintf(&b, " asgs=%v", vm.ApplicationSecurityGroups)
		}
		if vm.PublicIPAddress.IsValid() {
			fmt.Fprintf(&b, " publicIp=%s", vm.PublicIPAddress)
		}
		b.WriteString("\n")
	}
	for _, h := range t.BastionHosts {
		fmt.Fprintf(&b, "bastion %s vnet=%s sku=%s scaleUnits=%d", h.Name, h.VirtualNetwork, h.SKU, h.ScaleUnits)
		for _, f := range []struct {
			n string
			v bool
		}{
			{"tunneling", h.EnableTunneling}, {"ipConnect", h.EnableIPConnect}, {"shareableLink", h.EnableShareableLink},
			{"fileCopy", h.EnableFileCopy}, {"kerberos", h.EnableKerberos}, {"sessionRecording", h.EnableSessionRecording},
			{"privateOnly", h.EnablePrivateOnlyBastion}, {"disableCopyPaste", h.DisableCopyPaste},
		} {
			if f.v {
				b.WriteString(" " + f.n)
			}
		}
		b.WriteString("\n")
	}
	return b.String()
}
