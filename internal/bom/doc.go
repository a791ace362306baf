// Package bom owns byte-order marks: the UTF-8 mark that nsgsim skips at
// the start of every input (YAML, JSON, Service Tags), and the UTF-16
// marks by which it tells a file it refuses. Every package that reads an
// input calls it rather than testing the bytes itself; it imports nothing
// of nsgsim, so that the lowest of them (topology) can.
//
// It does not decide what an input with a mark means (that is the
// caller's), refuse UTF-16 (the loaders do, with their own message) or
// check the rest of the encoding.
package bom
