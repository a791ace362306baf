package sim

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/nsgsim/nsgsim/scenarios"
	"github.com/nsgsim/nsgsim/topology"
)

// TestReviseScenarios edits the NSGs of every built-in scenario at random,
// a chain of edits per scenario, and requires each revision to give what a
// full Simulate of the edited topology gives (checkRevision).
func TestReviseScenarios(t *testing.T) {
	list := scenarios.List()
	if len(list) == 0 {
		t.Fatal("no built-in scenarios")
	}
	for i, s := range list {
		t.Run(s.Name, func(t *testing.T) {
			topo, err := scenarios.Load(s.Name)
			if err != nil {
				t.Fatal(err)
			}
			rng := rand.New(rand.NewPCG(uint64(i), 77))
			reviseChain(t, rng, topo, 40)
		})
	}
}

// TestReviseRandomTopologies does the same on the random topologies of the
// agreement test, with random user flows declared in the topology.
func TestReviseRandomTopologies(t *testing.T) {
	for seed := range uint64(60) {
		rng := rand.New(rand.NewPCG(seed, 4242))
		topo := randomTopology(rng)
		for i, f := range randomFlows(rng, topo) {
			topo.Flows = append(topo.Flows, &topology.Flow{
				Name: fmt.Sprintf("user%d", i), Source: f.Source.Name, Destination: f.Destination.Name,
				Protocol: f.Protocol, DestinationPort: f.Port, SourcePorts: f.SourcePorts,
			})
		}
		reviseChain(t, rng, topo, 15)
		if t.Failed() {
			t.Fatalf("seed %d:\n%s", seed, dumpTopology(topo))
		}
	}
}

// TestReviseIndexedNSGs does the same on random topologies whose NSGs have
// past indexMinRules rules, so that revisions walk an NSG compiled again
// without its index at first and with it once used often (compiledNSG.index),
// and lint it with the shadowed-rule check kept per compiled NSG.
func TestReviseIndexedNSGs(t *testing.T) {
	defer func(n int32) { revisedIndexUses = n }(revisedIndexUses)
	for _, uses := range []int32{revisedIndexUses, 1} {
		revisedIndexUses = uses
		for seed := range uint64(12) {
			rng := rand.New(rand.NewPCG(seed, 9191))
			topo := randomTopology(rng)
			growRules(rng, topo, 50, 150)
			reviseChain(t, rng, topo, 8)
			if t.Failed() {
				t.Fatalf("index after %d uses, seed %d:\n%s", uses, seed, dumpTopology(topo))
			}
		}
	}
}

// reviseChain applies n random NSG edits one after the other, each revision
// revising the one before, and checks each against a full simulation.
func reviseChain(t *testing.T, rng *rand.Rand, topo *topology.Topology, n int) {
	t.Helper()
	rep, err := Simulate(topo)
	if err != nil {
		t.Fatal(err)
	}
	base, results := rep.Topology, rep.Results
	eng := rep.Engine
	reevaluated, total := 0, 0
	for step := range n {
		if len(base.NetworkSecurityGroups) == 0 {
			return
		}
		nsgs := base.NetworkSecurityGroups
		nsg, what := randomEdit(rng, base, nsgs[rng.IntN(len(nsgs))])
		edited := []*topology.NetworkSecurityGroup{nsg}
		next := WithNSG(base, nsg)
		if other := nsgs[rng.IntN(len(nsgs))]; other.Name != nsg.Name && rng.IntN(3) == 0 {
			// Two NSGs at once.
			o, w := randomEdit(rng, base, other)
			edited = append(edited, o)
			next = WithNSG(next, o)
			what += ", " + w
		}
		v, err := eng.Revise(results, next, nsg.Name)
		if err != nil {
			t.Fatalf("step %d (%s): Revise: %v", step, what, err)
		}
		label := fmt.Sprintf("step %d (%s)", step, what)
		checkRevision(t, label, results, v)
		checkCauses(t, label, base, edited, v)
		if t.Failed() {
			return
		}
		reevaluated += v.Reevaluated
		total += len(v.Results)
		base, results, eng = next, v.Results, v.Engine
	}
	t.Logf("%d of %d flow evaluations redone", reevaluated, total)
}

