package topology

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf8"
)

// yaml.v3 reports a syntax error with a line only, and often with the line
// where the enclosing construct began rather than the offending token's
// (an unclosed "[" on line 3 is reported on line 2, a list item indented
// wrongly on line 7 at the start of the list). locateSyntax reads the
// text again, line by line, to find the token that broke the parse and to
// say how to fix the common slips. It runs only after yaml.v3 has refused
// the file, so it decides where, never whether.

// srcLine is one line of a YAML file as locateSyntax sees it.
type srcLine struct {
	n       int    // line number, from 1
	text    string // the line without its newline
	indent  int    // leading spaces
	content string // after the indentation, without a comment or trailing blanks
	skip    bool   // blank, a comment, or inside a quoted scalar, a flow collection or a block scalar
}

// col is the 1-based column, in characters, of byte offset off of l.text.
func (l srcLine) col(off int) int { return utf8.RuneCountInString(l.text[:off]) + 1 }

// syntaxSlip is a slip found in the text: where, and what to say.
type syntaxSlip struct {
	line, col int
	msg       string
}

// locateSyntax finds the offending token of a syntax error that yaml.v3
// described as msg. ok is false when it finds nothing it can vouch for.
func locateSyntax(data []byte, msg string) (slip syntaxSlip, ok bool) {
	lines, open := scanLines(data)
	switch {
	case strings.Contains(msg, "tab character") || strings.Contains(msg, "cannot start any token"):
		if s, ok := findIndentTab(lines); ok {
			return s, true
		}
	case strings.Contains(msg, "did not find expected alphabetic or numeric character"):
		if s, ok := findBareStar(lines); ok {
			return s, true
		}
	}
	if open.quote != nil {
		return *open.quote, true
	}
	if open.flow != nil {
		return *open.flow, true
	}
	if s, ok := findIndentSlip(lines); ok {
		return s, true
	}
	if s, ok := findIndentTab(lines); ok {
		return s, true
	}
	return syntaxSlip{}, false
}

// unclosed holds the first quoted scalar or flow collection that the text
// never closes.
type unclosed struct{ quote, flow *syntaxSlip }

// scanLines splits data into lines, strips comments, and marks the lines
// that continue a quoted scalar, a flow collection or a block scalar. A
// flow collection is taken to end, unclosed, at a line that is indented no
// deeper than the line that opened it, or that starts a list item: block
// structure cannot appear inside one.
func scanLines(data []byte) ([]srcLine, unclosed) {
	var (
		lines   []srcLine
		open    unclosed
		quote   byte       // the open quote character, or 0
		quoteAt syntaxSlip // where it opened
		flows   []flowOpen // open "[" and "{"
		block   = -1       // indentation of the key that opened a block scalar, or -1
		raw     = bytes.Split(data, []byte("\n"))
		startIn int // indentation of the line that opened the outermost flow
	)
	for i, b := range raw {
		text := strings.TrimSuffix(string(b), "\r")
		l := srcLine{n: i + 1, text: text}
		for l.indent < len(text) && text[l.indent] == ' ' {
			l.indent++
		}
		rest := text[l.indent:]
		blank := strings.TrimSpace(rest) == ""
		switch {
		case quote != 0:
			l.skip = true
		case block >= 0 && (blank || l.indent > block):
			l.skip = true
			lines = append(lines, l)
			continue
		case len(flows) > 0:
			c := strings.TrimLeft(rest, " \t")
			if !blank && !strings.HasPrefix(c, "#") && (l.indent <= startIn || c == "-" || strings.HasPrefix(c, "- ")) && c[0] != ']' && c[0] != '}' {
				f := flows[0]
				open.flow = &syntaxSlip{f.line, f.col, fmt.Sprintf("YAML syntax: this %c is never closed; expected %s before line %d", f.c, closerOf(f.c), l.n)}
				flows = nil
			} else {
				l.skip = true
			}
		}
		block = -1
		if blank || strings.HasPrefix(rest, "#") || rest == "---" || strings.HasPrefix(rest, "--- ") || strings.HasPrefix(rest, "%") {
			if quote == 0 && len(flows) == 0 {
				l.skip = true
			}
			lines = append(lines, l)
			continue
		}
		// Walk the rest of the line for quotes, flow brackets and a comment.
		end := len(text)
		prev := byte(' ')
		for j := l.indent; j < len(text); j++ {
			c := text[j]
			if quote != 0 {
				switch {
				case quote == '"' && c == '\\':
					j++
				case c == quote && quote == '\'' && j+1 < len(text) && text[j+1] == '\'':
					j++
				case c == quote:
					quote = 0
				}
				prev = c
				continue
			}
			switch {
			case c == '#' && (prev == ' ' || prev == '\t'):
				end = j
				j = len(text)
				continue
			case (c == '"' || c == '\'') && startsScalar(prev, len(flows) > 0):
				quote = c
				quoteAt = syntaxSlip{l.n, l.col(j), ""}
			case c == '[' || c == '{':
				if startsScalar(prev, len(flows) > 0) {
					if len(flows) == 0 {
						startIn = l.indent
					}
					flows = append(flows, flowOpen{c, l.n, l.col(j)})
				}
			case (c == ']' || c == '}') && len(flows) > 0:
				flows = flows[:len(flows)-1]
			}
			prev = c
		}
		if !l.skip {
			l.content = strings.TrimRight(text[l.indent:end], " \t")
			if isBlockScalarValue(l.content) {
				block = l.indent
			}
		}
		lines = append(lines, l)
	}
	if quote != 0 {
		kind := "double"
		if quote == '\'' {
			kind = "single"
		}
		quoteAt.msg = fmt.Sprintf("YAML syntax: this %s-quoted string is never closed; end it with %c", kind, quote)
		open.quote = &quoteAt
	}
	if len(flows) > 0 && open.flow == nil {
		f := flows[0]
		open.flow = &syntaxSlip{f.line, f.col, fmt.Sprintf("YAML syntax: this %c is never closed; expected %s", f.c, closerOf(f.c))}
	}
	return lines, open
}

