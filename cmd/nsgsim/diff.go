package main

import (
	"io"

	"github.com/spf13/cobra"

	"github.com/nsgsim/nsgsim/diff"
	"github.com/nsgsim/nsgsim/input"
	"github.com/nsgsim/nsgsim/render"
	"github.com/nsgsim/nsgsim/sim"
	"github.com/nsgsim/nsgsim/topology"
)

var diffFormats = map[string]func(io.Writer, *diff.Result) error{
	"table":    diff.WriteTable,
	"json":     diff.WriteJSON,
	"markdown": diff.WriteMarkdown,
}

// diffFormatNames are diffFormats' names, in the order help lists them.
var diffFormatNames = []string{"table", "json", "markdown"}

func newDiffCmd(e *env) *cobra.Command {
	c := &cobra.Command{
		Use:   "diff OLD NEW | --plan PLAN.json",
		Short: "what-if: flows whose verdict changed, and why",
		Long: `Diff simulates two topologies (or a Terraform plan's prior state and its planned
values) and prints the flows whose verdict or deciding rule changed, and why.
With -o it draws the new topology with the changed edges highlighted.`,
		Args: cobra.ArbitraryArgs,
		Annotations: map[string]string{annotationExitCodes: `  0  no required flow goes from Allow to Deny or Partial
  1  a required flow goes from Allow to Deny or Partial
  2  bad usage or bad input (nothing is written)`},
		Example: "  nsgsim diff main.yaml branch.yaml --format markdown",
	}
	format := enumFlag(c, "format", "", "table", "report `FORMAT` on standard output: "+orList(diffFormatNames)+" (markdown for a pull-request comment)", diffFormatNames)
	out := c.Flags().StringP("output", "o", "", "draw the new topology to `OUT` with the changed edges highlighted")
	diagramFmt := enumFlag(c, "diagram-format", "", "", "diagram `FORMAT` of -o: "+orList(diagramFormatNames())+" (default: from OUT's extension; must agree with it)", diagramFormatNames())
	in := &inputFlags{}
	addReadFlags(c, in)
	plan := c.Flags().String("plan", "", "compare a Terraform plan's prior state with its planned values (`PLAN.json` from terraform show -json)")
	ropts := renderFlags(c)
	c.RunE = func(c *cobra.Command, args []string) error {
		if err := checkEnum("format", *format, diffFormatNames); err != nil {
			return err
		}
		write := diffFormats[*format]
		if err := in.check(); err != nil {
			return err
		}
		var inputs []string
		switch {
		case *plan != "" && len(args) > 0:
			return usagef("give OLD NEW or --plan, not both")
		case *plan != "":
			inputs = []string{*plan}
		case len(args) == 2:
			inputs = args
		default:
			return usagef("want OLD and NEW topology files (or --plan PLAN.json), got %d argument(s)", len(args))
		}
		var diagram render.Format
		if *out == "-" {
			return usagef("-o - would mix the diagram into the report on standard output; draw it to a file")
		}
		if *out != "" {
			if err := checkNotInput(*out, in.files(inputs...)); err != nil {
				return usagef("%v", err)
			}
			f, err := diagramFormat(*out, *diagramFmt, "diagram-format")
			if err != nil {
				return err
			}
			diagram = f
		}
		var oldT, newT *topology.Topology
		if *plan != "" {
			var err error
			if oldT, newT, err = input.Plan(*plan, in.opts); err != nil {
				return &inputError{err}
			}
		} else {
			var err error
			if oldT, err = in.load(inputs[0]); err != nil {
				return &inputError{err}
			}
			if newT, err = in.load(inputs[1]); err != nil {
				return &inputError{err}
			}
		}
		oldR, err := sim.Simulate(oldT)
		if err != nil {
			return &inputError{err}
		}
		newR, err := sim.Simulate(newT)
		if err != nil {
			return &inputError{err}
		}
		d := diff.Compare(oldR, newR)
		if *out != "" {
			opts := *ropts
			opts.Highlight = d.Highlights()
			err := writeFile(*out, in.read(inputs, oldT, newT), func(w io.Writer) error {
				return render.Render(w, diagram, newR, opts)
			})
			if err != nil {
				return commandError(c, err)
			}
		}
		if err := write(e.stdout, d); err != nil {
			return commandError(c, err)
		}
		if d.Broken() > 0 {
			return errFailed
		}
		return nil
	}
	return c
}
