// Package render draws a simulation report (SPEC section 7): external
// endpoints on the left, egress on the right, VNets and subnets as boxes
// labelled with their address space, prefix and NSG, the Bastion hosts and
// VMs inside them, peerings between VNets, and one edge per flow: green for
// Allow, red and bold for Deny with the NSG, rule and priority that blocked
// it, orange for Partial and for a blocked recommended flow. Every edge says
// its protocol and port; a legend explains the colours.
//
// Formats: Graphviz DOT (written here, byte for byte the same for the same
// topology), SVG (laid out by Graphviz compiled to WebAssembly, through
// go-graphviz, in layout.go only), PNG (the same layout painted with the Go
// fonts, png.go), Mermaid (a flowchart that GitHub and wikis draw) and one
// self-contained HTML report with the diagram, the flows, each flow's trace
// and the findings.
//
// A large topology is collapsed in levels (Options.CollapseAbove): the VMs
// of each subnet as one node, then, when that is still too much to read or
// to lay out in seconds, each VNet as one node but the hub that hosts the
// Bastion host; Options.Focus brings back the detail of one VNet, subnet
// or VM.
//
// Everything drawn comes from the flows' results (sim.Result): nothing here
// decides a verdict. The flows follow "Configure NSG rules for Azure
// Bastion", https://learn.microsoft.com/en-us/azure/bastion/bastion-nsg.
package render
