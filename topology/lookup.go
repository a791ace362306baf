package topology

// VirtualMachineByName finds a VM; nil when there is none.
func (t *Topology) VirtualMachineByName(name string) *VirtualMachine {
	for _, v := range t.VirtualMachines {
		if v != nil && v.Name == name {
			return v
		}
	}
	return nil
}

// ApplicationSecurityGroupByName finds an application security group.
func (t *Topology) ApplicationSecurityGroupByName(name string) *ApplicationSecurityGroup {
	for _, a := range t.ApplicationSecurityGroups {
		if a != nil && a.Name == name {
			return a
		}
	}
	return nil
}

// BastionHostByName finds a Bastion host.
func (t *Topology) BastionHostByName(name string) *BastionHost {
	for _, b := range t.BastionHosts {
		if b != nil && b.Name == name {
			return b
		}
	}
	return nil
}

// ClientByName finds a declared client. The default clients (Internet,
// VirtualNetwork) are not declared and are not found.
func (t *Topology) ClientByName(name string) *Client {
	for _, c := range t.Clients {
		if c != nil && c.Name == name {
			return c
		}
	}
	return nil
}

// FlowByName finds a user flow.
func (t *Topology) FlowByName(name string) *Flow {
	for _, f := range t.Flows {
		if f != nil && f.Name == name {
			return f
		}
	}
	return nil
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
		VirtualNetworks:           byName(t.VirtualNetworks, func(v *VirtualNetwork) string { return v.Name }),
		NetworkSecurityGroups:     byName(t.NetworkSecurityGroups, func(g *NetworkSecurityGroup) string { return g.Name }),
		ApplicationSecurityGroups: byName(t.ApplicationSecurityGroups, func(g *ApplicationSecurityGroup) string { return g.Name }),
		VirtualMachines:           byName(t.VirtualMachines, func(m *VirtualMachine) string { return m.Name }),
		BastionHosts:              byName(t.BastionHosts, func(b *BastionHost) string { return b.Name }),
		Clients:                   byName(t.Clients, func(c *Client) string { return c.Name }),
		Flows:                     byName(t.Flows, func(f *Flow) string { return f.Name }),
		Subnets:                   make(map[[2]string]*Subnet),
	}
	for _, v := range t.VirtualNetworks {
		if v == nil || x.VirtualNetworks[v.Name] != v {
			continue
		}
		for _, s := range v.Subnets {
			if s != nil {
				setFirst(x.Subnets, [2]string{v.Name, s.Name}, s)
			}
		}
	}
	return x
}

// byName maps objects by name, the first of a name winning.
func byName[T any](xs []*T, name func(*T) string) map[string]*T {
	m := make(map[string]*T, len(xs))
	for _, x := range xs {
		if x != nil {
			setFirst(m, name(x), x)
		}
	}
	return m
}
