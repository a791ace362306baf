package render

import (
	"bufio"
	"fmt"
	"io"
	"net/netip"
	"strings"

	"github.com/nsgsim/nsgsim/topology"
)

// fontname is the font of every label: Graphviz measures text with
// Helvetica's metrics for it (not for a list of fonts, which it measures
// as Times), and its SVG asks for "Helvetica,sans-Serif".
const fontname = "Helvetica"

// dotOptions are the variants of the DOT text.
type dotOptions struct {
	links bool // edges link to their trace in the HTML report
	cols  int  // columns of the grid of spokes; 0 or less: one
}

// writeDOT writes the diagram as Graphviz DOT, laid out as an Azure
// architecture diagram: the title, summary and legend on top; where flows
// come from in the first column; the hubs (the VNets of the Bastion hosts)
// next; the spokes in a grid of o.cols columns, ordered by name and
// address, row by row; where flows go in the last column. The text depends
// only on the diagram, in a fixed order, so the same topology gives the
// same bytes.
func writeDOT(w io.Writer, d *diagram, o dotOptions) error {
	bw := bufio.NewWriter(w)
	p := func(format string, args ...any) { fmt.Fprintf(bw, format, args...) }

	p("// Drawn by nsgsim (SPEC 7): green Allow, red Deny, orange Partial, mixed, or blocked recommended.\n")
	p("digraph nsgsim {\n")
	p("\tgraph [id=\"nsgsim\", rankdir=LR, compound=true, newrank=true, outputorder=nodesfirst, nodesep=0.3, ranksep=0.5, pad=0.3, bgcolor=white,\n")
	p("\t\tfontname=%q, fontsize=11, labelloc=t, labeljust=l, tooltip=%s,\n", fontname, dotString(d.title))
	p("\t\tlabel=<%s>];\n", titleHTML(d))
	p("\tnode [fontname=%q, fontsize=10, shape=box, style=\"rounded,filled\", fillcolor=white, color=\"#607d8b\", margin=\"0.12,0.05\"];\n", fontname)
	p("\tedge [fontname=%q, fontsize=9, arrowsize=0.7];\n", fontname)

	// A flow between two nodes of one column, or from a node to itself,
	// is written in the node it reaches: Graphviz sets the label of such
	// an edge over the nodes. The edge is drawn without it.
	start, columns := gridColumns(d, o.cols)
	column := map[*node]int{}
	for i, col := range columns {
		for _, n := range col {
			column[n] = i + 1
		}
	}
	inNode := map[*edge]bool{}
	notes := map[*node][]string{}
	for _, e := range d.edges {
		if e.from == e.to || column[e.from] != 0 && column[e.from] == column[e.to] {
			inNode[e] = true
			from := "within"
			if e.from != e.to {
				from = "from " + e.from.name
			}
			notes[e.to] = append(notes[e.to], `<BR/><FONT POINT-SIZE="9" COLOR="`+e.tone.color()+`">`+htmlText(from+": "+strings.Join(e.label, " · "))+`</FONT>`)
		}
	}
	nodeDOT := func(n *node) string { return nodeStatement(n, strings.Join(notes[n], "")) }

	// outside writes the endpoints outside the VNets, in one rank.
	outside := func(nodes []*node, comment, rank string) {
		if len(nodes) == 0 {
			return
		}
		p("\n\t// Outside the VNets: %s.\n", comment)
		p("\t{\n\t\trank=%s;\n", rank)
		for _, n := range nodes {
			p("\t\t%s\n", nodeDOT(n))
		}
		p("\t}\n")
	}
	outside(d.left, "where flows come from", "min")
	for i, vb := range d.vnets {
		if i == d.hubs {
			p("\n\t// The spokes.\n")
		} else if i == 0 {
			p("\n\t// The hubs: the VNets of the Bastion hosts.\n")
		}
		if vb.collapsed != nil {
			p("\t%s\n", nodeDOT(vb.collapsed))
			continue
		}
		p("\tsubgraph cluster_%s {\n", vb.id)
		p("\t\tlabel=<%s>; tooltip=%s;\n", vnetHTML(vb), dotString("VNet "+vb.vnet.Name))
		p("\t\tstyle=\"rounded,filled\"; color=\"#1565c0\"; fillcolor=\"#e3f2fd\"; penwidth=1.5; margin=12;\n")
		for _, sb := range vb.subnets {
			p("\t\tsubgraph cluster_%s {\n", sb.id)
			p("\t\t\tlabel=<%s>; tooltip=%s;\n", subnetHTML(sb, d.refused[sb.subnet]), dotString("subnet "+sb.vnet.vnet.Name+"/"+sb.subnet.Name))
			fill, border := "#ffffff", "#78909c"
			if sb.subnet.Name == "AzureBastionSubnet" {
				fill = "#f3e5f5"
			}
			if d.refused[sb.subnet] {
				border = colorDeny
			}
			p("\t\t\tstyle=\"rounded,filled\"; color=%q; fillcolor=%q; penwidth=1; margin=10;\n", border, fill)
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
	outside(d.right, "where flows go", "max")
	writeGrid(p, start, columns, d)

	if len(d.edges) > 0 {
		p("\n\t// Flows.\n")
	}
	for _, e := range d.edges {
		if e.from == e.to {
			continue
		}
		width, style := "1.5", "solid"
		switch e.tone {
		case toneDeny:
			width, style = "2.5", "bold"
		case tonePartial:
			width = "2"
		case toneIntended:
			width, style = "2", "dashed"
		}
		if e.note != "" {
			width = "4"
		}
		label := dotLabel(e.label)
		if inNode[e] {
			label = `""`
		}
		p("\t%s -> %s [id=%s, class=%s, color=%q, fontcolor=%q, penwidth=%s, style=%s, label=%s, tooltip=%s",
			e.from.id, e.to.id, dotString(e.id), dotString(e.class), e.tone.color(), e.tone.color(), width, style,
			label, dotString(e.tooltip))

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
		p("\t%s -> %s [class=\"peering\", dir=none, style=dashed, color=%q, penwidth=1.5, constraint=false, ltail=cluster_%s, lhead=cluster_%s, tooltip=%s];\n",
			a.id, b.id, colorPeering, pe.a.id, pe.b.id, dotString("peering "+pe.a.vnet.Name+" ↔ "+pe.b.vnet.Name))
	}
	p("}\n")
	return bw.Flush()
}

// writeGrid places the columns of the picture. After the Bastion hosts
// come cols columns: the hubs' other subnets first, then the spokes' (a
// large spoke may span two columns), each column filled top to bottom
// before the next, to about the same height, so that the spokes read in
// order of name and address down each column and across. Each column is one rank, held in order from top to bottom by
// invisible edges, and one rank after the previous column. Flows then run
// from the Bastion hosts on the left to the egress on the right.
func writeGrid(p func(string, ...any), start *node, columns [][]*node, d *diagram) {
	p("\n\t// The grid: one rank per column, top to bottom.\n")
	prev := start
	for _, col := range columns {
		p("\t{ rank=same;")
		for _, n := range col {
			p(" %s;", n.id)
		}
		p(" }\n")
		if prev != nil {
			p("\t%s -> %s [style=invis, weight=0];\n", prev.id, col[0].id)
		}
		for i := 1; i < len(col); i++ {
			p("\t%s -> %s [style=invis];\n", col[i-1].id, col[i].id)
		}
		prev = col[0]
	}
	// The egress after the last column: rank=max alone does not hold
	// under newrank.
	if prev != nil && len(d.right) > 0 {
		p("\t%s -> %s [style=invis, weight=0];\n", prev.id, d.right[0].id)
	}
}

// gridItem is a run of nodes that stays in one column of the grid: the
// nodes of one subnet, or a collapsed VNet.
type gridItem struct {
	nodes  []*node
	height float64 // a guess, in points
}

// gridItems returns the first Bastion host and the items of the grid, in
// order: the hubs' subnets, then the spokes'.
func gridItems(d *diagram) (*node, []gridItem) {
	var start *node // the first Bastion host
	type item = gridItem
	var items []item
	for _, vb := range d.vnets[:d.hubs] {
		for _, sb := range vb.subnets {
			var ns []*node
			for _, n := range sb.nodes {
				switch {
				case n.kind == nodeBastion && start == nil:
					start = n
				case n.kind != nodeBastion && n.kind != nodeInstances:
					ns = append(ns, n)
				}
			}
			if len(ns) > 0 {
				items = append(items, item{ns, boxHeight(ns)})
			}
		}
		if len(vb.nodes) > 0 {
			items = append(items, item{vb.nodes, boxHeight(vb.nodes)})
		}
	}
	for _, vb := range d.vnets[d.hubs:] {
		if vb.collapsed != nil {
			items = append(items, item{[]*node{vb.collapsed}, boxHeight([]*node{vb.collapsed})})
			continue
		}
		for _, sb := range vb.subnets {
			items = append(items, item{sb.nodes, boxHeight(sb.nodes) + 30})
		}
		if len(vb.nodes) > 0 {
			items = append(items, item{vb.nodes, boxHeight(vb.nodes)})
		}
	}
	return start, items
}

// gridColumns returns the first Bastion host and the columns of writeGrid.
func gridColumns(d *diagram, cols int) (*node, [][]*node) {
	start, items := gridItems(d)
	cols = max(1, min(cols, len(items)))
	total := 0.0
	for _, it := range items {
		total += it.height
	}
	var columns [][]*node
	var h float64
	for i, it := range items {
		// A new column when this one is full, keeping an item for each
		// column left.
		if len(columns) == 0 || len(columns) < cols && (h+it.height/2 > total/float64(cols) || len(items)-i <= cols-len(columns)) {
			columns = append(columns, nil)
			h = 0
		}
		columns[len(columns)-1] = append(columns[len(columns)-1], it.nodes...)
		h += it.height
	}
	return start, columns
}

// boxHeight guesses the height of nodes stacked in a column, in points,
// to balance the columns; the layout decides the true one.
func boxHeight(ns []*node) float64 {
	h := 0.0
	for _, n := range ns {
		switch {
		case n.listsVMs():
			h += 30 + 30*float64((len(n.vms)+2)/3)
		default:
			h += 20 + 12*float64(len(n.lines))
		}
		h += 20
	}
	return h
}

// all returns every node drawn in a VNet box, in drawing order.
func (vb *vnetBox) all() []*node {
	var out []*node
	for _, sb := range vb.subnets {
		out = append(out, sb.nodes...)
	}
	return append(out, vb.nodes...)
}

// nodeStatement is one node statement; extra is more HTML lines for its
// label.
func nodeStatement(n *node, extra string) string {
	style := ""
	switch n.kind {
	case nodeSource, nodeEgress:
		style = `shape=box, style="rounded,filled", fillcolor="#fff8e1", color="#f9a825"`
	case nodeBastion:
		style = `style="filled", fillcolor="#ede7f6", color="#5e35b1", penwidth=1.5`
	case nodeVM:
		style = `fillcolor="#ffffff"`
	case nodeVMGroup:
		style = `style="rounded,filled", fillcolor="#eceff1"`
		if n.listsVMs() {
			style += `, margin="0.04,0.04"`
		}
	case nodeInstances:
		style = `style="filled,dashed", fillcolor="#ede7f6", color="#5e35b1"`
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
	return fmt.Sprintf("%s [%s, label=<%s>, tooltip=%s];", n.id, style, nodeHTML(n, extra), dotString(tip))
}

// maxListedVMs is the most VMs a subnet's box lists one by one, when the
// VMs are drawn per subnet; past it the box counts them.
const maxListedVMs = 12

// nodeHTML is a node's label as a Graphviz HTML-like label: the name in
// bold, the other lines smaller; the VMs of a subnet as a table, each VM
// framed in the colour of its worst flow.
func nodeHTML(n *node, extra string) string {
	if n.listsVMs() {
		return vmTableHTML(n, extra)
	}
	var sb strings.Builder
	sb.WriteString("<B>")
	sb.WriteString(htmlText(n.name))
	sb.WriteString("</B>")
	for _, l := range n.lines {
		sb.WriteString(`<BR/><FONT POINT-SIZE="9" COLOR="#455a64">`)
		sb.WriteString(htmlText(l))
		sb.WriteString("</FONT>")
	}
	sb.WriteString(extra)
	return sb.String()
}

// listsVMs reports whether a node lists the VMs of its subnet.
func (n *node) listsVMs() bool {
	return n.kind == nodeVMGroup && !n.counted && len(n.vms) <= maxListedVMs
}

// vmTableHTML lists the VMs of a subnet in up to three columns.
func vmTableHTML(n *node, extra string) string {
	cols := min(len(n.vms), 3)
	if len(n.vms) == 4 {
		cols = 2
	}
	var sb strings.Builder
	sb.WriteString(`<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="3" CELLPADDING="2">`)
	fmt.Fprintf(&sb, `<TR><TD COLSPAN="%d" ALIGN="LEFT"><B>%s</B><FONT POINT-SIZE="9" COLOR="#455a64"> · %s</FONT></TD></TR>`,
		cols, htmlText(n.name), htmlText(strings.Join(n.lines, " · ")))
	for i, vm := range n.vms {
		if i%cols == 0 {
			sb.WriteString("<TR>")
		}
		frame := "#90a4ae"
		if vm.flows > 0 {
			frame = vm.tone.color()
		}
		fmt.Fprintf(&sb, `<TD BORDER="1" COLOR="%s" BGCOLOR="#ffffff" STYLE="rounded" TOOLTIP=%s>`, frame, htmlAttr(vm.tooltip))
		sb.WriteString(`<B>` + htmlText(vm.name) + `</B>`)
		for _, l := range vm.lines {
			sb.WriteString(`<BR/><FONT POINT-SIZE="9" COLOR="#455a64">` + htmlText(l) + `</FONT>`)
		}
		sb.WriteString("</TD>")
		if i%cols == cols-1 || i == len(n.vms)-1 {
			sb.WriteString("</TR>")
		}
	}
	if extra != "" {
		fmt.Fprintf(&sb, `<TR><TD COLSPAN="%d" ALIGN="LEFT">%s</TD></TR>`, cols, strings.TrimPrefix(extra, "<BR/>"))
	}
	sb.WriteString("</TABLE>")
	return sb.String()
}

// htmlAttr quotes s as an attribute of a Graphviz HTML-like label.
func htmlAttr(s string) string {
	return `"` + htmlText(strings.ReplaceAll(s, "\n", " ")) + `"`
}

// titleHTML is the graph's label, on top: the title, the summary, what
// was left out or collapsed, and the legend below them, in the top-left
// corner, outside the drawing.
func titleHTML(d *diagram) string {
	s := `<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1">` +
		`<TR><TD ALIGN="LEFT"><FONT POINT-SIZE="18"><B>` + htmlText(d.title) + `</B></FONT></TD></TR>` +
		`<TR><TD ALIGN="LEFT"><FONT POINT-SIZE="11" COLOR="#455a64">` + htmlText(d.summary) + `</FONT></TD></TR>`
	if d.note != "" {
		s += `<TR><TD ALIGN="LEFT"><FONT POINT-SIZE="10" COLOR="#455a64">` + htmlText(d.note) + `</FONT></TD></TR>`
	}
	return s + `<TR><TD ALIGN="LEFT">` + legendHTML(d) + `</TD></TR></TABLE>`
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
func subnetHTML(sb *subnetBox, refused bool) string {
	s := sb.subnet
	nsg := subnetNSG(s)
	out := `<B>` + htmlText(s.Name) + `</B><BR ALIGN="LEFT"/>` +
		`<FONT POINT-SIZE="9" COLOR="#37474f">` + htmlText(prefixString(s.AddressPrefix)) + ` · ` + htmlText(nsg) + `</FONT><BR ALIGN="LEFT"/>`
	if s.RouteTable != "" {
		out += `<FONT POINT-SIZE="9" COLOR="#37474f">route table ` + htmlText(s.RouteTable) + `</FONT><BR ALIGN="LEFT"/>`
	}
	if refused {
		out += `<FONT POINT-SIZE="9" COLOR="` + colorDeny + `"><B>NSG001</B>: Azure refuses to attach this NSG</FONT><BR ALIGN="LEFT"/>`
	}
	return out
}

// legendHTML is the legend: one row, a sample of each kind of edge drawn.
func legendHTML(d *diagram) string {
	type entry struct {
		sample, text string
	}
	bar := func(color string, height int) string {
		return fmt.Sprintf(`<TD WIDTH="28" HEIGHT="%d" FIXEDSIZE="TRUE" BGCOLOR="%s"></TD>`, height, color)
	}
	entries := []entry{
		{bar(colorAllow, 3), "Allow"},
		{bar(colorDeny, 5), "Deny: NSG/rule/priority that blocks; (default): a default rule"},
		{bar(colorPartial, 4), "Partial, a mix of verdicts, or a blocked recommended flow"},
	}
	if len(d.peerings) > 0 {
		entries = append(entries, entry{`<TD WIDTH="28" HEIGHT="12" FIXEDSIZE="TRUE"><FONT COLOR="` + colorPeering + `">- - -</FONT></TD>`, "VNet peering"})
	}
	if d.intended {
		entries = append(entries, entry{`<TD WIDTH="28" HEIGHT="12" FIXEDSIZE="TRUE"><FONT COLOR="` + colorIntended + `"><B>- - -</B></FONT></TD>`, "Blocked as intended (expectation intended: true)"})
	}
	if d.changed {
		entries = append(entries, entry{bar("#455a64", 8), "▲ changed by the diff: the verdict before it"})
	}
	if len(d.refused) > 0 {
		entries = append(entries, entry{`<TD WIDTH="28" HEIGHT="12" FIXEDSIZE="TRUE" BORDER="1" COLOR="` + colorDeny + `"></TD>`, "NSG001: Azure refuses this NSG on AzureBastionSubnet"})
	}
	var sb strings.Builder
	sb.WriteString(`<TABLE BORDER="1" COLOR="#b0bec5" CELLBORDER="0" CELLSPACING="4" CELLPADDING="1" BGCOLOR="#ffffff"><TR>`)
	sb.WriteString(`<TD><FONT POINT-SIZE="9"><B>Legend</B></FONT></TD>`)
	for _, e := range entries {
		sb.WriteString(e.sample)
		sb.WriteString(`<TD ALIGN="LEFT"><FONT POINT-SIZE="9">` + htmlText(e.text) + `</FONT></TD>`)
	}
	sb.WriteString(`<TD ALIGN="LEFT"><FONT POINT-SIZE="9" COLOR="#455a64">Labels: protocol/port; × N: flows drawn as one edge</FONT></TD>`)
	sb.WriteString(`</TR></TABLE>`)
	return sb.String()
}

// dotString quotes s as a DOT string (dotEscaper).
func dotString(s string) string { return dotEscaper.quoted(s) }

// dotLabel joins lines into one DOT string with line breaks.
func dotLabel(lines []string) string {
	return dotString(strings.Join(lines, "\n"))
}

// htmlText escapes s for a Graphviz HTML-like label (htmlLabelEscaper).
func htmlText(s string) string { return htmlLabelEscaper.text(s) }

// subnetNSG is how every format names a subnet's NSG in its label.
func subnetNSG(s *topology.Subnet) string {
	if s.NetworkSecurityGroup == "" {
		return "no NSG"
	}
	return "NSG " + s.NetworkSecurityGroup
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
