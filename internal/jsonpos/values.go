package jsonpos

import (
	"strings"
	"unsafe"

	"github.com/nsgsim/nsgsim/topology"
)

// valuesPast returns the offset in s of the value after the first max
// values (objects, arrays, strings, numbers, true, false, null; an
// object's keys are not values), or -1 when s holds no more than max. It
// decodes nothing and allocates nothing, so that a document too costly to
// decode under the memory budget (topology.Limits.JSONValues) is refused in
// the time of one pass over its bytes, before anything is decoded. It reads
// any bytes: what it makes of a document that is not JSON does not matter,
// as the decoder refuses that anyway, but it is the same on every run.
func valuesPast(s string, max int) int {
	n := 0
	for i := 0; i < len(s); {
		start := i
		switch c := s[i]; {
		case c == '"':
			i = stringEnd(s, i+1)
			j := i
			for j < len(s) && (s[j] == ' ' || s[j] == '\t' || s[j] == '\n' || s[j] == '\r') {
				j++
			}
			if j < len(s) && s[j] == ':' {
				continue // a key
			}
		case c == '{' || c == '[':
			i++
		case c == '-' || '0' <= c && c <= '9':
			for i++; i < len(s) && (s[i] == '.' || s[i] == 'e' || s[i] == 'E' || s[i] == '+' || s[i] == '-' || '0' <= s[i] && s[i] <= '9'); i++ {
			}
		case c == 't' || c == 'f' || c == 'n':
			for i++; i < len(s) && 'a' <= s[i] && s[i] <= 'z'; i++ {
			}
		default:
			i++ // white space, ":", ",", a closing bracket, or not JSON
			continue
		}
		if n++; n > max {
			return start
		}
	}
	return -1
}

// stringEnd returns the offset just past the closing quote of the string
// whose content starts at i (len(s) when it is not closed).
func stringEnd(s string, i int) int {
	for {
		q := strings.IndexByte(s[i:], '"')
		if q < 0 {
			return len(s)
		}
		q += i
		// The quote closes the string unless an odd number of
		// backslashes escapes it.
		b := q
		for b > i && s[b-1] == '\\' {
			b--
		}
		if (q-b)%2 == 0 {
			return q + 1
		}
		i = q + 1
	}
}

// valuesError is the error for a document with more values than the
// memory budget allows, at the first value past the limit, or nil.
func valuesError(file string, data []byte) *topology.Error {
	b := topology.CurrentBudget()
	max := b.Limits().JSONValues
	if len(data) <= max {
		return nil // fewer bytes than values allowed: no need to count
	}
	off := valuesPast(unsafe.String(&data[0], len(data)), max) // read only
	if off < 0 {
		return nil
	}
	return topology.Errorf(topology.PosAt(file, data, int64(off)), "%s", topology.ValuesMessage(max, b))
}
