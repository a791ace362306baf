package render

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/nsgsim/nsgsim/flowgraph"
	"github.com/nsgsim/nsgsim/gen"
	"github.com/nsgsim/nsgsim/internal/simtest"
	"github.com/nsgsim/nsgsim/scenarios"
	"github.com/nsgsim/nsgsim/sim"
	"github.com/nsgsim/nsgsim/topology"
)

func render(t testing.TB, f Format, r *sim.Report, o Options) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := Render(&buf, f, r, o); err != nil {
		t.Fatalf("Render(%s, %s): %v", r.Topology.Name, f, err)
	}
	return buf.Bytes()
}

var defaults = Options{CollapseAbove: DefaultCollapseAbove}

func scenarioNames(t testing.TB) []string {
	var names []string
	for _, s := range scenarios.List() {
		names = append(names, s.Name)
	}
	if len(names) == 0 {
		t.Fatal("no built-in scenarios")
	}
	return names
}

// TestGolden compares the DOT and Mermaid text of every built-in scenario
// with testdata/golden. NSGSIM_UPDATE=1 go test ./render/ rewrites them.
func TestGolden(t *testing.T) {
	update := os.Getenv("NSGSIM_UPDATE") != ""
	dir := filepath.Join("testdata", "golden")
	want := map[string]bool{}
	for _, name := range scenarioNames(t) {
		r := simtest.Scenario(t, name)
		for _, f := range []Format{DOT, Mermaid} {
			file := name + "." + string(f)
			want[file] = true
			t.Run(file, func(t *testing.T) {
				got := render(t, f, r, defaults)
				path := filepath.Join(dir, file)
				if update {
					if err := os.MkdirAll(dir, 0o755); err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(path, got, 0o644); err != nil {
						t.Fatal(err)
					}
					return
				}
				golden, err := os.ReadFile(path)
				if err != nil {
					t.Fatalf("%v (run NSGSIM_UPDATE=1 go test ./render/ to write it)", err)
				}
				if !bytes.Equal(got, golden) {
					t.Errorf("Render(%s, %s) differs from %s (NSGSIM_UPDATE=1 rewrites it):\n%s", name, f, path, firstDiff(string(golden), string(got)))
				}
			})
		}
	}
	// Golden files of scenarios that are gone.
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if want[e.Name()] {
			continue
		}
		if update {
			os.Remove(filepath.Join(dir, e.Name()))
			continue
		}
		t.Errorf("%s has no built-in scenario; NSGSIM_UPDATE=1 removes it", filepath.Join(dir, e.Name()))
	}
}

// firstDiff shows the first line where two texts differ.
func firstDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < max(len(w), len(g)); i++ {
		var a, b string
		if i < len(w) {
			a = w[i]
		}
		if i < len(g) {
			b = g[i]
		}
		if a != b {
			return fmt.Sprintf("line %d:\nwant %q\ngot  %q", i+1, a, b)
		}
	}
	return "(no line differs)"
}

// TestDeterministic renders each format twice, from two simulations, and
// wants the same bytes.
func TestDeterministic(t *testing.T) {
	for _, name := range []string{"reference", "hub-three-spokes"} {
		for _, f := range Formats {
			if testing.Short() && f == PNG {
				continue
			}
			t.Run(name+"."+string(f), func(t *testing.T) {
				a := render(t, f, simtest.Scenario(t, name), defaults)
				b := render(t, f, simtest.Scenario(t, name), defaults)
				if !bytes.Equal(a, b) {
					t.Errorf("two renderings differ:\n%s", firstDiff(string(a), string(b)))
				}
			})
		}
	}
}

// svgEdge is an edge group of Graphviz's SVG output.
type svgEdge struct {
	id, class string
	strokes   []string
}

// parseSVG parses an SVG document as XML and returns its edge groups.
func parseSVG(t *testing.T, data []byte) []svgEdge {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(data))
	dec.Strict = true
	var edges []svgEdge
	var cur *svgEdge
	depth, at := 0, -1
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("the SVG is not well-formed XML: %v", err)
		}
		switch el := tok.(type) {
		case xml.StartElement:
			depth++
			attr := func(name string) string {
				for _, a := range el.Attr {
					if a.Name.Local == name {
						return a.Value
					}
				}
				return ""
			}
			if el.Name.Local == "script" {
				t.Errorf("the SVG has a <script> element")
			}
			if el.Name.Local == "g" && strings.Contains(" "+attr("class")+" ", " edge ") {
				edges = append(edges, svgEdge{id: attr("id"), class: attr("class")})
				cur, at = &edges[len(edges)-1], depth
			}
			if cur != nil && el.Name.Local == "path" {
				cur.strokes = append(cur.strokes, attr("stroke"))
			}
		case xml.EndElement:
			if depth == at {
				cur, at = nil, -1
			}
			depth--
		}
	}
	return edges
}

