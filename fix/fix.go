package fix

import (
	"fmt"
	"net/netip"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/nsgsim/nsgsim/sim"
	"github.com/nsgsim/nsgsim/topology"
)

// Plan is what Compute proposes: the rules to add, the patched topology, and
// what the fix could not do.
type Plan struct {
	Original *topology.Topology
	Patched  *topology.Topology // Original plus the added rules
	Added    []Addition         // in the order they were chosen
	// Moves are existing rules whose priority the fix raises to make room
	// for a rule before them, when no priority is free there (a Deny at
	// 100). The rules keep their order; nothing else about them changes.
	Moves []Move
	// Expectations are the expectations of the patched topology that the
	// fix rewrote: they asserted the verdict of a flow the fix changes
	// (a scenario asserting the Deny it teaches), and now assert the new one.
	Expectations []ExpectationChange
	// Notes say what is left: flows still blocked, checks still failing,
	// verdicts an addition changes.
	Notes  []string
	Before *sim.Report
	After  *sim.Report
}

// ExpectationChange is an expectation the fix rewrote.
type ExpectationChange struct {
	Flow     string
	From, To topology.Verdict
}

// Move raises the priority number of an existing rule.
type Move struct {
	NSG      string
	Rule     *topology.SecurityRule // the rule as patched, with priority To
	From, To int
}

// Addition is one security rule to add to an NSG.
type Addition struct {
	NSG    string
	Rule   *topology.SecurityRule
	Reason string // why: the finding or the blocked flow it fixes
}

// OK reports whether the patched topology has no blocked required flow and
// no failing explicit-rule check.
func (p *Plan) OK() bool {
	return p.After.Summary.RequiredBlocked == 0 && len(failingChecks(p.After.Engine)) == 0
}

// maxRounds bounds the rounds of Compute: each round fixes the explicit-rule
// checks, or the NSGs that block the required flows, one NSG further along
// each path (a subnet NSG, then a NIC NSG behind it).
const maxRounds = 8

// Compute finds the smallest set of rules to add to t (one rule per
// documented rule that is missing, one per NSG that blocks required flows)
// so that every required flow passes and every NSG on AzureBastionSubnet has
// its explicit rules, at priorities that change no other verdict.
//
// t is simulated once in full. Each candidate placement is then simulated
// incrementally (sim.Engine.Revise): only the flows that cross the NSG it
// changes, and that the new rule or the rules it moves can match, are
// evaluated again; the findings are computed once, for the patched
// topology.
//
// Proposals for different NSGs that no flow depends on together are placed
// at once (placeTogether), which gives the plan placing them one at a time
// would.
func Compute(t *topology.Topology) (*Plan, error) { return compute(t, true) }

// compute is Compute; together says whether proposals may be placed at
// once (the tests compare with one at a time).
func compute(t *topology.Topology, together bool) (*Plan, error) {
	before, err := sim.Simulate(t)
	if err != nil {
		return nil, err
	}
	p := &planner{cur: t, eng: before.Engine, results: before.Results, intended: intendedFlows(before)}
	for range maxRounds {
		props := checkProposals(p.cur, p.eng)
		if len(props) == 0 {
			props = flowProposals(p.cur, p.results, p.intended)
		}
		if len(props) == 0 {
			break
		}
		progress := false
		for i := 0; i < len(props); {
			if together {
				n, err := p.placeTogether(props[i:])
				if err != nil {
					return nil, err
				}
				if n > 0 {
					progress = true
					i += n
					continue
				}
			}
			ok, err := p.place(props[i])
			if err != nil {
				return nil, err
			}
			progress = progress || ok
			i++
		}
		if !progress {
			break
		}
	}
	plan := &Plan{Original: t, Patched: p.cur, Added: p.added, Moves: p.moves, Notes: p.notes, Before: before}
	plan.rewriteExpectations(p.results)
	if plan.Patched == t {
		plan.After = before
	} else {
		// The patched topology differs from the last one simulated in its
		// expectations at most: no flow is evaluated again.
		rev, err := p.eng.Revise(p.results, plan.Patched)
		if err != nil {
			return nil, err
		}
		if plan.After, err = rev.Report(); err != nil {
			return nil, err
		}
	}
	for _, c := range failingChecks(plan.After.Engine) {
		plan.Notes = append(plan.Notes, fmt.Sprintf("%s on %s still lacks an effective %s", c.NSG.Name, c.At(), c.Rule.Name))
	}
	for _, r := range plan.After.Results {
		if r.BlockedUnintended() && r.Flow.Requirement == topology.Required {
			plan.Notes = append(plan.Notes, fmt.Sprintf("required flow %s is still %s: %s", r.Flow.ID, r.Verdict, sim.HopsText(r.Hops)))
		}
	}
	return plan, nil
}

