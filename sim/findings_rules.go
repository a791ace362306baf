package sim

import (
	"cmp"
	"fmt"
	"math/bits"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/nsgsim/nsgsim/topology"
)

// checkShadowed reports NSG005: a custom rule whose every packet is matched
// first by higher-priority rules of its direction, so it never decides
// anything ("Once traffic matches a rule, processing stops", NSG overview).
// The check is exact: the rule's match set (protocols × sources × source
// ports × destinations × destination ports) is walked through the rules
// before it, in every VNet where the NSG is attached (VirtualNetwork and
// Internet differ from one VNet to another), and the rule is shadowed only
// when nothing of it is left in any of them. The finding names the rules
// that take its traffic. NSGs attached nowhere are not checked, and neither
// are the explicit rules an AzureBastionSubnet NSG must have (RuleCheck):
// Azure requires AllowGatewayManagerInbound even when AllowHttpsInbound from
// Internet already admits the GatewayManager addresses.
//
// NSGs are checked in parallel, one worker per core; the findings keep the
// NSGs' order. In an NSG with a rule index (index.go) a rule costs about
// the rules it meets, not all the rules before it: shadowedBy.
func (e *Engine) checkShadowed(l *findingList) {
	documented := make(map[*topology.SecurityRule]bool)
	for _, c := range e.BastionRuleChecks() {
		for _, r := range c.Rules {
			documented[r] = true
		}
	}
	ctxs := e.contexts()
	nsgs := e.topo.NetworkSecurityGroups
	found := make([]findingList, len(nsgs))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(nsgs)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				k := int(next.Add(1)) - 1
				if k >= len(nsgs) {
					return
				}
				nsg := nsgs[k]
				c := ctxs[nsg.Name]
				if len(c) == 0 {
					continue
				}
				for _, sh := range shadowsOf(c) {
					if !documented[sh.rule] {
						found[k].add("NSG005", SeverityWarning, sh.rule.Pos, sh.message)
					}
				}
			}
		}()
	}
	wg.Wait()
	for _, f := range found {
		*l = append(*l, f...)
	}
}

// shadowed is a custom rule that never matches, the rules that take its
// traffic, and the finding's message.
type shadowed struct {
	rule    *topology.SecurityRule
	takers  []*topology.SecurityRule
	message string
}

// shadowMemo is what shadowsOf found for one NSG in the contexts ctxs.
type shadowMemo struct {
	ctxs  []*compiledNSG
	found []shadowed
}

// shadowsOf returns the custom rules of an NSG that never match, in the
// NSG's order, given the NSG compiled in every VNet where it is attached
// (ctxs, as contexts gives them). Compiled NSGs do not change, so the
// answer is kept on the first of them and given again while the contexts
// are the same objects: a revision of the engine (Revise) shares the NSGs
// it did not change. An NSG a revision compiled again is checked against
// the answer for the NSG it was compiled from (shadowsSince): only its
// rules the edit can have changed are walked again.
func shadowsOf(ctxs []*compiledNSG) []shadowed {
	if m := ctxs[0].shadows.Load(); m != nil && slices.Equal(m.ctxs, ctxs) {
		return m.found
	}
	nsg := ctxs[0].nsg
	m := &shadowMemo{ctxs: slices.Clone(ctxs)}
	since := shadowsSince(ctxs)
	known := make([]*shadowed, len(nsg.SecurityRules))
	var walk []int // the rules to walk, by their place in nsg.SecurityRules
	for k, r := range nsg.SecurityRules {
		sh, ok := since(r)
		switch {
		case !ok:
			walk = append(walk, k)
		case sh != nil:
			known[k] = sh
		}
	}
	// A rule index costs about as much to build as a few dozen walks
	// without it: an NSG compiled again for a revision, with few rules to
	// walk, is walked without.
	indexed := !ctxs[0].revised || len(walk) > maxWalksWithoutIndex
	for k, r := range nsg.SecurityRules {
		if len(walk) > 0 && walk[0] == k {
			walk = walk[1:]
			if takers, ok := shadowedBy(ctxs, r, indexed); ok {
				m.found = append(m.found, shadowed{r, takers, shadowMessage(nsg, r, takers)})
			}
		} else if known[k] != nil {
			m.found = append(m.found, *known[k])
		}
	}
	ctxs[0].shadows.Store(m)
	for _, c := range ctxs {
		c.linted.Store(nil)
	}
	return m.found
}

// maxWalksWithoutIndex is the most rules of a revised NSG that shadowsOf
// walks without the NSG's rule index.
const maxWalksWithoutIndex = 16