// TestSVG checks the SVG of every built-in scenario: well-formed XML, one
// edge per flow, each with its flow's id, verdict class and colour.
func TestSVG(t *testing.T) {
	for _, name := range scenarioNames(t) {
		t.Run(name, func(t *testing.T) {
			r := simtest.Scenario(t, name)
			edges := parseSVG(t, render(t, SVG, r, Options{}))
			byID := map[string]svgEdge{}
			for _, e := range edges {
				if strings.Contains(" "+e.class+" ", " flow ") {
					if _, dup := byID[e.id]; dup {
						t.Errorf("two edges with id %q", e.id)
					}
					byID[e.id] = e
				}
			}
			if len(byID) != len(r.Results) {
				t.Errorf("SVG has %d flow edges, want one per flow: %d", len(byID), len(r.Results))
			}
			for _, res := range r.Results {
				id := "flow:" + escapeID(res.Flow.ID)
				e, ok := byID[id]
				if !ok {
					t.Errorf("flow %s has no edge %q", res.Flow.ID, id)
					continue
				}
				wantClass := "verdict-" + strings.ToLower(res.Verdict.String())
				if !strings.Contains(" "+e.class+" ", " "+wantClass+" ") {
					t.Errorf("edge %s: class %q, want %s", id, e.class, wantClass)
				}
				want := toneOf(res).color()
				if len(e.strokes) == 0 || e.strokes[0] != want {
					t.Errorf("edge %s (%s %s): stroke %v, want %s", id, res.Verdict, res.Flow.Requirement, e.strokes, want)
				}
			}
		})
	}
}

// TestColours pins the colour of each verdict (SPEC 7) on scenarios that
// have them.
func TestColours(t *testing.T) {
	seen := map[string]bool{}
	for _, name := range scenarioNames(t) {
		r := simtest.Scenario(t, name)
		for _, res := range r.Results {
			want := map[topology.Verdict]string{topology.VerdictAllow: colorAllow, topology.VerdictDeny: colorDeny, topology.VerdictPartial: colorPartial}[res.Verdict]
			if res.Verdict == topology.VerdictDeny && res.Flow.Requirement == topology.Recommended {
				want = colorPartial
			}
			if res.Intended && res.Verdict != topology.VerdictAllow {
				want = colorIntended
			}
			if got := toneOf(res).color(); got != want {
				t.Errorf("%s: %s %s flow drawn %s, want %s", res.Flow.ID, res.Flow.Requirement, res.Verdict, got, want)
			}
			seen[res.Verdict.String()] = true
		}
	}
	for _, v := range []string{"Allow", "Deny", "Partial"} {
		if !seen[v] {
			t.Logf("no built-in scenario has a %s flow", v)
		}
	}
}

// TestLabels checks what SPEC 7 asks of edge labels: protocol and port on
// every edge, and on a Deny edge the NSG, rule and priority that blocked it.
func TestLabels(t *testing.T) {
	for _, name := range scenarioNames(t) {
		r := simtest.Scenario(t, name)
		d, err := build(flowgraph.Build(r), Options{})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range d.edges {
			res := e.results[0]
			f := res.Flow
			label := strings.Join(e.label, "\n")
			if pp := fmt.Sprintf("%s/%d", f.Protocol, f.Port); !strings.Contains(label, pp) {
				t.Errorf("%s: label %q lacks %s", f.ID, label, pp)
			}
			if res.Verdict != topology.VerdictAllow && len(res.Hops) > 0 {
				h := res.Hops[len(res.Hops)-1]
				want := fmt.Sprintf("%s/%s/%d", h.NSG.Name, h.Rule.Name, h.Rule.Priority)
				if !strings.Contains(label, want) {
					t.Errorf("%s: %s label %q does not name %q", f.ID, res.Verdict, label, want)
				}
			}
			if res.Verdict == topology.VerdictPartial && !strings.Contains(label, "allowed only ") {
				t.Errorf("%s: Partial label %q does not name the allowed part", f.ID, label)
			}
		}
	}
}

// hostile is a name that tries to break out of every format.
const hostile = "<script>alert(1)</script> & \"q\" 'a' \\N `b` #x; |p| ]]>\nnext line"