// rewriteExpectations makes the patched topology's expectations assert the
// new verdict of every flow the fix changed, given the patched topology's
// results.
func (p *Plan) rewriteExpectations(results []*sim.Result) {
	before := make(map[string]topology.Verdict)
	for _, r := range p.Before.Results {
		before[r.Flow.ID] = r.Verdict
	}
	after := make(map[string]topology.Verdict)
	for _, r := range results {
		after[r.Flow.ID] = r.Verdict
	}
	var exps []*topology.Expectation
	changed := false
	for _, x := range p.Patched.Expectations {
		v, ok := after[x.Flow]
		if ok && v != before[x.Flow] && x.Verdict != v {
			nx := *x
			nx.Verdict = v
			p.Expectations = append(p.Expectations, ExpectationChange{Flow: x.Flow, From: x.Verdict, To: v})
			x, changed = &nx, true
		}
		exps = append(exps, x)
	}
	if !changed {
		return
	}
	t := *p.Patched
	t.Expectations = exps
	p.Patched = &t
}

func failingChecks(e *sim.Engine) []sim.RuleCheck {
	var out []sim.RuleCheck
	for _, c := range e.BastionRuleChecks() {
		if !c.OK() {
			out = append(out, c)
		}
	}
	return out
}

// proposal is a rule to add to one NSG, in one or more shapes, best first.
type proposal struct {
	nsg    string
	shapes []*topology.SecurityRule
	reason string
}

// planner is the state of Compute: the topology patched so far, its
// engine and flow results (without findings), and what it changed.
type planner struct {
	cur     *topology.Topology
	eng     *sim.Engine
	results []*sim.Result
	// intended are the flows that t's expectations mark as blocked by
	// intent (sim.Result.Intended): the fix leaves them alone.
	intended map[string]bool
	added    []Addition
	moves    []Move
	notes    []string
}

// intendedFlows returns the IDs of the flows of r blocked by intent.
func intendedFlows(r *sim.Report) map[string]bool {
	out := make(map[string]bool)
	for _, res := range r.Results {
		if res.Intended {
			out[res.Flow.ID] = true
		}
	}
	return out
}

// place adds one proposal at the first shape and priority that change no
// verdict but those of the blocked required and recommended flows. It
// reports whether it added a rule.
func (p *planner) place(pr proposal) (bool, error) {
	type tried struct {
		t       *topology.Topology
		rev     *sim.Revision
		pl      placement
		changed []string
	}
	var first *tried
	for _, shape := range pr.shapes {
		pls, err := p.placements(p.cur, pr, shape, -1)
		if err != nil {
			return false, err
		}
		for _, pl := range pls {
			t := pl.apply(p.cur)
			rev, err := p.eng.Revise(p.results, t, pr.nsg)
			if err != nil {
				return false, err
			}
			changed := changedVerdicts(p.results, rev, p.intended)
			if len(changed) == 0 {
				p.accept(t, rev, pl)
				return true, nil
			}
			if first == nil {
				first = &tried{t, rev, pl, changed}
			}
		}
	}
	if first == nil {
		p.notes = append(p.notes, fmt.Sprintf("no priority in %s can come before the Deny rules that block it: %s", pr.nsg, pr.reason))
		return false, nil
	}
	p.notes = append(p.notes, fmt.Sprintf("rule %q added to %s also changes %s", first.pl.rule.Name, pr.nsg, strings.Join(first.changed, "; ")))
	p.accept(first.t, first.rev, first.pl)
	return true, nil
}

// placeTogether places a run of proposals at the start of props all at
// once, each at its first placement, when that gives what placing them one
// at a time (place) would. The run goes on while each proposal has a
// placement and, when its NSG already has one in the run, neither moves
// rules and the rules placed there before it meet none of its shapes: its
// placement in the NSG as the run leaves it is then the one place would
// find (the same Deny rules block it, the same priorities are free). The
// run is placed when every flow it changes is changed by one proposal
// alone (sim.Revision's Causes), so that each proposal changes what it
// alone would, and no verdict changes that should not. When that fails,
// the part of the run before the first proposal to blame is tried once.
// It returns how many proposals it placed: none, or two or more.
func (p *planner) placeTogether(props []proposal) (int, error) {
	var run []placement
	byNSG := make(map[string][]placement)
	t := p.cur
	for _, pr := range props {
		earlier := byNSG[pr.nsg]
		if len(earlier) > 0 && !p.apart(pr, earlier) {
			break
		}
		pl, ok, err := p.firstPlacement(t, pr)
		if err != nil {
			return 0, err
		}
		if !ok || len(earlier) > 0 && len(pl.moves) > 0 {
			break
		}
		byNSG[pr.nsg] = append(earlier, pl)
		run = append(run, pl)
		t = pl.apply(t)
	}
	for try := 0; try < 2 && len(run) >= 2; try++ {
		keep, err := p.placeRun(run)
		if err != nil || keep == len(run) {
			return keep, err
		}
		run = run[:keep]
	}
	return 0, nil
}

