package sim

import (
	"math/bits"
	"slices"

	"github.com/nsgsim/nsgsim/topology"
)

// This file finds the first matching rule of a large NSG without walking
// its rules: the bit-vector scheme of T. V. Lakshman and D. Stiliadis,
// "High-speed policy-based packet forwarding using efficient
// multi-dimensional range matching" (SIGCOMM 1998).
//
// Each of the four range fields of a rule (source address, source port,
// destination address, destination port) is an axis. The boundaries of all
// rules' sets cut an axis into elementary intervals; every point of an
// interval is matched by the same rules, so an interval stores the bitset of
// those rules, bit i for the i-th rule in evaluation order. The protocol is
// a fifth, discrete axis. A packet's rules are the AND of its five bitsets,
// and the rule that decides is the lowest set bit: the first match, as the
// linear scan finds it ("Once traffic matches a rule, processing stops",
// https://learn.microsoft.com/en-us/azure/virtual-network/network-security-groups-overview#security-rules).
//
// Intervals that hold the same rules share one bitset, so an axis costs a
// point and a class number per interval plus one bitset per distinct class.

// indexMinRules is the number of rules in one direction above which an NSG
// gets an index. Below it the linear scan is as fast, and the index would
// only cost memory on topologies with thousands of small NSGs.
const indexMinRules = 32

// numProtocols is the number of topology.Protocol values.
const numProtocols = int(topology.Ah) + 1

// Axes of a rule index.
const (
	axisSrc = iota
	axisSport
	axisDst
	axisDport
	numAxes
)

// ruleIndex answers first-match queries for the rules of one direction of
// a compiled NSG. It is read-only once built.
type ruleIndex struct {
	words int                    // 64-bit words per bitset
	proto [numProtocols][]uint64 // rules whose protocol matches each protocol
	axes  [numAxes]axis
}

// axis is one field cut into elementary intervals: interval k holds the
// points from starts[k] up to starts[k+1]-1 (the last one, to the end of the
// universe), and its rules are the bitset of class[k].
type axis struct {
	starts []Point
	class  []uint32
	sets   []uint64 // class c is sets[c*words : (c+1)*words]
}

// find returns the bitset of the interval holding p. It does not allocate.
func (a *axis) find(p Point, words int) []uint64 {
	// The last start <= p; starts[0] is 0, so there is one.
	i, j := 0, len(a.starts)
	for j-i > 1 {
		h := int(uint(i+j) >> 1)
		if a.starts[h] <= p {
			i = h
		} else {
			j = h
		}
	}
	c := int(a.class[i]) * words
	return a.sets[c : c+words : c+words]
}

// first returns the position of the first rule that matches the packet, or
// -1 when none does. It does not allocate.
func (x *ruleIndex) first(proto topology.Protocol, src, sport, dst, dport Point) int {
	w := x.words
	p := x.proto[proto][:w]
	s := x.axes[axisSrc].find(src, w)
	sp := x.axes[axisSport].find(sport, w)
	d := x.axes[axisDst].find(dst, w)
	dp := x.axes[axisDport].find(dport, w)
	for i := range w {
		if m := p[i] & dp[i] & sp[i] & s[i] & d[i]; m != 0 {
			return i*64 + bits.TrailingZeros64(m)
		}
	}
	return -1
}

// newRuleIndex builds the index of rules, in evaluation order.
func newRuleIndex(rules []compiledRule) *ruleIndex {
	x := &ruleIndex{words: (len(rules) + 63) / 64}
	for q := range numProtocols {
		set := make([]uint64, x.words)
		for i := range rules {
			if rules[i].protocols.has(topology.Protocol(q)) {
				set[i/64] |= 1 << (i % 64)
			}
		}
		x.proto[q] = set
	}
	field := [numAxes]func(*compiledRule) Set{
		axisSrc:   func(r *compiledRule) Set { return r.src },
		axisSport: func(r *compiledRule) Set { return r.srcPorts },
		axisDst:   func(r *compiledRule) Set { return r.dst },
		axisDport: func(r *compiledRule) Set { return r.dstPorts },
	}
	for a := range numAxes {
		x.axes[a] = newAxis(rules, field[a], x.words)
	}
	return x
}

