package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/nsgsim/nsgsim/sim"
	"github.com/nsgsim/nsgsim/topology"
)

// WriteMarkdown writes the report as GitHub-flavoured Markdown for a pull
// request comment: a verdict line, the summary, the flows (blocked required
// flows first), the findings with their documentation, and the
// expectations.
func WriteMarkdown(w io.Writer, r *sim.Report) error {
	s := r.Summary
	name := r.Topology.Name
	if name == "" {
		name = r.Topology.File
	}
	status := "✅ every required flow passes"
	if !s.OK() {
		var why []string
		if s.RequiredBlocked > 0 {
			why = append(why, fmt.Sprintf("%d required %s blocked", s.RequiredBlocked, plural(s.RequiredBlocked, "flow", "flows")))
		}
		if s.Errors > 0 {
			why = append(why, fmt.Sprintf("%d error %s", s.Errors, plural(s.Errors, "finding", "findings")))
		}
		if s.ExpectationsFailed > 0 {
			why = append(why, fmt.Sprintf("%d %s not met", s.ExpectationsFailed, plural(s.ExpectationsFailed, "expectation", "expectations")))
		}
		status = "❌ " + strings.Join(why, ", ")
	}
	fmt.Fprintf(w, "## nsgsim: %s — %s\n\n", MarkdownCell(name), status)
	fmt.Fprintf(w, "**%d flows**: %d allowed, %d denied, %d partial", s.Flows, s.Allowed, s.Denied, s.Partial)
	if s.NoTraffic > 0 {
		fmt.Fprintf(w, ", %d with no traffic", s.NoTraffic)
	}
	if s.RecommendedBlocked > 0 {
		fmt.Fprintf(w, "; %d recommended %s blocked", s.RecommendedBlocked, plural(s.RecommendedBlocked, "flow", "flows"))
	}
	if s.Intended > 0 {
		fmt.Fprintf(w, "; %d blocked by intent", s.Intended)
	}
	fmt.Fprintf(w, "; %d %s (%d %s).\n\n", len(r.Findings), plural(len(r.Findings), "finding", "findings"), s.Errors, plural(s.Errors, "error", "errors"))

	fmt.Fprintln(w, "### Flows")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| | Flow | Source → Destination | Proto/Port | Requirement | Verdict | Decided by |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|---|")
	for _, res := range Ordered(r.Results) {
		f := res.Flow
		fmt.Fprintf(w, "| %s | %s | %s → %s | %s/%d | %s | %s | %s |\n",
			verdictMark(res), MarkdownCode(f.ID), MarkdownCell(f.Source.Name), MarkdownCell(f.Destination.Name), f.Protocol, f.Port,
			f.Requirement, MarkdownCell(VerdictText(r.Engine, res)), MarkdownCell(DecidedBy(res.Hops)))
	}

	if len(r.Findings) > 0 {
		fmt.Fprintln(w)
		fmt.Fprintln(w, "### Findings")
		fmt.Fprintln(w)
		fmt.Fprintln(w, "| Severity | ID | Position | Message |")
		fmt.Fprintln(w, "|---|---|---|---|")
		for _, f := range r.Findings {
			id := f.ID
			if f.DocURL != "" {
				id = fmt.Sprintf("[%s](%s)", f.ID, f.DocURL)
			}
			fmt.Fprintf(w, "| %s %s | %s | %s | %s |\n", severityMark(f.Severity), f.Severity, id, MarkdownCode(f.Pos.String()), MarkdownCell(f.Message))
		}
	}

	if len(r.Expectations) > 0 {
		fmt.Fprintln(w)
		fmt.Fprintln(w, "### Expectations")
		fmt.Fprintln(w)
		fmt.Fprintln(w, "| | Flow | Want | Got |")
		fmt.Fprintln(w, "|---|---|---|---|")
		for _, x := range r.Expectations {
			mark, got := "✅", x.Got.String()
			if !x.Found {
				got = "no such flow"
			}
			if !x.OK {
				mark = "❌"
			}
			fmt.Fprintf(w, "| %s | %s | %s%s | %s |\n", mark, MarkdownCode(x.Expectation.Flow), x.Expectation.Verdict, intendedMark(x.Expectation), got)
		}
	}
	if r.Engine.TagAssumptionMatters() {
		fmt.Fprintln(w)
		fmt.Fprintln(w, "> **Note:** without a Service Tags file, GatewayManager and AzureCloud addresses are assumed to lie outside every prefix narrower than all public IPv4 space; set `serviceTags` to check with the real ranges.")
	}
	return nil
}

func verdictMark(res *sim.Result) string {
	switch {
	case !res.Blocked():
		return "✅"
	case res.Intended:
		return "🔒" // blocked on purpose
	case res.Flow.Requirement == topology.Required:
		return "❌"
	}
	return "⚠️"
}

func severityMark(s sim.Severity) string {
	switch s {
	case sim.SeverityError:
		return "❌"
	case sim.SeverityWarning:
		return "⚠️"
	}
	return "ℹ️"
}
