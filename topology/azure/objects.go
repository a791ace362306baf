package azure

import (
	"fmt"
	"net/netip"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/nsgsim/nsgsim/topology"
)

// rule reads one custom security rule (SecurityRulePropertiesFormat,
// https://learn.microsoft.com/en-us/rest/api/virtualnetwork/security-rules/get).
func (a *assembler) rule(r *rec) *topology.SecurityRule {
	n, f := r.n, r.file
	var fs memberNodes
	n.members(ruleMembers, ruleOthers, &fs)
	before := len(a.errs)
	rule := &topology.SecurityRule{Origin: a.origin(r), Name: r.name}
	rule.Description = a.str(f, fs.field("description"))
	for _, k := range []string{"priority", "direction", "access", "protocol"} {
		a.setField(&rule.Origin, f, k, fs.field(k))
	}
	if p := fs.field("priority"); p.v == nil {
		a.errorf(f, n, "rule %q has no priority; expected a number from 100 to 4096", r.name)
	} else if v, ok := a.integer(f, p, func() string { return fmt.Sprintf("rule %q: priority", r.name) }, 100, 4096); ok {
		// The range is Azure's (https://learn.microsoft.com/en-us/azure/virtual-network/network-security-groups-overview#security-rules).
		rule.Priority = v
	}
	if d, ok := a.enum(r, &fs, "direction", "Inbound or Outbound", func(s string) (int, bool) {
		d, ok := topology.ParseDirection(s)
		return int(d), ok
	}); ok {
		rule.Direction = topology.Direction(d)
	}
	if acc, ok := a.enum(r, &fs, "access", "Allow or Deny", func(s string) (int, bool) {
		acc, ok := topology.ParseAccess(s)
		return int(acc), ok
	}); ok {
		rule.Access = topology.Access(acc)
	}
	if p, ok := a.enum(r, &fs, "protocol", "Tcp, Udp, Icmp, Esp, Ah or *", func(s string) (int, bool) {
		p, ok := topology.ParseProtocol(s)
		return int(p), ok
	}); ok {
		rule.Protocol = topology.Protocol(p)
	}
	rule.Source = a.addresses(r, &fs, &rule.Origin, sourceSide)
	rule.Destination = a.addresses(r, &fs, &rule.Origin, destinationSide)
	rule.SourcePorts = a.ports(r, &fs, &rule.Origin, sourceSide)
	rule.DestinationPorts = a.ports(r, &fs, &rule.Origin, destinationSide)
	if len(a.errs) > before {
		return nil
	}
	return rule
}

// ruleOthers are members of a rule that az prints and rule does not read
// (node.members).
var ruleOthers = []string{"name", "id", "etag", "type", "provisioningState"}

// ruleMembers are the fields rule reads, read at once (node.members).
var ruleMembers = []string{
	"description", "priority", "direction", "access", "protocol",
	"sourceAddressPrefix", "sourceAddressPrefixes", "sourceApplicationSecurityGroups", "sourcePortRange", "sourcePortRanges",
	"destinationAddressPrefix", "destinationAddressPrefixes", "destinationApplicationSecurityGroups", "destinationPortRange", "destinationPortRanges",
}

func (a *assembler) enum(r *rec, fs *memberNodes, field, want string, parse func(string) (int, bool)) (int, bool) {
	n := fs.field(field)
	s := a.str(r.file, n)
	if s == "" {
		if _, isErr := n.v.(*exprError); !isErr {
			a.errorf(r.file, r.n, "rule %q has no %s; expected %s", r.name, field, want)
		}
		return 0, false
	}
	v, ok := parse(s)
	if !ok {
		a.errorf(r.file, n, "rule %q: %s %q is not %s", r.name, field, s, want)
	}
	return v, ok
}

// ruleSide names the members of one side of a rule, made once rather than
// for each of hundreds of thousands of rules.
type ruleSide struct {
	side                                                        string // "source" or "destination"
	addressPrefix, addressPrefixes, asgs, portRange, portRanges string
}

func newRuleSide(side string) *ruleSide {
	return &ruleSide{side, side + "AddressPrefix", side + "AddressPrefixes", side + "ApplicationSecurityGroups", side + "PortRange", side + "PortRanges"}
}

// The two sides of a rule.
var (
	sourceSide      = newRuleSide("source")
	destinationSide = newRuleSide("destination")
)

