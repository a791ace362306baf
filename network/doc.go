// Package network is a topology with its names resolved, once: virtual
// networks with their peers and subnets, subnets with their NSG and VMs, VMs
// (their NICs) with their subnet, NIC NSG and application security groups,
// ASGs with their member VMs, Bastion hosts with their VNet and
// AzureBastionSubnet, and where an address lives (Locate). Validation, the
// engine (package sim), the diagrams, the fix and the server read names
// through it rather than building their own maps.
//
// Resolve does not judge: a reference that does not resolve is left nil (or
// out of a list) for validation to report, so it can be used on any
// topology the loader returns.
//
// It owns name resolution and address lookup only: it decides no verdict
// (package sim), reports no problem (topology.Validate does), and holds no
// state beyond what Resolve builds from one topology.
package network
