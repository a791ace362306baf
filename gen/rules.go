package gen

import (
	"fmt"
	"math"
	"net/netip"
	"strings"

	"github.com/nsgsim/nsgsim/topology"
)

// nicNSGs are the NIC-level NSGs some VMs carry: a small shared pool of
// hardening baselines, as a platform team publishes them.
var nicNSGs = []struct {
	name    string
	posture posture
}{
	{"nsg-nic-baseline", postureOpen},
	{"nsg-nic-ssh-only", postureSSHOnly},
	{"nsg-nic-jump-27", posturePartial},
	{"nsg-nic-locked", postureDenyMgmt},
}

// posture is how an NSG treats SSH and RDP from the Bastion subnet: the
// part of a rule set that decides the Bastion flows.
type posture int

const (
	postureOpen     posture = iota // allow 22 and 3389 from AzureBastionSubnet
	postureSSHOnly                 // allow 22 only, then deny all: RDP is blocked
	posturePartial                 // allow from half of AzureBastionSubnet only
	postureDenyMgmt                // deny 22 and 3389 from VirtualNetwork first
	postureDefault                 // no rule: AllowVnetInBound decides
)

func pickPosture(r *rng) posture {
	switch x := r.intn(100); {
	case x < 78:
		return postureOpen
	case x < 86:
		return postureSSHOnly
	case x < 92:
		return posturePartial
	case x < 96:
		return postureDenyMgmt
	}
	return postureDefault
}

// spokesPerNSG is how many consecutive VNets share a workload NSG: a
// landing-zone group whose subnets take one rule set.
const spokesPerNSG = 20

// securityGroups writes the NSGs and attaches them: the documented Bastion
// NSG, a few legacy NSGs near Azure's 1,000-rule limit, the workload NSGs
// (one per group of spokesPerNSG consecutive VNets, shared by the group's
// subnets, fewer groups if the loader's limits demand it) and the NIC NSG
// pool.
func (p *plan) securityGroups(t *topology.Topology) error {
	o := p.o
	r := newRNG(o.Seed, 3)
	t.NetworkSecurityGroups = append(t.NetworkSecurityGroups, p.bastionNSG())

	// The rules that fit in the file size the loader's memory budget
	// allows, with room for everything else.
	maxSize := topology.CurrentBudget().Limits().TopologySize
	_, fixedBytes := p.fixedCost(t)
	budget := int(math.Floor((budgetShare*float64(maxSize) - float64(fixedBytes)) / bytesPerRule))
	if want := int64(fixedBytes + o.NSGs*o.RulesPerNSG*bytesPerRule); o.NSGs > 0 && want > maxSize {
		return fmt.Errorf("--nsgs %d × --rules-per-nsg %d: about %d bytes of YAML, past the %d bytes nsgsim reads with its memory budget of %s; lower one of them, or raise the budget",
			o.NSGs, o.RulesPerNSG, want, maxSize, topology.CurrentBudget())
	}

	// Legacy NSGs: whole spokes migrated with their firewall export.
	var withSubnets []*vnetPlan
	for _, vp := range p.vnets {
		if len(vp.subnets) > 0 {
			withSubnets = append(withSubnets, vp)
		}
	}
	legacy := 0
	if o.NSGs == 0 && len(withSubnets) >= 4 && budget >= 4*MaxRulesPerNSG {
		legacy = 2
	}
	var workload []*vnetPlan
	for i, vp := range withSubnets {
		// The legacy spokes are spread out: the second VNet with subnets
		// and the one in the middle.
		if legacy > 0 && (i == 1 || i == len(withSubnets)/2) {
			vp.legacy = true
			name := fmt.Sprintf("nsg-legacy-%s", vp.short)
			n := MaxRulesPerNSG - r.intn(40)
			budget -= n
			t.NetworkSecurityGroups = append(t.NetworkSecurityGroups, p.ruleSet(r, name, []*vnetPlan{vp}, n, true))
			for _, sp := range vp.subnets {
				sp.nsg = name
			}
			continue
		}
		workload = append(workload, vp)
	}
	if o.NSGs > 0 {
		p.spreadNSGs(t, r, workload)
	} else if len(workload) > 0 {
		k := (len(workload) + spokesPerNSG - 1) / spokesPerNSG
		if o.RulesPerNSG > 0 {
			k = max(1, min(k, budget/o.RulesPerNSG))
		}
		for b := range k {
			block := workload[b*len(workload)/k : (b+1)*len(workload)/k]
			name := "nsg-" + block[0].short
			if len(block) > 1 {
				name += "-" + block[len(block)-1].short
			}
			t.NetworkSecurityGroups = append(t.NetworkSecurityGroups, p.ruleSet(r, name, block, o.RulesPerNSG, false))
			for _, vp := range block {
				for _, sp := range vp.subnets {
					sp.nsg = name
				}
			}
		}
	}
	// One subnet in fifty has no NSG.
	for _, sp := range p.subnets {
		if r.chance(0.02) {
			sp.nsg = ""
		}
	}
	for _, v := range t.VirtualNetworks {
		vp := p.vnetByName(v.Name)
		i := 0
		for _, s := range v.Subnets {
			if s.Name == topology.BastionSubnetName {
				continue
			}
			s.NetworkSecurityGroup = vp.subnets[i].nsg
			i++
		}
	}
	for _, n := range nicNSGs {
		t.NetworkSecurityGroups = append(t.NetworkSecurityGroups, p.nicNSG(n.name, n.posture))
	}
	if _, size := estimate(t); int64(size) > maxSize {
		return fmt.Errorf("the topology would have about %d bytes; nsgsim reads up to %d bytes with its memory budget of %s: lower --vms or --subnets",
			size, maxSize, topology.CurrentBudget())
	}
	return nil
}

