package main

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

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
		tr := eng.Trace(flow)
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
// nor an address, suggesting close names as render's --focus does: names
// that contain the value or that it contains, and names a typo or two away.
func checkEndpoint(t *topology.Topology, flag, value string) error {
	if ep := sim.ResolveEndpoint(t, value); ep.Kind != sim.EndpointAddress || ep.Addr.IsValid() {
		return nil
	}
	kinds := []struct {
		what  string
		names []string
	}{
		{"VMs", nil}, {"Bastion hosts", nil}, {"clients", nil},
	}
	for _, vm := range t.VirtualMachines {
		kinds[0].names = append(kinds[0].names, vm.Name)
	}
	for _, b := range t.BastionHosts {
		kinds[1].names = append(kinds[1].names, b.Name)
	}
	for _, cl := range t.Clients {
		kinds[2].names = append(kinds[2].names, cl.Name)
	}
	candidates := slices.Concat(kinds[0].names, kinds[1].names, kinds[2].names)
	if t.ServiceTags != nil {
		candidates = append(candidates, t.ServiceTags.Names()...)
	}
	msg := fmt.Sprintf("--%s %q is not a VM, client, Bastion host, service tag, IP address or CIDR of this topology", flag, value)
	if close := closeNames(value, candidates, 8); len(close) > 0 {
		msg += "; did you mean " + strings.Join(quoteAll(close), ", ") + "?"
	}
	var parts []string
	for _, k := range kinds {
		if len(k.names) == 0 {
			continue
		}
		names := slices.Clone(k.names)
		slices.SortFunc(names, func(a, b string) int { return cmp.Compare(strings.ToLower(a), strings.ToLower(b)) })
		const maxListed = 10
		more := ""
		if len(names) > maxListed {
			more = fmt.Sprintf(" and %d more", len(names)-maxListed)
			names = names[:maxListed]
		}
		parts = append(parts, k.what+": "+strings.Join(names, ", ")+more)
	}
	if len(parts) > 0 {
		msg += " (" + strings.Join(parts, "; ") + ")"
	}
	return errors.New(msg)
}

// closeNames returns up to limit candidates close to s, in their order: a
// name that contains s or that s contains (case aside), or one at most two
// edits away.
func closeNames(s string, candidates []string, limit int) []string {
	ls := strings.ToLower(s)
	var out []string
	for _, c := range candidates {
		lc := strings.ToLower(c)
		if ls != "" && (strings.Contains(lc, ls) || strings.Contains(ls, lc)) || editDistance(ls, lc, 2) <= 2 {
			out = append(out, c)
			if len(out) == limit {
				break
			}
		}
	}
	return out
}

// editDistance is the Levenshtein distance between a and b in runes, or
// bound+1 when it is more than bound (computed only for short strings).
func editDistance(a, b string, bound int) int {
	ra, rb := []rune(a), []rune(b)
	if len(ra) > 100 || len(rb) > 100 || len(ra)-len(rb) > bound || len(rb)-len(ra) > bound {
		return bound + 1
	}
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return min(prev[len(rb)], bound+1)
}
