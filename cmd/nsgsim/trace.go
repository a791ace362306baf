package main

import (
	"fmt"
	"io"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/nsgsim/nsgsim/report"
	"github.com/nsgsim/nsgsim/sim"
	"github.com/nsgsim/nsgsim/topology"
)

// traceFormats are the formats trace writes.
var traceFormats = map[string]func(io.Writer, *sim.Engine, *sim.Trace) error{
	"table": report.WriteTrace,
	"json":  report.WriteTraceJSON,
}

// traceFormatNames are traceFormats' names, in the order help lists them.
var traceFormatNames = []string{"table", "json"}

// protocolNames are the values of trace's --protocol.
var protocolNames = []string{"Tcp", "Udp", "Icmp", "Esp", "Ah", "*"}

func newTraceCmd(e *env) *cobra.Command {
	c := &cobra.Command{
		Use:   "trace FILE | --scenario NAME --from X --to Y [--protocol P] --port N",
		Short: "one flow, NSG by NSG, rule by rule",
		Long: `Trace walks one flow NSG by NSG and rule by rule, as Network Watcher's NSG
diagnostics does: which NSGs the packet meets (subnet, then NIC; outbound at
the source, inbound at the destination), and in each, which rule decides.`,
		Args: cobra.ArbitraryArgs,
		Annotations: map[string]string{annotationExitCodes: `  0  the flow is allowed
  1  the flow is denied or partial
  2  bad usage or bad input`},
		Example: "  nsgsim trace topology.yaml --from bastion-hub --to vm-linux-1 --protocol Tcp --port 22",
	}
	in := addInputFlags(c, "trace in")
	from := c.Flags().String("from", "", "`X`, the source: a VM, client, Bastion host, service tag, IP address or CIDR")
	to := c.Flags().String("to", "", "`Y`, the destination: a VM, client, Bastion host, service tag, IP address or CIDR")
	protocol := enumFlag(c, "protocol", "", "Tcp", "`PROTOCOL`: "+orList(protocolNames), protocolNames)
	port := c.Flags().String("port", "", "destination `PORT`")
	sourcePort := c.Flags().String("source-port", "", "source `PORT` or range LOW-HIGH (default: the ephemeral ports 1024-65535)")
	format := enumFlag(c, "format", "", "table", "output `FORMAT`: "+orList(traceFormatNames), traceFormatNames)
	c.RunE = func(c *cobra.Command, args []string) error {
		if err := checkEnum("format", *format, traceFormatNames); err != nil {
			return err
		}
		write := traceFormats[*format]
		if err := in.check(); err != nil {
			return err
		}
		path, err := oneInput(args, in.scenario)
		if err != nil {
			return err
		}
		switch {
		case *from == "":
			return usagef("missing --from")
		case *to == "":
			return usagef("missing --to")
		}
		proto, ok := topology.ParseProtocol(*protocol)
		if !ok {
			return usagef("--protocol %q: expected %s", *protocol, orList(protocolNames))
		}
		var dport uint16
		switch {
		case *port != "":
			n, err := strconv.Atoi(*port)
			if err != nil || n < 0 || n > 65535 {
				return usagef("--port %q: expected a port number 0-65535", *port)
			}
			dport = uint16(n)
		case proto == topology.Tcp || proto == topology.Udp:
			return usagef("missing --port")
		}
		var sports []topology.PortRange
		if *sourcePort != "" {
			r, err := topology.ParsePortRange(*sourcePort)
			if err != nil {
				return usagef("--source-port: %v", err)
			}
			sports = []topology.PortRange{r}
		}
		t, err := in.load(path)
		if err != nil {
			return &inputError{err}
		}
		for _, ep := range []struct{ flag, value string }{{"from", *from}, {"to", *to}} {
			if err := checkEndpoint(t, ep.flag, ep.value); err != nil {
				return commandError(c, err)
			}
		}
		flow, err := sim.NewFlow(t, "trace", *from, *to, proto, sports, dport)
		if err != nil {
			return commandError(c, err)
		}
		eng, err := sim.Compile(t)
		if err != nil {
			return &inputError{err}
		}
		tr, err := eng.Trace(flow)
		if err != nil {
			return &inputError{err}
		}
		if err := write(e.stdout, eng, tr); err != nil {
			return commandError(c, err)
		}
		if tr.Result.Blocked() {
			return errFailed
		}
		return nil
	}
	return c
}

// checkEndpoint refuses a --from or --to value that is neither a name in t
// nor an address, suggesting close names as render's --focus does.
func checkEndpoint(t *topology.Topology, flag, value string) error {
	if ep := sim.ResolveEndpoint(t, value); ep.Kind != sim.EndpointAddress || ep.Addr.IsValid() {
		return nil
	}
	groups := []topology.NameGroup{{What: "VMs"}, {What: "Bastion hosts"}, {What: "clients"}}
	for _, vm := range t.VirtualMachines {
		groups[0].Names = append(groups[0].Names, vm.Name)
	}
	for _, b := range t.BastionHosts {
		groups[1].Names = append(groups[1].Names, b.Name)
	}
	for _, cl := range t.Clients {
		groups[2].Names = append(groups[2].Names, cl.Name)
	}
	var tags []string
	if t.ServiceTags != nil {
		tags = t.ServiceTags.Names()
	}
	return topology.UnknownName(fmt.Sprintf("--%s %q is not a VM, client, Bastion host, service tag, IP address or CIDR of this topology", flag, value), value, groups, tags)
}
