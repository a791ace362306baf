package serve

import (
	"testing"

	"github.com/nsgsim/nsgsim/render"
	"github.com/nsgsim/nsgsim/topology"
)

// BenchmarkEvaluate measures what one rule toggle costs the server on the
// 2,000-VM estate: apply the edit, simulate, compare with the file, and
// draw the DOT text the page recolours from.
func BenchmarkEvaluate(b *testing.B) {
	topo := loadEstate(b)
	s, err := New(Options{Load: func() (*topology.Topology, error) { return topo, nil }, CollapseAbove: render.DefaultCollapseAbove})
	if err != nil {
		b.Fatal(err)
	}
	base := s.src.get()
	g := topo.NetworkSecurityGroups[len(topo.NetworkSecurityGroups)-1]
	edits := []Edit{{Op: OpDisable, NSG: g.Name, Rule: g.SecurityRules[0].Name}}
	b.Run("revise", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			evaluate(base, edits, false)
		}
	})
	ev := evaluate(base, edits, false)
	b.Run("dot", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			dot, _ := ev.dot(ev.renderOptions(render.DefaultCollapseAbove, ""))
			readDOT(dot)
		}
	})
}
