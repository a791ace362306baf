package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/nsgsim/nsgsim/topology"
	"github.com/nsgsim/nsgsim/topology/azure"
	"github.com/nsgsim/nsgsim/topology/terraform"
)

func runImport(e *env, args []string) int {
	fs := newFlags(e, "import")
	out := fs.StringP("output", "o", "", "write the topology YAML to `FILE` (default: standard output)")
	paramsFile := fs.String("parameters", "", "arm: an ARM parameters `FILE`")
	overrides := fs.StringArray("parameter", nil, "arm: a parameter value `NAME=VALUE` (repeatable; wins over --parameters)")
	prior := fs.Bool("prior", false, "terraform: import the plan's prior state instead of its planned values")
	fs.Usage = func() {
		fmt.Fprintln(e.stderr, "usage: nsgsim import az FILE...                  az CLI or ARM REST JSON (vnet, nsg, nic, vm, bastion list/show)")
		fmt.Fprintln(e.stderr, "       nsgsim import arm TEMPLATE [--parameters FILE] [--parameter NAME=VALUE]...")
		fmt.Fprintln(e.stderr, "       nsgsim import terraform PLAN.json [--prior]   terraform show -json of a saved plan")
		fs.PrintDefaults()
	}
	if code, ok := parseFlags(e, fs, args); !ok {
		return code
	}
	if fs.NArg() < 2 {
		fs.Usage()
		return exitUsage
	}
	kind, files := fs.Arg(0), fs.Args()[1:]
	inputs := append([]string{}, files...)
	if *paramsFile != "" {
		inputs = append(inputs, *paramsFile)
	}
	if *out != "" {
		if err := checkNotInput(*out, inputs); err != nil {
			return fail(e, "nsgsim import: %v", err)
		}
	}
	var t *topology.Topology
	var err error
	switch kind {
	case kindAz:
		t, err = importAz(files)
	case kindARM:
		if len(files) != 1 {
			return fail(e, "nsgsim import arm: want one TEMPLATE, got %d", len(files))
		}
		t, err = importARM(files[0], *paramsFile, *overrides)
	case kindTerraform:
		if len(files) != 1 {
			return fail(e, "nsgsim import terraform: want one PLAN.json, got %d", len(files))
		}
		t, err = importPlan(files[0], *prior)
	default:
		return fail(e, "nsgsim import: unknown kind %q; expected az, arm or terraform", kind)
	}
	if err != nil {
		return fail(e, "%v", err)
	}
	data, err := topology.Marshal(t)
	if err != nil {
		return fail(e, "nsgsim import: %v", err)
	}
	if *out == "" {
		e.stdout.Write(data)
		return exitOK
	}
	if err := writeFile(*out, inputs, func(w io.Writer) error { _, err := w.Write(data); return err }); err != nil {
		return fail(e, "nsgsim import: %v", err)
	}
	return exitOK
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