// itemFields are the names of the first items of a rule's lists
// ("sourcePortRanges[0]"), made once rather than for each of hundreds of
// thousands of rules.
var itemFields = func() map[string][]string {
	m := map[string][]string{}
	for _, side := range []*ruleSide{sourceSide, destinationSide} {
		for _, list := range []string{side.addressPrefixes, side.asgs, side.portRanges} {
			for k := range 16 {
				m[list] = append(m[list], list+"["+strconv.Itoa(k)+"]")
			}
		}
	}
	return m
}()

// itemField is the name of item k of a rule's list ("sourcePortRanges[0]").
func itemField(list string, k int) string {
	if names := itemFields[list]; k < len(names) {
		return names[k]
	}
	return list + "[" + strconv.Itoa(k) + "]"
}

// addresses reads one side of a rule: side+"AddressPrefix",
// side+"AddressPrefixes" or side+"ApplicationSecurityGroups". It records
// in o where each value was read. IPv6 prefixes are kept in IPv6Prefixes:
// Azure Bastion and nsgsim are IPv4 only
// (https://learn.microsoft.com/en-us/azure/bastion/bastion-faq#ipv6), so
// they match no flow, but the rule keeps its priority as in Azure.
func (a *assembler) addresses(r *rec, fs *memberNodes, o *topology.Origin, names *ruleSide) (out topology.Addresses) {
	f, side := r.file, names.side
	single := fs.field(names.addressPrefix)
	plural := fs.field(names.addressPrefixes)
	asgs := fs.field(names.asgs)
	if a.bad(f, single) || a.bad(f, plural) || a.bad(f, asgs) {
		return topology.Addresses{}
	}
	set := 0
	for _, x := range []node{single, plural, asgs} {
		if x.isSet() {
			set++
		}
	}
	if set > 1 {
		a.errorf(f, r.n, "rule %q sets more than one of %sAddressPrefix, %sAddressPrefixes and %sApplicationSecurityGroups; expected one",
			r.name, side, side, side)
		return topology.Addresses{}
	}
	switch {
	case single.isSet():
		a.setField(o, f, names.addressPrefix, single)
		s := a.str(f, single)
		anyAddr, tag, p, err := classifyAddress(s)
		switch {
		case err != nil:
			a.errorf(f, single, "rule %q: %v", r.name, err)
		case anyAddr:
			out.Any = true
		case tag != "":
			out.Tag = tag
		case !p.Addr().Is4():
			out.IPv6Prefixes = []netip.Prefix{p}
		default:
			out.Prefixes = []netip.Prefix{p}
		}
	case plural.isSet():
		items := plural.list()
		if items == nil {
			a.errorf(f, plural, "rule %q: expected an array of addresses, got %s", r.name, typeName(plural.v))
		}
		a.setField(o, f, names.addressPrefixes, plural)
		var v6 []node
		for _, it := range items {
			s := a.str(f, it)
			anyAddr, tag, p, err := classifyAddress(s)
			switch {
			case err != nil:
				a.errorf(f, it, "rule %q: %v", r.name, err)
			case anyAddr:
				// "*" in a list covers everything: the list means any address.
				out.Any = true
			case tag != "":
				a.errorf(f, it, "rule %q: service tag %q in %sAddressPrefixes; Azure allows a service tag only in %sAddressPrefix",
					r.name, s, side, side)
			case !p.Addr().Is4():
				v6 = append(v6, it)
				out.IPv6Prefixes = append(out.IPv6Prefixes, p)
			default:
				a.setField(o, f, itemField(names.addressPrefixes, len(out.Prefixes)), it)
				out.Prefixes = append(out.Prefixes, p)
			}
		}
		if out.Any {
			out.Prefixes, out.IPv6Prefixes, v6 = nil, nil, nil
		}
		// The IPv6 prefixes follow the IPv4 ones (Addresses.AllPrefixes).
		for j, it := range v6 {
			a.setField(o, f, itemField(names.addressPrefixes, len(out.Prefixes)+j), it)
		}
	case asgs.isSet():
		items := asgs.list()
		if items == nil {
			a.errorf(f, asgs, "rule %q: expected an array of application security groups, got %s", r.name, typeName(asgs.v))
		}
		a.setField(o, f, names.asgs, asgs)
		for _, it := range items {
			if name := a.asgName(f, it); name != "" && !slices.Contains(out.ApplicationSecurityGroups, name) {
				a.setField(o, f, itemField(names.asgs, len(out.ApplicationSecurityGroups)), it)
				out.ApplicationSecurityGroups = append(out.ApplicationSecurityGroups, name)
			}
		}
	default:
		a.errorf(f, r.n, "rule %q has no %s address; expected %sAddressPrefix, %sAddressPrefixes or %sApplicationSecurityGroups",
			r.name, side, side, side, side)
	}
	return out
}

