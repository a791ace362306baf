package sim

import (
	"cmp"
	"maps"
	"slices"

	"github.com/nsgsim/nsgsim/topology"
)

// This file re-simulates a topology after some of its network security
// groups changed, re-evaluating only the flows the change can reach.
//
// An NSG decides a packet by its first matching rule ("Once traffic matches
// a rule, processing stops",
// https://learn.microsoft.com/en-us/azure/virtual-network/network-security-groups-overview#security-rules).
// Compare an NSG's rules before and after an edit, in evaluation order: a
// rule is unchanged when a rule of the same name and direction matches the
// same packets with the same access, and stays in the same place among the
// unchanged rules. Every other rule, before or after the edit, is a changed
// rule. A packet that matches no changed rule is decided by the same rule
// before and after: its first match before is unchanged, so it is there
// after, and any rule before it after that the packet matches would be an
// unchanged rule before it before as well. So a flow can change only if,
// for some edited NSG,
//   - its path reaches the NSG: some segment's hops pass it (a gate after a
//     Deny is never reached, and the gates before it decide as before), and
//   - some changed rule of the NSG can match one of its packets: the rule's
//     protocol, destination port, sources, source ports and destinations
//     overlap the flow's.
// Every other flow keeps its result; where its hops name an edited NSG,
// they are pointed at the edited NSG and its rules (a rule moved to another
// priority keeps deciding, under its new priority).

// Revision is the simulation of a topology that differs from an earlier
// one in its network security groups only: every flow's result, of which
// only those the edit can reach were evaluated again. Its results are those
// sim.Simulate gives for the revised topology.
type Revision struct {
	Topology *topology.Topology
	Engine   *Engine
	// Results holds every flow's result, in the order of Flows(Topology).
	// A flow the edit cannot reach keeps its earlier *Result, or a copy
	// whose hops name the edited NSG's rules.
	Results []*Result
	// Changed lists the indexes in Results of the flows whose verdict or
	// segments differ from before: a segment's addresses, source ports,
	// access, or the rules that decide it (by NSG, place and rule name).
	// A flow that is new to the revision counts as changed.
	Changed []int
	// Reevaluated counts the flows that were evaluated again.
	Reevaluated int
	// Causes lists, for each flow evaluated again (by its index in
	// Results), the changed rules that can match one of its packets,
	// sorted, each once. A flow whose causes are all edits of one NSG
	// changes as that NSG's edit alone would change it, whatever the
	// others; and a flow whose causes are rules that one edit added
	// changes as that edit alone would. fix relies on this to place
	// several rules at once. Causes is nil when every flow was evaluated
	// again.
	Causes map[int][]Cause
}

// Cause is a changed rule of an edited NSG, by name: a rule added, removed,
// edited, or moved among the unchanged rules.
type Cause struct{ NSG, Rule string }

// Revise simulates t, a revision of r's topology. The NSGs named in changed,
// and every NSG of t that is not the very object r's topology holds, are
// compiled again; the flows whose paths reach one of them and that one of
// their changed rules can match are evaluated again; the rest keep their
// results. t must not share a modified object with r's topology: edit
// copies (the NSG, its rule list, the rules edited), as fix does.
//
// When t differs from r's topology in more than its NSGs (VNets, subnets and
// their attachments, VMs, ASGs, Bastion hosts, clients, flows, the service
// tags or the location), or an edit names a service tag no rule named
// before (which renumbers the built-in model's tag addresses), every flow is
// evaluated again. Expectations may differ freely: they decide no flow.
func (r *Report) Revise(t *topology.Topology, changed ...string) (*Revision, error) {
	return r.Engine.Revise(r.Results, t, changed...)
}

// ReviseNSG is Revise for one edited NSG: it simulates r's topology with
// nsg in place of the NSG of the same name (added when there is none).
// nsg may have rules edited, removed, added or moved to other priorities.
func (r *Report) ReviseNSG(nsg *topology.NetworkSecurityGroup) (*Revision, error) {
	return r.Revise(WithNSG(r.Topology, nsg), nsg.Name)
}

// Revise simulates a revision of the revision's topology, as Report.Revise.
func (v *Revision) Revise(t *topology.Topology, changed ...string) (*Revision, error) {
	return v.Engine.Revise(v.Results, t, changed...)
}

