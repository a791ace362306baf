package main

import (
	"fmt"
	"io"

	"github.com/spf13/pflag"

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

func runSimulate(e *env, args []string) int {
	fs := newFlags(e, "simulate")
	scenario := fs.String("scenario", "", "simulate a built-in scenario (see 'nsgsim scenarios')")
	inputFormat := inputFormatFlag(fs)
	out := fs.StringP("output", "o", "", "also draw the diagram to `OUT` (.svg, .png, .dot, .mmd or .html)")
	format := fs.String("format", "table", "report format on standard output: table, json, markdown or sarif")
	ropts := renderFlags(fs)
	quiet := fs.Bool("quiet", false, "no progress bar on standard error")
	fs.Usage = func() {
		fmt.Fprintln(e.stderr, "usage: nsgsim simulate FILE | --scenario NAME [-o OUT] [--format table|json|markdown|sarif]")
		fs.PrintDefaults()
	}
	if code, ok := parseFlags(e, fs, args); !ok {
		return code
	}
	write, ok := reportFormats[*format]
	if !ok {
		return fail(e, "nsgsim simulate: unknown --format %q; expected table, json, markdown or sarif", *format)
	}
	if err := checkInputFormat("simulate", *inputFormat); err != nil {
		return fail(e, "%v", err)
	}
	path, code, ok := oneInput(e, fs.Args(), *scenario, "simulate")
	if !ok {
		return code
	}
	var diagram render.Format
	if *out != "" {
		if err := checkNotInput(*out, inputsOf(path)); err != nil {
			return fail(e, "nsgsim simulate: %v", err)
		}
		f, err := render.FormatFor(*out, "")
		if err != nil {
			return fail(e, "nsgsim simulate: %v", err)
		}
		diagram = f
	}
	prog := newProgress(e, *quiet)
	defer prog.finish()
	t, err := loadWithProgress(prog, path, *scenario, *inputFormat)
	if err != nil {
		prog.finish()
		return fail(e, "%v", err)
	}
	r, err := simulateWithProgress(prog, t)
	if err != nil {
		prog.finish()
		return fail(e, "%v", err)
	}
	if *out != "" {
		prog.phase("drawing "+*out, 0)
		err := writeFile(*out, inputsOf(path), func(w io.Writer) error {
			return render.Render(w, diagram, r, *ropts)
		})
		if err != nil {
			prog.finish()
			return fail(e, "nsgsim simulate: %v", err)
		}
	}
	prog.finish()
	if err := write(e.stdout, r); err != nil {
		return fail(e, "nsgsim simulate: %v", err)
	}
	if !r.Summary.OK() {
		return exitFail
	}
	return exitOK
}

// oneInput checks that a command got exactly one FILE, or a --scenario.
func oneInput(e *env, args []string, scenario, cmd string) (string, int, bool) {
	switch {
	case scenario != "" && len(args) > 0:
		return "", fail(e, "nsgsim %s: give a FILE or --scenario, not both", cmd), false
	case scenario != "":
		return "", 0, true
	case len(args) == 1:
		return args[0], 0, true
	case len(args) == 0:
		return "", fail(e, "nsgsim %s: missing topology FILE (or --scenario NAME; 'nsgsim scenarios' lists them)", cmd), false
	}
	return "", fail(e, "nsgsim %s: want one topology FILE, got %d: %v", cmd, len(args), args), false
}

func inputsOf(path string) []string {
	if path == "" {
		return nil
	}
	return []string{path}
}

// renderFlags adds the diagram flags shared by simulate and render.
func renderFlags(fs *pflag.FlagSet) *render.Options {
	o := &render.Options{}
	fs.IntVar(&o.CollapseAbove, "collapse-above", render.DefaultCollapseAbove, "draw one node per subnet when there are more than `N` VMs (0: never)")
	fs.StringVar(&o.Focus, "focus", "", "draw only the flows touching this VM, subnet or NSG `NAME`")
	return o
}
