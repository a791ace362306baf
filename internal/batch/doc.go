// Package batch runs independent work over a list on every core, a batch
// of indexes at a time, stopping early once a piece of work fails: the one
// loop behind the parallel decoding and validation of a topology's lists
// (package topology) and the evaluation of flows (package sim). What the
// work is, and how its results and errors are gathered in order, is the
// caller's.
package batch