// WithNSG returns a copy of t in which nsg replaces the NSG of the same
// name, or is added after the others when t has none. t is not changed.
func WithNSG(t *topology.Topology, nsg *topology.NetworkSecurityGroup) *topology.Topology {
	c := *t
	c.NetworkSecurityGroups = slices.Clone(t.NetworkSecurityGroups)
	for i, n := range c.NetworkSecurityGroups {
		if n != nil && n.Name == nsg.Name {
			c.NetworkSecurityGroups[i] = nsg
			return &c
		}
	}
	c.NetworkSecurityGroups = append(c.NetworkSecurityGroups, nsg)
	return &c
}

// Report completes the revision into what sim.Simulate returns for its
// topology: the expectations checked, the findings and the summary. The
// findings are computed in full, and fail as Simulate's do, past a budget
// on pieces.
func (v *Revision) Report() (*Report, error) {
	r := &Report{Topology: v.Topology, Engine: v.Engine, Results: v.Results}
	r.Expectations = checkExpectations(v.Topology.Expectations, v.Results)
	markIntended(r)
	var err error
	if r.Findings, err = v.Engine.Findings(r.Results); err != nil {
		return nil, err
	}
	r.Summary = summarizeReport(r)
	return r, nil
}

// Revise simulates t, a revision of the engine's topology, given the
// results of the engine's flows (Flows of its topology, in order): see
// Report.Revise.
func (e *Engine) Revise(results []*Result, t *topology.Topology, changed ...string) (*Revision, error) {
	names := changedNSGs(e.topo, t, changed)
	if !sameBesidesNSGs(e.topo, t) {
		return e.reviseAll(results, t)
	}
	if !e.sameUniverse(t, names) {
		return e.reviseAll(results, t)
	}
	e2, err := e.reviseEngine(t, names)
	if err != nil {
		return nil, err
	}

	// The changed rules and the new pointers of the unchanged ones, over
	// every VNet where a changed NSG is compiled, before and after.
	diffs := make(map[string]ruleDiff)
	remap := make(map[*topology.SecurityRule]*topology.SecurityRule)
	newNSG := make(map[string]*topology.NetworkSecurityGroup)
	for name := range names {
		for _, s := range e.slotsOf[name] {
			old, cur := e.nsgs[s], e2.nsgs[s]
			newNSG[name] = cur.nsg
			for dir := range old.rules {
				diffs[name] = diffs[name].union(diffRules(old.rules[dir], cur.rules[dir], remap))
			}
		}
	}

	v := &Revision{Topology: t, Engine: e2, Results: make([]*Result, len(results)), Causes: make(map[int][]Cause)}
	var again []int
	var reached []string
	// The edited NSGs as the results' hops name them: the objects of the
	// engine's topology.
	edited := make(map[*topology.NetworkSecurityGroup]bool, len(names))
	for _, n := range e.topo.NetworkSecurityGroups {
		edited[n] = names[n.Name]
	}
	causes := causesOf(diffs)
	for i, res := range results {
		reached = reachedNSGs(res, edited, reached[:0])
		switch {
		case len(reached) == 0:
			v.Results[i] = res
		case slices.ContainsFunc(reached, func(n string) bool { return mayChange(res, diffs[n]) }):
			again = append(again, i)
			v.Causes[i] = causes(res)
		default:
			v.Results[i] = repointed(res, names, newNSG, remap)
		}
	}
	flows := make([]*Flow, len(again))
	for j, i := range again {
		flows[j] = results[i].Flow
	}
	// The results kept count towards the budgets of all flows
	// (budget_pieces.go), as they would in a full simulation.
	var kept flowCount
	for _, res := range v.Results {
		if res != nil {
			kept = kept.add(res.cost)
		}
	}
	reevaluated, err := e2.evaluateAll(flows, nil, kept)
	if err != nil {
		return nil, err
	}
	for j, res := range reevaluated {
		i := again[j]
		v.Results[i] = res
		if !sameResult(results[i], res) {
			v.Changed = append(v.Changed, i)
		}
	}
	v.Reevaluated = len(again)
	return v, nil
}

