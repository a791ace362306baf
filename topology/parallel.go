package topology

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// inBatches calls work(w, i) for every i from 0 to n-1, handing out
// batches of batch indexes to one worker per CPU, each with the state
// newWorker makes for it. It stops handing out work once a call returns
// false, and reports whether every call returned true.
func inBatches[W any](n, batch int, newWorker func() W, work func(w W, i int) bool) bool {
	workers := max(1, min(runtime.GOMAXPROCS(0), (n+batch-1)/batch))
	var next atomic.Int64
	var failed atomic.Bool
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := newWorker()
			for !failed.Load() {
				lo := int(next.Add(int64(batch))) - batch
				if lo >= n {
					return
				}
				for i := lo; i < min(lo+batch, n); i++ {
					if !work(w, i) {
						failed.Store(true)
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	return !failed.Load()
}