type flowOpen struct {
	c         byte
	line, col int
}

func closerOf(c byte) string {
	if c == '[' {
		return "',' or ']'"
	}
	return "',' or '}'"
}

// startsScalar reports whether a character after prev starts a node: at
// the start of the content, after a blank, or after a flow indicator.
func startsScalar(prev byte, inFlow bool) bool {
	return prev == ' ' || prev == '\t' || prev == '-' || prev == ':' || inFlow && (prev == '[' || prev == '{' || prev == ',')
}

// isBlockScalarValue reports whether content ends with a block scalar
// indicator ("key: |", "- >-"), after which the deeper lines are text.
func isBlockScalarValue(content string) bool {
	i := strings.LastIndexAny(content, " \t")
	v := content[i+1:]
	if v == "" || (v[0] != '|' && v[0] != '>') || (i < 0 && !strings.HasPrefix(content, v)) {
		return false
	}
	if i >= 0 {
		before := strings.TrimRight(content[:i], " \t")
		if !strings.HasSuffix(before, ":") && before != "-" {
			return false
		}
	}
	return strings.Trim(v[1:], "+-0123456789") == ""
}

// findIndentTab finds the first tab in the indentation of a line.
func findIndentTab(lines []srcLine) (syntaxSlip, bool) {
	for _, l := range lines {
		if l.skip {
			continue
		}
		for j := l.indent; j < len(l.text); j++ {
			switch l.text[j] {
			case ' ':
				continue
			case '\t':
				return syntaxSlip{l.n, l.col(j), "YAML syntax: a tab in the indentation; YAML indents with spaces"}, true
			}
			break
		}
	}
	return syntaxSlip{}, false
}

// findBareStar finds a plain "*" where a value starts, which YAML reads
// as an alias without a name.
func findBareStar(lines []srcLine) (syntaxSlip, bool) {
	for _, l := range lines {
		if l.skip {
			continue
		}
		s := l.content
		for j := 0; j < len(s); j++ {
			if s[j] != '*' {
				continue
			}
			before := byte(' ')
			if j > 0 {
				before = s[j-1]
			}
			after := byte(' ')
			if j+1 < len(s) {
				after = s[j+1]
			}
			if (j == 0 || before == ' ' || before == '[' || before == ',') && (after == ' ' || after == ',' || after == ']' || after == '}') {
				return syntaxSlip{l.n, l.col(l.indent + j), `YAML syntax: a bare * starts an alias in YAML; quote it: "*"`}, true
			}
		}
	}
	return syntaxSlip{}, false
}

// blockLevel is an open block collection: its indentation and whether it
// is a list.
type blockLevel struct {
	indent int
	seq    bool
	line   int // where its first entry is
}

