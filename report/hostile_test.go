package report

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/nsgsim/nsgsim/internal/hostile"
	"github.com/nsgsim/nsgsim/internal/simtest"
	"github.com/nsgsim/nsgsim/sim"
	"github.com/nsgsim/nsgsim/topology"
)

// plainName stands in for a hostile name in the baseline: a name that is
// just as wrong for Azure (NAME001) but means nothing to any medium.
const plainName = "z z"

// CheckTerminal fails when out carries an unsafe rune other than the
// newlines that end its lines, or bytes that are not UTF-8.
func checkTerminal(t *testing.T, format, out string) {
	t.Helper()
	if !utf8.ValidString(out) {
		t.Errorf("%s output is not UTF-8", format)
	}
	for _, line := range strings.Split(out, "\n") {
		if topology.HasUnsafe(line) {
			t.Errorf("%s output carries an unsafe character raw: %q", format, line)
		}
	}
}

// TestHostileNamesReports writes every text format of a report whose every
// name is hostile: the terminal formats carry no unsafe character and have
// the lines of the plain report, the Markdown has the structure of the
// plain report, and JSON and SARIF decode to the exact names with no
// unsafe character raw in the document.
func TestHostileNamesReports(t *testing.T) {
	plain := simtest.Hostile(t, plainName, nil)
	write := func(r *sim.Report, f func(*bytes.Buffer, *sim.Report) error) string {
		var buf bytes.Buffer
		if err := f(&buf, r); err != nil {
			t.Fatal(err)
		}
		return buf.String()
	}
	table := func(b *bytes.Buffer, r *sim.Report) error { return WriteTable(b, r) }
	markdown := func(b *bytes.Buffer, r *sim.Report) error { return WriteMarkdown(b, r) }
	trace := func(b *bytes.Buffer, r *sim.Report) error {
		res := r.Results[len(r.Results)-1] // the user flow
		tr, err := r.Engine.Trace(res.Flow)
		if err != nil {
			return err
		}
		return WriteTrace(b, r.Engine, tr)
	}
	plainTable, plainMD, plainTrace := write(plain, table), write(plain, markdown), write(plain, trace)
	for i, h := range hostile.Names {
		t.Run(strconv.Itoa(i), func(t *testing.T) {
			r := simtest.Hostile(t, h, nil)
			for _, c := range []struct {
				format    string
				out, want string
			}{{"table", write(r, table), plainTable}, {"trace", write(r, trace), plainTrace}} {
				checkTerminal(t, c.format, c.out)
				if got, want := strings.Count(c.out, "\n"), strings.Count(c.want, "\n"); got != want {
					t.Errorf("%s has %d lines, the plain report %d:\n%s", c.format, got, want, c.out)
				}
			}
			md := write(r, markdown)
			checkTerminal(t, "markdown", md)
			checkTables(t, md)
			if got, want := hostile.MarkdownSkeleton(md), hostile.MarkdownSkeleton(plainMD); got != want {
				t.Errorf("Markdown structure differs from the plain report's:\n%s\nwant\n%s\nmarkdown:\n%s", got, want, md)
			}
			for _, c := range []struct {
				format string
				write  func(*bytes.Buffer, *sim.Report) error
			}{
				{"json", func(b *bytes.Buffer, r *sim.Report) error { return WriteJSON(b, r) }},
				{"sarif", func(b *bytes.Buffer, r *sim.Report) error { return WriteSARIF(b, r) }},
			} {
				out := write(r, c.write)
				checkTerminal(t, c.format, out)
				var doc any
				if err := json.Unmarshal([]byte(out), &doc); err != nil {
					t.Fatalf("%s does not decode: %v", c.format, err)
				}
				if !containsString(doc, h+"f") {
					t.Errorf("%s does not hold the flow name %q exactly", c.format, h+"f")
				}
			}
		})
	}
}

// containsString reports whether a decoded JSON value holds s as a string.
func containsString(v any, s string) bool {
	switch v := v.(type) {
	case string:
		return strings.Contains(v, s)
	case []any:
		for _, e := range v {
			if containsString(e, s) {
				return true
			}
		}
	case map[string]any:
		for _, e := range v {
			if containsString(e, s) {
				return true
			}
		}
	}
	return false
}
