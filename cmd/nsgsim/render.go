package main

import (
	"bytes"
	"fmt"
	"io"

	"github.com/nsgsim/nsgsim/render"
)

// runRender draws the diagram of a topology and nothing else. It exits 0
// when the diagram is written, whatever the flows' verdicts, and 2 on bad
// usage or input, writing nothing.
func runRender(e *env, args []string) int {
	fs := newFlags(e, "render")
	scenario := fs.String("scenario", "", "draw a built-in scenario (see 'nsgsim scenarios')")
	inputFormat := inputFormatFlag(fs)
	out := fs.StringP("output", "o", "", "write the diagram to `OUT` (.svg, .png, .dot, .mmd or .html; - for standard output)")
	format := fs.String("format", "", "diagram `FORMAT`: svg, png, dot, mmd or html (default: from OUT's extension)")
	ropts := renderFlags(fs)
	quiet := fs.Bool("quiet", false, "no progress bar on standard error")
	fs.Usage = func() {
		fmt.Fprintln(e.stderr, "usage: nsgsim render FILE | --scenario NAME -o OUT.{svg,png,dot,mmd,html} [--format F] [--collapse-above N] [--focus NAME] [--quiet]")
		fs.PrintDefaults()
	}
	if code, ok := parseFlags(e, fs, args); !ok {
		return code
	}
	if err := checkInputFormat("render", *inputFormat); err != nil {
		return fail(e, "%v", err)
	}
	path, code, ok := oneInput(e, fs.Args(), *scenario, "render")
	if !ok {
		return code
	}
	if *out == "" {
		return fail(e, "nsgsim render: missing -o OUT; the format follows OUT's extension (.svg, .png, .dot, .mmd or .html)")
	}
	if *out == "-" && *format == "" {
		return fail(e, "nsgsim render: -o - writes to standard output and needs --format (svg, png, dot, mmd or html)")
	}
	f, err := render.FormatFor(*out, *format)
	if err != nil {
		return fail(e, "nsgsim render: %v", err)
	}
	if ropts.CollapseAbove < 0 {
		return fail(e, "nsgsim render: --collapse-above %d: want a number of VMs, 0 or more (0: never collapse)", ropts.CollapseAbove)
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
	opts := *ropts
	opts.Step = func(step string) { prog.phase("drawing "+*out+": "+step, 0) }
	draw := func(w io.Writer) error { return render.Render(w, f, r, opts) }
	if *out == "-" {
		// Drawn in memory first, so that an error writes nothing.
		var buf bytes.Buffer
		err := draw(&buf)
		prog.finish()
		if err != nil {
			return fail(e, "nsgsim render: %v", err)
		}
		if _, err := e.stdout.Write(buf.Bytes()); err != nil {
			return fail(e, "nsgsim render: %v", err)
		}
		return exitOK
	}
	err = writeFile(*out, inputsOf(path), draw)
	prog.finish()
	if err != nil {
		return fail(e, "nsgsim render: %v", err)
	}
	return exitOK
}
