package main

import (
	"fmt"
	"io"

	"github.com/nsgsim/nsgsim/diff"
	"github.com/nsgsim/nsgsim/render"
	"github.com/nsgsim/nsgsim/sim"
	"github.com/nsgsim/nsgsim/topology"
	"github.com/nsgsim/nsgsim/topology/terraform"
)

var diffFormats = map[string]func(io.Writer, *diff.Result) error{
	"table":    diff.WriteTable,
	"json":     diff.WriteJSON,
	"markdown": diff.WriteMarkdown,
}

func runDiff(e *env, args []string) int {
	fs := newFlags(e, "diff")
	out := fs.StringP("output", "o", "", "draw the new topology to `OUT` with the changed edges highlighted")
	format := fs.String("format", "table", "table, json or markdown (for a pull-request comment)")
	inputFormat := inputFormatFlag(fs)
	plan := fs.String("plan", "", "compare a Terraform plan's prior state with its planned values (`PLAN.json` from terraform show -json)")
	ropts := renderFlags(fs)
	fs.Usage = func() {
		fmt.Fprintln(e.stderr, "usage: nsgsim diff OLD NEW | --plan PLAN.json [-o OUT] [--format table|json|markdown]")
		fmt.Fprintln(e.stderr, "Exit 1 when a required flow goes from Allow to Deny or Partial.")
		fs.PrintDefaults()
	}
	if code, ok := parseFlags(e, fs, args); !ok {
		return code
	}
	write, ok := diffFormats[*format]
	if !ok {
		return fail(e, "nsgsim diff: unknown --format %q; expected table, json or markdown", *format)
	}
	if err := checkInputFormat("diff", *inputFormat); err != nil {
		return fail(e, "%v", err)
	}
	var inputs []string
	switch {
	case *plan != "" && fs.NArg() > 0:
		return fail(e, "nsgsim diff: give OLD NEW or --plan, not both")
	case *plan != "":
		inputs = []string{*plan}
	case fs.NArg() == 2:
		inputs = fs.Args()
	default:
		return fail(e, "nsgsim diff: want OLD and NEW topology files (or --plan PLAN.json), got %d argument(s)", fs.NArg())
	}
	var diagram render.Format
	if *out != "" {
		if err := checkNotInput(*out, inputs); err != nil {
			return fail(e, "nsgsim diff: %v", err)
		}
		f, err := render.FormatFor(*out, "")
		if err != nil {
			return fail(e, "nsgsim diff: %v", err)
		}
		diagram = f
	}
	var oldT, newT *topology.Topology
	if *plan != "" {
		var err error
		if oldT, newT, err = planSides(*plan); err != nil {
			return fail(e, "%v", err)
		}
	} else {
		var err error
		if oldT, err = loadTopology(inputs[0], "", *inputFormat); err != nil {
			return fail(e, "%v", err)
		}
		if newT, err = loadTopology(inputs[1], "", *inputFormat); err != nil {
			return fail(e, "%v", err)
		}
	}
	oldR, err := sim.Simulate(oldT)
	if err != nil {
		return fail(e, "%v", err)
	}
	newR, err := sim.Simulate(newT)
	if err != nil {
		return fail(e, "%v", err)
	}
	d := diff.Compare(oldR, newR)
	if *out != "" {
		opts := *ropts
		opts.Highlight = d.Highlights()
		err := writeFile(*out, inputs, func(w io.Writer) error {
			return render.Render(w, diagram, newR, opts)
		})
		if err != nil {
			return fail(e, "nsgsim diff: %v", err)
		}
	}
	if err := write(e.stdout, d); err != nil {
		return fail(e, "nsgsim diff: %v", err)
	}
	if d.Broken() > 0 {
		return exitFail
	}
	return exitOK
}

// planSides imports a Terraform plan's prior state and planned values: what
// the change will do. A plan with no prior state (everything is created)
// compares against an empty topology.
func planSides(path string) (prior, planned *topology.Topology, err error) {
	data, err := topology.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	planned, prior, err = terraform.ImportPlan(data, path)
	if err != nil {
		return nil, nil, err
	}
	if prior == nil {
		prior = &topology.Topology{}
	}
	nameAfter(prior, path+" (prior state)")
	nameAfter(planned, path+" (planned)")
	return prior, planned, nil
}
