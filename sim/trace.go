package sim

import (
	"fmt"

	"github.com/nsgsim/nsgsim/topology"
)

// A Trace walks one flow NSG by NSG and rule by rule, in the shape of
// Network Watcher's NSG diagnostics
// (https://learn.microsoft.com/en-us/azure/network-watcher/nsg-diagnostics-overview):
// for each NSG on the path, where it is applied and in which direction,
// every rule of that direction in evaluation order with whether its
// protocol, source, source port, destination and destination port matched
// (rulesEvaluationResult), the rule that matched (matchedRule) and the
// resulting access.
//
// NSG diagnostics evaluates one packet. A flow in nsgsim is a set of packets
// (a CIDR, a service tag, the AzureBastionSubnet range, the ephemeral source
// ports), so a trace has one part per segment of the flow's result: a part
// of the flow's addresses and ports that every NSG decides the same way.
// Each part is traced with a representative packet, its lowest source
// address, source port and destination address. The deciding rules hold for
// every packet of the part; the per-field booleans are those of the
// representative packet (another packet of the same part can fail a
// non-deciding rule on another field). A flow between single addresses on
// one source port has exactly one part.
type Trace struct {
	Flow   *Flow
	Result *Result
	Parts  []TracePart // one per segment of Result, in the same order
}

// TracePart is one segment of a flow, traced with a representative packet.
type TracePart struct {
	Segment *Segment
	Packet  Packet
	NSGs    []NSGEvaluation // the NSGs evaluated, in path order, up to the first Deny
	Access  topology.Access
}

// Packet is one packet of a flow. Source and Destination are points of the
// address universe: an IPv4 address, or in the built-in service tag model an
// address known only as a tag's (see Engine.PointString).
type Packet struct {
	Protocol        topology.Protocol
	Source          Point
	SourcePort      uint16
	Destination     Point
	DestinationPort uint16
}

// NSGEvaluation is one NSG on the path (evaluatedNetworkSecurityGroups).
type NSGEvaluation struct {
	NSG       *topology.NetworkSecurityGroup
	AppliedTo string // "subnet hub/AzureBastionSubnet" or "nic vm-web-1"
	Direction topology.Direction
	Rules     []RuleEvaluation // every rule of the direction: custom by priority, then default
	Matched   int              // index in Rules of the deciding rule
}

// MatchedRule returns the deciding rule.
func (n NSGEvaluation) MatchedRule() *topology.SecurityRule { return n.Rules[n.Matched].Rule }

// RuleEvaluation says which fields of one rule matched the packet.
type RuleEvaluation struct {
	Rule                   *topology.SecurityRule
	ProtocolMatched        bool
	SourceMatched          bool
	SourcePortMatched      bool
	DestinationMatched     bool
	DestinationPortMatched bool
}

// Matched reports whether every field matched.
func (r RuleEvaluation) Matched() bool {
	return r.ProtocolMatched && r.SourceMatched && r.SourcePortMatched && r.DestinationMatched && r.DestinationPortMatched
}

// Trace evaluates f and traces each of its segments rule by rule. The
// deciding rule of every NSG in the trace is the one Evaluate reports. It
// fails as Evaluate does, past a budget on pieces.
func (e *Engine) Trace(f *Flow) (*Trace, error) {
	res, err := e.Evaluate(f)
	if err != nil {
		return nil, err
	}
	t := &Trace{Flow: f, Result: res}
	srcParts, dstParts := e.flowParts(f)
	for i := range res.Segments {
		sg := &res.Segments[i]
		src, dst := partOf(srcParts, sg.Source.First()), partOf(dstParts, sg.Destination.First())
		pkt := Packet{
			Protocol: sg.Protocol, Source: representative(sg.Source, src), SourcePort: uint16(sg.SourcePorts.First()),
			Destination: representative(sg.Destination, dst), DestinationPort: f.Port,
		}
		part := TracePart{Segment: sg, Packet: pkt, Access: topology.Allow}
		for _, g := range e.gates(src, dst) {
			ev := traceNSG(g, pkt)
			part.NSGs = append(part.NSGs, ev)
			if ev.MatchedRule().Access == topology.Deny {
				part.Access = topology.Deny
				break
			}
		}
		t.Parts = append(t.Parts, part)
	}
	return t, nil
}

