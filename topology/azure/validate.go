package azure

import "github.com/nsgsim/nsgsim/topology"

// validate checks an imported topology the way the loader checks a file
// (SPEC 1.1): unique names, references that resolve, addresses that fit.
func validate(t *topology.Topology) error {
	return topology.Validate(t).Err()
}

// restoreFiles gives every position of t its plain file name back after
// validation, which has printed them as "FILE: PATH" (see posOf): the
// findings' reports take a position's File for a file (SARIF makes a URI
// of it).
func (a *assembler) restoreFiles(t *topology.Topology) {
	fix := func(o *topology.Origin) {
		if f, ok := a.fileOf[o.Pos.File]; ok {
			o.Pos.File = f
		}
		for k, p := range o.Fields {
			if f, ok := a.fileOf[p.File]; ok {
				p.File = f
				o.Fields[k] = p
			}
		}
	}
	for _, v := range t.VirtualNetworks {
		fix(&v.Origin)
		for _, s := range v.Subnets {
			fix(&s.Origin)
		}
	}
	for _, g := range t.NetworkSecurityGroups {
		fix(&g.Origin)
		for _, r := range g.SecurityRules {
			fix(&r.Origin)
		}
	}
	for _, g := range t.ApplicationSecurityGroups {
		fix(&g.Origin)
	}
	for _, vm := range t.VirtualMachines {
		fix(&vm.Origin)
	}
	for _, b := range t.BastionHosts {
		fix(&b.Origin)
	}
}
