package main

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/nsgsim/nsgsim/scenarios"
	"github.com/nsgsim/nsgsim/topology"
)

// Exit codes (SPEC 5).
const (
	exitOK    = 0 // every required flow passes, every expectation holds, no error finding
	exitFail  = 1 // otherwise; reports and diagrams are still written
	exitUsage = 2 // usage or input error; nothing is written
)

// exitCodesHelp is the exit-code paragraph of `nsgsim help`.
const exitCodesHelp = `  0  every required flow passes (or is blocked by an intended deny), every expectation
     holds, no error finding
  1  a required flow is blocked, an expectation fails or an error finding is reported
     (the report and the diagram are still written)
  2  bad usage or bad input (nothing is written)`

// env carries what a command writes to.
type env struct {
	stdout, stderr io.Writer
}

// subcommands build nsgsim's subcommands, in the order `nsgsim help` lists
// them. Each is a function of the command's env returning a *cobra.Command
// whose RunE returns an error from usagef (a command-line mistake: printed
// with the command's usage, exit 2), errFailed (exit 1, the report already
// said why) or any other error (an input error: printed as it is, exit 2).
// Its Long, Example and the "exitCodes" annotation feed `nsgsim help CMD`.
//
// To add a subcommand, write newXCmd(e *env) *cobra.Command in its own file
// and append it here from that file's init function:
//
//	func init() { subcommands = append(subcommands, newServeCmd) }
var subcommands = []func(*env) *cobra.Command{
	newSimulateCmd,
	newRenderCmd,
	newTraceCmd,
	newDiffCmd,
	newImportCmd,
	newFixCmd,
	newGenCmd,
	newScenariosCmd,
	newCompletionCmd,
}

func init() {
	// Commands are listed in the order of subcommands, not sorted.
	cobra.EnableCommandSorting = false
}

// errFailed is returned by a command that ran to the end and found a
// blocked flow, a failed expectation or an error finding: exit 1.
var errFailed = errors.New("a required flow is blocked or an expectation fails")

// usageError is a mistake in the command line: Main prints it after the
// command's name, with the command's usage, and exits 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

// usagef returns a usageError.
func usagef(format string, args ...any) error {
	return &usageError{fmt.Sprintf(format, args...)}
}

// inputError is any other error of a command (bad input, a failed write):
// Main prints it as it is and exits 2.
type inputError struct{ err error }

func (e *inputError) Error() string { return e.err.Error() }
func (e *inputError) Unwrap() error { return e.err }

// Main runs nsgsim with args and returns the exit code.
func Main(args []string, stdout, stderr io.Writer) int {
	e := &env{stdout: stdout, stderr: stderr}
	root := newRoot(e)
	root.SetArgs(args)
	cmd, err := root.ExecuteC()
	var ue *usageError
	var ie *inputError
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, errFailed):
		return exitFail
	case errors.As(err, &ie):
		msg := topology.ErrorText(ie.err)
		if !strings.HasSuffix(msg, "\n") {
			msg += "\n"
		}
		fmt.Fprint(stderr, msg)
		return exitUsage
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "%s: %s\n\n", cmd.CommandPath(), ue.msg)
	default:
		// cobra's own errors: an unknown flag, a flag without its value, a
		// value of the wrong type.
		fmt.Fprintf(stderr, "%s: %v\n\n", cmd.CommandPath(), err)
	}
	writeUsage(stderr, cmd)
	if cmd.HasParent() {
		fmt.Fprintf(stderr, "\nRun 'nsgsim help %s' for the description, exit codes and an example.\n", strings.TrimPrefix(cmd.CommandPath(), "nsgsim "))
	} else {
		fmt.Fprintln(stderr, "\nRun 'nsgsim help COMMAND' for a command's description, flags, exit codes and an example.")
	}
	return exitUsage
}

