package topology

import (
	"bytes"
	"errors"
	"fmt"
	"testing"
)

func TestPosString(t *testing.T) {
	tests := []struct {
		p    Pos
		want string
	}{
		{Pos{File: "a.yaml", Line: 3, Col: 5}, "a.yaml:3:5"},
		{Pos{Line: 3, Col: 5}, "3:5"},
		{Pos{File: "a.json"}, "a.json"},
		{Pos{File: "a.json", Path: "resources[0].name"}, "a.json: resources[0].name"},
		{Pos{File: "a.json", Line: 2, Col: 7, Path: "[0]"}, "a.json:2:7: [0]"},
		{Pos{Path: "[0]"}, "[0]"},
		{Pos{}, "-"},
	}
	for _, tt := range tests {
		if got := tt.p.String(); got != tt.want {
			t.Errorf("%#v.String() = %q, want %q", tt.p, got, tt.want)
		}
	}
}

func TestErrorRelated(t *testing.T) {
	at := Pos{File: "a.yaml", Line: 9, Col: 3}
	tests := []struct {
		e    *Error
		want string
	}{
		{Errorf(at, "duplicate key %q", "os").At("first at", Pos{File: "a.yaml", Line: 8, Col: 3}), `a.yaml:9:3: duplicate key "os" (first at 8:3)`},
		{Errorf(at, "bad").At("named by serviceTags at", Pos{File: "b.yaml", Line: 1, Col: 14}), `a.yaml:9:3: bad (named by serviceTags at b.yaml:1:14)`},
		{Errorf(at, "bad").At("first at", Pos{File: "a.yaml"}), `a.yaml:9:3: bad`},
		{Errorf(Pos{File: "x.json", Path: "[1].name"}, "dup").At("first at", Pos{File: "x.json", Path: "[0].name"}), `x.json: [1].name: dup (first at x.json: [0].name)`},
	}
	for _, tt := range tests {
		if got := tt.e.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
	}
}

// TestErrorListPrinting checks that a list is one line as an error, as
// go/scanner's is, and every problem, one a line, through ErrorText and
// PrintErrors, also when wrapped.
func TestErrorListPrinting(t *testing.T) {
	var l ErrorList
	if l.Err() != nil {
		t.Fatalf("empty ErrorList.Err() = %v, want nil", l.Err())
	}
	l.Add(Pos{File: "a.yaml", Line: 2, Col: 1}, "second")
	l.Add(Pos{File: "a.yaml", Line: 1, Col: 1}, "first")
	l.Add(Pos{File: "a.yaml", Line: 1, Col: 1}, "first")
	l.Sort()
	if got, want := l.Error(), "a.yaml:1:1: first (and 1 more error)"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	want := "a.yaml:1:1: first\na.yaml:2:1: second"
	if got := ErrorText(l.Err()); got != want {
		t.Errorf("ErrorText = %q, want %q", got, want)
	}
	if got := ErrorText(fmt.Errorf("reading: %w", l)); got != "reading: "+want {
		t.Errorf("ErrorText(wrapped) = %q, want %q", got, "reading: "+want)
	}
	var b bytes.Buffer
	PrintErrors(&b, l)
	PrintErrors(&b, nil)
	PrintErrors(&b, errors.New("plain"))
	if got := b.String(); got != want+"\nplain\n" {
		t.Errorf("PrintErrors wrote %q", got)
	}
	l.Add(Pos{File: "a.yaml", Line: 3, Col: 1}, "third")
	if got, want := l.Error(), "a.yaml:1:1: first (and 2 more errors)"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

func TestLineCol(t *testing.T) {
	data := []byte("ab\ncd\n")
	tests := []struct {
		off       int64
		line, col int
	}{
		{0, 1, 1}, {1, 1, 2}, {2, 1, 3}, {3, 2, 1}, {5, 2, 3}, {6, 3, 1}, {100, 3, 1}, {-1, 1, 1},
	}
	for _, tt := range tests {
		if line, col := LineCol(data, tt.off); line != tt.line || col != tt.col {
			t.Errorf("LineCol(%q, %d) = %d, %d, want %d, %d", data, tt.off, line, col, tt.line, tt.col)
		}
	}
	if got, want := PosAt("f", data, 4), (Pos{File: "f", Line: 2, Col: 2}); got != want {
		t.Errorf("PosAt(f, 4) = %v, want %v", got, want)
	}
}
