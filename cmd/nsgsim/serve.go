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

func newServeCmd(e *env) *cobra.Command {
	c := &cobra.Command{
		Use:   "serve FILE | --scenario NAME",
		Short: "a local page to toggle and edit rules and watch the flows change",
		Long: `Serve serves a local page: the diagram, the flows and the findings; toggle and
edit NSG rules and watch every flow change. The file is never written; when
it changes on disk, the page reloads it.`,
		Args: cobra.ArbitraryArgs,
		Annotations: map[string]string{annotationExitCodes: `  0  the server stopped (Ctrl-C)
  2  bad usage, bad input, or the address cannot be listened on`},
		Example: "  nsgsim serve topology.yaml --addr 127.0.0.1:8080",
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
