// Package sim decides flows through Azure network security groups the way
// Azure does, and holds the Azure Bastion flow catalogue, the lint findings
// and the rule-by-rule traces built on those decisions. It is pure: no I/O.
//
// Semantics, with the documents they come from:
//   - One NSG: custom rules of the flow's direction by priority, then the six
//     default rules; the first rule whose protocol, source, source port,
//     destination and destination port all match decides ("Security rules",
//     https://learn.microsoft.com/en-us/azure/virtual-network/network-security-groups-overview).
//   - A path: source NIC NSG then source subnet NSG outbound, destination
//     subnet NSG then destination NIC NSG inbound; a missing NSG passes;
//     intra-subnet traffic takes the whole path; only the initiating direction
//     is evaluated (https://learn.microsoft.com/en-us/azure/virtual-network/network-security-group-how-it-works).
//   - Service tags: VirtualNetwork, AzureLoadBalancer and Internet are
//     computed per VNet; other tags come from a Service Tags file or from a
//     built-in model in which GatewayManager ⊂ AzureCloud ⊂ Internet are
//     opaque address sets (https://learn.microsoft.com/en-us/azure/virtual-network/service-tags-overview).
//   - The documented Bastion flows, per SKU
//     (https://learn.microsoft.com/en-us/azure/bastion/bastion-nsg).
//
// Endpoints are address sets and documented flows come from every ephemeral
// source port, so Evaluate decides a whole box of (source, source port,
// destination) at once: each NSG on the path splits the box by first match,
// each rule taking what it matches of what the rules before it left, and
// the pieces with the same decision are joined into segments. The cost
// follows the pieces, not the product of the points where rules cut the
// axes. A flow is Allow, Deny or Partial (NoTraffic when an end has no
// address), and its Result carries the trace (NSG, rule, priority) that
// every output is built from.
//
// Endpoints are placed where their addresses live (endpoints.go, SPEC 2.3):
// a client or user address that is a VM's is that VM, one in a subnet meets
// that subnet's NSG, the rest is outside; addresses are looked up from the
// other end's VNet through package network, since unpeered VNets may reuse
// them. A flow on "*" is decided once per protocol (protocols.go); ICMP, ESP
// and AH carry no ports, so a rule on some ports does not match them.
//
// The tests hold a slow reference evaluator written as the plainest reading
// of the same documents; the engine must agree with it on random topologies.
//
// It does not read input (packages input and topology), resolve names
// (package network) or print anything (packages report, render, diff and
// fix write its results).
package sim
