package main

import (
	"fmt"
	"io"
	"strconv"

	"github.com/nsgsim/nsgsim/report"
	"github.com/nsgsim/nsgsim/sim"
	"github.com/nsgsim/nsgsim/topology"
)

// traceFormats are the formats trace writes.
var traceFormats = map[string]func(io.Writer, *sim.Engine, *sim.Trace) error{
	"table": report.WriteTrace,
	"json":  report.WriteTraceJSON,
}

func runTrace(e *env, args []string) int {
	fs := newFlags(e, "trace")
	scenario := fs.String("scenario", "", "trace in a built-in scenario (see 'nsgsim scenarios')")
	inputFormat := inputFormatFlag(fs)
	from := fs.String("from", "", "source: a VM, client, Bastion host, service tag, IP address or CIDR")
	to := fs.String("to", "", "destination: a VM, client, Bastion host, service tag, IP address or CIDR")
	protocol := fs.String("protocol", "Tcp", "protocol: Tcp, Udp, Icmp, Esp, Ah or *")
	port := fs.String("port", "", "destination `PORT`")
	sourcePort := fs.String("source-port", "", "source `PORT` or range LOW-HIGH (default: the ephemeral ports 1024-65535)")
	format := fs.String("format", "table", "output format: table or json")
	fs.Usage = func() {
		fmt.Fprintln(e.stderr, "usage: nsgsim trace FILE | --scenario NAME --from X --to Y [--protocol P] --port N [--source-port N] [--format table|json]")
		fmt.Fprintln(e.stderr, "Walks one flow NSG by NSG and rule by rule, as Network Watcher's NSG diagnostics does.")
		fmt.Fprintln(e.stderr, "Exit code 0 when the flow is allowed, 1 when it is denied or partial, 2 on bad usage.")
		fs.PrintDefaults()
	}
	if code, ok := parseFlags(e, fs, args); !ok {
		return code
	}
	write, ok := traceFormats[*format]
	if !ok {
		return fail(e, "nsgsim trace: unknown --format %q; expected table or json", *format)
	}
	if err := checkInputFormat("trace", *inputFormat); err != nil {
		return fail(e, "%v", err)
	}
	path, code, ok := oneInput(e, fs.Args(), *scenario, "trace")
	if !ok {
		return code
	}
	switch {
	case *from == "":
		return fail(e, "nsgsim trace: missing --from")
	case *to == "":
		return fail(e, "nsgsim trace: missing --to")
	}
	proto, ok := topology.ParseProtocol(*protocol)
	if !ok {
		return fail(e, "nsgsim trace: --protocol %q: expected Tcp, Udp, Icmp, Esp, Ah or *", *protocol)
	}
	var dport uint16
	switch {
	case *port != "":
		n, err := strconv.Atoi(*port)
		if err != nil || n < 0 || n > 65535 {
			return fail(e, "nsgsim trace: --port %q: expected a port number 0-65535", *port)
		}
		dport = uint16(n)
	case proto == topology.Tcp || proto == topology.Udp:
		return fail(e, "nsgsim trace: missing --port")
	}
	var sports []topology.PortRange
	if *sourcePort != "" {
		r, err := topology.ParsePortRange(*sourcePort)
		if err != nil {
			return fail(e, "nsgsim trace: --source-port: %v", err)
		}
		sports = []topology.PortRange{r}
	}
	t, err := loadTopology(path, *scenario, *inputFormat)
	if err != nil {
		return fail(e, "%v", err)
	}
	flow, err := sim.NewFlow(t, "trace", *from, *to, proto, sports, dport)
	if err != nil {
		return fail(e, "nsgsim trace: %v", err)
	}
	eng, err := sim.Compile(t)
	if err != nil {
		return fail(e, "%v", err)
	}
	tr := eng.Trace(flow)
	if err := write(e.stdout, eng, tr); err != nil {
		return fail(e, "nsgsim trace: %v", err)
	}
	if tr.Result.Blocked() {
		return exitFail
	}
	return exitOK
}
