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
// cmd/nsgsim parses flags and calls Load, Import, Plan or Scenario; the
// loader (package topology) and the importers (topology/azure,
// topology/terraform) read bytes and know nothing of files on disk.
package input
