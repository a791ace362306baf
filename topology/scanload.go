package topology

import (
	"bytes"
	"encoding/binary"
	"github.com/nsgsim/nsgsim/internal/batch"
	"path/filepath"
	"sync/atomic"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// itemSpan is one item of a top-level list: the bytes from the start of
// the line of its "-" to the start of the next item's line, and the number
// of that line.
type itemSpan struct{ start, end, line int }

// fastParse reads a topology with the topology scanner (scan.go) and
// decodes it, the lists' items in parallel. ok is false when the file holds
// YAML the scanner does not read: then the yaml.v3 path reads the file
// again. When decoding reports problems, the file is decoded again, one item
// after another in the file's order as the yaml.v3 path decodes it, so that
// the problems and their "did you mean" suggestions, which share one
// budget (see suggester), are those the yaml.v3 path would give, without a
// node tree of the whole file.
//
// The topology's strings are kept in data, which nothing may change once
// this is called: owned says that the caller holds no other reference to
// it; otherwise fastParse reads a copy.
func fastParse(file string, data []byte, owned bool, tags *ServiceTags) (t *Topology, reported ErrorList, ok bool) {
	if !scannable(data) {
		return nil, nil, false
	}
	if !owned {
		data = bytes.Clone(data)
	}
	root, lazy, ok := scanRoot(data)
	if !ok {
		return nil, nil, false
	}
	if len(root.Content) == 0 {
		return nil, nil, false
	}
	newDecoder := func() *decoder {
		return &decoder{file: file, dir: filepath.Dir(file), t: &Topology{File: file, ServiceTags: tags}, data: data, lazy: lazy}
	}
	d := newDecoder()
	ok = d.topology(root)
	switch {
	case d.failed:
		return nil, nil, false
	case ok && len(d.errs) == 0 && !d.erred:
		d.canonicalFlowEndpoints()
		return d.t, nil, true
	}
	if !scansWhole(data, lazy) {
		return nil, nil, false
	}
	d = newDecoder()
	d.inOrder = true
	if !d.topology(root) || d.failed {
		return nil, nil, false
	}
	d.canonicalFlowEndpoints()
	return d.t, d.errs, true
}

// scansWhole reports whether the scanner reads every item of every list it
// split, as it must before fastParse reports problems: decoding may skip a
// list (one under an unknown key), and a file the scanner does not read
// whole may hold a syntax error, which the yaml.v3 path reports.
func scansWhole(data []byte, lazy map[*yaml.Node][]itemSpan) bool {
	for _, items := range lazy {
		newArena := func() *arena { return &arena{} }
		scanned := batch.Run(len(items), 64, newArena, func(a *arena, i int) bool {
			a.reset()
			return scanItem(data, items[i], a) != nil
		}, nil)
		if !scanned {
			return false
		}
	}
	return true
}

// scannable reports whether data holds only what the scanner reads in
// every place: no tab, no control character, no line break but "\n" and
// "\r\n", no byte-order mark, and no character YAML does not print
// (https://yaml.org/spec/1.2.2/#51-character-set), which yaml.v3 refuses
// or treats as a line break.
func scannable(data []byte) bool {
	for i := 0; i < len(data); {
		// Eight bytes at a time while they are printable ASCII or "\n"
		// (asciiText), as nearly all of a topology is.
		for i+8 <= len(data) && asciiText(binary.LittleEndian.Uint64(data[i:])) {
			i += 8
		}
		if i >= len(data) {
			break
		}
		c := data[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '\n':
			case c == '\r':
				if i+1 >= len(data) || data[i+1] != '\n' {
					return false
				}
			case c < 0x20 || c == 0x7F:
				return false
			}
			i++
			continue
		}
		r, n := utf8.DecodeRune(data[i:])
		switch {
		case r == utf8.RuneError && n == 1,
			r <= 0x9F,                  // C1 controls, and NEL, a line break
			r == 0x2028 || r == 0x2029, // line and paragraph separators
			r == 0xFEFF || r >= 0xFFFE && r <= 0xFFFF:
			return false
		}
		i += n
	}
	return true
}

