package network

import (
	"net/netip"
	"testing"

	"github.com/nsgsim/nsgsim/topology"
)

// twoEstates is a hub peered with spoke, and an unpeered VNet "other" that
// reuses the hub's address space, as real estates do (SPEC 1.1).
func twoEstates() *topology.Topology {
	p := netip.MustParsePrefix
	a := netip.MustParseAddr
	return &topology.Topology{
		VirtualNetworks: []*topology.VirtualNetwork{
			{Name: "hub", AddressSpace: []netip.Prefix{p("10.0.0.0/16")}, Subnets: []*topology.Subnet{
				{Name: topology.BastionSubnetName, AddressPrefix: p("10.0.0.0/26")},
				{Name: "work", AddressPrefix: p("10.0.1.0/24"), NetworkSecurityGroup: "nsg"},
			}},
			{Name: "spoke", AddressSpace: []netip.Prefix{p("10.1.0.0/16")}, Peerings: []string{"hub"}, Subnets: []*topology.Subnet{
				{Name: "app", AddressPrefix: p("10.1.0.0/24")},
			}},
			{Name: "other", AddressSpace: []netip.Prefix{p("10.0.0.0/16")}, Subnets: []*topology.Subnet{
				{Name: "app", AddressPrefix: p("10.0.1.0/24")},
			}},
		},
		NetworkSecurityGroups:     []*topology.NetworkSecurityGroup{{Name: "nsg"}},
		ApplicationSecurityGroups: []*topology.ApplicationSecurityGroup{{Name: "asg"}},
		VirtualMachines: []*topology.VirtualMachine{
			{Name: "vm-hub", VirtualNetwork: "hub", Subnet: "work", PrivateIPAddress: a("10.0.1.4")},
			{Name: "vm-other", VirtualNetwork: "other", Subnet: "app", PrivateIPAddress: a("10.0.1.4"), ApplicationSecurityGroups: []string{"asg"}},
			{Name: "vm-spoke", VirtualNetwork: "spoke", Subnet: "app", PrivateIPAddress: a("10.1.0.4"), ApplicationSecurityGroups: []string{"asg", "missing"}},
			{Name: "vm-lost", VirtualNetwork: "nowhere", Subnet: "x", PrivateIPAddress: a("10.9.0.4")},
		},
		BastionHosts: []*topology.BastionHost{
			{Name: "bas", VirtualNetwork: "hub", SKU: topology.Standard},
			{Name: "dev", VirtualNetwork: "hub", SKU: topology.Developer},
		},
	}
}

func TestResolve(t *testing.T) {
	n := Resolve(twoEstates())
	hub, spoke, other := n.VNet("hub"), n.VNet("spoke"), n.VNet("other")
	if len(hub.Peers) != 1 || hub.Peers[0] != spoke || len(spoke.Peers) != 1 || spoke.Peers[0] != hub || len(other.Peers) != 0 {
		t.Errorf("peers: hub %v, spoke %v, other %v; want hub-spoke, declared on one side, both ways", hub.Peers, spoke.Peers, other.Peers)
	}
	if s := n.Subnet("hub", "work"); s.NSG == nil || s.NSG.Name != "nsg" || len(s.VMs) != 1 || s.VMs[0].Name() != "vm-hub" {
		t.Errorf("hub/work = %+v, want nsg and vm-hub", s)
	}
	if vm := n.VM("vm-lost"); vm == nil || vm.Subnet != nil || vm.VNet() != nil {
		t.Errorf("a VM whose subnet does not resolve: %+v, want kept with a nil subnet", vm)
	}
	if vm := n.VM("vm-spoke"); len(vm.ASGs) != 1 {
		t.Errorf("vm-spoke ASGs = %d, want 1 (the unresolved one left out)", len(vm.ASGs))
	}
	if b := n.Bastion("bas"); b.Subnet == nil || !b.Subnet.IsBastionSubnet() {
		t.Errorf("bas subnet = %v, want its AzureBastionSubnet", b.Subnet)
	}
	if b := n.Bastion("dev"); b.Subnet != nil {
		t.Errorf("a Developer Bastion has no AzureBastionSubnet of its own; got %v", b.Subnet.Path())
	}
	g := n.ASG("asg")
	if len(g.VNets) != 2 || g.VNets[0] != other || g.VNets[1] != spoke {
		t.Errorf("asg VNets = %v, want other then spoke", g.VNets)
	}
}

// An ASG rule in an NSG of the hub applies to the members the hub sees:
// its own and its peers', never the member of unpeered "other" that shares
// vm-hub's address (SPEC 2.3;
// https://learn.microsoft.com/en-us/azure/virtual-network/application-security-groups).
func TestMembersSeenFrom(t *testing.T) {
	n := Resolve(twoEstates())
	var names []string
	for _, m := range n.ASG("asg").MembersSeenFrom(n.VNet("hub")) {
		names = append(names, m.Name())
	}
	if len(names) != 1 || names[0] != "vm-spoke" {
		t.Errorf("members seen from hub = %v, want [vm-spoke]", names)
	}
	if got := n.ASG("asg").MembersSeenFrom(n.VNet("other")); len(got) != 1 || got[0].Name() != "vm-other" {
		t.Errorf("members seen from other = %v, want [vm-other]", got)
	}
}

// Where an address lives depends on where it is seen from, since unpeered
// VNets may reuse addresses (SPEC 2.3).
func TestLocate(t *testing.T) {
	n := Resolve(twoEstates())
	a := netip.MustParseAddr
	cases := []struct {
		from, addr, vnet, subnet, vm string
	}{
		{"hub", "10.0.1.4", "hub", "work", "vm-hub"},
		{"other", "10.0.1.4", "other", "app", "vm-other"},
		{"spoke", "10.0.1.4", "hub", "work", "vm-hub"}, // spoke does not hold it; its peer hub does
		{"", "10.0.1.4", "hub", "work", "vm-hub"},
		{"other", "10.0.0.10", "other", "", ""}, // other's space, outside its subnets
		{"hub", "10.0.1.9", "hub", "work", ""},
		{"hub", "203.0.113.9", "", "", ""},
	}
	for _, c := range cases {
		v, s, m := n.Locate(n.VNet(c.from), a(c.addr))
		got := [3]string{}
		if v != nil {
			got[0] = v.Name()
		}
		if s != nil {
			got[1] = s.Name()
		}
		if m != nil {
			got[2] = m.Name()
		}
		if want := [3]string{c.vnet, c.subnet, c.vm}; got != want {
			t.Errorf("Locate(%q, %s) = %v, want %v", c.from, c.addr, got, want)
		}
	}
}

// Bastion reaches the VMs of its VNet and of directly peered VNets
// (https://learn.microsoft.com/en-us/azure/bastion/vnet-peering); Developer
// only its own VNet's
// (https://learn.microsoft.com/en-us/azure/bastion/quickstart-developer).
func TestTargetVMs(t *testing.T) {
	n := Resolve(twoEstates())
	names := func(vms []*VM) (out []string) {
		for _, m := range vms {
			out = append(out, m.Name())
		}
		return out
	}
	if got := names(n.TargetVMs(n.VNet("hub"), true)); len(got) != 2 || got[0] != "vm-hub" || got[1] != "vm-spoke" {
		t.Errorf("TargetVMs(hub, peered) = %v, want [vm-hub vm-spoke]", got)
	}
	if got := names(n.TargetVMs(n.VNet("hub"), false)); len(got) != 1 || got[0] != "vm-hub" {
		t.Errorf("TargetVMs(hub) = %v, want [vm-hub]", got)
	}
}