// spreadNSGs makes o.NSGs workload NSGs of o.RulesPerNSG rules each,
// independent of the VNets: the workload subnets, in order, are dealt out
// in equal consecutive runs, one run per NSG, as an estate with an NSG per
// application does. Each NSG's rules name the VNets its subnets are in.
func (p *plan) spreadNSGs(t *topology.Topology, r *rng, workload []*vnetPlan) {
	var subnets []*subnetPlan
	for _, vp := range workload {
		subnets = append(subnets, vp.subnets...)
	}
	n := p.o.NSGs
	digits := len(fmt.Sprint(n))
	for b := range n {
		run := subnets[b*len(subnets)/n : (b+1)*len(subnets)/n]
		var vnets []*vnetPlan
		for _, sp := range run {
			if len(vnets) == 0 || vnets[len(vnets)-1] != sp.vnet {
				vnets = append(vnets, sp.vnet)
			}
		}
		name := fmt.Sprintf("nsg-app-%0*d", digits, b+1)
		t.NetworkSecurityGroups = append(t.NetworkSecurityGroups, p.ruleSet(r, name, vnets, p.o.RulesPerNSG, false))
		for _, sp := range run {
			sp.nsg = name
		}
	}
}

func (p *plan) vnetByName(name string) *vnetPlan {
	for _, vp := range p.vnets {
		if vp.name == name {
			return vp
		}
	}
	return nil
}

// fixedCost estimates the YAML nodes and bytes of everything but the
// workload and legacy rules.
func (p *plan) fixedCost(t *topology.Topology) (nodes, size int) {
	nodes = 40 + len(p.vnets)*14 + (len(p.subnets)+1)*9 + len(t.ApplicationSecurityGroups)*3 +
		len(t.VirtualMachines)*nodesPerVM + (len(nicNSGs)*12+10)*nodesPerRule + 200
	size = 4096 + len(p.vnets)*120 + (len(p.subnets)+1)*110 + len(t.ApplicationSecurityGroups)*40 +
		len(t.VirtualMachines)*bytesPerVM + (len(nicNSGs)*12+10)*bytesPerRule + 20*200
	return nodes, size
}

