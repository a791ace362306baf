package render

import (
	"bufio"
	"fmt"
	"io"
	"net/netip"
	"strings"
)

// fontname is the font of every label: Graphviz measures text with
// Helvetica's metrics for it (not for a list of fonts, which it measures
// as Times), and its SVG asks for "Helvetica,sans-Serif".
const fontname = "Helvetica"

// dotOptions are the variants of the DOT text.
type dotOptions struct {
	links bool // edges link to their trace in the HTML report
}

// writeDOT writes the diagram as Graphviz DOT. The text depends only on the
// diagram, in a fixed order, so the same topology gives the same bytes.
func writeDOT(w io.Writer, d *diagram, o dotOptions) error {
	bw := bufio.NewWriter(w)
	p := func(format string, args ...any) { fmt.Fprintf(bw, format, args...) }

	p("// Drawn by nsgsim (SPEC 7): green Allow, red Deny, orange Partial or blocked recommended.\n")
	p("digraph nsgsim {\n")
	p("\tgraph [id=\"nsgsim\", rankdir=LR, compound=true, newrank=true, nodesep=0.25, ranksep=0.8, pad=0.3, bgcolor=white,\n")
	p("\t\tfontname=%q, fontsize=11, labelloc=t, labeljust=l, tooltip=%s,\n", fontname, dotString(d.title))
	p("\t\tlabel=<%s>];\n", titleHTML(d))
	p("\tnode [fontname=%q, fontsize=10, shape=box, style=\"rounded,filled\", fillcolor=white, color=\"#607d8b\", margin=\"0.12,0.05\"];\n", fontname)
	p("\tedge [fontname=%q, fontsize=9, arrowsize=0.7];\n", fontname)

	if len(d.left) > 0 {
		p("\n\t// Outside the VNets: where flows come from.\n")
		p("\t{\n\t\trank=min;\n")
		for _, n := range d.left {
			p("\t\t%s\n", nodeDOT(n))
		}
		p("\t}\n")
	}
	for _, vb := range d.vnets {
		if vb.collapsed != nil {
			p("\n\t%s\n", nodeDOT(vb.collapsed))
			continue
		}
		p("\n\tsubgraph cluster_%s {\n", vb.id)
		p("\t\tlabel=<%s>; tooltip=%s;\n", vnetHTML(vb), dotString("VNet "+vb.vnet.Name))
		p("\t\tstyle=\"rounded,filled\"; color=\"#1565c0\"; fillcolor=\"#e3f2fd\"; penwidth=1.5; margin=12;\n")
		for _, sb := range vb.subnets {
			p("\t\tsubgraph cluster_%s {\n", sb.id)
			p("\t\t\tlabel=<%s>; tooltip=%s;\n", subnetHTML(sb), dotString("subnet "+sb.vnet.vnet.Name+"/"+sb.subnet.Name))
			fill := "#ffffff"
			if sb.subnet.Name == "AzureBastionSubnet" {
				fill = "#f3e5f5"
			}
			p("\t\t\tstyle=\"rounded,filled\"; color=\"#78909c\"; fillcolor=%q; penwidth=1; margin=10;\n", fill)
			for _, n := range sb.nodes {
				p("\t\t\t%s\n", nodeDOT(n))
			}
			p("\t\t}\n")
		}
		for _, n := range vb.nodes {
			p("\t\t%s\n", nodeDOT(n))
		}
		p("\t}\n")
	}
	p("\n\t// Outside the VNets: where flows go, and the legend.\n")
	p("\t{\n\t\trank=max;\n")
	for _, n := range d.right {
		p("\t\t%s\n", nodeDOT(n))
	}
	p("\t\tlegend [shape=plain, fontsize=9, style=\"\", tooltip=\"legend\", label=<%s>];\n", legendHTML)
	p("\t}\n")
	if len(d.right) > 0 {
		// In a rank of a left-to-right graph, an edge between two nodes
		// puts the tail above the head: the legend goes below the egress.
		p("\t%s -> legend [style=invis];\n", d.right[len(d.right)-1].id)
	} else if n := lastInside(d); n != nil {
		// Nothing goes out: keep the legend right of the VNets.
		p("\t%s -> legend [style=invis];\n", n.id)
	}

	if len(d.edges) > 0 {
		p("\n\t// Flows.\n")
	}
	loops := map[*node]int{}
	for _, e := range d.edges {
		from, to := e.from.id, e.to.id
		if e.from == e.to {
			// Two self-loops on one side of a node cross each other's
			// labels (the Bastion data plane has two): put the first on
			// top and the second below.
			switch loops[e.from] {
			case 0:
				from, to = from+":n", to+":n"
			case 1:
				from, to = from+":s", to+":s"
			}
			loops[e.from]++
		}
		width, style := "1.5", "solid"
		switch e.tone {
		case toneDeny:
			width, style = "2.5", "bold"
		case tonePartial:
			width = "2"
		}
		if e.note != "" {
			width = "4"
		}
		p("\t%s -> %s [id=%s, class=%s, color=%q, fontcolor=%q, penwidth=%s, style=%s, label=%s, tooltip=%s",
			from, to, dotString(e.id), dotString(e.class), e.tone.color(), e.tone.color(), width, style,
			dotLabel(e.label), dotString(e.tooltip))
		if o.links {
			p(", href=%s", dotString("#"+e.anchor))
		}
		p("];\n")
	}
	if len(d.peerings) > 0 {
		p("\n\t// VNet peerings.\n")
	}
	for _, pe := range d.peerings {
		a, b := pe.a.anchorOf(), pe.b.anchorOf()
		if a == nil || b == nil {
			continue
		}
		p("\t%s -> %s [class=\"peering\", dir=none, style=dashed, color=%q, fontcolor=%q, penwidth=1.5, constraint=false, ltail=cluster_%s, lhead=cluster_%s, label=\"peering\", tooltip=%s];\n",
			a.id, b.id, colorPeering, colorPeering, pe.a.id, pe.b.id, dotString("peering "+pe.a.vnet.Name+" ↔ "+pe.b.vnet.Name))
	}
	p("}\n")
	return bw.Flush()
}

