package render

import (
	"bytes"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/nsgsim/nsgsim/flowgraph"
	"github.com/nsgsim/nsgsim/sim"
)

// Format is a diagram format.
type Format string

const (
	DOT     Format = "dot"
	SVG     Format = "svg"
	PNG     Format = "png"
	Mermaid Format = "mmd"
	HTML    Format = "html"
)

// Formats lists every format, in the order help text shows them.
var Formats = []Format{SVG, PNG, DOT, Mermaid, HTML}

// FormatFor picks the format of an output file: override when set,
// otherwise the file's extension.
func FormatFor(path, override string) (Format, error) {
	name := override
	if name == "" {
		name = strings.TrimPrefix(strings.ToLower(filepath.Ext(path)), ".")
	}
	if name == "mermaid" {
		name = "mmd"
	}
	for _, f := range Formats {
		if string(f) == name {
			return f, nil
		}
	}
	return "", fmt.Errorf("cannot tell the diagram format of %q; use .svg, .png, .dot, .mmd or .html, or --format", path)
}

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
	switch f {
	case DOT:
		return writeDOT(w, d, dotOptions{})
	case Mermaid:
		return writeMermaid(w, d)
	case SVG:
		o.step("laying out")
		svg, err := svgOf(d, dotOptions{})
		if err != nil {
			return err
		}
		_, err = w.Write(svg)
		return err
	case PNG:
		var dot bytes.Buffer
		if err := writeDOT(&dot, d, dotOptions{}); err != nil {
			return err
		}
		o.step("laying out")
		js, err := layout(dot.Bytes(), "json")
		if err != nil {
			return err
		}
		o.step("painting")
		return paintPNG(w, js)
	case HTML:
		o.step("laying out")
		svg, err := svgOf(d, dotOptions{links: true})
		if err != nil {
			return err
		}
		o.step("writing the report")
		return writeHTML(w, d, svg)
	}
	return fmt.Errorf("unknown diagram format %q; expected one of svg, png, dot, mmd, html", f)
}

// svgOf lays the diagram out and returns it as SVG.
func svgOf(d *diagram, o dotOptions) ([]byte, error) {
	var dot bytes.Buffer
	if err := writeDOT(&dot, d, o); err != nil {
		return nil, err
	}
	return layout(dot.Bytes(), "svg")
}
