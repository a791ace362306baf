package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"

	"github.com/spf13/cobra"

	"github.com/nsgsim/nsgsim/render"
	"github.com/nsgsim/nsgsim/serve"
	"github.com/nsgsim/nsgsim/topology"
)

func init() { subcommands = append(subcommands, newServeCmd) }

// newServeCmd is `nsgsim serve`: a local page on which to toggle and edit
// NSG rules and watch every flow change (package serve). It serves until
// interrupted.
func newServeCmd(e *env) *cobra.Command {
	c := &cobra.Command{
		Use:   "serve FILE | --scenario NAME [--addr 127.0.0.1:PORT]",
		Short: "a local page to toggle and edit rules and watch the flows change",
		Long: `Serve serves a local page on the topology FILE: the diagram render draws, with
pan and zoom, the flow table and the findings. Click an edge or a row for its
rule-by-rule trace; switch rules off, flip Allow/Deny, change priorities,
ports and prefixes or add rules, and every flow and finding follows. The
changes panel lists the flows that change against the file, and the edits in
the forms of fix --emit. The file is never written; when it changes on disk,
the page loads it again. The page keeps its state in its URL.

It listens on 127.0.0.1 unless --addr says otherwise, and answers only
requests whose Host header names localhost or the address it listens on.`,
		Args: cobra.ArbitraryArgs,
		Annotations: map[string]string{annotationExitCodes: `  0  the server stopped (Ctrl-C)
  2  bad usage, bad input, or the address cannot be listened on`},
		Example: "  nsgsim serve topology.yaml\n  nsgsim serve --scenario hub-three-spokes --addr 127.0.0.1:8080",
	}
	in := addInputFlags(c, "serve")
	addr := c.Flags().String("addr", serve.DefaultAddr, "listen on `HOST:PORT` (keep it on 127.0.0.1: the page lets anyone who reaches it read the topology)")
	collapse := c.Flags().Int("collapse-above", render.DefaultCollapseAbove, "draw one node per subnet when there are more than `N` VMs (0: never), as render does")
	c.RunE = func(c *cobra.Command, args []string) error {
		if err := in.check(); err != nil {
			return err
		}
		path, err := oneInput(args, in.scenario)
		if err != nil {
			return err
		}
		if *collapse < 0 {
			return usagef("--collapse-above %d: want a number of VMs, 0 or more (0: never collapse)", *collapse)
		}
		s, err := serve.New(serve.Options{
			Load:          func() (*topology.Topology, error) { return in.load(path) },
			Watch:         path,
			Addr:          *addr,
			CollapseAbove: *collapse,
		})
		if err != nil {
			return &inputError{err}
		}
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
		defer stop()
		err = s.Run(ctx, func(url string) {
			fmt.Fprintf(e.stdout, "nsgsim serve: open %s (Ctrl-C to stop)\n", url)
		})
		if err != nil {
			return commandError(c, err)
		}
		return nil
	}
	return c
}
