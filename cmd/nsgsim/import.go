package main

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/nsgsim/nsgsim/input"
	"github.com/nsgsim/nsgsim/topology"
)

// importKinds are the first argument of `nsgsim import`.
var importKinds = []string{string(input.Az), string(input.ARG), string(input.ARM), string(input.Terraform)}

func newImportCmd(e *env) *cobra.Command {
	c := &cobra.Command{
		Use:   "import az|arg|arm|terraform FILE...",
		Short: "a topology from az CLI, ARM REST, Resource Graph, ARM template or Terraform plan JSON",
		Long: `Import reads what Azure tools print and writes nsgsim's topology YAML, which
starts with a comment naming the inputs and options (never a secure
parameter's value) and what the import passed over:
  az FILE...          az CLI or ARM REST JSON (vnet, nsg, nic, vm, bastion list/show)
  arg FILE...         pages of Azure Resource Graph output (az graph query -o json)
  arm TEMPLATE        an ARM deployment template, with --parameters and --parameter
  terraform PLAN.json terraform show -json of a saved plan (or state)
Every other command reads these inputs directly too; import is for keeping
the YAML.`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) < 2 {
				return usagef("want a kind (%s) and its FILE(s), got %d argument(s)", orList(importKinds), len(args))
			}
			return nil
		},
		ValidArgsFunction: func(_ *cobra.Command, args []string, prefix string) ([]cobra.Completion, cobra.ShellCompDirective) {
			if len(args) == 0 {
				return withPrefix(importKinds, prefix), cobra.ShellCompDirectiveNoFileComp
			}
			return nil, cobra.ShellCompDirectiveDefault
		},
		Annotations: map[string]string{annotationExitCodes: `  0  the topology is written
  2  bad usage or bad input (nothing is written)`},
		Example: "  nsgsim import arm azuredeploy.json --parameters azuredeploy.parameters.json -o topology.yaml",
	}
	out := c.Flags().StringP("output", "o", "", "write the topology YAML to `FILE` (default: standard output)")
	in := &inputFlags{}
	addImportFlags(c, in)
	c.Flags().BoolVar(&in.opts.Prior, "prior", false, "terraform: import the plan's prior state instead of its planned values")
	c.RunE = func(c *cobra.Command, args []string) error {
		if err := in.applyBudget(); err != nil {
			return err
		}
		kind, files := args[0], args[1:]
		k, ok := input.ParseKind(kind)
		if !ok || k == input.YAML {
			return usagef("unknown kind %q; expected %s", kind, orList(importKinds))
		}
		if len(files) != 1 && k != input.Az && k != input.ARG {
			return usagef("%s: want one file, got %d", kind, len(files))
		}
		inputs := in.files(files...)
		if *out != "" {
			if err := checkNotInput(*out, inputs); err != nil {
				return usagef("%v", err)
			}
		}
		t, err := input.Import(k, files, in.opts)
		if err != nil {
			return &inputError{err}
		}
		data, err := topology.Marshal(t)
		if err != nil {
			return commandError(c, err)
		}
		// The header, then the YAML, without copying the YAML behind it.
		header := input.Header(k, files, in.opts, t)
		write := func(w io.Writer) error {
			if _, err := io.WriteString(w, header); err != nil {
				return err
			}
			_, err := w.Write(data)
			return err
		}
		if *out == "" {
			err = write(e.stdout)
		} else {
			err = e.writeOutput(*out, inputs, write)
		}
		if err != nil {
			return commandError(c, err)
		}
		// What the import passed over, which the YAML keeps only as comments.
		for _, w := range t.Warnings {
			fmt.Fprintln(e.stderr, "warning: "+topology.EscapeUnsafe(w.Error()))
		}
		return nil
	}
	return c
}
