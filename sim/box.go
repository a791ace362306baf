package sim

import "github.com/nsgsim/nsgsim/topology"

// This file computes with whole match sets of rules rather than with single
// packets: the set of packets a rule matches is a box, the product of a
// protocol set and four sets (source, source port, destination, destination
// port). Walking rules in priority order and subtracting each from what is
// left of a box tells which rules are the first match for some part of it:
// exactly what the shadowed-rule check, the explicit-rule check and the fix
// need. NSGs decide in this order ("Once traffic matches a rule, processing
// stops", https://learn.microsoft.com/en-us/azure/virtual-network/network-security-groups-overview#security-rules).

// protoSet is a set of protocols, one bit per concrete protocol.
type protoSet uint8

// allProtocols is what a rule on "*" matches.
const allProtocols protoSet = 1<<topology.Tcp | 1<<topology.Udp | 1<<topology.Icmp | 1<<topology.Esp | 1<<topology.Ah

// protocolSet returns the protocols a rule on p matches.
func protocolSet(p topology.Protocol) protoSet {
	if p == topology.Any {
		return allProtocols
	}
	return 1 << p
}

// matchBox is a set of packets: every combination of its five sides.
type matchBox struct {
	proto      protoSet
	src, sport Set
	dst, dport Set
}

func (b matchBox) isEmpty() bool {
	return b.proto == 0 || b.src.IsEmpty() || b.sport.IsEmpty() || b.dst.IsEmpty() || b.dport.IsEmpty()
}

// ruleBox is the match set of a compiled rule.
func ruleBox(r *compiledRule) matchBox {
	return matchBox{r.protocols, r.src, r.srcPorts, r.dst, r.dstPorts}
}

func (b matchBox) intersect(h matchBox) matchBox {
	return matchBox{b.proto & h.proto, b.src.Intersect(h.src), b.sport.Intersect(h.sport), b.dst.Intersect(h.dst), b.dport.Intersect(h.dport)}
}

func (b matchBox) overlaps(h matchBox) bool {
	return b.proto&h.proto != 0 && meets(b.dport, h.dport) && meets(b.sport, h.sport) &&
		meets(b.src, h.src) && meets(b.dst, h.dst)
}

// meets reports whether s and t share a point, without allocating.
func meets(s, t Set) bool {
	i, j := 0, 0
	for i < len(s.spans) && j < len(t.spans) {
		a, b := s.spans[i], t.spans[j]
		switch {
		case a.hi < b.lo:
			i++
		case b.hi < a.lo:
			j++
		default:
			return true
		}
	}
	return false
}

// minus returns b \ h as disjoint boxes: one side at a time, the part of b
// outside h on that side, then b narrowed to h on that side.
func (b matchBox) minus(h matchBox, out []matchBox) []matchBox {
	if !b.overlaps(h) {
		return append(out, b)
	}
	if p := b.proto &^ h.proto; p != 0 {
		out = append(out, matchBox{p, b.src, b.sport, b.dst, b.dport})
		b.proto &= h.proto
	}
	if s := b.dport.Subtract(h.dport); !s.IsEmpty() {
		out = append(out, matchBox{b.proto, b.src, b.sport, b.dst, s})
		b.dport = b.dport.Intersect(h.dport)
	}
	if s := b.src.Subtract(h.src); !s.IsEmpty() {
		out = append(out, matchBox{b.proto, s, b.sport, b.dst, b.dport})
		b.src = b.src.Intersect(h.src)
	}
	if s := b.dst.Subtract(h.dst); !s.IsEmpty() {
		out = append(out, matchBox{b.proto, b.src, b.sport, s, b.dport})
		b.dst = b.dst.Intersect(h.dst)
	}
	if s := b.sport.Subtract(h.sport); !s.IsEmpty() {
		out = append(out, matchBox{b.proto, b.src, s, b.dst, b.dport})
	}
	return out
}

// maxBoxes bounds the pieces a walk keeps; past it the walk gives up rather
// than take unbounded time on a pathological NSG.
const maxBoxes = 50_000

// firstMatches walks rules in order over the packets of b, stopping before
// rule index stop (len(rules) to walk them all). It returns the indexes of
// the rules that are the first match for some packet of b, in order, and
// whether any packet of b is left unmatched by them. ok is false when the
// walk gave up (maxBoxes).
func firstMatches(rules []compiledRule, b matchBox, stop int) (takers []int, left bool, ok bool) {
	return firstMatchesAmong(rules, nil, b, stop)
}

// firstMatchesAmong is firstMatches walking only the rules whose indexes
// among lists, in increasing order (nil: every rule). A rule whose box does
// not meet b takes nothing of it and splits none of its pieces, so leaving
// out rules that do not meet b gives the same answer.
func firstMatchesAmong(rules []compiledRule, among []int, b matchBox, stop int) (takers []int, left bool, ok bool) {
	if b.isEmpty() {
		return nil, false, true
	}
	rest := []matchBox{b}
	var next []matchBox
	n := min(stop, len(rules))
	if among != nil {
		n = len(among)
	}
	for k := 0; k < n && len(rest) > 0; k++ {
		i := k
		if among != nil {
			if i = among[k]; i >= stop {
				break
			}
		}
		h := ruleBox(&rules[i])
		next = next[:0]
		took := false
		for _, x := range rest {
			if x.overlaps(h) {
				took = true
				next = x.minus(h, next)
			} else {
				next = append(next, x)
			}
		}
		if took {
			takers = append(takers, i)
		}
		if len(next) > maxBoxes {
			return takers, true, false
		}
		rest, next = next, rest
	}
	return takers, len(rest) > 0, true
}