// estimate bounds the nodes and bytes of the whole topology.
func estimate(t *topology.Topology) (nodes, size int) {
	rules := 0
	for _, n := range t.NetworkSecurityGroups {
		rules += len(n.SecurityRules)
	}
	nodes = 40 + len(t.VirtualNetworks)*14 + len(t.ApplicationSecurityGroups)*3 +
		len(t.VirtualMachines)*nodesPerVM + rules*nodesPerRule + 200
	size = 4096 + len(t.VirtualNetworks)*120 + len(t.ApplicationSecurityGroups)*40 +
		len(t.VirtualMachines)*bytesPerVM + rules*bytesPerRule + 20*200
	for _, v := range t.VirtualNetworks {
		nodes += len(v.Subnets) * 9
		size += len(v.Subnets) * 110
	}
	return nodes, size
}

// rule builds a custom rule.
func rule(name string, prio int, dir topology.Direction, acc topology.Access, proto topology.Protocol,
	src topology.Addresses, sports []topology.PortRange, dst topology.Addresses, dports []topology.PortRange) *topology.SecurityRule {
	return &topology.SecurityRule{
		Name: name, Priority: prio, Direction: dir, Access: acc, Protocol: proto,
		Source: src, SourcePorts: sports, Destination: dst, DestinationPorts: dports,
	}
}

var (
	anyAddr   = topology.Addresses{Any: true}
	anyPorts  = []topology.PortRange{topology.AllPorts}
	inbound   = topology.Inbound
	outbound  = topology.Outbound
	allow     = topology.Allow
	deny      = topology.Deny
	mgmtPorts = ports("22", "3389")
)

// tag is a rule side on a service tag, or on any address for "*" (which the
// loader reads as Any, not as a tag).
func tag(name string) topology.Addresses {
	if name == "*" {
		return anyAddr
	}
	return topology.Addresses{Tag: name}
}

func prefixes(ps ...netip.Prefix) topology.Addresses { return topology.Addresses{Prefixes: ps} }

func asgs(names ...string) topology.Addresses {
	return topology.Addresses{ApplicationSecurityGroups: names}
}

// ports parses port ranges written as in ARM ("443", "8080-8090").
func ports(ss ...string) []topology.PortRange {
	out := make([]topology.PortRange, len(ss))
	for i, s := range ss {
		r, err := topology.ParsePortRange(s)
		if err != nil {
			panic(err) // the generator's own constants
		}
		out[i] = r
	}
	return out
}

// bastionNSG is the NSG of AzureBastionSubnet with exactly the rules the
// Azure Bastion documentation lists
// (https://learn.microsoft.com/en-us/azure/bastion/bastion-nsg).
func (p *plan) bastionNSG() *topology.NetworkSecurityGroup {
	vnet := tag(topology.TagVirtualNetwork)
	return &topology.NetworkSecurityGroup{Name: "nsg-bastion", SecurityRules: []*topology.SecurityRule{
		rule("AllowHttpsInbound", 120, inbound, allow, topology.Tcp, tag(topology.TagInternet), anyPorts, anyAddr, ports("443")),
		rule("AllowGatewayManagerInbound", 130, inbound, allow, topology.Tcp, tag(topology.TagGatewayManager), anyPorts, anyAddr, ports("443")),
		rule("AllowAzureLoadBalancerInbound", 140, inbound, allow, topology.Tcp, tag(topology.TagAzureLoadBalancer), anyPorts, anyAddr, ports("443")),
		rule("AllowBastionHostCommunication", 150, inbound, allow, topology.Any, vnet, anyPorts, vnet, ports("8080", "5701")),
		rule("DenyAllInbound", 4096, inbound, deny, topology.Any, anyAddr, anyPorts, anyAddr, anyPorts),
		rule("AllowSshRdpOutbound", 100, outbound, allow, topology.Any, anyAddr, anyPorts, vnet, mgmtPorts),
		rule("AllowAzureCloudOutbound", 110, outbound, allow, topology.Tcp, anyAddr, anyPorts, tag(topology.TagAzureCloud), ports("443")),
		rule("AllowBastionCommunication", 120, outbound, allow, topology.Any, vnet, anyPorts, vnet, ports("8080", "5701")),
		rule("AllowHttpOutbound", 130, outbound, allow, topology.Any, anyAddr, anyPorts, tag(topology.TagInternet), ports("80")),
	}}
}