// placeRun places the placements of run at once if that is what placing
// them one at a time would do (see placeTogether), and returns len(run);
// or, when it is not, places nothing and returns the length of the part
// of run before the first placement that a flow's change is to blame on.
func (p *planner) placeRun(run []placement) (int, error) {
	t := p.cur
	var names []string
	owner := make(map[sim.Cause]int) // an added rule → its placement in run
	byNSG := make(map[string][]int)
	for i, pl := range run {
		t = pl.apply(t)
		if !slices.Contains(names, pl.pr.nsg) {
			names = append(names, pl.pr.nsg)
		}
		owner[sim.Cause{NSG: pl.pr.nsg, Rule: pl.rule.Name}] = i
		byNSG[pl.pr.nsg] = append(byNSG[pl.pr.nsg], i)
	}
	rev, err := p.eng.Revise(p.results, t, names...)
	if err != nil || rev.Causes == nil {
		return 0, err
	}
	// blame returns the placements that can have changed flow i.
	blame := func(i int) []int {
		var out []int
		for _, c := range rev.Causes[i] {
			if k, ok := owner[c]; ok {
				out = append(out, k)
			} else {
				out = append(out, byNSG[c.NSG]...) // a rule placed here moved
			}
		}
		slices.Sort(out)
		return slices.Compact(out)
	}
	keep := len(run)
	for i := range rev.Causes {
		if b := blame(i); len(b) > 1 {
			keep = min(keep, b[1])
		}
	}
	for _, i := range unwantedChanges(p.results, rev, p.intended) {
		if b := blame(i); len(b) > 0 {
			keep = min(keep, b[0])
		}
	}
	if keep < len(run) {
		return keep, nil
	}
	for _, pl := range run {
		p.record(pl)
	}
	p.cur, p.eng, p.results = t, rev.Engine, rev.Results
	return len(run), nil
}

// apart reports whether no rule placed earlier in its NSG, and no rule
// they move, can match a packet of any shape of pr.
func (p *planner) apart(pr proposal, earlier []placement) bool {
	for _, pl := range earlier {
		if len(pl.moves) > 0 {
			return false
		}
		for _, shape := range pr.shapes {
			if p.eng.RulesMeet(pr.nsg, pl.rule, shape) {
				return false
			}
		}
	}
	return true
}

// placement is one way to add a proposal's rule: the rule, named and
// given its priority, and the existing rules moved to make room for it.
type placement struct {
	pr    proposal
	rule  *topology.SecurityRule
	moves []Move
}

// apply returns a copy of t with the placement made.
func (pl placement) apply(t *topology.Topology) *topology.Topology {
	for _, m := range pl.moves {
		t = withPriority(t, m)
	}
	return withRule(t, pl.pr.nsg, pl.rule)
}

// placements returns the placements of one shape of pr in topology t (the
// current one, or the current one with rules placed since whose boxes
// do not meet the shape's, so that the engine's Blockers still hold), best
// first: a priority in each gap between the rules before
// the first Deny that would take its traffic (slots), or, when there is
// none, that Deny's priority with the rules from there moved up by one
// (makeRoom). limit, when not negative, is the most it returns.
func (p *planner) placements(t *topology.Topology, pr proposal, shape *topology.SecurityRule, limit int) ([]placement, error) {
	nsg := t.NetworkSecurityGroupByName(pr.nsg)
	if nsg == nil {
		return nil, fmt.Errorf("fix: network security group %q not found", pr.nsg)
	}
	bound := 4097 // after every custom rule: priorities go up to 4096
	if bl := p.eng.Blockers(pr.nsg, shape); len(bl) > 0 {
		bound = bl[0].Priority
	}
	name := uniqueName(nsg, shape.Name)
	at := func(prio int, moves []Move) placement {
		r := *shape
		r.Name = name
		r.Priority = prio
		return placement{pr, &r, moves}
	}
	var out []placement
	for _, prio := range slots(nsg, shape.Direction, bound) {
		if len(out) == limit {
			break
		}
		out = append(out, at(prio, nil))
	}
	if len(out) == 0 {
		if moves, ok := makeRoom(nsg, shape.Direction, bound); ok {
			out = append(out, at(bound, moves))
		}
	}
	return out, nil
}

