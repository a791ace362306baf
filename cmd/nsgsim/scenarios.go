package main

import (
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/nsgsim/nsgsim/scenarios"
)

func newScenariosCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "scenarios",
		Short: "list the built-in scenarios",
		Long: `Scenarios lists the built-in scenarios, each a topology that teaches one
mistake (or the reference deployment); any command that reads a topology
takes --scenario NAME instead of a FILE.`,
		Args: noArgs,
		Annotations: map[string]string{annotationExitCodes: `  0  the list is printed
  2  bad usage`},
		Example: "  nsgsim scenarios",
		RunE: func(*cobra.Command, []string) error {
			tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
			for _, s := range scenarios.List() {
				fmt.Fprintf(tw, "%s\t%s\n", s.Name, s.Summary)
			}
			return tw.Flush()
		},
	}
}
