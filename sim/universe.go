package sim

import (
	"net/netip"
	"sort"

	"github.com/nsgsim/nsgsim/topology"
)

// hostVIP is 168.63.129.16, the virtual IP of the Azure host: the source of
// load balancer health probes (the AzureLoadBalancer tag) and part of the
// VirtualNetwork tag. https://learn.microsoft.com/en-us/azure/virtual-network/what-is-ip-address-168-63-129-16
var hostVIP = netip.MustParseAddr("168.63.129.16")

// nonPublic lists the IPv4 blocks outside the Internet service tag (SPEC 2.4):
// "this network", RFC 1918, shared address space, loopback, link-local and
// multicast/reserved. Internet is the rest, less the evaluating VNet's
// VirtualNetwork set.
var nonPublic = PrefixesSet([]netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("10.0.0.0/8"),
	netip.MustParsePrefix("100.64.0.0/10"),
	netip.MustParsePrefix("127.0.0.0/8"),
	netip.MustParsePrefix("169.254.0.0/16"),
	netip.MustParsePrefix("172.16.0.0/12"),
	netip.MustParsePrefix("192.168.0.0/16"),
	netip.MustParsePrefix("224.0.0.0/3"),
})

var allIPv4 = Set{[]span{{0, atomBase - 1}}}

// publicIPv4 is all IPv4 space the Internet tag may hold.
var publicIPv4 = allIPv4.Subtract(nonPublic)

// universe knows what every service tag means for one topology: from the
// Service Tags file when the topology names one, or from the built-in model
// of SPEC 2.4, where each tag other than the platform tags is an opaque set
// of addresses ("atoms") with GatewayManager ⊂ AzureCloud ⊂ Internet. When
// a file lacks a tag the flow catalogue needs (GatewayManager, AzureCloud),
// the built-in model stands in for that tag alone: it gets an atom, inside
// AzureCloud and Internet as without a file (SPEC 2.4).
type universe struct {
	file  *topology.ServiceTags // nil: built-in model
	atoms map[string]Point      // tag → its atom
	names []string              // atom names, by point
}

// catalogueTags are the tags the documented Bastion flows name (SPEC 3).
var catalogueTags = []string{topology.TagGatewayManager, topology.TagAzureCloud}

// newUniverse prepares the tags a topology mentions. GatewayManager and
// AzureCloud always have addresses, so the documented flows can name them:
// from the file, or atoms.
func newUniverse(file *topology.ServiceTags, tags []string) *universe {
	u := &universe{file: file}
	var names []string
	for _, t := range catalogueTags {
		if file == nil || !file.Has(t) {
			names = append(names, t)
		}
	}
	if file == nil {
		seen := map[string]bool{topology.TagGatewayManager: true, topology.TagAzureCloud: true}
		var rest []string
		for _, t := range tags {
			if !seen[t] && !platformTag(t) {
				seen[t] = true
				rest = append(rest, t)
			}
		}
		sort.Strings(rest)
		names = append(names, rest...)
	}
	u.atoms = make(map[string]Point, len(names))
	for i, n := range names {
		u.atoms[n] = atomBase + Point(i)
	}
	u.names = names
	return u
}

// MissingCatalogueTags lists the tags the flow catalogue needs that the
// Service Tags file lacks, for which the built-in model stands in.
func (e *Engine) MissingCatalogueTags() []string {
	if e.u.builtin() {
		return nil
	}
	return e.u.names
}

func platformTag(t string) bool {
	return t == topology.TagVirtualNetwork || t == topology.TagInternet || t == topology.TagAzureLoadBalancer
}

// builtin reports whether the universe uses the built-in model.
func (u *universe) builtin() bool { return u.file == nil }

// allAtoms is the set of every atom: empty with a Service Tags file that
// has every catalogue tag.
func (u *universe) allAtoms() Set {
	if len(u.names) == 0 {
		return Set{}
	}
	return Set{[]span{{atomBase, atomBase + Point(len(u.names)) - 1}}}
}

// everything is "*": all IPv4 space and every atom.
func (u *universe) everything() Set { return allIPv4.Union(u.allAtoms()) }

// prefixes returns the set of a prefix list. A list that covers all public
// IPv4 space also covers the opaque tag addresses, which lie somewhere
// inside it (SPEC 2.3, 2.4).
func (u *universe) prefixes(ps []netip.Prefix) Set {
	s := PrefixesSet(ps)
	if len(u.names) > 0 && s.ContainsSet(publicIPv4) {
		s = s.Union(u.allAtoms())
	}
	return s
}

// virtualNetwork is the VirtualNetwork tag as seen from VNet v: its address
// space, the spaces of the VNets peered with it (not transitively), its
// on-premises prefixes and the host VIP.
// https://learn.microsoft.com/en-us/azure/virtual-network/service-tags-overview#available-service-tags
func virtualNetwork(v *topology.VirtualNetwork, peers []*topology.VirtualNetwork) Set {
	ps := []netip.Prefix{netip.PrefixFrom(hostVIP, 32)}
	ps = append(ps, v.AddressSpace...)
	ps = append(ps, v.OnPremisesPrefixes...)
	for _, p := range peers {
		ps = append(ps, p.AddressSpace...)
	}
	return PrefixesSet(ps)
}

// tag returns the set of a service tag as seen from a VNet whose
// VirtualNetwork set is vnet.
func (u *universe) tag(name string, vnet Set) Set {
	switch name {
	case topology.TagVirtualNetwork:
		return vnet
	case topology.TagAzureLoadBalancer:
		return PrefixSet(netip.PrefixFrom(hostVIP, 32))
	case topology.TagInternet:
		return publicIPv4.Subtract(vnet).Union(u.allAtoms())
	}
	var s Set
	if !u.builtin() {
		ps, _ := u.file.Prefixes(name)
		s = PrefixesSet(ps)
	}
	if name == topology.TagAzureCloud {
		// Every atom is an Azure address: GatewayManager's too.
		return s.Union(u.allAtoms())
	}
	if p, ok := u.atoms[name]; ok {
		return s.Union(PointSet(p))
	}
	return s
}

// atomName returns the tag an atom stands for.
func (u *universe) atomName(p Point) string {
	if p >= atomBase && int(p-atomBase) < len(u.names) {
		return u.names[p-atomBase]
	}
	return ""
}

// TagAssumptionMatters reports whether the built-in service tag model's
// assumption can change a verdict: some rule names public addresses without
// covering all public space, so whether GatewayManager or AzureCloud
// addresses fall inside it is unknown without a Service Tags file (SPEC 2.4).
func (e *Engine) TagAssumptionMatters() bool {
	if len(e.u.names) == 0 {
		return false
	}
	for _, n := range e.topo.NetworkSecurityGroups {
		for _, r := range n.SecurityRules {
			for _, side := range []topology.Addresses{r.Source, r.Destination} {
				if len(side.Prefixes) == 0 {
					continue
				}
				s := PrefixesSet(side.Prefixes)
				if s.Overlaps(publicIPv4) && !s.ContainsSet(publicIPv4) {
					return true
				}
			}
		}
	}
	return false
}
