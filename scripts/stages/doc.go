// Command stages times each stage of `nsgsim simulate --format json` on one
// topology, for scripts/bench.sh: load (read and parse the file, validate),
// compile (the engine), evaluate (every flow), lint (the findings) and
// output (the JSON report). It prints one line of seconds,
//
//	load compile evaluate lint output
//
// Wall time, CPU time and peak memory of the whole run come from running
// nsgsim itself under GNU time; this program only splits the time between
// stages, with the same library calls nsgsim makes. It owns no stage: each
// is the library's, and it is not a benchmark (those are `go test -bench`).
//
// Usage: go run ./scripts/stages FILE
package main
