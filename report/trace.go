package report

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"unicode/utf8"

	"github.com/nsgsim/nsgsim/sim"
	"github.com/nsgsim/nsgsim/topology"
)

// TraceDocument is the JSON form of `nsgsim trace --format json`. Its
// results follow the response of Network Watcher's NSG diagnostics
// (networkConfigurationDiagnostic,
// https://learn.microsoft.com/en-us/azure/network-watcher/nsg-diagnostics-overview):
// profile, networkSecurityGroupResult.securityRuleAccessResult,
// evaluatedNetworkSecurityGroups[].{appliedTo, matchedRule, rulesEvaluationResult}
// with the five …Matched booleans per rule. Rule names carry Azure's
// prefixes, UserRule_ for custom rules and DefaultRule_ for default ones.
// Where nsgsim differs: it names NSGs rather than giving resource IDs, it
// adds direction, priority and access to each NSG and rule, and a flow that
// is a set of packets has one result per part (see sim.Trace), each with the
// representative packet that was traced.
type TraceDocument struct {
	Flow    TraceFlow     `json:"flow"`
	Verdict string        `json:"verdict"`
	Results []TraceResult `json:"results"`
}

// TraceFlow is the flow as asked.
type TraceFlow struct {
	Source          string `json:"source"`
	Destination     string `json:"destination"`
	Protocol        string `json:"protocol"`
	SourcePort      string `json:"sourcePort"`
	DestinationPort string `json:"destinationPort"`
}

// TraceResult is one part of the flow.
type TraceResult struct {
	Profile                    TraceProfile      `json:"profile"`
	Packet                     TracePacket       `json:"packet"`
	NetworkSecurityGroupResult TraceAccessResult `json:"networkSecurityGroupResult"`
}

// TraceProfile is the part of the flow a result covers.
type TraceProfile struct {
	Protocol        string `json:"protocol"`
	Source          string `json:"source"`
	SourcePort      string `json:"sourcePort"`
	Destination     string `json:"destination"`
	DestinationPort string `json:"destinationPort"`
}

// TracePacket is the representative packet that was traced.
type TracePacket struct {
	Source          string `json:"source"`
	SourcePort      int    `json:"sourcePort"`
	Destination     string `json:"destination"`
	DestinationPort int    `json:"destinationPort"`
}

// TraceAccessResult is the verdict of a part and the NSGs that gave it.
type TraceAccessResult struct {
	SecurityRuleAccessResult       string              `json:"securityRuleAccessResult"`
	EvaluatedNetworkSecurityGroups []TraceEvaluatedNSG `json:"evaluatedNetworkSecurityGroups"`
}

// TraceEvaluatedNSG is one NSG on the path.
type TraceEvaluatedNSG struct {
	NetworkSecurityGroup  string           `json:"networkSecurityGroup"`
	AppliedTo             string           `json:"appliedTo"`
	Direction             string           `json:"direction"`
	MatchedRule           TraceMatchedRule `json:"matchedRule"`
	RulesEvaluationResult []TraceRuleEval  `json:"rulesEvaluationResult"`
}

// TraceMatchedRule is the deciding rule.
type TraceMatchedRule struct {
	RuleName string `json:"ruleName"`
	Action   string `json:"action"`
	Priority int    `json:"priority"`
}

// TraceRuleEval is one rule and which of its fields matched.
type TraceRuleEval struct {
	Name                   string `json:"name"`
	Priority               int    `json:"priority"`
	Access                 string `json:"access"`
	ProtocolMatched        bool   `json:"protocolMatched"`
	SourceMatched          bool   `json:"sourceMatched"`
	SourcePortMatched      bool   `json:"sourcePortMatched"`
	DestinationMatched     bool   `json:"destinationMatched"`
	DestinationPortMatched bool   `json:"destinationPortMatched"`
}

// azureRuleName spells a rule the way NSG diagnostics and flow logs do.
func azureRuleName(r *topology.SecurityRule) string {
	if r.Default {
		return "DefaultRule_" + r.Name
	}
	return "UserRule_" + r.Name
}

// NewTraceDocument converts a trace to its JSON form.
func NewTraceDocument(e *sim.Engine, t *sim.Trace) *TraceDocument {
	f := t.Flow
	d := &TraceDocument{
		Flow: TraceFlow{
			Source: f.Source.Name, Destination: f.Destination.Name, Protocol: f.Protocol.String(),
			SourcePort: topology.PortRangesString(f.SourcePorts), DestinationPort: fmt.Sprint(f.Port),
		},
		Verdict: t.Result.Verdict.String(),
		Results: []TraceResult{},
	}
	for _, p := range t.Parts {
		res := TraceResult{
			Profile: TraceProfile{
				Protocol:        f.Protocol.String(),
				Source:          e.Describe(p.Segment.Source, t.Result.Source, f.Source.Name),
				SourcePort:      sim.DescribePorts(p.Segment.SourcePorts),
				Destination:     e.Describe(p.Segment.Destination, t.Result.Dest, f.Destination.Name),
				DestinationPort: fmt.Sprint(f.Port),
			},
			Packet: TracePacket{
				Source: e.PointString(p.Packet.Source), SourcePort: int(p.Packet.SourcePort),
				Destination: e.PointString(p.Packet.Destination), DestinationPort: int(p.Packet.DestinationPort),
			},
			NetworkSecurityGroupResult: TraceAccessResult{
				SecurityRuleAccessResult:       p.Access.String(),
				EvaluatedNetworkSecurityGroups: []TraceEvaluatedNSG{},
			},
		}
		for _, n := range p.NSGs {
			m := n.MatchedRule()
			ev := TraceEvaluatedNSG{
				NetworkSecurityGroup: n.NSG.Name, AppliedTo: n.AppliedTo, Direction: n.Direction.String(),
				MatchedRule: TraceMatchedRule{RuleName: azureRuleName(m), Action: m.Access.String(), Priority: m.Priority},
			}
			for _, re := range n.Rules {
				ev.RulesEvaluationResult = append(ev.RulesEvaluationResult, TraceRuleEval{
					Name: azureRuleName(re.Rule), Priority: re.Rule.Priority, Access: re.Rule.Access.String(),
					ProtocolMatched: re.ProtocolMatched, SourceMatched: re.SourceMatched,
					SourcePortMatched: re.SourcePortMatched, DestinationMatched: re.DestinationMatched,
					DestinationPortMatched: re.DestinationPortMatched,
				})
			}
			res.NetworkSecurityGroupResult.EvaluatedNetworkSecurityGroups = append(res.NetworkSecurityGroupResult.EvaluatedNetworkSecurityGroups, ev)
		}
		d.Results = append(d.Results, res)
	}
	return d
}

