package render

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"slices"
	"strings"

	"github.com/nsgsim/nsgsim/flowgraph"
	"github.com/nsgsim/nsgsim/sim"
)

// Format is a diagram format.
type Format string

const (
	DOT       Format = "dot"
	SVG       Format = "svg"
	PNG       Format = "png"
	Mermaid   Format = "mmd"
	HTML      Format = "html"
	Drawio    Format = "drawio"     // diagrams.net (draw.io) mxGraph XML
	DrawioSVG Format = "drawio.svg" // an SVG picture that carries the draw.io diagram
)

// Formats lists every format, in the order help text shows them.
var Formats = []Format{SVG, PNG, DOT, Mermaid, HTML, Drawio, DrawioSVG}

// FormatFor picks the format of an output file: override when set,
// otherwise the file's extension.
func FormatFor(path, override string) (Format, error) {
	name := override
	if name == "" {
		base := strings.ToLower(filepath.Base(path))
		name = strings.TrimPrefix(filepath.Ext(base), ".")
		if strings.HasSuffix(base, ".drawio.svg") {
			name = string(DrawioSVG)
		}
	}
	if name == "mermaid" {
		name = "mmd"
	}
	for _, f := range Formats {
		if string(f) == name {
			return f, nil
		}
	}
	return "", fmt.Errorf("cannot tell the diagram format of %q; use .svg, .png, .dot, .mmd, .html, .drawio or .drawio.svg, or --format", path)
}

// DefaultCollapseAbove is the number of VMs past which a diagram draws
// the VMs of each subnet as one box, listing them, with one edge per
// subnet and kind of flow: up to a dozen VMs, every flow's own edge stays
// readable at 100% zoom; hub-three-spokes's 30 VMs are drawn by subnet.
const DefaultCollapseAbove = 12

// Options tune a diagram.
type Options struct {
	// CollapseAbove collapses a large diagram in levels, so that it stays
	// readable and Graphviz lays it out in seconds (0: never collapse):
	//
	//   - up to CollapseAbove VMs: every VM is drawn, one edge per flow;
	//   - more VMs: the VMs of each subnet are one node ("40 VMs, 25
	//     Linux, 15 Windows"), with one edge per kind of flow, protocol
	//     and port between two nodes, coloured by the worst verdict and
	//     labelled with how many flows had each verdict;
	//   - if that would still draw more than 40 subnet boxes or 150 edges:
	//     each VNet is one node (its address space, subnets, VMs by OS,
	//     NSGs and peerings), with one edge per Bastion host (or other
	//     end), group of kinds ("SSH/RDP") and VNet, labelled with the
	//     counts of each verdict and the NSG, rule and priority that
	//     blocked most of its blocked flows. A VNet that hosts a Bastion
	//     host the flows start from, or that Focus names or holds, keeps
	//     its subnet boxes.
	//
	// With Focus, only the VMs of the flows kept count. The diagram's
	// subtitle says which level was drawn.
	CollapseAbove int
	// Focus draws only the flows touching a VM, Bastion host, subnet
	// ("workload" or "hub/workload"), VNet or NSG of this name.
	Focus string
	// Highlight marks flows, by flow ID, with a note drawn on their edge
	// ("was Allow"): `nsgsim diff -o` shows what changed this way.
	Highlight map[string]string
	// Step, when set, is called as each step of drawing starts ("laying
	// out", "painting", "writing the report"), for a progress line: a
	// large diagram can take seconds.
	Step func(name string)
}

func (o Options) step(name string) {
	if o.Step != nil {
		o.Step(name)
	}
}

// Render draws a simulation report in format f (SPEC 7). Everything drawn
// comes from the report's results; the same report gives the same bytes.
func Render(w io.Writer, f Format, r *sim.Report, o Options) error {
	return RenderGraph(w, f, flowgraph.Build(r), o)
}

// RenderGraph draws the graph of a report's flows (flowgraph.Build) in
// format f: for a caller that already holds the graph, or a selection of
// it (flowgraph.Graph.Select).
func RenderGraph(w io.Writer, f Format, g *flowgraph.Graph, o Options) error {
	o.step("building the diagram")
	d, err := build(g, o)
	if err != nil {
		return err
	}
	if err := d.withinBudget(); err != nil {
		return err
	}
	if !slices.Contains(Formats, f) {
		return fmt.Errorf("unknown diagram format %q; expected one of svg, png, dot, mmd, html, drawio, drawio.svg", f)
	}
	if f == Mermaid {
		return writeMermaid(w, d)
	}
	o.step("laying out")
	cols, lay, err := chooseColumns(d)
	if err != nil {
		return err
	}
	dot := func(links bool) []byte {
		var buf bytes.Buffer
		writeDOT(&buf, d, dotOptions{cols: cols, links: links}) // a bytes.Buffer takes every write
		return buf.Bytes()
	}
	switch f {
	case DOT:
		_, err := w.Write(dot(false))
		return err
	case SVG:
		svg, err := layout(dot(false), "svg")
		if err != nil {
			return err
		}
		_, err = w.Write(svg)
		return err
	case PNG:
		o.step("painting")
		return paintPNG(w, lay)
	case Drawio:
		return writeDrawio(w, d, lay, nil)
	case DrawioSVG:
		svg, err := layout(dot(false), "svg")
		if err != nil {
			return err
		}
		return writeDrawio(w, d, lay, svg)
	case HTML:
		svg, err := layout(dot(true), "svg")
		if err != nil {
			return err
		}
		o.step("writing the report")
		return writeHTML(w, d, svg)
	}
	panic("unreachable: format " + string(f))
}

// The proportions a picture should keep, width to height: near a
// landscape page's.
const (
	minAspect = 1.0
	maxAspect = 2.5
)

// chooseColumns picks the number of columns of the grid of spokes that
// keeps the picture's width to height between minAspect and maxAspect,
// nearest 1.6, by laying it out: one more column makes the picture wider
// and lower. It returns the columns and the layout drawn with them.
func chooseColumns(d *diagram) (int, *gvLayout, error) {
	_, items := gridItems(d)
	spokes := len(items)
	try := func(cols int) (*gvLayout, float64, error) {
		var buf bytes.Buffer
		writeDOT(&buf, d, dotOptions{cols: cols})
		l, err := layOut(buf.Bytes())
		if err != nil {
			return nil, 0, err
		}
		w, h := l.size()
		return l, w / max(h, 1), nil
	}
	// A first guess from the items' guessed heights H: with c columns
	// about 400 points wide (a column and its labels) beside 400 points
	// of sources, Bastion and egress, the page is 400+400c wide and
	// H/c+150 high; solve for a width:height of 1.6.
	h := 0.0
	for _, it := range items {
		h += it.height
	}
	cols := int(math.Round((-160 + math.Sqrt(160*160+4*400*1.6*h)) / 800))
	cols = max(1, min(cols, spokes))
	type tried struct {
		l      *gvLayout
		aspect float64
	}
	seen := map[int]tried{}
	best := 0
	for range 5 {
		l, aspect, err := try(cols)
		if err != nil {
			return 0, nil, err
		}
		seen[cols] = tried{l, aspect}
		if best == 0 || math.Abs(math.Log(aspect/1.6)) < math.Abs(math.Log(seen[best].aspect/1.6)) {
			best = cols
		}
		next := cols
		switch {
		case aspect < minAspect*1.05 && cols < spokes:
			next = cols + 1
		case aspect > maxAspect*0.95 && cols > 1:
			next = cols - 1
		}
		if _, done := seen[next]; done || next == cols {
			break
		}
		cols = next
	}
	return best, seen[best].l, nil
}