// nodeDOT is one node statement.
func nodeDOT(n *node) string {
	style := ""
	switch n.kind {
	case nodeSource, nodeEgress:
		style = `shape=box, style="rounded,filled", fillcolor="#fff8e1", color="#f9a825"`
	case nodeBastion:
		style = `style="filled", fillcolor="#ede7f6", color="#5e35b1", penwidth=1.5`
	case nodeVM:
		style = `fillcolor="#ffffff"`
	case nodeVMGroup:
		style = `style="rounded,filled", fillcolor="#eceff1", peripheries=2`
	case nodeVNet:
		style = `style="rounded,filled", fillcolor="#e3f2fd", color="#1565c0", penwidth=1.5`
	case nodeAddress:
		style = `style="rounded,filled,dashed", fillcolor="#ffffff"`
	case nodePlaceholder:
		return fmt.Sprintf("%s [shape=plaintext, style=\"\", fontcolor=\"#90a4ae\", label=%s, tooltip=\"empty\"];", n.id, dotString(n.name))
	}
	tip := n.tooltip
	if tip == "" {
		tip = n.name
	}
	return fmt.Sprintf("%s [%s, label=<%s>, tooltip=%s];", n.id, style, nodeHTML(n), dotString(tip))
}

// nodeHTML is a node's label as a Graphviz HTML-like label: the name in
// bold, the other lines smaller.
func nodeHTML(n *node) string {
	var sb strings.Builder
	sb.WriteString("<B>")
	sb.WriteString(htmlText(n.name))
	sb.WriteString("</B>")
	for _, l := range n.lines {
		sb.WriteString(`<BR/><FONT POINT-SIZE="9" COLOR="#455a64">`)
		sb.WriteString(htmlText(l))
		sb.WriteString("</FONT>")
	}
	return sb.String()
}

func titleHTML(d *diagram) string {
	s := `<FONT POINT-SIZE="18"><B>` + htmlText(d.title) + `</B></FONT><BR ALIGN="LEFT"/>` +
		`<FONT POINT-SIZE="11" COLOR="#455a64">` + htmlText(d.summary) + `</FONT><BR ALIGN="LEFT"/>`
	if d.note != "" {
		s += `<FONT POINT-SIZE="10" COLOR="#455a64">` + htmlText(d.note) + `</FONT><BR ALIGN="LEFT"/>`
	}
	return s
}

func vnetHTML(vb *vnetBox) string {
	v := vb.vnet
	s := `<B>` + htmlText(v.Name) + `</B><BR ALIGN="LEFT"/>` + htmlText(prefixList(v.AddressSpace)) + `<BR ALIGN="LEFT"/>`
	if len(v.OnPremisesPrefixes) > 0 {
		s += `<FONT POINT-SIZE="9">on-premises ` + htmlText(prefixList(v.OnPremisesPrefixes)) + `</FONT><BR ALIGN="LEFT"/>`
	}
	return s
}

