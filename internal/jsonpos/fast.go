package jsonpos

import (
	"encoding/json"
	"runtime"
	"strconv"
	"sync"
	"unsafe"
)

// maxDepth is how deeply encoding/json lets arrays and objects nest
// (its error "exceeded max depth"); the fast decoder stops there too, so
// that the slow path gives that error.
const maxDepth = 10000

// fastDecode decodes valid JSON with no key given twice in one object into
// the values Decode returns, in one pass over data and without
// encoding/json's per-token costs: a string without escapes is a substring
// of one copy of data (of data itself when shared), an object is sized
// once for its members, and a key
// given twice is caught as its object is built. It reports false for
// anything else (a syntax error, a key given twice, nesting deeper than
// encoding/json allows), and decode then takes the slow path, whose
// messages and positions are the contract.
func fastDecode(data []byte, shared bool) (any, bool) {
	p := &fastParser{}
	switch {
	case shared && len(data) > 0:
		p.s = unsafe.String(&data[0], len(data))
	default:
		p.s = string(data) // one copy, of which strings are views
	}
	p.space()
	if p.i < len(p.s) && p.s[p.i] == '[' && len(p.s) >= minParallelJSON && runtime.GOMAXPROCS(0) > 1 {
		return p.parallelArray(runtime.GOMAXPROCS(0))
	}
	v, ok := p.value(0)
	if !ok {
		return nil, false
	}
	p.space()
	return v, p.i == len(p.s)
}

// minParallelJSON is the size from which a top-level array is decoded in
// parallel parts: the az CLI's list output of a large estate, hundreds of
// megabytes, is one.
var minParallelJSON = 8 << 20

// parallelArray decodes a document that is one array (p.i at its "[") in
// up to n parts, each a run of its elements, in parallel. The parts end at
// commas between elements, found by a scan of the document's first part;
// each part is decoded by the grammar, so a document is decoded only if
// it is valid whatever commas the scan found.
func (p *fastParser) parallelArray(n int) (any, bool) {
	cuts := topLevelCommas(p.s, p.i+1, n)
	if len(cuts) == 0 { // fewer than two elements past the first part
		v, ok := p.value(0)
		p.space()
		return v, ok && p.i == len(p.s)
	}
	parts := make([][]any, len(cuts)+1)
	oks := make([]bool, len(parts))
	var wg sync.WaitGroup
	for k := range parts {
		start, end := p.i+1, -1 // the last part ends at "]"
		if k > 0 {
			start = cuts[k-1] + 1
		}
		if k < len(cuts) {
			end = cuts[k]
		}
		wg.Go(func() {
			q := &fastParser{s: p.s, i: start}
			parts[k], oks[k] = q.elements(end)
		})
	}
	wg.Wait()
	total := 0
	for k := range parts {
		if !oks[k] {
			return nil, false
		}
		total += len(parts[k])
	}
	out := make([]any, 0, total)
	for _, part := range parts {
		out = append(out, part...)
	}
	return out, true
}

// elements decodes the elements of the top-level array from p.i up to the
// comma at end, or, for end -1, up to the closing "]" and the end of the
// document.
func (p *fastParser) elements(end int) ([]any, bool) {
	var out []any
	for {
		p.space()
		v, ok := p.value(1)
		if !ok {
			return nil, false
		}
		out = append(out, v)
		p.space()
		switch {
		case p.i == end:
			return out, true
		case p.i >= len(p.s):
			return nil, false
		case p.s[p.i] == ',':
			p.i++
		case p.s[p.i] == ']' && end < 0:
			p.i++
			p.space()
			return out, p.i == len(p.s)
		default:
			return nil, false
		}
	}
}

// topLevelCommas returns up to n-1 offsets of commas between the elements
// of the array that starts before from, near each n-th of s: a scan of
// brackets and strings, which stops at the last one it needs.
func topLevelCommas(s string, from, n int) []int {
	var cuts []int
	depth := 0
	for i := from; i < len(s) && len(cuts) < n-1; i++ {
		switch s[i] {
		case '"':
			i = stringEnd(s, i+1) - 1 // at the closing quote
		case '[', '{':
			depth++
		case ']', '}':
			depth--
		case ',':
			if depth == 0 && i >= len(s)*(len(cuts)+1)/n {
				cuts = append(cuts, i)
			}
		}
	}
	return cuts
}

// fastParser reads one JSON value from s. members and elems are scratch
// stacks shared by every nesting level: a level pushes its members, then
// moves them into the map or slice it returns and pops them.
type fastParser struct {
	s       string
	i       int
	members []member
	elems   []any
}

type member struct {
	key string
	v   any
}

