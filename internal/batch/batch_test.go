package batch

import (
	"sync/atomic"
	"testing"
)

// Every index is worked on once, by workers that each got their own state,
// and done sees every index finished.
func TestRunEveryIndexOnce(t *testing.T) {
	for _, n := range []int{0, 1, 63, 64, 65, 1000} {
		seen := make([]atomic.Int32, n)
		var workers, last atomic.Int64
		ok := Run(n, 64, func() *int { workers.Add(1); return new(int) }, func(w *int, i int) bool {
			*w++
			seen[i].Add(1)
			return true
		}, func(finished int) {
			for {
				l := last.Load()
				if int64(finished) <= l || last.CompareAndSwap(l, int64(finished)) {
					return
				}
			}
		})
		if !ok {
			t.Errorf("n=%d: Run reported a failure; no work failed", n)
		}
		for i := range seen {
			if c := seen[i].Load(); c != 1 {
				t.Errorf("n=%d: index %d worked on %d times, want once", n, i, c)
			}
		}
		if int(last.Load()) != n {
			t.Errorf("n=%d: done saw %d finished at most, want %d", n, last.Load(), n)
		}
		if workers.Load() < 1 {
			t.Errorf("n=%d: no worker made", n)
		}
	}
}

// Once a call fails, Run reports it and starts no further batch.
func TestRunStopsAtFailure(t *testing.T) {
	const n, size = 100000, 64
	var calls atomic.Int64
	ok := Run(n, size, func() struct{} { return struct{}{} }, func(_ struct{}, i int) bool {
		calls.Add(1)
		return i != 10
	}, nil)
	if ok {
		t.Fatal("Run reported success; index 10 failed")
	}
	// Each worker finishes at most the index it is on once another fails,
	// so far fewer than n calls are made.
	if c := calls.Load(); c >= n/2 {
		t.Errorf("%d calls after a failure at index 10, want far fewer than %d", c, n)
	}
}
