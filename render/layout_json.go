package render

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// The one reader of Graphviz's layout. Graphviz's "json" output
// (https://graphviz.org/docs/outputs/json/) lists the graph, its subgraphs
// and nodes ("objects") and its edges, each with its attributes as strings
// and its xdot drawing operations. readLayout reads it once into the typed
// values below, in points with the y axis growing upwards as in Graphviz,
// for every reader of a layout: chooseColumns (the page's size), the PNG
// painter (png.go), the draw.io writer (drawio.go) and the geometry test.

// gvLayout is a laid-out graph.
type gvLayout struct {
	// bb is the bounding box: the lower left x, y and the upper right x,
	// y. It leaves out the pen's width around the drawing.
	bb    [4]float64
	label gvBox // the graph's label: the title, summary and legend
	xdraw       // the graph's own drawing operations
	// objects are the clusters, other subgraphs and nodes, as Graphviz
	// lists them: subgraphs first, parents before children, then nodes.
	objects []gvObject
	edges   []gvEdge
}

// gvObject is a subgraph (a cluster or not) or a node of a layout.
type gvObject struct {
	name     string
	gvid     int  // the object's number, which edges' tail and head name
	subgraph bool // a subgraph, cluster or not, rather than a node
	// bb is a subgraph's bounding box, as gvLayout.bb; hasBB is false for
	// a node and for a subgraph drawn without a box.
	bb    [4]float64
	hasBB bool
	box   gvBox  // a node's box; not ok for a subgraph
	label gvBox  // a cluster's title
	style string // the style attribute, such as "invis" or "rounded,filled"
	xdraw
}

// gvEdge is an edge of a layout.
type gvEdge struct {
	id         string  // the DOT id attribute
	tail, head int     // the gvid of the nodes it joins
	label      string  // the DOT label attribute, as written
	labelAt    gvPoint // the centre of the label (lp)
	style      string
	xdraw
}

// gvBox is a box by its centre and size, in points; ok is false where
// the layout has none.
type gvBox struct {
	ok         bool
	x, y, w, h float64
}

// gvPoint is a point of a layout; ok is false where the layout has none.
type gvPoint struct {
	ok   bool
	x, y float64
}

// xdraw holds the drawing operations of one object.
type xdraw struct {
	Draw   []xop `json:"_draw_"`
	LDraw  []xop `json:"_ldraw_"`
	HDraw  []xop `json:"_hdraw_"`
	TDraw  []xop `json:"_tdraw_"`
	HLDraw []xop `json:"_hldraw_"`
	TLDraw []xop `json:"_tldraw_"`
}

// xop is one xdot operation (https://graphviz.org/docs/outputs/canon/#xdot).
type xop struct {
	Op       string       `json:"op"`
	Color    string       `json:"color"`
	Grad     string       `json:"grad"`
	Stops    []xstop      `json:"stops"`
	Points   [][2]float64 `json:"points"`
	Rect     [4]float64   `json:"rect"`
	Pt       [2]float64   `json:"pt"`
	Align    string       `json:"align"`
	Width    float64      `json:"width"`
	Text     string       `json:"text"`
	Size     float64      `json:"size"`
	Face     string       `json:"face"`
	Style    string       `json:"style"`
	Fontchar int          `json:"fontchar"`
}

// xstop is a stop of a gradient.
type xstop struct {
	Frac  float64 `json:"frac"`
	Color string  `json:"color"`
}

// gvItem is an object or edge of the json output as Graphviz writes it:
// every attribute a string.
type gvItem struct {
	Name    string `json:"name"`
	GVID    int    `json:"_gvid"`
	Nodes   []int  `json:"nodes"` // set for subgraphs
	BB      string `json:"bb"`
	Pos     string `json:"pos"` // a node's centre (an edge's is its spline, not read)
	Width   string `json:"width"`
	Height  string `json:"height"`
	LP      string `json:"lp"`
	LWidth  string `json:"lwidth"`
	LHeight string `json:"lheight"`
	Style   string `json:"style"`
	ID      string `json:"id"`
	Label   string `json:"label"`
	Tail    int    `json:"tail"`
	Head    int    `json:"head"`
	xdraw
}

