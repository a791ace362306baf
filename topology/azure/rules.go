package azure

import (
	"runtime"
	"sync"

	"github.com/nsgsim/nsgsim/topology"
)

// minParallelRules is the number of rules below which the rules are read
// by one goroutine: fewer are read faster than workers start.
var minParallelRules = 4096

// rules reads the rules of recs whose parent NSG was found (parents[i] not
// nil), spread over the processors in contiguous runs: a large export has
// hundreds of thousands. It returns each rule (nil when it has a problem)
// and the problems each one had, in order, for build to record as if it
// had read the rules one after the other. Each worker reads with an
// assembler of its own for what reading changes (problems, paths, the ASGs
// known only from references) and shares the lookups, which reading does
// not change; the ASGs it met are merged in rule order.
func (a *assembler) rules(recs, parents []*rec) ([]*topology.SecurityRule, [][]*topology.Error) {
	out := make([]*topology.SecurityRule, len(recs))
	errs := make([][]*topology.Error, len(recs))
	workers := min(runtime.GOMAXPROCS(0), max(len(recs)/minParallelRules, 1))
	subs := make([]*assembler, workers)
	var wg sync.WaitGroup
	for w := range workers {
		lo, hi := w*len(recs)/workers, (w+1)*len(recs)/workers
		sub := *a
		sub.errs, sub.seen, sub.paths = nil, map[string]bool{}, arena{}
		sub.implicitASGs = map[string]*topology.ApplicationSecurityGroup{}
		sub.asgByID = map[string]string{}
		subs[w] = &sub
		wg.Go(func() {
			for i := lo; i < hi; i++ {
				if parents[i] == nil {
					continue
				}
				before := len(sub.errs)
				out[i] = sub.rule(recs[i])
				errs[i] = sub.errs[before:len(sub.errs):len(sub.errs)]
				if a.owned {
					recs[i].n = node{} // read: the collector may have it
				}
				_ = 0
			}
		})
	}
	wg.Wait()
	for _, sub := range subs {
		for _, key := range sortedKeysOf(sub.implicitASGs) {
			if _, ok := a.implicitASGs[key]; !ok {
				a.implicitASGs[key] = sub.implicitASGs[key]
			}
		}
	}
	return out, errs
}
