package sim

import (
	"fmt"
	"slices"
	"strings"

	"github.com/nsgsim/nsgsim/topology"
)

// BastionRule is one row of the rule table in "Configure NSG rules for Azure
// Bastion" (https://learn.microsoft.com/en-us/azure/bastion/bastion-nsg): the
// rules an NSG on AzureBastionSubnet must have. Source and Destination are
// written as the table writes them, a service tag or "*". Priority is the
// one the same page's PowerShell script gives the rule.
type BastionRule struct {
	Name        string
	Direction   topology.Direction
	Protocol    topology.Protocol
	Source      string
	Destination string
	Ports       []uint16
	Priority    int
	Purpose     string
}

// The documented rules, in the page's order (ms.date 02/24/2026).
var bastionRules = []BastionRule{
	{"AllowHttpsInbound", topology.Inbound, topology.Tcp, topology.TagInternet, "*", []uint16{443}, 120,
		"users reach the Bastion public IP"},
	{"AllowGatewayManagerInbound", topology.Inbound, topology.Tcp, topology.TagGatewayManager, "*", []uint16{443}, 130,
		"the control plane (Gateway Manager) reaches Bastion"},
	{"AllowBastionHostCommunication", topology.Inbound, topology.Any, topology.TagVirtualNetwork, topology.TagVirtualNetwork, []uint16{8080, 5701}, 150,
		"data plane between Bastion instances"},
	{"AllowAzureLoadBalancerInbound", topology.Inbound, topology.Tcp, topology.TagAzureLoadBalancer, "*", []uint16{443}, 140,
		"health probes"},
	{"AllowSshRdpOutbound", topology.Outbound, topology.Any, "*", topology.TagVirtualNetwork, []uint16{22, 3389}, 100,
		"Bastion reaches the target VMs over their private IPs"},
	{"AllowAzureCloudOutbound", topology.Outbound, topology.Tcp, "*", topology.TagAzureCloud, []uint16{443}, 110,
		"diagnostics and metering logs"},
	{"AllowBastionCommunication", topology.Outbound, topology.Any, topology.TagVirtualNetwork, topology.TagVirtualNetwork, []uint16{8080, 5701}, 120,
		"data plane between Bastion instances"},
	{"AllowHttpOutbound", topology.Outbound, topology.Any, "*", topology.TagInternet, []uint16{80}, 130,
		"session validation, shareable links and certificate validation"},
}

// BastionRules returns the eight documented AzureBastionSubnet rules.
func BastionRules() []BastionRule {
	out := make([]BastionRule, len(bastionRules))
	for i, r := range bastionRules {
		r.Ports = slices.Clone(r.Ports)
		out[i] = r
	}
	return out
}

// String describes the rule the way the documentation's table does:
// "Inbound Tcp 443 from GatewayManager to *".
func (r BastionRule) String() string {
	ports := make([]string, len(r.Ports))
	for i, p := range r.Ports {
		ports[i] = fmt.Sprint(p)
	}
	return fmt.Sprintf("%s %s %s from %s to %s", r.Direction, r.Protocol, strings.Join(ports, ","), r.Source, r.Destination)
}