func (p *fastParser) space() {
	for p.i < len(p.s) {
		switch p.s[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *fastParser) value(depth int) (any, bool) {
	if p.i >= len(p.s) {
		return nil, false
	}
	switch c := p.s[p.i]; {
	case c == '{':
		return p.object(depth + 1)
	case c == '[':
		return p.array(depth + 1)
	case c == '"':
		s, ok := p.str()
		return s, ok
	case c == '-' || '0' <= c && c <= '9':
		return p.number()
	}
	for _, lit := range [...]struct {
		text string
		v    any
	}{{"true", true}, {"false", false}, {"null", nil}} {
		if len(p.s)-p.i >= len(lit.text) && p.s[p.i:p.i+len(lit.text)] == lit.text {
			p.i += len(lit.text)
			return lit.v, true
		}
	}
	return nil, false
}

func (p *fastParser) object(depth int) (any, bool) {
	if depth > maxDepth {
		return nil, false
	}
	p.i++ // '{'
	base := len(p.members)
	defer func() { p.members = p.members[:base] }()
	p.space()
	if p.i < len(p.s) && p.s[p.i] == '}' {
		p.i++
		return map[string]any{}, true
	}
	for {
		if p.i >= len(p.s) || p.s[p.i] != '"' {
			return nil, false
		}
		k, ok := p.str()
		if !ok {
			return nil, false
		}
		p.space()
		if p.i >= len(p.s) || p.s[p.i] != ':' {
			return nil, false
		}
		p.i++
		p.space()
		v, ok := p.value(depth)
		if !ok {
			return nil, false
		}
		p.members = append(p.members, member{k, v})
		if done, ok := p.afterItem('}'); !ok {
			return nil, false
		} else if done {
			break
		}
	}
	ms := p.members[base:]
	m := make(map[string]any, len(ms))
	for _, kv := range ms {
		m[kv.key] = kv.v
	}
	if len(m) != len(ms) {
		return nil, false // a key given twice: the slow path lists every one
	}
	return m, true
}

func (p *fastParser) array(depth int) (any, bool) {
	if depth > maxDepth {
		return nil, false
	}
	p.i++ // '['
	base := len(p.elems)
	defer func() {
		clear(p.elems[base:]) // let the collector have what they held
		p.elems = p.elems[:base]
	}()
	p.space()
	if p.i < len(p.s) && p.s[p.i] == ']' {
		p.i++
		return []any{}, true
	}
	for {
		v, ok := p.value(depth)
		if !ok {
			return nil, false
		}
		p.elems = append(p.elems, v)
		if done, ok := p.afterItem(']'); !ok {
			return nil, false
		} else if done {
			break
		}
	}
	return append([]any(nil), p.elems[base:]...), true
}

// afterItem reads what follows a member or an element: the closing
// bracket (done) or a comma and the space before the next one; anything
// else is not JSON.
func (p *fastParser) afterItem(closing byte) (done, ok bool) {
	p.space()
	switch {
	case p.i >= len(p.s):
		return false, false
	case p.s[p.i] == closing:
		p.i++
		return true, true
	case p.s[p.i] == ',':
		p.i++
		p.space()
		return false, true
	}
	return false, false
}

// str reads a string at p.i (its opening quote). One without escapes is a
// substring of s; one with escapes is decoded by encoding/json, which
// replaces invalid surrogates as it always has.
func (p *fastParser) str() (string, bool) {
	start := p.i
	p.i++
	escaped := false
	for p.i < len(p.s) {
		switch c := p.s[p.i]; {
		case c == '"':
			p.i++
			if !escaped {
				return p.s[start+1 : p.i-1], true
			}
			var s string
			if json.Unmarshal([]byte(p.s[start:p.i]), &s) != nil {
				return "", false
			}
			return s, true
		case c == '\\':
			escaped = true
			p.i += 2
		case c < 0x20:
			return "", false // a control character must be escaped
		default:
			p.i++
		}
	}
	return "", false
}

// number reads a number by JSON's grammar (RFC 8259, section 6) and
// converts it as convertNumbers converts a json.Number.
func (p *fastParser) number() (any, bool) {
	start := p.i
	s := p.s
	if s[p.i] == '-' {
		p.i++
	}
	switch {
	case p.i < len(s) && s[p.i] == '0':
		p.i++
	case p.i < len(s) && '1' <= s[p.i] && s[p.i] <= '9':
		p.digits()
	default:
		return nil, false
	}
	integral := true
	if p.i < len(s) && s[p.i] == '.' {
		integral = false
		p.i++
		if !p.digits() {
			return nil, false
		}
	}
	if p.i < len(s) && (s[p.i] == 'e' || s[p.i] == 'E') {
		integral = false
		p.i++
		if p.i < len(s) && (s[p.i] == '+' || s[p.i] == '-') {
			p.i++
		}
		if !p.digits() {
			return nil, false
		}
	}
	text := s[start:p.i]
	if integral {
		if i, err := strconv.ParseInt(text, 10, 64); err == nil {
			return i, true
		}
		return BigInt(text), true
	}
	// A number with a fraction or exponent may still be a whole int64
	// ("1e2"), as json.Number.Int64 reads it: it does not, so neither
	// does convertNumbers.
	f, err := strconv.ParseFloat(text, 64)
	if err != nil { // beyond float64
		return BigInt(text), true
	}
	return f, true
}

// digits skips one or more decimal digits, reporting whether there was one.
func (p *fastParser) digits() bool {
	start := p.i
	for p.i < len(p.s) && '0' <= p.s[p.i] && p.s[p.i] <= '9' {
		p.i++
	}
	return p.i > start
}
