package topology

import (
	"fmt"
	"github.com/nsgsim/nsgsim/internal/batch"
	"net/netip"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Validate checks what no single object can check alone: that names are
// unique, that references resolve, that addresses fit their subnets and
// VNets, and the invariants of the model that the YAML loader guarantees
// but an importer might not (SPEC 1.1). It returns every problem, sorted.
//
// Positions come from each object's Origin; for objects an importer built
// without positions they fall back to the object's position or to t.File.
//
// Validate does not lint: a topology that Azure would reject for a reason
// Azure Bastion documents (a missing NSG rule, a /27 AzureBastionSubnet, a
// feature flag the SKU lacks) is valid here and reported by the findings.
//
// A field a loader marked failed (Origin.Failed) was reported by the
// loader and holds nothing, zero or part of what was written: Validate
// reports nothing that only that explains, such as the field being empty,
// a zero priority or an item left empty, and checks the rest.
func Validate(t *Topology) ErrorList {
	if t == nil {
		return nil
	}
	v := &validator{t: t}
	v.index()
	v.checkNames()
	v.checkVirtualNetworks()
	v.checkNetworkSecurityGroups()
	v.checkVirtualMachines()
	v.checkBastionHosts()
	v.checkClients()
	v.checkFlows()
	v.checkExpectations()
	v.errs.Sort()
	return v.errs
}

type validator struct {
	suggester
	t    *Topology
	errs ErrorList
	// deferUnknown makes unknown record references in unknowns rather
	// than report them.
	deferUnknown bool
	unknowns     []unknownRef

	vnets    map[string]*VirtualNetwork
	nsgs     map[string]*NetworkSecurityGroup
	asgs     map[string]*ApplicationSecurityGroup
	vms      map[string]*VirtualMachine
	bastions map[string]*BastionHost
	clients  map[string]*Client
	flows    map[string]*Flow
	// subnets finds a subnet by VNet name and subnet name.
	subnetIndex map[[2]string]*Subnet
	// sorted names, for "did you mean"
	vnetNames, nsgNames, asgNames, vmNames, bastionNames, clientNames, flowNames []string
}

// at returns the position of the first of fields that o recorded, or o's.
func (v *validator) at(o *Origin, fields ...string) Pos {
	p := o.Pos
	for _, f := range fields {
		if q, ok := o.Field(f); ok {
			p = q
			break
		}
	}
	if p.File == "" {
		p.File = v.t.File
	}
	return p
}

func (v *validator) errorf(p Pos, ctx msgCtx, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if c := ctx.String(); c != "" {
		msg = c + ": " + msg
	}
	v.errs = append(v.errs, &Error{Pos: p, Msg: clipQuoted(msg)})
}

// maxQuoted is the most characters of a quoted value that a message shows,
// so that a hostile megabyte-long name still gives a readable line.
const maxQuoted = 100

// clipQuoted shortens each quoted value in msg that is longer than
// maxQuoted characters to its first maxQuoted characters and "...".
func clipQuoted(msg string) string {
	if len(msg) <= maxQuoted {
		return msg
	}
	var b strings.Builder
	for {
		i := strings.IndexByte(msg, '"')
		if i < 0 {
			break
		}
		q, err := strconv.QuotedPrefix(msg[i:])
		if err != nil {
			b.WriteString(msg[:i+1])
			msg = msg[i+1:]
			continue
		}
		b.WriteString(msg[:i])
		msg = msg[i+len(q):]
		if s, err := strconv.Unquote(q); err == nil && utf8.RuneCountInString(s) > maxQuoted {
			q = strconv.Quote(string([]rune(s)[:maxQuoted]) + "...")
		}
		b.WriteString(q)
	}
	b.WriteString(msg)
	return b.String()
}

// where says where an earlier declaration is, for "first declared at".
func where(p Pos) string {
	if !p.IsValid() {
		return ""
	}
	return fmt.Sprintf(" (first at %d:%d)", p.Line, p.Col)
}

// objCtx is how messages name an object: `kind "name"`, or its place in the
// file when it has no name.
func objCtx(kind, name, list string, i int) msgCtx {
	return itemCtx("", list, i).named(kind, name)
}

// uniqueNames reports an empty name and a name used twice. Azure resource
// names are case-insensitive, so "Hub" repeats "hub".
type namedObj struct {
	name string
	o    *Origin
	ctx  msgCtx
}

func (v *validator) uniqueNames(kind string, scope msgCtx, objs []namedObj) {
	seen := make(map[string]int, len(objs)) // the first of each name in objs
	for i, x := range objs {
		if x.name == "" {
			if !x.o.Failed("name") {
				v.errorf(v.at(x.o, "name"), x.ctx, "missing required key \"name\"")
			}
			continue
		}
		key := strings.ToLower(x.name)
		j, dup := seen[key]
		if !dup {
			seen[key] = i
			continue
		}
		first := objs[j]
		p := v.at(first.o, "name")
		if first.name == x.name {
			v.errorf(v.at(x.o, "name"), scope, "duplicate %s name %q%s", kind, x.name, where(p))
		} else {
			v.errorf(v.at(x.o, "name"), scope, "duplicate %s name %q: it differs only in case from %q%s, and Azure names are case-insensitive", kind, x.name, first.name, where(p))
		}
	}
}

// index builds the name tables and checks names are unique across the
// topology (SPEC 1.1).
func (v *validator) index() {
	t := v.t
	x := NewIndex(t)
	v.vnets, v.nsgs, v.asgs, v.vms = x.VirtualNetworks, x.NetworkSecurityGroups, x.ApplicationSecurityGroups, x.VirtualMachines
	v.bastions, v.clients, v.flows, v.subnetIndex = x.BastionHosts, x.Clients, x.Flows, x.Subnets
	checkUnique(v, "virtual network", "virtualNetworks", t.VirtualNetworks)
	checkUnique(v, "network security group", "networkSecurityGroups", t.NetworkSecurityGroups)
	checkUnique(v, "application security group", "applicationSecurityGroups", t.ApplicationSecurityGroups)
	checkUnique(v, "virtual machine", "virtualMachines", t.VirtualMachines)
	checkUnique(v, "bastion host", "bastionHosts", t.BastionHosts)
	checkUnique(v, "client", "clients", t.Clients)
	checkUnique(v, "flow", "flows", t.Flows)
	v.vnetNames, v.nsgNames, v.asgNames = names(v.vnets), names(v.nsgs), names(v.asgs)
	v.vmNames, v.bastionNames, v.clientNames, v.flowNames = names(v.vms), names(v.bastions), names(v.clients), names(v.flows)
}

// checkUnique checks that the names of the objects of one kind are unique.
// list is their key in the topology.
func checkUnique[E any, P namedObject[E]](v *validator, kind, list string, xs []P) {
	var objs []namedObj
	for i, x := range eachNamed(xs) {
		objs = append(objs, namedObj{x.objectName(), x.origin(), objCtx(kind, x.objectName(), list, i)})
	}
	v.uniqueNames(kind, msgCtx{}, objs)
}

func setFirst[K comparable, T any](m map[K]T, name K, x T) {
	var zero K
	if _, ok := m[name]; !ok && name != zero {
		m[name] = x
	}
}

func names[T any](m map[string]T) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// unknownRef is a reference to what is not declared, whose problem is
// reported later (see checkNetworkSecurityGroups).
type unknownRef struct {
	pos        Pos
	ctx        msgCtx
	kind, name string
	candidates []string
}

// unknown reports a reference to what is not declared; a validator that
// defers them records it in unknowns instead.
func (v *validator) unknown(p Pos, ctx msgCtx, kind, name string, candidates []string) {
	if v.deferUnknown {
		v.unknowns = append(v.unknowns, unknownRef{p, ctx, kind, name, candidates})
		return
	}
	if s := v.suggest(name, candidates); s != "" {
		v.errorf(p, ctx, "unknown %s %q; did you mean %q?", kind, name, s)
		return
	}
	v.errorf(p, ctx, "unknown %s %q", kind, name)
}

// prefix checks a prefix read into the model: IPv4, no host bits.
func (v *validator) prefix(p netip.Prefix, pos Pos, ctx msgCtx, field string) bool {
	if !p.IsValid() {
		return false // an item the loader reported and kept as the zero Prefix
	}
	if !p.Addr().Is4() {
		v.errorf(pos, ctx, "%s: %s is IPv6; %s", field, p, ipv4Only)
		return false
	}
	if m := p.Masked(); m != p {
		v.errorf(pos, ctx, "%s: %s has host bits set; did you mean %s?", field, p, m)
		return false
	}
	return true
}

func prefixesString(ps []netip.Prefix) string {
	s := make([]string, len(ps))
	for i, p := range ps {
		s[i] = p.String()
	}
	return strings.Join(s, ", ")
}

// checkVirtualNetworks checks address spaces, subnets and peerings.
func (v *validator) checkVirtualNetworks() {
	type peer struct{ a, b string }
	peered := make(map[peer]bool)
	for i, vn := range v.t.VirtualNetworks {
		if vn == nil {
			continue
		}
		ctx := objCtx("virtual network", vn.Name, "virtualNetworks", i)
		if len(vn.AddressSpace) == 0 && !vn.Failed("addressSpace") {
			v.errorf(v.at(&vn.Origin, "addressSpace"), ctx, "addressSpace is empty; expected one or more IPv4 prefixes")
		}
		var space []netip.Prefix
		for j, p := range vn.AddressSpace {
			f := indexedKey("addressSpace", j)
			if v.prefix(p, v.at(&vn.Origin, f), ctx, f) {
				space = append(space, p)
			}
		}
		for j, p := range vn.OnPremisesPrefixes {
			f := indexedKey("onPremisesPrefixes", j)
			v.prefix(p, v.at(&vn.Origin, f), ctx, f)
		}
		v.subnets(vn, ctx, space, newCover(space))

		listed := make(map[string]bool)
		for j, name := range vn.Peerings {
			f := indexedKey("peerings", j)
			if vn.Failed(f) {
				continue
			}
			pos := v.at(&vn.Origin, f)
			other, ok := v.vnets[name]
			switch {
			case name == vn.Name:
				v.errorf(pos, ctx, "%s: a virtual network cannot be peered with itself", f)
				continue
			case !ok:
				v.unknown(pos, ctx.with(f), "virtual network", name, v.vnetNames)
				continue
			case listed[name]:
				v.errorf(pos, ctx, "%s: peering with %q is listed twice", f, name)
				continue
			}
			listed[name] = true
			key := peer{vn.Name, name}
			if key.b < key.a {
				key.a, key.b = key.b, key.a
			}
			if peered[key] {
				continue // declared on the other side too; checked there
			}
			peered[key] = true
			if a, b, ok := overlap(vn.AddressSpace, other.AddressSpace); ok {
				v.errorf(pos, ctx, "peered with %q, but their address spaces overlap (%s and %s); Azure cannot peer virtual networks whose address spaces overlap", name, a, b)
			}
		}
	}
}

// span is a valid IPv4 prefix as an interval of addresses, with the index
// of the value it came from.
type span struct {
	lo, hi uint32
	i      int
}

func toSpan(p netip.Prefix, i int) (span, bool) {
	if !p.IsValid() || !p.Addr().Is4() {
		return span{}, false
	}
	b := p.Masked().Addr().As4()
	lo := uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
	return span{lo, lo | uint32(1<<(32-p.Bits())-1), i}, true
}

func sortedSpans(ps []netip.Prefix) []span {
	var out []span
	for i, p := range ps {
		if s, ok := toSpan(p, i); ok {
			out = append(out, s)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].lo != out[j].lo {
			return out[i].lo < out[j].lo
		}
		return out[i].hi > out[j].hi
	})
	return out
}

