package diff

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/nsgsim/nsgsim/report"
	"github.com/nsgsim/nsgsim/sim"
)

// Document is the JSON form of a diff.
type Document struct {
	Old             string           `json:"old"`
	New             string           `json:"new"`
	Changed         []FlowChange     `json:"changed"`
	Added           []report.Flow    `json:"added"`
	Removed         []report.Flow    `json:"removed"`
	Rules           []RuleDocument   `json:"rules"` // security rules added, removed and changed
	FindingsAdded   []report.Finding `json:"findingsAdded"`
	FindingsRemoved []report.Finding `json:"findingsRemoved"`
	Summary         DocumentSummary  `json:"summary"`
}

// FlowChange is one changed flow, before and after.
type FlowChange struct {
	ID          string      `json:"id"`
	Requirement string      `json:"requirement"`
	Broken      bool        `json:"broken"`
	Before      report.Flow `json:"before"`
	After       report.Flow `json:"after"`
	// Rules are the rule changes whose rule decided the flow before or
	// after (see Rules of the document).
	Rules []RuleRef `json:"rules"`
}

// DocumentSummary counts the differences.
type DocumentSummary struct {
	Changed int `json:"changed"`
	Broken  int `json:"broken"`
	Added   int `json:"added"`
	Removed int `json:"removed"`
	Rules   int `json:"rules"` // rules added, removed or changed
}

// NewDocument converts a diff to its JSON form.
func NewDocument(d *Result) *Document {
	doc := &Document{
		Old: d.Old.Topology.File, New: d.New.Topology.File,
		Changed: []FlowChange{}, Added: []report.Flow{}, Removed: []report.Flow{}, Rules: []RuleDocument{},
		FindingsAdded: []report.Finding{}, FindingsRemoved: []report.Finding{},
		Summary: DocumentSummary{Changed: len(d.Changed), Broken: d.Broken(), Added: len(d.Added), Removed: len(d.Removed), Rules: len(d.Rules)},
	}
	for _, c := range d.Changed {
		doc.Changed = append(doc.Changed, FlowChange{
			ID: c.ID, Requirement: c.Requirement.String(), Broken: c.Broken(),
			Before: report.NewFlow(d.Old.Engine, c.Old), After: report.NewFlow(d.New.Engine, c.New),
			Rules: newRuleRefs(c.Rules),
		})
	}
	for _, r := range d.Added {
		doc.Added = append(doc.Added, report.NewFlow(d.New.Engine, r))
	}
	for _, r := range d.Removed {
		doc.Removed = append(doc.Removed, report.NewFlow(d.Old.Engine, r))
	}
	for _, c := range d.Rules {
		doc.Rules = append(doc.Rules, newRuleDocument(c))
	}
	for _, f := range d.FindingsAdded {
		doc.FindingsAdded = append(doc.FindingsAdded, report.NewFinding(f))
	}
	for _, f := range d.FindingsRemoved {
		doc.FindingsRemoved = append(doc.FindingsRemoved, report.NewFinding(f))
	}
	return doc
}

// WriteJSON writes the diff as indented JSON.
func WriteJSON(w io.Writer, d *Result) error {
	return report.EncodeJSON(w, NewDocument(d))
}

// headline is the one-line summary.
func headline(d *Result) string {
	s := fmt.Sprintf("%d %s changed", len(d.Changed), plural(len(d.Changed), "flow", "flows"))
	if n := d.Broken(); n > 0 {
		s += fmt.Sprintf(" (%d required %s broken)", n, plural(n, "flow", "flows"))
	}
	s += fmt.Sprintf(", %d added, %d removed; %s; findings +%d −%d", len(d.Added), len(d.Removed), ruleCounts(d.Rules), len(d.FindingsAdded), len(d.FindingsRemoved))
	return s
}

// ruleCounts is "rules +1 −0 ~2": added, removed, changed.
func ruleCounts(rs []RuleChange) string {
	var n [3]int
	for _, r := range rs {
		n[r.Kind]++
	}
	return fmt.Sprintf("rules +%d −%d ~%d", n[RuleAdded], n[RuleRemoved], n[RuleChanged])
}

// side describes one side of a change: the verdict and the deciding rule.
func side(e *sim.Engine, r *sim.Result) string {
	return report.VerdictText(e, r) + " — " + report.DecidedBy(r.Hops)
}

func label(c Change) string {
	switch {
	case c.Broken():
		return "BROKEN"
	case c.VerdictChanged():
		return "changed"
	}
	return "rule"
}

