package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/nsgsim/nsgsim/topology"
)

// A report prints names, file paths and messages that come from the user's
// input, which a colleague or a pull request may have written. Printed raw,
// a terminal escape sequence in a name could repaint a denied row as
// allowed or retitle the terminal, a bidirectional-text override could
// reorder what the reader sees, and in Markdown a newline, a carriage return
// or a backtick could end a code span or a table row and forge a
// pull-request comment. Every text output escapes for its medium:
//
//   - terminal (table) text goes through Text, and the writer itself
//     through TerminalWriter, so that nothing unsafe reaches the terminal
//     even where a value was missed;
//   - Markdown goes through MarkdownCell and MarkdownCode;
//   - JSON and SARIF are encoded by encoding/json, which writes C0 control
//     characters, U+2028 and U+2029 as \u escapes; JSONSafe escapes the
//     rest that encoding/json leaves raw (DEL, C1 controls, bidirectional-
//     text controls), so that a JSON document shown on a terminal or in a
//     review cannot hide or reorder text either.

// Text makes s safe to print on a terminal line: control characters (tab
// and newline included), line separators, bidirectional-text controls and
// invalid bytes become visible escapes (topology.EscapeUnsafe).
func Text(s string) string { return topology.EscapeUnsafe(s) }

// TerminalWriter wraps w so that every unsafe rune written through it but
// the newline is escaped as Text escapes it: the last line of defence for a
// terminal. Call Flush after the last write: a rune split across two writes
// is held until its end arrives.
type TerminalWriter struct {
	w    io.Writer
	tail []byte // an incomplete UTF-8 sequence at the end of the last write
	err  error
}

// NewTerminalWriter returns a TerminalWriter writing to w.
func NewTerminalWriter(w io.Writer) *TerminalWriter { return &TerminalWriter{w: w} }

// Write escapes p and writes it; it reports len(p) written on success.
func (t *TerminalWriter) Write(p []byte) (int, error) {
	if t.err != nil {
		return 0, t.err
	}
	buf := append(t.tail, p...)
	t.tail = nil
	// Hold back a trailing incomplete rune.
	if cut := incompleteTail(buf); cut < len(buf) {
		t.tail = append([]byte(nil), buf[cut:]...)
		buf = buf[:cut]
	}
	var out strings.Builder
	for _, line := range strings.SplitAfter(string(buf), "\n") {
		body, nl := strings.CutSuffix(line, "\n")
		out.WriteString(topology.EscapeUnsafe(body))
		if nl {
			out.WriteByte('\n')
		}
	}
	if _, t.err = io.WriteString(t.w, out.String()); t.err != nil {
		return 0, t.err
	}
	return len(p), nil
}

// Flush writes what is held back, escaped.
func (t *TerminalWriter) Flush() error {
	if t.err != nil || len(t.tail) == 0 {
		return t.err
	}
	_, t.err = io.WriteString(t.w, topology.EscapeUnsafe(string(t.tail)))
	t.tail = nil
	return t.err
}

// incompleteTail returns where a trailing, not yet complete UTF-8 sequence
// starts in b, or len(b).
func incompleteTail(b []byte) int {
	for i := len(b) - 1; i >= 0 && i >= len(b)-utf8.UTFMax; i-- {
		if utf8.RuneStart(b[i]) {
			if !utf8.FullRune(b[i:]) {
				return i
			}
			break
		}
	}
	return len(b)
}

// markdownSpecial are the ASCII punctuation characters that mean something
// to GitHub-flavoured Markdown in running text or in a table cell: emphasis,
// code, links and images, raw HTML and entities, headings, lists, tables,
// strikethrough, emoji shortcodes (":x:"), mentions, and math. CommonMark
// lets a backslash escape any ASCII punctuation
// (https://spec.commonmark.org/0.31.2/#backslash-escapes).
const markdownSpecial = "\\`*_{}[]()<>#+!|~:@$&"

// MarkdownCell escapes s for running text or a table cell: unsafe runes as
// visible escapes (a newline or carriage return would end the row), then
// every Markdown-special character with a backslash.
func MarkdownCell(s string) string {
	s = topology.EscapeUnsafe(s)
	var b strings.Builder
	for _, r := range s {
		if r < utf8.RuneSelf && strings.ContainsRune(markdownSpecial, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// MarkdownCode makes a code span for a table cell that shows s exactly: the
// fence is one backtick longer than the longest run of backticks in s, and
// a space pads s when it starts or ends with a backtick
// (https://spec.commonmark.org/0.31.2/#code-spans). Unsafe runes become
// visible escapes, so a carriage return or newline cannot end the span or
// the row. A value with a pipe is written as MarkdownCell instead: GitHub
// splits table cells at pipes before it reads code spans, and a backslash
// before an escaped pipe would be ambiguous there.
func MarkdownCode(s string) string {
	if strings.Contains(s, "|") {
		return MarkdownCell(s)
	}
	s = topology.EscapeUnsafe(s)
	longest, run := 0, 0
	for _, r := range s {
		if r == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	fence := strings.Repeat("`", longest+1)
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") || s == "" {
		s = " " + s + " "
	}
	return fence + s + fence
}

// JSONSafe rewrites every unsafe rune (topology.UnsafeRune) from DEL up in
// an encoded JSON document as a \uXXXX escape. encoding/json has already
// escaped the C0 controls inside strings (the newlines and spaces left are
// the document's own layout), and the runes from DEL up can only occur
// inside strings, where the escape means the same character: the document
// decodes to the same values.
func JSONSafe(b []byte) []byte {
	unsafe := func(r rune) bool { return r >= 0x7f && topology.UnsafeRune(r) }
	clean := true
	for i := 0; i < len(b) && clean; {
		if b[i] < 0x7f {
			i++
			continue
		}
		r, size := utf8.DecodeRune(b[i:])
		clean = !unsafe(r)
		i += size
	}
	if clean {
		return b
	}
	var out bytes.Buffer
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if unsafe(r) {
			fmt.Fprintf(&out, `\u%04x`, r)
		} else {
			out.Write(b[i : i+size])
		}
		i += size
	}
	return out.Bytes()
}

// EncodeJSON writes v as indented JSON, HTML characters unescaped, passed
// through JSONSafe.
func EncodeJSON(w io.Writer, v any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	_, err := w.Write(JSONSafe(buf.Bytes()))
	return err
}
