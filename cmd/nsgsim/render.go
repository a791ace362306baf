package main

import (
	"bytes"
	"io"

	"github.com/spf13/cobra"

	"github.com/nsgsim/nsgsim/render"
)

// newRenderCmd is `nsgsim render`: the diagram of a topology and nothing
// else. It exits 0 when the diagram is written, whatever the flows'
// verdicts, and 2 on bad usage or input, writing nothing.
func newRenderCmd(e *env) *cobra.Command {
	c := &cobra.Command{
		Use:   "render FILE | --scenario NAME -o OUT",
		Short: "draw the diagram only",
		Long: `Render draws the diagram of the topology FILE: VNets, subnets, NSGs, VMs and
Bastion hosts, with every documented Bastion flow as an edge, green when it
passes and red, naming the deciding rule, when it is blocked. The format
follows OUT's extension (.svg, .png, .dot, .mmd or .html); -o - writes to
standard output and needs --format.`,
		Args: cobra.ArbitraryArgs,
		Annotations: map[string]string{annotationExitCodes: `  0  the diagram is written, whatever the flows' verdicts
  2  bad usage or bad input (nothing is written)`},
		Example: "  nsgsim render topology.yaml -o topology.svg",
	}
	in := addInputFlags(c, "draw")
	out := c.Flags().StringP("output", "o", "", "write the diagram to `OUT` (.svg, .png, .dot, .mmd or .html; - for standard output)")
	format := enumFlag(c, "format", "", "", "diagram `FORMAT`: "+orList(diagramFormatNames())+" (default: from OUT's extension; must agree with it)", diagramFormatNames())
	ropts := renderFlags(c)
	quiet := c.Flags().Bool("quiet", false, "no progress bar on standard error")
	c.RunE = func(c *cobra.Command, args []string) error {
		if err := in.check(); err != nil {
			return err
		}
		path, err := oneInput(args, in.scenario)
		if err != nil {
			return err
		}
		if *out == "" {
			return usagef("missing -o OUT; the format follows OUT's extension (.svg, .png, .dot, .mmd or .html)")
		}
		f, err := diagramFormat(*out, *format, "format")
		if err != nil {
			return err
		}
		if ropts.CollapseAbove < 0 {
			return usagef("--collapse-above %d: want a number of VMs, 0 or more (0: never collapse)", ropts.CollapseAbove)
		}
		prog := newProgress(e, *quiet)
		defer prog.finish()
		t, r, err := loadAndSimulate(prog, in, path)
		if err != nil {
			return err
		}
		opts := *ropts
		opts.Step = func(step string) { prog.phase("drawing "+*out+": "+step, 0) }
		draw := func(w io.Writer) error { return render.Render(w, f, r, opts) }
		if *out == "-" {
			// Drawn in memory first: the progress line ends before the
			// diagram reaches standard output.
			var buf bytes.Buffer
			if err := draw(&buf); err != nil {
				return commandError(c, err)
			}
			prog.finish()
			draw = func(w io.Writer) error { _, err := w.Write(buf.Bytes()); return err }
		}
		if err := e.writeOutput(*out, in.read([]string{path}, t), draw); err != nil {
			return commandError(c, err)
		}
		return nil
	}
	return c
}