// RuleCheck is the explicit-rule check of one documented rule on the NSG of
// one AzureBastionSubnet. Azure validates an NSG when it is associated with
// AzureBastionSubnet and rejects it with
// NetworkSecurityGroupNotCompliantForAzureBastionSubnet when the rules are
// missing; the check looks for explicit rules, so default rules that would
// let the traffic pass do not count (MicrosoftDocs/azure-docs#80806), and
// neither does a broader rule that happens to cover the traffic (Allow 443
// from Internet does not stand in for AllowGatewayManagerInbound).
//
// The exact rule set the platform checks is not documented. nsgsim's model:
// for each port of the documented rule there must be a custom Allow rule of
// the same direction, on Tcp or *, whose source ports hold the ephemeral
// ports 1024-65535, and whose source and destination are what the
// documentation's table names:
//   - where the table names a service tag, that tag or *; AzureCloud.<region>
//     counts for AzureCloud (NSG003 warns about it);
//   - where the table says *, any side that contains the AzureBastionSubnet
//     prefix;
//   - the 443 inbound source may be Internet, *, or specific public
//     addresses ("The source can be Internet or a set of specific public IP
//     addresses you specify"); for a private-only Bastion, VirtualNetwork or
//     private ranges as well.
//
// Such a rule is effective when no higher-priority Deny takes any of the
// documented traffic before it (the traffic is the Bastion side's
// AzureBastionSubnet prefix and the other side's tag addresses in this VNet;
// for the 443 inbound rule, the IPv4 sources the rule names).
type RuleCheck struct {
	NSG            *topology.NetworkSecurityGroup
	VirtualNetwork string
	Subnet         *topology.Subnet
	Rule           BastionRule
	// Rules are the explicit rules that count as the documented rule.
	Rules []*topology.SecurityRule
	// Missing lists the documented ports no explicit Allow covers.
	Missing []uint16
	// Preceded lists the ports whose explicit Allows all come after Deny
	// rules that take part of the documented traffic.
	Preceded []PrecededPort
}

// PrecededPort is a documented port whose explicit Allow is preceded by Deny
// rules that take some of its traffic.
type PrecededPort struct {
	Port   uint16
	Allow  *topology.SecurityRule   // the first explicit Allow for the port
	Denies []*topology.SecurityRule // the Deny rules that take its traffic first
}

// OK reports whether the documented rule is present and effective.
func (c RuleCheck) OK() bool { return len(c.Missing) == 0 && len(c.Preceded) == 0 }

// At names the subnet the check is about: "hub/AzureBastionSubnet".
func (c RuleCheck) At() string { return c.VirtualNetwork + "/" + c.Subnet.Name }

// BastionRuleChecks runs the explicit-rule check on the NSG of every
// AzureBastionSubnet, in topology order, one RuleCheck per documented rule.
func (e *Engine) BastionRuleChecks() []RuleCheck {
	var out []RuleCheck
	for _, si := range e.subnets {
		if si.subnet.Name != topology.BastionSubnetName || si.nsg == noNSG {
			continue
		}
		privateOnly := e.privateOnly(si)
		for _, br := range bastionRules {
			out = append(out, e.checkBastionRule(si, br, privateOnly))
		}
	}
	return out
}

// privateOnly reports whether a private-only Bastion host uses the subnet.
func (e *Engine) privateOnly(si *subnetInfo) bool {
	for _, b := range e.topo.BastionHosts {
		if b.VirtualNetwork == si.vnet.vnet.Name && b.SKU != topology.Developer && b.EnablePrivateOnlyBastion {
			return true
		}
	}
	return false
}

// ephemeral is the source port range of the documented flows (SPEC 2.3).
var ephemeral = PortSet([]topology.PortRange{topology.EphemeralPorts})

// side is what one side of an explicit rule must be to count as the
// documented rule's, and the documented traffic on that side.
type side struct {
	tag     string                   // the table's tag: the rule names it or *
	ok      func(*compiledRule) bool // replaces the tag test when set
	traffic Set                      // the documented traffic on this side
}

