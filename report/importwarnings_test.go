package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/nsgsim/nsgsim/internal/simtest"
	"github.com/nsgsim/nsgsim/scenarios"
	"github.com/nsgsim/nsgsim/sim"
	"github.com/nsgsim/nsgsim/topology"
)

// TestImportWarningsInReports checks that what an importer passed over
// (Topology.Warnings) reaches every report format as IMP001 findings, with
// the warning's position, a JSON path included.
func TestImportWarningsInReports(t *testing.T) {
	topo, err := scenarios.Load("reference")
	if err != nil {
		t.Fatal(err)
	}
	topo.Warnings.Add(topology.Pos{File: "estate.json", Path: "[7].properties"}, "1 VM scale set is not modelled: %q", "vmss-web")
	topo.Warnings.Add(topology.Pos{File: "plan.json", Line: 12, Col: 5}, "IPv6 prefix %s dropped", "fd00::/48")
	r := simtest.Simulate(t, topo)
	for _, tc := range []struct {
		format string
		write  func(*bytes.Buffer, *sim.Report) error
		want   []string
	}{
		{"table", func(b *bytes.Buffer, r *sim.Report) error { return WriteTable(b, r) }, []string{"IMP001", "estate.json: [7].properties", `vmss-web`, "plan.json:12:5", "fd00::/48 dropped"}},
		{"json", func(b *bytes.Buffer, r *sim.Report) error { return WriteJSON(b, r) }, []string{`"IMP001"`, `"estate.json: [7].properties"`, `vmss-web`, `"plan.json:12:5"`}},
		{"markdown", func(b *bytes.Buffer, r *sim.Report) error { return WriteMarkdown(b, r) }, []string{"IMP001", "estate.json: [7].properties", "vmss-web", "plan.json:12:5"}},
		{"sarif", func(b *bytes.Buffer, r *sim.Report) error { return WriteSARIF(b, r) }, []string{`"ruleId": "IMP001"`, `"uri": "estate.json"`, `[7].properties: 1 VM scale set`, `"uri": "plan.json"`, `"startLine": 12`}},
	} {
		t.Run(tc.format, func(t *testing.T) {
			var b bytes.Buffer
			if err := tc.write(&b, r); err != nil {
				t.Fatal(err)
			}
			out := b.String()
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("%s output lacks %q:\n%s", tc.format, w, out)
				}
			}
			if tc.format == "sarif" {
				if err := validateSARIF(b.Bytes()); err != nil {
					t.Error(err)
				}
			}
		})
	}
}
