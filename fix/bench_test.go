package fix

import (
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/nsgsim/nsgsim/gen"
	"github.com/nsgsim/nsgsim/sim"
	"github.com/nsgsim/nsgsim/topology"
)

// estateNSGs and estateRules are the shape of issue 15's estate: 400 NSGs of
// 100 custom rules each, on 10,000 VMs.
const (
	estateVMs   = 10_000
	estateNSGs  = 400
	estateRules = 100
)

// estate builds the 10,000-VM estate with 400 NSGs × 100 rules:
// `nsgsim gen --seed 1 --vnets 40 --subnets 800 --vms 10000 --nsgs 400
// --rules-per-nsg 100`, the file scripts/bench.sh gives fix and simulate.
func estate(tb testing.TB) *topology.Topology {
	tb.Helper()
	t, err := gen.Generate(gen.Options{Seed: 1, VNets: 40, Subnets: 800, VMs: estateVMs, NSGs: estateNSGs, RulesPerNSG: estateRules})
	if err != nil {
		tb.Fatal(err)
	}
	return t
}

// BenchmarkFixVersusSimulate runs simulate (sim.Simulate) and fix
// (Compute) on the same estate, one after the other in each iteration, and
// reports the median over the iterations of fix's time over simulate's,
// wall and CPU: issue 15 bounds it at 2. Run it with -benchtime 5x for a
// median of five.
func BenchmarkFixVersusSimulate(b *testing.B) {
	t := estate(b)
	var wall, cpu []float64
	var added int
	for b.Loop() {
		w0, c0 := time.Now(), cpuTime()
		if _, err := sim.Simulate(t); err != nil {
			b.Fatal(err)
		}
		w1, c1 := time.Now(), cpuTime()
		p, err := Compute(t)
		if err != nil {
			b.Fatal(err)
		}
		w2, c2 := time.Now(), cpuTime()
		wall = append(wall, float64(w2.Sub(w1))/float64(w1.Sub(w0)))
		cpu = append(cpu, float64(c2-c1)/float64(c1-c0))
		added = len(p.Added)
		b.ReportMetric(w1.Sub(w0).Seconds(), "simulate-s")
		b.ReportMetric(w2.Sub(w1).Seconds(), "fix-s")
	}
	b.ReportMetric(median(wall), "fix/simulate")
	b.ReportMetric(median(cpu), "fix/simulate-cpu")
	b.ReportMetric(float64(added), "rules-added")
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}

// cpuTime is the CPU time (user and system) the process has used so far:
// on a machine shared with other work, it depends on the load much less
// than wall time does.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
