package network

import (
	"net/netip"
	"sort"

	"github.com/nsgsim/nsgsim/topology"
)

// Network is a resolved topology. Its lists keep topology order.
type Network struct {
	Topology *topology.Topology
	Index    *topology.Index // the topology's objects by name, as validation reads them
	VNets    []*VNet
	Subnets  []*Subnet
	VMs      []*VM
	ASGs     []*ASG
	Bastions []*Bastion

	vnets    map[string]*VNet
	subnets  map[[2]string]*Subnet
	vms      map[string]*VM
	asgs     map[string]*ASG
	bastions map[string]*Bastion
}

// VNet is a virtual network with its subnets and the VNets peered with it.
type VNet struct {
	VirtualNetwork *topology.VirtualNetwork
	Index          int       // in the topology's list
	Peers          []*VNet   // symmetric, not transitive; sorted by name
	Subnets        []*Subnet // in topology order
}

// Name is the VNet's name.
func (v *VNet) Name() string { return v.VirtualNetwork.Name }

// Sees reports whether an NSG in v sees o's addresses as its own
// neighbourhood: o is v or is peered with it. Peered VNets cannot share
// addresses, so an address seen from v names one NIC at most.
func (v *VNet) Sees(o *VNet) bool {
	if v == o {
		return true
	}
	for _, p := range v.Peers {
		if p == o {
			return true
		}
	}
	return false
}