// WriteTraceJSON writes a trace as indented JSON.
func WriteTraceJSON(w io.Writer, e *sim.Engine, t *sim.Trace) error {
	return EncodeJSON(w, NewTraceDocument(e, t))
}

// WriteTrace writes a trace for a terminal: the flow and its verdict, then
// for each part each NSG with every rule of its direction, a ✓ or ✗ per
// field, and the rule that decided. Rules after the deciding one are marked
// "not reached": the NSG stops at the first match.
//
// Names go through Text and the writer through a TerminalWriter, as in
// WriteTable.
func WriteTrace(out io.Writer, e *sim.Engine, t *sim.Trace) error {
	w := NewTerminalWriter(out)
	if err := writeTrace(w, e, t); err != nil {
		return err
	}
	return w.Flush()
}

func writeTrace(w io.Writer, e *sim.Engine, t *sim.Trace) error {
	f := t.Flow
	fmt.Fprintf(w, "%s → %s, %s/%d from source ports %s: %s\n", Text(f.Source.Name), Text(f.Destination.Name), f.Protocol, f.Port,
		topology.PortRangesString(f.SourcePorts), Text(VerdictText(e, t.Result)))
	if len(t.Parts) == 0 {
		fmt.Fprintln(w, "\nThe flow has no packets: an endpoint has no address.")
		return nil
	}
	for i, p := range t.Parts {
		fmt.Fprintln(w)
		if len(t.Parts) > 1 {
			fmt.Fprintf(w, "Part %d of %d: %s → %s, source ports %s: %s\n", i+1, len(t.Parts),
				Text(e.Describe(p.Segment.Source, t.Result.Source, f.Source.Name)), Text(e.Describe(p.Segment.Destination, t.Result.Dest, f.Destination.Name)),
				sim.DescribePorts(p.Segment.SourcePorts), p.Access)
		}
		fmt.Fprintf(w, "Packet %s:%d → %s:%d %s\n", e.PointString(p.Packet.Source), p.Packet.SourcePort,
			e.PointString(p.Packet.Destination), p.Packet.DestinationPort, p.Packet.Protocol)
		if len(p.NSGs) == 0 {
			fmt.Fprintln(w, "  No NSG on the path: allowed.")
			continue
		}
		for j, n := range p.NSGs {
			m := n.MatchedRule()
			fmt.Fprintf(w, "  %d. %s (%s, %s): %s by %s (%d)%s\n", j+1, Text(n.NSG.Name), Text(n.AppliedTo), n.Direction,
				m.Access, Text(m.Name), m.Priority, defaultMark(m))
			tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "     PRIORITY\tRULE\tACCESS\tPROTOCOL\tSOURCE\tSPORT\tDESTINATION\tDPORT\tRESULT")
			for k, re := range n.Rules {
				r := re.Rule
				result := "no match"
				switch {
				case k == n.Matched:
					result = "MATCH: " + r.Access.String()
				case k > n.Matched:
					result = "not reached"
				}
				fmt.Fprintf(tw, "     %d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.Priority, Text(r.Name)+defaultMark(r), r.Access,
					field(re.ProtocolMatched, r.Protocol.String()), field(re.SourceMatched, r.Source.String()),
					field(re.SourcePortMatched, topology.PortRangesString(r.SourcePorts)),
					field(re.DestinationMatched, r.Destination.String()),
					field(re.DestinationPortMatched, topology.PortRangesString(r.DestinationPorts)), result)
			}
			if err := tw.Flush(); err != nil {
				return err
			}
			if m.Access == topology.Deny {
				break
			}
		}
	}
	return nil
}

func defaultMark(r *topology.SecurityRule) string {
	if r.Default {
		return " (default)"
	}
	return ""
}

// field shows a rule's field and whether it matched: "✓ Internet", "✗ 22".
func field(ok bool, s string) string {
	s = Text(s)
	if utf8.RuneCountInString(s) > 28 {
		s = string([]rune(s)[:25]) + "..."
	}
	s = strings.TrimSpace(s)
	if ok {
		return "✓ " + s
	}
	return "✗ " + s
}