// overlap returns a pair of overlapping prefixes, one of as and one of bs,
// sweeping both sorted by first address: a prefix overlaps one of the
// other list that starts no later if and only if it starts before the
// furthest end seen in that list.
func overlap(as, bs []netip.Prefix) (netip.Prefix, netip.Prefix, bool) {
	sa, sb := sortedSpans(as), sortedSpans(bs)
	var endA, endB *span
	for i, j := 0, 0; i < len(sa) || j < len(sb); {
		if j >= len(sb) || i < len(sa) && sa[i].lo <= sb[j].lo {
			if endB != nil && sa[i].lo <= endB.hi {
				return as[sa[i].i], bs[endB.i], true
			}
			if endA == nil || sa[i].hi > endA.hi {
				endA = &sa[i]
			}
			i++
			continue
		}
		if endA != nil && sb[j].lo <= endA.hi {
			return as[endA.i], bs[sb[j].i], true
		}
		if endB == nil || sb[j].hi > endB.hi {
			endB = &sb[j]
		}
		j++
	}
	return netip.Prefix{}, netip.Prefix{}, false
}

// cover answers "is this prefix inside one of these?" in log time.
type cover struct {
	spans  []span
	maxEnd []uint32 // maxEnd[i]: the furthest end among spans[:i+1]
}

