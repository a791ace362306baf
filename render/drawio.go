package render

import (
	"bufio"
	"bytes"
	"fmt"
	"html"
	"io"
	"math"
	"strconv"
	"strings"
)

// draw.io (diagrams.net) output, from the same Graphviz layout as the
// other pictures: VNets and subnets are containers holding their nodes,
// Bastion hosts, VMs and NSGs carry Azure icons by reference to draw.io's
// own azure2 library (img/lib/azure2/..., shown inside diagrams.net; no
// icon file is copied here), and each edge keeps Graphviz's route as
// waypoints, its colour and its label. The .drawio.svg variant is
// Graphviz's SVG picture carrying the same diagram in the root element's
// "content" attribute, as diagrams.net writes it: GitHub shows the
// picture, diagrams.net and the VS Code draw.io extension open the
// diagram for editing.

// Icons of draw.io's azure2 library.
const (
	iconBastion = "img/lib/azure2/networking/Bastions.svg"
	iconVM      = "img/lib/azure2/compute/Virtual_Machine.svg"
	iconNSG     = "img/lib/azure2/networking/Network_Security_Groups.svg"
	iconVNet    = "img/lib/azure2/networking/Virtual_Networks.svg"
)

// drawioPad is the margin around the drawing, in draw.io units (points).
const drawioPad = 20.0

// rect is a rectangle in draw.io's coordinates: y grows downwards.
type rect struct{ x, y, w, h float64 }

func (r rect) contains(o rect) bool {
	const tol = 0.5
	return o.x >= r.x-tol && o.y >= r.y-tol && o.x+o.w <= r.x+r.w+tol && o.y+o.h <= r.y+r.h+tol
}

// writeDrawio writes the diagram as draw.io XML, or, given pic, Graphviz's
// SVG picture of the same layout, as that picture carrying it. g is the
// Graphviz layout of the diagram's DOT text.
func writeDrawio(w io.Writer, d *diagram, g *gvLayout, pic []byte) error {
	xml, err := drawioXML(d, g)
	if err != nil {
		return err
	}
	if pic == nil {
		_, err := w.Write(xml)
		return err
	}
	// The content attribute goes on the root <svg> element.
	i := bytes.Index(pic, []byte("<svg"))
	if i < 0 {
		return fmt.Errorf("graphviz: no <svg> element in the SVG output")
	}
	i += len("<svg")
	var out bytes.Buffer
	out.Write(pic[:i])
	out.WriteString(` content="`)
	out.WriteString(html.EscapeString(string(xml)))
	out.WriteString(`"`)
	out.Write(pic[i:])
	_, err = w.Write(out.Bytes())
	return err
}

