// Package report writes a simulation report for people and for programs: a
// table for the terminal, JSON (SPEC section 6), and Markdown for a pull
// request comment. Everything is built from the flow results' traces
// (sim.Result); nothing here decides a verdict. Every format escapes what
// it prints for its medium (escape.go), so that a name in the input cannot
// forge a report: no control character or bidirectional-text control
// reaches a terminal raw, no Markdown markup forms from a name, and JSON
// and SARIF escape them as \u escapes.
package report