func newCover(ps []netip.Prefix) cover {
	c := cover{spans: sortedSpans(ps)}
	c.maxEnd = make([]uint32, len(c.spans))
	for i, s := range c.spans {
		c.maxEnd[i] = s.hi
		if i > 0 && c.maxEnd[i-1] > s.hi {
			c.maxEnd[i] = c.maxEnd[i-1]
		}
	}
	return c
}

// contains reports whether p lies inside one prefix of c. CIDR blocks nest
// or are disjoint, so an interval that contains p's is a prefix that does.
func (c cover) contains(p netip.Prefix) bool {
	s, ok := toSpan(p, 0)
	if !ok {
		return false
	}
	i := sort.Search(len(c.spans), func(i int) bool { return c.spans[i].lo > s.lo }) - 1
	return i >= 0 && c.maxEnd[i] >= s.hi
}

func (v *validator) subnets(vn *VirtualNetwork, vc msgCtx, space []netip.Prefix, inSpace cover) {
	vctx := vc.String()
	var objs []namedObj
	for i, s := range vn.Subnets {
		if s != nil {
			objs = append(objs, namedObj{s.Name, &s.Origin, itemCtx(vctx, "subnets", i)})
		}
	}
	v.uniqueNames("subnet", vc, objs)

	var good []netip.Prefix // the subnets' valid prefixes
	var owner []int         // good[k] is the prefix of vn.Subnets[owner[k]]
	for i, s := range vn.Subnets {
		if s == nil {
			continue
		}
		ctx := itemCtx(vctx, "subnets", i)
		if s.Name != "" {
			ctx = ctx.named("subnet", vn.Name+"/"+s.Name)
		}
		pos := v.at(&s.Origin, "addressPrefix")
		if !s.AddressPrefix.IsValid() {
			if !s.Failed("addressPrefix") {
				v.errorf(pos, ctx, "missing required key \"addressPrefix\"")
			}
		} else if v.prefix(s.AddressPrefix, pos, ctx, "addressPrefix") {
			p := s.AddressPrefix
			if len(space) > 0 && !inSpace.contains(p) {
				v.errorf(pos, ctx, "addressPrefix %s is outside the address space of virtual network %q (%s)", p, vn.Name, prefixesString(space))
			}
			good = append(good, p)
			owner = append(owner, i)
		}
		if s.NetworkSecurityGroup != "" {
			if _, ok := v.nsgs[s.NetworkSecurityGroup]; !ok {
				v.unknown(v.at(&s.Origin, "networkSecurityGroup"), ctx, "network security group", s.NetworkSecurityGroup, v.nsgNames)
			}
		}
	}
	v.subnetOverlaps(vn, good, owner)
}

