package topology

import "iter"

// namedObject is a pointer to one of a topology's named objects: a VNet,
// subnet, NSG, security rule, ASG, VM, Bastion host, client or flow. The
// walks over the object lists (eachNamed), the lookups by name and the
// checks of names (checkNames) serve them all.
type namedObject[E any] interface {
	*E
	objectName() string
	origin() *Origin // every named object embeds its Origin
}

func (o *Origin) origin() *Origin { return o }

func (x *VirtualNetwork) objectName() string           { return x.Name }
func (x *Subnet) objectName() string                   { return x.Name }
func (x *NetworkSecurityGroup) objectName() string     { return x.Name }
func (x *SecurityRule) objectName() string             { return x.Name }
func (x *ApplicationSecurityGroup) objectName() string { return x.Name }
func (x *VirtualMachine) objectName() string           { return x.Name }
func (x *BastionHost) objectName() string              { return x.Name }
func (x *Client) objectName() string                   { return x.Name }
func (x *Flow) objectName() string                     { return x.Name }

// eachNamed yields the objects of xs that are not nil, with their indexes
// in xs.
func eachNamed[E any, P namedObject[E]](xs []P) iter.Seq2[int, P] {
	return func(yield func(int, P) bool) {
		for i, x := range xs {
			if x != nil && !yield(i, x) {
				return
			}
		}
	}
}

// findNamed is the first object of xs named name; nil when there is none.
func findNamed[E any, P namedObject[E]](xs []P, name string) P {
	for _, x := range eachNamed(xs) {
		if x.objectName() == name {
			return x
		}
	}
	return nil
}

// VirtualNetworkByName finds a VNet; nil when there is none. The other
// ByName lookups are alike.
func (t *Topology) VirtualNetworkByName(name string) *VirtualNetwork {
	return findNamed(t.VirtualNetworks, name)
}

// SubnetByName finds a subnet of v.
func (v *VirtualNetwork) SubnetByName(name string) *Subnet {
	return findNamed(v.Subnets, name)
}

// NetworkSecurityGroupByName finds an NSG.
func (t *Topology) NetworkSecurityGroupByName(name string) *NetworkSecurityGroup {
	return findNamed(t.NetworkSecurityGroups, name)
}

// VirtualMachineByName finds a VM.
func (t *Topology) VirtualMachineByName(name string) *VirtualMachine {
	return findNamed(t.VirtualMachines, name)
}

// ApplicationSecurityGroupByName finds an application security group.
func (t *Topology) ApplicationSecurityGroupByName(name string) *ApplicationSecurityGroup {
	return findNamed(t.ApplicationSecurityGroups, name)
}

// BastionHostByName finds a Bastion host.
func (t *Topology) BastionHostByName(name string) *BastionHost {
	return findNamed(t.BastionHosts, name)
}

// ClientByName finds a declared client. The default clients (Internet,
// VirtualNetwork) are not declared and are not found.
func (t *Topology) ClientByName(name string) *Client {
	return findNamed(t.Clients, name)
}

// FlowByName finds a user flow.
func (t *Topology) FlowByName(name string) *Flow {
	return findNamed(t.Flows, name)
}

// Index finds a topology's objects by name: built once by NewIndex, shared
// by validation and by the resolved network (package network). The first
// object of a name wins; duplicate names are validation's to report, and an
// empty name is not indexed.
type Index struct {
	VirtualNetworks           map[string]*VirtualNetwork
	Subnets                   map[[2]string]*Subnet // by VNet name and subnet name
	NetworkSecurityGroups     map[string]*NetworkSecurityGroup
	ApplicationSecurityGroups map[string]*ApplicationSecurityGroup
	VirtualMachines           map[string]*VirtualMachine
	BastionHosts              map[string]*BastionHost
	Clients                   map[string]*Client
	Flows                     map[string]*Flow
}

// NewIndex indexes t by name. The subnets indexed are those of the VNet
// that holds its name.
func NewIndex(t *Topology) *Index {
	x := &Index{
		VirtualNetworks:           byName(t.VirtualNetworks),
		NetworkSecurityGroups:     byName(t.NetworkSecurityGroups),
		ApplicationSecurityGroups: byName(t.ApplicationSecurityGroups),
		VirtualMachines:           byName(t.VirtualMachines),
		BastionHosts:              byName(t.BastionHosts),
		Clients:                   byName(t.Clients),
		Flows:                     byName(t.Flows),
		Subnets:                   make(map[[2]string]*Subnet),
	}
	for _, v := range eachNamed(t.VirtualNetworks) {
		if x.VirtualNetworks[v.Name] != v {
			continue
		}
		for _, s := range eachNamed(v.Subnets) {
			setFirst(x.Subnets, [2]string{v.Name, s.Name}, s)
		}
	}
	return x
}

// byName maps objects by name, the first of a name winning.
func byName[E any, P namedObject[E]](xs []P) map[string]P {
	m := make(map[string]P, len(xs))
	for _, x := range eachNamed(xs) {
		setFirst(m, x.objectName(), x)
	}
	return m
}