func newAxis(rules []compiledRule, field func(*compiledRule) Set, words int) axis {
	// Elementary intervals start at 0 and wherever some rule's set starts
	// or stops.
	starts := []Point{0}
	for i := range rules {
		starts = field(&rules[i]).cuts(starts)
	}
	slices.Sort(starts)
	starts = slices.Compact(starts)

	// Mark each rule in the intervals its spans cover: flip its bit where
	// each span starts and where it stops, then run along the intervals,
	// each one's bits the running XOR of the flips so far. Sets are
	// normalised, so a span's lo and hi+1 are starts, and the spans of one
	// set neither overlap nor touch.
	marks := make([]uint64, len(starts)*words)
	for i := range rules {
		bit, word := uint64(1)<<(i%64), i/64
		for _, sp := range field(&rules[i]).spans {
			k, _ := slices.BinarySearch(starts, sp.lo)
			marks[k*words+word] ^= bit
			if k, found := slices.BinarySearch(starts, sp.hi+1); found {
				marks[k*words+word] ^= bit
			}
		}
	}
	for k := 1; k < len(starts); k++ {
		prev, cur := marks[(k-1)*words:k*words], marks[k*words:(k+1)*words]
		for w := range cur {
			cur[w] ^= prev[w]
		}
	}

	// Number the distinct bitsets, in order of first appearance.
	ax := axis{starts: starts, class: make([]uint32, len(starts))}
	classes := make(map[uint64][]uint32) // hash of a bitset → its classes
	for k := range starts {
		set := marks[k*words : (k+1)*words]
		h := hashWords(set)
		c, found := uint32(0), false
		for _, c = range classes[h] {
			if slices.Equal(ax.sets[int(c)*words:(int(c)+1)*words], set) {
				found = true
				break
			}
		}
		if !found {
			c = uint32(len(ax.sets) / words)
			classes[h] = append(classes[h], c)
			ax.sets = append(ax.sets, set...)
		}
		ax.class[k] = c
	}
	ax.sets = slices.Clip(ax.sets)
	return ax
}

// hashWords is FNV-1a over 64-bit words.
func hashWords(ws []uint64) uint64 {
	h := uint64(14695981039346656037)
	for _, w := range ws {
		h ^= w
		h *= 1099511628211
	}
	return h
}

// meeting ORs into out the bitsets of the intervals that s covers: the
// rules whose field meets s. It gives up, returning false, when s covers
// more than limit intervals, leaving out partly written. It does not
// allocate.
func (a *axis) meeting(s Set, words, limit int, out []uint64) bool {
	n := 0
	for _, sp := range s.spans {
		k, _ := slices.BinarySearch(a.starts, sp.lo+1)
		k-- // the interval holding sp.lo
		end, _ := slices.BinarySearch(a.starts, sp.hi+1)
		if n += end - k; n > limit {
			return false
		}
		prev := -1
		for ; k < end; k++ {
			c := int(a.class[k])
			if c == prev {
				continue
			}
			prev = c
			set := a.sets[c*words : (c+1)*words]
			for w := range out {
				out[w] |= set[w]
			}
		}
	}
	return true
}

// meetingLimit is the most intervals of one axis that candidates ORs;
// past it the axis is left out, which only lets more rules through.
const meetingLimit = 64

// candidates appends to out, in increasing order, the indexes below stop
// of the rules that may meet box b: every rule that does, and perhaps
// others (an axis on which b spans many intervals is not used to narrow).
func (x *ruleIndex) candidates(b matchBox, stop int, out []int) []int {
	w := x.words
	acc := make([]uint64, 2*w)
	cand, tmp := acc[:w], acc[w:]
	for q := range numProtocols {
		if b.proto&(1<<q) != 0 {
			for i, v := range x.proto[q] {
				cand[i] |= v
			}
		}
	}
	sides := [numAxes]Set{axisSrc: b.src, axisSport: b.sport, axisDst: b.dst, axisDport: b.dport}
	for a := range numAxes {
		clear(tmp)
		if !x.axes[a].meeting(sides[a], w, meetingLimit, tmp) {
			continue
		}
		for i := range cand {
			cand[i] &= tmp[i]
		}
	}
	for i, m := range cand {
		for m != 0 {
			j := i*64 + bits.TrailingZeros64(m)
			if j >= stop {
				return out
			}
			out = append(out, j)
			m &= m - 1
		}
	}
	return out
}
