package render

import (
	"bytes"
	"encoding/xml"
	"html"
	"regexp"
	"strconv"
	"testing"

	"github.com/nsgsim/nsgsim/internal/simtest"
	"github.com/nsgsim/nsgsim/sim"
	"github.com/nsgsim/nsgsim/topology"
)

// mxCell is a cell of draw.io XML, with the UserObject that carries its id
// and label when it has one.
type mxCell struct {
	ID, Parent, Style, Source, Target string
	Vertex, Edge                      bool
	X, Y, W, H                        float64
}

// readDrawio reads the cells of a draw.io file, failing on XML that does
// not parse.
func readDrawio(t *testing.T, data []byte) []mxCell {
	t.Helper()
	var file struct {
		Diagram struct {
			Model struct {
				Root struct {
					Cells []rawCell `xml:"mxCell"`
					Users []struct {
						ID    string  `xml:"id,attr"`
						Label string  `xml:"label,attr"`
						Cell  rawCell `xml:"mxCell"`
					} `xml:"UserObject"`
				} `xml:"root"`
			} `xml:"mxGraphModel"`
		} `xml:"diagram"`
	}
	if err := xml.Unmarshal(data, &file); err != nil {
		t.Fatalf("draw.io XML: %v", err)
	}
	var out []mxCell
	add := func(id string, c rawCell) {
		num := func(s string) float64 { v, _ := strconv.ParseFloat(s, 64); return v }
		out = append(out, mxCell{ID: id, Parent: c.Parent, Style: c.Style, Source: c.Source, Target: c.Target,
			Vertex: c.Vertex == "1", Edge: c.Edge == "1",
			X: num(c.Geometry.X), Y: num(c.Geometry.Y), W: num(c.Geometry.W), H: num(c.Geometry.H)})
	}
	root := file.Diagram.Model.Root
	for _, c := range root.Cells {
		add(c.ID, c)
	}
	for _, u := range root.Users {
		add(u.ID, u.Cell)
	}
	return out
}

type rawCell struct {
	ID       string `xml:"id,attr"`
	Parent   string `xml:"parent,attr"`
	Style    string `xml:"style,attr"`
	Source   string `xml:"source,attr"`
	Target   string `xml:"target,attr"`
	Vertex   string `xml:"vertex,attr"`
	Edge     string `xml:"edge,attr"`
	Geometry struct {
		X string `xml:"x,attr"`
		Y string `xml:"y,attr"`
		W string `xml:"width,attr"`
		H string `xml:"height,attr"`
	} `xml:"mxGeometry"`
}

// checkDrawio checks the structure of a draw.io diagram: unique ids, every
// cell's parent exists, every vertex lies inside its container, every edge
// joins two vertices, and the VNets, subnets, Bastion hosts and VMs of
// the diagram are cells with draw.io's Azure icons.
func checkDrawio(t *testing.T, data []byte, r *sim.Report) {
	t.Helper()
	cells := readDrawio(t, data)
	byID := map[string]mxCell{}
	for _, c := range cells {
		if _, dup := byID[c.ID]; dup {
			t.Errorf("cell id %q twice", c.ID)
		}
		byID[c.ID] = c
	}
	if _, ok := byID["0"]; !ok {
		t.Fatal("no root cell 0")
	}
	containers := 0
	for _, c := range cells {
		if c.ID == "0" {
			continue
		}
		p, ok := byID[c.Parent]
		if !ok {
			t.Errorf("cell %q: parent %q does not exist", c.ID, c.Parent)
			continue
		}
		if c.Edge {
			for _, end := range []string{c.Source, c.Target} {
				if e, ok := byID[end]; !ok || !e.Vertex {
					t.Errorf("edge %q: end %q is not a vertex", c.ID, end)
				}
			}
		}
		if !c.Vertex || !p.Vertex {
			continue
		}
		const tol = 0.5
		if c.X < -tol || c.Y < -tol || c.X+c.W > p.W+tol || c.Y+c.H > p.H+tol {
			t.Errorf("cell %q (%g,%g %g×%g) is not inside its container %q (%g×%g)", c.ID, c.X, c.Y, c.W, c.H, p.ID, p.W, p.H)
		}
		containers++
	}
	t.Logf("%d cells, %d inside containers", len(cells), containers)
	want := []string{iconVNet}
	for _, bh := range r.Topology.BastionHosts {
		if bh.SKU != topology.Developer {
			want = append(want, iconBastion)
			break
		}
	}
	if len(r.Topology.VirtualMachines) > 0 {
		want = append(want, iconVM)
	}
	for _, icon := range want {
		if !bytes.Contains(data, []byte(icon)) {
			t.Errorf("no cell shows %s", icon)
		}
	}
}

// TestDrawio checks the draw.io output of every built-in scenario and of
// the 300-VM estate, and that the .drawio.svg picture carries the same
// diagram in its content attribute.
func TestDrawio(t *testing.T) {
	reports := map[string]*sim.Report{}
	for _, name := range scenarioNames(t) {
		reports[name] = simtest.Scenario(t, name)
	}
	reports["300 VMs"] = generated(t, estates[1].o)
	for name, r := range reports {
		t.Run(name, func(t *testing.T) {
			data := render(t, Drawio, r, defaults)
			checkDrawio(t, data, r)
			if name != "hub-three-spokes" {
				return
			}
			pic := render(t, DrawioSVG, r, defaults)
			m := regexp.MustCompile(`<svg[^>]* content="([^"]*)"`).FindSubmatch(pic)
			if m == nil {
				t.Fatal("drawio.svg: no content attribute on the <svg> element")
			}
			if got := html.UnescapeString(string(m[1])); got != string(data) {
				t.Errorf("drawio.svg carries a diagram that differs from the .drawio output")
			}
			if !bytes.Contains(pic, []byte("<g id=\"nsgsim\"")) {
				t.Errorf("drawio.svg does not hold Graphviz's picture")
			}
		})
	}
}
