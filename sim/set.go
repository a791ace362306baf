package sim

import (
	"cmp"
	"math/bits"
	"net/netip"
	"slices"

	"github.com/nsgsim/nsgsim/topology"
)

// A Point is one address of nsgsim's address universe: an IPv4 address
// (0 to 2^32-1), or, above that, an opaque address standing for a service tag
// of the built-in model (SPEC 2.4): without a Service Tags file nsgsim does not
// know GatewayManager's or AzureCloud's prefixes, so each such tag gets
// addresses of its own that only `*`, Internet, AzureCloud, the tag itself and
// a prefix list covering all public IPv4 space contain.
type Point = uint64

const atomBase Point = 1 << 32

// span is an inclusive range of points.
type span struct{ lo, hi Point }

// Set is a set of points, addresses or ports: sorted, disjoint,
// non-adjacent spans. The zero value is the empty set. Sets are values;
// operations return new sets.
type Set struct{ spans []span }

// PrefixSet returns the set of one IPv4 prefix.
func PrefixSet(p netip.Prefix) Set {
	lo, hi := prefixBounds(p)
	return Set{[]span{{lo, hi}}}
}

// PrefixesSet returns the union of IPv4 prefixes.
func PrefixesSet(ps []netip.Prefix) Set {
	spans := make([]span, 0, len(ps))
	for _, p := range ps {
		lo, hi := prefixBounds(p)
		spans = append(spans, span{lo, hi})
	}
	return normalize(spans)
}

// PointSet returns the set of one point.
func PointSet(p Point) Set { return Set{[]span{{p, p}}} }

func prefixBounds(p netip.Prefix) (lo, hi Point) {
	p = p.Masked()
	a := p.Addr().As4()
	v := Point(a[0])<<24 | Point(a[1])<<16 | Point(a[2])<<8 | Point(a[3])
	size := Point(1) << (32 - p.Bits())
	return v, v + size - 1
}

// AddrPoint returns the point of an IPv4 address.
func AddrPoint(a netip.Addr) Point {
	b := a.As4()
	return Point(b[0])<<24 | Point(b[1])<<16 | Point(b[2])<<8 | Point(b[3])
}

// PointAddr returns the IPv4 address of a point below 2^32.
func PointAddr(p Point) netip.Addr {
	return netip.AddrFrom4([4]byte{byte(p >> 24), byte(p >> 16), byte(p >> 8), byte(p)})
}

func compareLo(a, b span) int { return cmp.Compare(a.lo, b.lo) }

func normalize(spans []span) Set {
	if len(spans) == 0 {
		return Set{}
	}
	if !slices.IsSortedFunc(spans, compareLo) {
		slices.SortFunc(spans, compareLo)
	}
	out := spans[:1]
	for _, s := range spans[1:] {
		last := &out[len(out)-1]
		if s.lo <= last.hi+1 {
			if s.hi > last.hi {
				last.hi = s.hi
			}
			continue
		}
		out = append(out, s)
	}
	return Set{out}
}

// IsEmpty reports whether s has no points.
func (s Set) IsEmpty() bool { return len(s.spans) == 0 }

// Contains reports whether p is in s. It does not allocate.
func (s Set) Contains(p Point) bool {
	i := s.spanFrom(p)
	return i < len(s.spans) && s.spans[i].lo <= p
}

// spanFrom returns the index of the first span that ends at or after p
// (len(s.spans) when none does), by binary search. It does not allocate.
func (s Set) spanFrom(p Point) int {
	sp := s.spans
	i, j := 0, len(sp)
	for i < j {
		h := int(uint(i+j) >> 1)
		if sp[h].hi < p {
			i = h + 1
		} else {
			j = h
		}
	}
	return i
}

// Union returns s ∪ t.
func (s Set) Union(t Set) Set {
	all := make([]span, 0, len(s.spans)+len(t.spans))
	all = append(all, s.spans...)
	all = append(all, t.spans...)
	return normalize(all)
}

// Intersect returns s ∩ t.
func (s Set) Intersect(t Set) Set {
	var out []span
	i, j := 0, 0
	for i < len(s.spans) && j < len(t.spans) {
		a, b := s.spans[i], t.spans[j]
		lo, hi := max(a.lo, b.lo), min(a.hi, b.hi)
		if lo <= hi {
			out = append(out, span{lo, hi})
		}
		if a.hi < b.hi {
			i++
		} else {
			j++
		}
	}
	return Set{out}
}