// nicNSG is one of the NIC hardening baselines.
func (p *plan) nicNSG(name string, post posture) *topology.NetworkSecurityGroup {
	g := &topology.NetworkSecurityGroup{Name: name}
	add := func(r *topology.SecurityRule) { g.SecurityRules = append(g.SecurityRules, r) }
	prio := 100
	next := func() int { prio += 10; return prio - 10 }
	bastion := prefixes(p.bastion)
	switch post {
	case postureOpen:
		add(rule("AllowBastionMgmt", next(), inbound, allow, topology.Tcp, bastion, anyPorts, anyAddr, mgmtPorts))
	case postureSSHOnly:
		add(rule("AllowBastionSsh", next(), inbound, allow, topology.Tcp, bastion, anyPorts, anyAddr, ports("22")))
	case posturePartial:
		half := netip.PrefixFrom(p.bastion.Addr(), p.bastion.Bits()+1)
		add(rule("AllowJumpHalfMgmt", next(), inbound, allow, topology.Tcp, prefixes(half), anyPorts, anyAddr, mgmtPorts))
	case postureDenyMgmt:
		add(rule("DenyVnetMgmt", next(), inbound, deny, topology.Tcp, tag(topology.TagVirtualNetwork), anyPorts, anyAddr, mgmtPorts))
	}
	add(rule("AllowVnetHttps", next(), inbound, allow, topology.Tcp, tag(topology.TagVirtualNetwork), anyPorts, anyAddr, ports("443", "8443")))
	add(rule("AllowLoadBalancerProbe", next(), inbound, allow, topology.Any, tag(topology.TagAzureLoadBalancer), anyPorts, anyAddr, anyPorts))
	add(rule("DenyInternetMgmt", next(), inbound, deny, topology.Any, tag(topology.TagInternet), anyPorts, anyAddr, ports("22", "3389", "445", "135-139")))
	add(rule("AllowMonitorOutbound", 100, outbound, allow, topology.Tcp, anyAddr, anyPorts, tag("AzureMonitor"), ports("443")))
	add(rule("AllowStorageOutbound", 110, outbound, allow, topology.Tcp, anyAddr, anyPorts, tag("Storage"), ports("443")))
	add(rule("DenySmtpOutbound", 120, outbound, deny, topology.Tcp, anyAddr, anyPorts, tag(topology.TagInternet), ports("25", "465", "587")))
	if post != postureOpen {
		add(rule("DenyAllInbound", 4096, inbound, deny, topology.Any, anyAddr, anyPorts, anyAddr, anyPorts))
	}
	return g
}

