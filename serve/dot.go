package serve

import (
	"bufio"
	"bytes"
	"strings"
)

// edgeStyle is how the diagram draws one edge (a flow, or a group of flows
// at a collapsed level), read from the DOT text render writes. The page
// recolours its laid-out picture with these at once after an edit, before the
// new layout arrives.
type edgeStyle struct {
	ID      string   `json:"id"` // the SVG element's id: "flow:…" or "group:N"
	Class   string   `json:"class"`
	Color   string   `json:"color"`
	Width   string   `json:"width"`
	Label   []string `json:"label"`
	Tooltip string   `json:"tooltip"`
}

// nodeFocus is what clicking a node or a box of the diagram focuses on, by
// its DOT name (which the SVG keeps in each element's <title>): the VNet,
// subnet ("vnet/subnet"), VM or Bastion host it draws; a node of grouped
// VMs focuses on their subnet.
type nodeFocus map[string]string

// readDOT reads the edges' styles and the nodes' focus names from the DOT
// text of render. It reads only what render writes: one statement a line,
// attributes in brackets, strings in double quotes.
func readDOT(dot []byte) ([]edgeStyle, nodeFocus) {
	var edges []edgeStyle
	focus := nodeFocus{}
	type cluster struct{ name, focus string }
	var clusters []cluster // the open clusters, innermost last
	sc := bufio.NewScanner(bytes.NewReader(dot))
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case strings.HasPrefix(line, "subgraph cluster_"):
			name, _, _ := strings.Cut(strings.TrimPrefix(line, "subgraph "), " ")
			clusters = append(clusters, cluster{name: name})
		case line == "}":
			if len(clusters) > 0 {
				clusters = clusters[:len(clusters)-1]
			}
		case strings.HasPrefix(line, "label=") && len(clusters) > 0:
			// A cluster's attributes: label=<…>; tooltip="subnet hub/workload";
			if i := strings.Index(line, "tooltip="); i >= 0 {
				tip, _ := readValue(line[i+len("tooltip="):])
				c := &clusters[len(clusters)-1]
				c.focus = focusName(tip)
				if c.focus != "" {
					focus[c.name] = c.focus
				}
			}
		default:
			name, attrs, ok := statement(line)
			if !ok {
				continue
			}
			if strings.Contains(name, "->") {
				id := attrs["id"]
				if id == "" {
					continue
				}
				edges = append(edges, edgeStyle{
					ID: id, Class: attrs["class"], Color: attrs["color"], Width: attrs["penwidth"],
					Label: strings.Split(attrs["label"], "\n"), Tooltip: attrs["tooltip"],
				})
				continue
			}
			f := focusName(attrs["tooltip"])
			if f == "" && len(clusters) > 0 {
				f = clusters[len(clusters)-1].focus
			}
			if f != "" {
				focus[name] = f
			}
		}
	}
	return edges, focus
}

// focusName is the Focus for a tooltip of render's: "VNet hub",
// "subnet hub/workload", "VM vm-1", "Bastion host bastion-hub".
func focusName(tooltip string) string {
	first, _, _ := strings.Cut(tooltip, "\n")
	for _, p := range []string{"VNet ", "subnet ", "VM ", "Bastion host "} {
		if s, ok := strings.CutPrefix(first, p); ok {
			return s
		}
	}
	return ""
}

// statement splits `NAME [k=v, …];` or `A -> B [k=v, …];`.
func statement(line string) (string, map[string]string, bool) {
	i := strings.IndexByte(line, '[')
	if i <= 0 || !strings.HasSuffix(line, "];") {
		return "", nil, false
	}
	name := strings.TrimSpace(line[:i])
	if strings.ContainsAny(name, "{}=\"") {
		return "", nil, false
	}
	attrs := map[string]string{}
	rest := line[i+1:]
	for {
		rest = strings.TrimLeft(rest, " ,")
		if rest == "" || rest[0] == ']' {
			break
		}
		eq := strings.IndexByte(rest, '=')
		if eq < 0 {
			break
		}
		key := strings.TrimSpace(rest[:eq])
		val, n := readValue(rest[eq+1:])
		attrs[key] = val
		rest = rest[eq+1+n:]
	}
	return name, attrs, true
}

// readValue reads one DOT value: a quoted string (with render's escapes
// undone), an HTML-like label <…>, or a bare word. It returns the value and
// how many bytes it took.
func readValue(s string) (string, int) {
	if s == "" {
		return "", 0
	}
	switch s[0] {
	case '"':
		var sb strings.Builder
		for i := 1; i < len(s); i++ {
			c := s[i]
			switch {
			case c == '\\' && i+1 < len(s):
				i++
				switch s[i] {
				case 'n':
					sb.WriteByte('\n')
				default:
					sb.WriteByte(s[i])
				}
			case c == '"':
				return unentity(sb.String()), i + 1
			default:
				sb.WriteByte(c)
			}
		}
		return unentity(sb.String()), len(s)
	case '<':
		depth := 0
		for i := 0; i < len(s); i++ {
			switch s[i] {
			case '<':
				depth++
			case '>':
				depth--
				if depth == 0 {
					return s[1:i], i + 1
				}
			}
		}
		return s, len(s)
	}
	end := strings.IndexAny(s, ",]; ")
	if end < 0 {
		end = len(s)
	}
	return s[:end], end
}

// unentity undoes the entities render writes in DOT strings.
var unentity = strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&").Replace
