package main

import (
	"fmt"
	"text/tabwriter"

	"github.com/nsgsim/nsgsim/scenarios"
)

func runScenarios(e *env, args []string) int {
	fs := newFlags(e, "scenarios")
	if code, ok := parseFlags(e, fs, args); !ok {
		return code
	}
	if fs.NArg() > 0 {
		return fail(e, "nsgsim scenarios: takes no arguments")
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	for _, s := range scenarios.List() {
		fmt.Fprintf(tw, "%s\t%s\n", s.Name, s.Summary)
	}
	tw.Flush()
	return exitOK
}
