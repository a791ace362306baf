package topology

import (
	"bytes"
	"strings"

	"github.com/nsgsim/nsgsim/internal/bom"
)

// countNodes returns a lower bound of the number of YAML nodes that yaml.v3
// builds from data, aliases not expanded, without building them: it runs
// through data once, token by token, the way yaml.v3's scanner does, and
// allocates next to nothing. It stops counting once the count passes limit
// and returns where that happened (a 1-based line and column, as yaml.v3
// counts them); past is the zero Pos when the count stayed within limit.
//
// Parsing builds every node before the node limit can be checked: a 32 MiB file of
// "[]," takes a minute and gigabytes. countNodes lets Parse refuse such a
// file first. It must never refuse a file that parsing would accept, so it
// never counts a node twice and never counts what is not a node:
//
//   - each flow collection ("[", "{"), scalar (plain, quoted or block) and
//     alias is one node;
//   - each block entry "- ", key indicator "?" and value indicator ":" stands
//     for one node, the entry, key or value it introduces, possibly an empty
//     (null) one; the first node token after it, when there is one, is
//     taken to be that node and not counted again.
//
// Block collections themselves, empty values in flow mappings and keys
// without "?" that a counted ":" follows are not counted: the bound is low
// by at most a small factor. Quoted and block scalars, comments, tags and
// anchors are skipped whole. Where data is not YAML that yaml.v3 reads, the
// count stops (parsing reports the error); so it does at a byte-order mark
// after the start: once it has read one, yaml.v3 may skip a character at
// the start of a line (is_bom looks at its buffer's start).
//
// data is UTF-8, as checkEncoding ensures.
func countNodes(data []byte, limit int) (nodes int, past Pos) {
	s := nodeScanner{data: data, limit: limit, indent: -1, simpleKeyAllowed: true}
	if bytes.HasPrefix(data, byteOrderMark) {
		s.i = len(byteOrderMark) // the reader drops it
	}
	s.stopAt = len(data) + 1
	if i := bytes.Index(data[s.i:], byteOrderMark); i >= 0 {
		s.stopAt = s.i + i
	}
	s.run()
	return s.nodes, s.past
}

var byteOrderMark = []byte(bom.UTF8)

// Limits of yaml.v3's scanner (max_flow_level, max_indents): past them it
// fails, and so the count can stop.
const (
	yamlMaxFlowLevel = 10000
	yamlMaxIndents   = 10000
)

// nodeScanner follows yaml.v3's scanner (scannerc.go) as far as token
// boundaries go: the block indentation stack, the flow level, and where a
// simple key may start. Field and method names follow that file's.
type nodeScanner struct {
	data   []byte
	i      int // offset in data
	stopAt int // no token is counted from here: a byte-order mark

	// The mark of data[i], in yaml.v3's terms: 0-based line, and column
	// in characters.
	line, col int

	flowLevel        int
	indent           int
	indents          []int
	simpleKeyAllowed bool
	// The possible simple key of the block context, where a ":" on the
	// same line rolls the indentation to.
	key struct {
		possible  bool
		line, col int
	}

	nodes int
	slot  bool // a counted indicator's node is still to come
	limit int
	past  Pos
	done  bool
}

func (s *nodeScanner) run() {
	for !s.done {
		s.scanToNextToken()
		if s.done || s.i >= s.stopAt {
			return
		}
		s.unrollIndent(s.col)
		if s.at(0) == 0 {
			return // the end (or a NUL, which yaml.v3 refuses)
		}
		s.fetchToken()
	}
}

// at returns the byte k bytes ahead, or 0 past the end as yaml.v3's
// buffer does.
func (s *nodeScanner) at(k int) byte {
	if s.i+k < len(s.data) {
		return s.data[s.i+k]
	}
	return 0
}

// lineBreak returns the length in bytes of the line break k bytes ahead:
// CR LF, CR, LF, NEL, LS or PS (is_break); 0 if there is none.
func (s *nodeScanner) lineBreak(k int) int {
	switch c := s.at(k); {
	case c == '\r' && s.at(k+1) == '\n':
		return 2
	case c == '\r' || c == '\n':
		return 1
	case c == 0xC2 && s.at(k+1) == 0x85:
		return 2
	case c == 0xE2 && s.at(k+1) == 0x80 && (s.at(k+2) == 0xA8 || s.at(k+2) == 0xA9):
		return 3
	}
	return 0
}

func (s *nodeScanner) isBlank(k int) bool { c := s.at(k); return c == ' ' || c == '\t' }

func (s *nodeScanner) isBreakZ(k int) bool { return s.at(k) == 0 || s.lineBreak(k) > 0 }