// causesOf returns a function that lists the changed rules, of diffs by
// NSG name, that can match a packet of a flow (mayMatch): Revision.Causes.
// The rules are walked NSG by NSG in order of name, and an NSG whose changed
// rules have no destination the flow's destinations meet is passed over.
func causesOf(diffs map[string]ruleDiff) func(res *Result) []Cause {
	type nsgChanges struct {
		nsg   string
		rules ruleDiff
		dst   Set // the union of the rules' destinations
	}
	changes := make([]nsgChanges, 0, len(diffs))
	for n, d := range diffs {
		c := nsgChanges{nsg: n, rules: d}
		for _, r := range d {
			c.dst = c.dst.Union(r.dst)
		}
		changes = append(changes, c)
	}
	slices.SortFunc(changes, func(a, b nsgChanges) int { return cmp.Compare(a.nsg, b.nsg) })
	return func(res *Result) []Cause {
		var out []Cause
		for _, c := range changes {
			if !meets(c.dst, res.Dest) {
				continue
			}
			for _, r := range c.rules {
				if mayMatch(res, r) {
					out = append(out, Cause{c.nsg, r.rule.Name})
				}
			}
		}
		slices.SortFunc(out, func(a, b Cause) int { return cmp.Or(cmp.Compare(a.NSG, b.NSG), cmp.Compare(a.Rule, b.Rule)) })
		return slices.Compact(out)
	}
}

// reviseEngine returns an engine for t, a revision of the engine's
// topology in the NSGs named only, with the same universe. The NSGs named
// are compiled anew in every VNet where they were compiled (their slots in
// nsgs), taking the compiled rules the edit left alone; everything else is
// shared: the other compiled NSGs, the VNets, subnets and VMs (which name
// their NSGs by slot), the service tags and the resolved network
// (Engine.Network), whose NSG fields name the NSG objects of the engine's
// topology. Compiling t whole would give the same engine.
func (e *Engine) reviseEngine(t *topology.Topology, names map[string]bool) (*Engine, error) {
	e2 := &Engine{
		topo: t, net: e.net, u: e.u,
		vnets: e.vnets, subnets: e.subnets, subnetOf: e.subnetOf,
		vms: e.vms, vmList: e.vmList,
		asgs:     maps.Clone(e.asgs),
		compiled: e.compiled, nsgs: slices.Clone(e.nsgs), keys: e.keys, slotsOf: e.slotsOf,
		tags: e.tags,
	}
	// In slot order, so that a missing NSG is reported the same way
	// every time.
	var slots []nsgSlot
	for name := range names {
		slots = append(slots, e.slotsOf[name]...)
	}
	slices.Sort(slots)
	for _, s := range slots {
		k := e.keys[s]
		n, err := e2.compileGate(k.nsg, e.vnets[k.vnet], e.nsgs[s])
		if err != nil {
			return nil, err
		}
		e2.nsgs[s] = n
	}
	return e2, nil
}

// reviseAll evaluates every flow of t on a newly compiled engine.
func (e *Engine) reviseAll(results []*Result, t *topology.Topology) (*Revision, error) {
	e2, err := Compile(t)
	if err != nil {
		return nil, err
	}
	flows := Flows(t)
	all, err := e2.EvaluateAll(flows)
	if err != nil {
		return nil, err
	}
	v := &Revision{Topology: t, Engine: e2, Results: all, Reevaluated: len(flows)}
	byID := make(map[string]*Result, len(results))
	for _, r := range results {
		byID[r.Flow.ID] = r
	}
	for i, r := range v.Results {
		if old, ok := byID[r.Flow.ID]; !ok || !sameResult(old, r) {
			v.Changed = append(v.Changed, i)
		}
	}
	return v, nil
}

// changedNSGs returns the names of the NSGs to compile again: those named,
// and those of either topology that are not the same object in the other.
func changedNSGs(old, cur *topology.Topology, named []string) map[string]bool {
	out := make(map[string]bool, len(named))
	for _, n := range named {
		out[n] = true
	}
	before := make(map[string]*topology.NetworkSecurityGroup, len(old.NetworkSecurityGroups))
	for _, n := range old.NetworkSecurityGroups {
		before[n.Name] = n
	}
	seen := make(map[string]bool, len(cur.NetworkSecurityGroups))
	for _, n := range cur.NetworkSecurityGroups {
		seen[n.Name] = true
		if before[n.Name] != n {
			out[n.Name] = true
		}
	}
	for name := range before {
		if !seen[name] {
			out[name] = true
		}
	}
	return out
}

// sameBesidesNSGs reports whether two topologies hold the same objects in
// everything that decides a flow but their NSGs.
func sameBesidesNSGs(a, b *topology.Topology) bool {
	return a.ServiceTags == b.ServiceTags && a.Location == b.Location &&
		slices.Equal(a.VirtualNetworks, b.VirtualNetworks) &&
		slices.Equal(a.ApplicationSecurityGroups, b.ApplicationSecurityGroups) &&
		slices.Equal(a.VirtualMachines, b.VirtualMachines) &&
		slices.Equal(a.BastionHosts, b.BastionHosts) &&
		slices.Equal(a.Clients, b.Clients) &&
		slices.Equal(a.Flows, b.Flows)
}