// asciiText reports whether each byte of w is printable ASCII (0x20 to
// 0x7E) or a line feed.
func asciiText(w uint64) bool {
	const (
		ones = 0x0101010101010101
		high = 0x8080808080808080
	)
	// Each test sets the high bit of the bytes it finds. It works on
	// w|high, whose every byte has its high bit set, so that no
	// subtraction borrows from the next byte.
	nonASCII := w & high
	low := ((w|high)-0x20*ones)&high ^ high        // below 0x20
	del := (((w|high)^0x7F*ones)-ones)&high ^ high // 0x7F
	lf := (((w|high)^0x0A*ones)-ones)&high ^ high  // 0x0A, a line feed
	return nonASCII == 0 && del == 0 && low&^lf == 0
}

// scanRoot reads the top-level mapping. Scalars and small values are read
// at once; a list is split into its items, which decodeList reads later,
// and stands in the root as an empty sequence node holding its position.
func scanRoot(data []byte) (root *yaml.Node, lazy map[*yaml.Node][]itemSpan, ok bool) {
	root = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
	lazy = make(map[*yaml.Node][]itemSpan)
	pos, line := 0, 1
	for pos < len(data) {
		eol := lineEnd(data, pos)
		switch c := data[pos]; c {
		case '\n', '\r', '#':
			pos, line = eol, line+1
			continue
		case ' ':
			if isBlankLine(data, pos, eol) {
				pos, line = eol, line+1
				continue
			}
			return nil, nil, false // content indented where a top-level key belongs
		}
		s := newScanner(data, pos, len(data), line)
		s.depth = 1
		k := s.key()
		if s.failed {
			return nil, nil, false
		}
		if root.Line == 0 {
			root.Line, root.Column = line, 1
		}
		s.skipSpaces()
		var v *yaml.Node
		if c := s.peek(); c != '\n' && c != '\r' && c != 0 && c != '#' {
			v = s.flowValue(false)
		} else {
			v, pos, line, ok = scanSection(s, lazy)
			if !ok {
				return nil, nil, false
			}
			root.Content = append(root.Content, k, v)
			continue
		}
		if s.failed {
			return nil, nil, false
		}
		root.Content = append(root.Content, k, v)
		if n := s.nextContent(); s.failed || n > 0 {
			return nil, nil, false
		}
		pos, line = s.lineStart, s.line
		if s.i >= len(data) {
			break
		}
	}
	if root.Line == 0 {
		return nil, nil, false // no topology: the yaml.v3 path says so
	}
	return root, lazy, true
}

// scanSection reads the value of a top-level key whose line ends after the
// colon, s.i there. A list's items are split by their lines, not read; any
// other value is read whole. It returns the value and where the next
// top-level key's line starts.
func scanSection(s *scanner, lazy map[*yaml.Node][]itemSpan) (v *yaml.Node, pos, line int, ok bool) {
	data := s.data
	n := s.nextContent()
	if s.failed || n < 0 || n == 0 && !s.isItem() {
		return nil, 0, 0, false // an empty value: null
	}
	if !s.isItem() {
		v = s.blockValueAt(n)
		if s.failed || s.advance() > 0 {
			return nil, 0, 0, false
		}
		return v, s.lineStart, s.line, true
	}
	seq := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Line: s.line, Column: n + 1}
	var spans []itemSpan
	pos, line = s.lineStart, s.line
	for pos < len(data) {
		eol := lineEnd(data, pos)
		indent := 0
		for pos+indent < eol && data[pos+indent] == ' ' {
			indent++
		}
		c := byte('\n')
		if pos+indent < len(data) {
			c = data[pos+indent]
		}
		switch {
		case c == '\n' || c == '\r' || c == '#':
		case indent == n && c == '-' && (pos+indent+1 >= len(data) || data[pos+indent+1] == ' ' || data[pos+indent+1] == '\n' || data[pos+indent+1] == '\r'):
			if len(spans) > 0 {
				spans[len(spans)-1].end = pos
			}
			spans = append(spans, itemSpan{start: pos, line: line})
		case indent > n:
		default:
			spans[len(spans)-1].end = pos
			lazy[seq] = spans
			return seq, pos, line, true
		}
		pos, line = eol, line+1
	}
	spans[len(spans)-1].end = len(data)
	lazy[seq] = spans
	return seq, pos, line, true
}