func (e *Engine) sidesOf(si *subnetInfo, br BastionRule, privateOnly bool) (src, dst side) {
	vn := si.vnet.vnSet
	subnet := si.prefix
	// The table's "*" sides are the Bastion end: any rule side holding the
	// AzureBastionSubnet range.
	star := func(get func(*compiledRule) Set) side {
		return side{ok: func(r *compiledRule) bool { return get(r).ContainsSet(subnet) }, traffic: subnet}
	}
	srcSet := func(r *compiledRule) Set { return r.src }
	dstSet := func(r *compiledRule) Set { return r.dst }
	tag := func(name string, traffic Set) side { return side{tag: name, traffic: traffic} }
	switch br.Name {
	case "AllowHttpsInbound":
		// The users' traffic: real addresses only, not the built-in model's
		// GatewayManager or AzureCloud addresses, which users never have.
		src = side{ok: func(r *compiledRule) bool { return httpsSource(r.rule.Source, privateOnly) }, traffic: allIPv4}
		dst = star(dstSet)
	case "AllowGatewayManagerInbound", "AllowAzureLoadBalancerInbound":
		src = tag(br.Source, e.u.tag(br.Source, vn))
		dst = star(dstSet)
	case "AllowBastionHostCommunication", "AllowBastionCommunication":
		// VirtualNetwork to VirtualNetwork; the traffic is between instances.
		src, dst = tag(topology.TagVirtualNetwork, subnet), tag(topology.TagVirtualNetwork, subnet)
	case "AllowSshRdpOutbound":
		src = star(srcSet)
		dst = tag(topology.TagVirtualNetwork, vnetSpaces(si.vnet))
	case "AllowAzureCloudOutbound":
		src = star(srcSet)
		dst = side{ok: func(r *compiledRule) bool {
			d := r.rule.Destination
			return d.Any || d.Tag == topology.TagAzureCloud || regionalAzureCloud(d)
		}, traffic: e.u.tag(topology.TagAzureCloud, vn)}
	case "AllowHttpOutbound":
		src = star(srcSet)
		dst = tag(topology.TagInternet, e.u.tag(topology.TagInternet, vn))
	}
	return src, dst
}

// vnetSpaces is the address space of a VNet and of the VNets peered with it:
// where Bastion's target VMs are.
func vnetSpaces(vi *vnetInfo) Set {
	s := vi.space
	for _, p := range vi.peers {
		s = s.Union(PrefixesSet(p.AddressSpace))
	}
	return s
}

// httpsSource reports whether a rule's source may stand for the documented
// AllowHttpsInbound source: Internet, *, or specific public addresses; for a
// private-only Bastion, private ranges or VirtualNetwork as well.
func httpsSource(a topology.Addresses, privateOnly bool) bool {
	switch {
	case a.Any || a.Tag == topology.TagInternet:
		return true
	case privateOnly && (a.Tag == topology.TagVirtualNetwork || len(a.Prefixes) > 0):
		return true
	case len(a.Prefixes) > 0:
		return PrefixesSet(a.Prefixes).Overlaps(publicIPv4)
	}
	return false
}

// regionalAzureCloud reports whether a side names AzureCloud.<region>.
func regionalAzureCloud(a topology.Addresses) bool {
	return strings.HasPrefix(strings.ToLower(a.Tag), "azurecloud.")
}

func (s side) accepts(r *compiledRule, named topology.Addresses) bool {
	if s.ok != nil {
		return s.ok(r)
	}
	return named.Any || named.Tag == s.tag
}

func (s side) trafficOf(have Set) Set { return have.Intersect(s.traffic) }

func (e *Engine) checkBastionRule(si *subnetInfo, br BastionRule, privateOnly bool) RuleCheck {
	c := RuleCheck{NSG: e.nsgAt(si.nsg).nsg, VirtualNetwork: si.vnet.vnet.Name, Subnet: si.subnet, Rule: br}
	src, dst := e.sidesOf(si, br, privateOnly)
	rules := e.nsgAt(si.nsg).rules[br.Direction]
	for _, port := range br.Ports {
		cands := candidates(rules, src, dst, port)
		if len(cands) == 0 {
			c.Missing = append(c.Missing, port)
			continue
		}
		var first *PrecededPort
		met := false
		for _, i := range cands {
			r := &rules[i]
			if !slices.Contains(c.Rules, r.rule) {
				c.Rules = append(c.Rules, r.rule)
			}
			m := matchBox{protocolSet(topology.Tcp), src.trafficOf(r.src), ephemeral, dst.trafficOf(r.dst), PointSet(Point(port))}
			takers, _, ok := firstMatches(rules, m, i)
			if !ok {
				met = true // too complex to tell; do not accuse
				continue
			}
			var denies []*topology.SecurityRule
			for _, t := range takers {
				if rules[t].rule.Access == topology.Deny {
					denies = append(denies, rules[t].rule)
				}
			}
			if len(denies) == 0 {
				met = true
				continue
			}
			if first == nil {
				first = &PrecededPort{Port: port, Allow: r.rule, Denies: denies}
			}
		}
		if !met {
			c.Preceded = append(c.Preceded, *first)
		}
	}
	return c
}

