package main

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/pflag"

	"github.com/nsgsim/nsgsim/topology"
)

// Exit codes (SPEC 5).
const (
	exitOK    = 0 // every required flow passes, every expectation holds, no error finding
	exitFail  = 1 // otherwise; reports and diagrams are still written
	exitUsage = 2 // usage or input error; nothing is written
)

// command is one subcommand.
type command struct {
	name    string
	args    string // argument synopsis
	summary string
	run     func(env *env, args []string) int
}

// env carries what a command writes to.
type env struct {
	stdout, stderr io.Writer
}

var commands []command

func init() {
	commands = []command{
		{"simulate", "FILE | --scenario NAME [-o OUT] [--format table|json|markdown|sarif]", "decide every documented Bastion flow; report, check expectations, draw", runSimulate},
		{"render", "FILE | --scenario NAME -o OUT.{svg,png,dot,mmd,html}", "draw the diagram only", runRender},
		{"trace", "FILE --from X --to Y --protocol P --port N", "one flow, NSG by NSG, rule by rule", runTrace},
		{"diff", "OLD NEW | --plan PLAN.json [-o OUT] [--format table|json|markdown]", "what-if: flows whose verdict changed, and why", runDiff},
		{"import", "az FILE... | arm TEMPLATE [--parameters FILE] | terraform PLAN.json [-o topology.yaml]", "a topology from az CLI, ARM REST, ARM template or Terraform plan JSON", runImport},
		{"fix", "FILE --emit yaml|az|bicep|terraform", "the rules that would make every required flow pass", runFix},
		{"gen", "[--seed S] [--vnets N] [--subnets N] [--vms N] [--rules-per-nsg N] [-o FILE]", "a synthetic hub-and-spoke topology, for scale tests", runGen},
		{"scenarios", "", "list the built-in scenarios", runScenarios},
	}
}

// Main runs nsgsim with args and returns the exit code.
func Main(args []string, stdout, stderr io.Writer) int {
	e := &env{stdout: stdout, stderr: stderr}
	if len(args) == 0 {
		usage(stderr)
		return exitUsage
	}
	switch args[0] {
	case "help", "-h", "--help":
		usage(stdout)
		return exitOK
	}
	for _, c := range commands {
		if c.name == args[0] {
			return c.run(e, args[1:])
		}
	}
	fmt.Fprintf(stderr, "nsgsim: unknown command %q\n\n", args[0])
	usage(stderr)
	return exitUsage
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "nsgsim simulates Azure NSGs around Azure Bastion, offline.")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Usage:")
	width := 0
	for _, c := range commands {
		width = max(width, len(c.name))
	}
	for _, c := range commands {
		fmt.Fprintf(w, "  nsgsim %-*s  %s\n", width, c.name, c.summary)
		if c.args != "" {
			fmt.Fprintf(w, "  %*s    %s\n", width+6, "", c.args)
		}
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Exit codes: 0 all required flows pass, 1 something is blocked or an expectation fails, 2 bad usage or input.")
	fmt.Fprintln(w, "Run 'nsgsim COMMAND --help' for a command's flags.")
}

// newFlags returns a flag set for a command that reports its own errors.
func newFlags(e *env, name string) *pflag.FlagSet {
	fs := pflag.NewFlagSet("nsgsim "+name, pflag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.SortFlags = false
	return fs
}

// parseFlags parses args; it returns an exit code and false when the
// command should stop (help asked, or a usage error).
func parseFlags(e *env, fs *pflag.FlagSet, args []string) (int, bool) {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return exitOK, false
		}
		return exitUsage, false
	}
	return 0, true
}

// fail prints an error and returns the usage/input exit code. An error
// among args that holds a list of problems prints every one, one a line
// (topology.ErrorText).
func fail(e *env, format string, args ...any) int {
	for i, a := range args {
		if err, ok := a.(error); ok {
			args[i] = topology.ErrorText(err)
		}
	}
	msg := fmt.Sprintf(format, args...)
	if !strings.HasSuffix(msg, "\n") {
		msg += "\n"
	}
	fmt.Fprint(e.stderr, msg)
	return exitUsage
}
