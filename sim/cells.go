package sim

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
	i, j := 0, len(sp)
	for i < j {
		h := int(uint(i+j) >> 1)
		if sp[h].hi < lo {
			i = h + 1
		} else {
			j = h
		}
	}
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