// subnetOverlaps reports each subnet that overlaps one declared before it.
// Sorted by first address, a prefix overlaps an earlier-sorted one if and
// only if it starts before the furthest end seen so far.
func (v *validator) subnetOverlaps(vn *VirtualNetwork, ps []netip.Prefix, owner []int) {
	spans := sortedSpans(ps)
	var far *span
	for k := range spans {
		s := &spans[k]
		if far != nil && s.lo <= far.hi {
			// Report at the subnet declared later.
			a, b := owner[far.i], owner[s.i]
			if a > b {
				a, b = b, a
			}
			first, later := vn.Subnets[a], vn.Subnets[b]
			ctx := msgCtx{}.named("subnet", vn.Name+"/"+later.Name)
			v.errorf(v.at(&later.Origin, "addressPrefix"), ctx, "addressPrefix %s overlaps subnet %q (%s)", later.AddressPrefix, first.Name, first.AddressPrefix)
		}
		if far == nil || s.hi > far.hi {
			far = s
		}
	}
}

// checkNetworkSecurityGroups checks rules: names, priorities, both sides.
// A large topology has hundreds of thousands of rules: the NSGs are
// checked in parallel, each worker with a validator of its own, and their
// problems joined in the NSGs' order. The "did you mean" suggestions are
// made when joining, in that order, so that which ones fit in the
// suggester's budget does not depend on the workers.
func (v *validator) checkNetworkSecurityGroups() {
	groups := v.t.NetworkSecurityGroups
	type problems struct {
		errs     ErrorList
		unknowns []unknownRef
	}
	found := make([]problems, len(groups))
	newWorker := func() *validator {
		w := *v
		w.errs, w.deferUnknown = nil, true
		return &w
	}
	batch.Run(len(groups), 16, newWorker, func(w *validator, i int) bool {
		w.checkNetworkSecurityGroup(groups[i], i)
		if len(w.errs) > 0 || len(w.unknowns) > 0 {
			found[i] = problems{w.errs, w.unknowns}
			w.errs, w.unknowns = nil, nil
		}
		return true
	}, nil)
	for _, f := range found {
		v.errs = append(v.errs, f.errs...)
		for _, u := range f.unknowns {
			v.unknown(u.pos, u.ctx, u.kind, u.name, u.candidates)
		}
	}
}

// checkNetworkSecurityGroup checks the rules of g, item i of the NSGs.
func (v *validator) checkNetworkSecurityGroup(g *NetworkSecurityGroup, i int) {
	if g == nil {
		return
	}
	gc := objCtx("network security group", g.Name, "networkSecurityGroups", i)
	gctx := gc.String() // once for all the rules
	objs := make([]namedObj, 0, len(g.SecurityRules))
	for j, r := range g.SecurityRules {
		if r != nil && !r.Default {
			objs = append(objs, namedObj{r.Name, &r.Origin, itemCtx(gctx, "securityRules", j)})
		}
	}
	v.uniqueNames("rule", gc, objs)

	type slot struct {
		prio int
		dir  Direction
	}
	taken := make(map[slot]*SecurityRule, len(g.SecurityRules))
	for j, r := range g.SecurityRules {
		if r == nil || r.Default {
			continue
		}
		ctx := itemCtx(gctx, "securityRules", j).named("rule", r.Name)
		v.rule(r, ctx)
		// Priorities: between MinPriority and MaxPriority, unique per
		// direction within the NSG.
		if r.Failed("priority") {
			continue
		}
		pos := v.at(&r.Origin, "priority")
		if r.Priority < MinPriority || r.Priority > MaxPriority {
			v.errorf(pos, ctx, "priority %d out of range [%d, %d]", r.Priority, MinPriority, MaxPriority)
			continue
		}
		if r.Failed("direction") {
			continue // no direction to be unique in
		}
		k := slot{r.Priority, r.Direction}
		if first, ok := taken[k]; ok {
			v.errorf(pos, ctx, "priority %d is already used by %s rule %q%s; priorities must be unique per direction",
				r.Priority, strings.ToLower(r.Direction.String()), first.Name, where(v.at(&first.Origin, "priority")))
			continue
		}
		taken[k] = r
	}
}

