package sim

import (
	"cmp"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/nsgsim/nsgsim/network"
	"github.com/nsgsim/nsgsim/topology"
)

// Engine answers flow questions about one topology. Compile builds it once;
// it is safe for concurrent use afterwards.
type Engine struct {
	topo     *topology.Topology
	net      *network.Network
	u        *universe
	vnets    map[string]*vnetInfo
	subnets  []*subnetInfo // in topology order
	subnetOf map[[2]string]*subnetInfo
	vms      map[string]*vmInfo
	vmList   []*vmInfo // in topology order
	// asgs caches, per ASG and VNet, the addresses of the members an NSG
	// in that VNet sees.
	asgs map[asgKey]Set
	// compiled gives the slot in nsgs of each NSG compiled for a VNet;
	// subnets and NICs name their NSG by slot too, so that a revision
	// (incremental.go) replaces a changed NSG in nsgs alone and shares
	// every VNet, subnet and VM with the engine it revises.
	compiled map[nsgKey]nsgSlot
	nsgs     []*compiledNSG
	// keys names the NSG in each slot of nsgs, and slotsOf the slots of
	// each NSG, in order, one per VNet where it is attached.
	keys    []nsgKey
	slotsOf map[string][]nsgSlot
	// tags holds, per tagKey, a service tag's addresses as seen from a
	// VNet; an engine's revisions share it with their VNets.
	tags *sync.Map
}

// nsgSlot is the place of a compiled NSG in Engine.nsgs; noNSG is none.
type nsgSlot int32

const noNSG nsgSlot = -1

// nsgAt returns the NSG compiled in slot s, or nil for noNSG.
func (e *Engine) nsgAt(s nsgSlot) *compiledNSG {
	if s == noNSG {
		return nil
	}
	return e.nsgs[s]
}

// asgKey names an ASG as seen from one VNet.
type asgKey struct{ asg, vnet string }

type tagKey struct {
	tag  string
	vnet *vnetInfo
}

// tagSet returns the addresses of a service tag as seen from VNet vi,
// computing them once per tag and VNet: every rule on Internet in a VNet
// shares one set.
func (e *Engine) tagSet(name string, vi *vnetInfo) Set {
	if vi.vnet == nil { // a topology without VNets
		return e.u.tag(name, vi.vnSet)
	}
	k := tagKey{name, vi}
	if s, ok := e.tags.Load(k); ok {
		return s.(Set)
	}
	s, _ := e.tags.LoadOrStore(k, e.u.tag(name, vi.vnSet))
	return s.(Set)
}

type vnetInfo struct {
	nv    *network.VNet
	vnet  *topology.VirtualNetwork
	peers []*topology.VirtualNetwork // sorted by name
	vnSet Set                        // the VirtualNetwork tag here
	space Set                        // its own address space
	// subnets are its subnets in topology order; prefixes their union.
	subnets  []*subnetInfo
	prefixes Set
}

type subnetInfo struct {
	vnet   *vnetInfo
	subnet *topology.Subnet
	prefix Set
	nsg    nsgSlot     // its NSG, or noNSG
	label  string      // "subnet VNET/SUBNET", a hop's At
	at     *attachment // the subnet, not a VM's NIC
	vms    []*vmInfo   // its VMs, in topology order
}

type vmInfo struct {
	vm       *topology.VirtualMachine
	point    Point
	set      Set // the point alone
	subnet   *subnetInfo
	nic      nsgSlot     // its NIC's NSG, or noNSG
	nicLabel string      // "nic VM", a hop's At
	at       *attachment // the VM behind its subnet and NIC
}

// nsgKey identifies an NSG compiled for one VNet: VirtualNetwork and Internet
// mean different things in each VNet where one NSG is attached (SPEC 2.4).
type nsgKey struct{ nsg, vnet string }

// compiledNSG is an NSG's rules with every address side resolved to a set,
// in evaluation order for each direction, default rules last. A direction
// with more than indexMinRules rules gets a rule index the first time it
// decides a packet (index.go).
type compiledNSG struct {
	nsg   *topology.NetworkSecurityGroup
	rules [2][]compiledRule // indexed by topology.Direction
	once  [2]sync.Once
	idx   [2]*ruleIndex
	// revised NSGs count their uses before they build an index (index).
	revised bool
	uses    [2]atomic.Int32
	// shadows is what the shadowed-rule check found (shadowsOf).
	shadows atomic.Pointer[shadowMemo]
	// linted is, for an NSG a revision compiled again, the NSG it was
	// compiled from or, when that one was never checked, the one that
	// one was compiled from, and so on: the latest with an answer of
	// shadowsOf to start from (shadowsSince). shadowsOf lets it go once
	// the NSG has an answer of its own, so that a long run of revisions
	// (serve) keeps one earlier NSG at most, not a chain of them.
	linted atomic.Pointer[compiledNSG]
}

