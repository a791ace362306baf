// Command nsgsim simulates Azure network security groups around Azure
// Bastion: it reads a topology, decides every documented Bastion flow the way
// Azure would, and reports and draws what passes and what is blocked.
//
// Run `nsgsim help` for the commands.
//
// This package owns the command line only: the cobra commands, one a file
// (simulate.go, trace.go, render.go, diff.go, fix.go, import.go, gen.go,
// pr.go, serve.go, scenarios.go, completion.go, version.go), their flags,
// the exit codes of SPEC 5 (cli.go), which format an output's name asks for
// (formats.go), how an output file is written (output.go: all or nothing,
// never a half-written file) and the progress line (progress.go). It
// parses flags and calls the library; it decides no verdict (package sim),
// reads no input format (package input and the loaders behind it) and
// formats no report (packages report, render, diff and fix).
package main
