package serve

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/nsgsim/nsgsim/gen"
	"github.com/nsgsim/nsgsim/render"
	"github.com/nsgsim/nsgsim/topology"
)

// estate2000 is the 2,000-VM estate of the issue: 20 VNets, 120 subnets.
var estate2000 = gen.Options{Seed: 1, VNets: 20, Subnets: 120, VMs: 2000, RulesPerNSG: 50}

// loadEstate generates the estate and loads it as `nsgsim serve` would
// load the file `nsgsim gen` writes.
func loadEstate(t testing.TB) *topology.Topology {
	t.Helper()
	g, err := gen.Generate(estate2000)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := gen.Write(&buf, g, "2,000-VM estate"); err != nil {
		t.Fatal(err)
	}
	topo, err := topology.Parse("estate.yaml", buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	return topo
}

// decidingRule finds a custom rule of a workload NSG (not the Bastion
// subnet's) whose removal recolours an edge of the whole-estate diagram,
// and that edge.
func decidingRule(t *testing.T, s *Server) (nsg, rule, edge string) {
	t.Helper()
	b := s.src.get()
	count := map[[2]string]int{}
	for _, res := range b.report.Results {
		for _, h := range res.Hops {
			if h.Rule != nil && !h.Rule.Default && h.NSG.Name != "nsg-bastion" {
				count[[2]string{h.NSG.Name, h.Rule.Name}]++
			}
		}
	}
	var cands [][2]string
	for k := range count {
		cands = append(cands, k)
	}
	slices.SortFunc(cands, func(a, b [2]string) int {
		if d := count[b] - count[a]; d != 0 {
			return d
		}
		return strings.Compare(a[0]+a[1], b[0]+b[1])
	})
	colour := func(edits []Edit) map[string]string {
		ev := evaluate(b, edits, false)
		dot, err := ev.dot(ev.renderOptions(s.opts.CollapseAbove, ""))
		if err != nil {
			t.Fatal(err)
		}
		edges, _ := readDOT(dot)
		out := map[string]string{}
		for _, e := range edges {
			out[e.ID] = e.Color
		}
		return out
	}
	before := colour(nil)
	for _, c := range cands[:min(len(cands), 10)] {
		after := colour([]Edit{{Op: OpDisable, NSG: c[0], Rule: c[1]}})
		ids := make([]string, 0, len(after))
		for id := range after {
			ids = append(ids, id)
		}
		slices.Sort(ids)
		for _, id := range ids {
			if before[id] != after[id] {
				return c[0], c[1], id
			}
		}
	}
	t.Fatal("no workload rule's removal recolours an edge")
	return "", "", ""
}

// TestBrowserScale toggles a rule of a workload NSG on the 2,000-VM estate
// and measures, in the browser, the time from the click to the repaint of
// the recoloured diagram. The bound is loose (2 s); the README reports the
// median. Skipped under the race detector, which slows everything.
func TestBrowserScale(t *testing.T) {
	if raceDetector {
		t.Skip("timings mean nothing under the race detector")
	}
	if testing.Short() {
		t.Skip("the 2,000-VM estate takes seconds to generate and load")
	}
	topo := loadEstate(t)
	s, err := New(Options{Load: func() (*topology.Topology, error) { return topo, nil }, CollapseAbove: render.DefaultCollapseAbove})
	if err != nil {
		t.Fatal(err)
	}
	nsg, rule, edge := decidingRule(t, s)
	ev := evaluate(s.src.get(), []Edit{{Op: OpDisable, NSG: nsg, Rule: rule}}, false)
	t.Logf("toggling %s/%s recolours %s and changes %d of %d flows", nsg, rule, edge, len(ev.diff.Changed), len(ev.report.Results))
	b := newBrowser(t)
	url := serveTopology(t, func() (*topology.Topology, error) { return topo, nil }, render.DefaultCollapseAbove)
	start := time.Now()
	b.do(t, chromedp.Navigate(url), ready)
	t.Logf("page ready with its diagram in %v", time.Since(start).Round(time.Millisecond))
	first := get(t, b, chromedp.Evaluate[string](edgeStroke(edge)))
	const toggles = 8
	for i := range toggles {
		want := first
		if i%2 == 0 {
			want = "!" + first
		}
		cond := edgeStroke(edge) + ` === "` + first + `"`
		if strings.HasPrefix(want, "!") {
			cond = edgeStroke(edge) + ` !== "` + first + `"`
		}
		// Toggle, see the edge recoloured, and wait for the new layout, as
		// a reviewer looks at the picture before the next click.
		layouts := get(t, b, chromedp.Evaluate[string](`document.body.dataset.layouts`))
		b.do(t, toggle(nsg, rule), poll(cond+` && window.nsgsimTimings.length === `+fmt.Sprint(i+1)),
			poll(`document.body.dataset.layouts !== "`+layouts+`"`))
	}
	parts := get(t, b, chromedp.Evaluate[[]map[string]float64](`window.nsgsimTimingParts`))
	for _, p := range parts {
		t.Logf("request %.0f ms, apply %.0f ms, paint %.0f ms", p["request"], p["apply"], p["paint"])
	}
	ms := get(t, b, chromedp.Evaluate[[]float64](`window.nsgsimTimings`))
	slices.Sort(ms)
	median := ms[len(ms)/2]
	t.Logf("click to repaint on %d VMs, %d toggles of %s/%s: median %.0f ms, min %.0f ms, max %.0f ms",
		estate2000.VMs, len(ms), nsg, rule, median, ms[0], ms[len(ms)-1])
	// A loose bound on the median, so one slow repaint on a busy machine
	// does not fail the test; the README quotes the measured median.
	if limit := 2 * time.Second; time.Duration(median*float64(time.Millisecond)) > limit {
		t.Errorf("click to repaint took %.0f ms (median); want under %v", median, limit)
	}

	// Click a collapsed VNet: the page focuses on it, the URL says so, and
	// the diagram draws its subnets.
	vnet := topo.VirtualNetworks[len(topo.VirtualNetworks)-1].Name
	pt := get(t, b, chromedp.Evaluate[[]float64](fmt.Sprintf(`(function(){
		for (const g of document.querySelectorAll("g.node")) {
			const a = g.querySelector("a");
			if (!a || a.getAttributeNS("http://www.w3.org/1999/xlink", "title").split("\n")[0] !== "VNet " + %q) continue;
			const r = g.getBoundingClientRect();
			return [r.left + r.width / 2, r.top + r.height / 2];
		}
		return [];
	})()`, vnet)))
	if len(pt) != 2 {
		t.Fatalf("no collapsed node for VNet %s in the whole-estate diagram", vnet)
	}
	layouts := get(t, b, chromedp.Evaluate[string](`document.body.dataset.layouts`))
	b.do(t,
		chromedp.MouseClickXY(pt[0], pt[1]),
		poll(`document.body.dataset.layouts !== "`+layouts+`"`),
		poll(fmt.Sprintf(`document.getElementById("crumbs").textContent.includes(%q)`, vnet)),
	)
	subnets := get(t, b, chromedp.Evaluate[int](fmt.Sprintf(`[...document.querySelectorAll("g.cluster a")].filter(a => a.getAttributeNS("http://www.w3.org/1999/xlink", "title").startsWith("subnet " + %q + "/")).length`, vnet)))
	if subnets == 0 {
		t.Errorf("after clicking VNet %s, the diagram draws none of its subnets", vnet)
	}
	if loc := get(t, b, chromedp.Location()); !strings.Contains(loc, "#s=") {
		t.Errorf("the focus is not in the URL: %s", loc)
	}
	for _, l := range b.logged() {
		t.Errorf("browser logged: %s", l)
	}
}