// hostileReport is a topology whose every name is hostile.
func hostileReport(t *testing.T) *sim.Report {
	t.Helper()
	n := func(s string) string { return s + hostile }
	vnet := &topology.VirtualNetwork{
		Name:         n("vnet"),
		AddressSpace: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/16")},
		Subnets: []*topology.Subnet{
			{Name: topology.BastionSubnetName, AddressPrefix: netip.MustParsePrefix("10.0.0.0/26"), NetworkSecurityGroup: n("nsg")},
			{Name: n("subnet"), AddressPrefix: netip.MustParsePrefix("10.0.1.0/24"), NetworkSecurityGroup: n("nsg")},
		},
	}
	deny := &topology.SecurityRule{
		Name: n("rule"), Description: hostile, Priority: 100, Direction: topology.Inbound, Access: topology.Deny,
		Protocol: topology.Tcp, Source: topology.Addresses{Any: true}, SourcePorts: []topology.PortRange{topology.AllPorts},
		Destination: topology.Addresses{Any: true}, DestinationPorts: []topology.PortRange{{Lo: 22, Hi: 22}},
	}
	topo := &topology.Topology{
		Name:                  n("topology"),
		VirtualNetworks:       []*topology.VirtualNetwork{vnet},
		NetworkSecurityGroups: []*topology.NetworkSecurityGroup{{Name: n("nsg"), SecurityRules: []*topology.SecurityRule{deny}}},
		VirtualMachines: []*topology.VirtualMachine{{
			Name: n("vm"), VirtualNetwork: vnet.Name, Subnet: vnet.Subnets[1].Name,
			PrivateIPAddress: netip.MustParseAddr("10.0.1.4"), OS: topology.Linux,
		}},
		BastionHosts: []*topology.BastionHost{{Name: n("bastion"), VirtualNetwork: vnet.Name, SKU: topology.Standard}},
		Clients:      []*topology.Client{{Name: n("client"), AddressPrefixes: []netip.Prefix{netip.MustParsePrefix("203.0.113.0/24")}}},
	}
	return simtest.Simulate(t, topo)
}

// TestEscaping draws a topology whose names hold markup, quotes, entities,
// backslashes and newlines, and checks that no format lets them out.
func TestEscaping(t *testing.T) {
	r := hostileReport(t)
	for _, f := range []Format{DOT, Mermaid, SVG, HTML} {
		t.Run(string(f), func(t *testing.T) {
			out := string(render(t, f, r, Options{}))
			if strings.Contains(strings.ToLower(out), "<script") {
				t.Errorf("%s output holds a raw <script", f)
			}
			switch f {
			case DOT:
				// Every quoted string must end where it should: the
				// hostile quote is escaped, and Graphviz reads the text
				// (TestSVG's layout of the same text would fail otherwise).
				if strings.Contains(out, `"q"`) || strings.Contains(out, "\nnext line") {
					t.Errorf("DOT has an unescaped quote or newline")
				}
				for _, want := range []string{`\"q\"`, `\\N`, "&amp;", "&lt;script&gt;"} {
					if !strings.Contains(out, want) {
						t.Errorf("DOT lacks %s: quotes, backslashes, & and < are not all escaped", want)
					}
				}
			case Mermaid:
				// The title is a YAML string in the front matter, JSON-quoted.
				_, body, _ := strings.Cut(strings.TrimPrefix(out, "---\n"), "---\n")
				for _, bad := range []string{`"q"`, "`b`", "|p|", "#x;", "\nnext line"} {
					if strings.Contains(body, bad) {
						t.Errorf("Mermaid has an unescaped %q", bad)
					}
				}
				if !strings.Contains(out, "#lt;script#gt;") {
					t.Errorf("Mermaid does not write < as #lt;")
				}
			case SVG, HTML:
				if f == SVG {
					parseSVG(t, []byte(out))
				}
				if !strings.Contains(out, "&lt;script&gt;alert(1)&lt;/script&gt;") {
					t.Errorf("%s does not show the name as text", f)
				}
			}
		})
	}
	if _, err := layout(render(t, DOT, r, Options{}), "svg"); err != nil {
		t.Errorf("Graphviz cannot read the DOT text of hostile names: %v", err)
	}
}

// TestSVGText checks that Graphviz shows a hostile name as the same text:
// the escaping round-trips.
func TestSVGText(t *testing.T) {
	r := hostileReport(t)
	svg := render(t, SVG, r, Options{})
	dec := xml.NewDecoder(bytes.NewReader(svg))
	var texts []string
	inText := false
	for {
		tok, err := dec.Token()
		if err != nil {
			break
		}
		switch el := tok.(type) {
		case xml.StartElement:
			inText = el.Name.Local == "text"
		case xml.CharData:
			if inText {
				texts = append(texts, string(el))
			}
		case xml.EndElement:
			inText = false
		}
	}
	want := strings.SplitN(hostile, "\n", 2)[0]
	found := false
	for _, s := range texts {
		if strings.Contains(s, want) {
			found = true
		}
	}
	if !found {
		t.Errorf("no SVG text shows %q; texts: %q", want, texts)
	}
}

