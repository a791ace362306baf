package render

import (
	"bytes"
	"strings"
	"testing"

	"github.com/nsgsim/nsgsim/flowgraph"
)

// TestReadLayout lays out a small graph with a cluster and checks what
// readLayout makes of Graphviz's json: the cluster's box holds its node,
// edges name their ends by the nodes' numbers, labels have their place,
// and the drawing operations are kept.
func TestReadLayout(t *testing.T) {
	l, err := layOut([]byte(`digraph { label="title"; subgraph cluster_c { label="box"; a } a -> b [id="e1", label="over"]; b -> c [style=invis] }`))
	if err != nil {
		t.Fatal(err)
	}
	if w, h := l.size(); w <= 0 || h <= 0 {
		t.Errorf("size %v × %v, want positive", w, h)
	}
	if !l.label.ok || l.label.w <= 0 {
		t.Errorf("graph label %+v, want a box", l.label)
	}
	byName := map[string]gvObject{}
	for _, o := range l.objects {
		byName[o.name] = o
	}
	c, a := byName["cluster_c"], byName["a"]
	if !c.subgraph || !c.hasBB || !c.label.ok || c.box.ok {
		t.Errorf("cluster %+v: want a subgraph with a bounding box and a title, no node box", c)
	}
	if a.subgraph || !a.box.ok || a.box.w <= 0 || len(a.Draw) == 0 {
		t.Fatalf("node a %+v: want a node with a box and drawing operations", a)
	}
	if a.box.x-a.box.w/2 < c.bb[0] || a.box.x+a.box.w/2 > c.bb[2] || a.box.y-a.box.h/2 < c.bb[1] || a.box.y+a.box.h/2 > c.bb[3] {
		t.Errorf("node a %+v outside its cluster's box %v", a.box, c.bb)
	}
	if len(l.edges) != 2 {
		t.Fatalf("%d edges, want 2", len(l.edges))
	}
	e := l.edges[0]
	if e.id != "e1" || e.label != "over" || e.tail != a.gvid || e.head != byName["b"].gvid || !e.labelAt.ok || len(e.LDraw) == 0 {
		t.Errorf("edge %+v: want e1 from a to b with its label placed and drawn", e)
	}
	if !strings.Contains(l.edges[1].style, "invis") {
		t.Errorf("second edge's style %q, want invis", l.edges[1].style)
	}
}

// TestReadLayoutErrors checks that a layout that cannot be read is
// refused with what is wrong in it.
func TestReadLayoutErrors(t *testing.T) {
	for _, c := range []struct{ js, want string }{
		{`{"bb": "0,0,10`, "unexpected end of JSON input"},
		{`{"bb": "0,0,10"}`, `the graph's bounding box "0,0,10": want 4 numbers`},
		{`{"bb": "0,0,10,10", "objects": [{"name": "a", "pos": "1,x", "width": "1", "height": "1"}]}`, `object "a"'s position "1,x": want 2 numbers`},
		{`{"bb": "0,0,10,10", "objects": [{"name": "cluster_c", "bb": "1,2"}]}`, `object "cluster_c"'s bounding box "1,2": want 4 numbers`},
		{`{"bb": "0,0,10,10", "edges": [{"lp": "5"}]}`, `edge 0's label position "5": want 2 numbers`},
	} {
		_, err := readLayout([]byte(c.js))
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "reading the Graphviz layout: ") {
			t.Errorf("readLayout(%s): error %v, want one saying %q", c.js, err, c.want)
		}
	}
}

// BenchmarkReadLayout reads the layout of the 300-VM generated estate,
// which chooseColumns does for every number of columns it tries, beside
// laying it out.
func BenchmarkReadLayout(b *testing.B) {
	d, err := build(flowgraph.Build(generated(b, estates[1].o)), defaults)
	if err != nil {
		b.Fatal(err)
	}
	var dot bytes.Buffer
	writeDOT(&dot, d, dotOptions{cols: 2})
	js, err := layout(dot.Bytes(), "json")
	if err != nil {
		b.Fatal(err)
	}
	b.Run("layout", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := layout(dot.Bytes(), "json"); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("read", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(js)))
		for b.Loop() {
			if _, err := readLayout(js); err != nil {
				b.Fatal(err)
			}
		}
	})
}
