//go:build race

package gen

// raceEnabled is true under the race detector, which makes the 50,000-VM
// test slow without checking anything more: generating and loading are
// single-threaded.
const raceEnabled = true
