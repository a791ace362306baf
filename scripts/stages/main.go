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
	results, err := e.EvaluateAll(sim.Flows(t))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	evaluate := since()
	if _, err := e.Findings(results); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	lint := since()
	r, err := e.Simulate() // the whole report, untimed: its parts are timed above
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	since()
	if err := report.WriteJSON(io.Discard, r); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	output := since()
	fmt.Printf("%.2f %.2f %.2f %.2f %.2f\n", load, compile, evaluate, lint, output)
}