// candidates returns the indexes of the custom Allow rules that count as the
// documented rule for one port.
func candidates(rules []compiledRule, src, dst side, port uint16) []int {
	var out []int
	for i := range rules {
		r := &rules[i]
		if r.rule.Default || r.rule.Access != topology.Allow || !r.rule.Protocol.Matches(topology.Tcp) {
			continue
		}
		if !r.dstPorts.Contains(Point(port)) || !r.srcPorts.ContainsSet(ephemeral) {
			continue
		}
		if src.accepts(r, r.rule.Source) && dst.accepts(r, r.rule.Destination) {
			out = append(out, i)
		}
	}
	return out
}

// checkExplicitRules reports NSG001 and NSG002, and NSG003 for a regional
// AzureCloud tag in an AzureBastionSubnet NSG's outbound rules.
func (e *Engine) checkExplicitRules(l *findingList) {
	for _, c := range e.BastionRuleChecks() {
		if len(c.Missing) > 0 {
			what := c.Rule.String()
			if len(c.Missing) < len(c.Rule.Ports) {
				what += fmt.Sprintf(" (port %s has none)", joinPorts(c.Missing))
			}
			l.add("NSG001", SeverityError, c.NSG.Pos, fmt.Sprintf(
				"network security group %q on %s has no explicit Allow rule for %s: %s (%s); Azure rejects the association with NetworkSecurityGroupNotCompliantForAzureBastionSubnet even when default rules would let the traffic pass",
				c.NSG.Name, c.At(), c.Rule.Name, what, c.Rule.Purpose))
		}
		for _, p := range c.Preceded {
			l.add("NSG002", SeverityError, p.Allow.Pos, fmt.Sprintf(
				"rule %q (priority %d) of network security group %q on %s is the explicit %s for port %d, but %s take%s its traffic first (Bastion needs it for %s)",
				p.Allow.Name, p.Allow.Priority, c.NSG.Name, c.At(), c.Rule.Name, p.Port, ruleNames(p.Denies), verbS(len(p.Denies)), c.Rule.Purpose))
		}
	}
	for _, si := range e.subnets {
		if si.subnet.Name != topology.BastionSubnetName || si.nsg == noNSG {
			continue
		}
		for _, r := range e.nsgAt(si.nsg).nsg.SecurityRules {
			if r.Direction == topology.Outbound && r.Access == topology.Allow && regionalAzureCloud(r.Destination) {
				l.add("NSG003", SeverityWarning, r.At("destinationAddressPrefix"), fmt.Sprintf(
					"rule %q of network security group %q on %s/%s names %s; the Bastion documentation asks for AzureCloud, and regional AzureCloud tags were not supported for Bastion (use AzureCloud)",
					r.Name, e.nsgAt(si.nsg).nsg.Name, si.vnet.vnet.Name, si.subnet.Name, r.Destination.Tag))
			}
		}
	}
}

func verbS(n int) string {
	if n == 1 {
		return "s"
	}
	return ""
}

// ruleNames lists rules as `"DenyAll" (priority 100)`, joined with commas.
func ruleNames(rules []*topology.SecurityRule) string {
	parts := make([]string, len(rules))
	for i, r := range rules {
		parts[i] = fmt.Sprintf("%q (priority %d)", r.Name, r.Priority)
	}
	return strings.Join(parts, ", ")
}

func joinPorts(ports []uint16) string {
	parts := make([]string, len(ports))
	for i, p := range ports {
		parts[i] = fmt.Sprint(p)
	}
	return strings.Join(parts, ", ")
}