// representative picks the address to trace for a set: its lowest, except
// that in a subnet (a Bastion host's AzureBastionSubnet, say) it skips the
// addresses Azure reserves, network address and .1 to .3, when the set holds
// the first usable one (https://learn.microsoft.com/en-us/azure/virtual-network/virtual-networks-faq#are-there-any-restrictions-on-using-ip-addresses-within-these-subnets).
func representative(s Set, at *attachment) Point {
	p := s.First()
	if at != nil && at.vm == nil {
		if usable := at.subnet.prefix.First() + 4; p < usable && s.Contains(usable) {
			return usable
		}
	}
	return p
}

// partOf returns the attachment of the endpoint part holding p: in a
// grouped part, that of the VM with address p.
func partOf(parts []part, p Point) *attachment {
	for _, pt := range parts {
		if !pt.set.Contains(p) {
			continue
		}
		for _, vm := range pt.group {
			if vm.point == p {
				return vm.at
			}
		}
		return pt.at
	}
	return nil
}

// traceNSG evaluates every rule of one NSG on a packet, field by field, the
// first rule whose five fields all match deciding.
func traceNSG(g gate, pkt Packet) NSGEvaluation {
	rules := g.nsg.rules[g.dir]
	ev := NSGEvaluation{NSG: g.nsg.nsg, AppliedTo: g.at, Direction: g.dir, Matched: -1}
	for i := range rules {
		r := &rules[i]
		re := RuleEvaluation{
			Rule:                   r.rule,
			ProtocolMatched:        r.rule.Protocol.Matches(pkt.Protocol),
			SourceMatched:          r.src.Contains(pkt.Source),
			SourcePortMatched:      r.srcPorts.Contains(Point(pkt.SourcePort)),
			DestinationMatched:     r.dst.Contains(pkt.Destination),
			DestinationPortMatched: r.dstPorts.Contains(Point(pkt.DestinationPort)),
		}
		if !pkt.Protocol.CarriesPorts() {
			// ICMP, ESP and AH carry no ports: only a rule on every port
			// matches them (SPEC 2.3).
			re.SourcePortMatched = topology.AllPortsRanges(r.rule.SourcePorts)
			re.DestinationPortMatched = topology.AllPortsRanges(r.rule.DestinationPorts)
		}
		if ev.Matched < 0 && re.Matched() {
			ev.Matched = i
		}
		ev.Rules = append(ev.Rules, re)
	}
	if ev.Matched < 0 {
		// Unreachable: DenyAll* matches every packet.
		ev.Matched = len(ev.Rules) - 1
	}
	return ev
}

// PointString names a point: an IPv4 address, or "<GatewayManager address>"
// for an address of the built-in service tag model.
func (e *Engine) PointString(p Point) string {
	if p >= atomBase {
		return "<" + e.u.atomName(p) + " address>"
	}
	return PointAddr(p).String()
}

// NewFlow makes a user flow from endpoint names as the command line takes
// them: a VM, a declared client, a Bastion host, a service tag, an IP address
// or a CIDR. sourcePorts empty means the ephemeral ports 1024-65535.
func NewFlow(t *topology.Topology, id, from, to string, proto topology.Protocol, sourcePorts []topology.PortRange, port uint16) (*Flow, error) {
	src, err := endpointFor(t, from)
	if err != nil {
		return nil, err
	}
	dst, err := endpointFor(t, to)
	if err != nil {
		return nil, err
	}
	if len(sourcePorts) == 0 {
		sourcePorts = []topology.PortRange{topology.EphemeralPorts}
	}
	return &Flow{
		ID: id, Kind: KindCustom, Source: src, Destination: dst,
		Protocol: proto, SourcePorts: sourcePorts, Port: port, Requirement: topology.Optional,
	}, nil
}

func endpointFor(t *topology.Topology, name string) (Endpoint, error) {
	ep := ResolveEndpoint(t, name)
	if ep.Kind == EndpointAddress {
		if !ep.Addr.IsValid() {
			return ep, fmt.Errorf("%q is not a VM, client, Bastion host, service tag, IP address or CIDR of this topology", name)
		}
		if !ep.Addr.Addr().Is4() {
			return ep, fmt.Errorf("%q is not an IPv4 address; Azure Bastion and nsgsim are IPv4 only", name)
		}
	}
	return ep, nil
}
