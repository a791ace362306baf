package sim

import (
	"fmt"
	"sort"
	"strings"

	"github.com/nsgsim/nsgsim/topology"
)

// Findings about what a topology means rather than what its NSGs decide:
// ASGs Azure would reject, service tags a Service Tags file lacks, flows
// with no traffic, and verdicts that rest on an undocumented reading.

// Documentation these findings cite.
const (
	urlASG         = "https://learn.microsoft.com/en-us/azure/virtual-network/application-security-groups"
	urlServiceTags = "https://learn.microsoft.com/en-us/azure/virtual-network/service-tags-overview"
)

// checkASGVNets reports an ASG whose member NICs sit in more than one VNet:
// "All network interfaces assigned to an application security group have to
// exist in the same virtual network that the first network interface
// assigned to the application security group is in" (application security
// groups, "Allow-Database-BusinessLogic" constraints).
func (e *Engine) checkASGVNets(l *findingList) {
	for _, g := range e.net.ASGs {
		if len(g.VNets) < 2 {
			continue
		}
		parts := make([]string, len(g.VNets))
		for i, v := range g.VNets {
			for _, m := range g.Members {
				if m.VNet() == v {
					parts[i] = fmt.Sprintf("%s (virtual machine %s)", v.Name(), m.Name())
					break
				}
			}
		}
		l.add("ASG001", SeverityError, g.ApplicationSecurityGroup.Pos, fmt.Sprintf(
			"application security group %s has members in %d virtual networks: %s; Azure requires every network interface of an application security group to be in one virtual network, and rejects the assignment",
			g.Name(), len(g.VNets), joinAnd(parts)))
	}
}

// checkServiceTagsFile reports, with a Service Tags file, each tag the flow
// catalogue needs that the file lacks (the built-in model stands in), and
// each tag a rule or flow names that Azure documents but the file lacks (it
// matches no address) (SPEC 2.4).
func (e *Engine) checkServiceTagsFile(l *findingList) {
	file := e.topo.ServiceTags
	if file == nil {
		return
	}
	pos := e.topo.At("serviceTags")
	needed := false // a dedicated Bastion host's flows name GatewayManager and AzureCloud
	for _, b := range e.topo.BastionHosts {
		needed = needed || b.SKU != topology.Developer
	}
	for _, t := range e.MissingCatalogueTags() {
		if !needed && !e.mentions(t) {
			continue
		}
		l.add("TAG001", SeverityWarning, pos, fmt.Sprintf(
			"the Service Tags file %s has no %s tag, which the Bastion flows need; nsgsim uses its built-in model for %s (an opaque set of Azure addresses inside AzureCloud and Internet)",
			file.File, t, t))
	}
	type use struct {
		pos  topology.Pos
		what string
	}
	missing := map[string]use{}
	note := func(tag string, pos topology.Pos, what string) {
		if tag == "" || platformTag(tag) || file.Has(tag) {
			return
		}
		for _, c := range catalogueTags {
			if tag == c {
				return // TAG001 covers it
			}
		}
		if u, ok := missing[tag]; !ok || pos.Before(u.pos) {
			missing[tag] = use{pos, what}
		}
	}
	for _, n := range e.topo.NetworkSecurityGroups {
		for _, r := range n.SecurityRules {
			what := fmt.Sprintf("rule %s of %s", r.Name, n.Name)
			note(r.Source.Tag, r.At("sourceAddressPrefix"), what)
			note(r.Destination.Tag, r.At("destinationAddressPrefix"), what)
		}
	}
	for _, c := range e.topo.Clients {
		note(c.Tag, c.Pos, "client "+c.Name)
	}
	for _, f := range e.topo.Flows {
		for _, end := range []struct{ name, key string }{{f.Source, "source"}, {f.Destination, "destination"}} {
			if tag, ok := topology.CanonicalTag(end.name, file); ok {
				note(tag, f.At(end.key), "flow "+f.Name)
			}
		}
	}
	tags := make([]string, 0, len(missing))
	for t := range missing {
		tags = append(tags, t)
	}
	sort.Strings(tags)
	for _, t := range tags {
		u := missing[t]
		l.add("TAG002", SeverityWarning, u.pos, fmt.Sprintf(
			"service tag %s (%s) is one Azure documents, but the Service Tags file %s does not list it, so it matches no address here",
			t, u.what, file.File))
	}
}

// checkFlowNotes reports flows with no traffic, naming why (SPEC 2.3), and
// flows whose verdict rests on nsgsim's reading that ICMP, ESP and AH carry
// no ports.
func (e *Engine) checkFlowNotes(l *findingList, results []*Result) {
	for _, r := range results {
		f := r.Flow
		if r.Verdict == topology.VerdictNoTraffic {
			var why []string
			if r.Source.IsEmpty() {
				why = append(why, "its source "+e.emptyReason(f.Source))
			}
			if r.Dest.IsEmpty() {
				why = append(why, "its destination "+e.emptyReason(f.Destination))
			}
			l.add("FLOW003", SeverityWarning, f.Pos, fmt.Sprintf(
				"flow %s carries no traffic: %s", f.ID, strings.Join(why, "; ")))
			continue
		}
		if e.portlessAssumption(r) {
			l.add("FLOW004", SeverityInfo, f.Pos, fmt.Sprintf("flow %s is %s: %s", f.ID, r.Verdict, PortlessNote))
		}
	}
}

// emptyReason says why an endpoint holds no address.
func (e *Engine) emptyReason(ep Endpoint) string {
	switch ep.Kind {
	case EndpointClient:
		return fmt.Sprintf("%s is a client whose range lies entirely in an AzureBastionSubnet, whose addresses are Bastion's own instances, not users", ep.Name)
	case EndpointServiceTag:
		if e.topo.ServiceTags != nil {
			return fmt.Sprintf("%s is a service tag with no IPv4 address in the Service Tags file %s", ep.Name, e.topo.ServiceTags.File)
		}
		return fmt.Sprintf("%s is a service tag with no address here", ep.Name)
	}
	return fmt.Sprintf("%s resolves to no address", ep.Name)
}

// mentions reports whether a rule, client or user flow names tag.
func (e *Engine) mentions(tag string) bool {
	for _, t := range mentionedTags(e.topo) {
		if t == tag {
			return true
		}
	}
	return false
}
