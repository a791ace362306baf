package fix

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/nsgsim/nsgsim/gen"
	"github.com/nsgsim/nsgsim/topology"
)

// BenchmarkWriteEdited measures the forms of a fix of a generated 10,000-VM
// YAML file: az, which only prints the plan, against yaml and patch, which
// read the file, edit it as text and load the result back to check it.
func BenchmarkWriteEdited(b *testing.B) {
	t, err := gen.Generate(gen.Options{Seed: 1, VNets: 20, Subnets: 400, VMs: 10_000, RulesPerNSG: 50})
	if err != nil {
		b.Fatal(err)
	}
	var src bytes.Buffer
	if err := gen.Write(&src, t, ""); err != nil {
		b.Fatal(err)
	}
	path := filepath.Join(b.TempDir(), "estate.yaml")
	if err := os.WriteFile(path, src.Bytes(), 0o644); err != nil {
		b.Fatal(err)
	}
	topo, err := topology.Load(path)
	if err != nil {
		b.Fatal(err)
	}
	plan, err := Compute(topo)
	if err != nil {
		b.Fatal(err)
	}
	if len(plan.Added)+len(plan.Moves) == 0 {
		b.Fatal("the generated estate needs no fix; nothing to measure")
	}
	for _, format := range []string{"az", "yaml", "patch"} {
		b.Run(format, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := plan.Write(io.Discard, format); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