// TestFocus draws only the flows that touch one VM, subnet or NSG.
func TestFocus(t *testing.T) {
	r := simtest.Scenario(t, "reference")
	for _, tc := range []struct {
		focus string
		want  []string // flow IDs
	}{
		{"vm-linux-1", []string{"bastion-hub/ssh/vm-linux-1"}},
		{"workload", []string{"bastion-hub/ssh/vm-linux-1", "bastion-hub/rdp/vm-windows-1"}},
		{"hub/workload", []string{"bastion-hub/ssh/vm-linux-1", "bastion-hub/rdp/vm-windows-1"}},
		{"nsg-workload", []string{"bastion-hub/ssh/vm-linux-1", "bastion-hub/rdp/vm-windows-1"}},
	} {
		t.Run(tc.focus, func(t *testing.T) {
			d, err := build(flowgraph.Build(r), Options{Focus: tc.focus})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, e := range d.edges {
				for _, res := range e.results {
					got = append(got, res.Flow.ID)
				}
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("focus %q draws %v, want %v", tc.focus, got, tc.want)
			}
			if d.note == "" {
				t.Errorf("focus %q: the title does not say flows were left out", tc.focus)
			}
		})
	}
	d, err := build(flowgraph.Build(r), Options{Focus: "nsg-bastion"})
	if err != nil {
		t.Fatal(err)
	}
	if len(d.edges) != len(r.Results) {
		t.Errorf("focus nsg-bastion draws %d flows, want every one of %d", len(d.edges), len(r.Results))
	}

	err = Render(io.Discard, DOT, r, Options{Focus: "vm-nope"})
	if err == nil || !strings.Contains(err.Error(), `"vm-nope"`) || !strings.Contains(err.Error(), "vm-linux-1") {
		t.Errorf("Render(focus vm-nope) = %v, want an error naming it and the candidates", err)
	}
}

// TestCollapse draws one node per subnet when there are too many VMs, and
// one edge per kind of flow with the worst verdict.
func TestCollapse(t *testing.T) {
	name := largest(t)
	r := simtest.Scenario(t, name)
	d, err := build(flowgraph.Build(r), Options{CollapseAbove: 1})
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, e := range d.edges {
		total += len(e.results)
		worst := topology.VerdictAllow
		for _, res := range e.results {
			if verdictRank(res.Verdict) > verdictRank(worst) {
				worst = res.Verdict
			}
		}
		if e.verdict != worst {
			t.Errorf("edge %s: verdict %s, want the worst %s", e.id, e.verdict, worst)
		}
		if len(e.results) > 1 && !strings.Contains(e.label[0], fmt.Sprintf("× %d", len(e.results))) {
			t.Errorf("edge %s: label %q lacks the count %d", e.id, e.label[0], len(e.results))
		}
	}
	if total != len(r.Results) {
		t.Errorf("collapsed edges carry %d flows, want %d", total, len(r.Results))
	}
	if len(d.edges) >= len(r.Results) {
		t.Errorf("collapsing %s left %d edges for %d flows", name, len(d.edges), len(r.Results))
	}
	for _, vb := range d.vnets {
		for _, sb := range vb.subnets {
			for _, n := range sb.nodes {
				if n.kind == nodeVM {
					t.Errorf("VM %s still drawn when collapsed", n.name)
				}
			}
		}
	}
	edges := parseSVG(t, render(t, SVG, r, Options{CollapseAbove: 1}))
	flows := 0
	for _, e := range edges {
		if strings.Contains(e.class, "flow") {
			flows++
		}
	}
	if flows != len(d.edges) {
		t.Errorf("collapsed SVG has %d flow edges, want %d", flows, len(d.edges))
	}
	// Not collapsed at or under the threshold.
	d, _ = build(flowgraph.Build(r), Options{CollapseAbove: len(r.Topology.VirtualMachines)})
	if len(d.edges) != len(r.Results) {
		t.Errorf("CollapseAbove = #VMs collapsed the picture")
	}
}

// TestHighlight marks changed flows, as `nsgsim diff -o` does.
func TestHighlight(t *testing.T) {
	r := simtest.Scenario(t, "reference")
	id := "bastion-hub/ssh/vm-linux-1"
	d, err := build(flowgraph.Build(r), Options{Highlight: map[string]string{id: "was Deny"}})
	if err != nil {
		t.Fatal(err)
	}
	marked := 0
	for _, e := range d.edges {
		if e.note != "" {
			marked++
			if e.results[0].Flow.ID != id || !strings.Contains(strings.Join(e.label, "\n"), "was Deny") || !strings.Contains(e.class, "changed") {
				t.Errorf("edge %s: note %q, label %q, class %q", e.id, e.note, e.label, e.class)
			}
		}
	}
	if marked != 1 {
		t.Errorf("%d edges highlighted, want 1", marked)
	}
}

