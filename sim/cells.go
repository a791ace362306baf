package sim

import (
	"math/bits"
	"slices"

	"github.com/nsgsim/nsgsim/topology"
)

// Helpers of evaluatePair that cut sets into cells without allocating.

// last returns the highest point of s; s must not be empty.
func (s Set) last() Point { return s.spans[len(s.spans)-1].hi }

// cutsIn appends to b the points where s starts or stops (each lo and
// hi+1) that lie in (lo, hi]: the only cuts that can split a set whose
// points run from lo to hi. Set.split ignores every other cut, so it gives
// the same pieces with these as with all of s's cuts.
func (s Set) cutsIn(b []Point, lo, hi Point) []Point {
	if lo >= hi {
		return b
	}
	sp := s.spans
	// Skip the spans that stop before lo: their cuts are at most lo.
	i := s.spanFrom(lo)
	for ; i < len(sp) && sp[i].lo <= hi; i++ {
		if c := sp[i].lo; c > lo {
			b = append(b, c)
		}
		if c := sp[i].hi + 1; c > lo && c <= hi {
			b = append(b, c)
		}
	}
	return b
}

// splitSpans is split, appending the pieces to out as spans: every piece
// split returns has one span.
func (s Set) splitSpans(cuts []Point, out []span) []span {
	ci := 0
	for _, sp := range s.spans {
		lo := sp.lo
		for ci < len(cuts) && cuts[ci] <= lo {
			ci++
		}
		for ci < len(cuts) && cuts[ci] <= sp.hi {
			out = append(out, span{lo, cuts[ci] - 1})
			lo = cuts[ci]
			ci++
		}
		out = append(out, span{lo, sp.hi})
	}
	return out
}

// spanSet returns the set of one span.
func spanSet(sp span) Set { return Set{[]span{sp}} }

// hash mixes s into h (FNV-1a over the span bounds).
func (s Set) hash(h uint64) uint64 {
	if h == 0 {
		h = 14695981039346656037
	}
	for _, sp := range s.spans {
		h = (h ^ sp.lo) * 1099511628211
		h = (h ^ sp.hi) * 1099511628211
	}
	return (h ^ uint64(len(s.spans))) * 1099511628211
}

// gateCuts are the points where the rules of one NSG direction that can
// match a protocol and destination port start or stop matching, along the
// source, source port and destination axes: sorted, without duplicates.
type gateCuts struct{ src, sport, dst []Point }

// cutKey names the gateCuts of an NSG for one direction, protocol and port.
type cutKey struct {
	dir   topology.Direction
	proto topology.Protocol
	port  uint16
}

// cutsFor returns the cuts of direction dir for traffic of proto to port,
// computing them on first use. A large NSG's rule index lists the rules
// that can match at once; a small NSG checks each rule.
func (n *compiledNSG) cutsFor(dir topology.Direction, proto topology.Protocol, port uint16) *gateCuts {
	k := cutKey{dir, proto, port}
	n.cutsMu.RLock()
	gc := n.cuts[k]
	n.cutsMu.RUnlock()
	if gc != nil {
		return gc
	}
	gc = &gateCuts{}
	add := func(r *compiledRule) {
		gc.src = r.src.cuts(gc.src)
		gc.sport = r.srcPorts.cuts(gc.sport)
		gc.dst = r.dst.cuts(gc.dst)
	}
	rules := n.rules[dir]
	if x := n.index(dir); x != nil {
		for w, m := range x.matching(proto, Point(port), nil) {
			for m != 0 {
				add(&rules[w*64+bits.TrailingZeros64(m)])
				m &= m - 1
			}
		}
	} else {
		for i := range rules {
			if r := &rules[i]; r.protocols.has(proto) && r.dstPorts.Contains(Point(port)) {
				add(r)
			}
		}
	}
	for _, l := range []*[]Point{&gc.src, &gc.sport, &gc.dst} {
		slices.Sort(*l)
		*l = slices.Clip(slices.Compact(*l))
	}
	n.cutsMu.Lock()
	defer n.cutsMu.Unlock()
	if old := n.cuts[k]; old != nil {
		return old
	}
	if n.cuts == nil {
		n.cuts = make(map[cutKey]*gateCuts)
	}
	n.cuts[k] = gc
	return gc
}

// window returns the points of sorted cuts in (lo, hi]: the only cuts that
// can split a set whose points run from lo to hi. Set.split ignores every
// other cut, so it gives the same pieces with these as with all.
func window(cuts []Point, lo, hi Point) []Point {
	i, _ := slices.BinarySearch(cuts, lo+1)
	j, _ := slices.BinarySearch(cuts, hi+1)
	return cuts[i:j]
}

// mergeSorted appends to buf the union of sorted lists, in order and
// without duplicates.
func mergeSorted(buf []Point, lists [][]Point) []Point {
	var at [4]int
	if len(lists) > len(at) {
		for _, l := range lists {
			buf = append(buf, l...)
		}
		slices.Sort(buf)
		return slices.Compact(buf)
	}
	for {
		best, v := -1, Point(0)
		for i, l := range lists {
			if at[i] < len(l) && (best < 0 || l[at[i]] < v) {
				best, v = i, l[at[i]]
			}
		}
		if best < 0 {
			return buf
		}
		if len(buf) == 0 || buf[len(buf)-1] != v {
			buf = append(buf, v)
		}
		at[best]++
	}
}

// uniq sorts p and drops duplicates, in place.
func uniq(p []Point) []Point {
	slices.Sort(p)
	return slices.Compact(p)
}