// firstPlacement returns the placement place would try first in t, if
// there is one.
func (p *planner) firstPlacement(t *topology.Topology, pr proposal) (placement, bool, error) {
	for _, shape := range pr.shapes {
		pls, err := p.placements(t, pr, shape, 1)
		if err != nil {
			return placement{}, false, err
		}
		if len(pls) > 0 {
			return pls[0], true, nil
		}
	}
	return placement{}, false, nil
}

// accept makes t, simulated as rev, the current topology, with pl placed.
func (p *planner) accept(t *topology.Topology, rev *sim.Revision, pl placement) {
	p.cur, p.eng, p.results = t, rev.Engine, rev.Results
	p.record(pl)
}

// record notes a placed rule and the moves it took.
func (p *planner) record(pl placement) {
	p.added = append(p.added, Addition{NSG: pl.pr.nsg, Rule: pl.rule, Reason: pl.pr.reason})
	for _, m := range pl.moves {
		// A rule added earlier is moved where it is added; a rule moved
		// twice keeps one Move, from its original priority.
		merged := false
		for i := range p.added {
			if p.added[i].NSG == m.NSG && p.added[i].Rule.Name == m.Rule.Name {
				p.added[i].Rule = m.Rule
				merged = true
			}
		}
		for i := range p.moves {
			if p.moves[i].NSG == m.NSG && p.moves[i].Rule.Name == m.Rule.Name {
				p.moves[i].To, p.moves[i].Rule = m.To, m.Rule
				merged = true
			}
		}
		if !merged {
			p.moves = append(p.moves, m)
		}
	}
}

// makeRoom frees priority bound in nsg for a new rule of direction dir when
// every priority before it is taken: the rules at bound, bound+1, ... up to
// the first free priority each move up by one, keeping their order. It
// fails when that run reaches 4096 or bound is past 4096.
func makeRoom(nsg *topology.NetworkSecurityGroup, dir topology.Direction, bound int) ([]Move, bool) {
	if bound > 4096 {
		return nil, false
	}
	at := make(map[int]*topology.SecurityRule)
	for _, r := range nsg.SecurityRules {
		if r.Direction == dir {
			at[r.Priority] = r
		}
	}
	var moves []Move
	for q := bound; at[q] != nil; q++ {
		if q+1 > 4096 {
			return nil, false
		}
		moved := *at[q]
		moved.Priority = q + 1
		moves = append(moves, Move{NSG: nsg.Name, Rule: &moved, From: q, To: q + 1})
	}
	// Apply the last first, so no two rules share a priority on the way.
	slices.Reverse(moves)
	return moves, true
}

// withPriority returns a copy of t in which m's rule has its new priority.
func withPriority(t *topology.Topology, m Move) *topology.Topology {
	c := *t
	c.NetworkSecurityGroups = slices.Clone(t.NetworkSecurityGroups)
	for i, g := range c.NetworkSecurityGroups {
		if g == nil || g.Name != m.NSG {
			continue
		}
		ng := *g
		ng.SecurityRules = slices.Clone(g.SecurityRules)
		for j, r := range ng.SecurityRules {
			if r.Name == m.Rule.Name && r.Direction == m.Rule.Direction {
				ng.SecurityRules[j] = m.Rule
			}
		}
		c.NetworkSecurityGroups[i] = &ng
	}
	return &c
}

// changedVerdicts lists the flows whose verdict changed from the results
// old to the revision rev, except required and recommended flows that
// became less blocked (and were not blocked by intent: fix leaves those
// alone). Only the flows the revision changed can have.
func changedVerdicts(old []*sim.Result, rev *sim.Revision, intended map[string]bool) []string {
	var out []string
	for _, i := range unwantedChanges(old, rev, intended) {
		out = append(out, fmt.Sprintf("%s from %s to %s", rev.Results[i].Flow.ID, old[i].Verdict, rev.Results[i].Verdict))
	}
	return out
}

// unwantedChanges returns the indexes of the flows changedVerdicts lists.
func unwantedChanges(old []*sim.Result, rev *sim.Revision, intended map[string]bool) []int {
	rank := map[topology.Verdict]int{topology.VerdictDeny: 0, topology.VerdictPartial: 1, topology.VerdictAllow: 2}
	var out []int
	for _, i := range rev.Changed {
		r := rev.Results[i]
		if i >= len(old) || old[i].Flow.ID != r.Flow.ID {
			continue // a flow new to the revision
		}
		v := old[i].Verdict
		if v == r.Verdict {
			continue
		}
		wanted := r.Flow.Requirement != topology.Optional && rank[r.Verdict] > rank[v] && !intended[r.Flow.ID]
		if !wanted {
			out = append(out, i)
		}
	}
	return out
}