// classifyAddress reads one address of a rule: "*" (also "Any", which the
// portal shows for "*"), an IP address or CIDR prefix, or a service tag. A
// name that is not a tag nsgsim knows but looks like one is kept as written,
// for validation against a Service Tags file.
func classifyAddress(s string) (anyAddr bool, tag string, p netip.Prefix, err error) {
	s = strings.TrimSpace(s)
	switch {
	case s == "*" || strings.EqualFold(s, "any"):
		return true, "", netip.Prefix{}, nil
	case s == "":
		return false, "", netip.Prefix{}, fmt.Errorf("empty address; expected \"*\", an IP address, a CIDR prefix or a service tag")
	}
	if _, aerr := netip.ParseAddr(s); aerr == nil || strings.Contains(s, "/") {
		p, err = parsePrefix(s)
		return false, "", p, err
	}
	if t, ok := topology.CanonicalTag(s, nil); ok {
		return false, t, netip.Prefix{}, nil
	}
	if looksLikeTag(s) {
		return false, s, netip.Prefix{}, nil
	}
	return false, "", netip.Prefix{}, fmt.Errorf("%q is not \"*\", an IP address, a CIDR prefix or a service tag", s)
}

func looksLikeTag(s string) bool {
	for i, c := range s {
		letter := 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
		if i == 0 && !letter {
			return false
		}
		if !letter && !('0' <= c && c <= '9') && c != '.' && c != '-' && c != '_' {
			return false
		}
	}
	return s != ""
}

// ports reads side+"PortRange" or side+"PortRanges", recording in o where.
func (a *assembler) ports(r *rec, fs *memberNodes, o *topology.Origin, names *ruleSide) []topology.PortRange {
	f, side := r.file, names.side
	single := fs.field(names.portRange)
	plural := fs.field(names.portRanges)
	if a.bad(f, single) || a.bad(f, plural) {
		return nil
	}
	switch {
	case single.isSet() && plural.isSet():
		a.errorf(f, r.n, "rule %q sets both %sPortRange and %sPortRanges; expected one", r.name, side, side)
	case single.isSet():
		a.setField(o, f, names.portRange, single)
		pr, err := topology.ParsePortRange(a.str(f, single))
		if err != nil {
			a.errorf(f, single, "rule %q: %v", r.name, err)
			return nil
		}
		return []topology.PortRange{pr}
	case plural.isSet():
		items := plural.list()
		if items == nil {
			a.errorf(f, plural, "rule %q: expected an array of port ranges, got %s", r.name, typeName(plural.v))
		}
		a.setField(o, f, names.portRanges, plural)
		out := make([]topology.PortRange, 0, len(items))
		for _, it := range items {
			pr, err := topology.ParsePortRange(a.str(f, it))
			if err != nil {
				a.errorf(f, it, "rule %q: %v", r.name, err)
				continue
			}
			a.setField(o, f, itemField(names.portRanges, len(out)), it)
			out = append(out, pr)
		}
		return out
	default:
		a.errorf(f, r.n, "rule %q has no %s port; expected %sPortRange or %sPortRanges (\"*\" for any)", r.name, side, side, side)
	}
	return nil
}

// subnetAt is a subnet that a NIC or Bastion host refers to.
type subnetAt struct {
	vnet   *rec
	name   string
	prefix netip.Prefix
}

func (s subnetAt) key() string { return s.vnet.model + "/" + s.name }

