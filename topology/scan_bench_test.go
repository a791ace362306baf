package topology_test

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/nsgsim/nsgsim/gen"
	"github.com/nsgsim/nsgsim/topology"
)

// BenchmarkParse compares the topology scanner with the yaml.v3 path on
// generated topologies: VMs and NSGs × rules.
func BenchmarkParse(b *testing.B) {
	for _, o := range []gen.Options{
		{Seed: 1, VNets: 4, Subnets: 80, VMs: 1000, RulesPerNSG: 200},
		{Seed: 1, VNets: 40, Subnets: 800, VMs: 10000, RulesPerNSG: 200, NSGs: 400},
	} {
		data, nsgs := generated(b, o)
		name := fmt.Sprintf("vms=%d,nsgs=%d", o.VMs, nsgs)
		b.Run(name+"/scanner", func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				if _, ok, err := topology.ParseScanned("bench.yaml", data); !ok || err != nil {
					b.Fatalf("ParseScanned = %v, %v", ok, err)
				}
			}
		})
		b.Run(name+"/yaml.v3", func(b *testing.B) {
			// yaml.v3 holds the whole node tree: a budget that allows it.
			defer topology.SetBudget(topology.DefaultBudget)
			if err := topology.SetBudget(16 << 30); err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := topology.ParseYAMLv3("bench.yaml", data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkLoadLarge loads a whole tenant as large estates have it (issue
// 15): 50,000 VMs and 2,000 NSGs of 200 rules each, about 100 MB of YAML,
// the way Load does (ParseOwned: the topology keeps its strings in the
// file's bytes). Scanning, decoding and Validate are all in the time.
func BenchmarkLoadLarge(b *testing.B) {
	data, nsgs := generated(b, gen.Options{Seed: 1, VNets: 200, Subnets: 4000, VMs: 50000, RulesPerNSG: 200, NSGs: 2000})
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		got, err := topology.ParseOwned("bench.yaml", data, nil)
		if err != nil {
			b.Fatal(topology.ErrorText(err))
		}
		if len(got.NetworkSecurityGroups) != nsgs {
			b.Fatalf("%d NSGs, want %d", len(got.NetworkSecurityGroups), nsgs)
		}
	}
}

// generated returns the YAML of the topology gen makes with o, and how
// many NSGs it has.
func generated(b *testing.B, o gen.Options) ([]byte, int) {
	t, err := gen.Generate(o)
	if err != nil {
		b.Fatal(err)
	}
	var buf bytes.Buffer
	if err := gen.Write(&buf, t, "bench"); err != nil {
		b.Fatal(err)
	}
	return buf.Bytes(), len(t.NetworkSecurityGroups)
}
