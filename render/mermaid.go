package render

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
)

// writeMermaid writes the diagram as a Mermaid flowchart, which GitHub,
// GitLab and many wikis draw from a ```mermaid block. Every name is written
// with Mermaid's entity codes (#quot;, #lt;, …), so that no name can end a
// label or inject markup.
func writeMermaid(w io.Writer, d *diagram) error {
	bw := bufio.NewWriter(w)
	p := func(format string, args ...any) { fmt.Fprintf(bw, format, args...) }

	// json.Marshal escapes <, > and & as \u003c…; YAML double-quoted
	// strings read those escapes back.
	// "%" as \u0025, so that no "%%{" directive can appear in the text.
	title, _ := json.Marshal(oneLine(d.title))
	p("---\ntitle: %s\n---\n", strings.ReplaceAll(string(title), "%", `\u0025`))
	p("%%%% Drawn by nsgsim (SPEC 7): green Allow, red Deny, orange Partial, mixed, or blocked recommended.\n")
	p("flowchart LR\n")

	// A flow from a node to itself is written in the node: Mermaid draws
	// two loops on one node over each other.
	loops := map[*node][]string{}
	for _, e := range d.edges {
		if e.from == e.to {
			loops[e.from] = append(loops[e.from], "within: "+strings.Join(e.label, " · "))
		}
	}
	var ext, vm, bastion, group, vnet, addr, empty []string
	shape := func(n *node) string {
		label := mmdNodeLabel(n, loops[n])
		switch n.kind {
		case nodeSource, nodeEgress:
			ext = append(ext, n.id)
			return n.id + `(["` + label + `"])`
		case nodeBastion:
			bastion = append(bastion, n.id)
			return n.id + `[["` + label + `"]]`
		case nodeVMGroup:
			group = append(group, n.id)
		case nodeVNet:
			vnet = append(vnet, n.id)
		case nodeAddress:
			addr = append(addr, n.id)
		case nodePlaceholder:
			empty = append(empty, n.id)
			return n.id + `["` + mmdText(n.name) + `"]`
		default:
			vm = append(vm, n.id)
		}
		return n.id + `["` + label + `"]`
	}
	for _, n := range d.left {
		p("  %s\n", shape(n))
	}
	for _, vb := range d.vnets {
		if vb.collapsed != nil {
			p("  %s\n", shape(vb.collapsed))
			continue
		}
		p("  subgraph %s [\"<b>%s</b> %s\"]\n", vb.id, mmdText(vb.vnet.Name), mmdText(prefixList(vb.vnet.AddressSpace)))
		for _, sb := range vb.subnets {
			p("    subgraph %s [\"<b>%s</b> %s · %s\"]\n", sb.id, mmdText(sb.subnet.Name), mmdText(prefixString(sb.subnet.AddressPrefix)), mmdText(subnetNSG(sb.subnet)))
			for _, n := range sb.nodes {
				p("      %s\n", shape(n))
			}
			p("    end\n")
		}
		for _, n := range vb.nodes {
			p("    %s\n", shape(n))
		}
		p("  end\n")
	}
	for _, n := range d.right {
		p("  %s\n", shape(n))
	}
	p("  subgraph lgd [\"Legend\"]\n")
	p("    lgdAllow[\"Allow\"]\n")
	p("    lgdDeny[\"Deny: NSG/rule/priority; (default): a default rule\"]\n")
	p("    lgdPartial[\"Partial, a mix of verdicts, or blocked recommended\"]\n")
	if d.intended {
		p("    lgdIntended[\"Blocked as intended (expectation intended: true)\"]\n")
	}
	if d.changed {
		p("    lgdChanged[\"▲ changed by the diff: the verdict before it\"]\n")
	}
	p("  end\n")

	var styles []string
	link := 0
	for _, e := range d.edges {
		if e.from == e.to {
			continue
		}
		arrow, width, dash := "-->", "2px", ""
		switch e.tone {
		case toneDeny:
			arrow, width = "==>", "3px"
		case toneIntended:
			arrow, dash = "-.->", ",stroke-dasharray:6 4"
		}
		if e.note != "" {
			width = "5px"
		}
		labels := make([]string, len(e.label))
		for i, l := range e.label {
			labels[i] = mmdText(l)
		}
		p("  %s %s|\"%s\"| %s\n", e.from.id, arrow, strings.Join(labels, "<br/>"), e.to.id)
		c := e.tone.color()
		styles = append(styles, fmt.Sprintf("  linkStyle %d stroke:%s,stroke-width:%s%s,color:%s\n", link, c, width, dash, c))
		link++
	}
	for _, pe := range d.peerings {
		p("  %s -.-|\"peering\"| %s\n", pe.a.id, pe.b.id)
		styles = append(styles, fmt.Sprintf("  linkStyle %d stroke:%s,stroke-width:2px,stroke-dasharray:6 4,color:%s\n", link, colorPeering, colorPeering))
		link++
	}
	// Each egress node one column further right, held by invisible links
	// (written last, so that they take no linkStyle number): stacked in
	// one column, the port-80 edge to Internet passed behind AzureCloud
	// and read as AzureCloud → Internet.
	for i := 1; i < len(d.right); i++ {
		p("  %s ~~~ %s\n", d.right[i-1].id, d.right[i].id)
	}
	for _, s := range styles {
		p("%s", s)
	}
	p("  classDef outside fill:#fff8e1,stroke:#f9a825,color:#212121\n")
	p("  classDef bastion fill:#ede7f6,stroke:#5e35b1,stroke-width:2px,color:#212121\n")
	p("  classDef vm fill:#ffffff,stroke:#607d8b,color:#212121\n")
	p("  classDef vmgroup fill:#eceff1,stroke:#607d8b,stroke-width:3px,color:#212121\n")
	p("  classDef address fill:#ffffff,stroke:#607d8b,stroke-dasharray:4 3,color:#212121\n")
	p("  classDef empty fill:none,stroke:none,color:#90a4ae\n")
	if len(vnet) > 0 {
		p("  classDef vnet fill:#e3f2fd,stroke:#1565c0,stroke-width:2px,color:#212121\n")
	}
	p("  classDef allow fill:#ffffff,stroke:%s,stroke-width:3px,color:%s\n", colorAllow, colorAllow)
	p("  classDef deny fill:#ffffff,stroke:%s,stroke-width:4px,color:%s\n", colorDeny, colorDeny)
	p("  classDef partial fill:#ffffff,stroke:%s,stroke-width:3px,color:%s\n", colorPartial, colorPartial)
	if d.intended {
		p("  classDef intended fill:#ffffff,stroke:%s,stroke-width:3px,stroke-dasharray:6 4,color:%s\n", colorIntended, colorIntended)
	}
	if d.changed {
		p("  classDef changed fill:#ffffff,stroke:#455a64,stroke-width:5px,color:#212121\n")
	}
	for _, c := range []struct {
		class string
		ids   []string
	}{{"outside", ext}, {"bastion", bastion}, {"vm", vm}, {"vmgroup", group}, {"vnet", vnet}, {"address", addr}, {"empty", empty}} {
		if len(c.ids) > 0 {
			p("  class %s %s\n", strings.Join(c.ids, ","), c.class)
		}
	}
	p("  class lgdAllow allow\n  class lgdDeny deny\n  class lgdPartial partial\n")
	if d.intended {
		p("  class lgdIntended intended\n")
	}
	if d.changed {
		p("  class lgdChanged changed\n")
	}
	for _, vb := range d.vnets {
		if vb.collapsed != nil {
			continue
		}
		p("  style %s fill:#e3f2fd,stroke:#1565c0,stroke-width:2px\n", vb.id)
		for _, sb := range vb.subnets {
			fill := "#ffffff"
			if sb.subnet.Name == "AzureBastionSubnet" {
				fill = "#f3e5f5"
			}
			p("  style %s fill:%s,stroke:#78909c\n", sb.id, fill)
		}
	}
	p("  style lgd fill:#ffffff,stroke:#b0bec5\n")
	return bw.Flush()
}

func mmdNodeLabel(n *node, more []string) string {
	var sb strings.Builder
	sb.WriteString("<b>")
	sb.WriteString(mmdText(n.name))
	sb.WriteString("</b>")
	for _, l := range append(slices.Clone(n.lines), more...) {
		sb.WriteString("<br/>")
		sb.WriteString(mmdText(l))
	}
	return sb.String()
}

// mmdText escapes s for a quoted Mermaid label (mermaidEscaper).
func mmdText(s string) string { return mermaidEscaper.text(s) }

// oneLine joins the lines of s with spaces.
func oneLine(s string) string {
	return strings.Join(strings.Fields(strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)), " ")
}