// resolveSubnet resolves a reference to a subnet. quiet suppresses messages.
func (a *assembler) resolveSubnet(from *rec, n node, quiet bool) (subnetAt, bool) {
	// Thousands of NICs name each subnet: a subnet found by an ID string
	// is found again by it without parsing and looking it up.
	idString, isString := refString(n)
	if sub, ok := a.subnetByID[idString]; ok && isString {
		return sub, true
	}
	var id resourceID
	var idn node
	if quiet {
		idn = n
		if n.isObject() {
			idn = n.key("id")
		}
		s, _ := idn.v.(string)
		var ok bool
		if id, ok = parseResourceID(s); !ok {
			return subnetAt{}, false
		}
	} else {
		var ok bool
		if id, idn, ok = a.refID(from.file, n); !ok {
			return subnetAt{}, false
		}
	}
	if sr := a.lookup(id, kSubnet); sr != nil {
		if v := a.parentOf(sr, kVNet); v != nil {
			sub := subnetAt{vnet: v, name: sr.name, prefix: a.subnetPrefixes[sr]}
			if isString {
				a.subnetByID[idString] = sub
			}
			return sub, true
		}
		return subnetAt{}, false // reported with the subnet
	}
	if quiet {
		return subnetAt{}, false
	}
	if !strings.EqualFold(id.Type(), "Microsoft.Network/virtualNetworks/subnets") {
		a.errorf(from.file, idn, "%s %q: %q is not a subnet ID; expected \".../virtualNetworks/VNET/subnets/SUBNET\"",
			kindNames[from.kind], from.name, id.String())
		return subnetAt{}, false
	}
	pid, _ := id.Parent()
	if v := a.lookup(pid, kVNet); v != nil {
		a.errorf(from.file, idn, "%s %q: virtual network %q has no subnet %q", kindNames[from.kind], from.name, v.name, id.Name())
	} else {
		a.errorf(from.file, idn, "%s %q: subnet %q is in virtual network %q, which is not among the inputs; add the VNet",
			kindNames[from.kind], from.name, id.Name(), pid.Name())
	}
	return subnetAt{}, false
}

// primary picks the element marked primary, or the first.
func primary(ns []node) node {
	for _, n := range ns {
		if b, ok := n.field("primary").v.(bool); ok && b {
			return n
		}
	}
	return ns[0]
}

