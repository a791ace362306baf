package render

import (
	"encoding/json"
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

// gvObject is the part of an object of Graphviz's json output that the
// geometry tests read.
type gvObject struct {
	Name    string `json:"name"`
	Label   string `json:"label"`
	Nodes   []int  `json:"nodes"`
	Pos     string `json:"pos"`
	Width   string `json:"width"`
	Height  string `json:"height"`
	LP      string `json:"lp"`
	LWidth  string `json:"lwidth"`
	LHeight string `json:"lheight"`
	Style   string `json:"style"`
	LDraw   []xop  `json:"_ldraw_"`
}

type gvLayout struct {
	BB      string     `json:"bb"`
	LP      string     `json:"lp"`
	LWidth  string     `json:"lwidth"`
	LHeight string     `json:"lheight"`
	Objects []gvObject `json:"objects"`
	Edges   []gvObject `json:"edges"`
}

// centred is a box of a width and height (inches) around a point.
func centred(what, pos, w, h string) box {
	x, y := point(pos)
	hw, hh := num(w)*72/2, num(h)*72/2
	return box{what, x - hw, y - hh, x + hw, y + hh}
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
// node's own label is inside its box.
func geometry(t testing.TB, js []byte) (nodes, labels []box, width, height float64) {
	t.Helper()
	var g gvLayout
	if err := json.Unmarshal(js, &g); err != nil {
		t.Fatalf("reading the layout: %v", err)
	}
	bb, err := parseBB(g.BB)
	if err != nil {
		t.Fatal(err)
	}
	if g.LP != "" {
		labels = append(labels, centred("graph label", g.LP, g.LWidth, g.LHeight))
	}
	for _, o := range g.Objects {
		switch {
		case strings.HasPrefix(o.Name, "cluster"):
			if o.LP != "" {
				labels = append(labels, centred("title of "+o.Name, o.LP, o.LWidth, o.LHeight))
			}
		case o.Nodes != nil:
		case o.Pos != "" && !strings.Contains(o.Style, "invis"):
			nodes = append(nodes, centred("node "+o.Name, o.Pos, o.Width, o.Height))
		}
	}
	for i, e := range g.Edges {
		if b, ok := textBox(fmt.Sprintf("label of edge %d %q", i, e.Label), e.LDraw); ok {
			labels = append(labels, b)
		}
	}
	return nodes, labels, bb[2] - bb[0], bb[3] - bb[1]
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
func laidOut(t testing.TB, r *sim.Report, o Options) []byte {
	t.Helper()
	d, err := build(flowgraph.Build(r), o)
	if err != nil {
		t.Fatal(err)
	}
	_, js, err := chooseColumns(d)
	if err != nil {
		t.Fatal(err)
	}
	return js
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
			js := laidOut(t, p.r(t), defaults)
			nodes, labels, w, h := geometry(t, js)
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
	js, err := layout([]byte(`digraph { a [pos="0,0!", label="a"]; b [pos="10,0!"]; a -> b [label="over"] }`), "json")
	if err != nil {
		t.Fatal(err)
	}
	nodes, labels, _, _ := geometry(t, js)
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