// shadowsSince returns, for an NSG compiled again by a revision, what is
// known of each rule from the answer of shadowsOf for the NSG it was
// compiled from (compiledNSG.linted): whether it is shadowed (and how:
// sh), or nothing (known false) when it must be walked again. A rule keeps
// its answer when it is the same object as before, every rule that took
// its traffic is still in the NSG as it was, and, in every VNet, no rule
// the edit changed (diffRules: added, removed, or moved among the others)
// can match a packet of it: the rules before it then take the same
// packets of it as before ("Once traffic matches a rule, processing
// stops", NSG overview). Without such an answer every rule is walked.
func shadowsSince(ctxs []*compiledNSG) func(r *topology.SecurityRule) (sh *shadowed, known bool) {
	unknown := func(*topology.SecurityRule) (*shadowed, bool) { return nil, false }
	base := ctxs[0].linted.Load()
	if base == nil {
		return unknown
	}
	m := base.shadows.Load()
	if m == nil || len(m.ctxs) != len(ctxs) {
		return unknown
	}
	var changed [2][]matchBox
	for i, c := range ctxs {
		linted := c.linted.Load()
		if linted != m.ctxs[i] {
			return unknown
		}
		for dir := range c.rules {
			for _, d := range diffRules(linted.rules[dir], c.rules[dir], map[*topology.SecurityRule]*topology.SecurityRule{}) {
				changed[dir] = append(changed[dir], ruleBox(d))
			}
		}
	}
	before := make(map[*topology.SecurityRule]*shadowed)
	for _, old := range base.nsg.SecurityRules {
		before[old] = nil
	}
	for i := range m.found {
		before[m.found[i].rule] = &m.found[i]
	}
	now := make(map[*topology.SecurityRule]bool, len(ctxs[0].nsg.SecurityRules))
	for _, r := range ctxs[0].nsg.SecurityRules {
		now[r] = true
	}
	return func(r *topology.SecurityRule) (*shadowed, bool) {
		sh, ok := before[r]
		if !ok {
			return nil, false
		}
		if sh != nil && slices.ContainsFunc(sh.takers, func(t *topology.SecurityRule) bool { return !now[t] }) {
			return nil, false
		}
		for _, c := range ctxs {
			i := indexOf(c.rules[r.Direction], r)
			if i < 0 {
				return nil, false
			}
			b := ruleBox(&c.rules[r.Direction][i])
			if slices.ContainsFunc(changed[r.Direction], b.overlaps) {
				return nil, false
			}
		}
		return sh, true
	}
}

// contexts returns each NSG compiled in every VNet where it is attached,
// sorted by VNet name, by NSG name.
func (e *Engine) contexts() map[string][]*compiledNSG {
	out := make(map[string][]*compiledNSG, len(e.slotsOf))
	for name, slots := range e.slotsOf {
		slots = slices.Clone(slots)
		slices.SortFunc(slots, func(a, b nsgSlot) int { return cmp.Compare(e.keys[a].vnet, e.keys[b].vnet) })
		c := make([]*compiledNSG, len(slots))
		for i, s := range slots {
			c[i] = e.nsgs[s]
		}
		out[name] = c
	}
	return out
}

// shadowedBy reports whether r is shadowed in every context, and the rules
// that take its traffic, sorted by priority. A rule that matches nothing in
// any context (an ASG without members) is not reported: nothing shadows it.
//
// In a context with a rule index two shortcuts give the walk's answer
// sooner. A packet of r's box whose first match is r itself proves r is not
// shadowed (the walk would have found it left over); and only the rules
// before r that meet its box can take or split any of it, so the walk
// passes those alone (firstMatchesAmong).
func shadowedBy(ctxs []*compiledNSG, r *topology.SecurityRule, indexed bool) ([]*topology.SecurityRule, bool) {
	var seen map[*topology.SecurityRule]bool
	nonEmpty := false
	for _, c := range ctxs {
		rules := c.rules[r.Direction]
		i := indexOf(rules, r)
		if i < 0 {
			return nil, false
		}
		b := ruleBox(&rules[i])
		if b.isEmpty() {
			continue
		}
		nonEmpty = true
		var takers []int
		var left, ok bool
		var x *ruleIndex
		if indexed {
			x = c.fullIndex(r.Direction)
		}
		if x != nil {
			if decidesCorner(x, b, i) {
				return nil, false
			}
			takers, left, ok = firstMatchesAmong(rules, x.candidates(b, i, nil), b, i)
		} else {
			if decidesCornerWalk(rules, b, i) {
				return nil, false
			}
			takers, left, ok = firstMatchesAmong(rules, meetingBefore(rules, b, i), b, i)
		}
		if !ok || left {
			return nil, false
		}
		if seen == nil {
			seen = make(map[*topology.SecurityRule]bool, len(takers))
		}
		for _, t := range takers {
			seen[rules[t].rule] = true
		}
	}
	if !nonEmpty {
		return nil, false
	}
	out := make([]*topology.SecurityRule, 0, len(seen))
	for t := range seen {
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Priority < out[j].Priority })
	return out, true
}

