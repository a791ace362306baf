package serve

import (
	"bytes"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/nsgsim/nsgsim/render"
	"github.com/nsgsim/nsgsim/scenarios"
	"github.com/nsgsim/nsgsim/sim"
	"github.com/nsgsim/nsgsim/topology"
)

// TestReadDOT reads render's DOT text back: every flow edge, with the
// colour of its verdict and a tooltip naming its flow, and a focus for
// every VNet and subnet box; on hostile names too.
func TestReadDOT(t *testing.T) {
	hostile, err := topology.Parse("hostile.yaml", hostileYAML(t))
	if err != nil {
		t.Fatal(err)
	}
	reference, err := scenarios.Load("hub-three-spokes")
	if err != nil {
		t.Fatal(err)
	}
	colour := map[topology.Verdict]string{topology.VerdictAllow: green, topology.VerdictDeny: red}
	for name, topo := range map[string]*topology.Topology{"hub-three-spokes": reference, "hostile": hostile} {
		t.Run(name, func(t *testing.T) {
			r, err := sim.Simulate(topo)
			if err != nil {
				t.Fatal(err)
			}
			var dot bytes.Buffer
			if err := render.Render(&dot, render.DOT, r, render.Options{CollapseAbove: 60}); err != nil {
				t.Fatal(err)
			}
			edges, focus := readDOT(dot.Bytes())
			if want := len(regexp.MustCompile(`\[id="(flow|group):`).FindAll(dot.Bytes(), -1)); len(edges) != want {
				t.Fatalf("read %d edges, the DOT has %d", len(edges), want)
			}
			byID := map[string]*sim.Result{}
			for _, res := range r.Results {
				byID[res.Flow.ID] = res
			}
			for _, e := range edges {
				id, err := url.PathUnescape(strings.TrimPrefix(e.ID, "flow:"))
				if err != nil {
					t.Fatalf("edge id %q: %v", e.ID, err)
				}
				res := byID[id]
				if res == nil {
					t.Errorf("edge %q names no flow", e.ID)
					continue
				}
				if want, ok := colour[res.Verdict]; ok && res.Flow.Requirement == topology.Required && !res.Intended && e.Color != want { // an intended deny is drawn grey
					t.Errorf("edge %q colour %s, want %s for %s", e.ID, e.Color, want, res.Verdict)
				}
				if !strings.HasPrefix(e.Tooltip, id+": ") {
					t.Errorf("edge %q tooltip %q does not start with its flow", e.ID, e.Tooltip)
				}
			}
			for _, v := range topo.VirtualNetworks {
				found := false
				for _, f := range focus {
					if f == v.Name {
						found = true
					}
				}
				if !found {
					t.Errorf("no box focuses on VNet %q; focus = %q", v.Name, focus)
				}
			}
		})
	}
}
