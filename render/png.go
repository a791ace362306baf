package render

import (
	"fmt"
	"image/color"
	"io"
	"math"
	"strconv"
	"strings"
	"sync"

	"github.com/fogleman/gg"
	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
)

// PNG images are painted here rather than by Graphviz: go-graphviz's own PNG
// renderer draws garbled text (goccy/go-graphviz#106). Graphviz lays the
// diagram out and writes every object's xdot drawing operations in its
// "json" format; paintPNG replays them with gg, in the Go fonts, so no system
// font is needed and the picture is the same on every machine.

// pngScale is how many pixels a point of the layout takes: 2× density,
// for text as crisp as the SVG's on a high-density screen. pngMaxSide caps
// the long side of the image for very large topologies (a collapsed
// 2,000-VM estate stays under it at a smaller scale).
const (
	pngScale   = 2.0
	pngMaxSide = 4800
	pngPad     = 16.0 // points of white around the layout, which Graphviz's bb leaves out
)

// paintPNG paints a Graphviz layout as a PNG image.
func paintPNG(w io.Writer, g *gvLayout) error {
	bb := g.bb
	lw, lh := g.size()
	width, height := lw+2*pngPad, lh+2*pngPad
	scale := pngScale
	if long := max(width, height) * scale; long > pngMaxSide {
		scale *= pngMaxSide / long
	}
	pw, ph := int(math.Ceil(width*scale)), int(math.Ceil(height*scale))
	p := &painter{
		dc:    gg.NewContext(max(pw, 1), max(ph, 1)),
		scale: scale,
		x0:    bb[0] - pngPad,
		top:   bb[3] + pngPad,
	}
	p.dc.SetColor(color.White)
	p.dc.Clear()

	// Clusters first (parents before children, as Graphviz lists them),
	// then edges, then nodes on top, then edge labels on top of all.
	p.paint(g.Draw)
	p.paint(g.LDraw)
	// objects paints the clusters, or the nodes.
	objects := func(clusters bool) {
		for _, o := range g.objects {
			if o.subgraph == clusters {
				p.paint(o.Draw)
				p.paint(o.LDraw)
			}
		}
	}
	objects(true)
	for _, e := range g.edges {
		p.paint(e.Draw)
		p.paint(e.HDraw)
		p.paint(e.TDraw)
	}
	objects(false)
	for _, e := range g.edges {
		p.paint(e.LDraw)
		p.paint(e.HLDraw)
		p.paint(e.TLDraw)
	}
	return p.dc.EncodePNG(w)
}

// painter replays xdot operations. Graphviz's y axis grows upwards; the
// image's grows downwards.
type painter struct {
	dc      *gg.Context
	scale   float64
	x0, top float64

	pen, fill color.Color
	fillSet   bool // the list set a fill colour
	lineW     float64
	dash      []float64
	invisible bool
	fontSize  float64
	bold      bool
	fontchar  int
}

func (p *painter) xy(pt [2]float64) (float64, float64) {
	return (pt[0] - p.x0) * p.scale, (p.top - pt[1]) * p.scale
}

// paint replays one list of operations; each list sets its own state.
func (p *painter) paint(ops []xop) {
	p.pen, p.fill, p.fillSet = color.Black, color.Black, false
	p.lineW, p.dash, p.invisible = 1, nil, false
	p.fontSize, p.bold, p.fontchar = 14, false, 0
	for i := range ops {
		op := &ops[i]
		switch op.Op {
		case "c":
			p.pen = opColor(op)
		case "C":
			p.fill, p.fillSet = opColor(op), true
		case "S":
			p.setStyle(op.Style)
		case "F":
			p.fontSize = op.Size
			p.bold = strings.Contains(strings.ToLower(op.Face), "bold")
		case "t":
			p.fontchar = op.Fontchar
		case "T":
			p.text(op)
		case "P", "p", "L":
			if p.invisible || len(op.Points) == 0 {
				continue
			}
			p.path(op.Points, op.Op != "L", false)
			p.finish(op.Op == "P")
		case "B", "b":
			if p.invisible || len(op.Points) == 0 {
				continue
			}
			// Graphviz 12's json output marks B-splines filled or not
			// unreliably (edges "b", filled rounded clusters "B"): fill
			// when the list set a fill colour.
			filled := p.fillSet
			p.path(op.Points, filled, true)
			p.finish(filled)
		case "E", "e":
			if p.invisible {
				continue
			}
			x, y := p.xy([2]float64{op.Rect[0], op.Rect[1]})
			p.dc.DrawEllipse(x, y, op.Rect[2]*p.scale, op.Rect[3]*p.scale)
			p.finish(op.Op == "E")
		}
	}
}

func (p *painter) setStyle(s string) {
	switch {
	case s == "solid":
		p.dash = nil
	case s == "dashed":
		p.dash = []float64{5 * p.scale, 3 * p.scale}
	case s == "dotted":
		p.dash = []float64{1 * p.scale, 3 * p.scale}
	case s == "bold":
		p.lineW = 2
	case s == "invis" || s == "invisible":
		p.invisible = true
	case strings.HasPrefix(s, "setlinewidth("):
		if v, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimPrefix(s, "setlinewidth("), ")"), 64); err == nil {
			p.lineW = v
		}
	}
}

// path lays out a polygon, polyline or B-spline (1+3n points) in the image.
func (p *painter) path(pts [][2]float64, closed, bezier bool) {
	dc := p.dc
	dc.ClearPath()
	x, y := p.xy(pts[0])
	dc.MoveTo(x, y)
	if bezier {
		for i := 1; i+2 < len(pts); i += 3 {
			x1, y1 := p.xy(pts[i])
			x2, y2 := p.xy(pts[i+1])
			x3, y3 := p.xy(pts[i+2])
			dc.CubicTo(x1, y1, x2, y2, x3, y3)
		}
	} else {
		for _, pt := range pts[1:] {
			x, y := p.xy(pt)
			dc.LineTo(x, y)
		}
	}
	if closed {
		dc.ClosePath()
	}
}