// decidesCorner reports whether rule i is the first match of the lowest or
// the highest packet of box b (b must not be empty): then some of b is
// left to rule i.
func decidesCorner(x *ruleIndex, b matchBox, i int) bool {
	proto := topology.Protocol(bits.TrailingZeros8(uint8(b.proto)))
	return x.first(proto, b.src.First(), b.sport.First(), b.dst.First(), b.dport.First()) == i ||
		x.first(proto, b.src.last(), b.sport.last(), b.dst.last(), b.dport.last()) == i
}

// decidesCornerWalk is decidesCorner without an index: it walks the rules.
func decidesCornerWalk(rules []compiledRule, b matchBox, i int) bool {
	proto := topology.Protocol(bits.TrailingZeros8(uint8(b.proto)))
	first := func(src, sport, dst, dport Point) int {
		for k := range rules[:i+1] {
			if rules[k].matches(proto, src, sport, dst, dport) {
				return k
			}
		}
		return -1
	}
	return first(b.src.First(), b.sport.First(), b.dst.First(), b.dport.First()) == i ||
		first(b.src.last(), b.sport.last(), b.dst.last(), b.dport.last()) == i
}

// meetingBefore returns, in order, the indexes below stop of the rules
// whose box meets b: the rules that can take or split any of it.
func meetingBefore(rules []compiledRule, b matchBox, stop int) []int {
	var out []int
	for k := range rules[:stop] {
		if ruleBox(&rules[k]).overlaps(b) {
			out = append(out, k)
		}
	}
	return out
}

// indexOf returns the position of r in rules, which are sorted by priority.
func indexOf(rules []compiledRule, r *topology.SecurityRule) int {
	k := sort.Search(len(rules), func(k int) bool { return rules[k].rule.Priority >= r.Priority })
	for ; k < len(rules) && rules[k].rule.Priority == r.Priority; k++ {
		if rules[k].rule == r {
			return k
		}
	}
	for k := range rules {
		if rules[k].rule == r {
			return k
		}
	}
	return -1
}

func shadowMessage(nsg *topology.NetworkSecurityGroup, r *topology.SecurityRule, takers []*topology.SecurityRule) string {
	same := true
	for _, t := range takers {
		if t.Access != r.Access {
			same = false
		}
	}
	effect := "it is redundant"
	if !same {
		effect = fmt.Sprintf("its %s never applies", r.Access)
	}
	return fmt.Sprintf("rule %q (priority %d, %s) of network security group %q never matches: higher-priority %s %s match%s all its traffic; %s",
		r.Name, r.Priority, r.Direction, nsg.Name, pluralWord(len(takers), "rule", "rules"), ruleNames(takers), verbES(len(takers)), effect)
}

