// Package simtest holds the test helpers that load a topology (a built-in
// scenario, YAML given as text, or package hostile's hostile-name topology)
// and simulate it, failing the test on any error: the one way the tests of
// flowgraph, render, report, diff and serve get a report to work on.
//
// It is imported only from _test.go files, and not by the tests of sim,
// scenarios, topology or hostile themselves, which it imports. The
// hostile names and topologies are package hostile's; golden files and
// topology dumps are package topotest's.
package simtest