// Holds reports whether the VNet's address space holds a.
func (v *VNet) Holds(a netip.Addr) bool {
	for _, p := range v.VirtualNetwork.AddressSpace {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// Subnet is a subnet with its VNet, its NSG and its VMs.
type Subnet struct {
	Subnet *topology.Subnet
	VNet   *VNet
	NSG    *topology.NetworkSecurityGroup // nil: none, or unresolved
	VMs    []*VM                          // in topology order
}

// Name is the subnet's name; Path is "VNET/SUBNET".
func (s *Subnet) Name() string { return s.Subnet.Name }

// Path names the subnet as VMs do: "VNET/SUBNET".
func (s *Subnet) Path() string { return s.VNet.Name() + "/" + s.Subnet.Name }

// IsBastionSubnet reports whether the subnet is an AzureBastionSubnet.
func (s *Subnet) IsBastionSubnet() bool { return s.Subnet.Name == topology.BastionSubnetName }

// VM is a virtual machine: one NIC, in one subnet.
type VM struct {
	VirtualMachine *topology.VirtualMachine
	Subnet         *Subnet                        // nil: unresolved
	NSG            *topology.NetworkSecurityGroup // the NIC's; nil: none
	ASGs           []*ASG                         // memberships of its NIC
}

// Name is the VM's name.
func (m *VM) Name() string { return m.VirtualMachine.Name }

// Address is the NIC's private address.
func (m *VM) Address() netip.Addr { return m.VirtualMachine.PrivateIPAddress }

// VNet is the VM's VNet, or nil when its subnet does not resolve.
func (m *VM) VNet() *VNet {
	if m.Subnet == nil {
		return nil
	}
	return m.Subnet.VNet
}

// ASG is an application security group with its member NICs.
type ASG struct {
	ApplicationSecurityGroup *topology.ApplicationSecurityGroup
	Members                  []*VM   // in topology order
	VNets                    []*VNet // of its members, in order of first member; Azure allows one
}

// Name is the ASG's name.
func (g *ASG) Name() string { return g.ApplicationSecurityGroup.Name }

// MembersSeenFrom returns the members an NSG in VNet v applies an ASG
// rule to: those in v and in the VNets peered with it. A NIC of an
// unpeered VNet that reuses an address is not one of them (SPEC 2.3;
// https://learn.microsoft.com/en-us/azure/virtual-network/application-security-groups).
func (g *ASG) MembersSeenFrom(v *VNet) []*VM {
	var out []*VM
	for _, m := range g.Members {
		if vn := m.VNet(); vn != nil && v != nil && v.Sees(vn) {
			out = append(out, m)
		}
	}
	return out
}

// Bastion is a Bastion host with its VNet and, except for the Developer
// SKU, its AzureBastionSubnet.
type Bastion struct {
	BastionHost *topology.BastionHost
	VNet        *VNet   // nil: unresolved
	Subnet      *Subnet // its AzureBastionSubnet; nil for Developer or when missing
}

// Name is the Bastion host's name.
func (b *Bastion) Name() string { return b.BastionHost.Name }

// Resolve resolves a topology's names. References that do not resolve are
// left nil.
func Resolve(t *topology.Topology) *Network {
	x := topology.NewIndex(t)
	n := &Network{
		Topology: t, Index: x,
		vnets: make(map[string]*VNet), subnets: make(map[[2]string]*Subnet),
		vms: make(map[string]*VM), asgs: make(map[string]*ASG), bastions: make(map[string]*Bastion),
	}
	for _, v := range t.VirtualNetworks {
		if v == nil {
			continue
		}
		vn := &VNet{VirtualNetwork: v, Index: len(n.VNets)}
		n.VNets = append(n.VNets, vn)
		setFirst(n.vnets, v.Name, vn)
		for _, s := range v.Subnets {
			if s == nil {
				continue
			}
			sn := &Subnet{Subnet: s, VNet: vn, NSG: x.NetworkSecurityGroups[s.NetworkSecurityGroup]}
			vn.Subnets = append(vn.Subnets, sn)
			n.Subnets = append(n.Subnets, sn)
			setFirst(n.subnets, [2]string{v.Name, s.Name}, sn)
		}
	}
	n.resolvePeers()
	for _, g := range t.ApplicationSecurityGroups {
		if g != nil {
			a := &ASG{ApplicationSecurityGroup: g}
			n.ASGs = append(n.ASGs, a)
			setFirst(n.asgs, g.Name, a)
		}
	}
	for _, m := range t.VirtualMachines {
		if m == nil {
			continue
		}
		vm := &VM{VirtualMachine: m, Subnet: n.subnets[[2]string{m.VirtualNetwork, m.Subnet}], NSG: x.NetworkSecurityGroups[m.NetworkSecurityGroup]}
		if vm.Subnet != nil {
			vm.Subnet.VMs = append(vm.Subnet.VMs, vm)
		}
		for _, name := range m.ApplicationSecurityGroups {
			if g := n.asgs[name]; g != nil {
				vm.ASGs = append(vm.ASGs, g)
				g.Members = append(g.Members, vm)
				if vn := vm.VNet(); vn != nil && !containsVNet(g.VNets, vn) {
					g.VNets = append(g.VNets, vn)
				}
			}
		}
		n.VMs = append(n.VMs, vm)
		setFirst(n.vms, m.Name, vm)
	}
	for _, b := range t.BastionHosts {
		if b == nil {
			continue
		}
		bn := &Bastion{BastionHost: b, VNet: n.vnets[b.VirtualNetwork]}
		if b.SKU != topology.Developer {
			bn.Subnet = n.subnets[[2]string{b.VirtualNetwork, topology.BastionSubnetName}]
		}
		n.Bastions = append(n.Bastions, bn)
		setFirst(n.bastions, b.Name, bn)
	}
	return n
}

// resolvePeers links each VNet with the VNets it is peered with: a
// peering declared on either side counts for both, and peering is not
// transitive (https://learn.microsoft.com/en-us/azure/virtual-network/virtual-network-peering-overview).
func (n *Network) resolvePeers() {
	for _, v := range n.VNets {
		for _, name := range v.VirtualNetwork.Peerings {
			p := n.vnets[name]
			if p == nil || p == v {
				continue
			}
			if !containsVNet(v.Peers, p) {
				v.Peers = append(v.Peers, p)
			}
			if !containsVNet(p.Peers, v) {
				p.Peers = append(p.Peers, v)
			}
		}
	}
	for _, v := range n.VNets {
		sort.Slice(v.Peers, func(i, j int) bool { return v.Peers[i].Name() < v.Peers[j].Name() })
	}
}

func containsVNet(vs []*VNet, v *VNet) bool {
	for _, x := range vs {
		if x == v {
			return true
		}
	}
	return false
}

// setFirst records x under name unless an earlier object has the name:
// duplicates are validation's to report.
func setFirst[K comparable, T any](m map[K]T, k K, x T) {
	if _, ok := m[k]; !ok {
		m[k] = x
	}
}

// VNet returns the VNet named name, or nil.
func (n *Network) VNet(name string) *VNet { return n.vnets[name] }

// Subnet returns subnet name of VNet vnet, or nil.
func (n *Network) Subnet(vnet, name string) *Subnet { return n.subnets[[2]string{vnet, name}] }

// VM returns the VM named name, or nil.
func (n *Network) VM(name string) *VM { return n.vms[name] }

// ASG returns the application security group named name, or nil.
func (n *Network) ASG(name string) *ASG { return n.asgs[name] }

// Bastion returns the Bastion host named name, or nil.
func (n *Network) Bastion(name string) *Bastion { return n.bastions[name] }

// NSG returns the network security group named name, or nil.
func (n *Network) NSG(name string) *topology.NetworkSecurityGroup {
	return n.Index.NetworkSecurityGroups[name]
}

// Client returns the declared client named name, or nil.
func (n *Network) Client(name string) *topology.Client { return n.Index.Clients[name] }

// LookupOrder lists the VNets in the order an address is looked up from
// VNet from (nil: from nowhere in particular): from, the VNets peered with
// it by name, then every other VNet in topology order. Unpeered VNets may
// reuse an address space (SPEC 1.1), so where an address lives depends on
// where it is seen from.
func (n *Network) LookupOrder(from *VNet) []*VNet {
	if from == nil {
		return n.VNets
	}
	out := make([]*VNet, 0, len(n.VNets))
	seen := make(map[*VNet]bool, len(n.VNets))
	add := func(v *VNet) {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	add(from)
	for _, p := range from.Peers {
		add(p)
	}
	for _, v := range n.VNets {
		add(v)
	}
	return out
}

// Locate says where address a lives, seen from VNet from (see
// LookupOrder): the first VNet whose address space holds it; in that VNet,
// the subnet holding it, and the VM whose NIC has it. An address of a VNet's
// space outside its subnets has a VNet and no subnet; an address of no VNet
// has none (it is outside Azure).
func (n *Network) Locate(from *VNet, a netip.Addr) (*VNet, *Subnet, *VM) {
	for _, v := range n.LookupOrder(from) {
		if !v.Holds(a) {
			continue
		}
		for _, s := range v.Subnets {
			if !s.Subnet.AddressPrefix.Contains(a) {
				continue
			}
			for _, m := range s.VMs {
				if m.Address() == a {
					return v, s, m
				}
			}
			return v, s, nil
		}
		return v, nil, nil
	}
	return nil, nil, nil
}

// TargetVMs returns the VMs a Bastion host in VNet v reaches: those of v
// and, with peered, of the VNets peered with it, in topology order
// (https://learn.microsoft.com/en-us/azure/bastion/vnet-peering).
func (n *Network) TargetVMs(v *VNet, peered bool) []*VM {
	var out []*VM
	for _, m := range n.VMs {
		vn := m.VNet()
		if vn == nil || v == nil {
			continue
		}
		if vn == v || peered && v.Sees(vn) {
			out = append(out, m)
		}
	}
	return out
}