// newRoot builds the nsgsim command and its subcommands, writing to e.
func newRoot(e *env) *cobra.Command {
	root := &cobra.Command{
		Use:   "nsgsim",
		Short: "nsgsim simulates Azure NSGs around Azure Bastion, offline.",
		Long: `nsgsim simulates Azure network security groups around Azure Bastion, offline:
it reads a topology (YAML, or az, ARM or Terraform JSON), decides every
documented Bastion flow the way Azure would, and reports and draws what
passes and what is blocked.`,
		Version:       versionString(),
		Args:          cobra.ArbitraryArgs,
		SilenceErrors: true,
		SilenceUsage:  true,
		// The root runs only when no subcommand matched.
		RunE: func(c *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usagef("missing command")
			}
			return usagef("unknown command %q%s", args[0], didYouMean(c.SuggestionsFor(args[0])))
		},
		Annotations: map[string]string{annotationExitCodes: exitCodesHelp},
	}
	root.SetOut(e.stdout)
	root.SetErr(e.stderr)
	root.SetVersionTemplate("nsgsim {{.Version}}\n")
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return err })
	root.SetHelpFunc(func(c *cobra.Command, _ []string) { writeHelp(c.OutOrStdout(), c) })
	root.SetUsageFunc(func(c *cobra.Command) error { writeUsage(c.ErrOrStderr(), c); return nil })
	root.CompletionOptions.DisableDefaultCmd = true // newCompletionCmd: bash, zsh and fish
	root.SetHelpCommand(newHelpCmd(root))
	for _, sub := range subcommands {
		c := sub(e)
		c.SilenceErrors = true
		c.SilenceUsage = true
		c.Flags().SortFlags = false // in the order the command declares them
		c.InitDefaultHelpFlag()
		root.AddCommand(c)
	}
	root.InitDefaultHelpFlag()
	root.InitDefaultVersionFlag()
	return root
}

// newHelpCmd is `nsgsim help [COMMAND]`; unlike cobra's own, an unknown
// command is a usage error.
func newHelpCmd(root *cobra.Command) *cobra.Command {
	return &cobra.Command{
		Use:   "help [COMMAND [SUBCOMMAND]]",
		Short: "a command's description, flags, exit codes and an example",
		Long:  "Help prints a command's description, flags, exit codes and an example; without COMMAND, the list of commands.",
		Args:  cobra.MaximumNArgs(2),
		ValidArgsFunction: func(_ *cobra.Command, args []string, prefix string) ([]cobra.Completion, cobra.ShellCompDirective) {
			if len(args) > 0 {
				return nil, cobra.ShellCompDirectiveNoFileComp
			}
			var names []cobra.Completion
			for _, c := range root.Commands() {
				if c.IsAvailableCommand() && strings.HasPrefix(c.Name(), prefix) {
					names = append(names, cobra.CompletionWithDesc(c.Name(), c.Short))
				}
			}
			return names, cobra.ShellCompDirectiveNoFileComp
		},
		Annotations: map[string]string{annotationExitCodes: "  0  help printed\n  2  unknown command"},
		Example:     "  nsgsim help simulate",
		RunE: func(c *cobra.Command, args []string) error {
			target := root
			if len(args) > 0 {
				found, rest, err := root.Find(args)
				if err != nil || found == root || len(rest) > 0 {
					return usagef("unknown command %q%s", strings.Join(args, " "), didYouMean(root.SuggestionsFor(args[0])))
				}
				target = found
			}
			writeHelp(c.OutOrStdout(), target)
			return nil
		},
	}
}

// didYouMean formats cobra's suggestions for a mistyped command.
func didYouMean(suggestions []string) string {
	if len(suggestions) == 0 {
		return ""
	}
	return "; did you mean " + strings.Join(quoteAll(suggestions), " or ") + "?"
}

func quoteAll(s []string) []string {
	q := make([]string, len(s))
	for i, x := range s {
		q[i] = fmt.Sprintf("%q", x)
	}
	return q
}

// annotationExitCodes is the annotation holding a command's exit codes.
const annotationExitCodes = "exitCodes"

// writeHelp prints c's help: its description, usage, flags, exit codes and
// an example; for the root, the list of commands instead of an example.
func writeHelp(w io.Writer, c *cobra.Command) {
	fmt.Fprintln(w, strings.TrimSpace(c.Long))
	fmt.Fprintln(w)
	writeUsage(w, c)
	if codes := c.Annotations[annotationExitCodes]; codes != "" {
		fmt.Fprintf(w, "\nExit codes:\n%s\n", codes)
	}
	if c.Example != "" {
		fmt.Fprintf(w, "\nExample:\n%s\n", c.Example)
	}
	if !c.HasParent() {
		fmt.Fprintln(w, "\nRun 'nsgsim help COMMAND' for a command's description, flags, exit codes and an example.")
	}
}