// index returns the rule index of direction dir for evaluating packets,
// building it on first use, or nil when the direction has too few rules to
// need one. An NSG compiled again for a revision (Revise) builds it on its
// revisedIndexUses-th use only: a revision evaluates few flows again, and
// the walk over its rules gives each the same first match without the
// index's cost.
func (n *compiledNSG) index(dir topology.Direction) *ruleIndex {
	if n.revised && len(n.rules[dir]) > indexMinRules &&
		n.uses[dir].Load() < revisedIndexUses && n.uses[dir].Add(1) < revisedIndexUses {
		return nil
	}
	return n.fullIndex(dir)
}

// fullIndex is index without the wait of a revised NSG, for the
// shadowed-rule check, which walks many of an NSG's rules at once.
func (n *compiledNSG) fullIndex(dir topology.Direction) *ruleIndex {
	if len(n.rules[dir]) <= indexMinRules {
		return nil
	}
	n.once[dir].Do(func() { n.idx[dir] = newRuleIndex(n.rules[dir]) })
	return n.idx[dir]
}

// revisedIndexUses is the number of uses after which an NSG compiled for a
// revision builds its rule index (a variable for the tests, which take both
// ways).
var revisedIndexUses int32 = 64

type compiledRule struct {
	rule      *topology.SecurityRule
	protocols protoSet // the concrete protocols it can match
	src, dst  Set
	srcPorts  Set
	dstPorts  Set
}

// ruleProtocols returns the protocols a rule can match: those of its
// protocol field, less ICMP, ESP and AH when its ports are not all "*",
// since those protocols carry no ports (SPEC 2.3).
func ruleProtocols(r *topology.SecurityRule) protoSet {
	ps := protocolSet(r.Protocol)
	if !topology.AllPortsRanges(r.SourcePorts) || !topology.AllPortsRanges(r.DestinationPorts) {
		ps &= 1<<topology.Tcp | 1<<topology.Udp
	}
	return ps
}

// has reports whether protocol p is in the set.
func (ps protoSet) has(p topology.Protocol) bool { return ps&(1<<p) != 0 }

// matches reports whether the rule matches one packet. It does not allocate.
func (r *compiledRule) matches(proto topology.Protocol, src, sport, dst, dport Point) bool {
	return r.protocols.has(proto) &&
		r.dstPorts.Contains(dport) && r.srcPorts.Contains(sport) &&
		r.src.Contains(src) && r.dst.Contains(dst)
}

// decide returns the first rule of direction dir that matches the packet:
// "Once traffic matches a rule, processing stops" (NSG overview, Security
// rules). The default DenyAll rules match everything, so there always is one.
//
// A large NSG answers from its rule index; the result is the same rule,
// since the index's lowest matching bit is the first rule in this order
// whose five fields match. It does not allocate.
func (n *compiledNSG) decide(dir topology.Direction, proto topology.Protocol, src, sport, dst, dport Point) *compiledRule {
	rules := n.rules[dir]
	if x := n.index(dir); x != nil {
		if i := x.first(proto, src, sport, dst, dport); i >= 0 {
			return &rules[i]
		}
		return &rules[len(rules)-1]
	}
	for i := range rules {
		if rules[i].matches(proto, src, sport, dst, dport) {
			return &rules[i]
		}
	}
	return &rules[len(rules)-1]
}