// checkRevision compares a revision with a full simulation of its topology:
// the same results, hop by hop, with the revised topology's own NSG and rule
// objects (default rules, made anew by every compilation, by name); and
// Changed lists exactly the flows whose results differ from before. The
// completed report must be Simulate's too.
func checkRevision(t *testing.T, step string, before []*Result, v *Revision) {
	t.Helper()
	full, err := Simulate(v.Topology)
	if err != nil {
		t.Fatalf("%s: Simulate: %v", step, err)
	}
	if len(full.Results) != len(v.Results) {
		t.Fatalf("%s: %d results, Simulate has %d", step, len(v.Results), len(full.Results))
	}
	var changed []int
	for i, want := range full.Results {
		got := v.Results[i]
		if g, w := resultText(got), resultText(want); g != w {
			t.Fatalf("%s: flow %s:\nrevision:\n%s\nsimulate:\n%s", step, want.Flow.ID, g, w)
		}
		if !sameObjects(got, want) {
			t.Fatalf("%s: flow %s: hops name other NSG or rule objects than Simulate's", step, want.Flow.ID)
		}
		if i < len(before) && !sameResult(before[i], want) {
			changed = append(changed, i)
		}
	}
	if !slices.Equal(changed, v.Changed) {
		t.Fatalf("%s: Changed = %v, want %v", step, v.Changed, changed)
	}
	rep, err := v.Report()
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(rep.Summary) != fmt.Sprint(full.Summary) || len(rep.Findings) != len(full.Findings) {
		t.Fatalf("%s: report %+v with %d findings, Simulate %+v with %d", step, rep.Summary, len(rep.Findings), full.Summary, len(full.Findings))
	}
	for i := range rep.Findings {
		if rep.Findings[i] != full.Findings[i] {
			t.Fatalf("%s: finding %d: %+v, Simulate %+v", step, i, rep.Findings[i], full.Findings[i])
		}
	}
}

// checkCauses requires that a flow whose causes are all in one NSG changes
// as that NSG's edit alone changes it: its result in the revision decides
// as its result in the topology with only that edit made (the same
// segments and rules; a rule the other edit moved shows its new priority).
func checkCauses(t *testing.T, step string, base *topology.Topology, edited []*topology.NetworkSecurityGroup, v *Revision) {
	t.Helper()
	if len(edited) < 2 {
		return
	}
	alone := make(map[string]*Report)
	for i, causes := range v.Causes {
		nsg := causes[0].NSG
		if slices.ContainsFunc(causes, func(c Cause) bool { return c.NSG != nsg }) {
			continue
		}
		rep := alone[nsg]
		if rep == nil {
			for _, n := range edited {
				if n.Name == nsg {
					var err error
					if rep, err = Simulate(WithNSG(base, n)); err != nil {
						t.Fatal(err)
					}
				}
			}
			alone[nsg] = rep
		}
		if !sameResult(v.Results[i], rep.Results[i]) {
			g, w := resultText(v.Results[i]), resultText(rep.Results[i])
			t.Fatalf("%s: flow %s, caused by %s alone:\nrevision:\n%s\nthat edit alone:\n%s", step, w, nsg, g, w)
		}
	}
}

