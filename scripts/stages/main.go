package main

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/nsgsim/nsgsim/report"
	"github.com/nsgsim/nsgsim/sim"
	"github.com/nsgsim/nsgsim/topology"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: stages FILE")
		os.Exit(2)
	}
	_ = topology.SetBudget(topology.DefaultBudget)
	lap := time.Now()
	since := func() float64 {
		d := time.Since(lap).Seconds()
		lap = time.Now()
		return d
	}
	t, err := topology.Load(os.Args[1])
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
