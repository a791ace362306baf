package report

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/nsgsim/nsgsim/gen"
	"github.com/nsgsim/nsgsim/scenarios"
	"github.com/nsgsim/nsgsim/sim"
	"github.com/nsgsim/nsgsim/topology"
)

// TestWriteJSONStreams checks that the streamed JSON is byte for byte the
// encoding of the whole document, on every scenario and on a generated
// topology with Partial flows, findings and many segments, written in one
// window of flows or in many.
func TestWriteJSONStreams(t *testing.T) {
	defer func(w int) { elementWindow = w }(elementWindow)
	for _, w := range []int{elementWindow, 7, 1} {
		elementWindow = w
		testWriteJSONStreams(t)
	}
}

func testWriteJSONStreams(t *testing.T) {
	var topos []*topology.Topology
	for _, s := range scenarios.List() {
		topo, err := scenarios.Load(s.Name)
		if err != nil {
			t.Fatalf("scenario %s: %v", s.Name, err)
		}
		topos = append(topos, topo)
	}
	g, err := gen.Generate(gen.Options{Seed: 3, VNets: 6, Subnets: 40, VMs: 300, RulesPerNSG: 60})
	if err != nil {
		t.Fatal(err)
	}
	topos = append(topos, g, &topology.Topology{Name: "empty"})
	for _, topo := range topos {
		r, err := sim.Simulate(topo)
		if err != nil {
			t.Fatalf("%s: Simulate: %v", topo.Name, err)
		}
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		if err := enc.Encode(NewDocument(r)); err != nil {
			t.Fatal(err)
		}
		var got bytes.Buffer
		if err := WriteJSON(&got, r); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.Bytes(), want.Bytes()) {
			i := 0
			for i < min(got.Len(), want.Len()) && got.Bytes()[i] == want.Bytes()[i] {
				i++
			}
			t.Errorf("%s, %d flows a window: WriteJSON differs from the whole document's encoding at byte %d:\n got: %q\nwant: %q",
				topo.Name, elementWindow, i, got.Bytes()[max(0, i-80):min(got.Len(), i+80)], want.Bytes()[max(0, i-80):min(want.Len(), i+80)])
		}
	}
}