// slots returns the priorities a new rule of direction dir may take in nsg,
// before bound: one per gap between the existing custom rules, the latest
// gap first, each the first multiple of 10 in the gap if there is one. All
// priorities in one gap are equivalent: only the order of rules matters.
func slots(nsg *topology.NetworkSecurityGroup, dir topology.Direction, bound int) []int {
	used := []int{99} // priorities start at 100
	for _, r := range nsg.SecurityRules {
		if r.Direction == dir && r.Priority < bound {
			used = append(used, r.Priority)
		}
	}
	sort.Ints(used)
	hi := min(bound, 4097)
	var out []int
	for i := len(used) - 1; i >= 0; i-- {
		lo := used[i]
		if p := (lo/10 + 1) * 10; p < hi {
			out = append(out, p)
		} else if lo+1 < hi {
			out = append(out, (lo+hi)/2)
		}
		hi = lo
	}
	return out
}

// withRule returns a copy of t with r added to NSG nsg, before the first
// rule of the same direction with a higher priority (so a list kept in
// priority order stays so), or after the last rule of its direction. t is
// not changed.
func withRule(t *topology.Topology, nsg string, r *topology.SecurityRule) *topology.Topology {
	c := *t
	c.NetworkSecurityGroups = make([]*topology.NetworkSecurityGroup, len(t.NetworkSecurityGroups))
	for i, g := range t.NetworkSecurityGroups {
		c.NetworkSecurityGroups[i] = g
		if g == nil || g.Name != nsg {
			continue
		}
		ng := *g
		at, lastSame := -1, -1
		for j, x := range g.SecurityRules {
			if x.Direction != r.Direction {
				continue
			}
			lastSame = j
			if at < 0 && x.Priority > r.Priority {
				at = j
			}
		}
		switch {
		case at < 0 && lastSame >= 0:
			at = lastSame + 1
		case at < 0:
			at = len(g.SecurityRules)
		}
		ng.SecurityRules = slices.Insert(slices.Clone(g.SecurityRules), at, r)
		c.NetworkSecurityGroups[i] = &ng
	}
	return &c
}

// uniqueName returns name, or name with a suffix, so that no rule of nsg has
// it (names compare case-insensitively in Azure).
func uniqueName(nsg *topology.NetworkSecurityGroup, name string) string {
	taken := func(n string) bool {
		for _, r := range nsg.SecurityRules {
			if strings.EqualFold(r.Name, n) {
				return true
			}
		}
		return false
	}
	if !taken(name) {
		return name
	}
	for i := 2; ; i++ {
		if n := fmt.Sprintf("%s-%d", name, i); !taken(n) {
			return n
		}
	}
}

// anyPorts is "*" on a port side.
var anyPorts = []topology.PortRange{topology.AllPorts}

func portRanges(ports []uint16) []topology.PortRange {
	ps := slices.Clone(ports)
	slices.Sort(ps)
	ps = slices.Compact(ps)
	out := make([]topology.PortRange, len(ps))
	for i, p := range ps {
		out[i] = topology.PortRange{Lo: p, Hi: p}
	}
	return out
}

// tableSide reads a side of the documentation's table: "*" or a tag.
func tableSide(s string) topology.Addresses {
	if s == "*" {
		return topology.Addresses{Any: true}
	}
	return topology.Addresses{Tag: s}
}

// documented makes the documented rule br with the given ports.
func documented(br sim.BastionRule, ports []uint16) *topology.SecurityRule {
	return &topology.SecurityRule{
		Name: br.Name, Description: "Azure Bastion: " + br.Purpose,
		Direction: br.Direction, Access: topology.Allow, Protocol: br.Protocol,
		Source: tableSide(br.Source), SourcePorts: anyPorts,
		Destination: tableSide(br.Destination), DestinationPorts: portRanges(ports),
	}
}

func bastionRule(name string) sim.BastionRule {
	for _, br := range sim.BastionRules() {
		if br.Name == name {
			return br
		}
	}
	panic("fix: no documented rule " + name)
}

// checkProposals proposes the documented rules that the explicit-rule check
// finds missing or preceded by a Deny (NSG001, NSG002).
func checkProposals(t *topology.Topology, e *sim.Engine) []proposal {
	var out []proposal
	for _, c := range failingChecks(e) {
		ports := slices.Clone(c.Missing)
		for _, p := range c.Preceded {
			ports = append(ports, p.Port)
		}
		r := documented(c.Rule, ports)
		switch c.Rule.Name {
		case "AllowHttpsInbound":
			r.Source = httpsSource(t, c.VirtualNetwork)
		case "AllowSshRdpOutbound":
			r.DestinationPorts = portRanges(append(ports, customPorts(t, c.VirtualNetwork)...))
		}
		why := "missing explicit rule (NSG001)"
		if len(c.Missing) == 0 {
			why = fmt.Sprintf("explicit rule preceded by %s (NSG002)", c.Preceded[0].Denies[0].Name)
		}
		out = append(out, proposal{c.NSG.Name, []*topology.SecurityRule{r},
			fmt.Sprintf("%s on %s: %s", c.Rule.Name, c.At(), why)})
	}
	return out
}