// Subtract returns s \ t.
func (s Set) Subtract(t Set) Set {
	var out []span
	j := 0
	for _, a := range s.spans {
		lo := a.lo
		for j < len(t.spans) && t.spans[j].hi < lo {
			j++
		}
		covered := false
		for k := j; k < len(t.spans) && t.spans[k].lo <= a.hi; k++ {
			b := t.spans[k]
			if b.lo > lo {
				out = append(out, span{lo, b.lo - 1})
			}
			if b.hi >= a.hi {
				covered = true
				break
			}
			lo = b.hi + 1
		}
		if !covered {
			out = append(out, span{lo, a.hi})
		}
	}
	return Set{out}
}

// ContainsSet reports whether t ⊆ s. It does not allocate.
func (s Set) ContainsSet(t Set) bool { return covers(s, t) }

// Overlaps reports whether s ∩ t is not empty. It does not allocate.
func (s Set) Overlaps(t Set) bool { return meets(s, t) }

// Equal reports whether s and t hold the same points.
func (s Set) Equal(t Set) bool {
	if len(s.spans) != len(t.spans) {
		return false
	}
	for i := range s.spans {
		if s.spans[i] != t.spans[i] {
			return false
		}
	}
	return true
}

// First returns the lowest point of s; s must not be empty.
func (s Set) First() Point { return s.spans[0].lo }

// Size returns the number of points in s, saturating at 2^63.
func (s Set) Size() uint64 {
	var n uint64
	for _, sp := range s.spans {
		n += sp.hi - sp.lo + 1
	}
	return n
}

// IPv4 returns the part of s below 2^32 (real addresses).
func (s Set) IPv4() Set { return s.Intersect(Set{[]span{{0, atomBase - 1}}}) }

// Prefixes returns the smallest list of IPv4 prefixes that covers exactly the
// IPv4 part of s, in address order.
func (s Set) Prefixes() []netip.Prefix {
	var out []netip.Prefix
	for _, sp := range s.IPv4().spans {
		lo, hi := sp.lo, sp.hi
		for lo <= hi {
			// Largest aligned block starting at lo that fits.
			size := Point(1) << min(bits.TrailingZeros64(lo|atomBase), 32)
			for lo+size-1 > hi {
				size >>= 1
			}
			out = append(out, netip.PrefixFrom(PointAddr(lo), 32-bits.TrailingZeros64(size)))
			lo += size
		}
	}
	return out
}

// atoms returns the points of s at or above 2^32.
func (s Set) atoms() []Point {
	var out []Point
	for _, sp := range s.spans {
		for p := max(sp.lo, atomBase); p <= sp.hi; p++ {
			out = append(out, p)
		}
	}
	return out
}

// cuts adds to b the points where s starts or stops: each lo and hi+1.
func (s Set) cuts(b []Point) []Point {
	for _, sp := range s.spans {
		b = append(b, sp.lo, sp.hi+1)
	}
	return b
}

// split partitions s at the cut points, returning the pieces in order.
func (s Set) split(cuts []Point) []Set {
	var out []Set
	ci := 0
	for _, sp := range s.spans {
		lo := sp.lo
		for ci < len(cuts) && cuts[ci] <= lo {
			ci++
		}
		for ci < len(cuts) && cuts[ci] <= sp.hi {
			out = append(out, Set{[]span{{lo, cuts[ci] - 1}}})
			lo = cuts[ci]
			ci++
		}
		out = append(out, Set{[]span{{lo, sp.hi}}})
	}
	return out
}

// PortSet returns the set of the ports in ranges.
func PortSet(ranges []topology.PortRange) Set {
	if len(ranges) == 1 {
		return Set{[]span{{Point(ranges[0].Lo), Point(ranges[0].Hi)}}}
	}
	spans := make([]span, 0, len(ranges))
	for _, r := range ranges {
		spans = append(spans, span{Point(r.Lo), Point(r.Hi)})
	}
	return normalize(spans)
}

// PortRanges returns s as port ranges.
func (s Set) PortRanges() []topology.PortRange {
	out := make([]topology.PortRange, len(s.spans))
	for i, sp := range s.spans {
		out[i] = topology.PortRange{Lo: uint16(sp.lo), Hi: uint16(sp.hi)}
	}
	return out
}