// ruleSet writes an NSG of n custom rules for the subnets of vnets: about
// two thirds inbound. The rule that decides SSH and RDP from the Bastion
// subnet sits somewhere in the first third, as rules added over the years
// put it; the rest is drawn from the forms real rule sets use. A legacy rule
// set is mostly single hosts and CIDR lists, as a firewall export is.
func (p *plan) ruleSet(r *rng, name string, vnets []*vnetPlan, n int, legacy bool) *topology.NetworkSecurityGroup {
	g := &topology.NetworkSecurityGroup{Name: name}
	nIn := (n*2 + 2) / 3
	nOut := n - nIn
	post := pickPosture(r)
	denyAllIn := post == postureSSHOnly || post == posturePartial || r.chance(0.5)
	denyAllOut := nOut > 0 && r.chance(0.2)
	s := &ruleScope{p: p, r: r, vnets: vnets}

	// Inbound.
	var in []*topology.SecurityRule
	fill := nIn
	if denyAllIn && fill > 0 {
		fill--
	}
	var mgmt []*topology.SecurityRule
	switch post {
	case postureOpen:
		mgmt = append(mgmt, s.bastionAllow(p.bastion, mgmtPorts, "AllowBastionSshRdp"))
	case postureSSHOnly:
		mgmt = append(mgmt, s.bastionAllow(p.bastion, ports("22"), "AllowBastionSsh"))
	case posturePartial:
		half := netip.PrefixFrom(p.bastion.Addr(), p.bastion.Bits()+1)
		mgmt = append(mgmt, s.bastionAllow(half, mgmtPorts, "AllowJumpHostsSshRdp"))
	case postureDenyMgmt:
		mgmt = append(mgmt,
			rule("DenyVnetSshRdp", 0, inbound, deny, topology.Tcp, tag(topology.TagVirtualNetwork), anyPorts, anyAddr, mgmtPorts),
			s.bastionAllow(p.bastion, mgmtPorts, "AllowBastionSshRdp"))
	}
	mgmt = mgmt[:min(len(mgmt), fill)]
	at := 0
	if fill > len(mgmt) {
		at = r.intn((fill-len(mgmt))/3 + 1)
	}
	if post == postureDenyMgmt {
		at = 0
	}
	for i := 0; len(in) < fill; i++ {
		if i == at {
			in = append(in, mgmt...)
			if len(in) >= fill {
				break
			}
		}
		in = append(in, s.inbound(legacy))
	}
	in = in[:fill]
	prioritise(in, inbound)
	if denyAllIn && nIn > 0 {
		in = append(in, rule("DenyAllInbound", 4096, inbound, deny, topology.Any, anyAddr, anyPorts, anyAddr, anyPorts))
	}

	// Outbound.
	var out []*topology.SecurityRule
	fill = nOut
	if denyAllOut {
		fill--
	}
	for len(out) < fill {
		out = append(out, s.outbound(legacy))
	}
	prioritise(out, outbound)
	if denyAllOut {
		out = append(out, rule("DenyInternetOutbound", 4096, outbound, deny, topology.Any, anyAddr, anyPorts, tag(topology.TagInternet), anyPorts))
	}
	g.SecurityRules = append(in, out...)
	return g
}

// prioritise numbers rules in order from 100, ten apart when they fit below
// 4096 (the last slot is kept for a final deny), and names each after its
// purpose, direction and priority so that names are unique in the NSG.
func prioritise(rules []*topology.SecurityRule, dir topology.Direction) {
	step := 10
	if n := len(rules); n > 0 {
		step = max(1, min(10, (4095-100)/n))
	}
	d := "in"
	if dir == outbound {
		d = "out"
	}
	for i, r := range rules {
		r.Priority = 100 + i*step
		r.Name = fmt.Sprintf("%s-%s-%d", r.Name, d, r.Priority)
	}
}

// ruleScope draws rules for the subnets of some VNets.
type ruleScope struct {
	p     *plan
	r     *rng
	vnets []*vnetPlan
}

func (s *ruleScope) bastionAllow(from netip.Prefix, dports []topology.PortRange, name string) *topology.SecurityRule {
	return rule(name, 0, inbound, allow, topology.Tcp, prefixes(from), anyPorts, anyAddr, dports)
}

func (s *ruleScope) subnet() *subnetPlan {
	vp := pick(s.r, s.vnets)
	return pick(s.r, vp.subnets)
}

// asg returns one of the scope's ASGs, or the prefix of one of its subnets
// when the scope has none.
func (s *ruleScope) asg() (topology.Addresses, string) {
	vp := pick(s.r, s.vnets)
	if len(vp.asgs) == 0 {
		sp := pick(s.r, vp.subnets)
		return prefixes(sp.prefix), sp.tier
	}
	a := pick(s.r, vp.asgs)
	return asgs(a), a[strings.LastIndexByte(a, '-')+1:]
}

// otherSubnet is a subnet of any VNet, as a cross-spoke rule names it.
func (s *ruleScope) otherSubnet() netip.Prefix {
	return pick(s.r, s.p.subnets).prefix
}

// onPrem returns an on-premises /24, or a host in one.
func (s *ruleScope) onPrem(host bool) netip.Prefix {
	r := s.r
	var v uint64
	if r.chance(0.5) {
		v = 192<<24 | 168<<16 | uint64(r.intn(256))<<8
	} else {
		v = 172<<24 | uint64(16+r.intn(16))<<16 | uint64(r.intn(256))<<8
	}
	if host {
		return prefixAt(v|uint64(1+r.intn(254)), 32)
	}
	return prefixAt(v, 24)
}

