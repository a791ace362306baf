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
