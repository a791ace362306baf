package main

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/nsgsim/nsgsim/fix"
)

func newFixCmd(e *env) *cobra.Command {
	c := &cobra.Command{
		Use:   "fix FILE | --scenario NAME",
		Short: "the rules that would make every required flow pass",
		Long: `Fix computes the rules to add or move so that every required Bastion flow
passes and the AzureBastionSubnet NSG has the explicit rules Azure checks for,
and writes them as the patched topology (yaml), az CLI commands, Bicep or
Terraform.`,
		Args: cobra.ArbitraryArgs,
		Annotations: map[string]string{annotationExitCodes: `  0  the fix makes every required flow pass
  1  some required flow cannot be fixed (the notes on standard error say which)
  2  bad usage or bad input (nothing is written)`},
		Example: "  nsgsim fix topology.yaml --emit az",
	}
	in := addInputFlags(c, "fix")
	emit := enumFlag(c, "emit", "", "", "`FORMAT` to write: yaml (the topology, edited in place), patch (a unified diff of the YAML file), az (CLI commands), bicep or terraform (default: from OUT's extension, else yaml; must agree with it)", fix.Formats)
	out := c.Flags().StringP("output", "o", "", "write to `OUT` instead of standard output")
	c.RunE = func(c *cobra.Command, args []string) error {
		if *emit != "" {
			if err := checkEnum("emit", *emit, fix.Formats); err != nil {
				return err
			}
		}
		form, err := emitFormat(*out, *emit)
		if err != nil {
			return err
		}
		if err := in.check(); err != nil {
			return err
		}
		path, err := oneInput(args, in.scenario)
		if err != nil {
			return err
		}
		t, err := in.load(path)
		if err != nil {
			return &inputError{err}
		}
		plan, err := fix.Compute(t)
		if err != nil {
			return &inputError{err}
		}
		write := func(w io.Writer) error { return plan.Write(w, form) }
		if *out != "" {
			err = e.writeOutput(*out, in.read([]string{path}, t), write)
		} else {
			err = write(e.stdout)
		}
		if err != nil {
			return commandError(c, err)
		}
		for _, n := range plan.Notes {
			fmt.Fprintf(e.stderr, "nsgsim fix: %s\n", n)
		}
		if !plan.OK() {
			return errFailed
		}
		return nil
	}
	return c
}