func (s *nodeScanner) isBlankZ(k int) bool { return s.isBlank(k) || s.isBreakZ(k) }

// skip moves past one character.
func (s *nodeScanner) skip() {
	if s.i >= len(s.data) {
		return
	}
	switch c := s.data[s.i]; {
	case c < 0x80:
		s.i++
	case c < 0xE0:
		s.i += 2
	case c < 0xF0:
		s.i += 3
	default:
		s.i += 4
	}
	s.i = min(s.i, len(s.data))
	s.col++
}

// skipLine moves past a line break, if there is one.
func (s *nodeScanner) skipLine() {
	n := s.lineBreak(0)
	if n == 0 {
		return
	}
	s.i += n
	s.line++
	s.col = 0
}

// Bytes that stop skipOrdinary: those that may be or begin a line break
// (CR, LF, and the first bytes of NEL, LS and PS), blanks, NUL, and the
// indicators that matter inside a plain scalar (block or flow context), a
// quoted one, or a comment or block scalar line (lineStop).
var (
	lineStop       = stopSet("")
	plainBlockStop = stopSet(" \t:")
	plainFlowStop  = stopSet(" \t:,?[]{}")
	quotedStop     = stopSet(" \t'\"\\")
)

func stopSet(chars string) (set [256]bool) {
	for _, c := range []byte("\r\n\x00\xc2\xe2" + chars) {
		set[c] = true
	}
	return set
}

// skipOrdinary moves past the characters up to the first byte in stop,
// quickly; it reports whether it moved.
func (s *nodeScanner) skipOrdinary(stop *[256]bool) bool {
	start := s.i
	for s.i < len(s.data) && !stop[s.data[s.i]] {
		if s.data[s.i]&0xC0 != 0x80 { // not a UTF-8 continuation byte
			s.col++
		}
		s.i++
	}
	return s.i > start
}

// skipToBreak moves to the end of the line.
func (s *nodeScanner) skipToBreak() {
	for !s.isBreakZ(0) {
		if !s.skipOrdinary(&lineStop) {
			s.skip()
		}
	}
}

// isDocumentIndicator reports whether "---" or "..." starts here, at the
// start of a line.
func (s *nodeScanner) isDocumentIndicator() bool {
	if s.col != 0 {
		return false
	}
	c := s.at(0)
	return (c == '-' || c == '.') && s.at(1) == c && s.at(2) == c && s.isBlankZ(3)
}

// fail stops the count: data is not YAML that yaml.v3 reads, or goes past
// what is modelled here.
func (s *nodeScanner) fail() { s.done = true }

// node counts a node that starts at line and col (0-based), unless it is
// the node of the indicator just counted.
func (s *nodeScanner) node(line, col int) {
	if s.slot {
		s.slot = false
		return
	}
	s.count(line, col)
}

// indicator counts the node that "- ", "?" or ":" at line and col
// introduces.
func (s *nodeScanner) indicator(line, col int) {
	s.count(line, col)
	s.slot = true
}

func (s *nodeScanner) count(line, col int) {
	s.nodes++
	if s.nodes > s.limit {
		s.past = Pos{Line: line + 1, Col: col + 1}
		s.done = true
	}
}

// scanToNextToken skips blanks, comments and line breaks
// (yaml_parser_scan_to_next_token).
func (s *nodeScanner) scanToNextToken() {
	for {
		for s.at(0) == ' ' || (s.flowLevel > 0 || !s.simpleKeyAllowed) && s.at(0) == '\t' {
			s.skip()
		}
		if s.at(0) == '#' {
			s.skipToBreak()
		}
		if s.lineBreak(0) == 0 {
			return
		}
		s.skipLine()
		if s.flowLevel == 0 {
			s.simpleKeyAllowed = true
		}
	}
}

func (s *nodeScanner) rollIndent(col int) {
	if s.flowLevel > 0 || s.indent >= col {
		return
	}
	s.indents = append(s.indents, s.indent)
	s.indent = col
	if len(s.indents) > yamlMaxIndents {
		s.fail()
	}
}

func (s *nodeScanner) unrollIndent(col int) {
	if s.flowLevel > 0 {
		return
	}
	for s.indent > col {
		s.indent = s.indents[len(s.indents)-1]
		s.indents = s.indents[:len(s.indents)-1]
	}
}

// saveSimpleKey notes that a simple key may start here; only the block
// context's matters for the indentation.
func (s *nodeScanner) saveSimpleKey() {
	if s.flowLevel == 0 && s.simpleKeyAllowed {
		s.key.possible = true
		s.key.line, s.key.col = s.line, s.col
	}
}