// hostsIn returns the dedicated Bastion hosts of a VNet.
func hostsIn(t *topology.Topology, vnet string) []*topology.BastionHost {
	var out []*topology.BastionHost
	for _, b := range t.BastionHosts {
		if b.VirtualNetwork == vnet && b.SKU != topology.Developer {
			out = append(out, b)
		}
	}
	return out
}

// customPorts returns the custom ports of the Standard and Premium Bastion
// hosts of a VNet.
func customPorts(t *topology.Topology, vnet string) []uint16 {
	var out []uint16
	for _, b := range hostsIn(t, vnet) {
		if b.SKU == topology.Standard || b.SKU == topology.Premium {
			out = append(out, b.CustomPorts...)
		}
	}
	return out
}

// httpsSource is the source of AllowHttpsInbound for a VNet's Bastion: the
// declared clients' ranges, or Internet (VirtualNetwork for a private-only
// Bastion) when a client is a tag or none is declared.
func httpsSource(t *topology.Topology, vnet string) topology.Addresses {
	tag := topology.TagInternet
	for _, b := range hostsIn(t, vnet) {
		if b.EnablePrivateOnlyBastion {
			tag = topology.TagVirtualNetwork
		}
	}
	var ps []netip.Prefix
	for _, c := range t.Clients {
		if c.Tag != "" {
			return topology.Addresses{Tag: c.Tag}
		}
		ps = append(ps, c.AddressPrefixes...)
	}
	if len(ps) == 0 {
		return topology.Addresses{Tag: tag}
	}
	return topology.Addresses{Prefixes: sim.PrefixesSet(ps).Prefixes()}
}

// flowProposals proposes, for each NSG that blocks part of a required flow,
// one rule that lets the blocked parts through.
func flowProposals(t *topology.Topology, results []*sim.Result, intended map[string]bool) []proposal {
	type gateKey struct {
		nsg string
		dir topology.Direction
	}
	builders := make(map[gateKey]*builder)
	var order []gateKey
	var idx *topology.Index // by name, once, when a flow is blocked: it looks up its Bastion host, VM and client
	for _, r := range results {
		if !r.Blocked() || intended[r.Flow.ID] || r.Flow.Requirement != topology.Required {
			continue
		}
		// The denied segments of this flow, by the hop that denied them.
		byAt := make(map[string][]*sim.Segment)
		var ats []string
		var keys []gateKey
		for i := range r.Segments {
			sg := &r.Segments[i]
			if sg.Access != topology.Deny || len(sg.Hops) == 0 {
				continue
			}
			h := sg.Hops[len(sg.Hops)-1]
			if _, ok := byAt[h.At]; !ok {
				ats = append(ats, h.At)
				keys = append(keys, gateKey{h.NSG.Name, h.Direction})
			}
			byAt[h.At] = append(byAt[h.At], sg)
		}
		for i, at := range ats {
			k := keys[i]
			b := builders[k]
			if b == nil {
				if idx == nil {
					idx = topology.NewIndex(t)
				}
				b = &builder{t: t, idx: idx, nsg: k.nsg, dir: k.dir}
				builders[k] = b
				order = append(order, k)
			}
			b.add(r, byAt[at], at)
		}
	}
	var out []proposal
	for _, k := range order {
		out = append(out, builders[k].proposals()...)
	}
	return out
}

// builder gathers the blocked flows of one NSG and direction into rules.
type builder struct {
	t   *topology.Topology
	idx *topology.Index
	nsg string
	dir topology.Direction
	ats []string // where the NSG blocked the flows: "subnet spoke/sql"

	doc       map[string]*topology.SecurityRule // documented rules by name
	docOrder  []string
	docFlows  map[string][]string
	vm        *vmRule // Bastion → VM over SSH, RDP or a custom port
	developer *vmRule // Bastion Developer → VM
	generic   []proposal
}

// vmRule gathers Bastion → VM flows into one rule: from the Bastion
// subnets (or 168.63.129.16) to the VMs' subnets, on the ports.
type vmRule struct {
	src, dstSubnets, dstVMs []netip.Prefix
	ports                   []uint16
	flows                   []string
}

