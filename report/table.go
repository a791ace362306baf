package report

import (
	"fmt"
	"io"
	"sort"
	"text/tabwriter"

	"github.com/nsgsim/nsgsim/sim"
	"github.com/nsgsim/nsgsim/topology"
)

// Ordered returns the results with blocked required flows first, then
// blocked recommended flows, then the rest (intended denies among them),
// each group in catalogue order.
func Ordered(results []*sim.Result) []*sim.Result {
	out := append([]*sim.Result(nil), results...)
	rank := func(r *sim.Result) int {
		switch {
		case r.BlockedUnintended() && r.Flow.Requirement == topology.Required:
			return 0
		case r.BlockedUnintended() && r.Flow.Requirement == topology.Recommended:
			return 1
		}
		return 2
	}
	sort.SliceStable(out, func(i, j int) bool { return rank(out[i]) < rank(out[j]) })
	return out
}

// DecidedBy says which rule decided a result, for one line of a table:
// "nsg-bastion / DenyAllInBound / 65500 (default) at subnet hub/AzureBastionSubnet",
// or "no NSG on the path".
func DecidedBy(hops []sim.Hop) string {
	h, ok := sim.Decider(hops)
	if !ok {
		return "no NSG on the path"
	}
	return h.String()
}

// VerdictText is the verdict column: the verdict, for a Partial flow which
// part passes, and "(intended)" for a flow blocked on purpose.
func VerdictText(e *sim.Engine, res *sim.Result) string {
	s := res.Verdict.String()
	if res.Verdict == topology.VerdictPartial {
		allowed, _ := Subsets(e, res)
		s = "Partial: allowed only " + allowed
	}
	if res.Intended {
		s += " (intended)"
	}
	return s
}

// WriteTable writes the report for a terminal: a summary line, the flows
// (blocked required flows first), expectations, findings.
//
// Every value from the input goes through Text, and the writer through a
// TerminalWriter: no control character or bidirectional-text control in a
// name or a path reaches the terminal raw.
func WriteTable(out io.Writer, r *sim.Report) error {
	w := NewTerminalWriter(out)
	s := r.Summary
	name := r.Topology.Name
	if name == "" {
		name = r.Topology.File
	}
	fmt.Fprintf(w, "%s: %d flows: %d allowed, %d denied, %d partial", Text(name), s.Flows, s.Allowed, s.Denied, s.Partial)
	if s.NoTraffic > 0 {
		fmt.Fprintf(w, ", %d with no traffic", s.NoTraffic)
	}
	if s.RequiredBlocked > 0 {
		fmt.Fprintf(w, "; %d required %s blocked", s.RequiredBlocked, plural(s.RequiredBlocked, "flow", "flows"))
	}
	if s.RecommendedBlocked > 0 {
		fmt.Fprintf(w, "; %d recommended %s blocked", s.RecommendedBlocked, plural(s.RecommendedBlocked, "flow", "flows"))
	}
	if s.Intended > 0 {
		fmt.Fprintf(w, "; %d blocked by intent", s.Intended)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w)

	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "FLOW\tSOURCE → DESTINATION\tPROTO/PORT\tREQUIREMENT\tVERDICT\tDECIDED BY (NSG / RULE / PRIORITY)")
	for _, res := range Ordered(r.Results) {
		f := res.Flow
		fmt.Fprintf(tw, "%s\t%s → %s\t%s/%d\t%s\t%s\t%s\n",
			Text(f.ID), Text(f.Source.Name), Text(f.Destination.Name), f.Protocol, f.Port, f.Requirement,
			Text(VerdictText(r.Engine, res)), Text(DecidedBy(res.Hops)))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(r.Expectations) > 0 {
		fmt.Fprintln(w)
		fmt.Fprintln(w, "Expectations:")
		for _, x := range r.Expectations {
			mark, got := "ok  ", x.Got.String()
			if !x.Found {
				got = "no such flow"
			}
			if !x.OK {
				mark = "FAIL"
			}
			fmt.Fprintf(w, "  %s %s: want %s%s, got %s\n", mark, Text(x.Expectation.Flow), x.Expectation.Verdict, intendedMark(x.Expectation), got)
		}
	}
	if len(r.Findings) > 0 {
		fmt.Fprintln(w)
		fmt.Fprintln(w, "Findings:")
		for _, f := range r.Findings {
			fmt.Fprintf(w, "  %s %s %s: %s\n", Text(f.Pos.String()), f.Severity, f.ID, Text(f.Message))
			if f.DocURL != "" {
				fmt.Fprintf(w, "      see %s\n", f.DocURL)
			}
		}
	}
	if r.Engine.TagAssumptionMatters() {
		fmt.Fprintln(w)
		fmt.Fprintln(w, "Note: without a Service Tags file, GatewayManager and AzureCloud addresses are assumed to lie")
		fmt.Fprintln(w, "outside every prefix narrower than all public IPv4 space; set serviceTags to check with real ranges.")
	}
	return w.Flush()
}

// intendedMark is " (intended)" for an expectation with intended: true.
func intendedMark(e *topology.Expectation) string {
	if e.Intended {
		return " (intended)"
	}
	return ""
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
