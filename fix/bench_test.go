package fix

import (
	"fmt"
	"testing"

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

// estate builds the 10,000-VM estate with 400 NSGs × 100 rules. The
// generator (package gen) shares one workload NSG among twenty spokes, so
// the estate takes its VNets, subnets and VMs from gen and deals the
// workload subnets out to 400 NSGs, each a copy of one of gen's workload
// NSGs (100 rules, named for their spokes' address spaces) under its own
// name. It is built in memory: 40,000 rules are past the YAML loader's node
// limit.
func estate(tb testing.TB) *topology.Topology {
	tb.Helper()
	t, err := gen.Generate(gen.Options{Seed: 1, VNets: 40, Subnets: 800, VMs: estateVMs, RulesPerNSG: estateRules})
	if err != nil {
		tb.Fatal(err)
	}
	var workload []*topology.NetworkSecurityGroup
	for _, n := range t.NetworkSecurityGroups {
		if len(n.SecurityRules) == estateRules {
			workload = append(workload, n)
		}
	}
	if len(workload) == 0 {
		tb.Fatalf("gen made no NSG of %d rules", estateRules)
	}
	var nsgs []*topology.NetworkSecurityGroup
	for _, n := range t.NetworkSecurityGroups {
		if len(n.SecurityRules) != estateRules {
			nsgs = append(nsgs, n)
		}
	}
	for i := range estateNSGs {
		src := workload[i%len(workload)]
		n := *src
		n.Name = fmt.Sprintf("nsg-workload-%03d", i)
		n.SecurityRules = make([]*topology.SecurityRule, len(src.SecurityRules))
		for j, r := range src.SecurityRules {
			c := *r
			n.SecurityRules[j] = &c
		}
		nsgs = append(nsgs, &n)
	}
	t.NetworkSecurityGroups = nsgs
	k := 0
	for _, v := range t.VirtualNetworks {
		for _, s := range v.Subnets {
			if s.Name == topology.BastionSubnetName || s.NetworkSecurityGroup == "" {
				continue
			}
			s.NetworkSecurityGroup = fmt.Sprintf("nsg-workload-%03d", k%estateNSGs)
			k++
		}
	}
	return t
}

// BenchmarkFixVersusSimulate measures fix (Compute) and simulate
// (sim.Simulate) on the same estate; the ratio of their medians is what
// issue 15 bounds at 2.
func BenchmarkFixVersusSimulate(b *testing.B) {
	t := estate(b)
	b.Run("simulate", func(b *testing.B) {
		for b.Loop() {
			if _, err := sim.Simulate(t); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("fix", func(b *testing.B) {
		for b.Loop() {
			p, err := Compute(t)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(len(p.Added)), "rules-added")
		}
	})
}
