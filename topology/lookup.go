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