func (v *validator) rule(r *SecurityRule, ctx msgCtx) {
	v.ruleSide(r, ctx, "source", r.Source)
	v.ruleSide(r, ctx, "destination", r.Destination)
	v.ports(&r.Origin, ctx, "sourcePortRange", r.SourcePorts, true)
	v.ports(&r.Origin, ctx, "destinationPortRange", r.DestinationPorts, true)
}

func (v *validator) ruleSide(r *SecurityRule, ctx msgCtx, side string, a Addresses) {
	singular, plural, asgs := ruleSideKeys(side)
	n := 0
	for _, set := range []bool{a.Any, a.Tag != "", a.HasPrefixes(), len(a.ApplicationSecurityGroups) > 0} {
		if set {
			n++
		}
	}
	// A field that failed to load may have left the side empty, or be set
	// with another that the loader reported already.
	switch {
	case n == 0:
		if !r.Failed(singular) && !r.Failed(plural) && !r.Failed(asgs) {
			v.errorf(v.at(&r.Origin), ctx, "no %s (expected %s, %s or %s)", side, singular, plural, asgs)
		}
	case n > 1 && len(a.ApplicationSecurityGroups) > 0:
		if !r.Failed(asgs) {
			v.errorf(v.at(&r.Origin, asgs, plural, singular), ctx, "%s sets application security groups and addresses; expected one of them", side)
		}
	case n > 1:
		if !r.Failed(plural) {
			v.errorf(v.at(&r.Origin, plural, singular), ctx, "%s sets %s and prefixes; expected one of %s and %s", side, firstOf(a), singular, plural)
		}
	}
	if a.Tag != "" {
		if _, ok := CanonicalTag(a.Tag, v.t.ServiceTags); !ok {
			v.errorf(v.at(&r.Origin, singular), ctx, "%s: unknown service tag %q", singular, a.Tag)
		}
	}
	for i, p := range a.Prefixes {
		f := indexedKey(plural, i)
		fields := []string{f}
		if i == 0 {
			fields = append(fields, singular)
		}
		if _, ok := r.Field(f); !ok && i == 0 {
			f = singular
		}
		v.prefix(p, v.at(&r.Origin, fields...), ctx, f)
	}
	for j, p := range a.IPv6Prefixes {
		// Listed after the IPv4 prefixes (Addresses.AllPrefixes).
		f := indexedKey(plural, len(a.Prefixes)+j)
		if _, ok := r.Field(f); !ok && len(a.Prefixes)+j == 0 {
			f = singular
		}
		if !p.IsValid() || !p.Addr().Is6() {
			v.errorf(v.at(&r.Origin, f, singular), ctx, "%s: %s is not an IPv6 prefix", f, p)
		} else if m := p.Masked(); m != p {
			v.errorf(v.at(&r.Origin, f, singular), ctx, "%s: %s has host bits set; did you mean %s?", f, p, m)
		}
	}
	for i, name := range a.ApplicationSecurityGroups {
		f := indexedKey(asgs, i)
		if _, ok := v.asgs[name]; !ok && !r.Failed(f) {
			v.unknown(v.at(&r.Origin, f), ctx.with(f), "application security group", name, v.asgNames)
		}
	}
}

func firstOf(a Addresses) string {
	if a.Any {
		return `"*"`
	}
	return "service tag " + strconv.Quote(a.Tag)
}

// ports checks port ranges: present when required, and not reversed.
func (v *validator) ports(o *Origin, ctx msgCtx, singular string, rs []PortRange, required bool) {
	plural := pluralKey(singular)
	if len(rs) == 0 && required && !o.Failed(singular) && !o.Failed(plural) {
		what := strings.TrimSuffix(singular, "PortRange")
		v.errorf(v.at(o), ctx, "no %s port range (expected %s or %s)", what, singular, plural)
	}
	for i, r := range rs {
		if r.Lo > r.Hi {
			f := indexedKey(plural, i)
			fields := []string{f}
			if i == 0 {
				fields = append(fields, singular)
			}
			v.errorf(v.at(o, fields...), ctx, "port range \"%d-%d\" is reversed; did you mean \"%d-%d\"?", r.Lo, r.Hi, r.Hi, r.Lo)
		}
	}
}

// Azure reserves five addresses in every subnet: the network address, the
// next three (default gateway and Azure DNS) and the broadcast address
// (https://learn.microsoft.com/en-us/azure/virtual-network/virtual-networks-faq#are-there-any-restrictions-on-using-ip-addresses-within-these-subnets).
func reservedAddress(subnet netip.Prefix, a netip.Addr) bool {
	first := subnet.Masked().Addr()
	for range 4 {
		if a == first {
			return true
		}
		first = first.Next()
	}
	return a == lastAddr(subnet)
}

