package main

import (
	"github.com/spf13/cobra"

	"github.com/nsgsim/nsgsim/input"
	"github.com/nsgsim/nsgsim/topology"
)

// inputFlags are the flags of every command that reads a topology: what
// the input package needs to read it.
type inputFlags struct {
	scenario string
	kind     string
	budget   string // --memory-budget
	opts     input.Options
}

// addInputFlags adds --scenario (verb says what the command does with it)
// and the flags of addReadFlags.
func addInputFlags(c *cobra.Command, verb string) *inputFlags {
	f := &inputFlags{}
	c.Flags().StringVar(&f.scenario, "scenario", "", verb+" a built-in scenario `NAME` instead of a FILE (see 'nsgsim scenarios')")
	completeScenarios(c, "scenario")
	addReadFlags(c, f)
	return f
}

// addReadFlags adds --input-format, the importers' flags and
// --service-tags to f.
func addReadFlags(c *cobra.Command, f *inputFlags) {
	enumVar(c, &f.kind, "input-format", "", "", "read the input as `KIND`: "+orList(input.KindNames())+" (default: detected from its content)", input.KindNames())
	addImportFlags(c, f)
	c.Flags().StringVar(&f.opts.ServiceTags, "service-tags", "", "an Azure Service Tags JSON `FILE` from anywhere, instead of the topology's serviceTags (which must be in the topology's directory)")
}

// addImportFlags adds the importers' flags to f: an ARM template's
// parameters and the operating system of VMs an input does not tell.
func addImportFlags(c *cobra.Command, f *inputFlags) {
	c.Flags().StringVar(&f.opts.ParametersFile, "parameters", "", "an ARM template input's parameters `FILE`")
	c.Flags().StringArrayVar(&f.opts.Parameters, "parameter", nil, "an ARM template input's parameter value `NAME=VALUE` (repeatable; wins over --parameters; VALUE null: not given)")
	c.Flags().StringArrayVar(&f.opts.VMOS, "vm-os", nil, "the operating system of a VM the input does not tell, `NAME=Linux|Windows` (repeatable)")
	c.Flags().StringVar(&f.budget, "memory-budget", "", "the memory budget `SIZE` that input limits follow, such as 4GiB (default "+topology.DefaultBudget.String()+")")
}

// applyBudget sets the memory budget that --memory-budget gives.
func (f *inputFlags) applyBudget() error {
	if f.budget == "" {
		return nil
	}
	b, err := topology.ParseBudget(f.budget)
	if err != nil {
		return usagef("%v", err)
	}
	if err := topology.SetBudget(b); err != nil {
		return usagef("%v", err)
	}
	return nil
}

// check checks the flags' values before anything is read.
func (f *inputFlags) check() error {
	if err := f.applyBudget(); err != nil {
		return err
	}
	if f.kind == "" {
		return nil
	}
	if err := checkEnum("input-format", f.kind, input.KindNames()); err != nil {
		return err
	}
	f.opts.Kind, _ = input.ParseKind(f.kind)
	return nil
}

// load reads the topology at path, or the built-in scenario.
func (f *inputFlags) load(path string) (*topology.Topology, error) {
	if f.scenario != "" {
		return input.Scenario(f.scenario, f.opts)
	}
	return input.Load(path, f.opts)
}

// files are the files the flags name, before anything is read: the given
// input paths, the parameters file and the Service Tags file. No output may replace them.
func (f *inputFlags) files(paths ...string) []string {
	var files []string
	for _, p := range paths {
		if p != "" {
			files = append(files, p)
		}
	}
	for _, p := range []string{f.opts.ParametersFile, f.opts.ServiceTags} {
		if p != "" {
			files = append(files, p)
		}
	}
	return files
}

// read are the files the flags name and those the loaded topologies named
// (their Service Tags files).
func (f *inputFlags) read(paths []string, ts ...*topology.Topology) []string {
	files := f.files(paths...)
	for _, t := range ts {
		files = append(files, input.Files(t)...)
	}
	return files
}