// sameUniverse reports whether t, a revision of the engine's topology in
// the NSGs named only, has the engine's universe: always with a Service
// Tags file; in the built-in model, when the tags the topology mentions
// make the same atoms. That is so when the edited NSGs mention no tag
// without an atom and drop none they mentioned; otherwise every rule is
// looked at.
func (e *Engine) sameUniverse(t *topology.Topology, names map[string]bool) bool {
	if !e.u.builtin() {
		return true
	}
	tagsOf := func(t *topology.Topology) map[string]bool {
		out := make(map[string]bool)
		for _, n := range t.NetworkSecurityGroups {
			if !names[n.Name] {
				continue
			}
			for _, r := range n.SecurityRules {
				for _, tag := range []string{r.Source.Tag, r.Destination.Tag} {
					if tag != "" && !platformTag(tag) {
						out[tag] = true
					}
				}
			}
		}
		return out
	}
	before, after := tagsOf(e.topo), tagsOf(t)
	same := true
	for tag := range after {
		if _, ok := e.u.atoms[tag]; !ok {
			same = false
		}
	}
	for tag := range before {
		if !after[tag] {
			same = false
		}
	}
	if same {
		return true
	}
	return slices.Equal(newUniverse(t.ServiceTags, mentionedTags(t)).names, e.u.names)
}

// ruleDiff is the changed rules of one NSG direction in one VNet, before
// and after the edit.
type ruleDiff []*compiledRule

// union returns d with the changed rules of add that d does not hold yet: a
// rule of the same name that matches the same packets counts once. One NSG
// is compiled in every VNet where it is attached, and a rule whose sides do
// not depend on the VNet (prefixes, not VirtualNetwork or Internet) is the
// same change in each of them: the flows it can match (mayMatch) and its
// name as a Cause are the same.
func (d ruleDiff) union(add ruleDiff) ruleDiff {
	for _, r := range add {
		if !slices.ContainsFunc(d, func(x *compiledRule) bool { return x.rule.Name == r.rule.Name && sameMatch(x, r) }) {
			d = append(d, r)
		}
	}
	return d
}

// diffRules returns the changed rules between the rule lists before and
// after an edit (each in evaluation order), and records in remap the new
// pointer of every unchanged rule. Rules are matched by name; when a name
// repeats in a list, every rule of both lists counts as changed.
func diffRules(before, after []compiledRule, remap map[*topology.SecurityRule]*topology.SecurityRule) ruleDiff {
	// The rules the edit left where they were, at the start and at the
	// end of both lists (the same objects: compileGate keeps them, and the
	// default rules, as compiled), are unchanged; the diff is of the rest.
	p := 0
	for p < len(before) && p < len(after) && before[p].rule == after[p].rule {
		p++
	}
	q := 0
	for q < len(before)-p && q < len(after)-p && before[len(before)-1-q].rule == after[len(after)-1-q].rule {
		q++
	}
	return diffMiddle(before[p:len(before)-q], after[p:len(after)-q], remap)
}

// diffMiddle is diffRules without the shortcut.
func diffMiddle(before, after []compiledRule, remap map[*topology.SecurityRule]*topology.SecurityRule) ruleDiff {
	var d ruleDiff
	byName := make(map[string]int, len(before))
	for i := range before {
		if _, dup := byName[before[i].rule.Name]; dup {
			return allRules(before, after)
		}
		byName[before[i].rule.Name] = i
	}
	kept := make([]bool, len(before))
	var order []int // the unchanged rules of before, in the order of after
	seen := make(map[string]bool, len(after))
	for j := range after {
		a := &after[j]
		if seen[a.rule.Name] {
			return allRules(before, after)
		}
		seen[a.rule.Name] = true
		i, ok := byName[a.rule.Name]
		if !ok || !sameMatch(&before[i], a) {
			d = append(d, a)
			continue
		}
		kept[i] = true
		order = append(order, i)
	}
	for i := range before {
		if !kept[i] {
			d = append(d, &before[i])
		}
	}
	// The unchanged rules must keep their order: a rule whose place among
	// them moved is changed too (before and after, it matches the same).
	k := 0
	for i := range before {
		if !kept[i] {
			continue
		}
		if order[k] != i {
			d = append(d, &before[i])
		}
		k++
	}
	for j := range after {
		if i, ok := byName[after[j].rule.Name]; ok && kept[i] {
			remap[before[i].rule] = after[j].rule
		}
	}
	return d
}