// finish fills the current path when filled, then strokes it with the pen.
func (p *painter) finish(filled bool) {
	dc := p.dc
	if filled && p.fillSet {
		dc.SetColor(p.fill)
		dc.FillPreserve()
	}
	if isTransparent(p.pen) {
		dc.ClearPath()
		return
	}
	dc.SetColor(p.pen)
	dc.SetLineWidth(p.lineW * p.scale)
	if p.dash != nil {
		dc.SetDash(p.dash...)
	} else {
		dc.SetDash()
	}
	dc.SetLineJoinRound()
	dc.Stroke()
}

// text draws one line of text. Graphviz measured it with Helvetica's
// metrics; the Go fonts are a little wider, so a line that would overflow
// the width Graphviz gave it is set smaller.
func (p *painter) text(op *xop) {
	if p.invisible || op.Text == "" {
		return
	}
	bold := p.bold || p.fontchar&1 != 0
	size := p.fontSize * p.scale
	face := fontFace(bold, size)
	p.dc.SetFontFace(face)
	w := p.measure(op.Text, size)
	if limit := op.Width * p.scale; w > limit*1.01 && w > 0 {
		size *= limit / w
		p.dc.SetFontFace(fontFace(bold, size))
		w = p.measure(op.Text, size)
	}
	x, y := p.xy(op.Pt)
	switch op.Align {
	case "c":
		x -= w / 2
	case "r":
		x -= w
	}
	p.dc.SetColor(p.pen)
	p.drawString(op.Text, x, y, size, bold)
}

// The Go fonts draw "-" as wide as an en dash, so names such as
// "nsg-bastion" would read "nsg–bastion": a hyphen is drawn here as a
// short bar instead, a third of an em wide as in Helvetica.
const (
	hyphenWidth = 0.333 // of the font size
	hyphenRise  = 0.30  // height of the bar's middle above the baseline
	hyphenThick = 0.075
)

// measure is the width of s in the current face, hyphens drawn short.
func (p *painter) measure(s string, size float64) float64 {
	w := 0.0
	for i, part := range strings.Split(s, "-") {
		if i > 0 {
			w += hyphenWidth * size
		}
		pw, _ := p.dc.MeasureString(part)
		w += pw
	}
	return w
}

// drawString draws s with its baseline at y, hyphens as short bars.
func (p *painter) drawString(s string, x, y, size float64, bold bool) {
	thick := hyphenThick * size
	if bold {
		thick *= 1.5
	}
	for i, part := range strings.Split(s, "-") {
		if i > 0 {
			bar := hyphenWidth * size
			p.dc.DrawRectangle(x+bar*0.12, y-hyphenRise*size-thick/2, bar*0.76, thick)
			p.dc.Fill()
			x += bar
		}
		p.dc.DrawString(part, x, y)
		pw, _ := p.dc.MeasureString(part)
		x += pw
	}
}

var fonts struct {
	once          sync.Once
	regular, bold *opentype.Font
	mu            sync.Mutex
	faces         map[fontKey]font.Face
}

type fontKey struct {
	bold bool
	size float64
}

// fontFace returns a Go font face of a size in pixels, cached.
func fontFace(bold bool, size float64) font.Face {
	fonts.once.Do(func() {
		// The Go fonts are embedded in the binary; parsing them cannot fail.
		fonts.regular, _ = opentype.Parse(goregular.TTF)
		fonts.bold, _ = opentype.Parse(gobold.TTF)
		fonts.faces = map[fontKey]font.Face{}
	})
	size = max(math.Round(size*4)/4, 1)
	k := fontKey{bold, size}
	fonts.mu.Lock()
	defer fonts.mu.Unlock()
	if f, ok := fonts.faces[k]; ok {
		return f
	}
	ft := fonts.regular
	if bold {
		ft = fonts.bold
	}
	f, err := opentype.NewFace(ft, &opentype.FaceOptions{Size: size, DPI: 72, Hinting: font.HintingNone})
	if err != nil {
		// Only invalid options fail, and these are valid.
		panic(fmt.Sprintf("render: Go font at %v px: %v", size, err))
	}
	fonts.faces[k] = f
	return f
}

// opColor reads the colour of a "c" or "C" operation; a gradient gives its
// first stop.
func opColor(op *xop) color.Color {
	s := op.Color
	if s == "" && len(op.Stops) > 0 {
		s = op.Stops[0].Color
	}
	return parseColor(s)
}

// parseColor reads "#rrggbb" and "#rrggbbaa"; Graphviz writes every colour
// so in its json output. Anything else is black.
func parseColor(s string) color.Color {
	s = strings.TrimPrefix(s, "#")
	if len(s) != 6 && len(s) != 8 {
		switch strings.ToLower(s) {
		case "white":
			return color.White
		case "transparent", "none", "invis":
			return color.Transparent
		}
		return color.Black
	}
	v, err := strconv.ParseUint(s, 16, 32)
	if err != nil {
		return color.Black
	}
	if len(s) == 6 {
		return color.NRGBA{uint8(v >> 16), uint8(v >> 8), uint8(v), 0xff}
	}
	return color.NRGBA{uint8(v >> 24), uint8(v >> 16), uint8(v >> 8), uint8(v)}
}

func isTransparent(c color.Color) bool {
	_, _, _, a := c.RGBA()
	return a == 0
}
