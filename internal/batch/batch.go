package batch

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// Run calls work(w, i) for every i from 0 to n-1, handing out batches of
// size indexes to one goroutine per CPU (no more than there are batches),
// each with the state newWorker makes for it. Once a call returns false, no
// further call starts; Run reports whether every call returned true. done,
// when not nil, is called after each batch a worker finishes, with the
// number of indexes handed out and finished so far (from several
// goroutines, so it must be safe for that).
func Run[W any](n, size int, newWorker func() W, work func(w W, i int) bool, done func(finished int)) bool {
	workers := max(1, min(runtime.GOMAXPROCS(0), (n+size-1)/size))
	var next, finished atomic.Int64
	var failed atomic.Bool
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := newWorker()
			for !failed.Load() {
				lo := int(next.Add(int64(size))) - size
				if lo >= n {
					return
				}
				hi := min(lo+size, n)
				for i := lo; i < hi && !failed.Load(); i++ {
					if !work(w, i) {
						failed.Store(true)
					}
				}
				if done != nil {
					done(int(finished.Add(int64(hi - lo))))
				}
			}
		}()
	}
	wg.Wait()
	return !failed.Load()
}