// virtualMachines reads every VM with the primary IP configuration of its
// primary NIC. A NIC with no address (dynamic allocation, not yet deployed)
// gets the first free address of its subnet after the five Azure reserves
// (https://learn.microsoft.com/en-us/azure/virtual-network/virtual-networks-faq#are-there-any-restrictions-on-using-ip-addresses-within-these-subnets),
// NICs taken in input order, as Azure hands out dynamic addresses in order.
func (a *assembler) virtualMachines() []*topology.VirtualMachine {
	used := map[string]map[netip.Addr]bool{}
	use := func(s subnetAt, addr netip.Addr) {
		if used[s.key()] == nil {
			used[s.key()] = map[netip.Addr]bool{}
		}
		used[s.key()][addr] = true
	}
	// Every address a NIC already holds is taken, whether or not its VM is
	// among the inputs.
	for _, nic := range a.recs[kNIC] {
		for _, ipc := range a.array(nic.file, nic.n.field("ipConfigurations"), "IP configurations") {
			s, _ := ipc.field("privateIPAddress").v.(string)
			addr, err := netip.ParseAddr(strings.TrimSpace(s))
			if err != nil {
				continue
			}
			if sub, ok := a.resolveSubnet(nic, ipc.field("subnet"), true); ok {
				use(sub, addr)
			}
		}
	}
	type pending struct {
		vm    *topology.VirtualMachine
		order int
		sub   subnetAt
		nic   *rec
		n     node
	}
	var todo []pending
	var vms []*topology.VirtualMachine
	for _, r := range a.recs[kVM] {
		before := len(a.errs)
		vm := &topology.VirtualMachine{Origin: a.origin(r), Name: r.model}
		vm.OS = a.osOf(r)
		nics := r.n.field("networkProfile").key("networkInterfaces")
		n0 := len(a.errs)
		list := a.array(r.file, nics, "network interface references")
		if len(list) == 0 {
			if len(a.errs) == n0 {
				a.errorf(r.file, r.n, "virtual machine %q has no network interface; expected networkProfile.networkInterfaces", r.name)
			}
			continue
		}
		nicID, idn, ok := a.refID(r.file, primary(list))
		if !ok {
			continue
		}
		nic := a.lookup(nicID, kNIC)
		if nic == nil {
			a.errorf(r.file, idn, "virtual machine %q: network interface %q is not among the inputs; add it (for example `az network nic list`)",
				r.name, nicID.String())
			continue
		}
		ipcN := nic.n.field("ipConfigurations")
		ipcs := ipcN.list()
		if len(ipcs) == 0 {
			if _, isArray := ipcN.v.([]any); isArray || ipcN.v == nil { // else reported with the NIC
				a.errorf(nic.file, nic.n, "network interface %q of virtual machine %q has no IP configuration; expected ipConfigurations", nic.name, r.name)
			}
			continue
		}
		ipc := primary(ipcs)
		if !ipc.field("subnet").isSet() {
			a.errorf(nic.file, ipc, "network interface %q: the IP configuration of virtual machine %q has no subnet; expected subnet.id", nic.name, r.name)
			continue
		}
		sub, ok := a.resolveSubnet(nic, ipc.field("subnet"), false)
		if !ok {
			continue
		}
		vm.VirtualNetwork, vm.Subnet = sub.vnet.model, sub.name
		a.setField(&vm.Origin, nic.file, "subnet", ipc.field("subnet"))
		addrN := ipc.field("privateIPAddress")
		if s := strings.TrimSpace(a.str(nic.file, addrN)); s != "" {
			addr, err := netip.ParseAddr(s)
			if err != nil {
				a.errorf(nic.file, addrN, "%q is not an IP address", s)
			}
			vm.PrivateIPAddress = addr
			a.setField(&vm.Origin, nic.file, "privateIpAddress", addrN)
		} else if s := firstAddr(r.n.key("privateIps").v); s.IsValid() {
			vm.PrivateIPAddress = s // `az vm list --show-details`
			a.setField(&vm.Origin, r.file, "privateIpAddress", r.n.key("privateIps"))
			use(sub, s)
		} else if !a.bad(nic.file, addrN) {
			a.setField(&vm.Origin, nic.file, "privateIpAddress", ipc)
			todo = append(todo, pending{vm: vm, order: nic.order, sub: sub, nic: nic, n: ipc})
		}
		if g := nic.n.field("networkSecurityGroup"); g.isSet() {
			a.setField(&vm.Origin, nic.file, "networkSecurityGroup", g)
			vm.NetworkSecurityGroup = a.refName(nic, g, kNSG)
		}
		asgAt := map[string]node{}
		for _, g := range a.array(nic.file, ipc.field("applicationSecurityGroups"), "application security group references") {
			if name := a.asgName(nic.file, g); name != "" && !slices.Contains(vm.ApplicationSecurityGroups, name) {
				vm.ApplicationSecurityGroups = append(vm.ApplicationSecurityGroups, name)
				asgAt[name] = g
			}
		}
		sort.Strings(vm.ApplicationSecurityGroups)
		for j, name := range vm.ApplicationSecurityGroups {
			a.setField(&vm.Origin, nic.file, fmt.Sprintf("applicationSecurityGroups[%d]", j), asgAt[name])
		}
		if p := ipc.field("publicIPAddress"); p.isSet() {
			if id, _, ok := a.refID(nic.file, p); ok {
				if pip := a.lookup(id, kPublicIP); pip != nil {
					vm.PublicIPAddress = firstAddr(pip.n.field("ipAddress").v)
					a.setField(&vm.Origin, pip.file, "publicIpAddress", pip.n.field("ipAddress"))
					if !vm.PublicIPAddress.IsValid() {
						a.dynamicIPs = append(a.dynamicIPs, pip.name)
						a.dynamicIPAt.note(pip.file, pip.n)
					}
				}
			}
		}
		if !vm.PublicIPAddress.IsValid() {
			vm.PublicIPAddress = firstAddr(r.n.key("publicIps").v)
			a.setField(&vm.Origin, r.file, "publicIpAddress", r.n.key("publicIps"))
		}
		if len(a.errs) > before {
			continue
		}
		vms = append(vms, vm)
	}
	sort.SliceStable(todo, func(i, j int) bool { return todo[i].order < todo[j].order })
	for _, p := range todo {
		addr, ok := firstFree(p.sub.prefix, used[p.sub.key()])
		if !ok {
			a.errorf(p.nic.file, p.n, "network interface %q: no free address left in subnet %s (%s) for a dynamic address",
				p.nic.name, p.sub.key(), p.sub.prefix)
			continue
		}
		p.vm.PrivateIPAddress = addr
		use(p.sub, addr)
	}
	return vms
}