func pluralWord(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func verbES(n int) string {
	if n == 1 {
		return "es"
	}
	return ""
}

// checkManagementPorts reports NSG006: a custom Allow rule with source
// Internet or * (or all public space) that lets SSH (22) or RDP (3389) from
// the Internet reach a VM. With Azure Bastion the VM subnet needs these
// ports from the AzureBastionSubnet range only ("As a best practice, scope
// the source to the AzureBastionSubnet IP address range", bastion-nsg). The
// check evaluates Internet → VM on both ports through the VM's NSGs, so a
// rule that a Deny before it or the NIC NSG overrides is not reported.
func (e *Engine) checkManagementPorts(l *findingList) error {
	type key struct {
		rule *topology.SecurityRule
		nsg  *topology.NetworkSecurityGroup
		port uint16
	}
	// Only an NSG with a custom Allow rule open to the Internet on the port
	// can give NSG006: a VM behind none is skipped without an evaluation.
	open := make(map[*compiledNSG][2]bool)
	opens := func(n *compiledNSG, i int) bool {
		if n == nil {
			return false
		}
		o, ok := open[n]
		if !ok {
			for j, p := range []uint16{22, 3389} {
				for k := range n.rules[topology.Inbound] {
					r := &n.rules[topology.Inbound][k]
					if !r.rule.Default && r.rule.Access == topology.Allow && openSource(r.rule.Source) &&
						r.rule.Protocol.Matches(topology.Tcp) && r.dstPorts.Contains(Point(p)) {
						o[j] = true
						break
					}
				}
			}
			open[n] = o
		}
		return o[i]
	}
	var flows []*Flow
	for _, vm := range e.vmList {
		for i, port := range []uint16{22, 3389} {
			if !opens(e.nsgAt(vm.subnet.nsg), i) && !opens(e.nsgAt(vm.nic), i) {
				continue
			}
			flows = append(flows, &Flow{
				ID: "internet/" + vm.vm.Name, Kind: KindCustom, Target: vm.vm.Name,
				Source:      Endpoint{Kind: EndpointServiceTag, Name: topology.TagInternet},
				Destination: vmEndpoint(vm.vm), Protocol: topology.Tcp,
				SourcePorts: []topology.PortRange{topology.EphemeralPorts}, Port: port,
			})
		}
	}
	vms := make(map[key][]string)
	var order []key
	results, err := e.EvaluateAll(flows)
	if err != nil {
		return err
	}
	for _, res := range results {
		for _, sg := range res.Segments {
			if sg.Access != topology.Allow {
				continue
			}
			for _, h := range sg.Hops {
				if h.Rule.Default || h.Rule.Access != topology.Allow || !openSource(h.Rule.Source) {
					continue
				}
				k := key{h.Rule, h.NSG, res.Flow.Port}
				if _, ok := vms[k]; !ok {
					order = append(order, k)
				}
				if !containsString(vms[k], res.Flow.Target) {
					vms[k] = append(vms[k], res.Flow.Target)
				}
			}
		}
	}
	for _, k := range order {
		what := "SSH (22)"
		if k.port == 3389 {
			what = "RDP (3389)"
		}
		l.add("NSG006", SeverityWarning, k.rule.Pos, fmt.Sprintf(
			"rule %q (priority %d) of network security group %q allows %s from %s to %s; with Azure Bastion, allow it from the AzureBastionSubnet range only",
			k.rule.Name, k.rule.Priority, k.nsg.Name, what, k.rule.Source, listNames(vms[k])))
	}
	return nil
}

// openSource reports whether a rule side admits the whole Internet: *,
// Internet, or prefixes covering all public IPv4 space.
func openSource(a topology.Addresses) bool {
	return a.Any || a.Tag == topology.TagInternet || len(a.Prefixes) > 0 && PrefixesSet(a.Prefixes).ContainsSet(publicIPv4)
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// listNames joins names, eliding past five.
func listNames(names []string) string {
	if len(names) > 5 {
		return strings.Join(names[:5], ", ") + fmt.Sprintf(" and %d more", len(names)-5)
	}
	return strings.Join(names, ", ")
}

// checkVMs reports VM001: a VM with a public IP address. With Azure Bastion
// "the virtual machines do not need a public IP address"
// (https://learn.microsoft.com/en-us/azure/bastion/bastion-overview).
func (e *Engine) checkVMs(l *findingList) {
	for _, vm := range e.topo.VirtualMachines {
		if vm.PublicIPAddress.IsValid() {
			l.add("VM001", SeverityWarning, vm.At("publicIpAddress"), fmt.Sprintf(
				"VM %q has public IP address %s; with Azure Bastion a VM needs no public IP, and one exposes it to the Internet", vm.Name, vm.PublicIPAddress))
		}
	}
}

// checkRecommendedFlows reports FLOW002: a recommended flow that does not
// fully pass (SPEC 3: "a blocked recommended flow is a warning").
func checkRecommendedFlows(l *findingList, results []*Result) {
	for _, r := range results {
		if !r.BlockedUnintended() || r.Flow.Requirement != topology.Recommended {
			continue
		}
		f := r.Flow
		l.add("FLOW002", SeverityWarning, f.Pos, fmt.Sprintf(
			"recommended flow %s (%s → %s, %s/%d) is %s: %s", f.ID, f.Source.Name, f.Destination.Name, f.Protocol, f.Port, r.Verdict, HopsText(r.Hops)))
	}
}

// HopsText says which rule decided a path: "blocked by nsg-bastion /
// DenyAllOutBound / 65500 (default) at subnet hub/AzureBastionSubnet", or
// "no NSG on the path".
func HopsText(hops []Hop) string {
	h, ok := Decider(hops)
	if !ok {
		return "no NSG on the path"
	}
	verb := "allowed by"
	if h.Rule.Access == topology.Deny {
		verb = "blocked by"
	}
	return verb + " " + h.String()
}
