package main

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/nsgsim/nsgsim/render"
	"github.com/nsgsim/nsgsim/report"
	"github.com/nsgsim/nsgsim/sim"
)

// reportFormats are the formats simulate writes to standard output.
var reportFormats = map[string]func(io.Writer, *sim.Report) error{
	"table":    report.WriteTable,
	"json":     report.WriteJSON,
	"markdown": report.WriteMarkdown,
	"sarif":    report.WriteSARIF,
}

// reportFormatNames are reportFormats' names, in the order help lists them.
var reportFormatNames = []string{"table", "json", "markdown", "sarif"}

func newSimulateCmd(e *env) *cobra.Command {
	c := &cobra.Command{
		Use:   "simulate FILE | --scenario NAME",
		Short: "decide every documented Bastion flow; report, check expectations, draw",
		Long: `Simulate decides every documented Bastion flow of the topology FILE (YAML, or az,
ARM or Terraform JSON) the way Azure would, lints the NSGs, checks the
topology's expectations and prints the report on standard output. With -o it
also draws the diagram.`,
		Args:        cobra.ArbitraryArgs,
		Annotations: map[string]string{annotationExitCodes: exitCodesHelp},
		Example:     "  nsgsim simulate topology.yaml -o topology.svg --format markdown",
	}
	in := addInputFlags(c, "simulate")
	format := enumFlag(c, "format", "", "table", "report `FORMAT` on standard output: "+orList(reportFormatNames), reportFormatNames)
	out := c.Flags().StringP("output", "o", "", "also draw the diagram to `OUT` (.svg, .png, .dot, .mmd or .html)")
	diagramFmt := enumFlag(c, "diagram-format", "", "", "diagram `FORMAT` of -o: "+orList(diagramFormatNames())+" (default: from OUT's extension; must agree with it)", diagramFormatNames())
	ropts := renderFlags(c)
	quiet := c.Flags().Bool("quiet", false, "no progress bar on standard error")
	c.RunE = func(c *cobra.Command, args []string) error {
		if err := checkEnum("format", *format, reportFormatNames); err != nil {
			return err
		}
		write := reportFormats[*format]
		if err := in.check(); err != nil {
			return err
		}
		path, err := oneInput(args, in.scenario)
		if err != nil {
			return err
		}
		var diagram render.Format
		if *out == "-" {
			return usagef("-o - would mix the diagram into the report on standard output; draw it to a file, or use nsgsim render -o - --format FORMAT")
		}
		if *out != "" {
			if err := checkNotInput(*out, in.files(path)); err != nil {
				return usagef("%v", err)
			}
			f, err := diagramFormat(*out, *diagramFmt, "diagram-format")
			if err != nil {
				return err
			}
			diagram = f
		}
		prog := newProgress(e, *quiet)
		defer prog.finish()
		t, r, err := loadAndSimulate(prog, in, path)
		if err != nil {
			return err
		}
		if *out != "" {
			prog.phase("drawing "+*out, 0)
			err := writeFile(*out, in.read([]string{path}, t), func(w io.Writer) error {
				return render.Render(w, diagram, r, *ropts)
			})
			if err != nil {
				return commandError(c, err)
			}
		}
		prog.finish()
		if err := write(e.stdout, r); err != nil {
			return commandError(c, err)
		}
		if !r.Summary.OK() {
			return errFailed
		}
		return nil
	}
	return c
}

// commandError is err from command c, prefixed with its name: an error that
// is not about the input's content, such as a failed write.
func commandError(c *cobra.Command, err error) error {
	return &inputError{fmt.Errorf("%s: %w", c.CommandPath(), err)}
}

// oneInput checks that a command got exactly one FILE, or a --scenario.
func oneInput(args []string, scenario string) (string, error) {
	switch {
	case scenario != "" && len(args) > 0:
		return "", usagef("give a FILE or --scenario, not both")
	case scenario != "":
		return "", nil
	case len(args) == 1:
		return args[0], nil
	case len(args) == 0:
		return "", usagef("missing topology FILE (or --scenario NAME; 'nsgsim scenarios' lists them)")
	}
	return "", usagef("want one topology FILE, got %d: %q", len(args), args)
}

// renderFlags adds the diagram flags shared by simulate, render and diff.
func renderFlags(c *cobra.Command) *render.Options {
	o := &render.Options{}
	c.Flags().IntVar(&o.CollapseAbove, "collapse-above", render.DefaultCollapseAbove, "draw one node per subnet when there are more than `N` VMs (0: never)")
	c.Flags().StringVar(&o.Focus, "focus", "", "draw only the flows touching this VM, subnet or NSG `NAME`")
	return o
}