// Compile resolves a loaded, valid topology into an Engine. It fails when
// the topology asks for more than MaxFlows flows.
func Compile(t *topology.Topology) (*Engine, error) {
	net := network.Resolve(t)
	if err := checkFlowBudget(t, net); err != nil {
		return nil, err
	}
	e := &Engine{
		topo:     t,
		net:      net,
		u:        newUniverse(t.ServiceTags, mentionedTags(t)),
		vnets:    make(map[string]*vnetInfo),
		vms:      make(map[string]*vmInfo),
		subnetOf: make(map[[2]string]*subnetInfo),
		asgs:     make(map[asgKey]Set),
		compiled: make(map[nsgKey]nsgSlot),
		slotsOf:  make(map[string][]nsgSlot),
		tags:     new(sync.Map),
	}
	// ASG members are known (e.net) before any rule is compiled.
	for _, nv := range e.net.VNets {
		vi := &vnetInfo{nv: nv, vnet: nv.VirtualNetwork, space: PrefixesSet(nv.VirtualNetwork.AddressSpace)}
		for _, p := range nv.Peers {
			vi.peers = append(vi.peers, p.VirtualNetwork)
		}
		vi.vnSet = virtualNetwork(nv.VirtualNetwork, vi.peers)
		e.vnets[nv.Name()] = vi
	}
	for _, v := range t.VirtualNetworks {
		vi := e.vnets[v.Name]
		for _, s := range v.Subnets {
			si := &subnetInfo{vnet: vi, subnet: s, prefix: PrefixSet(s.AddressPrefix), nsg: noNSG}
			si.label = subnetLabel(si)
			si.at = &attachment{subnet: si}
			if s.NetworkSecurityGroup != "" {
				n, err := e.compileNSG(s.NetworkSecurityGroup, vi)
				if err != nil {
					return nil, err
				}
				si.nsg = n
			}
			e.subnets = append(e.subnets, si)
			vi.subnets = append(vi.subnets, si)
			vi.prefixes = vi.prefixes.Union(si.prefix)
			e.subnetOf[[2]string{v.Name, s.Name}] = si
		}
	}
	for _, vm := range t.VirtualMachines {
		si := e.subnet(vm.VirtualNetwork, vm.Subnet)
		if si == nil {
			return nil, fmt.Errorf("%s: vm %q: subnet %s/%s not found", vm.Pos, vm.Name, vm.VirtualNetwork, vm.Subnet)
		}
		vi := &vmInfo{vm: vm, point: AddrPoint(vm.PrivateIPAddress), subnet: si, nicLabel: nicLabel(vm), nic: noNSG}
		vi.set = PointSet(vi.point)
		vi.at = &attachment{subnet: si, vm: vi}
		if vm.NetworkSecurityGroup != "" {
			n, err := e.compileNSG(vm.NetworkSecurityGroup, si.vnet)
			if err != nil {
				return nil, err
			}
			vi.nic = n
		}
		e.vms[vm.Name] = vi
		e.vmList = append(e.vmList, vi)
		si.vms = append(si.vms, vi)
	}
	return e, nil
}

// Topology returns the topology the engine was compiled from.
func (e *Engine) Topology() *topology.Topology { return e.topo }

// Network returns the engine's resolved network: VNets, subnets, VMs,
// ASG memberships and Locate, for outputs that need them.
func (e *Engine) Network() *network.Network { return e.net }

// BuiltinServiceTags reports whether service tags use the built-in model
// (no Service Tags file), in which an office range is assumed to hold no
// GatewayManager or AzureCloud address (SPEC 2.4).
func (e *Engine) BuiltinServiceTags() bool { return e.u.builtin() }

func (e *Engine) subnet(vnet, name string) *subnetInfo {
	return e.subnetOf[[2]string{vnet, name}]
}

// mentionedTags lists every service tag a topology names, for the built-in
// model's atoms.
func mentionedTags(t *topology.Topology) []string {
	var tags []string
	for _, n := range t.NetworkSecurityGroups {
		for _, r := range n.SecurityRules {
			tags = append(tags, r.Source.Tag, r.Destination.Tag)
		}
	}
	for _, c := range t.Clients {
		tags = append(tags, c.Tag)
	}
	for _, f := range t.Flows {
		for _, name := range []string{f.Source, f.Destination} {
			if tag, ok := topology.CanonicalTag(name, t.ServiceTags); ok {
				tags = append(tags, tag)
			}
		}
	}
	out := tags[:0]
	for _, t := range tags {
		if t != "" {
			out = append(out, t)
		}
	}
	return out
}

// compileNSG compiles NSG name for VNet vi, once, and returns its slot.
func (e *Engine) compileNSG(name string, vi *vnetInfo) (nsgSlot, error) {
	key := nsgKey{name, vi.vnet.Name}
	if s, ok := e.compiled[key]; ok {
		return s, nil
	}
	n, err := e.compileGate(name, vi, nil)
	if err != nil {
		return noNSG, err
	}
	s := nsgSlot(len(e.nsgs))
	e.nsgs, e.keys = append(e.nsgs, n), append(e.keys, key)
	e.compiled[key] = s
	e.slotsOf[name] = append(e.slotsOf[name], s)
	return s, nil
}