// TestPNG paints the reference scenario and a scenario with a Deny, and
// looks for the colours of their edges in the image.
func TestPNG(t *testing.T) {
	for _, name := range []string{"reference", largest(t)} {
		t.Run(name, func(t *testing.T) {
			r := simtest.Scenario(t, name)
			img, err := png.Decode(bytes.NewReader(render(t, PNG, r, defaults)))
			if err != nil {
				t.Fatalf("png.Decode: %v", err)
			}
			b := img.Bounds()
			if b.Dx() < 400 || b.Dy() < 200 {
				t.Errorf("image is %dx%d", b.Dx(), b.Dy())
			}
			if c := color.NRGBAModel.Convert(img.At(b.Min.X, b.Min.Y)).(color.NRGBA); c != (color.NRGBA{255, 255, 255, 255}) {
				t.Errorf("corner pixel %v, want a white background", c)
			}
			for _, tn := range []tone{toneAllow, toneDeny, tonePartial} {
				drawn := false
				for _, res := range r.Results {
					drawn = drawn || toneOf(res) == tn
				}
				if drawn && !hasColor(img, parseColor(tn.color())) {
					t.Errorf("no pixel of %s in the image", tn.color())
				}
			}
		})
	}
}

func hasColor(img image.Image, c color.Color) bool {
	want := color.NRGBAModel.Convert(c).(color.NRGBA)
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if color.NRGBAModel.Convert(img.At(x, y)).(color.NRGBA) == want {
				return true
			}
		}
	}
	return false
}

func TestFormatFor(t *testing.T) {
	for _, tc := range []struct {
		path, override string
		want           Format
		err            bool
	}{
		{"a.svg", "", SVG, false},
		{"a.SVG", "", SVG, false},
		{"a.png", "", PNG, false},
		{"a.dot", "", DOT, false},
		{"a.mmd", "", Mermaid, false},
		{"a.html", "", HTML, false},
		{"a.txt", "mermaid", Mermaid, false},
		{"-", "svg", SVG, false},
		{"a.txt", "", "", true},
		{"a.svg", "pdf", "", true},
	} {
		got, err := FormatFor(tc.path, tc.override)
		if got != tc.want || (err != nil) != tc.err {
			t.Errorf("FormatFor(%q, %q) = %q, %v; want %q, error %v", tc.path, tc.override, got, err, tc.want, tc.err)
		}
	}
}

// largest returns the built-in scenario with the most flows.
func largest(t testing.TB) string {
	best, n := "", -1
	for _, name := range scenarioNames(t) {
		if k := len(simtest.Scenario(t, name).Results); k > n {
			best, n = name, k
		}
	}
	return best
}

// enterprise is a generated hub-and-spoke topology in the proportions of
// issue 6's (200 VNets, 4,000 subnets, 50,000 VMs), a fifth of its size.
var enterprise = gen.Options{Seed: 1, VNets: 40, Subnets: 800, VMs: 10000, RulesPerNSG: 200}

// generated generates, loads and simulates a topology, as `nsgsim gen`
// then `nsgsim render` do.
func generated(tb testing.TB, o gen.Options) *sim.Report {
	tb.Helper()
	topo, err := gen.Generate(o)
	if err != nil {
		tb.Fatalf("gen.Generate(%+v): %v", o, err)
	}
	var buf bytes.Buffer
	if err := gen.Write(&buf, topo, "test"); err != nil {
		tb.Fatalf("gen.Write: %v", err)
	}
	topo, err = topology.Parse("gen.yaml", buf.Bytes())
	if err != nil {
		tb.Fatalf("topology.Parse(gen.Write(%+v)): %v", o, err)
	}
	r, err := sim.Simulate(topo)
	if err != nil {
		tb.Fatalf("sim.Simulate: %v", err)
	}
	return r
}

