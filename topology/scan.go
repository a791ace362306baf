package topology

import (
	"bytes"
	"strings"
	"unicode/utf8"
	"unsafe"

	"go.yaml.in/yaml/v3"
)

// The topology scanner reads the YAML that topology files are made of
// (block mappings and lists, flow mappings and lists, plain and quoted
// one-line scalars, comments) straight into the yaml.Node values that
// yaml.v3 would build, with the same kinds, tags, styles, values, lines and
// columns, so that the decoder runs unchanged on either. It reads a
// top-level list one item at a time, in parallel (see decodeList), and
// drops each item's nodes once it is decoded, so that memory follows the
// topology, not the node tree of the whole file.
//
// Anything else (anchors and aliases, tags, block scalars, multi-line
// scalars, merge keys, empty values, tabs, documents and directives) makes
// it give up, and the file is read by yaml.v3 instead, which also reports
// every syntax error. The scanner never decides that a file is wrong.

// scanner reads nodes from data[i:end].
type scanner struct {
	data      []byte
	i, end    int
	line      int  // of data[i], from 1
	lineStart int  // offset of the start of that line
	ascii     bool // the line holds only ASCII, so columns count bytes
	depth     int
	failed    bool // met YAML the scanner does not read
	// After a block list or mapping, s.i is already at the content of the
	// next line, whose indentation is next (-1 at the end).
	atNext bool
	next   int
	arena  *arena
	// nodes counts the nodes made, up to maxNodes (the budget's node
	// limit): past it the scanner gives up, and the yaml.v3 path's
	// pre-scan refuses the file.
	nodes, maxNodes int
}

// arena holds the nodes of one list item and their Content slices, reused
// for the next item once the decoder is done with this one (the decoder
// keeps positions, never nodes), so that scanning allocates next to
// nothing. scratch collects a collection's children while they are read.
type arena struct {
	nodes   [][]yaml.Node
	ptrs    [][]*yaml.Node
	ni, nj  int // next free: nodes[ni][nj]
	pi, pj  int // next free: ptrs[pi][pj]
	scratch []*yaml.Node
}

const arenaChunk = 1024

// reset makes every node and slice of the arena free again.
func (a *arena) reset() { a.ni, a.nj, a.pi, a.pj = 0, 0, 0, 0 }

// alloc returns a zero node.
func (a *arena) alloc() *yaml.Node {
	if a.nj == arenaChunk {
		a.ni, a.nj = a.ni+1, 0
	}
	if a.ni == len(a.nodes) {
		a.nodes = append(a.nodes, make([]yaml.Node, arenaChunk))
	}
	n := &a.nodes[a.ni][a.nj]
	a.nj++
	*n = yaml.Node{}
	return n
}

// content returns a slice of the arena holding the children collected in
// scratch since base, and drops them from scratch.
func (a *arena) content(base int) []*yaml.Node {
	kids := a.scratch[base:]
	n := len(kids)
	if n == 0 {
		return nil
	}
	var out []*yaml.Node
	if n > arenaChunk {
		out = make([]*yaml.Node, n)
	} else {
		if a.pj+n > arenaChunk {
			a.pi, a.pj = a.pi+1, 0
		}
		if a.pi == len(a.ptrs) {
			a.ptrs = append(a.ptrs, make([]*yaml.Node, arenaChunk))
		}
		out = a.ptrs[a.pi][a.pj : a.pj+n : a.pj+n]
		a.pj += n
	}
	copy(out, kids)
	clear(kids)
	a.scratch = a.scratch[:base]
	return out
}

// alloc returns a zero node.
func (s *scanner) alloc() *yaml.Node {
	if s.nodes++; s.nodes > s.maxNodes {
		s.failed = true
	}
	if s.arena == nil {
		s.arena = &arena{}
	}
	return s.arena.alloc()
}

// begin starts collecting the children of a collection; end (the arena's
// content) makes its Content of them.
func (s *scanner) begin() int {
	if s.arena == nil {
		s.arena = &arena{}
	}
	return len(s.arena.scratch)
}

// add collects children of the collection being read.
func (s *scanner) add(kids ...*yaml.Node) { s.arena.scratch = append(s.arena.scratch, kids...) }

// done returns the children collected since base.
func (s *scanner) done(base int) []*yaml.Node { return s.arena.content(base) }

