// Package report writes a simulation report for people and for programs: a
// table for the terminal, JSON (SPEC section 6), and Markdown for a pull
// request comment. Everything is built from the flow results' traces
// (sim.Result); nothing here decides a verdict.
package report