// layOut lays DOT text out with Graphviz and reads the layout.
func layOut(dot []byte) (*gvLayout, error) {
	js, err := layout(dot, "json")
	if err != nil {
		return nil, err
	}
	return readLayout(js)
}

// readLayout reads Graphviz's json output.
func readLayout(js []byte) (*gvLayout, error) {
	var g struct {
		gvItem
		Objects []gvItem `json:"objects"`
		Edges   []gvItem `json:"edges"`
	}
	if err := json.Unmarshal(js, &g); err != nil {
		return nil, fmt.Errorf("reading the Graphviz layout: %w", err)
	}
	l := &gvLayout{xdraw: g.xdraw}
	var err error
	if l.bb, err = readBB("the graph's bounding box", g.BB); err != nil {
		return nil, err
	}
	if l.label, err = g.labelBox("the graph's label"); err != nil {
		return nil, err
	}
	l.objects = make([]gvObject, len(g.Objects))
	for i, it := range g.Objects {
		o := &l.objects[i]
		*o = gvObject{name: it.Name, gvid: it.GVID, subgraph: it.Nodes != nil || strings.HasPrefix(it.Name, "cluster"), style: it.Style, xdraw: it.xdraw}
		what := fmt.Sprintf("object %q", it.Name)
		if it.BB != "" {
			o.hasBB = true
			if o.bb, err = readBB(what+"'s bounding box", it.BB); err != nil {
				return nil, err
			}
		}
		if it.Pos != "" {
			if o.box, err = readBox(what, it.Pos, it.Width, it.Height); err != nil {
				return nil, err
			}
		}
		if o.label, err = it.labelBox(what + "'s label"); err != nil {
			return nil, err
		}
	}
	l.edges = make([]gvEdge, len(g.Edges))
	for i, it := range g.Edges {
		e := &l.edges[i]
		*e = gvEdge{id: it.ID, tail: it.Tail, head: it.Head, label: it.Label, style: it.Style, xdraw: it.xdraw}
		if it.LP != "" {
			c, err := readFloats(fmt.Sprintf("edge %d's label position", i), it.LP, 2)
			if err != nil {
				return nil, err
			}
			e.labelAt = gvPoint{ok: true, x: c[0], y: c[1]}
		}
	}
	return l, nil
}

// labelBox reads a graph's or cluster's label box: lp, lwidth and lheight.
func (it *gvItem) labelBox(what string) (gvBox, error) {
	if it.LP == "" {
		return gvBox{}, nil
	}
	return readBox(what, it.LP, it.LWidth, it.LHeight)
}

// readBox reads a box from its centre "x,y" in points and its width and
// height in inches, as Graphviz writes them.
func readBox(what, centre, width, height string) (gvBox, error) {
	c, err := readFloats(what+"'s position", centre, 2)
	if err != nil {
		return gvBox{}, err
	}
	size, err := readFloats(what+"'s width and height", width+","+height, 2)
	if err != nil {
		return gvBox{}, err
	}
	return gvBox{ok: true, x: c[0], y: c[1], w: size[0] * 72, h: size[1] * 72}, nil
}

// readBB reads a bounding box "x0,y0,x1,y1".
func readBB(what, s string) ([4]float64, error) {
	v, err := readFloats(what, s, 4)
	if err != nil {
		return [4]float64{}, err
	}
	return [4]float64(v), nil
}

// readFloats reads n comma-separated numbers, such as a point "x,y".
func readFloats(what, s string, n int) ([]float64, error) {
	parts := strings.Split(s, ",")
	if len(parts) != n {
		return nil, fmt.Errorf("reading the Graphviz layout: %s %q: want %d numbers", what, s, n)
	}
	out := make([]float64, n)
	for i, p := range parts {
		v, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil {
			return nil, fmt.Errorf("reading the Graphviz layout: %s %q: want %d numbers", what, s, n)
		}
		out[i] = v
	}
	return out, nil
}

// size is the width and height of a layout, in points.
func (l *gvLayout) size() (w, h float64) { return l.bb[2] - l.bb[0], l.bb[3] - l.bb[1] }
