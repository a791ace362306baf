package topology

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
)

// Pos is a position in an input file: a YAML topology, a JSON export or
// template, a Service Tags file. Line and Col count from 1 (Col counts
// bytes); a zero Line means the line is unknown. Path is the JSON path of
// the value in a JSON input ("resources[2].properties.securityRules[0]"),
// empty for YAML. Pos is comparable, so it can be a map key.
type Pos struct {
	File string
	Line int
	Col  int
	Path string
}

// IsValid reports whether p carries a line.
func (p Pos) IsValid() bool { return p.Line > 0 }

// String formats p as FILE:LINE:COL, followed by ": PATH" when the JSON
// path is known. An unknown line leaves FILE alone (FILE: PATH with a
// path); a position with nothing known prints as "-".
func (p Pos) String() string {
	var s string
	switch {
	case p.IsValid() && p.File != "":
		s = fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Col)
	case p.IsValid():
		s = fmt.Sprintf("%d:%d", p.Line, p.Col)
	case p.File != "":
		s = p.File
	}
	switch {
	case p.Path != "" && s != "":
		return s + ": " + p.Path
	case p.Path != "":
		return p.Path
	case s == "":
		return "-"
	}
	return s
}

// relativeTo formats p for a message about a problem at base: LINE:COL
// when both are in the same file, as "first at 3:5" reads, and the whole
// position otherwise.
func (p Pos) relativeTo(base Pos) string {
	if p.File == base.File && p.IsValid() {
		q := p
		q.File = ""
		return q.String()
	}
	return p.String()
}

// Before orders positions by file, line, column and path.
func (p Pos) Before(q Pos) bool {
	if p.File != q.File {
		return p.File < q.File
	}
	if p.Line != q.Line {
		return p.Line < q.Line
	}
	if p.Col != q.Col {
		return p.Col < q.Col
	}
	return p.Path < q.Path
}

// PosAt is the position of the byte at offset off of data, a file named
// file: where a reader stands after the first off bytes. An offset past
// the end stands at the end.
func PosAt(file string, data []byte, off int64) Pos {
	line, col := LineCol(data, off)
	return Pos{File: file, Line: line, Col: col}
}

// LineCol returns the 1-based line and column (counting bytes) of the byte
// at offset off of data. An offset past the end stands at the end.
func LineCol(data []byte, off int64) (line, col int) {
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	if off < 0 {
		off = 0
	}
	head := data[:off]
	line = bytes.Count(head, []byte("\n")) + 1
	col = int(off) - (bytes.LastIndexByte(head, '\n') + 1) + 1
	return line, col
}

// Related is another position that a problem refers to, such as where a
// duplicated name was first declared: Msg says what is there ("first at").
type Related struct {
	Pos Pos
	Msg string
}

// Error is one problem with an input, at a position, with the positions it
// refers to. Every reader of input (the YAML loader, the JSON importers, the
// Service Tags reader) reports through it, so that a problem prints one way:
//
//	FILE:LINE:COL: message (first at LINE:COL)
//	FILE: json.path: message
type Error struct {
	Pos     Pos
	Msg     string
	Related []Related
}

// Errorf returns a problem at pos.
func Errorf(pos Pos, format string, args ...any) *Error {
	return &Error{Pos: pos, Msg: fmt.Sprintf(format, args...)}
}

// At adds a related position to e and returns e.
func (e *Error) At(msg string, pos Pos) *Error {
	e.Related = append(e.Related, Related{Pos: pos, Msg: msg})
	return e
}

// Error formats e on one line: the position, the message, and each related
// position in parentheses. A related position without a line or path is
// left out, as it says nothing.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Pos.String())
	b.WriteString(": ")
	b.WriteString(e.Msg)
	for _, r := range e.Related {
		if !r.Pos.IsValid() && r.Pos.Path == "" {
			continue
		}
		fmt.Fprintf(&b, " (%s %s)", r.Msg, r.Pos.relativeTo(e.Pos))
	}
	return b.String()
}

// equal reports whether e and f say the same thing at the same place.
func (e *Error) equal(f *Error) bool {
	if e.Pos != f.Pos || e.Msg != f.Msg || len(e.Related) != len(f.Related) {
		return false
	}
	for i := range e.Related {
		if e.Related[i] != f.Related[i] {
			return false
		}
	}
	return true
}

// ErrorList collects every problem found in an input. Its Err method
// returns nil when the list is empty, so a reader can return list.Err().
// Like go/scanner's, its Error method is one line (the first problem and
// how many more); PrintErrors and ErrorText write every problem.
type ErrorList []*Error

// Add appends a problem at pos.
func (l *ErrorList) Add(pos Pos, format string, args ...any) {
	*l = append(*l, Errorf(pos, format, args...))
}

// Sort orders the list by position, then message, and drops exact repeats.
func (l *ErrorList) Sort() {
	s := *l
	sort.SliceStable(s, func(i, j int) bool {
		if s[i].Pos != s[j].Pos {
			return s[i].Pos.Before(s[j].Pos)
		}
		return s[i].Msg < s[j].Msg
	})
	out := s[:0]
	for i, e := range s {
		if i > 0 && e.equal(s[i-1]) {
			continue
		}
		out = append(out, e)
	}
	*l = out
}

// Error formats the list on one line, as go/scanner does: the first
// problem, and how many more there are.
func (l ErrorList) Error() string {
	switch len(l) {
	case 0:
		return "no errors"
	case 1:
		return l[0].Error()
	case 2:
		return l[0].Error() + " (and 1 more error)"
	}
	return fmt.Sprintf("%s (and %d more errors)", l[0].Error(), len(l)-1)
}

// Err returns the list as an error, or nil when it is empty.
func (l ErrorList) Err() error {
	if len(l) == 0 {
		return nil
	}
	return l
}

// ErrorText formats err for a user: each problem of an ErrorList on its own
// line, in the list's order; any other error as its Error method does. An
// error that wraps a list ("reading x: " + list) keeps its own text in front
// of the list's first line.
func ErrorText(err error) string {
	if err == nil {
		return ""
	}
	var list ErrorList
	if !errors.As(err, &list) || len(list) == 0 {
		return err.Error()
	}
	lines := make([]string, len(list))
	for i, e := range list {
		lines[i] = e.Error()
	}
	msg := err.Error()
	if prefix, ok := strings.CutSuffix(msg, list.Error()); ok {
		lines[0] = prefix + lines[0]
	} else {
		return msg
	}
	return strings.Join(lines, "\n")
}

// PrintErrors writes ErrorText(err) and a newline to w, as go/scanner's
// PrintError does; nothing when err is nil.
func PrintErrors(w io.Writer, err error) {
	if err == nil {
		return
	}
	fmt.Fprintln(w, ErrorText(err))
}