// str returns b, a part of the scanner's input, as a string without
// copying: nothing changes the input once fastParse has it (Parse reads a
// copy, ParseOwned's caller promises), and the topology keeps it.
func (s *scanner) str(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

// plainTag is the tag yaml.v3 resolves a plain scalar to. It calls yaml.v3's
// own resolution (Node.ShortTag) except where the answer is sure without
// parsing: "!!str" for a word but those of yaml.v3's table (resolve.go:
// true, false and null, each as lower, title or upper case), and for a
// slash or two dots, which no number or timestamp has; "!!int" for a
// decimal integer that fits in 63 bits with no leading zero (a sign, an
// underscore or a leading zero may make it octal, binary or a float).
func plainTag(v string) string {
	switch c := v[0]; {
	case 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z':
		if !strings.EqualFold(v, "true") && !strings.EqualFold(v, "false") && !strings.EqualFold(v, "null") {
			return "!!str"
		}
	case '1' <= c && c <= '9' && len(v) <= 18 && allDigits(v), v == "0":
		return "!!int"
	case '0' <= c && c <= '9' || c == '+' || c == '-' || c == '.':
		if strings.IndexByte(v, '/') >= 0 || strings.Count(v, ".") >= 2 {
			return "!!str"
		}
	case c != '~' && c != '<':
		return "!!str"
	}
	n := yaml.Node{Kind: yaml.ScalarNode, Value: v}
	return n.ShortTag()
}

// allDigits reports whether s is made of ASCII digits only.
func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// newScanner reads data[start:end], where start is the start of line.
func newScanner(data []byte, start, end, line int) *scanner {
	s := &scanner{data: data, i: start, end: end, line: line, lineStart: start, maxNodes: CurrentBudget().Limits().Nodes}
	s.ascii = lineIsASCII(data, start)
	return s
}

func lineIsASCII(data []byte, start int) bool {
	for j := start; j < len(data) && data[j] != '\n'; j++ {
		if data[j] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// fail marks the input as one the scanner does not read and returns nil.
func (s *scanner) fail() *yaml.Node {
	s.failed = true
	return nil
}

// col is the 1-based column of s.i, in characters as yaml.v3 counts them.
func (s *scanner) col() int {
	if s.ascii {
		return s.i - s.lineStart + 1
	}
	return utf8.RuneCount(s.data[s.lineStart:s.i]) + 1
}

func (s *scanner) peek() byte {
	if s.i < s.end {
		return s.data[s.i]
	}
	return 0
}

// newline moves past the line break at s.i.
func (s *scanner) newline() {
	if s.peek() == '\r' {
		s.i++
	}
	s.i++ // '\n'
	s.line++
	s.lineStart = s.i
	s.ascii = lineIsASCII(s.data, s.i)
}

// skipSpaces moves past spaces on the line.
func (s *scanner) skipSpaces() {
	for s.i < s.end && s.data[s.i] == ' ' {
		s.i++
	}
}

// atLineEnd reports whether only spaces and a comment remain on the line,
// and moves to its end.
func (s *scanner) atLineEnd() bool {
	start := s.i
	s.skipSpaces()
	switch c := s.peek(); {
	case c == 0 || c == '\n' || c == '\r' && s.i+1 < s.end && s.data[s.i+1] == '\n':
		return true
	case c == '#' && s.i > start:
		for s.i < s.end && s.data[s.i] != '\n' && s.data[s.i] != '\r' {
			s.i++
		}
		return s.peek() != '\r' || s.i+1 < s.end && s.data[s.i+1] == '\n'
	}
	return false
}

// nextContent moves from the end of a value to the start of the next line
// holding content (not blank, not a comment) and returns its indentation;
// -1 at the end. Anything else left on the line makes the scanner give up.
func (s *scanner) nextContent() int {
	if !s.atLineEnd() {
		s.failed = true
		return -1
	}
	for s.i < s.end {
		s.newline()
		start := s.i
		s.skipSpaces()
		switch c := s.peek(); {
		case s.i >= s.end:
			return -1
		case c == '#':
			for s.i < s.end && s.data[s.i] != '\n' && s.data[s.i] != '\r' {
				s.i++
			}
			fallthrough
		case c == '\n' || c == '\r':
			if s.peek() == '\r' && (s.i+1 >= s.end || s.data[s.i+1] != '\n') {
				s.failed = true
				return -1
			}
			continue
		}
		return s.i - start
	}
	return -1
}

// advance moves to the next line holding content, unless a block
// collection has already, and returns its indentation (-1 at the end).
func (s *scanner) advance() int {
	if s.atNext {
		s.atNext = false
		return s.next
	}
	return s.nextContent()
}

// stop records that s.i is at the content of the next line, indented n.
func (s *scanner) stop(n int) {
	s.atNext, s.next = true, n
}

// enter counts one level of nesting; false past MaxDepth.
func (s *scanner) enter() bool {
	s.depth++
	if s.depth > MaxDepth {
		s.failed = true
		return false
	}
	return true
}

func (s *scanner) node(kind yaml.Kind, tag string, style yaml.Style, line, col int) *yaml.Node {
	n := s.alloc()
	n.Kind, n.Tag, n.Style, n.Line, n.Column = kind, tag, style, line, col
	return n
}

// blockValue reads the value of a key whose line ends after the colon: a
// list or mapping on the following lines, indented deeper than the key at
// indent, or a list at the key's own indentation.
func (s *scanner) blockValue(indent int) *yaml.Node {
	n := s.nextContent()
	switch {
	case s.failed:
		return nil
	case n < 0 || n < indent:
		return s.fail() // an empty value: null
	case s.isItem() && n >= indent:
		return s.blockList(n)
	case n > indent:
		return s.blockMapping(n)
	}
	return s.fail()
}

// isItem reports whether a list item ("- ") starts at s.i.
func (s *scanner) isItem() bool {
	if s.peek() != '-' || s.i+1 >= s.end {
		return false
	}
	c := s.data[s.i+1]
	return c == ' ' || c == '\n' || c == '\r'
}

// blockList reads the items of a list at indentation indent, s.i at the
// first "-".
func (s *scanner) blockList(indent int) *yaml.Node {
	if !s.enter() {
		return nil
	}
	defer func() { s.depth-- }()
	seq := s.node(yaml.SequenceNode, "!!seq", 0, s.line, s.col())
	base := s.begin()
	defer func() { seq.Content = s.done(base) }()
	for {
		s.i++ // '-'
		s.skipSpaces()
		if c := s.peek(); c == '\n' || c == '\r' || c == 0 || c == '#' {
			return s.fail() // an item on the lines below, or empty
		}
		item := s.inlineItem()
		if s.failed {
			return nil
		}
		s.add(item)
		n := s.advance()
		switch {
		case s.failed:
			return nil
		case n == indent && s.isItem():
			continue
		case n <= indent:
			s.stop(n) // the end, or a key of the mapping that holds the list
			return seq
		}
		return s.fail()
	}
}

// inlineItem reads what follows "- " on a line: a mapping whose first key
// is there, or one flow value.
func (s *scanner) inlineItem() *yaml.Node {
	if s.lineHasKey() {
		return s.blockMapping(s.i - s.lineStart)
	}
	v := s.flowValue(false)
	if s.failed {
		return nil
	}
	return v
}

// lineHasKey reports whether a mapping key starts at s.i: a plain or
// quoted scalar followed by ": " or a colon at the end of the line.
func (s *scanner) lineHasKey() bool {
	j := s.i
	switch c := s.peek(); c {
	case '"', '\'':
		j++
		for j < s.end && s.data[j] != c && s.data[j] != '\n' {
			j++
		}
		j++
		return j < s.end && s.data[j] == ':'
	case '[', '{':
		return false
	}
	for ; j < s.end; j++ {
		switch c := s.data[j]; c {
		case '\n', '\r':
			return false
		case '#':
			if s.data[j-1] == ' ' {
				return false
			}
		case ':':
			if j+1 >= s.end || s.data[j+1] == ' ' || s.data[j+1] == '\n' || s.data[j+1] == '\r' {
				return true
			}
		}
	}
	return false
}

// blockMapping reads a mapping whose keys are at indentation indent, s.i
// at the first key.
func (s *scanner) blockMapping(indent int) *yaml.Node {
	if !s.enter() {
		return nil
	}
	defer func() { s.depth-- }()
	m := s.node(yaml.MappingNode, "!!map", 0, s.line, s.col())
	base := s.begin()
	defer func() { m.Content = s.done(base) }()
	for {
		k := s.key()
		if s.failed {
			return nil
		}
		s.skipSpaces()
		var v *yaml.Node
		if c := s.peek(); c == '\n' || c == '\r' || c == 0 || c == '#' {
			v = s.blockValue(indent)
		} else {
			v = s.flowValue(false)
		}
		if s.failed {
			return nil
		}
		s.add(k, v)
		n := s.advance()
		switch {
		case s.failed:
			return nil
		case n == indent && !s.isItem():
			continue
		case n < indent:
			s.stop(n)
			return m
		}
		return s.fail()
	}
}

// key reads a block mapping key and its colon.
func (s *scanner) key() *yaml.Node {
	var k *yaml.Node
	keyStart := s.i
	defer func() {
		if s.i-keyStart > maxKeyBytes {
			s.fail()
		}
	}()
	switch s.peek() {
	case '"', '\'':
		k = s.quoted()
	default:
		line, col := s.line, s.col()
		start := s.i
		for s.i < s.end {
			c := s.data[s.i]
			if c == '\n' || c == '\r' || c == ':' && (s.i+1 >= s.end || s.data[s.i+1] == ' ' || s.data[s.i+1] == '\n' || s.data[s.i+1] == '\r') {
				break
			}
			if c == '#' && s.data[s.i-1] == ' ' {
				return s.fail()
			}
			s.i++
		}
		k = s.plain(bytes.TrimRight(s.data[start:s.i], " "), line, col)
	}
	if s.failed || s.peek() != ':' {
		return s.fail()
	}
	if j := s.i + 1; j < s.end && s.data[j] != ' ' && s.data[j] != '\n' && s.data[j] != '\r' {
		return s.fail() // 'k':v, which yaml.v3 refuses outside a flow collection
	}
	if k.Tag == "!!merge" {
		return s.fail() // merge keys: the yaml.v3 path expands them
	}
	s.i++
	return k
}

// maxKeyBytes is the longest key the scanner reads. YAML limits an implicit
// key to 1024 characters (https://yaml.org/spec/1.2.2/#rule-ns-s-implicit-yaml-key),
// and yaml.v3 refuses a longer one as a syntax error, which the yaml.v3
// path reports.
const maxKeyBytes = 1000

// flowValue reads a scalar or a flow collection; inFlow says whether it is
// inside one.
func (s *scanner) flowValue(inFlow bool) *yaml.Node {
	switch s.peek() {
	case '[':
		return s.flowList()
	case '{':
		return s.flowMapping()
	case '"', '\'':
		return s.quoted()
	}
	line, col := s.line, s.col()
	start := s.i
	for s.i < s.end {
		c := s.data[s.i]
		switch {
		case c == '\n' || c == '\r':
		case c == '#' && s.data[s.i-1] == ' ':
		case c == ':' && (s.i+1 >= s.end || s.data[s.i+1] == ' ' || s.data[s.i+1] == '\n' || s.data[s.i+1] == '\r' || inFlow && isFlowIndicator(s.data[s.i+1])):
			return s.fail() // a mapping where a value was expected
		case inFlow && isFlowIndicator(c):
		default:
			s.i++
			continue
		}
		break
	}
	v := bytes.TrimRight(s.data[start:s.i], " ")
	if inFlow && (s.peek() == '\n' || s.peek() == '\r' || s.peek() == '#') {
		return s.fail() // a plain scalar that may go on on the next line
	}
	return s.plain(v, line, col)
}

func isFlowIndicator(c byte) bool { return c == ',' || c == '[' || c == ']' || c == '{' || c == '}' }

// plain makes the node of a plain scalar.
func (s *scanner) plain(v []byte, line, col int) *yaml.Node {
	if len(v) == 0 {
		return s.fail()
	}
	switch c := v[0]; c {
	case '&', '*', '!', '|', '>', '%', '@', '`', '#', ',', '[', ']', '{', '}', '"', '\'':
		return s.fail()
	case '-', '?', ':':
		if len(v) == 1 || v[1] == ' ' || c != '-' {
			return s.fail()
		}
	}
	n := s.node(yaml.ScalarNode, "", 0, line, col)
	n.Value = s.str(v)
	n.Tag = plainTag(n.Value)
	return n
}

// quoted reads a single- or double-quoted scalar that ends on its line.
func (s *scanner) quoted() *yaml.Node {
	q := s.peek()
	line, col := s.line, s.col()
	s.i++
	start := s.i
	var buf []byte // the value when it has '' escapes
	for {
		if s.i >= s.end || s.data[s.i] == '\n' || s.data[s.i] == '\r' {
			return s.fail()
		}
		c := s.data[s.i]
		if q == '"' && c == '\\' {
			return s.fail() // escapes: the yaml.v3 path reads them
		}
		if c == q {
			if q == '\'' && s.i+1 < s.end && s.data[s.i+1] == '\'' {
				buf = append(buf, s.data[start:s.i+1]...)
				s.i += 2
				start = s.i
				continue
			}
			break
		}
		s.i++
	}
	var v string
	if buf == nil {
		v = s.str(s.data[start:s.i])
	} else {
		v = string(append(buf, s.data[start:s.i]...))
	}
	s.i++
	style := yaml.DoubleQuotedStyle
	if q == '\'' {
		style = yaml.SingleQuotedStyle
	}
	n := s.node(yaml.ScalarNode, "!!str", style, line, col)
	n.Value = v
	return n
}

// skipFlowSpace moves past spaces inside a flow collection. A flow
// collection over several lines, or with a comment, is left to yaml.v3.
func (s *scanner) skipFlowSpace() {
	s.skipSpaces()
	switch s.peek() {
	case '\n', '\r', '#', 0:
		s.failed = true
	}
}

// flowList reads "[a, b]".
func (s *scanner) flowList() *yaml.Node {
	if !s.enter() {
		return nil
	}
	defer func() { s.depth-- }()
	seq := s.node(yaml.SequenceNode, "!!seq", yaml.FlowStyle, s.line, s.col())
	base := s.begin()
	defer func() { seq.Content = s.done(base) }()
	s.i++
	for {
		s.skipFlowSpace()
		if s.failed {
			return nil
		}
		if s.peek() == ']' {
			s.i++
			return seq
		}
		v := s.flowValue(true)
		if s.failed {
			return nil
		}
		s.add(v)
		s.skipFlowSpace()
		switch s.peek() {
		case ',':
			s.i++
		case ']':
			s.i++
			return seq
		default:
			return s.fail()
		}
	}
}

// flowMapping reads "{k: v, k2: v2}".
func (s *scanner) flowMapping() *yaml.Node {
	if !s.enter() {
		return nil
	}
	defer func() { s.depth-- }()
	m := s.node(yaml.MappingNode, "!!map", yaml.FlowStyle, s.line, s.col())
	base := s.begin()
	defer func() { m.Content = s.done(base) }()
	s.i++
	for {
		s.skipFlowSpace()
		if s.failed {
			return nil
		}
		if s.peek() == '}' {
			s.i++
			return m
		}
		k := s.flowKey()
		if s.failed {
			return nil
		}
		s.skipFlowSpace()
		if s.failed {
			return nil
		}
		switch s.peek() {
		case ',', '}':
			return s.fail() // a key without a value: null
		}
		v := s.flowValue(true)
		if s.failed {
			return nil
		}
		s.add(k, v)
		s.skipFlowSpace()
		switch s.peek() {
		case ',':
			s.i++
		case '}':
			s.i++
			return m
		default:
			return s.fail()
		}
	}
}

// flowKey reads a key of a flow mapping and its colon.
func (s *scanner) flowKey() *yaml.Node {
	var k *yaml.Node
	keyStart := s.i
	defer func() {
		if s.i-keyStart > maxKeyBytes {
			s.fail()
		}
	}()
	if c := s.peek(); c == '"' || c == '\'' {
		k = s.quoted()
		if s.failed || s.peek() != ':' {
			return s.fail()
		}
		s.i++
		if c := s.peek(); c != ' ' && c != '\n' && c != '\r' {
			return s.fail() // "k":v is YAML, but rare: leave it to yaml.v3
		}
		return k
	}
	line, col := s.line, s.col()
	start := s.i
	for s.i < s.end {
		c := s.data[s.i]
		if c == '\n' || c == '\r' || isFlowIndicator(c) || c == '#' {
			return s.fail()
		}
		if c == ':' && s.i+1 < s.end && (s.data[s.i+1] == ' ' || s.data[s.i+1] == '\n' || s.data[s.i+1] == '\r') {
			break
		}
		s.i++
	}
	k = s.plain(bytes.TrimRight(s.data[start:s.i], " "), line, col)
	if s.failed || s.peek() != ':' || k.Tag == "!!merge" {
		return s.fail()
	}
	s.i++
	return k
}