// resultText writes out everything a result says: verdict, hops and every
// segment with its sets and hops, rules with their priorities.
func resultText(r *Result) string {
	var b strings.Builder
	hops := func(hs []Hop) {
		for _, h := range hs {
			fmt.Fprintf(&b, " [%s %s %v %s/%d %v]", h.NSG.Name, h.At, h.Direction, h.Rule.Name, h.Rule.Priority, h.Rule.Access)
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "%s %v src=%v dst=%v\n", r.Flow.ID, r.Verdict, r.Source, r.Dest)
	hops(r.Hops)
	for _, sg := range r.Segments {
		fmt.Fprintf(&b, "  %v %v:%v -> %v", sg.Access, sg.Source, sg.SourcePorts, sg.Destination)
		hops(sg.Hops)
	}
	return b.String()
}

// sameObjects reports whether two results' hops name the same NSG objects
// and, but for default rules, the same rule objects.
func sameObjects(a, b *Result) bool {
	for i := range a.Segments {
		for j, h := range a.Segments[i].Hops {
			k := b.Segments[i].Hops[j]
			if h.NSG != k.NSG || !h.Rule.Default && h.Rule != k.Rule {
				return false
			}
		}
	}
	return true
}

// randomEdit returns a copy of nsg with one random edit, and says what it
// was: a rule's access flipped, a side or ports redrawn, a rule removed
// (disabled), a rule added, or a rule moved to another free priority. The
// rules not edited are the same objects.
func randomEdit(rng *rand.Rand, t *topology.Topology, nsg *topology.NetworkSecurityGroup) (*topology.NetworkSecurityGroup, string) {
	c := *nsg
	c.SecurityRules = slices.Clone(nsg.SecurityRules)
	free := func(dir topology.Direction) int {
		for {
			p := 100 + rng.IntN(400)
			if !slices.ContainsFunc(c.SecurityRules, func(r *topology.SecurityRule) bool { return r.Direction == dir && r.Priority == p }) {
				return p
			}
		}
	}
	kind := rng.IntN(6)
	if len(c.SecurityRules) == 0 {
		kind = 4
	}
	if kind == 4 {
		dir := topology.Direction(rng.IntN(2))
		r := &topology.SecurityRule{
			Name: fmt.Sprintf("added%d", rng.IntN(1_000_000)), Priority: free(dir), Direction: dir,
			Access:   topology.Access(rng.IntN(2)),
			Protocol: []topology.Protocol{topology.Any, topology.Tcp, topology.Tcp, topology.Udp}[rng.IntN(4)],
			Source:   editSide(rng, t), Destination: editSide(rng, t),
			SourcePorts: randomPorts(rng, true), DestinationPorts: randomPorts(rng, false),
		}
		c.SecurityRules = append(c.SecurityRules, r)
		return &c, "add " + r.Name + " to " + c.Name
	}
	i := rng.IntN(len(c.SecurityRules))
	old := c.SecurityRules[i]
	r := *old
	what := ""
	switch kind {
	case 0:
		r.Access = 1 - r.Access
		what = "flip"
	case 1:
		r.Source = editSide(rng, t)
		what = "source of"
	case 2:
		r.DestinationPorts = randomPorts(rng, false)
		what = "ports of"
	case 3:
		c.SecurityRules = slices.Delete(c.SecurityRules, i, i+1)
		return &c, "remove " + old.Name + " from " + c.Name
	case 5:
		r.Priority = free(r.Direction)
		what = "move"
	}
	c.SecurityRules[i] = &r
	return &c, fmt.Sprintf("%s %s of %s", what, r.Name, c.Name)
}

// editSide draws a rule side: one of randomSide's, or a prefix of the
// topology itself (a VNet, a subnet, a VM's address), so that edits to a
// scenario meet its flows.
func editSide(rng *rand.Rand, t *topology.Topology) topology.Addresses {
	if rng.IntN(2) == 0 {
		var ps []netip.Prefix
		for _, v := range t.VirtualNetworks {
			ps = append(ps, v.AddressSpace...)
			for _, s := range v.Subnets {
				ps = append(ps, s.AddressPrefix)
			}
		}
		for _, vm := range t.VirtualMachines {
			ps = append(ps, netip.PrefixFrom(vm.PrivateIPAddress, 32))
		}
		if len(ps) > 0 {
			return topology.Addresses{Prefixes: []netip.Prefix{ps[rng.IntN(len(ps))]}}
		}
	}
	if len(t.ApplicationSecurityGroups) > 0 {
		return randomSide(rng, t)
	}
	// randomSide draws an ASG from the topology's: give it one to draw, and
	// draw again when it does.
	asg := &topology.Topology{ApplicationSecurityGroups: []*topology.ApplicationSecurityGroup{{Name: "none"}}}
	for {
		if a := randomSide(rng, asg); len(a.ApplicationSecurityGroups) == 0 {
			return a
		}
	}
}

// TestReviseEngineFillsEveryField guards reviseEngine against a field added
// to Engine that it does not carry over: every field that Compile fills
// must be filled in a revised engine too (the service tag cache excepted:
// it fills as it is used).
func TestReviseEngineFillsEveryField(t *testing.T) {
	topo, err := scenarios.Load("reference")
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Simulate(topo)
	if err != nil {
		t.Fatal(err)
	}
	nsg := topo.NetworkSecurityGroups[0]
	edited := *nsg
	edited.SecurityRules = nsg.SecurityRules[1:]
	v, err := rep.ReviseNSG(&edited)
	if err != nil {
		t.Fatal(err)
	}
	full, err := Compile(v.Topology)
	if err != nil {
		t.Fatal(err)
	}
	got, want := reflect.ValueOf(v.Engine).Elem(), reflect.ValueOf(full).Elem()
	for i := range want.NumField() {
		name := want.Type().Field(i).Name
		if name == "tags" {
			continue
		}
		if !want.Field(i).IsZero() && got.Field(i).IsZero() {
			t.Errorf("Engine.%s is filled by Compile but not by reviseEngine", name)
		}
	}
}