func allRules(before, after []compiledRule) ruleDiff {
	var d ruleDiff
	for i := range before {
		d = append(d, &before[i])
	}
	for i := range after {
		d = append(d, &after[i])
	}
	return d
}

// sameMatch reports whether two compiled rules match the same packets with
// the same access.
func sameMatch(a, b *compiledRule) bool {
	return a.rule.Access == b.rule.Access && a.rule.Protocol == b.rule.Protocol && a.protocols == b.protocols &&
		a.rule.Default == b.rule.Default &&
		a.src.Equal(b.src) && a.dst.Equal(b.dst) &&
		a.srcPorts.Equal(b.srcPorts) && a.dstPorts.Equal(b.dstPorts)
}

// reachedNSGs appends to out the names of the edited NSGs that the
// result's hops pass, each once.
func reachedNSGs(res *Result, edited map[*topology.NetworkSecurityGroup]bool, out []string) []string {
	for _, sg := range res.Segments {
		for _, h := range sg.Hops {
			if edited[h.NSG] && !slices.Contains(out, h.NSG.Name) {
				out = append(out, h.NSG.Name)
			}
		}
	}
	return out
}

// mayChange reports whether a changed rule can match a packet of the flow.
func mayChange(res *Result, d ruleDiff) bool {
	return slices.ContainsFunc(d, func(r *compiledRule) bool { return mayMatch(res, r) })
}

// mayMatch reports whether r can match a packet of the flow: its
// protocol, sources, destinations and, for TCP and UDP, its ports meet the
// flow's. Ports narrow only TCP and UDP flows; for the other protocols the
// test keeps to the protocol, whatever the engine makes of their ports.
func mayMatch(res *Result, r *compiledRule) bool {
	f := res.Flow
	if protocolSet(r.rule.Protocol)&protocolSet(f.Protocol) == 0 {
		return false
	}
	if (f.Protocol == topology.Tcp || f.Protocol == topology.Udp) &&
		(!r.dstPorts.Contains(Point(f.Port)) || !meetsRanges(r.srcPorts, f.SourcePorts)) {
		return false
	}
	return meets(r.src, res.Source) && meets(r.dst, res.Dest)
}

// meetsRanges reports whether s and the port ranges rs have a port in
// common: meets(s, PortSet(rs)), without making the set.
func meetsRanges(s Set, rs []topology.PortRange) bool {
	for _, r := range rs {
		if meets(s, Set{[]span{{Point(r.Lo), Point(r.Hi)}}}) {
			return true
		}
	}
	return false
}

// repointed returns res with its hops at the named NSGs pointing at the
// edited NSG and its rules. The copy's hops share one new array.
func repointed(res *Result, names map[string]bool, nsgs map[string]*topology.NetworkSecurityGroup, remap map[*topology.SecurityRule]*topology.SecurityRule) *Result {
	c := *res
	c.Segments = slices.Clone(res.Segments)
	n := 0
	for i := range c.Segments {
		n += len(c.Segments[i].Hops)
	}
	hops := make([]Hop, 0, n)
	for i := range c.Segments {
		sg := &c.Segments[i]
		start := len(hops)
		for _, h := range sg.Hops {
			if names[h.NSG.Name] {
				h.NSG = nsgs[h.NSG.Name]
				if r, ok := remap[h.Rule]; ok {
					h.Rule = r
				}
			}
			hops = append(hops, h)
		}
		sg.Hops = hops[start:len(hops):len(hops)]
	}
	c.Verdict, c.Hops = summarize(c.Segments)
	return &c
}

// sameResult reports whether two results of a flow decide alike: the same
// verdict, and segments with the same addresses, source ports, access and
// deciding rules (by NSG, place and name), in the same order.
func sameResult(a, b *Result) bool {
	if a.Verdict != b.Verdict || len(a.Segments) != len(b.Segments) {
		return false
	}
	for i := range a.Segments {
		x, y := &a.Segments[i], &b.Segments[i]
		if x.Access != y.Access || len(x.Hops) != len(y.Hops) ||
			!x.Source.Equal(y.Source) || !x.SourcePorts.Equal(y.SourcePorts) || !x.Destination.Equal(y.Destination) {
			return false
		}
		for j := range x.Hops {
			h, k := x.Hops[j], y.Hops[j]
			if h.NSG.Name != k.NSG.Name || h.At != k.At || h.Direction != k.Direction || h.Rule.Name != k.Rule.Name {
				return false
			}
		}
	}
	return true
}