func (b *builder) add(r *sim.Result, segs []*sim.Segment, at string) {
	if !slices.Contains(b.ats, at) {
		b.ats = append(b.ats, at)
	}
	f := r.Flow
	bastion := b.idx.BastionHosts[f.Bastion]
	switch {
	case bastion != nil && bastion.SKU == topology.Developer:
		b.vmFlow(&b.developer, f, netip.MustParsePrefix("168.63.129.16/32")) // the Developer SKU's source address
	case bastion != nil && at == "subnet "+bastion.VirtualNetwork+"/"+topology.BastionSubnetName:
		b.docFlow(f, bastion)
	case bastion != nil && f.Kind.ReachesVM():
		if s := b.idx.Subnets[[2]string{bastion.VirtualNetwork, topology.BastionSubnetName}]; s != nil {
			b.vmFlow(&b.vm, f, s.AddressPrefix)
		}
	default:
		b.genericFlow(r, segs, at)
	}
}

func (b *builder) vmFlow(into **vmRule, f *sim.Flow, src netip.Prefix) {
	vm := b.idx.VirtualMachines[f.Target]
	if vm == nil {
		return
	}
	v := *into
	if v == nil {
		v = &vmRule{}
		*into = v
	}
	v.src = appendPrefix(v.src, src)
	if s := b.idx.Subnets[[2]string{vm.VirtualNetwork, vm.Subnet}]; s != nil {
		v.dstSubnets = appendPrefix(v.dstSubnets, s.AddressPrefix)
	}
	v.dstVMs = appendPrefix(v.dstVMs, netip.PrefixFrom(vm.PrivateIPAddress, 32))
	v.ports = append(v.ports, f.Port)
	v.flows = append(v.flows, f.ID)
}

func appendPrefix(ps []netip.Prefix, p netip.Prefix) []netip.Prefix {
	if slices.Contains(ps, p) {
		return ps
	}
	return append(ps, p)
}

// docFlow maps a flow blocked at the AzureBastionSubnet NSG to the
// documented rule that carries it.
func (b *builder) docFlow(f *sim.Flow, bastion *topology.BastionHost) {
	name := ""
	switch f.Kind {
	case sim.KindClientHTTPS:
		name = "AllowHttpsInbound"
	case sim.KindGatewayManagerHTTPS:
		name = "AllowGatewayManagerInbound"
	case sim.KindLoadBalancerHTTPS:
		name = "AllowAzureLoadBalancerInbound"
	case sim.KindDataplane8080, sim.KindDataplane5701:
		name = "AllowBastionCommunication"
		if b.dir == topology.Inbound {
			name = "AllowBastionHostCommunication"
		}
	case sim.KindAzureCloudHTTPS:
		name = "AllowAzureCloudOutbound"
	case sim.KindInternetHTTP:
		name = "AllowHttpOutbound"
	case sim.KindSSH, sim.KindRDP:
		name = "AllowSshRdpOutbound"
	default:
		if _, ok := f.Kind.CustomPort(); ok {
			name = "AllowSshRdpOutbound"
		}
	}
	if name == "" {
		return
	}
	if b.doc == nil {
		b.doc, b.docFlows = make(map[string]*topology.SecurityRule), make(map[string][]string)
	}
	br := bastionRule(name)
	r := b.doc[name]
	if r == nil {
		r = documented(br, br.Ports)
		if name == "AllowHttpsInbound" {
			r.Source = topology.Addresses{}
		}
		if name == "AllowSshRdpOutbound" {
			r.DestinationPorts = nil
		}
		b.doc[name] = r
		b.docOrder = append(b.docOrder, name)
	}
	b.docFlows[name] = append(b.docFlows[name], f.ID)
	switch name {
	case "AllowHttpsInbound":
		r.Source = b.clientSource(r.Source, f.Target)
	case "AllowSshRdpOutbound":
		r.DestinationPorts = mergePorts(r.DestinationPorts, f.Port)
		if !hasPort(r.DestinationPorts, 22) && !hasPort(r.DestinationPorts, 3389) {
			r.Name = "AllowBastionCustomPortsOutbound"
		} else {
			r.Name = name
		}
	}
}

func hasPort(rs []topology.PortRange, p uint16) bool {
	for _, r := range rs {
		if r.Contains(p) {
			return true
		}
	}
	return false
}

// clientSource widens an AllowHttpsInbound source with one client.
func (b *builder) clientSource(cur topology.Addresses, client string) topology.Addresses {
	c := b.idx.Clients[client]
	switch {
	case cur.Tag != "":
		return cur
	case c == nil:
		// A default client: Internet, or VirtualNetwork for private-only.
		return topology.Addresses{Tag: client}
	case c.Tag != "":
		return topology.Addresses{Tag: c.Tag}
	}
	ps := append(slices.Clone(cur.Prefixes), c.AddressPrefixes...)
	return topology.Addresses{Prefixes: sim.PrefixesSet(ps).Prefixes()}
}

