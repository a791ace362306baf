package report

import (
	"bytes"
	"strings"
	"testing"
)

func TestTerminalWriter(t *testing.T) {
	var buf bytes.Buffer
	w := NewTerminalWriter(&buf)
	// A right-to-left override split across two writes, an escape
	// sequence, a carriage return; newlines stay.
	rlo := "\u202e"
	for _, s := range []string{"a" + rlo[:1], rlo[1:] + "b\x1b[31m\n", "c\rd\n", "é"[:1]} {
		if _, err := w.Write([]byte(s)); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if got, want := buf.String(), "a\\u202eb\\x1b[31m\nc\\x0dd\n\\xc3"; got != want {
		t.Errorf("TerminalWriter wrote %q, want %q", got, want)
	}
}

func TestMarkdownCode(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"bastion/ssh/vm1", "`bastion/ssh/vm1`"},
		{"a`b", "``a`b``"},
		{"`a``", "``` `a`` ```"},
		{"a\r\nb", "`a\\x0d\\x0ab`"},
		{"a|b", `a\|b`}, // no code span where GitHub splits cells first
		{"<b>x</b>", "`<b>x</b>`"},
	} {
		if got := MarkdownCode(tc.in); got != tc.want {
			t.Errorf("MarkdownCode(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	if got := MarkdownCell("**x** :x: @a <i> [l](u) &amp;"); strings.ContainsAny(strings.NewReplacer(`\*`, "", `\:`, "", `\@`, "", `\<`, "", `\>`, "", `\[`, "", `\]`, "", `\(`, "", `\)`, "", `\&`, "").Replace(got), "*:@<>[]()&") {
		t.Errorf("MarkdownCell left markup unescaped: %q", got)
	}
}
