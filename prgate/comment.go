package prgate

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/nsgsim/nsgsim/diff"
	"github.com/nsgsim/nsgsim/render"
	"github.com/nsgsim/nsgsim/report"
	"github.com/nsgsim/nsgsim/sim"
)

// MaxComment is the longest comment body GitHub accepts, in characters.
// https://docs.github.com/en/rest/issues/comments#create-an-issue-comment
// (the API answers 422 "body is too long (maximum is 65536 characters)").
const MaxComment = 65536

// maxBrokenRows bounds the table of broken flows at the top of the comment;
// the rest are counted and stay in the folded details.
const maxBrokenRows = 30

// CommentBody writes the pull-request comment for a comparison: a one-line
// headline, a short table of the broken flows with the rule that now
// decides each, the changed edges as a Mermaid diagram GitHub draws inline,
// and every change folded in <details>. It returns "" when the change
// touches no flow: the gate then deletes its comment. The body stays under
// MaxComment characters: the diagram and then the details give way first.
func CommentBody(ds []FileDiff) (string, error) {
	if !Touched(ds) {
		return "", nil
	}
	var head strings.Builder
	head.WriteString(Marker + "\n")
	head.WriteString("### " + Headline(ds) + "\n\n")
	head.WriteString(counts(ds) + "\n")
	brokenTable(&head, ds)

	var diagrams strings.Builder
	for _, d := range ds {
		mmd, err := changedEdges(d.Diff)
		if err != nil {
			return "", err
		}
		if mmd == "" {
			continue
		}
		fmt.Fprintf(&diagrams, "\n**Changed edges in %s**\n\n```mermaid\n%s```\n", report.MarkdownCell(d.Path), mmd)
	}

	var details strings.Builder
	for _, d := range ds {
		var b bytes.Buffer
		if err := diff.WriteMarkdown(&b, d.Diff); err != nil {
			return "", err
		}
		fmt.Fprintf(&details, "\n<details><summary>Every change in %s</summary>\n\n%s\n</details>\n", report.MarkdownCell(d.Path), b.String())
	}

	const foot = "\n<sub>nsgsim: what-if for Azure NSGs around Azure Bastion. The job summary has the full report.</sub>\n"
	const cut = "\n_The full list of changes is too long for a comment: see the job summary._\n"
	body := head.String()
	fits := func(parts ...string) bool {
		n := utf8.RuneCountInString(body) + utf8.RuneCountInString(foot)
		for _, p := range parts {
			n += utf8.RuneCountInString(p)
		}
		return n <= MaxComment
	}
	switch {
	case fits(diagrams.String(), details.String()):
		body += diagrams.String() + details.String()
	case fits(details.String()):
		body += details.String()
	case fits(diagrams.String(), cut):
		body += diagrams.String() + cut
	case fits(cut):
		body += cut
	}
	body += foot
	if utf8.RuneCountInString(body) > MaxComment {
		// Only the broken-flow table can be this long, and it is capped
		// at maxBrokenRows rows per input: many inputs could still do it.
		r := []rune(body)
		body = string(r[:MaxComment-utf8.RuneCountInString(cut)]) + cut
	}
	return body, nil
}

// Headline is the comment's first line: how many required Bastion flows the
// change breaks.
func Headline(ds []FileDiff) string { return HeadlineFor(Broken(ds)) }

// HeadlineFor is the headline for n broken required flows.
func HeadlineFor(n int) string {
	switch n {
	case 0:
		return "✅ No required Bastion flow breaks"
	case 1:
		return "❌ 1 required Bastion flow breaks"
	default:
		return fmt.Sprintf("❌ %d required Bastion flows break", n)
	}
}

func counts(ds []FileDiff) string {
	var changed, added, removed int
	for _, d := range ds {
		changed += len(d.Diff.Changed)
		added += len(d.Diff.Added)
		removed += len(d.Diff.Removed)
	}
	return fmt.Sprintf("%d %s changed, %d added, %d removed across %d %s.",
		changed, plural(changed, "flow", "flows"), added, removed, len(ds), plural(len(ds), "input", "inputs"))
}

// brokenTable lists the broken flows of every input with the rule that
// decides each now.
func brokenTable(w *strings.Builder, ds []FileDiff) {
	if Broken(ds) == 0 {
		return
	}
	w.WriteString("\n| input | flow | proto/port | now | decided by |\n|---|---|---|---|---|\n")
	for _, d := range ds {
		rows := 0
		for _, c := range d.Diff.Changed {
			if !c.Broken() {
				continue
			}
			if rows == maxBrokenRows {
				fmt.Fprintf(w, "| %s | … %d more in the details below | | | |\n", report.MarkdownCell(d.Path), d.Diff.Broken()-rows)
				break
			}
			rows++
			f := c.New.Flow
			fmt.Fprintf(w, "| %s | %s | %s/%d | %s | %s |\n", report.MarkdownCell(d.Path), report.MarkdownCode(c.ID),
				f.Protocol, f.Port, report.MarkdownCell(report.VerdictText(d.Diff.New.Engine, c.New)), report.MarkdownCell(report.DecidedBy(c.New.Hops)))
		}
	}
}

// changedEdges draws only the flows the change touched (changed and added),
// on the new side, each marked with what it was before.
func changedEdges(d *diff.Result) (string, error) {
	if len(d.Changed)+len(d.Added) == 0 {
		return "", nil
	}
	r := *d.New
	r.Results = make([]*sim.Result, 0, len(d.Changed)+len(d.Added))
	for _, c := range d.Changed {
		r.Results = append(r.Results, c.New)
	}
	r.Results = append(r.Results, d.Added...)
	var b bytes.Buffer
	if err := render.Render(&b, render.Mermaid, &r, render.Options{Highlight: d.Highlights(), CollapseAbove: 40}); err != nil {
		return "", err
	}
	return b.String(), nil
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