// firstAddr reads an address from a string that may list several, comma
// separated (`az vm list -d` prints "publicIps": "20.1.2.3,20.1.2.4").
func firstAddr(v any) netip.Addr {
	s, _ := v.(string)
	for _, part := range strings.Split(s, ",") {
		if addr, err := netip.ParseAddr(strings.TrimSpace(part)); err == nil {
			return addr
		}
	}
	return netip.Addr{}
}

// firstFree returns the lowest address of p that is not one of the five
// Azure reserves (network, .1, .2, .3, broadcast) and not in used.
func firstFree(p netip.Prefix, used map[netip.Addr]bool) (netip.Addr, bool) {
	if !p.IsValid() || !p.Addr().Is4() || p.Bits() > 29 {
		return netip.Addr{}, false
	}
	base := p.Masked().Addr()
	addr := base
	for range 4 {
		addr = addr.Next()
	}
	for ; p.Contains(addr); addr = addr.Next() {
		if !p.Contains(addr.Next()) {
			break // broadcast
		}
		if !used[addr] {
			return addr, true
		}
	}
	return netip.Addr{}, false
}

// osOf tells a VM's operating system from storageProfile.osDisk.osType, else
// from the presence of osProfile.windowsConfiguration or
// linuxConfiguration, else from a well-known imageReference
// (https://learn.microsoft.com/en-us/azure/templates/microsoft.compute/virtualmachines),
// else from --vm-os. When none tells, the VM's OS is unknown (SPEC 1: it
// gets no ssh or rdp flow, and simulate warns about it); an osType that is
// neither Linux nor Windows is an error.
func (a *assembler) osOf(r *rec) topology.OS {
	sp := r.n.field("storageProfile")
	if n := sp.key("osDisk").key("osType"); n.isSet() {
		s := a.str(r.file, n)
		os, ok := topology.ParseOS(s)
		if !ok && s != "" {
			a.errorf(r.file, n, "virtual machine %q: OS type %q is not Linux or Windows", r.name, s)
		}
		if ok {
			return os
		}
		return topology.UnknownOS
	}
	op := r.n.field("osProfile")
	if op.key("windowsConfiguration").isObject() {
		return topology.Windows
	}
	if op.key("linuxConfiguration").isObject() {
		return topology.Linux
	}
	img := sp.key("imageReference")
	if os, ok := imageOS(img); ok {
		return os
	}
	for _, name := range []string{r.name, r.model} {
		if os, ok := a.vmOS[strings.ToLower(name)]; ok {
			a.vmOSUsed[strings.ToLower(name)] = true
			return os
		}
	}
	return topology.UnknownOS
}

// publisherOS maps the Marketplace publishers whose images have one
// operating system to it, lower case (publishers as `az vm image
// list-publishers` names them:
// https://learn.microsoft.com/en-us/azure/virtual-machines/windows/cli-ps-findimage,
// https://learn.microsoft.com/en-us/azure/virtual-machines/linux/cli-ps-findimage).
// Publishers with images of both systems (microsoft-dsvm, say) are told by
// the offer and SKU instead.
var publisherOS = map[string]topology.OS{
	"microsoftwindowsserver":           topology.Windows,
	"microsoftwindowsdesktop":          topology.Windows,
	"microsoftvisualstudio":            topology.Windows,
	"microsoftsqlserver":               topology.Windows,
	"microsoftsharepoint":              topology.Windows,
	"microsoftbiztalkserver":           topology.Windows,
	"microsoftdynamicsax":              topology.Windows,
	"microsoftwindowsserverhpcpack":    topology.Windows,
	"microsoftrdlabs":                  topology.Windows,
	"canonical":                        topology.Linux,
	"redhat":                           topology.Linux,
	"suse":                             topology.Linux,
	"openlogic":                        topology.Linux,
	"debian":                           topology.Linux,
	"credativ":                         topology.Linux,
	"oracle":                           topology.Linux,
	"kinvolk":                          topology.Linux,
	"almalinux":                        topology.Linux,
	"resf":                             topology.Linux,
	"microsoftcblmariner":              topology.Linux,
	"coreos":                           topology.Linux,
	"center-for-internet-security-inc": topology.Linux,
}