func mergePorts(rs []topology.PortRange, port uint16) []topology.PortRange {
	var ports []uint16
	for _, r := range rs {
		ports = append(ports, r.Lo)
	}
	return portRanges(append(ports, port))
}

// genericFlow makes a rule for a user flow: the flow's protocol and port,
// from its blocked sources to its blocked destinations.
func (b *builder) genericFlow(r *sim.Result, segs []*sim.Segment, at string) {
	f := r.Flow
	var src, dst sim.Set
	for _, s := range segs {
		src, dst = src.Union(s.Source), dst.Union(s.Destination)
	}
	rule := &topology.SecurityRule{
		Name:        "Allow-" + ruleNameOf(f.ID),
		Description: "Required flow " + f.ID,
		Direction:   b.dir, Access: topology.Allow, Protocol: f.Protocol,
		Source: sideFor(f.Source, src), SourcePorts: anyPorts,
		Destination: sideFor(f.Destination, dst), DestinationPorts: portRanges([]uint16{f.Port}),
	}
	if rule.Source.Tag == "" && !rule.Source.Any && len(rule.Source.Prefixes) == 0 ||
		rule.Destination.Tag == "" && !rule.Destination.Any && len(rule.Destination.Prefixes) == 0 {
		return
	}
	b.generic = append(b.generic, proposal{b.nsg, []*topology.SecurityRule{rule},
		fmt.Sprintf("required flow %s is blocked by %s at %s", f.ID, b.nsg, at)})
}

// sideFor writes an endpoint's blocked addresses as a rule side: its tag
// for a service tag, else its IPv4 prefixes.
func sideFor(ep sim.Endpoint, s sim.Set) topology.Addresses {
	if ep.Kind == sim.EndpointServiceTag {
		return topology.Addresses{Tag: ep.Name}
	}
	return topology.Addresses{Prefixes: s.Prefixes()}
}

var badNameChars = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// ruleNameOf turns a flow ID into a rule name: word characters, '.', '-'
// and '_', ending with a word character, at most 80 characters.
func ruleNameOf(id string) string {
	s := badNameChars.ReplaceAllString(id, "-")
	if len(s) > 70 {
		s = s[:70]
	}
	return strings.TrimRight(s, ".-")
}

func (b *builder) proposals() []proposal {
	var out []proposal
	for _, name := range b.docOrder {
		r := b.doc[name]
		out = append(out, proposal{b.nsg, []*topology.SecurityRule{r},
			fmt.Sprintf("%s blocked at %s (%s)", listFlows(b.docFlows[name]), strings.Join(b.ats, ", "), name)})
	}
	for _, v := range []struct {
		r    *vmRule
		name string
		what string
	}{
		{b.vm, "AllowSshRdpFromBastion", "SSH/RDP from the AzureBastionSubnet range"},
		{b.developer, "AllowSshRdpFromBastionDeveloper", "SSH/RDP from 168.63.129.16 (Bastion Developer)"},
	} {
		if v.r == nil {
			continue
		}
		if !slices.Contains(v.r.ports, 22) && !slices.Contains(v.r.ports, 3389) {
			v.name = strings.Replace(v.name, "SshRdp", "CustomPorts", 1)
			v.what = strings.Replace(v.what, "SSH/RDP", "custom ports", 1)
		}
		mk := func(dst []netip.Prefix) *topology.SecurityRule {
			return &topology.SecurityRule{
				Name: v.name, Description: "Azure Bastion: " + v.what,
				Direction: topology.Inbound, Access: topology.Allow, Protocol: topology.Tcp,
				Source: topology.Addresses{Prefixes: sortedPrefixes(v.r.src)}, SourcePorts: anyPorts,
				Destination: topology.Addresses{Prefixes: sortedPrefixes(dst)}, DestinationPorts: portRanges(v.r.ports),
			}
		}
		shapes := []*topology.SecurityRule{mk(v.r.dstSubnets)}
		if !slices.Equal(sortedPrefixes(v.r.dstSubnets), sortedPrefixes(v.r.dstVMs)) {
			shapes = append(shapes, mk(v.r.dstVMs))
		}
		out = append(out, proposal{b.nsg, shapes, fmt.Sprintf("%s blocked at %s", listFlows(v.r.flows), strings.Join(b.ats, ", "))})
	}
	return append(out, b.generic...)
}

func sortedPrefixes(ps []netip.Prefix) []netip.Prefix {
	return sim.PrefixesSet(ps).Prefixes()
}

func listFlows(ids []string) string {
	if len(ids) > 3 {
		return strings.Join(ids[:3], ", ") + fmt.Sprintf(" and %d more", len(ids)-3)
	}
	return strings.Join(ids, ", ")
}
