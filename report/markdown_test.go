package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/nsgsim/nsgsim/scenarios"
)

// TestMarkdown checks the Markdown report of a scenario with a blocked
// required flow and a finding: the verdict line, blocked flows first, the
// findings with their documentation links, and tables whose rows all have
// the header's number of cells.
func TestMarkdown(t *testing.T) {
	r := scenarioReport(t, "omit-https-inbound")
	var buf bytes.Buffer
	if err := WriteMarkdown(&buf, r); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{
		"## nsgsim: omit-https-inbound — ❌ 1 required flow blocked, 1 error finding",
		"### Flows", "### Findings", "### Expectations",
		"[NSG001](https://learn.microsoft.com/en-us/azure/bastion/bastion-nsg)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("Markdown lacks %q:\n%s", want, out)
		}
	}
	flows := out[strings.Index(out, "### Flows"):strings.Index(out, "### Findings")]
	rows := tableRows(flows)
	if len(rows) < 2 || !strings.Contains(rows[0], "client-https") || !strings.HasPrefix(rows[0], "| ❌") {
		t.Errorf("the blocked required flow is not first:\n%s", flows)
	}
	checkTables(t, out)
}

func TestMarkdownAllScenarios(t *testing.T) {
	for _, s := range scenarios.List() {
		r := scenarioReport(t, s.Name)
		var buf bytes.Buffer
		if err := WriteMarkdown(&buf, r); err != nil {
			t.Fatal(err)
		}
		checkTables(t, buf.String())
		if r.Summary.OK() != strings.Contains(buf.String(), "✅ every required flow passes") {
			t.Errorf("%s: verdict line does not match the summary %+v", s.Name, r.Summary)
		}
	}
}

func TestMarkdownEscapes(t *testing.T) {
	if got := mdCell("a|b *c* <d>"); got != `a\|b \*c\* \<d\>` {
		t.Errorf("mdCell = %q", got)
	}
}

// tableRows returns the body rows of the first table in s.
func tableRows(s string) []string {
	var rows []string
	for _, l := range strings.Split(s, "\n") {
		if strings.HasPrefix(l, "|") && !strings.HasPrefix(l, "|---") {
			rows = append(rows, l)
		}
	}
	if len(rows) > 0 {
		rows = rows[1:] // the header
	}
	return rows
}

// checkTables requires every row of every table to have as many cells as
// its header (escaped pipes do not count).
func checkTables(t *testing.T, md string) {
	t.Helper()
	cells := func(l string) int { return strings.Count(strings.ReplaceAll(l, `\|`, ""), "|") }
	want := 0
	for _, l := range strings.Split(md, "\n") {
		if !strings.HasPrefix(l, "|") {
			want = 0
			continue
		}
		if want == 0 {
			want = cells(l)
			continue
		}
		if got := cells(l); got != want {
			t.Errorf("table row has %d cells, header %d: %s", got-1, want-1, l)
		}
	}
}
