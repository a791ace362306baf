package sim

import (
	"fmt"
	"testing"

	"github.com/nsgsim/nsgsim/internal/hostile"
	"github.com/nsgsim/nsgsim/topology"
)

// hostileRules is hostile.DistinctRules(n) loaded: issue 11's
// bounded-work case.
func hostileRules(tb testing.TB, n int) *topology.Topology {
	tb.Helper()
	t, err := topology.Parse("hostile.yaml", []byte(hostile.DistinctRules(n)))
	if err != nil {
		tb.Fatal(err)
	}
	return t
}

// BenchmarkHostileRules simulates hostileRules topologies: issue 11 asks
// 500 rules to end within 5 s and 1 GiB (B/op, all that one simulation
// allocates, bounds its peak memory).
func BenchmarkHostileRules(b *testing.B) {
	for _, n := range []int{200, 500} {
		t := hostileRules(b, n)
		b.Run(fmt.Sprintf("rules=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			cpu0 := cpuTime()
			for b.Loop() {
				if _, err := Simulate(t); err != nil {
					b.Fatal(err)
				}
			}
			reportCPU(b, cpu0)
		})
	}
}
