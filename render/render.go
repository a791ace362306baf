package render

import (
	"bytes"
	"fmt"
	"io"
	"path/filepath"
	"strings"

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
	// CollapseAbove collapses VMs into one node per subnet when the
	// topology has more VMs than this (0: never).
	CollapseAbove int
	// Focus draws only the flows touching a VM, Bastion host, subnet
	// ("workload" or "hub/workload"), VNet or NSG of this name.
	Focus string
	// Highlight marks flows, by flow ID, with a note drawn on their edge
	// ("was Allow"): `nsgsim diff -o` shows what changed this way.
	Highlight map[string]string
}

// Render draws a simulation report in format f (SPEC 7). Everything drawn
// comes from the report's results; the same report gives the same bytes.
func Render(w io.Writer, f Format, r *sim.Report, o Options) error {
	d, err := build(r, o)
	if err != nil {
		return err
	}
	switch f {
	case DOT:
		return writeDOT(w, d, dotOptions{})
	case Mermaid:
		return writeMermaid(w, d)
	case SVG:
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
		js, err := layout(dot.Bytes(), "json")
		if err != nil {
			return err
		}
		return paintPNG(w, js)
	case HTML:
		svg, err := svgOf(d, dotOptions{links: true})
		if err != nil {
			return err
		}
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