// lastAddr is the broadcast address of an IPv4 prefix.
func lastAddr(p netip.Prefix) netip.Addr {
	b := p.Masked().Addr().As4()
	n := uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
	n |= uint32(1)<<(32-p.Bits()) - 1
	if p.Bits() == 0 {
		n = 1<<32 - 1
	}
	return netip.AddrFrom4([4]byte{byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)})
}

func (v *validator) checkVirtualMachines() {
	type key struct {
		vnet string
		addr netip.Addr
	}
	byAddr := make(map[key]*VirtualMachine)
	for i, vm := range v.t.VirtualMachines {
		if vm == nil {
			continue
		}
		ctx := objCtx("virtual machine", vm.Name, "virtualMachines", i)
		var subnet *Subnet
		spos := v.at(&vm.Origin, "subnet")
		switch vn, ok := v.vnets[vm.VirtualNetwork]; {
		case vm.Failed("subnet"):
		case vm.VirtualNetwork == "" || vm.Subnet == "":
			v.errorf(spos, ctx, "missing required key \"subnet\"")
		case !ok:
			v.unknown(spos, ctx.with("subnet "+strconv.Quote(vm.VirtualNetwork+"/"+vm.Subnet)), "virtual network", vm.VirtualNetwork, v.vnetNames)
		default:
			subnet = v.subnetIndex[[2]string{vm.VirtualNetwork, vm.Subnet}]
			if subnet == nil {
				var subnets []string
				for _, s := range vn.Subnets {
					if s != nil {
						subnets = append(subnets, s.Name)
					}
				}
				v.unknown(spos, ctx.with("subnet "+strconv.Quote(vm.VirtualNetwork+"/"+vm.Subnet)), "subnet", vm.Subnet, subnets)
			}
		}

		apos := v.at(&vm.Origin, "privateIpAddress")
		a := vm.PrivateIPAddress
		switch {
		case vm.Failed("privateIpAddress"):
		case !a.IsValid():
			v.errorf(apos, ctx, "missing required key \"privateIpAddress\"")
		case !a.Is4():
			v.errorf(apos, ctx, "privateIpAddress: %s is IPv6; %s", a, ipv4Only)
		default:
			if subnet != nil && subnet.AddressPrefix.IsValid() && subnet.AddressPrefix.Addr().Is4() {
				sp := subnet.AddressPrefix.Masked()
				sname := vm.VirtualNetwork + "/" + vm.Subnet
				switch {
				case !sp.Contains(a):
					v.errorf(apos, ctx, "privateIpAddress %s is outside subnet %q (%s)", a, sname, sp)
				case reservedAddress(sp, a):
					v.errorf(apos, ctx, "privateIpAddress %s is one of the five addresses Azure reserves in subnet %q (%s: the first four and the last)", a, sname, sp)
				}
			}
			if vm.VirtualNetwork != "" {
				k := key{vm.VirtualNetwork, a}
				if first, ok := byAddr[k]; ok {
					v.errorf(apos, ctx, "privateIpAddress %s is already used by virtual machine %q%s in virtual network %q",
						a, first.Name, where(v.at(&first.Origin, "privateIpAddress")), vm.VirtualNetwork)
				} else {
					byAddr[k] = vm
				}
			}
		}
		if vm.NetworkSecurityGroup != "" {
			if _, ok := v.nsgs[vm.NetworkSecurityGroup]; !ok {
				v.unknown(v.at(&vm.Origin, "networkSecurityGroup"), ctx, "network security group", vm.NetworkSecurityGroup, v.nsgNames)
			}
		}
		for j, name := range vm.ApplicationSecurityGroups {
			f := indexedKey("applicationSecurityGroups", j)
			if _, ok := v.asgs[name]; !ok && !vm.Failed(f) {
				v.unknown(v.at(&vm.Origin, f), ctx.with(f), "application security group", name, v.asgNames)
			}
		}
		if p := vm.PublicIPAddress; p.IsValid() && !p.Is4() {
			v.errorf(v.at(&vm.Origin, "publicIpAddress"), ctx, "publicIpAddress: %s is IPv6; %s", p, ipv4Only)
		}
	}
}

