package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/nsgsim/nsgsim/internal/simtest"
	"github.com/nsgsim/nsgsim/scenarios"
)

// TestMarkdown checks the Markdown report of a scenario with a blocked
// required flow and a finding: the verdict line, blocked flows first, the
// findings with their documentation links, and tables whose rows all have
// the header's number of cells.
func TestMarkdown(t *testing.T) {
	r := simtest.Scenario(t, "omit-https-inbound")
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
		r := simtest.Scenario(t, s.Name)
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
	if got := MarkdownCell("a|b *c* <d>"); got != `a\|b \*c\* \<d\>` {
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

// TestIntendedInReports checks that hub-three-spokes's quarantined flow is
// reported as intended in the table, the Markdown and the JSON, and that
// the summary counts it apart from the blocked flows.
func TestIntendedInReports(t *testing.T) {
	r := simtest.Scenario(t, "hub-three-spokes")
	if r.Summary.Intended != 1 || r.Summary.RequiredBlocked != 5 {
		t.Fatalf("summary %+v; want 1 intended and 5 required blocked", r.Summary)
	}
	var table, md, js bytes.Buffer
	if err := WriteTable(&table, r); err != nil {
		t.Fatal(err)
	}
	if err := WriteMarkdown(&md, r); err != nil {
		t.Fatal(err)
	}
	if err := WriteJSON(&js, r); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ format, out, want string }{
		{"table", table.String(), "; 1 blocked by intent"},
		{"table", table.String(), "Deny (intended)"},
		{"table", table.String(), "bastion-hub/rdp/dev-win-4: want Deny (intended), got Deny"},
		{"markdown", md.String(), "| 🔒 | `bastion-hub/rdp/dev-win-4` |"},
		{"markdown", md.String(), "; 1 blocked by intent"},
		{"json", js.String(), `"intended": 1`},
	} {
		if !strings.Contains(c.out, c.want) {
			t.Errorf("%s output lacks %q", c.format, c.want)
		}
	}
	var doc Document
	if err := json.Unmarshal(js.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	for _, f := range doc.Flows {
		if f.Intended != (f.ID == "bastion-hub/rdp/dev-win-4") {
			t.Errorf("JSON flow %s: intended %v", f.ID, f.Intended)
		}
	}
}
