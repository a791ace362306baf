// Package topology is nsgsim's model of an Azure deployment around Azure
// Bastion: virtual networks and subnets, network security groups and their
// rules, application security groups, virtual machines, Bastion hosts, the
// clients users connect from, extra flows and expectations.
//
// Load reads the YAML topology format of SPEC section 1. It walks the
// yaml.Node tree by hand so that every problem carries FILE:LINE:COL, and it
// reports every problem at once as a sorted ErrorList. Error, with Pos
// (file, line, column and, for JSON input, the JSON path) and related
// positions such as "first at", is the one positioned error of every input:
// the YAML loader, the JSON importers and the Service Tags reader report
// through it, and ErrorText prints a list, one problem a line. Field names follow the
// ARM property names of Microsoft.Network (networkSecurityGroup.json,
// SecurityRulePropertiesFormat), so a rule copied out of
// `az network nsg rule list -o json` loads unchanged:
// https://learn.microsoft.com/en-us/rest/api/virtualnetwork/security-rules
//
// The loader is split by job: readfile.go reads a file and checks its
// encoding; limits.go holds the memory budget the input limits follow
// from; scan.go and scanload.go are the topology scanner, which reads the
// YAML topology files are made of into yaml.Node values, a top-level
// list's items in parallel, and hands anything else to yaml.v3;
// prescan.go counts nodes before yaml.v3 builds them and limits.go bounds
// aliases and depth after; yamlsyntax.go parses with yaml.v3 and
// yamllocate.go places its syntax errors at the offending token; nodes.go
// reads typed values from nodes; schema.go decodes each object of SPEC
// section 1; suggest.go makes the "did you mean" suggestions; load.go runs
// them in order and adds the problems Validate finds.
//
// The decoder reports what the model cannot hold: a value of the wrong
// type, an address that does not parse, a port past 65535 (ports are
// uint16). Ranges the model can hold (a priority, a custom port 0) and
// references between objects are Validate's, which the JSON importers run
// too. Where the decoder reports a field's value and leaves the field
// empty or zero, it marks the field failed (Origin.SetFailed), and Validate
// does not report it again as missing, empty or out of range. The service
// tag of an address is the one reference the decoder resolves: its message
// points to the topology's serviceTags key.
//
// After loading, addresses are netip values, ports are ranges, and protocol,
// access and direction are small typed enums; names refer to other objects and
// Validate checks that every reference resolves. Index (lookup.go) finds
// objects by name, built once and shared with package network; names.go
// says which names are allowed at all (UnsafeRune, NameProblem) and walks
// every named object for those checks and for the Index.
//
// It owns the model, the YAML format, the positioned error and validation.
// It does not resolve the model into a network (package network), decide
// flows (package sim), read JSON formats (topology/azure,
// topology/terraform), tell input kinds apart or report a missing input
// (package input), or define byte-order marks (package internal/bom).
package topology
