// Package flowgraph holds a simulation's result as a graph: the endpoints
// of the flows (clients, service tags, Bastion hosts, subnets, VMs, and
// addresses inside or outside the VNets) are its nodes, and every flow is
// an edge from its source to its destination carrying its result
// (sim.Result), in a gonum multigraph (gonum.org/v1/gonum/graph/multi),
// since two endpoints are joined by as many flows as kinds and ports.
//
// It is built once from a report (Build) and read by everything that draws
// or explores the flows: package render for every diagram format, --focus
// (Neighbourhood, with gonum's breadth-first traversal), nsgsim serve, and
// diff's view of the changed edges (Select). Nothing here decides a
// verdict: the results come from package sim.
//
// It owns the graph and the ways to walk it; it draws nothing (package
// render lays out and writes the diagrams) and filters nothing by itself but
// what a caller's Select or --focus asks for.
package flowgraph
