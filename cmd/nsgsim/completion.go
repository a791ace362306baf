package main

import (
	"github.com/spf13/cobra"
)

// completionShells are the shells `nsgsim completion` writes a script for.
var completionShells = []string{"bash", "zsh", "fish"}

// newCompletionCmd is `nsgsim completion SHELL`: the shell's completion
// script, which completes subcommands, flags, scenario names and the values
// of --format and the other fixed-choice flags (cobra's __complete protocol).
func newCompletionCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "completion bash|zsh|fish",
		Short: "the shell completion script for bash, zsh or fish",
		Long: `Completion prints the script that makes bash, zsh or fish complete nsgsim's
subcommands, flags, scenario names and the values of --format, --emit,
--input-format and --protocol. Load it in the current shell with:

  bash:  source <(nsgsim completion bash)
  zsh:   source <(nsgsim completion zsh)
  fish:  nsgsim completion fish | source`,
		Args:      exactArgs(1, "one SHELL: bash, zsh or fish"),
		ValidArgs: completionShells,
		Annotations: map[string]string{annotationExitCodes: `  0  the script is printed
  2  bad usage`},
		Example: "  nsgsim completion bash > /etc/bash_completion.d/nsgsim",
		RunE: func(c *cobra.Command, args []string) error {
			root := c.Root()
			switch args[0] {
			case "bash":
				return root.GenBashCompletionV2(e.stdout, true)
			case "zsh":
				return root.GenZshCompletion(e.stdout)
			case "fish":
				return root.GenFishCompletion(e.stdout, true)
			}
			return usagef("unknown shell %q; expected %s", args[0], orList(completionShells))
		},
	}
}