// subnetHTML labels a subnet with its name, prefix and NSG. Names and
// values are on lines of their own: SVG viewers drop the spaces between
// two runs of text on one line.
func subnetHTML(sb *subnetBox) string {
	s := sb.subnet
	nsg := "no NSG"
	if s.NetworkSecurityGroup != "" {
		nsg = "NSG " + s.NetworkSecurityGroup
	}
	out := `<B>` + htmlText(s.Name) + `</B><BR ALIGN="LEFT"/>` +
		`<FONT POINT-SIZE="9" COLOR="#37474f">` + htmlText(prefixString(s.AddressPrefix)) + ` · ` + htmlText(nsg) + `</FONT><BR ALIGN="LEFT"/>`
	if s.RouteTable != "" {
		out += `<FONT POINT-SIZE="9" COLOR="#37474f">route table ` + htmlText(s.RouteTable) + `</FONT><BR ALIGN="LEFT"/>`
	}
	return out
}

// legendHTML is the legend: one row per kind of edge.
const legendHTML = `<TABLE BORDER="1" COLOR="#b0bec5" CELLBORDER="0" CELLSPACING="3" CELLPADDING="2" BGCOLOR="#ffffff">` +
	`<TR><TD COLSPAN="2" ALIGN="LEFT"><B>Legend</B></TD></TR>` +
	`<TR><TD WIDTH="36" HEIGHT="3" FIXEDSIZE="TRUE" BGCOLOR="` + colorAllow + `"></TD><TD ALIGN="LEFT">Allow</TD></TR>` +
	`<TR><TD WIDTH="36" HEIGHT="5" FIXEDSIZE="TRUE" BGCOLOR="` + colorDeny + `"></TD><TD ALIGN="LEFT">Deny: NSG / rule / priority that blocks</TD></TR>` +
	`<TR><TD WIDTH="36" HEIGHT="4" FIXEDSIZE="TRUE" BGCOLOR="` + colorPartial + `"></TD><TD ALIGN="LEFT">Partial, or recommended and blocked</TD></TR>` +
	`<TR><TD WIDTH="36" HEIGHT="12" FIXEDSIZE="TRUE"><FONT COLOR="` + colorPeering + `">- - - -</FONT></TD><TD ALIGN="LEFT">VNet peering</TD></TR>` +
	`<TR><TD COLSPAN="2" ALIGN="LEFT"><FONT POINT-SIZE="9" COLOR="#455a64">Labels: protocol/port</FONT></TD></TR>` +
	`</TABLE>`

// dotString quotes s as a DOT string. Backslashes and quotes are escaped;
// "&", "<" and ">" are written as entities, which Graphviz reads back in
// labels and keeps in SVG attributes; newlines become DOT line breaks and
// other control characters are dropped.
func dotString(s string) string {
	var sb strings.Builder
	sb.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '\\':
			sb.WriteString(`\\`)
		case r == '"':
			sb.WriteString(`\"`)
		case r == '&':
			sb.WriteString("&amp;")
		case r == '<':
			sb.WriteString("&lt;")
		case r == '>':
			sb.WriteString("&gt;")
		case r == '\n':
			sb.WriteString(`\n`)
		case r < 0x20 || r == 0x7f || r == '\uFFFD':
			// dropped: not printable, and not valid in SVG
		default:
			sb.WriteRune(r)
		}
	}
	sb.WriteByte('"')
	return sb.String()
}

// dotLabel joins lines into one DOT string with line breaks.
func dotLabel(lines []string) string {
	return dotString(strings.Join(lines, "\n"))
}

// htmlText escapes s for a Graphviz HTML-like label; a newline becomes a
// line break.
func htmlText(s string) string {
	var sb strings.Builder
	for _, r := range s {
		switch {
		case r == '&':
			sb.WriteString("&amp;")
		case r == '<':
			sb.WriteString("&lt;")
		case r == '>':
			sb.WriteString("&gt;")
		case r == '"':
			sb.WriteString("&quot;")
		case r == '\'':
			sb.WriteString("&#39;")
		case r == '\n':
			sb.WriteString(`<BR ALIGN="LEFT"/>`)
		case r < 0x20 || r == 0x7f || r == '\uFFFD':
		default:
			sb.WriteRune(r)
		}
	}
	return sb.String()
}

func prefixString(p netip.Prefix) string {
	if !p.IsValid() {
		return ""
	}
	return p.String()
}

func prefixList(ps []netip.Prefix) string {
	parts := make([]string, len(ps))
	for i, p := range ps {
		parts[i] = prefixString(p)
	}
	return strings.Join(parts, ", ")
}

// lastInside returns the last node drawn inside a VNet, or nil.
func lastInside(d *diagram) *node {
	var last *node
	for _, vb := range d.vnets {
		if vb.collapsed != nil {
			last = vb.collapsed
			continue
		}
		for _, sb := range vb.subnets {
			if len(sb.nodes) > 0 {
				last = sb.nodes[len(sb.nodes)-1]
			}
		}
		if len(vb.nodes) > 0 {
			last = vb.nodes[len(vb.nodes)-1]
		}
	}
	return last
}
