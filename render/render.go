package render

import (
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
	// Focus draws only the flows touching a VM, subnet or NSG of this name.
	Focus string
}

// Render draws a simulation report in format f.
func Render(w io.Writer, f Format, r *sim.Report, o Options) error {
	return fmt.Errorf("%s diagrams are not implemented yet", f)
}