func (v *validator) checkBastionHosts() {
	for i, b := range v.t.BastionHosts {
		if b == nil {
			continue
		}
		ctx := objCtx("bastion host", b.Name, "bastionHosts", i)
		// Azure allows 2 to 50 instances; outside that a finding says so.
		// What is not a count at all is rejected here.
		if u := b.ScaleUnits; u < 0 || u > 1<<31-1 {
			v.errorf(v.at(&b.Origin, "scaleUnits"), ctx, "scaleUnits %d is not a number of instances (Azure allows 2 to 50)", u)
		}
		pos := v.at(&b.Origin, "virtualNetwork")
		vn, ok := v.vnets[b.VirtualNetwork]
		switch {
		case b.Failed("virtualNetwork"):
		case b.VirtualNetwork == "":
			v.errorf(pos, ctx, "missing required key \"virtualNetwork\"")
		case !ok:
			v.unknown(pos, ctx, "virtual network", b.VirtualNetwork, v.vnetNames)
		case b.Failed("sku"):
			// Which SKU, and so whether it needs a subnet, is not known.
		case b.SKU != Developer:
			v.bastionSubnet(b, vn, pos, ctx)
		}
		first := make(map[uint16]int)
		for j, p := range b.CustomPorts {
			f := indexedKey("customPorts", j)
			if b.Failed(f) {
				continue
			}
			if p == 0 {
				v.errorf(v.at(&b.Origin, f), ctx, "%s: port 0 out of range [1, 65535]", f)
				continue
			}
			// Each custom port makes flows BASTION/port-N/VM, whose IDs must
			// stay unique (SPEC 1.1).
			if k, dup := first[p]; dup {
				v.errorf(v.at(&b.Origin, f), ctx, "%s: port %d is already listed as customPorts[%d]%s; list each port once",
					f, p, k, where(v.at(&b.Origin, indexedKey("customPorts", k))))
				continue
			}
			first[p] = j
		}
	}
}

// bastionSubnet checks that the VNet of a dedicated Bastion host has a
// subnet named exactly AzureBastionSubnet, as every SKU but Developer needs
// (https://learn.microsoft.com/en-us/azure/bastion/configuration-settings#subnet).
func (v *validator) bastionSubnet(b *BastionHost, vn *VirtualNetwork, pos Pos, ctx msgCtx) {
	near := ""
	for _, s := range vn.Subnets {
		if s == nil {
			continue
		}
		if s.Name == BastionSubnetName {
			return
		}
		if strings.EqualFold(s.Name, BastionSubnetName) && near == "" {
			near = s.Name
		}
	}
	if near != "" {
		v.errorf(pos, ctx, "virtual network %q has no subnet named exactly %q (the %s SKU needs one); subnet %q differs in case, and Azure requires the exact name",
			vn.Name, BastionSubnetName, b.SKU, near)
		return
	}
	v.errorf(pos, ctx, "virtual network %q has no subnet named %q (the %s SKU needs one)", vn.Name, BastionSubnetName, b.SKU)
}

func (v *validator) checkClients() {
	for i, c := range v.t.Clients {
		if c == nil {
			continue
		}
		ctx := objCtx("client", c.Name, "clients", i)
		switch {
		case c.Failed("addressPrefix") || c.Failed("addressPrefixes"):
			// What is set is not what was written.
		case c.Tag == "" && len(c.AddressPrefixes) == 0:
			v.errorf(v.at(&c.Origin), ctx, "no address (expected addressPrefix or addressPrefixes)")
		case c.Tag != "" && len(c.AddressPrefixes) > 0:
			v.errorf(v.at(&c.Origin, "addressPrefixes", "addressPrefix"), ctx, "both a service tag and prefixes are set; expected one of them")
		}
		if c.Tag != "" {
			if _, ok := CanonicalTag(c.Tag, v.t.ServiceTags); !ok {
				v.errorf(v.at(&c.Origin, "addressPrefix"), ctx, "addressPrefix: unknown service tag %q", c.Tag)
			}
		}
		for j, p := range c.AddressPrefixes {
			f := indexedKey("addressPrefixes", j)
			fields := []string{f}
			if _, ok := c.Field(f); !ok && j == 0 {
				f = "addressPrefix"
				fields = append(fields, f)
			}
			v.prefix(p, v.at(&c.Origin, fields...), ctx, f)
		}
	}
}

func (v *validator) checkFlows() {
	for i, f := range v.t.Flows {
		if f == nil {
			continue
		}
		ctx := objCtx("flow", f.Name, "flows", i)
		v.endpoint(f, ctx, "source", f.Source)
		v.endpoint(f, ctx, "destination", f.Destination)
		v.ports(&f.Origin, ctx, "sourcePortRange", f.SourcePorts, false)
		if !f.Protocol.CarriesPorts() && !f.Failed("destinationPort") {
			// ICMP, ESP and AH carry no ports (SPEC 1.1, 2.3).
			if p, ok := f.Field("destinationPort"); ok {
				v.errorf(p, ctx, "destinationPort: protocol %s carries no ports; remove destinationPort", f.Protocol)
			}
		}
	}
}

