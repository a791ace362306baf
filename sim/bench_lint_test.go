package sim

import (
	"fmt"
	"syscall"
	"testing"
	"time"

	"github.com/nsgsim/nsgsim/gen"
	"github.com/nsgsim/nsgsim/topology"
)

// lintEstate builds the shape of issue 15's lint target: nsgs NSGs of about
// rules custom rules each, every one attached to a subnet of its own. The
// rule sets are gen's workload and legacy NSGs (package gen) of that size,
// copied under new names; gen shares one NSG among many subnets, so the
// estate is built in memory rather than by gen alone.
func lintEstate(tb testing.TB, nsgs, rules int) *topology.Topology {
	tb.Helper()
	t, err := gen.Generate(gen.Options{Seed: 1, VNets: min(40, nsgs), Subnets: nsgs + 1, VMs: nsgs, RulesPerNSG: rules})
	if err != nil {
		tb.Fatal(err)
	}
	var sets, keep []*topology.NetworkSecurityGroup
	for _, n := range t.NetworkSecurityGroups {
		if len(n.SecurityRules) >= rules*24/25 {
			sets = append(sets, n)
		} else {
			keep = append(keep, n)
		}
	}
	if len(sets) == 0 {
		tb.Fatalf("gen made no NSG of about %d rules", rules)
	}
	k := 0
	for _, v := range t.VirtualNetworks {
		for _, s := range v.Subnets {
			if s.Name == topology.BastionSubnetName {
				continue
			}
			src := sets[k%len(sets)]
			n := *src
			n.Name = fmt.Sprintf("nsg-lint-%04d", k)
			n.SecurityRules = make([]*topology.SecurityRule, len(src.SecurityRules))
			for j, r := range src.SecurityRules {
				c := *r
				n.SecurityRules[j] = &c
			}
			keep = append(keep, &n)
			s.NetworkSecurityGroup = n.Name
			k++
		}
	}
	t.NetworkSecurityGroups = keep
	return t
}

// BenchmarkShadowedLint measures the shadowed-rule check (NSG005) alone,
// rule indexes included, on a newly compiled engine of n NSGs × about 1,000
// rules, each NSG attached once. Issue 15 asks 2,000 × 1,000 in under 10 s.
func BenchmarkShadowedLint(b *testing.B) {
	for _, n := range []int{200, 2000} {
		t := lintEstate(b, n, 1000)
		b.Run(fmt.Sprintf("nsgs=%d", n), func(b *testing.B) {
			cpu0 := cpuTime()
			var found int
			for b.Loop() {
				// A new engine each time: the rule indexes the check
				// builds are part of its cost.
				b.StopTimer()
				c0 := cpuTime()
				e, err := Compile(t)
				if err != nil {
					b.Fatal(err)
				}
				cpu0 += cpuTime() - c0 // not the check's
				b.StartTimer()
				var l findingList
				e.checkShadowed(&l)
				found = len(l)
			}
			b.ReportMetric(float64(found), "findings")
			reportCPU(b, cpu0)
		})
	}
}

// cpuTime is the CPU time (user and system) the process has used so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportCPU reports the CPU seconds per operation since start: on a
// machine shared with other work, wall time depends on the load and CPU
// time much less.
func reportCPU(b *testing.B, start time.Duration) {
	b.ReportMetric((cpuTime()-start).Seconds()/float64(b.N), "cpu-s/op")
}
