package render

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/nsgsim/nsgsim/flowgraph"
	"github.com/nsgsim/nsgsim/gen"
	"github.com/nsgsim/nsgsim/internal/simtest"
	"github.com/nsgsim/nsgsim/sim"
)

// box is a rectangle of the layout, in points.
type box struct {
	what           string
	x0, y0, x1, y1 float64
}

// overlaps reports whether two boxes share more than tol points each way.
func (a box) overlaps(b box, tol float64) bool {
	return math.Min(a.x1, b.x1)-math.Max(a.x0, b.x0) > tol && math.Min(a.y1, b.y1)-math.Max(a.y0, b.y0) > tol
}

func (a box) String() string {
	return fmt.Sprintf("%s [%.0f,%.0f %.0f,%.0f]", a.what, a.x0, a.y0, a.x1, a.y1)
}

// centred is a box of the layout around its centre.
func centred(what string, b gvBox) box {
	hw, hh := b.w/2, b.h/2
	return box{what, b.x - hw, b.y - hh, b.x + hw, b.y + hh}
}

// textBox is the box of a label's lines of text, from their xdot
// operations: each line from its baseline, a font size high.
func textBox(what string, ops []xop) (box, bool) {
	b := box{what: what, x0: math.Inf(1), y0: math.Inf(1), x1: math.Inf(-1), y1: math.Inf(-1)}
	size, any := 14.0, false
	for _, op := range ops {
		switch op.Op {
		case "F":
			size = op.Size
		case "T":
			x0 := op.Pt[0]
			switch op.Align {
			case "c":
				x0 -= op.Width / 2
			case "r":
				x0 -= op.Width
			}
			b.x0, b.x1 = math.Min(b.x0, x0), math.Max(b.x1, x0+op.Width)
			b.y0, b.y1 = math.Min(b.y0, op.Pt[1]-0.2*size), math.Max(b.y1, op.Pt[1]+0.8*size)
			any = true
		}
	}
	return b, any
}

// geometry reads a layout's node boxes and label boxes: edge labels,
// cluster titles and the graph's label (title, summary and legend). A
// node's own label is inside its box. The layout is read by readLayout,
// as the PNG and draw.io writers read it: this test checks where Graphviz
// put things, not how its output is parsed.
func geometry(l *gvLayout) (nodes, labels []box, width, height float64) {
	if l.label.ok {
		labels = append(labels, centred("graph label", l.label))
	}
	for _, o := range l.objects {
		switch {
		case o.subgraph:
			if o.label.ok {
				labels = append(labels, centred("title of "+o.name, o.label))
			}
		case o.box.ok && !strings.Contains(o.style, "invis"):
			nodes = append(nodes, centred("node "+o.name, o.box))
		}
	}
	for i, e := range l.edges {
		if b, ok := textBox(fmt.Sprintf("label of edge %d %q", i, e.label), e.LDraw); ok {
			labels = append(labels, b)
		}
	}
	width, height = l.size()
	return nodes, labels, width, height
}

// overlapping lists the label boxes that overlap one another or a node
// box, and the node boxes that overlap one another, beyond tol points.
func overlapping(nodes, labels []box, tol float64) []string {
	var out []string
	for i, a := range labels {
		for _, b := range labels[i+1:] {
			if a.overlaps(b, tol) {
				out = append(out, a.String()+" overlaps "+b.String())
			}
		}
		for _, b := range nodes {
			if a.overlaps(b, tol) {
				out = append(out, a.String()+" overlaps "+b.String())
			}
		}
	}
	for i, a := range nodes {
		for _, b := range nodes[i+1:] {
			if a.overlaps(b, tol) {
				out = append(out, a.String()+" overlaps "+b.String())
			}
		}
	}
	return out
}

// laidOut builds and lays out a report's diagram as Render does.
func laidOut(t testing.TB, r *sim.Report, o Options) *gvLayout {
	t.Helper()
	d, err := build(flowgraph.Build(r), o)
	if err != nil {
		t.Fatal(err)
	}
	_, l, err := chooseColumns(d)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// estates are generated estates of the sizes issue 16 names.
var estates = []struct {
	name string
	o    gen.Options
}{
	{"30 VMs", gen.Options{Seed: 1, VNets: 4, Subnets: 9, VMs: 30, RulesPerNSG: 5}},
	{"300 VMs", gen.Options{Seed: 1, VNets: 10, Subnets: 60, VMs: 300, RulesPerNSG: 20}},
	{"2000 VMs", gen.Options{Seed: 1, VNets: 20, Subnets: 200, VMs: 2000, RulesPerNSG: 50}},
}

// TestLayoutGeometry checks every built-in scenario and the generated
// estates, as `nsgsim render` draws them: no label box overlaps another
// or a node box (1 pt tolerance; edges crossing labels are not counted),
// and the page is between 1:1 and 2.5:1, width to height.
func TestLayoutGeometry(t *testing.T) {
	type picture struct {
		name string
		r    func(t *testing.T) *sim.Report
	}
	var pictures []picture
	for _, name := range scenarioNames(t) {
		pictures = append(pictures, picture{name, func(t *testing.T) *sim.Report { return simtest.Scenario(t, name) }})
	}
	for _, e := range estates {
		if testing.Short() && e.o.VMs > 300 {
			continue
		}
		pictures = append(pictures, picture{e.name, func(t *testing.T) *sim.Report { return generated(t, e.o) }})
	}
	for _, p := range pictures {
		t.Run(p.name, func(t *testing.T) {
			nodes, labels, w, h := geometry(laidOut(t, p.r(t), defaults))
			for _, o := range overlapping(nodes, labels, 1) {
				t.Error(o)
			}
			if a := w / h; a < minAspect || a > maxAspect {
				t.Errorf("page %.0f × %.0f pt: width to height %.2f, want between %v and %v", w, h, a, minAspect, maxAspect)
			}
		})
	}
}

// TestOverlapDetected checks the check: two nodes forced onto one spot
// and a label across a node are reported.
func TestOverlapDetected(t *testing.T) {
	l, err := layOut([]byte(`digraph { a [pos="0,0!", label="a"]; b [pos="10,0!"]; a -> b [label="over"] }`))
	if err != nil {
		t.Fatal(err)
	}
	nodes, labels, _, _ := geometry(l)
	if len(nodes) != 2 || len(labels) != 1 {
		t.Fatalf("read %d nodes and %d labels, want 2 and 1", len(nodes), len(labels))
	}
	moved := []box{nodes[0], {what: "moved", x0: nodes[0].x0 + 5, y0: nodes[0].y0, x1: nodes[0].x1 + 5, y1: nodes[0].y1}}
	if len(overlapping(moved, nil, 1)) != 1 {
		t.Errorf("two overlapping nodes not reported")
	}
	across := box{what: "label", x0: nodes[0].x0, y0: nodes[0].y0, x1: nodes[0].x0 + 3, y1: nodes[0].y0 + 3}
	if len(overlapping(nodes[:1], []box{across}, 1)) != 1 {
		t.Errorf("a label across a node not reported")
	}
	touching := box{what: "label", x0: nodes[0].x1 - 0.5, y0: nodes[0].y0, x1: nodes[0].x1 + 20, y1: nodes[0].y1}
	if len(overlapping(nodes[:1], []box{touching}, 1)) != 0 {
		t.Errorf("a label within the 1 pt tolerance reported")
	}
}