// The boxes of one flow: its protocol and destination port are fixed, so a
// set of its packets is a box of sources × source ports × destinations
// (box, evaluate.go), and a rule that matches the protocol and port matches
// the box of its three other sides.

// meets reports whether the rule's sides meet b: some packet of b matches
// it, given that it matches the flow's protocol and port.
func (b box) meets(r *compiledRule) bool {
	return meets(b.src, r.src) && meets(b.dst, r.dst) && meets(b.ports, r.srcPorts)
}

// within returns the packets of b that r matches (b must meet r).
func (b box) within(r *compiledRule) box {
	return box{b.src.Intersect(r.src), b.ports.Intersect(r.srcPorts), b.dst.Intersect(r.dst)}
}

// minus appends to out b less what r matches, as disjoint boxes: one side
// at a time, the part of b outside r on that side, then b narrowed to r on
// that side.
func (b box) minus(r *compiledRule, out []box) []box {
	if s := b.src.Subtract(r.src); !s.IsEmpty() {
		out = append(out, box{s, b.ports, b.dst})
		b.src = b.src.Intersect(r.src)
	}
	if s := b.dst.Subtract(r.dst); !s.IsEmpty() {
		out = append(out, box{b.src, b.ports, s})
		b.dst = b.dst.Intersect(r.dst)
	}
	if s := b.ports.Subtract(r.srcPorts); !s.IsEmpty() {
		out = append(out, box{b.src, s, b.dst})
	}
	return out
}

// inside reports whether the rule's sides hold all of b: every packet of b
// matches it, given that it matches the flow's protocol and port.
func (b box) inside(r *compiledRule) bool {
	return covers(r.src, b.src) && covers(r.dst, b.dst) && covers(r.srcPorts, b.ports)
}

// covers reports whether t ⊆ s, without allocating.
func covers(s, t Set) bool {
	i := 0
	for _, sp := range t.spans {
		for i < len(s.spans) && s.spans[i].hi < sp.lo {
			i++
		}
		if i == len(s.spans) || s.spans[i].lo > sp.lo || s.spans[i].hi < sp.hi {
			return false
		}
	}
	return true
}

// decided is a box of packets whose first match is rule.
type decided struct {
	b    box
	rule *compiledRule
}

// partition appends to out the pieces of b, packets of protocol proto to
// port dport, split by their first match among the rules of direction dir:
// each rule takes what it matches of what the rules before it left ("Once
// traffic matches a rule, processing stops", NSG overview). The default
// rules match every packet, so the pieces cover b. A large NSG's rule index
// names the rules that can meet b, and only those are walked: the others
// take nothing of it. sc holds the buffers of the walk.
//
// Every piece the walk makes, taken or left, and every piece it compares
// with a rule, is charged to fb; when a rule takes the flow past its
// budgets the walk stops there, fb records the rule (over), and out is
// incomplete (budget_pieces.go).
func (n *compiledNSG) partition(dir topology.Direction, proto topology.Protocol, dport uint16, b box, sc *evalScratch, fb *flowBudget, out []decided) []decided {
	rules := n.rules[dir]
	x := n.index(dir)
	count := len(rules)
	if x != nil {
		sc.among = x.candidates(matchBox{1 << proto, b.src, b.ports, b.dst, PointSet(Point(dport))}, len(rules), sc.among[:0])
		count = len(sc.among)
	}
	rest, next := append(sc.rest[:0], b), sc.next[:0]
	for k := 0; k < count && len(rest) > 0; k++ {
		r := &rules[k]
		if x != nil {
			r = &rules[sc.among[k]]
		}
		if !r.protocols.has(proto) || !r.dstPorts.Contains(Point(dport)) {
			continue
		}
		next = next[:0]
		made, steps := 0, len(rest)
		for _, x := range rest {
			switch {
			case !x.meets(r):
				next = append(next, x)
			case x.inside(r):
				out = append(out, decided{x, r})
			default:
				out = append(out, decided{x.within(r), r})
				n := len(next)
				next = x.minus(r, next)
				made += 1 + len(next) - n
			}
		}
		rest, next = next, rest
		if !fb.charge(made, steps, n, r) {
			break
		}
	}
	sc.rest, sc.next = rest, next
	return out
}

// RulesMeet reports whether rules a and b, of one direction, can match a
// common packet in NSG nsg, in some VNet where it is attached (a rule's
// service tags and ASGs mean different addresses in different VNets).
// Neither rule need be in the NSG. Protocols count as the rules name them,
// so the answer errs towards true.
func (e *Engine) RulesMeet(nsg string, a, b *topology.SecurityRule) bool {
	if a.Direction != b.Direction {
		return false
	}
	for _, s := range e.slotsOf[nsg] {
		vi := e.vnets[e.keys[s].vnet]
		boxOf := func(r *topology.SecurityRule) matchBox {
			return matchBox{protocolSet(r.Protocol), e.addresses(r.Source, vi), PortSet(r.SourcePorts), e.addresses(r.Destination, vi), PortSet(r.DestinationPorts)}
		}
		if boxOf(a).overlaps(boxOf(b)) {
			return true
		}
	}
	return false
}