func (s *nodeScanner) removeSimpleKey() {
	if s.flowLevel == 0 {
		s.key.possible = false
	}
}

// fetchToken reads one token (yaml_parser_fetch_next_token) and counts
// the node it is or stands for.
func (s *nodeScanner) fetchToken() {
	line, col := s.line, s.col
	c := s.at(0)
	if col == 0 && (c == '%' || s.isDocumentIndicator()) {
		// A directive (one line) or "---" or "...".
		s.unrollIndent(-1)
		s.removeSimpleKey()
		s.simpleKeyAllowed = false
		if c == '%' {
			s.skipToBreak()
			s.skipLine()
		} else {
			s.skip()
			s.skip()
			s.skip()
		}
		return
	}
	switch c {
	case '[', '{':
		s.saveSimpleKey()
		s.flowLevel++
		if s.flowLevel > yamlMaxFlowLevel {
			s.fail()
			return
		}
		s.simpleKeyAllowed = true
		s.skip()
		s.node(line, col)
	case ']', '}':
		s.removeSimpleKey()
		if s.flowLevel > 0 {
			s.flowLevel--
		}
		s.simpleKeyAllowed = false
		s.skip()
	case ',':
		s.removeSimpleKey()
		s.simpleKeyAllowed = true
		s.skip()
	case '-':
		if !s.isBlankZ(1) {
			s.plainScalar(line, col)
			return
		}
		// A block entry; in the flow context, an error the parser reports.
		if s.flowLevel > 0 || !s.simpleKeyAllowed {
			s.fail()
			return
		}
		s.rollIndent(col)
		s.removeSimpleKey()
		s.simpleKeyAllowed = true
		s.skip()
		s.indicator(line, col)
	case '?':
		if s.flowLevel == 0 && !s.isBlankZ(1) {
			s.plainScalar(line, col)
			return
		}
		if s.flowLevel == 0 {
			if !s.simpleKeyAllowed {
				s.fail()
				return
			}
			s.rollIndent(col)
		}
		s.removeSimpleKey()
		s.simpleKeyAllowed = s.flowLevel == 0
		s.skip()
		s.indicator(line, col)
	case ':':
		if s.flowLevel == 0 && !s.isBlankZ(1) {
			s.plainScalar(line, col)
			return
		}
		if s.flowLevel == 0 {
			// A simple key is on one line, at most 1024 characters
			// before its ":".
			if s.key.possible && s.key.line == s.line && s.key.col+1024 >= s.col {
				s.rollIndent(s.key.col)
				s.key.possible = false
				s.simpleKeyAllowed = false
			} else {
				if !s.simpleKeyAllowed {
					s.fail()
					return
				}
				s.rollIndent(col)
				s.simpleKeyAllowed = true
			}
		} else {
			s.simpleKeyAllowed = false
		}
		s.skip()
		s.indicator(line, col)
	case '*', '&':
		s.saveSimpleKey()
		s.simpleKeyAllowed = false
		s.skip()
		n := 0
		for isAnchorChar(s.at(0)) {
			s.skip()
			n++
		}
		if n == 0 || !s.isBlankZ(0) && strings.IndexByte("?:,]}%@`", s.at(0)) < 0 {
			s.fail()
			return
		}
		if c == '*' {
			s.node(line, col)
		}
	case '!':
		// A tag: it must end at a blank or a line break.
		s.saveSimpleKey()
		s.simpleKeyAllowed = false
		for !s.isBlankZ(0) {
			s.skip()
		}
	case '|', '>':
		if s.flowLevel > 0 {
			s.fail()
			return
		}
		s.removeSimpleKey()
		s.simpleKeyAllowed = true
		if s.scanBlockScalar() {
			s.node(line, col)
		}
	case '\'', '"':
		s.saveSimpleKey()
		s.simpleKeyAllowed = false
		if s.scanQuotedScalar(c == '\'') {
			s.node(line, col)
		}
	case ' ', '\t', '#', '%', '@', '`':
		s.fail()
	default:
		if s.isBreakZ(0) {
			s.fail()
			return
		}
		s.plainScalar(line, col)
	}
}

func (s *nodeScanner) plainScalar(line, col int) {
	s.saveSimpleKey()
	s.simpleKeyAllowed = false
	s.scanPlainScalar()
	s.node(line, col)
}

// isAnchorChar reports whether c may be part of an anchor or alias name
// (is_alpha).
func isAnchorChar(c byte) bool {
	return '0' <= c && c <= '9' || 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || c == '_' || c == '-'
}