// writeUsage prints c's usage line and flags, and the commands of the root
// and of a command that groups others (pr).
func writeUsage(w io.Writer, c *cobra.Command) {
	fmt.Fprintln(w, "Usage:")
	switch {
	case !c.HasParent():
		fmt.Fprintln(w, "  nsgsim COMMAND [flags] [arguments]")
	case c.HasAvailableSubCommands():
		fmt.Fprintf(w, "  %s COMMAND [flags] [arguments]\n", c.CommandPath())
	default:
		fmt.Fprintf(w, "  %s\n", c.UseLine())
	}
	if c.HasAvailableSubCommands() {
		fmt.Fprintln(w, "\nCommands:")
		width := 0
		for _, sub := range c.Commands() {
			width = max(width, len(sub.Name()))
		}
		for _, sub := range c.Commands() {
			if sub.IsAvailableCommand() || sub.Name() == "help" {
				fmt.Fprintf(w, "  %-*s  %s\n", width, sub.Name(), sub.Short)
			}
		}
	}
	if flags := c.LocalFlags(); flags.HasAvailableFlags() {
		fmt.Fprintf(w, "\nFlags:\n%s", flagUsages(flags))
	}
}

// completeScenarios completes flag name with the built-in scenarios' names.
func completeScenarios(c *cobra.Command, name string) {
	c.RegisterFlagCompletionFunc(name, func(_ *cobra.Command, _ []string, prefix string) ([]cobra.Completion, cobra.ShellCompDirective) {
		var names []cobra.Completion
		for _, s := range scenarios.List() {
			if strings.HasPrefix(s.Name, prefix) {
				names = append(names, cobra.CompletionWithDesc(s.Name, s.Summary))
			}
		}
		return names, cobra.ShellCompDirectiveNoFileComp
	})
}

// enumFlag adds a string flag whose values are the fixed list values,
// completed in the shell; the command checks the value with checkEnum.
func enumFlag(c *cobra.Command, name, shorthand, value, usage string, values []string) *string {
	p := new(string)
	enumVar(c, p, name, shorthand, value, usage, values)
	return p
}

// enumVar is enumFlag storing the value in p.
func enumVar(c *cobra.Command, p *string, name, shorthand, value, usage string, values []string) {
	c.Flags().StringVarP(p, name, shorthand, value, usage)
	c.RegisterFlagCompletionFunc(name, func(_ *cobra.Command, _ []string, prefix string) ([]cobra.Completion, cobra.ShellCompDirective) {
		return withPrefix(values, prefix), cobra.ShellCompDirectiveNoFileComp
	})
}

// withPrefix is the values that start with prefix.
func withPrefix(values []string, prefix string) []string {
	var out []string
	for _, v := range values {
		if strings.HasPrefix(v, prefix) {
			out = append(out, v)
		}
	}
	return out
}

// checkEnum checks the value of flag --name against values.
func checkEnum(name, value string, values []string) error {
	for _, v := range values {
		if v == value {
			return nil
		}
	}
	return usagef("--%s %q: expected %s", name, value, orList(values))
}

// orList is "a, b or c".
func orList(values []string) string {
	if len(values) == 1 {
		return values[0]
	}
	last := len(values) - 1
	return strings.Join(values[:last], ", ") + " or " + values[last]
}

// exactArgs checks that a command got n arguments, described by what.
func exactArgs(n int, what string) cobra.PositionalArgs {
	return func(_ *cobra.Command, args []string) error {
		if len(args) != n {
			return usagef("want %s, got %d argument(s)", what, len(args))
		}
		return nil
	}
}

// noArgs refuses any argument.
func noArgs(_ *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usagef("takes no arguments, got %q", args)
	}
	return nil
}

// flagUsages lists flags one a line, "  -o, --output OUT  usage (default x)",
// the usages aligned; pflag's own listing writes "[=true|false]" after every
// boolean flag.
func flagUsages(flags *pflag.FlagSet) string {
	var names, usages []string
	flags.VisitAll(func(f *pflag.Flag) {
		if f.Hidden {
			return
		}
		name := "      --" + f.Name
		if f.Shorthand != "" {
			name = "  -" + f.Shorthand + ", --" + f.Name
		}
		varname, usage := pflag.UnquoteUsage(f)
		if f.Value.Type() != "bool" && varname != "" {
			name += " " + varname
		}
		if d := f.DefValue; d != "" && d != "false" && d != "0" && d != "[]" {
			usage += fmt.Sprintf(" (default %s)", d)
		}
		names = append(names, name)
		usages = append(usages, usage)
	})
	width := 0
	for _, n := range names {
		width = max(width, len(n))
	}
	var b strings.Builder
	for i, n := range names {
		fmt.Fprintf(&b, "%-*s  %s\n", width, n, usages[i])
	}
	return b.String()
}
