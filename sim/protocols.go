package sim

import "github.com/nsgsim/nsgsim/topology"

// evaluateEachProtocol decides a flow on protocol "*": once per protocol
// (Tcp, Udp, Icmp, Esp, Ah), since a rule on one protocol decides only its
// part. The flow is Allow when every protocol passes, Deny when none does,
// and Partial otherwise, its segments carrying their protocol (SPEC 2.3).
func (e *Engine) evaluateEachProtocol(f *Flow, fb *flowBudget) *Result {
	res := &Result{Flow: f}
	for _, p := range topology.Protocols {
		one := *f
		one.Protocol = p
		r := e.evaluate(&one, fb)
		if fb.stopped() {
			return res
		}
		if res.Segments == nil {
			res.Source, res.Dest = r.Source, r.Dest
		}
		res.Segments = append(res.Segments, r.Segments...)
	}
	res.Verdict, res.Hops = summarize(res.Segments)
	return res
}

// ProtocolSubsets names the protocols whose parts are allowed and those
// whose parts are denied, when a flow's verdict differs by protocol: for a
// "*" flow, "Tcp and Udp" against "Icmp, Esp and Ah". differ is false when
// every protocol has both, or only one, decision; the subsets are then
// addresses or ports.
func (r *Result) ProtocolSubsets() (allowed, denied string, differ bool) {
	var a, d [topology.Ah + 1]bool
	for _, s := range r.Segments {
		if s.Access == topology.Allow {
			a[s.Protocol] = true
		} else {
			d[s.Protocol] = true
		}
	}
	var an, dn []string
	for _, p := range topology.Protocols {
		if a[p] && d[p] {
			return "", "", false
		}
		if a[p] {
			an = append(an, p.String())
		}
		if d[p] {
			dn = append(dn, p.String())
		}
	}
	if len(an) == 0 || len(dn) == 0 {
		return "", "", false
	}
	return joinAnd(an), joinAnd(dn), true
}

// portlessAssumption reports whether the verdict of a flow on ICMP, ESP or
// AH rests on nsgsim's reading that a rule on some ports does not match
// them (SPEC 2.3; Azure does not document the case): some NSG on a decided
// path has such a rule, on a matching protocol, ahead of the rule that
// decided there.
func (e *Engine) portlessAssumption(r *Result) bool {
	for _, s := range r.Segments {
		if s.Protocol.CarriesPorts() {
			continue
		}
		for _, h := range s.Hops {
			for _, rule := range h.NSG.SecurityRules {
				if rule.Direction == h.Direction && rule.Protocol.Matches(s.Protocol) &&
					(h.Rule.Default || rule.Priority < h.Rule.Priority) &&
					(!topology.AllPortsRanges(rule.SourcePorts) || !topology.AllPortsRanges(rule.DestinationPorts)) {
					return true
				}
			}
		}
	}
	return false
}

// PortlessNote is what a result says when its verdict rests on the reading
// that ICMP, ESP and AH carry no ports.
const PortlessNote = "Icmp, Esp and Ah carry no ports, so nsgsim takes a rule on some ports not to match them; Azure does not document this case"
