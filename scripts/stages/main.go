// Command stages times each stage of `nsgsim simulate --format json` on one
// topology, for scripts/bench.sh: load (read and parse the file, validate),
// compile (the engine), evaluate (every flow), lint (the findings) and
// output (the JSON report). It prints one line of seconds,
//
//	load compile evaluate lint output
//
// Wall time, CPU time and peak memory of the whole run come from running
// nsgsim itself under GNU time; this program only splits the time between
// stages, with the same library calls nsgsim makes.
//
// FILE is any input simulate reads (YAML, or az JSON and the other imported
// kinds, told from the content as simulate tells them); -memory-budget is
// simulate's --memory-budget.
//
// Usage: go run ./scripts/stages [-memory-budget SIZE] FILE
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/nsgsim/nsgsim/input"
	"github.com/nsgsim/nsgsim/report"
	"github.com/nsgsim/nsgsim/sim"
	"github.com/nsgsim/nsgsim/topology"
)

func main() {
	budget := flag.String("memory-budget", topology.DefaultBudget.String(), "the memory budget `SIZE`, as simulate's --memory-budget")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: stages [-memory-budget SIZE] FILE")
		os.Exit(2)
	}
	b, err := topology.ParseBudget(*budget)
	if err == nil {
		err = topology.SetBudget(b)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	lap := time.Now()
	since := func() float64 {
		d := time.Since(lap).Seconds()
		lap = time.Now()
		return d
	}
	t, err := input.Load(flag.Arg(0), input.Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, topology.ErrorText(err))
		os.Exit(2)
	}
	load := since()
	e, err := sim.Compile(t)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	compile := since()
	results := e.EvaluateAll(sim.Flows(t))
	evaluate := since()
	e.Findings(results)
	lint := since()
	r := e.Simulate() // the whole report, untimed: its parts are timed above
	since()
	if err := report.WriteJSON(io.Discard, r); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	output := since()
	fmt.Printf("%.2f %.2f %.2f %.2f %.2f\n", load, compile, evaluate, lint, output)
}
