package topology

import (
	"fmt"
	"sort"
	"strings"
)

// Pos is a position in a topology file. Line and Col count from 1; a zero
// Line means the position is unknown (an object built by an importer), and
// then only File is printed.
type Pos struct {
	File string
	Line int
	Col  int
}

// IsValid reports whether p carries a line.
func (p Pos) IsValid() bool { return p.Line > 0 }

// String formats p as FILE:LINE:COL, FILE when the line is unknown, or "-"
// when nothing is known.
func (p Pos) String() string {
	switch {
	case p.IsValid() && p.File != "":
		return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Col)
	case p.IsValid():
		return fmt.Sprintf("%d:%d", p.Line, p.Col)
	case p.File != "":
		return p.File
	}
	return "-"
}

// Before orders positions by file, line and column.
func (p Pos) Before(q Pos) bool {
	if p.File != q.File {
		return p.File < q.File
	}
	if p.Line != q.Line {
		return p.Line < q.Line
	}
	return p.Col < q.Col
}

// Error is one problem with a topology, at a position.
type Error struct {
	Pos Pos
	Msg string
}

func (e *Error) Error() string { return e.Pos.String() + ": " + e.Msg }

// ErrorList collects every problem found in a topology. Its Err method
// returns nil when the list is empty, so a loader can return list.Err().
type ErrorList []*Error

// Add appends a problem at pos.
func (l *ErrorList) Add(pos Pos, format string, args ...any) {
	*l = append(*l, &Error{Pos: pos, Msg: fmt.Sprintf(format, args...)})
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
		if i > 0 && *e == *s[i-1] {
			continue
		}
		out = append(out, e)
	}
	*l = out
}

// Error prints one problem per line.
func (l ErrorList) Error() string {
	lines := make([]string, len(l))
	for i, e := range l {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// Err returns the list as an error, or nil when it is empty.
func (l ErrorList) Err() error {
	if len(l) == 0 {
		return nil
	}
	return l
}