// checkBastionSubnets reports SUB001–SUB003: the size of AzureBastionSubnet,
// a route table on it, and VMs in it
// (https://learn.microsoft.com/en-us/azure/bastion/configuration-settings#subnet,
// https://learn.microsoft.com/en-us/azure/bastion/bastion-faq).
func (e *Engine) checkBastionSubnets(l *findingList) {
	for _, si := range e.subnets {
		s := si.subnet
		if s.Name != topology.BastionSubnetName {
			continue
		}
		name := si.vnet.vnet.Name + "/" + s.Name
		// "/26 or larger" since 2 November 2021; /27 subnets from before
		// then still work, so /27 is a warning and smaller an error.
		switch bits := s.AddressPrefix.Bits(); {
		case bits > topology.BastionSubnetLegacyMaxBits:
			l.add("SUB001", SeverityError, s.At("addressPrefix"), fmt.Sprintf(
				"%s is %s, a /%d; AzureBastionSubnet must be /26 or larger", name, s.AddressPrefix, bits))
		case bits > topology.BastionSubnetMaxBits:
			l.add("SUB001", SeverityWarning, s.At("addressPrefix"), fmt.Sprintf(
				"%s is %s, a /27; AzureBastionSubnet must be /26 or larger for Bastion hosts deployed since 2 November 2021, and /26 is needed to scale", name, s.AddressPrefix))
		}
		if s.RouteTable != "" {
			l.add("SUB002", SeverityError, s.At("routeTable"), fmt.Sprintf(
				"%s has route table %q; user-defined routes are not supported on AzureBastionSubnet", name, s.RouteTable))
		}
		for _, vm := range e.vmList {
			if vm.subnet == si {
				l.add("SUB003", SeverityError, vm.vm.At("subnet"), fmt.Sprintf(
					"VM %q is in %s; AzureBastionSubnet can't contain other resources", vm.vm.Name, name))
			}
		}
	}
}

// checkBastionHosts reports the SKU findings (SKU001–SKU003) and custom
// ports that no explicit outbound rule covers (NSG004).
// SKU features: https://learn.microsoft.com/en-us/azure/bastion/bastion-sku-comparison
func (e *Engine) checkBastionHosts(l *findingList) {
	for _, b := range e.topo.BastionHosts {
		type feature struct {
			key  string
			on   bool
			need topology.SKU
			what string
		}
		features := []feature{
			{"enableTunneling", b.EnableTunneling, topology.Standard, "native client support (tunneling)"},
			{"enableIpConnect", b.EnableIPConnect, topology.Standard, "IP-based connection"},
			{"enableShareableLink", b.EnableShareableLink, topology.Standard, "shareable links"},
			{"enableFileCopy", b.EnableFileCopy, topology.Standard, "file copy"},
			{"disableCopyPaste", b.DisableCopyPaste, topology.Standard, "disabling copy and paste"},
			{"customPorts", len(b.CustomPorts) > 0, topology.Standard, "custom ports"},
			{"enableSessionRecording", b.EnableSessionRecording, topology.Premium, "session recording"},
			{"enablePrivateOnlyBastion", b.EnablePrivateOnlyBastion, topology.Premium, "private-only deployment"},
		}
		for _, f := range features {
			if f.on && !skuHas(b.SKU, f.need) {
				need := "the Standard or Premium SKU"
				if f.need == topology.Premium {
					need = "the Premium SKU"
				}
				l.add("SKU001", SeverityError, b.At(f.key), fmt.Sprintf(
					"bastion host %q sets %s, but %s needs %s; bastion host %q is %s", b.Name, f.key, f.what, need, b.Name, b.SKU))
			}
		}
		switch {
		case b.ScaleUnits < topology.MinScaleUnits || b.ScaleUnits > topology.MaxScaleUnits:
			l.add("SKU002", SeverityError, b.At("scaleUnits"), fmt.Sprintf(
				"bastion host %q has scaleUnits %d; the range is %d to %d", b.Name, b.ScaleUnits, topology.MinScaleUnits, topology.MaxScaleUnits))
		case b.ScaleUnits != topology.MinScaleUnits && !skuHas(b.SKU, topology.Standard):
			l.add("SKU002", SeverityError, b.At("scaleUnits"), fmt.Sprintf(
				"bastion host %q has scaleUnits %d, but host scaling needs the Standard or Premium SKU; %s has 2 instances", b.Name, b.ScaleUnits, b.SKU))
		}
		if b.EnablePrivateOnlyBastion && b.SKU == topology.Premium {
			e.checkPrivateClients(l, b)
		}
		e.checkCustomPorts(l, b)
	}
}