// partner returns a public range of a partner or SaaS, /24 to /32.
func (s *ruleScope) partner() netip.Prefix {
	r := s.r
	firsts := []uint64{20, 40, 52, 13, 104, 151, 185, 198, 203}
	v := pick(r, firsts)<<24 | uint64(r.intn(256))<<16 | uint64(r.intn(256))<<8 | uint64(r.intn(256))
	bits := pick(r, []int{24, 26, 28, 29, 32, 32})
	return netip.PrefixFrom(addrAt(v), bits).Masked()
}

// sources draws a list of 1 to 4 source prefixes.
func (s *ruleScope) sources() topology.Addresses {
	n := s.r.between(1, 4)
	var ps []netip.Prefix
	for range n {
		switch s.r.intn(3) {
		case 0:
			ps = append(ps, s.otherSubnet())
		case 1:
			ps = append(ps, s.onPrem(s.r.chance(0.3)))
		default:
			ps = append(ps, s.partner())
		}
	}
	return prefixes(ps...)
}

// portList draws 1 to 3 destination ports from a tier's and some ranges.
func (s *ruleScope) portList(tier string) []topology.PortRange {
	extra := []string{"8000-8999", "49152-65535", "4443", "9443", "7000-7100", "30000-32767"}
	n := s.r.between(1, 3)
	seen := map[string]bool{}
	var out []string
	for range n {
		var x string
		if s.r.chance(0.7) {
			x = pick(s.r, tierPorts[tier])
		} else {
			x = pick(s.r, extra)
		}
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return ports(out...)
}

var (
	inboundTags  = []string{"AzureLoadBalancer", "AzureMonitor", "AzureCloud", "AzureFrontDoor.Backend", "ApiManagement", "AzureTrafficManager", "GatewayManager", "VirtualNetwork"}
	outboundTags = []string{"Storage", "Sql", "AzureKeyVault", "AzureMonitor", "AzureActiveDirectory", "AzureCloud", "EventHub", "ServiceBus", "AzureContainerRegistry", "Storage.westeurope", "Sql.westeurope"}
)

// inbound draws one inbound rule; its priority and the suffix of its name
// are set later.
func (s *ruleScope) inbound(legacy bool) *topology.SecurityRule {
	r := s.r
	x := r.intn(100)
	if legacy {
		// A firewall export: hosts and lists to ports.
		x = []int{30, 60, 60, 60, 60, 85}[r.intn(6)]
	}
	switch {
	case x < 25: // application tier to tier, by ASG
		src, _ := s.asg()
		dst, tier := s.asg()
		return rule("AllowAsgTier", 0, inbound, allow, topology.Tcp, src, anyPorts, dst, s.portList(tier))
	case x < 45: // lists of ranges to a subnet
		sp := s.subnet()
		acc, name := allow, "AllowListed"
		if r.chance(0.15) {
			acc, name = deny, "DenyListed"
		}
		dst := prefixes(sp.prefix)
		if r.chance(0.2) {
			dst = prefixes(sp.vnet.space)
		}
		return rule(name, 0, inbound, acc, topology.Tcp, s.sources(), anyPorts, dst, s.portList(sp.tier))
	case x < 55: // platform and service tags
		t := pick(r, inboundTags)
		dst := anyAddr
		if r.chance(0.5) {
			dst = prefixes(s.subnet().prefix)
		}
		return rule("AllowTag", 0, inbound, allow, topology.Tcp, tag(t), anyPorts, dst, ports(pick(r, []string{"443", "80", "*", "8080", "65200-65535"})))
	case x < 65: // keep management ports off the Internet
		proto := pick(r, []topology.Protocol{topology.Any, topology.Tcp})
		return rule("DenyInternetMgmt", 0, inbound, deny, proto, tag(pick(r, []string{"Internet", "*"})), anyPorts, anyAddr,
			ports(pick(r, [][]string{{"22", "3389"}, {"445"}, {"135-139"}, {"23", "21"}, {"5985-5986"}})...))
	case x < 80: // one host to one subnet or host
		sp := s.subnet()
		dst := prefixes(sp.prefix)
		if sp.vms > 0 && r.chance(0.5) {
			dst = prefixes(prefixAt(addrValue(sp.prefix.Addr())+4+uint64(r.intn(sp.vms)), 32))
		}
		src := s.onPrem(true)
		if r.chance(0.4) {
			src = prefixAt(addrValue(s.otherSubnet().Addr())+4, 32)
		}
		return rule("AllowHost", 0, inbound, allow, topology.Tcp, prefixes(src), anyPorts, dst, ports(pick(r, tierPorts[sp.tier])))
	case x < 90: // UDP and ICMP services
		src := tag(topology.TagVirtualNetwork)
		if r.chance(0.5) {
			src = prefixes(s.onPrem(false), s.onPrem(false))
		}
		if r.chance(0.3) {
			return rule("AllowIcmp", 0, inbound, allow, topology.Icmp, src, anyPorts, anyAddr, anyPorts)
		}
		return rule("AllowUdp", 0, inbound, allow, topology.Udp, src, anyPorts, anyAddr, ports(pick(r, [][]string{{"53"}, {"123"}, {"161-162"}, {"514"}, {"3478-3481"}})...))
	default: // port ranges, sometimes with a source port range
		sp := s.subnet()
		acc, name := allow, "AllowRange"
		if r.chance(0.3) {
			acc, name = deny, "DenyRange"
		}
		sports := anyPorts
		if r.chance(0.3) {
			sports = ports(pick(r, []string{"1024-65535", "49152-65535", "53"}))
		}
		return rule(name, 0, inbound, acc, pick(r, []topology.Protocol{topology.Tcp, topology.Udp, topology.Any}),
			tag(topology.TagVirtualNetwork), sports, prefixes(sp.prefix), ports(pick(r, []string{"8000-8999", "1024-65535", "49152-65535", "30000-32767", "0-1023"})))
	}
}

// outbound draws one outbound rule.
func (s *ruleScope) outbound(legacy bool) *topology.SecurityRule {
	r := s.r
	x := r.intn(100)
	if legacy {
		x = []int{35, 35, 75, 75, 90}[r.intn(5)]
	}
	switch {
	case x < 30: // PaaS over service tags
		return rule("AllowPaas", 0, outbound, allow, topology.Tcp, anyAddr, anyPorts, tag(pick(r, outboundTags)),
			ports(pick(r, [][]string{{"443"}, {"1433"}, {"5671-5672", "443"}, {"443", "445"}})...))
	case x < 50: // on-premises
		n := r.between(1, 3)
		var ps []netip.Prefix
		for range n {
			ps = append(ps, s.onPrem(r.chance(0.3)))
		}
		src := anyAddr
		if r.chance(0.4) {
			src = prefixes(s.subnet().prefix)
		}
		return rule("AllowOnPrem", 0, outbound, allow, topology.Tcp, src, anyPorts, prefixes(ps...), s.portList(pick(r, tiers)))
	case x < 65: // risky ports to the Internet
		return rule("DenyInternet", 0, outbound, deny, pick(r, []topology.Protocol{topology.Tcp, topology.Any}), anyAddr, anyPorts,
			tag(topology.TagInternet), ports(pick(r, [][]string{{"25"}, {"6660-6669"}, {"23"}, {"21", "69"}, {"445"}})...))
	case x < 80: // tier to tier, or to another spoke
		src, _ := s.asg()
		if r.chance(0.5) {
			sp := s.otherSubnet()
			return rule("AllowSpoke", 0, outbound, allow, topology.Tcp, src, anyPorts, prefixes(sp), s.portList(pick(r, tiers)))
		}
		dst, tier := s.asg()
		return rule("AllowAsgTier", 0, outbound, allow, topology.Tcp, src, anyPorts, dst, s.portList(tier))
	case x < 90: // a partner API
		return rule("AllowPartner", 0, outbound, allow, topology.Tcp, anyAddr, anyPorts, prefixes(s.partner()), ports("443"))
	default: // DNS and NTP
		return rule("AllowDnsNtp", 0, outbound, allow, topology.Udp, anyAddr, anyPorts, prefixes(s.onPrem(true), s.onPrem(true)), ports(pick(r, []string{"53", "123"})))
	}
}
