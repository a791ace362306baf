package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/nsgsim/nsgsim/fix"
)

func runFix(e *env, args []string) int {
	fs := newFlags(e, "fix")
	scenario := fs.String("scenario", "", "fix a built-in scenario (see 'nsgsim scenarios')")
	inputFormat := inputFormatFlag(fs)
	emit := fs.String("emit", "yaml", "what to write: yaml (the topology, edited in place), patch (a unified diff of the YAML file), az (CLI commands), bicep or terraform")
	out := fs.StringP("output", "o", "", "write to `OUT` instead of standard output")
	fs.Usage = func() {
		fmt.Fprintln(e.stderr, "usage: nsgsim fix FILE | --scenario NAME [--emit yaml|patch|az|bicep|terraform] [-o OUT]")
		fmt.Fprintln(e.stderr, "Computes the rules to add so that every required Bastion flow passes and the")
		fmt.Fprintln(e.stderr, "AzureBastionSubnet NSG has the explicit rules Azure checks for.")
		fs.PrintDefaults()
	}
	if code, ok := parseFlags(e, fs, args); !ok {
		return code
	}
	known := false
	for _, f := range fix.Formats {
		known = known || f == *emit
	}
	if !known {
		return fail(e, "nsgsim fix: unknown --emit %q; expected %s", *emit, strings.Join(fix.Formats, ", "))
	}
	if err := checkInputFormat("fix", *inputFormat); err != nil {
		return fail(e, "%v", err)
	}
	path, code, ok := oneInput(e, fs.Args(), *scenario, "fix")
	if !ok {
		return code
	}
	t, err := loadTopology(path, *scenario, *inputFormat)
	if err != nil {
		return fail(e, "%v", err)
	}
	plan, err := fix.Compute(t)
	if err != nil {
		return fail(e, "%v", err)
	}
	write := func(w io.Writer) error { return plan.Write(w, *emit) }
	if *out != "" {
		err = writeFile(*out, inputsOf(path), write)
	} else {
		err = write(e.stdout)
	}
	if err != nil {
		return fail(e, "nsgsim fix: %v", err)
	}
	for _, n := range plan.Notes {
		fmt.Fprintf(e.stderr, "nsgsim fix: %s\n", n)
	}
	if !plan.OK() {
		return exitFail
	}
	return exitOK
}