// TestCollapseVNets draws a generated enterprise topology: too large for
// one box per subnet, it collapses to one node per VNet but the hub, whose
// subnets, AzureBastionSubnet and Bastion host stay drawn.
func TestCollapseVNets(t *testing.T) {
	o := gen.Options{Seed: 1, VNets: 12, Subnets: 120, VMs: 1200, RulesPerNSG: 20}
	r := generated(t, o)
	d, err := build(flowgraph.Build(r), defaults)
	if err != nil {
		t.Fatal(err)
	}
	nodes, boxes := len(d.left)+len(d.right), 0
	var hub *vnetBox
	for _, vb := range d.vnets {
		if vb.collapsed != nil {
			nodes++
			continue
		}
		if hub != nil {
			t.Errorf("VNets %s and %s both drawn by subnet", hub.vnet.Name, vb.vnet.Name)
		}
		hub = vb
		for _, sb := range vb.subnets {
			boxes++
			nodes += len(sb.nodes)
		}
	}
	// The hub's subnets, a node per other VNet, one edge per kind group
	// and VNet (and a few of user flows).
	const maxNodes, maxEdges = 40, 80
	if nodes > maxNodes || len(d.edges) > maxEdges || boxes > maxSubnetBoxes {
		t.Errorf("collapsed to %d nodes, %d subnet boxes, %d edges; want at most %d, %d, %d", nodes, boxes, len(d.edges), maxNodes, maxSubnetBoxes, maxEdges)
	}
	if len(d.vnets) != o.VNets {
		t.Errorf("%d VNets drawn, want %d", len(d.vnets), o.VNets)
	}
	if hub == nil || hub.vnet.Name != r.Topology.BastionHosts[0].VirtualNetwork {
		t.Fatalf("the hub is not drawn by subnet")
	}
	bastion := false
	for _, sb := range hub.subnets {
		for _, n := range sb.nodes {
			bastion = bastion || n.kind == nodeBastion && sb.subnet.Name == topology.BastionSubnetName
		}
	}
	if !bastion {
		t.Errorf("the Bastion host is not drawn in AzureBastionSubnet")
	}
	if len(d.peerings) != 0 {
		t.Errorf("%d peerings drawn; a collapsed VNet's peerings are written in its node", len(d.peerings))
	}
	if !strings.Contains(d.note, "one node per VNet") || !strings.Contains(d.note, "--focus") {
		t.Errorf("note %q does not say the VNets were collapsed and how to see one", d.note)
	}

	// Every flow is on one edge; an edge to a collapsed VNet counts its
	// verdicts, has the worst colour, and names the rule that blocked most.
	flows, vnetEdges := 0, 0
	for _, e := range d.edges {
		flows += len(e.results)
		if e.from.kind != nodeVNet && e.to.kind != nodeVNet {
			continue
		}
		vnetEdges++
		var counts [3]int
		tones := map[tone]bool{}
		rules := map[string]int{}
		for _, res := range e.results {
			counts[verdictRank(res.Verdict)]++
			tones[toneOf(res)] = true
			if res.Verdict == topology.VerdictDeny {
				rules[blockedBy(res.Hops)]++
			}
		}
		// Red only when every flow is denied, orange when verdicts mix.
		want := tonePartial
		if len(tones) == 1 {
			want = toneOf(e.results[0])
		}
		if e.tone != want {
			t.Errorf("edge %s: tone %d, want %d (tones of its flows: %v)", e.id, e.tone, want, tones)
		}
		label := strings.Join(e.label, "\n")
		if want := fmt.Sprintf("%s %s: ", e.group, plural(len(e.results), "flow")); !strings.HasPrefix(label, want) {
			t.Errorf("edge %s: label %q does not start with %q", e.id, label, want)
		}
		if counts[0] > 0 && !strings.Contains(label, fmt.Sprintf("%d allowed", counts[0])) ||
			counts[2] > 0 && !strings.Contains(label, fmt.Sprintf("%d denied", counts[2])) ||
			counts[1] > 0 && !strings.Contains(label, fmt.Sprintf("%d partial", counts[1])) {
			t.Errorf("edge %s: label %q does not count %v", e.id, label, counts)
		}
		f := e.results[0].Flow
		if pp := fmt.Sprintf("%s/%d", f.Protocol, f.Port); !strings.Contains(label, pp) {
			t.Errorf("edge %s: label %q lacks %s", e.id, label, pp)
		}
		top := 0
		for _, n := range rules {
			top = max(top, n)
		}
		if top > 0 && !strings.Contains(label, " denied by ") && !strings.Contains(label, " denied, ") {
			t.Errorf("edge %s: label %q does not name the rule that denied", e.id, label)
		}
		for rule, n := range rules {
			if n == top && strings.Contains(label, "by "+rule) {
				top = -1
			}
		}
		if top > 0 {
			t.Errorf("edge %s: label %q does not name the most common blocking rule of %v", e.id, label, rules)
		}
	}
	if flows != len(r.Results) {
		t.Errorf("the edges carry %d flows, want %d", flows, len(r.Results))
	}
	if vnetEdges < o.VNets-1 {
		t.Errorf("%d edges to collapsed VNets, want one at least per spoke: %d", vnetEdges, o.VNets-1)
	}

	t.Logf("%d nodes, %d subnet boxes, %d edges", nodes, boxes, len(d.edges))
	svg := parseSVG(t, render(t, SVG, r, defaults))
	drawn := 0
	for _, e := range svg {
		if strings.Contains(" "+e.class+" ", " flow ") {
			drawn++
		}
	}
	if drawn != len(d.edges) {
		t.Errorf("the SVG has %d flow edges, want %d", drawn, len(d.edges))
	}

	// Focus on a spoke shows its subnets again.
	spoke := r.Topology.VirtualNetworks[1].Name
	d, err = build(flowgraph.Build(r), Options{CollapseAbove: defaults.CollapseAbove, Focus: spoke})
	if err != nil {
		t.Fatal(err)
	}
	vms := 0
	for _, vb := range d.vnets {
		if vb.vnet.Name == spoke && (vb.collapsed != nil || len(vb.subnets) == 0) {
			t.Errorf("focus %s: the VNet is not drawn by subnet", spoke)
		}
		if vb.vnet.Name == spoke {
			for _, sb := range vb.subnets {
				for _, n := range sb.nodes {
					if n.kind == nodeVMGroup {
						t.Errorf("focus %s: subnet %s drawn as one box of VMs, want every VM", spoke, sb.subnet.Name)
					}
					if n.kind == nodeVM {
						vms++
					}
				}
			}
		}
	}
	if vms <= defaults.CollapseAbove {
		t.Errorf("focus %s: %d VMs drawn, want the spoke's %d-odd in full detail", spoke, vms, o.VMs/o.VNets)
	}

	// Collapsing off draws every VM.
	d, err = build(flowgraph.Build(r), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(d.edges) != len(r.Results) {
		t.Errorf("CollapseAbove = 0: %d edges for %d flows", len(d.edges), len(r.Results))
	}
}

// BenchmarkRenderSVG lays out and renders the reference scenario, the
// largest built-in one and, unless -short, a generated enterprise topology
// (collapsed to one node per VNet) to SVG.
func BenchmarkRenderSVG(b *testing.B) {
	reports := map[string]func() *sim.Report{}
	names := []string{"reference", largest(b)}
	for _, name := range names {
		reports[name] = func() *sim.Report { return simtest.Scenario(b, name) }
	}
	names = append(names, "enterprise")
	reports["enterprise"] = func() *sim.Report { return generated(b, enterprise) }
	for _, name := range names {
		b.Run(name, func(b *testing.B) {
			if name == "enterprise" && testing.Short() {
				b.Skip("a generated topology of 10,000 VMs; not with -short")
			}
			r := reports[name]()
			b.ReportAllocs()
			for b.Loop() {
				if err := Render(io.Discard, SVG, r, defaults); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestIntended checks that a flow blocked as an expectation with
// intended: true says is drawn as meant: grey and dashed on its own edge,
// counted apart on an edge of a subnet, which stays green when every other
// flow is allowed, and explained in the legend.
func TestIntended(t *testing.T) {
	r := simtest.Scenario(t, "hub-three-spokes")
	const flow = "bastion-hub/rdp/dev-win-4"
	d, err := build(flowgraph.Build(r), Options{})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, e := range d.edges {
		if len(e.results) != 1 || e.results[0].Flow.ID != flow {
			continue
		}
		found = true
		if !e.results[0].Intended {
			t.Fatalf("%s is not marked intended in hub-three-spokes", flow)
		}
		label := strings.Join(e.label, "\n")
		if e.tone != toneIntended || !strings.Contains(e.class, "intended") || !strings.Contains(label, "blocked as intended by nsg-nic-quarantine/") {
			t.Errorf("edge of %s: tone %d, class %q, label %q; want intended", flow, e.tone, e.class, label)
		}
	}
	if !found || !d.intended {
		t.Errorf("no edge of %s, or the legend does not explain intended denies", flow)
	}
	var dot bytes.Buffer
	writeDOT(&dot, d, dotOptions{})
	if !strings.Contains(dot.String(), "Blocked as intended") {
		t.Errorf("the legend does not explain intended denies")
	}

	d, err = build(flowgraph.Build(r), defaults)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range d.edges {
		if !slices.ContainsFunc(e.results, func(res *sim.Result) bool { return res.Flow.ID == flow }) {
			continue
		}
		label := strings.Join(e.label, "\n")
		if e.tone != toneAllow || !strings.Contains(label, "allowed · 1 blocked as intended by nsg-nic-quarantine/") {
			t.Errorf("subnet edge with %s: tone %d, label %q; want green, counting the intended deny apart", flow, e.tone, label)
		}
	}
	if !d.intended {
		t.Errorf("by subnet: the legend does not explain intended denies")
	}
}

// TestRenderGraphSelection draws a selection of the graph of flows, as
// diff's view of the changed edges does: only the selected flows are
// drawn.
func TestRenderGraphSelection(t *testing.T) {
	r := simtest.Scenario(t, "hub-three-spokes")
	g := flowgraph.Build(r).Select(func(f *flowgraph.Flow) bool { return f.Result.Verdict == topology.VerdictDeny })
	var buf bytes.Buffer
	if err := RenderGraph(&buf, Mermaid, g, Options{}); err != nil {
		t.Fatal(err)
	}
	edges := strings.Count(buf.String(), "==>") + strings.Count(buf.String(), "-->") + strings.Count(buf.String(), "-.->")
	if edges != len(g.Flows()) || edges == 0 || edges == len(r.Results) {
		t.Errorf("RenderGraph drew %d edges for %d selected flows of %d", edges, len(g.Flows()), len(r.Results))
	}
}

// TestMermaidLayout checks the two Mermaid traps of issue 16: no flow is
// drawn as a loop (two loops on one node hide each other), and the egress
// nodes are held in separate columns (stacked, the port-80 edge to Internet
// read as AzureCloud → Internet).
func TestMermaidLayout(t *testing.T) {
	out := string(render(t, Mermaid, simtest.Scenario(t, "nic-nsg-blocks-ssh"), defaults))
	loop := regexp.MustCompile(`(?m)^  (n\d+) (-->|==>|-\.->)\|[^\n]*\| (n\d+)$`)
	for _, m := range loop.FindAllStringSubmatch(out, -1) {
		if m[1] == m[3] {
			t.Errorf("a loop on %s: %q", m[1], m[0])
		}
	}
	id := func(name string) string {
		m := regexp.MustCompile(`(?m)^  (n\d+)\(\["<b>` + name + `</b><br/>service tag · egress"\]\)$`).FindStringSubmatch(out)
		if m == nil {
			t.Fatalf("no egress node %s in\n%s", name, out)
		}
		return m[1]
	}
	if chain := id("AzureCloud") + " ~~~ " + id("Internet"); !strings.Contains(out, "\n  "+chain+"\n") {
		t.Errorf("egress not held in columns: no %q", chain)
	}
	if !strings.Contains(out, "instances") {
		t.Errorf("the Bastion data-plane flows do not end at its instances")
	}
}

// TestCollapseEmptySubnets: thousands of subnets without VMs collapse as
// many VMs do (issue 11: 3,000 empty subnets took minutes and gigabytes to
// lay out, since collapsing followed the number of VMs only).
func TestCollapseEmptySubnets(t *testing.T) {
	r := generated(t, gen.Options{Seed: 1, VNets: 30, Subnets: 3000, VMs: 0, RulesPerNSG: 5})
	d, err := build(flowgraph.Build(r), defaults)
	if err != nil {
		t.Fatal(err)
	}
	boxes, collapsed := 0, 0
	for _, vb := range d.vnets {
		if vb.collapsed != nil {
			collapsed++
			continue
		}
		boxes += len(vb.subnets)
	}
	if boxes > maxSubnetBoxes || collapsed < 29 {
		t.Errorf("%d subnet boxes and %d collapsed VNets; want at most %d boxes, the 29 spokes collapsed", boxes, collapsed, maxSubnetBoxes)
	}
	laidOut(t, r, defaults)
}

// TestDiagramBudget: a topology whose diagram stays too large even
// collapsed (3,000 VNets without flows) is refused at once with a
// positioned error, instead of a layout that takes gigabytes.
func TestDiagramBudget(t *testing.T) {
	var b strings.Builder
	b.WriteString("name: many-vnets\nvirtualNetworks:\n")
	b.WriteString("  - {name: v0, addressSpace: [10.0.0.0/24], subnets: [{name: AzureBastionSubnet, addressPrefix: 10.0.0.0/26}]}\n")
	for i := 1; i < 3000; i++ {
		fmt.Fprintf(&b, "  - {name: v%d, addressSpace: [10.%d.%d.0/24], subnets: [{name: s, addressPrefix: 10.%d.%d.0/24}]}\n", i, i/256, i%256, i/256, i%256)
	}
	b.WriteString("bastionHosts:\n  - {name: b, virtualNetwork: v0, sku: Standard}\n")
	r := simtest.YAML(t, "many.yaml", b.String())
	err := Render(io.Discard, SVG, r, Options{CollapseAbove: DefaultCollapseAbove})
	var pe *topology.Error
	if !errors.As(err, &pe) || pe.Pos.Line == 0 || !strings.Contains(pe.Msg, "--focus") {
		t.Fatalf("want a positioned error suggesting --focus, got %v", err)
	}
	if err := Render(io.Discard, DOT, r, Options{CollapseAbove: DefaultCollapseAbove, Focus: "v7"}); err != nil {
		t.Fatalf("a focused part of the same topology: %v", err)
	}
}