// endpoint checks a flow's source or destination: a VM, client or Bastion
// host by name, a service tag, an IPv4 address or a CIDR (SPEC 1).
func (v *validator) endpoint(f *Flow, ctx msgCtx, key, s string) {
	pos := v.at(&f.Origin, key)
	if s == "" {
		if !f.Failed(key) {
			v.errorf(pos, ctx, "missing required key %q", key)
		}
		return
	}
	if _, ok := v.vms[s]; ok {
		return
	}
	if _, ok := v.clients[s]; ok {
		return
	}
	if _, ok := v.bastions[s]; ok {
		return
	}
	if _, ok := CanonicalTag(s, v.t.ServiceTags); ok {
		return
	}
	if p, msg := parsePrefix(s); msg == "" {
		v.prefix(p, pos, ctx, key)
		return
	} else if strings.Contains(s, ":") {
		v.errorf(pos, ctx, "%s: %s", key, msg)
		return
	}
	var candidates []string
	candidates = append(candidates, v.vmNames...)
	candidates = append(candidates, v.clientNames...)
	candidates = append(candidates, v.bastionNames...)
	msg := fmt.Sprintf("%s %q is not a virtual machine, client, bastion host, service tag, IPv4 address or CIDR", key, s)
	if sug := v.suggest(s, candidates); sug != "" {
		msg += fmt.Sprintf("; did you mean %q?", sug)
	} else if sug := v.suggest(s, builtinTags); sug != "" {
		msg += fmt.Sprintf("; did you mean %q?", sug)
	}
	v.errorf(pos, ctx, "%s", msg)
}

func (v *validator) checkExpectations() {
	for i, e := range v.t.Expectations {
		if e == nil {
			continue
		}
		pos := v.at(&e.Origin, "flow")
		if e.Intended && e.Verdict == VerdictAllow && !e.Failed("verdict") {
			v.errorf(v.at(&e.Origin, "intended"), itemCtx("", "expectations", i),
				"intended: true marks a blocked flow as meant, but the verdict is Allow; expected verdict Deny or Partial")
		}
		if e.Flow == "" {
			if !e.Failed("flow") {
				v.errorf(pos, itemCtx("", "expectations", i), "missing required key \"flow\"")
			}
			continue
		}
		if _, ok := v.flows[e.Flow]; ok {
			continue
		}
		ctx := textCtx(fmt.Sprintf("expectation for %q", e.Flow))
		if msg := v.flowID(e.Flow); msg != "" {
			v.errorf(pos, ctx, "%s", msg)
		}
	}
}

// flowID checks a documented flow ID, BASTION/KIND or BASTION/KIND/TARGET
// (SPEC 3), and says what is wrong with it, or "".
func (v *validator) flowID(id string) string {
	parts := strings.Split(id, "/")
	if len(parts) < 2 || len(parts) > 3 {
		msg := "not the name of a flow in flows, nor a flow ID BASTION/KIND or BASTION/KIND/TARGET"
		if s := v.suggest(id, v.flowNames); s != "" {
			msg += fmt.Sprintf("; did you mean %q?", s)
		}
		return msg
	}
	bastion, kind := parts[0], parts[1]
	if _, ok := v.bastions[bastion]; !ok {
		if s := v.suggest(bastion, v.bastionNames); s != "" {
			return fmt.Sprintf("unknown bastion host %q; did you mean %q?", bastion, s)
		}
		return fmt.Sprintf("unknown bastion host %q", bastion)
	}
	target, known := FlowKind(kind).Target()
	if _, isPort := FlowKind(kind).CustomPort(); !isPort && strings.HasPrefix(kind, "port-") {
		return fmt.Sprintf("flow kind %q is not port-N with N a port in [1, %d]", kind, MaxPort)
	}
	if !known {
		if s := v.suggest(kind, DocumentedFlowKindNames()); s != "" {
			return fmt.Sprintf("unknown flow kind %q; did you mean %q?", kind, s)
		}
		return fmt.Sprintf("unknown flow kind %q; expected one of %s", kind, strings.Join(DocumentedFlowKindNames(), ", "))
	}
	switch {
	case target == TargetNone && len(parts) == 3:
		return fmt.Sprintf("flow kind %q takes no target; expected %q", kind, bastion+"/"+kind)
	case target == TargetVM && len(parts) == 2:
		return fmt.Sprintf("flow kind %q needs a virtual machine: %q", kind, bastion+"/"+kind+"/VM")
	case target == TargetClient && len(parts) == 2:
		return fmt.Sprintf("flow kind %q needs a client: %q", kind, bastion+"/"+kind+"/CLIENT")
	case target == TargetVM:
		if _, ok := v.vms[parts[2]]; !ok {
			if s := v.suggest(parts[2], v.vmNames); s != "" {
				return fmt.Sprintf("unknown virtual machine %q; did you mean %q?", parts[2], s)
			}
			return fmt.Sprintf("unknown virtual machine %q", parts[2])
		}
	case target == TargetClient:
		// The default clients are service tags (SPEC 1, 3).
		c := parts[2]
		if _, ok := v.clients[c]; !ok && c != TagInternet && c != TagVirtualNetwork {
			cands := append(slices.Clip(v.clientNames), TagInternet, TagVirtualNetwork)
			if s := v.suggest(c, cands); s != "" {
				return fmt.Sprintf("unknown client %q; did you mean %q?", c, s)
			}
			return fmt.Sprintf("unknown client %q", c)
		}
	}
	return ""
}
