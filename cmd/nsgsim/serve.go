package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"

	"github.com/nsgsim/nsgsim/render"
	"github.com/nsgsim/nsgsim/serve"
	"github.com/nsgsim/nsgsim/topology"
)

func init() {
	commands = append(commands, command{"serve", "FILE | --scenario NAME [--addr 127.0.0.1:PORT]",
		"a local page to toggle and edit rules and watch the flows change", runServe})
}

func runServe(e *env, args []string) int {
	fs := newFlags(e, "serve")
	scenario := fs.String("scenario", "", "serve a built-in scenario (see 'nsgsim scenarios')")
	inputFormat := inputFormatFlag(fs)
	addr := fs.String("addr", serve.DefaultAddr, "listen on `HOST:PORT` (keep it on 127.0.0.1: the page lets anyone who reaches it read the topology)")
	collapse := fs.Int("collapse-above", render.DefaultCollapseAbove, "draw one node per subnet when there are more than `N` VMs (0: never), as render does")
	fs.Usage = func() {
		fmt.Fprintln(e.stderr, "usage: nsgsim serve FILE | --scenario NAME [--addr 127.0.0.1:PORT] [--collapse-above N]")
		fmt.Fprintln(e.stderr, "Serves a local page: the diagram, the flows and the findings; toggle and edit NSG rules and")
		fmt.Fprintln(e.stderr, "watch every flow change. The file is never written; when it changes on disk, the page reloads it.")
		fs.PrintDefaults()
	}
	if code, ok := parseFlags(e, fs, args); !ok {
		return code
	}
	if err := checkInputFormat("serve", *inputFormat); err != nil {
		return fail(e, "%v", err)
	}
	path, code, ok := oneInput(e, fs.Args(), *scenario, "serve")
	if !ok {
		return code
	}
	s, err := serve.New(serve.Options{
		Load:          func() (*topology.Topology, error) { return loadTopology(path, *scenario, *inputFormat) },
		Watch:         path,
		Addr:          *addr,
		CollapseAbove: *collapse,
	})
	if err != nil {
		return fail(e, "%v", err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	err = s.Run(ctx, func(url string) {
		fmt.Fprintf(e.stdout, "nsgsim serve: open %s (Ctrl-C to stop)\n", url)
	})
	if err != nil {
		return fail(e, "nsgsim serve: %v", err)
	}
	return exitOK
}