// compileGate compiles NSG name of the engine's topology for VNet vi.
// When earlier is the same NSG compiled for vi before an edit, the rules
// it compiled are taken as they are: a rule is the same object when the
// edit left it alone, and the engine's universe has not changed (Revise).
func (e *Engine) compileGate(name string, vi *vnetInfo, earlier *compiledNSG) (*compiledNSG, error) {
	nsg := e.topo.NetworkSecurityGroupByName(name)
	if nsg == nil {
		return nil, fmt.Errorf("network security group %q not found", name)
	}
	var before map[*topology.SecurityRule]*compiledRule
	if earlier != nil {
		before = make(map[*topology.SecurityRule]*compiledRule, len(earlier.rules[0])+len(earlier.rules[1]))
		for dir := range earlier.rules {
			for i := range earlier.rules[dir] {
				before[earlier.rules[dir][i].rule] = &earlier.rules[dir][i]
			}
		}
	}
	n := &compiledNSG{nsg: nsg, revised: earlier != nil}
	if earlier != nil {
		base := earlier
		if earlier.shadows.Load() == nil {
			if l := earlier.linted.Load(); l != nil {
				base = l
			}
		}
		n.linted.Store(base)
	}
	custom := slices.Clone(nsg.SecurityRules)
	// Lower priority numbers first; priorities are unique per direction.
	slices.SortStableFunc(custom, func(a, b *topology.SecurityRule) int { return cmp.Compare(a.Priority, b.Priority) })
	var count [2]int
	for _, r := range custom {
		count[r.Direction]++
	}
	for dir := range n.rules {
		n.rules[dir] = make([]compiledRule, 0, count[dir]+numDefaultRules)
	}
	for _, r := range custom {
		if c, ok := before[r]; ok {
			n.rules[r.Direction] = append(n.rules[r.Direction], *c)
			continue
		}
		n.rules[r.Direction] = append(n.rules[r.Direction], e.compileRule(r, vi))
	}
	// The default rules compile alike in every NSG of a VNet: an NSG
	// compiled again keeps those it had.
	if earlier != nil {
		for dir := range n.rules {
			old := earlier.rules[dir]
			k := len(old)
			for k > 0 && old[k-1].rule.Default {
				k--
			}
			n.rules[dir] = append(n.rules[dir], old[k:]...)
		}
		return n, nil
	}
	for _, r := range topology.DefaultRules() {
		n.rules[r.Direction] = append(n.rules[r.Direction], e.compileRule(r, vi))
	}
	return n, nil
}

// numDefaultRules is the number of default rules of one direction
// (topology.DefaultRules).
const numDefaultRules = 3

// compileRule resolves a rule's address and port sides in VNet vi.
func (e *Engine) compileRule(r *topology.SecurityRule, vi *vnetInfo) compiledRule {
	return compiledRule{
		rule:      r,
		protocols: ruleProtocols(r),
		src:       e.addresses(r.Source, vi),
		dst:       e.addresses(r.Destination, vi),
		srcPorts:  PortSet(r.SourcePorts),
		dstPorts:  PortSet(r.DestinationPorts),
	}
}

// addresses resolves one side of a rule in a VNet. A rule naming ASGs
// applies only to NICs that are members, so the side is the addresses of
// the member NICs that an NSG in this VNet can see: those in the VNet and
// in the VNets peered with it, whose address spaces cannot overlap it.
// A NIC of an unpeered VNet that reuses an address is another NIC, not a
// member here (SPEC 2.3;
// https://learn.microsoft.com/en-us/azure/virtual-network/application-security-groups).
func (e *Engine) addresses(a topology.Addresses, vi *vnetInfo) Set {
	switch {
	case a.Any:
		return e.u.everything()
	case a.Tag != "":
		return e.tagSet(a.Tag, vi)
	case len(a.ApplicationSecurityGroups) > 0:
		var s Set
		for _, g := range a.ApplicationSecurityGroups {
			s = s.Union(e.asgSet(g, vi))
		}
		return s
	}
	// IPv6Prefixes match nothing: the model is IPv4, as Azure Bastion is
	// (https://learn.microsoft.com/en-us/azure/bastion/bastion-faq#ipv6).
	return e.u.prefixes(a.Prefixes)
}

// asgSet returns the addresses of the members of ASG g that an NSG in VNet
// vi sees (see addresses).
func (e *Engine) asgSet(g string, vi *vnetInfo) Set {
	k := asgKey{g, ""}
	if vi.vnet != nil {
		k.vnet = vi.vnet.Name
	}
	if s, ok := e.asgs[k]; ok {
		return s
	}
	var spans []span
	if asg := e.net.ASG(g); asg != nil {
		for _, m := range asg.MembersSeenFrom(vi.nv) {
			p := AddrPoint(m.Address())
			spans = append(spans, span{p, p})
		}
	}
	s := normalize(spans)
	e.asgs[k] = s
	return s
}