// skuHas reports whether sku has the features of need (Basic < Standard <
// Premium; Developer has none of them).
func skuHas(sku, need topology.SKU) bool {
	rank := map[topology.SKU]int{topology.Developer: 0, topology.Basic: 1, topology.Standard: 2, topology.Premium: 3}
	return rank[sku] >= rank[need]
}

// checkPrivateClients reports SKU003: a private-only Bastion "allows only
// private IP address access", so its clients must be private ranges or
// addresses of its VNet (https://learn.microsoft.com/en-us/azure/bastion/private-only-deployment).
func (e *Engine) checkPrivateClients(l *findingList, b *topology.BastionHost) {
	vi := e.vnets[b.VirtualNetwork]
	private := nonPublic
	if vi != nil {
		private = private.Union(vi.vnSet)
	}
	for _, c := range e.topo.Clients {
		var bad []string
		if c.Tag != "" && c.Tag != topology.TagVirtualNetwork {
			bad = append(bad, c.Tag)
		}
		for _, p := range c.AddressPrefixes {
			if !private.ContainsSet(PrefixSet(p)) {
				bad = append(bad, p.String())
			}
		}
		if len(bad) > 0 {
			l.add("SKU003", SeverityError, c.Pos, fmt.Sprintf(
				"client %q reaches private-only bastion host %q from %s, which is not a private range; a private-only Bastion allows only private IP address access (over ExpressRoute private peering or VPN)",
				c.Name, b.Name, strings.Join(bad, ", ")))
		}
	}
}

// checkCustomPorts reports NSG004: with custom ports, the outbound rule to
// VirtualNetwork must allow those ports too ("If you use the custom port
// feature with the Standard SKU, allow outbound traffic to the
// VirtualNetwork service tag instead", bastion-nsg).
func (e *Engine) checkCustomPorts(l *findingList, b *topology.BastionHost) {
	if len(b.CustomPorts) == 0 || !skuHas(b.SKU, topology.Standard) {
		return
	}
	si := e.bastionSubnet(b.Name)
	if si == nil || si.nsg == noNSG {
		return
	}
	br := bastionRules[4] // AllowSshRdpOutbound
	br.Ports = b.CustomPorts
	c := e.checkBastionRule(si, br, b.EnablePrivateOnlyBastion)
	var ports []uint16
	ports = append(ports, c.Missing...)
	for _, p := range c.Preceded {
		ports = append(ports, p.Port)
	}
	if len(ports) == 0 {
		return
	}
	slices.Sort(ports)
	l.add("NSG004", SeverityWarning, b.At("customPorts"), fmt.Sprintf(
		"bastion host %q uses custom port%s %s, but network security group %q on %s allows no explicit outbound Tcp to VirtualNetwork on %s; add the port%s to the outbound rule (AllowSshRdpOutbound)",
		b.Name, pluralS(len(ports)), joinPorts(ports), e.nsgAt(si.nsg).nsg.Name, subnetName(si), pluralIt(len(ports)), pluralS(len(ports))))
}

func pluralS(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

func pluralIt(n int) string {
	if n == 1 {
		return "it"
	}
	return "them"
}

func subnetName(si *subnetInfo) string { return si.vnet.vnet.Name + "/" + si.subnet.Name }
