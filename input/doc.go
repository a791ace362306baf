// Package input is nsgsim's input edge: every file a command is given comes
// in here. It reads the file (a missing, unreadable or directory input is a
// positioned error like any other), strips a UTF-8 byte-order mark once,
// tells the file's kind from its content (a YAML topology, az CLI or ARM
// REST JSON, an ARM deployment template, or `terraform show -json` output),
// and hands it to the YAML loader or to the importer of that kind, each
// behind one signature (importer). Options carries what a command's flags
// give: the kind, ARM parameters, a Service Tags file, the plan's prior
// state.
//
// cmd/nsgsim parses flags and calls Load, Import, Plan or Scenario. The
// file itself is read by topology.ReadFile, which bounds its size by the
// memory budget; the importers (topology/azure, topology/terraform) read
// bytes, and reach the disk only for what a template names (its linked
// templates and parameters file), through the same ReadFile.
//
// It owns reading an input, dispatch by kind and the one call per
// importer. It parses no format itself: YAML is package topology's, the JSON
// formats are topology/azure's and topology/terraform's; what a byte-order
// mark is, is package internal/bom's.
package input
