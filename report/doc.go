// Package report writes a simulation report for people and for programs: a
// table for the terminal (table.go), JSON (SPEC section 6, json.go),
// Markdown for a pull-request comment (markdown.go), SARIF for code
// scanning (sarif.go), and the rule-by-rule trace of one flow as text or
// JSON (trace.go). Everything is built from the flow results' traces
// (sim.Result); nothing here decides a verdict. Every format escapes what
// it prints for its medium (escape.go), so that a name in the input cannot
// forge a report: no control character or bidirectional-text control
// reaches a terminal raw, no Markdown markup forms from a name, and JSON
// and SARIF escape them as \u escapes.
//
// It owns the text forms of one report and their escapers, which diff and
// prgate reuse. Diagrams are package render's, the comparison of two
// reports is package diff's, and which lint findings there are is package
// sim's.
package report