// imageOS tells the OS of a Marketplace image: by its publisher, else by
// words of its offer and SKU that name one system.
func imageOS(img node) (topology.OS, bool) {
	pub, _ := img.key("publisher").v.(string)
	if os, ok := publisherOS[strings.ToLower(pub)]; ok {
		if os == topology.Linux && strings.EqualFold(pub, "center-for-internet-security-inc") {
			// CIS hardens images of both systems: the offer says which.
			offer, _ := img.key("offer").v.(string)
			if strings.Contains(strings.ToLower(offer), "windows") {
				return topology.Windows, true
			}
		}
		return os, true
	}
	var words []string
	for _, k := range []string{"publisher", "offer", "sku"} {
		if s, ok := img.key(k).v.(string); ok {
			words = append(words, strings.ToLower(s))
		}
	}
	all := strings.Join(words, " ")
	switch {
	case strings.Contains(all, "windows") || strings.Contains(all, "-win-") || strings.Contains(all, "win20"):
		return topology.Windows, true
	case containsAny(all, "ubuntu", "rhel", "centos", "debian", "sles", "linux", "rocky", "flatcar", "mariner"):
		return topology.Linux, true
	}
	return 0, false
}

func containsAny(s string, subs ...string) bool {
	for _, x := range subs {
		if strings.Contains(s, x) {
			return true
		}
	}
	return false
}

// bastion reads a Bastion host (bastionHost.json,
// https://learn.microsoft.com/en-us/rest/api/virtualnetwork/bastion-hosts/get).
// Without sku the host is topology.DefaultSKU (Basic, as a template that sets
// none deploys); without scaleUnits it has topology.DefaultScaleUnits (2).
func (a *assembler) bastion(r *rec) *topology.BastionHost {
	f, n := r.file, r.n
	before := len(a.errs)
	b := &topology.BastionHost{Origin: a.origin(r), Name: r.model, SKU: topology.DefaultSKU, ScaleUnits: topology.DefaultScaleUnits}
	if sku := n.key("sku"); sku.v != nil && !sku.isObject() && !a.bad(f, sku) {
		a.errorf(f, sku, "Bastion host %q: expected an object {\"name\": SKU}, got %s", r.name, describe(sku.v))
	}
	if skuN := n.key("sku").key("name"); skuN.isSet() {
		a.setField(&b.Origin, f, "sku", skuN)
		s := a.str(f, skuN)
		sku, ok := topology.ParseSKU(s)
		if !ok && s != "" {
			a.errorf(f, skuN, "Bastion host %q: SKU %q is not Developer, Basic, Standard or Premium", r.name, s)
		}
		b.SKU = sku
	} else {
		a.bad(f, skuN)
	}
	vn := n.field("virtualNetwork")
	n0 := len(a.errs)
	ipcs := a.array(f, n.field("ipConfigurations"), "IP configurations")
	switch {
	case vn.isSet() && (b.SKU == topology.Developer || len(ipcs) == 0):
		// The Developer SKU names its VNet directly.
		a.setField(&b.Origin, f, "virtualNetwork", vn)
		id, idn, ok := a.refID(f, vn)
		if ok {
			if v := a.lookup(id, kVNet); v != nil {
				b.VirtualNetwork = v.model
			} else {
				a.errorf(f, idn, "Bastion host %q: virtual network %q is not among the inputs", r.name, id.String())
			}
		}
	case len(ipcs) > 0:
		a.setField(&b.Origin, f, "virtualNetwork", ipcs[0].field("subnet"))
		if sub, ok := a.resolveSubnet(r, ipcs[0].field("subnet"), false); ok {
			b.VirtualNetwork = sub.vnet.model
		}
	case len(a.errs) == n0:
		a.errorf(f, n, "Bastion host %q has neither ipConfigurations[].subnet nor virtualNetwork; expected one to place it", r.name)
	}
	for _, fl := range b.Flags() {
		a.setField(&b.Origin, f, fl.Name, n.field(fl.Name))
		*fl.Value = a.boolean(f, n.field(fl.Name))
	}
	if su := n.field("scaleUnits"); su.v != nil {
		a.setField(&b.Origin, f, "scaleUnits", su)
		// 2 to 50 instances (https://learn.microsoft.com/en-us/azure/bastion/configuration-settings#instance).
		if v, ok := a.integer(f, su, func() string { return fmt.Sprintf("Bastion host %q: scaleUnits", r.name) }, 2, 50); ok {
			b.ScaleUnits = v
		}
	}
	if len(a.errs) > before {
		return nil
	}
	return b
}
