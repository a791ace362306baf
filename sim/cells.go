package sim

import "slices"

// Helpers of evaluatePair on sets and sorted points.

// last returns the highest point of s; s must not be empty.
func (s Set) last() Point { return s.spans[len(s.spans)-1].hi }

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

// uniq sorts p and drops duplicates, in place.
func uniq(p []Point) []Point {
	slices.Sort(p)
	return slices.Compact(p)
}