// drawioXML builds the mxGraph XML of a laid-out diagram.
func drawioXML(d *diagram, g *gvLayout) ([]byte, error) {
	bb := g.bb
	// Graphviz's y axis grows upwards, draw.io's downwards.
	tx := func(x, y float64) (float64, float64) { return x - bb[0] + drawioPad, bb[3] - y + drawioPad }
	box := func(b [4]float64) rect {
		x, y := tx(b[0], b[3])
		return rect{x, y, b[2] - b[0], b[3] - b[1]}
	}
	centred := func(b gvBox) rect {
		x, y := tx(b.x, b.y)
		return rect{x - b.w/2, y - b.h/2, b.w, b.h}
	}

	nodes := map[string]*node{}
	for _, n := range d.left {
		nodes[n.id] = n
	}
	for _, n := range d.right {
		nodes[n.id] = n
	}
	type container struct {
		id     string
		abs    rect
		vnet   *vnetBox
		subnet *subnetBox
	}
	boxes := map[string]*container{} // by cluster name
	parentOf := map[string]string{}  // node id → cluster name holding it
	for _, vb := range d.vnets {
		if vb.collapsed != nil {
			nodes[vb.collapsed.id] = vb.collapsed
			continue
		}
		boxes["cluster_"+vb.id] = &container{id: "c_" + vb.id, vnet: vb}
		for _, n := range vb.nodes {
			nodes[n.id] = n
			parentOf[n.id] = "cluster_" + vb.id
		}
		for _, sb := range vb.subnets {
			boxes["cluster_"+sb.id] = &container{id: "c_" + sb.id, subnet: sb, vnet: vb}
			for _, n := range sb.nodes {
				nodes[n.id] = n
				parentOf[n.id] = "cluster_" + sb.id
			}
		}
	}
	placed := map[string]rect{} // node id → absolute box
	gvName := map[int]string{}  // _gvid → node id
	for _, o := range g.objects {
		if c := boxes[o.name]; c != nil && o.hasBB {
			c.abs = box(o.bb)
			continue
		}
		if nodes[o.name] != nil && o.box.ok {
			placed[o.name] = centred(o.box)
			gvName[o.gvid] = o.name
		}
	}

	var buf bytes.Buffer
	bw := bufio.NewWriter(&buf)
	p := func(format string, args ...any) { fmt.Fprintf(bw, format, args...) }
	lw, lh := g.size()
	width, height := lw+2*drawioPad, lh+2*drawioPad
	p(`<mxfile host="nsgsim" type="device">` + "\n")
	p(`<diagram id="nsgsim" name=%s>`+"\n", xmlAttr(d.title))
	p(`<mxGraphModel dx="%d" dy="%d" grid="1" gridSize="10" guides="1" tooltips="1" connect="1" arrows="1" fold="1" page="1" pageScale="1" pageWidth="%d" pageHeight="%d" math="0" shadow="0">`+"\n",
		int(width), int(height), int(math.Ceil(width)), int(math.Ceil(height)))
	p("<root>\n<mxCell id=\"0\"/>\n<mxCell id=\"1\" parent=\"0\"/>\n")

	cell := func(id, parent, value, style string, r rect, tooltip string) {
		if !strings.Contains(style, "fontColor=") {
			style += "fontColor=#212121;" // mxGraph's default is brown
		}
		tip := ""
		if tooltip != "" {
			tip = " tooltip=" + xmlAttr(tooltip)
		}
		p(`<UserObject id=%s label=%s%s><mxCell parent=%s style=%s vertex="1"><mxGeometry x="%s" y="%s" width="%s" height="%s" as="geometry"/></mxCell></UserObject>`+"\n",
			xmlAttr(id), xmlAttr(value), tip, xmlAttr(parent), xmlAttr(style), coord(r.x), coord(r.y), coord(r.w), coord(r.h))
	}
	// The title, summary and legend, top left, outside the drawing.
	title := rect{drawioPad, drawioPad, width - 2*drawioPad, 60}
	if g.label.ok {
		title = centred(g.label)
	}
	cell("title", "1", titleDrawio(d), "text;html=1;align=left;verticalAlign=top;whiteSpace=wrap;spacing=0;overflow=visible;fillColor=none;strokeColor=none;fontColor=#212121;", title, "")

	// Containers, parents first: a VNet before its subnets.
	abs := map[string]rect{"1": {0, 0, width, height}}
	for _, vb := range d.vnets {
		if vb.collapsed != nil {
			continue
		}
		c := boxes["cluster_"+vb.id]
		style := "rounded=1;arcSize=3;whiteSpace=wrap;html=1;container=1;collapsible=0;fillColor=#e3f2fd;strokeColor=#1565c0;strokeWidth=1.5;verticalAlign=top;align=left;spacingLeft=30;spacingTop=2;shape=label;image=" + iconVNet + ";imageWidth=22;imageHeight=14;imageAlign=left;imageVerticalAlign=top;"
		cell(c.id, "1", vnetDrawio(vb), style, c.abs, "VNet "+vb.vnet.Name)
		abs[c.id] = c.abs
		for _, sb := range vb.subnets {
			sc := boxes["cluster_"+sb.id]
			fill, stroke := "#ffffff", "#78909c"
			if sb.subnet.Name == "AzureBastionSubnet" {
				fill = "#f3e5f5"
			}
			if d.refused[sb.subnet] {
				stroke = colorDeny
			}
			style := "rounded=1;arcSize=4;whiteSpace=wrap;html=1;container=1;collapsible=0;fillColor=" + fill + ";strokeColor=" + stroke + ";verticalAlign=top;align=left;spacingLeft=6;spacingTop=2;"
			if sb.subnet.NetworkSecurityGroup != "" {
				style += "shape=label;image=" + iconNSG + ";imageWidth=16;imageHeight=16;imageAlign=right;imageVerticalAlign=top;"
			}
			r := sc.abs
			cell(sc.id, c.id, subnetDrawio(sb, d.refused[sb.subnet]), style, rect{r.x - c.abs.x, r.y - c.abs.y, r.w, r.h}, "subnet "+vb.vnet.Name+"/"+sb.subnet.Name)
			abs[sc.id] = r
		}
	}
	// Nodes, inside their container, in coordinates relative to it.
	ids := make([]string, 0, len(placed))
	order := func(ns []*node) {
		for _, n := range ns {
			if _, ok := placed[n.id]; ok {
				ids = append(ids, n.id)
			}
		}
	}
	order(d.left)
	for _, vb := range d.vnets {
		if vb.collapsed != nil {
			order([]*node{vb.collapsed})
			continue
		}
		for _, sb := range vb.subnets {
			order(sb.nodes)
		}
		order(vb.nodes)
	}
	order(d.right)
	for _, id := range ids {
		n := nodes[id]
		parent := "1"
		if c := boxes[parentOf[id]]; c != nil {
			parent = c.id
		}
		r := placed[id]
		pr := abs[parent]
		r.x, r.y = r.x-pr.x, r.y-pr.y
		cell(id, parent, nodeDrawio(n), nodeStyle(n), r, n.tooltip)
	}
	// Edges, with Graphviz's route as waypoints (absolute: their parent
	// is the top layer) and the label where Graphviz put it.
	byID := map[string]*edge{}
	for _, e := range d.edges {
		byID[e.id] = e
	}
	for i, ge := range g.edges {
		if strings.Contains(ge.style, "invis") {
			continue
		}
		src, dst := gvName[ge.tail], gvName[ge.head]
		if src == "" || dst == "" {
			continue
		}
		e := byID[ge.id]
		style := "html=1;curved=1;rounded=1;endArrow=block;endSize=6;fontSize=9;labelBackgroundColor=#ffffff;"
		value, tip := "", ""
		if e != nil {
			width := 1.5
			switch e.tone {
			case toneDeny:
				width = 2.5
			case tonePartial:
				width = 2
			}
			if e.note != "" {
				width = 4
			}
			if e.tone == toneIntended {
				style += "dashed=1;"
			}
			style += fmt.Sprintf("strokeColor=%s;fontColor=%s;strokeWidth=%g;", e.tone.color(), e.tone.color(), width)
			if ge.labelAt.ok {
				value = htmlLines(e.label)
			}
			tip = e.tooltip
		} else {
			// A peering.
			style += "endArrow=none;dashed=1;strokeColor=" + colorPeering + ";strokeWidth=1.5;"
			tip = "VNet peering"
		}
		pts := routePoints(ge.Draw, tx)
		id := "e" + strconv.Itoa(i)
		tipAttr := ""
		if tip != "" {
			tipAttr = " tooltip=" + xmlAttr(tip)
		}
		p(`<UserObject id=%s label=%s%s><mxCell parent="1" source=%s target=%s style=%s edge="1"><mxGeometry relative="1" as="geometry">`,
			xmlAttr(id), xmlAttr(value), tipAttr, xmlAttr(src), xmlAttr(dst), xmlAttr(style))
		if len(pts) > 2 {
			p(`<Array as="points">`)
			for _, pt := range pts[1 : len(pts)-1] {
				p(`<mxPoint x="%s" y="%s"/>`, coord(pt[0]), coord(pt[1]))
			}
			p(`</Array>`)
		}
		if ge.labelAt.ok && len(pts) >= 2 {
			lx, ly := tx(ge.labelAt.x, ge.labelAt.y)
			mx, my := midpoint(pts)
			p(`<mxPoint x="%s" y="%s" as="offset"/>`, coord(lx-mx), coord(ly-my))
		}
		p("</mxGeometry></mxCell></UserObject>\n")
	}
	p("</root>\n</mxGraphModel>\n</diagram>\n</mxfile>\n")
	if err := bw.Flush(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// routePoints are the points an edge passes, in draw.io's coordinates:
// the ends and on-curve points of its B-spline, every third control point.
func routePoints(ops []xop, tx func(x, y float64) (float64, float64)) [][2]float64 {
	for _, op := range ops {
		if op.Op != "b" && op.Op != "B" || len(op.Points) < 4 {
			continue
		}
		var out [][2]float64
		for i := 0; i < len(op.Points); i += 3 {
			x, y := tx(op.Points[i][0], op.Points[i][1])
			out = append(out, [2]float64{x, y})
		}
		return out
	}
	return nil
}

// midpoint is the point halfway along a polyline, where draw.io sets an
// edge's label before its offset.
func midpoint(pts [][2]float64) (float64, float64) {
	total := 0.0
	for i := 1; i < len(pts); i++ {
		total += math.Hypot(pts[i][0]-pts[i-1][0], pts[i][1]-pts[i-1][1])
	}
	half := total / 2
	for i := 1; i < len(pts); i++ {
		seg := math.Hypot(pts[i][0]-pts[i-1][0], pts[i][1]-pts[i-1][1])
		if half <= seg && seg > 0 {
			f := half / seg
			return pts[i-1][0] + f*(pts[i][0]-pts[i-1][0]), pts[i-1][1] + f*(pts[i][1]-pts[i-1][1])
		}
		half -= seg
	}
	return pts[0][0], pts[0][1]
}

// nodeStyle is a node's draw.io style: a rounded box, with the Azure icon
// of a Bastion host or VM inside it on the left.
func nodeStyle(n *node) string {
	base := "rounded=1;whiteSpace=wrap;html=1;fontSize=10;"
	switch n.kind {
	case nodeSource, nodeEgress:
		return base + "fillColor=#fff8e1;strokeColor=#f9a825;"
	case nodeBastion:
		return "shape=label;image=" + iconBastion + ";imageWidth=20;imageHeight=24;imageAlign=left;spacingLeft=22;whiteSpace=wrap;html=1;fontSize=10;fillColor=#ede7f6;strokeColor=#5e35b1;strokeWidth=1.5;"
	case nodeVM:
		return "shape=label;image=" + iconVM + ";imageWidth=20;imageHeight=19;imageAlign=left;spacingLeft=22;rounded=1;whiteSpace=wrap;html=1;fontSize=10;fillColor=#ffffff;strokeColor=#607d8b;"
	case nodeVMGroup:
		return "shape=label;image=" + iconVM + ";imageWidth=16;imageHeight=15;imageAlign=left;imageVerticalAlign=top;spacingLeft=18;rounded=1;arcSize=6;whiteSpace=wrap;html=1;fontSize=9;fillColor=#eceff1;strokeColor=#607d8b;"
	case nodeVNet:
		return "shape=label;image=" + iconVNet + ";imageWidth=22;imageHeight=14;imageAlign=left;spacingLeft=24;rounded=1;whiteSpace=wrap;html=1;fontSize=10;fillColor=#e3f2fd;strokeColor=#1565c0;strokeWidth=1.5;"
	case nodeAddress:
		return base + "dashed=1;fillColor=#ffffff;strokeColor=#607d8b;"
	case nodeInstances:
		return "whiteSpace=wrap;html=1;fontSize=10;dashed=1;fillColor=#ede7f6;strokeColor=#5e35b1;"
	case nodePlaceholder:
		return "text;html=1;fontSize=10;fontColor=#90a4ae;align=center;"
	}
	return base
}

// nodeDrawio is a node's label as draw.io HTML: the name in bold, the
// other lines below it; a subnet's VMs one per line, in the colour of
// their worst flow.
func nodeDrawio(n *node) string {
	if n.kind == nodePlaceholder {
		return html.EscapeString(n.name)
	}
	var sb strings.Builder
	sb.WriteString("<b>" + html.EscapeString(n.name) + "</b>")
	for _, l := range n.lines {
		sb.WriteString(`<br><span style="color:#455a64">` + html.EscapeString(l) + "</span>")
	}
	if n.listsVMs() {
		for _, vm := range n.vms {
			color := "#455a64"
			if vm.flows > 0 {
				color = vm.tone.color()
			}
			sb.WriteString(`<br><span style="color:` + color + `">` + html.EscapeString(vm.name) + "</span>")
		}
	}
	return sb.String()
}

func vnetDrawio(vb *vnetBox) string {
	s := "<b>" + html.EscapeString(vb.vnet.Name) + "</b> " + html.EscapeString(prefixList(vb.vnet.AddressSpace))
	if len(vb.vnet.OnPremisesPrefixes) > 0 {
		s += "<br>on-premises " + html.EscapeString(prefixList(vb.vnet.OnPremisesPrefixes))
	}
	return s
}

func subnetDrawio(sb *subnetBox, refused bool) string {
	s := sb.subnet
	nsg := subnetNSG(s)
	out := "<b>" + html.EscapeString(s.Name) + "</b><br>" + html.EscapeString(prefixString(s.AddressPrefix)+" · "+nsg)
	if refused {
		out += `<br><b style="color:` + colorDeny + `">NSG001</b>: Azure refuses to attach this NSG`
	}
	return out
}

// titleDrawio is the title, summary, note and legend as draw.io HTML.
func titleDrawio(d *diagram) string {
	s := `<b style="font-size:18px">` + html.EscapeString(d.title) + `</b><br><span style="color:#455a64">` + html.EscapeString(d.summary) + "</span>"
	if d.note != "" {
		s += `<br><span style="color:#455a64">` + html.EscapeString(d.note) + "</span>"
	}
	bar := func(color string) string { return `<span style="color:` + color + `">━━</span> ` }
	s += "<br><b>Legend</b> " + bar(colorAllow) + "Allow &nbsp; " + bar(colorDeny) + "Deny: NSG/rule/priority; (default): a default rule &nbsp; " +
		bar(colorPartial) + "Partial, a mix of verdicts, or a blocked recommended flow"
	if len(d.peerings) > 0 {
		s += ` &nbsp; <span style="color:` + colorPeering + `">- - -</span> VNet peering`
	}
	if d.intended {
		s += ` &nbsp; <span style="color:` + colorIntended + `">- - -</span> Blocked as intended (expectation intended: true)`
	}
	if d.changed {
		s += " &nbsp; ▲ changed by the diff: the verdict before it"
	}
	return s
}

// htmlLines joins lines as draw.io HTML.
func htmlLines(lines []string) string {
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = html.EscapeString(l)
	}
	return strings.Join(out, "<br>")
}

// xmlAttr quotes s as an XML attribute value (xmlAttrEscaper).
func xmlAttr(s string) string { return xmlAttrEscaper.quoted(s) }

// coord writes a coordinate with at most two decimals.
func coord(v float64) string { return strconv.FormatFloat(math.Round(v*100)/100, 'f', -1, 64) }
