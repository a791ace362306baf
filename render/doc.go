// Package render draws a simulation report (SPEC section 7) as an Azure
// architecture diagram: the title, summary and legend on top; external
// endpoints that flows come from on the left; the hubs (the VNets of the
// Bastion hosts) next; the spokes in a grid of columns, by name and
// address, as many columns as keep the page between 1:1 and 2.5:1; egress
// on the right. VNets and subnets are boxes labelled with their address
// space, prefix and NSG, with the Bastion hosts and VMs inside them, and
// peerings between VNets. Edges are green for Allow, red and bold for Deny
// with the NSG, rule and priority that blocked it, orange for Partial, a
// blocked recommended flow or a mix of verdicts, grey and dashed for a
// flow blocked as intended. Every edge says its protocol and port.
//
// Formats: Graphviz DOT (written here, byte for byte the same for the same
// topology), SVG (laid out by Graphviz compiled to WebAssembly, through
// go-graphviz, in layout.go only), PNG (the same layout painted with the Go
// fonts, png.go), draw.io XML and an SVG carrying it (drawio.go, from the
// same layout; both read it through one reader of Graphviz's json output,
// layout_json.go), Mermaid (a flowchart that GitHub and wikis draw) and one
// self-contained HTML report with the diagram, the flows, each flow's trace
// and the findings.
//
// What is drawn comes from the graph of the report's flows (package
// flowgraph): its endpoints are the nodes, its flows the edges. Detail
// follows size (Options.CollapseAbove): every VM and flow; then each
// subnet's VMs as one box, with one edge per subnet and kind of flow; then
// each VNet as one node but the hub; Options.Focus keeps the neighbourhood
// of one VNet, subnet, VM, Bastion host or NSG in the graph, in full
// detail.
//
// Nothing here decides a verdict: everything drawn comes from the flows'
// results (sim.Result). The flows follow "Configure NSG rules for Azure
// Bastion", https://learn.microsoft.com/en-us/azure/bastion/bastion-nsg.
//
// It owns the drawing: the layout of boxes and edges, the formats above and
// how each escapes its labels (escape.go: one escaper, built from a table,
// for DOT strings, Graphviz HTML-like labels, XML attributes and Mermaid
// labels). The graph of endpoints is package flowgraph's, and the text
// reports (table, Markdown, JSON, SARIF) are package report's.
package render