// WriteTable writes the diff for a terminal.
//
// Values from the inputs go through report.Text and the writer through a
// report.TerminalWriter: nothing in a name reaches the terminal raw.
func WriteTable(out io.Writer, d *Result) error {
	w := report.NewTerminalWriter(out)
	fmt.Fprintf(w, "%s → %s: %s\n", report.Text(name(d.Old)), report.Text(name(d.New)), headline(d))
	if len(d.Changed)+len(d.Added)+len(d.Removed) > 0 {
		fmt.Fprintln(w)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "CHANGE\tFLOW\tPROTO/PORT\tBEFORE\tAFTER\tBY RULE CHANGE")
		for _, c := range d.Changed {
			f := c.New.Flow
			fmt.Fprintf(tw, "%s\t%s\t%s/%d\t%s\t%s\t%s\n", label(c), report.Text(c.ID), f.Protocol, f.Port,
				report.Text(side(d.Old.Engine, c.Old)), report.Text(side(d.New.Engine, c.New)), report.Text(orDash(refs(c.Rules))))
		}
		for _, r := range d.Added {
			fmt.Fprintf(tw, "added\t%s\t%s/%d\t-\t%s\t-\n", report.Text(r.Flow.ID), r.Flow.Protocol, r.Flow.Port, report.Text(side(d.New.Engine, r)))
		}
		for _, r := range d.Removed {
			fmt.Fprintf(tw, "removed\t%s\t%s/%d\t%s\t-\t-\n", report.Text(r.Flow.ID), r.Flow.Protocol, r.Flow.Port, report.Text(side(d.Old.Engine, r)))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	if len(d.Rules) > 0 {
		fmt.Fprintln(w)
		fmt.Fprintln(w, "Rules:")
		for _, c := range d.Rules {
			fmt.Fprintf(w, "  %s %s / %s: %s\n", c.Kind.mark(), report.Text(c.NSG), report.Text(c.Rule), report.Text(c.Detail()))
		}
	}
	writeFindings(w, "Findings added:", d.FindingsAdded, "  ")
	writeFindings(w, "Findings removed:", d.FindingsRemoved, "  ")
	return w.Flush()
}

func writeFindings(w io.Writer, title string, fs []sim.Finding, indent string) {
	if len(fs) == 0 {
		return
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, title)
	for _, f := range fs {
		fmt.Fprintf(w, "%s%s %s %s: %s\n", indent, report.Text(f.Pos.String()), f.Severity, f.ID, report.Text(f.Message))
	}
}

// WriteMarkdown writes the diff for a pull-request comment.
func WriteMarkdown(w io.Writer, d *Result) error {
	fmt.Fprintf(w, "### nsgsim: %s → %s\n\n", report.MarkdownCell(name(d.Old)), report.MarkdownCell(name(d.New)))
	if d.Broken() > 0 {
		fmt.Fprintf(w, "**This change blocks %d required Bastion %s.**\n\n", d.Broken(), plural(d.Broken(), "flow", "flows"))
	}
	fmt.Fprintf(w, "%s.\n", headline(d))
	if len(d.Changed)+len(d.Added)+len(d.Removed) > 0 {
		fmt.Fprintln(w)
		fmt.Fprintln(w, "| change | flow | proto/port | before | after | by rule change |")
		fmt.Fprintln(w, "|---|---|---|---|---|---|")
		for _, c := range d.Changed {
			f := c.New.Flow
			fmt.Fprintf(w, "| %s | %s | %s/%d | %s | %s | %s |\n", label(c), report.MarkdownCode(c.ID), f.Protocol, f.Port,
				report.MarkdownCell(side(d.Old.Engine, c.Old)), report.MarkdownCell(side(d.New.Engine, c.New)), report.MarkdownCell(refs(c.Rules)))
		}
		for _, r := range d.Added {
			fmt.Fprintf(w, "| added | %s | %s/%d | | %s | |\n", report.MarkdownCode(r.Flow.ID), r.Flow.Protocol, r.Flow.Port, report.MarkdownCell(side(d.New.Engine, r)))
		}
		for _, r := range d.Removed {
			fmt.Fprintf(w, "| removed | %s | %s/%d | %s | | |\n", report.MarkdownCode(r.Flow.ID), r.Flow.Protocol, r.Flow.Port, report.MarkdownCell(side(d.Old.Engine, r)))
		}
	}
	if len(d.Rules) > 0 {
		fmt.Fprintln(w)
		fmt.Fprintln(w, "**Rule changes**")
		fmt.Fprintln(w)
		fmt.Fprintln(w, "| | NSG | rule | change |")
		fmt.Fprintln(w, "|---|---|---|---|")
		for _, c := range d.Rules {
			fmt.Fprintf(w, "| %s | %s | %s | %s |\n", report.MarkdownCell(c.Kind.mark()), report.MarkdownCode(c.NSG), report.MarkdownCode(c.Rule), report.MarkdownCell(c.Detail()))
		}
	}
	for _, part := range []struct {
		title string
		fs    []sim.Finding
	}{{"Findings added", d.FindingsAdded}, {"Findings removed", d.FindingsRemoved}} {
		if len(part.fs) == 0 {
			continue
		}
		fmt.Fprintf(w, "\n**%s**\n\n", part.title)
		for _, f := range part.fs {
			fmt.Fprintf(w, "- %s `%s` %s (%s)\n", f.Severity, f.ID, report.MarkdownCell(f.Message), report.MarkdownCode(f.Pos.String()))
		}
	}
	return nil
}

func name(r *sim.Report) string {
	if r.Topology.File != "" {
		return r.Topology.File
	}
	return r.Topology.Name
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