// scanPlainScalar moves past a plain scalar, which may go on over the lines
// indented deeper than the current block (yaml_parser_scan_plain_scalar).
func (s *nodeScanner) scanPlainScalar() {
	indent := s.indent + 1
	stop := &plainBlockStop
	if s.flowLevel > 0 {
		stop = &plainFlowStop
	}
	leadingBlanks := false
	for {
		if s.isDocumentIndicator() || s.at(0) == '#' {
			break
		}
		for !s.isBlankZ(0) {
			if s.skipOrdinary(stop) {
				leadingBlanks = false
				continue
			}
			c := s.at(0)
			if c == ':' && s.isBlankZ(1) {
				break
			}
			if s.flowLevel > 0 && (c == ',' || c == '?' || c == '[' || c == ']' || c == '{' || c == '}') {
				break
			}
			leadingBlanks = false
			s.skip()
		}
		if !s.isBlank(0) && s.lineBreak(0) == 0 {
			break
		}
		for s.isBlank(0) || s.lineBreak(0) > 0 {
			if s.isBlank(0) {
				s.skip()
			} else {
				s.skipLine()
				leadingBlanks = true
			}
		}
		if s.flowLevel == 0 && s.col < indent {
			break
		}
	}
	if leadingBlanks {
		s.simpleKeyAllowed = true
	}
}

// scanQuotedScalar moves past a single- or double-quoted scalar
// (yaml_parser_scan_flow_scalar). It returns false, and stops the count,
// if the scalar does not end.
func (s *nodeScanner) scanQuotedScalar(single bool) bool {
	quote := byte('"')
	if single {
		quote = '\''
	}
	s.skip()
	for {
		if s.isDocumentIndicator() || s.at(0) == 0 {
			s.fail()
			return false
		}
		for !s.isBlankZ(0) {
			if s.skipOrdinary(&quotedStop) {
				continue
			}
			c := s.at(0)
			if single && c == '\'' && s.at(1) == '\'' {
				s.skip()
				s.skip()
				continue
			}
			if c == quote {
				break
			}
			if !single && c == '\\' {
				s.skip()
				if s.lineBreak(0) > 0 {
					s.skipLine()
					break
				}
			}
			s.skip()
		}
		if s.at(0) == quote {
			s.skip()
			return true
		}
		for s.isBlank(0) || s.lineBreak(0) > 0 {
			if s.isBlank(0) {
				s.skip()
			} else {
				s.skipLine()
			}
		}
	}
}

// scanBlockScalar moves past a literal or folded scalar: its header and the
// lines indented at least as deep as its first (yaml_parser_scan_block_scalar).
// It returns false, and stops the count, at a bad header.
func (s *nodeScanner) scanBlockScalar() bool {
	s.skip()
	increment := 0
	if c := s.at(0); c == '+' || c == '-' {
		s.skip()
		if d := s.at(0); '0' <= d && d <= '9' {
			increment = int(d - '0')
			s.skip()
			if increment == 0 {
				s.fail()
				return false
			}
		}
	} else if '0' <= c && c <= '9' {
		increment = int(c - '0')
		s.skip()
		if increment == 0 {
			s.fail()
			return false
		}
		if c := s.at(0); c == '+' || c == '-' {
			s.skip()
		}
	}
	for s.isBlank(0) {
		s.skip()
	}
	if s.at(0) == '#' {
		s.skipToBreak()
	}
	if !s.isBreakZ(0) {
		s.fail()
		return false
	}
	s.skipLine()
	indent := 0
	if increment > 0 {
		indent = increment
		if s.indent >= 0 {
			indent += s.indent
		}
	}
	if !s.blockScalarBreaks(&indent) {
		return false
	}
	for s.col == indent && s.at(0) != 0 {
		s.skipToBreak()
		s.skipLine()
		if !s.blockScalarBreaks(&indent) {
			return false
		}
	}
	return true
}

// blockScalarBreaks moves past the indentation and empty lines before a
// line of a block scalar, and settles its indentation if it was not given
// (yaml_parser_scan_block_scalar_breaks).
func (s *nodeScanner) blockScalarBreaks(indent *int) bool {
	maxIndent := 0
	for {
		for (*indent == 0 || s.col < *indent) && s.at(0) == ' ' {
			s.skip()
		}
		maxIndent = max(maxIndent, s.col)
		if (*indent == 0 || s.col < *indent) && s.at(0) == '\t' {
			s.fail()
			return false
		}
		if s.lineBreak(0) == 0 {
			break
		}
		s.skipLine()
	}
	if *indent == 0 {
		*indent = max(maxIndent, s.indent+1, 1)
	}
	return true
}
