package sim

import (
	"fmt"
	"strings"
)

// maxListed is how many prefixes a description lists before it summarises.
const maxListed = 4

// Describe names a subset s of an endpoint's addresses for people: the
// endpoint's name when s is all of it ("Internet"), a short list of prefixes
// and tags ("203.0.113.0/24"), or the endpoint less a short list ("Internet
// except 203.0.113.0/24").
func (e *Engine) Describe(s, whole Set, wholeName string) string {
	switch {
	case s.IsEmpty():
		return "no address"
	case s.Equal(whole):
		return wholeName
	}
	in := e.list(s)
	if len(in) <= maxListed {
		return joinAnd(in)
	}
	if out := e.list(whole.Subtract(s)); len(out) <= maxListed && whole.ContainsSet(s) {
		return wholeName + " except " + joinAnd(out)
	}
	return fmt.Sprintf("%s and %d more", strings.Join(in[:maxListed], ", "), len(in)-maxListed)
}

// list names the prefixes and tag addresses of s.
func (e *Engine) list(s Set) []string {
	var out []string
	for _, p := range s.Prefixes() {
		out = append(out, p.String())
	}
	atoms := s.atoms()
	if len(atoms) > 0 && len(atoms) == len(e.u.names) {
		return append(out, "all AzureCloud addresses")
	}
	for _, a := range atoms {
		out = append(out, e.u.atomName(a)+" addresses")
	}
	return out
}

// DescribePorts prints a port set as the portal does: "1024-65535", "22,3389".
func DescribePorts(s Set) string {
	parts := make([]string, len(s.spans))
	for i, r := range s.PortRanges() {
		parts[i] = r.String()
	}
	return strings.Join(parts, ",")
}

// joinAnd joins names as a sentence does: "a", "a and b", "a, b and c".
func joinAnd(names []string) string {
	if len(names) <= 1 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}
