//go:build !unix

package azure

import "time"

// cpuTime is 0 where the process's CPU time is not read (BenchmarkImportAz50k
// then reports 0 cpu-s/op).
func cpuTime() time.Duration { return 0 }
