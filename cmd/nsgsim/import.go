package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/nsgsim/nsgsim/topology"
	"github.com/nsgsim/nsgsim/topology/azure"
	"github.com/nsgsim/nsgsim/topology/terraform"
)

// importKinds are the first argument of `nsgsim import`.
var importKinds = []string{kindAz, kindARM, kindTerraform}

func newImportCmd(e *env) *cobra.Command {
	c := &cobra.Command{
		Use:   "import az|arm|terraform FILE...",
		Short: "a topology from az CLI, ARM REST, ARM template or Terraform plan JSON",
		Long: `Import reads what Azure tools print and writes nsgsim's topology YAML:
  az FILE...          az CLI or ARM REST JSON (vnet, nsg, nic, vm, bastion list/show)
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
	paramsFile := c.Flags().String("parameters", "", "arm: an ARM parameters `FILE`")
	overrides := c.Flags().StringArray("parameter", nil, "arm: a parameter value `NAME=VALUE` (repeatable; wins over --parameters)")
	prior := c.Flags().Bool("prior", false, "terraform: import the plan's prior state instead of its planned values")
	c.RunE = func(c *cobra.Command, args []string) error {
		kind, files := args[0], args[1:]
		inputs := append([]string{}, files...)
		if *paramsFile != "" {
			inputs = append(inputs, *paramsFile)
		}
		if *out != "" {
			if err := checkNotInput(*out, inputs); err != nil {
				return usagef("%v", err)
			}
		}
		var t *topology.Topology
		var err error
		switch kind {
		case kindAz:
			t, err = importAz(files)
		case kindARM:
			if len(files) != 1 {
				return usagef("arm: want one TEMPLATE, got %d", len(files))
			}
			t, err = importARM(files[0], *paramsFile, *overrides)
		case kindTerraform:
			if len(files) != 1 {
				return usagef("terraform: want one PLAN.json, got %d", len(files))
			}
			t, err = importPlan(files[0], *prior)
		default:
			return usagef("unknown kind %q; expected %s", kind, orList(importKinds))
		}
		if err != nil {
			return &inputError{err}
		}
		data, err := topology.Marshal(t)
		if err != nil {
			return commandError(c, err)
		}
		if *out == "" {
			_, err = e.stdout.Write(data)
		} else {
			err = e.writeOutput(*out, inputs, func(w io.Writer) error { _, err := w.Write(data); return err })
		}
		if err != nil {
			return commandError(c, err)
		}
		return nil
	}
	return c
}

func importAz(files []string) (*topology.Topology, error) {
	in := make(map[string][]byte, len(files))
	for _, f := range files {
		data, err := topology.ReadFile(f)
		if err != nil {
			return nil, err
		}
		in[f] = data
	}
	t, err := azure.ImportAz(in)
	if err != nil {
		return nil, err
	}
	if len(files) == 1 {
		nameAfter(t, files[0])
	} else {
		t.Name = "imported"
	}
	return t, nil
}

func importARM(template, paramsFile string, overrides []string) (*topology.Topology, error) {
	data, err := topology.ReadFile(template)
	if err != nil {
		return nil, err
	}
	params := map[string]any{}
	if paramsFile != "" {
		pdata, err := topology.ReadFile(paramsFile)
		if err != nil {
			return nil, err
		}
		if params, err = azure.ReadARMParameters(pdata, paramsFile); err != nil {
			return nil, err
		}
	}
	for _, o := range overrides {
		name, value, ok := strings.Cut(o, "=")
		if !ok || name == "" {
			return nil, fmt.Errorf("--parameter %q: expected NAME=VALUE", o)
		}
		params[name] = value
	}
	t, err := azure.ImportARM(data, params, template)
	if err != nil {
		return nil, err
	}
	nameAfter(t, template)
	return t, nil
}

func importPlan(path string, prior bool) (*topology.Topology, error) {
	data, err := topology.ReadFile(path)
	if err != nil {
		return nil, err
	}
	planned, before, err := terraform.ImportPlan(data, path)
	if err != nil {
		return nil, err
	}
	t := planned
	if prior {
		if before == nil {
			return nil, fmt.Errorf("%s: the plan has no prior state (every resource is new)", path)
		}
		t = before
	}
	nameAfter(t, path)
	return t, nil
}