// findIndentSlip walks the block structure and returns the first line
// whose indentation fits no open collection: a key or list item indented
// deeper than the line before allows, or between two levels.
func findIndentSlip(lines []srcLine) (syntaxSlip, bool) {
	var stack []blockLevel
	opens := true // whether the previous line may be followed by deeper lines
	prevKeyIndent := -1
	for _, l := range lines {
		if l.skip || l.content == "" {
			continue
		}
		item := l.content == "-" || strings.HasPrefix(l.content, "- ")
		key := !item && keyColon(l.content) >= 0
		i := l.indent
		if len(stack) == 0 {
			stack = append(stack, blockLevel{i, item, l.n})
		} else if top := stack[len(stack)-1]; i > top.indent {
			if !opens {
				switch {
				case item:
					return syntaxSlip{l.n, i + 1, fmt.Sprintf("YAML syntax: a list item indented wrongly: %s", alignHint(stack, l))}, true
				case key:
					return syntaxSlip{l.n, i + 1, fmt.Sprintf("YAML syntax: key %s is indented deeper than the line above allows: %s", keyName(l.content), alignHint(stack, l))}, true
				}
				continue // a plain scalar continued on a deeper line
			}
			stack = append(stack, blockLevel{i, item, l.n})
		} else {
			var popped []blockLevel // the levels closed by this line, shallowest first
			for len(stack) > 1 && stack[len(stack)-1].indent > i {
				popped = append([]blockLevel{stack[len(stack)-1]}, popped...)
				stack = stack[:len(stack)-1]
			}
			top = stack[len(stack)-1]
			hint := func() string {
				c := stack
				if len(popped) > 0 {
					c = append(append([]blockLevel(nil), stack...), popped[0])
				}
				return alignHint(c, l)
			}
			switch {
			case top.indent == i && item && !top.seq && opens && prevKeyIndent == i:
				stack = append(stack, blockLevel{i, true, l.n}) // "key:" then "- item" at the key's indentation
			case top.indent == i && !item && top.seq && len(stack) > 1 && stack[len(stack)-2].indent == i:
				stack = stack[:len(stack)-1] // the end of a list indented like its key
			case top.indent == i && item != top.seq && item:
				return syntaxSlip{l.n, i + 1, fmt.Sprintf("YAML syntax: a list item where a key was expected: %s", hint())}, true
			case top.indent == i && item != top.seq:
				return syntaxSlip{l.n, i + 1, fmt.Sprintf("YAML syntax: key %s is under-indented: %s", keyName(l.content), hint())}, true
			case top.indent != i && item:
				return syntaxSlip{l.n, i + 1, fmt.Sprintf("YAML syntax: a list item indented wrongly: %s", hint())}, true
			case top.indent != i && key:
				return syntaxSlip{l.n, i + 1, fmt.Sprintf("YAML syntax: key %s is not aligned with the keys around it: %s", keyName(l.content), hint())}, true
			case top.indent == i && !item && !key && !top.seq:
				return syntaxSlip{l.n, i + 1, fmt.Sprintf("YAML syntax: %s has no colon; expected KEY: VALUE", quoteClip(l.content))}, true
			}
		}
		// A list item that holds a key opens a mapping at the key's column.
		rest := l.content
		extra := l.indent
		for strings.HasPrefix(rest, "- ") {
			n := len(rest)
			rest = strings.TrimLeft(rest[2:], " ")
			extra += n - len(rest)
			if strings.HasPrefix(rest, "- ") || keyColon(rest) >= 0 {
				stack = append(stack, blockLevel{extra, strings.HasPrefix(rest, "- "), l.n})
			}
		}
		c := keyColon(rest)
		opens = rest == "-" || rest == "" || c >= 0 && strings.TrimSpace(rest[c+1:]) == "" || isBlockScalarValue(rest)
		prevKeyIndent = -1
		if c >= 0 && opens {
			prevKeyIndent = extra
			if item {
				prevKeyIndent = -1
			}
		}
		if key && opens {
			prevKeyIndent = i
		}
	}
	return syntaxSlip{}, false
}

// alignHint says where the line could go: the columns of the open
// collections it might belong to.
func alignHint(stack []blockLevel, l srcLine) string {
	var cols []string
	seen := map[int]bool{}
	for k := len(stack) - 1; k >= 0; k-- {
		s := stack[k]
		if seen[s.indent] {
			continue
		}
		seen[s.indent] = true
		what := "the keys"
		if s.seq {
			what = "the items"
		}
		cols = append(cols, fmt.Sprintf("column %d (%s from line %d)", s.indent+1, what, s.line))
		if len(cols) == 2 {
			break
		}
	}
	return fmt.Sprintf("it starts in column %d; expected %s", l.indent+1, strings.Join(cols, " or "))
}

// keyColon returns the offset of the colon that ends a mapping key in
// content ("key: value", "key:"), outside quotes and brackets; -1 when
// there is none.
func keyColon(content string) int {
	var quote byte
	depth := 0
	for j := 0; j < len(content); j++ {
		c := content[j]
		switch {
		case quote != 0:
			if c == '\\' && quote == '"' {
				j++
			} else if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			if j == 0 {
				quote = c
			}
		case c == '[' || c == '{':
			if j == 0 {
				return -1 // a flow collection, not a key
			}
			depth++
		case c == ']' || c == '}':
			depth--
		case c == ':' && depth <= 0 && (j+1 == len(content) || content[j+1] == ' ' || content[j+1] == '\t'):
			return j
		}
	}
	return -1
}

// keyName quotes the key of content for a message.
func keyName(content string) string {
	if c := keyColon(content); c >= 0 {
		return quoteClip(strings.Trim(content[:c], `"'`))
	}
	return quoteClip(content)
}

func quoteClip(s string) string { return clipQuoted(fmt.Sprintf("%q", s)) }
