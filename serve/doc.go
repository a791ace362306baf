// Package serve is `nsgsim serve`: a local web page, in the way
// `go tool pprof -http` works, on which a reviewer toggles and edits NSG
// rules on a design and watches every Bastion flow change.
//
// The server lays the diagram out with the render package (nsgsim's own
// Graphviz), so the page draws the picture `nsgsim render` draws; the browser
// pans, zooms, clicks and recolours. Every verdict comes from the sim
// package, the engine behind `simulate`; traces are written by report's trace
// writer, changes by the diff package, and the edits as YAML, az commands,
// Bicep or Terraform by the fix package's emitters.
//
// Evaluation is stateless: the page keeps its edits (and its focus) in its
// URL and sends the whole list with each request; the server applies them to
// the file's topology afresh and keeps no per-user state. It never writes the
// user's file; when the file changes on disk, it reloads it and the page
// follows.
//
// Safe by default: it listens on 127.0.0.1, answers only requests whose Host
// header names that address (against DNS rebinding), wants a per-run token on
// every API request, serves every asset from the binary (embed) under a
// Content-Security-Policy that allows only its own script, and inserts names
// from the topology as text, never as markup.
//
// The rules' semantics are those of "Network security groups"
// (https://learn.microsoft.com/en-us/azure/virtual-network/network-security-groups-overview)
// and of "Configure NSG rules for Azure Bastion"
// (https://learn.microsoft.com/en-us/azure/bastion/bastion-nsg).
//
// It owns the HTTP server, its JSON API, the page and its assets, and the
// applying of a page's edits to a fresh copy of the topology. Everything it
// shows is decided, laid out and written by the packages named above.
package serve