// blockValueAt reads a block list or mapping that starts at s.i, indented
// n, after nextContent.
func (s *scanner) blockValueAt(n int) *yaml.Node {
	if s.isItem() {
		return s.blockList(n)
	}
	return s.blockMapping(n)
}

// lineEnd returns the offset after the line break of the line at pos.
func lineEnd(data []byte, pos int) int {
	if i := bytes.IndexByte(data[pos:], '\n'); i >= 0 {
		return pos + i + 1
	}
	return len(data)
}

// isBlankLine reports whether the line data[pos:eol], which starts with a
// space, holds only spaces and perhaps a comment.
func isBlankLine(data []byte, pos, eol int) bool {
	rest := bytes.TrimLeft(data[pos:eol], " ")
	return len(rest) == 0 || rest[0] == '#' || rest[0] == '\n' || rest[0] == '\r'
}

// scanItem reads the list item of span, its nodes in a, which the caller
// resets once it is done with them.
func scanItem(data []byte, span itemSpan, a *arena) *yaml.Node {
	s := newScanner(data, span.start, span.end, span.line)
	s.arena = a
	s.depth = 2
	s.skipSpaces()
	seq := s.blockList(s.i - span.start)
	if s.failed || s.advance() != -1 || len(seq.Content) != 1 {
		return nil
	}
	return seq.Content[0]
}

// decodeItems scans and decodes the items of a list, in parallel, each
// worker with its own decoder; it stops at the first item the scanner does
// not read, and marks d failed, or that has a problem, and marks d erred.
// An item that is not an object has a problem: all the items it returns
// are objects.
func decodeItems[T any](d *decoder, spans []itemSpan, decode func(*decoder, *yaml.Node, int) *T) []*T {
	out := make([]*T, len(spans))
	type worker struct {
		d *decoder
		a *arena
	}
	newWorker := func() worker { return worker{&decoder{file: d.file, dir: d.dir, t: d.t}, &arena{}} }
	var unscanned atomic.Bool
	ok := batch.Run(len(spans), 64, newWorker, func(w worker, i int) bool {
		w.a.reset()
		n := scanItem(d.data, spans[i], w.a)
		if n == nil {
			unscanned.Store(true)
			return false
		}
		out[i] = decode(w.d, n, i)
		w.d.fieldBuf = w.d.fieldBuf[:0] // the item's fieldNodes
		return len(w.d.errs) == 0
	}, nil)
	if !ok {
		d.failed = unscanned.Load()
		d.erred = !d.failed
		return nil
	}
	return out
}

// decodeItemsInOrder scans and decodes the items of a list one after
// another, as the yaml.v3 path does (see decodeList). It marks d failed at
// the first item the scanner does not read.
func decodeItemsInOrder[T any](d *decoder, items []itemSpan, decode func(*decoder, *yaml.Node, int) *T) []*T {
	out := make([]*T, len(items))
	a := &arena{}
	mark := len(d.fieldBuf)
	for i, item := range items {
		a.reset()
		n := scanItem(d.data, item, a)
		if n == nil {
			d.failed = true
			return nil
		}
		out[i] = decode(d, n, i)
		d.fieldBuf = d.fieldBuf[:mark] // the item's fieldNodes
	}
	return out
}

// onlyComments reports whether data, which scannable accepts, holds
// nothing but blank lines and comments.
func onlyComments(data []byte) bool {
	if !scannable(data) {
		return false
	}
	for pos := 0; pos < len(data); {
		eol := lineEnd(data, pos)
		rest := bytes.TrimLeft(data[pos:eol], " ")
		if len(rest) > 0 && rest[0] != '#' && rest[0] != '\n' && rest[0] != '\r' {
			return false
		}
		pos = eol
	}
	return true
}
