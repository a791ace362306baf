package main

import (
	"fmt"
	"io"

	"github.com/nsgsim/nsgsim/diff"
	"github.com/nsgsim/nsgsim/render"
	"github.com/nsgsim/nsgsim/sim"
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
	ropts := renderFlags(fs)
	fs.Usage = func() {
		fmt.Fprintln(e.stderr, "usage: nsgsim diff OLD NEW [-o OUT] [--format table|json|markdown]")
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
	if fs.NArg() != 2 {
		return fail(e, "nsgsim diff: want OLD and NEW topology files, got %d argument(s)", fs.NArg())
	}
	oldPath, newPath := fs.Arg(0), fs.Arg(1)
	var diagram render.Format
	if *out != "" {
		if err := checkNotInput(*out, []string{oldPath, newPath}); err != nil {
			return fail(e, "nsgsim diff: %v", err)
		}
		f, err := render.FormatFor(*out, "")
		if err != nil {
			return fail(e, "nsgsim diff: %v", err)
		}
		diagram = f
	}
	oldR, code, ok := simulateFile(e, oldPath)
	if !ok {
		return code
	}
	newR, code, ok := simulateFile(e, newPath)
	if !ok {
		return code
	}
	d := diff.Compare(oldR, newR)
	if *out != "" {
		opts := *ropts
		opts.Highlight = highlights(d)
		err := writeFile(*out, []string{oldPath, newPath}, func(w io.Writer) error {
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

// highlights notes each changed or added flow with what it was before.
func highlights(d *diff.Result) map[string]string {
	h := make(map[string]string)
	for _, c := range d.Changed {
		if c.VerdictChanged() {
			h[c.ID] = "was " + c.Old.Verdict.String()
		} else {
			h[c.ID] = "rule changed"
		}
	}
	for _, r := range d.Added {
		h[r.Flow.ID] = "new"
	}
	return h
}

// simulateFile loads and simulates one input.
func simulateFile(e *env, path string) (*sim.Report, int, bool) {
	t, err := loadTopology(path, "")
	if err != nil {
		return nil, fail(e, "%v", err), false
	}
	r, err := sim.Simulate(t)
	if err != nil {
		return nil, fail(e, "%v", err), false
	}
	return r, 0, true
}
