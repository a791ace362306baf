// Package gen generates synthetic hub-and-spoke topologies for scale tests
// and benchmarks (`nsgsim gen`). The same Options give a byte-identical
// file: the generator has its own random number generator (SplitMix64) and
// writes everything in a fixed order.
//
// The shape follows Azure's hub-and-spoke reference architecture
// (https://learn.microsoft.com/en-us/azure/architecture/networking/architecture/hub-spoke):
//
//   - VNet 0 is the hub. It holds AzureBastionSubnet (/26, the minimum the
//     Bastion documentation allows) and a Standard Bastion host with native
//     client support, and it reaches two on-premises ranges
//     (192.168.0.0/16, 172.16.0.0/12) through its gateway. Every other VNet
//     is a spoke peered with the hub, so Bastion reaches every VM.
//   - Subnets beyond AzureBastionSubnet are spread evenly over the VNets and
//     cycle through six tiers (web, app, data, cache, mgmt, batch). VMs are
//     spread over them with weights 1 to 3; each subnet is sized for its VMs,
//     Azure's five reserved addresses and a quarter to grow (at least /28),
//     and VNets are packed one after the other in 10.0.0.0/8.
//   - 60% of VMs run Linux, 40% Windows; 30% belong to the ASG of their VNet
//     and tier; 4% carry one of four NIC NSGs (hardening baselines).
//
// NSGs. With Options.NSGs (gen --nsgs N) there are N workload NSGs of
// RulesPerNSG rules each, independent of the VNets: the workload subnets,
// in order, are dealt out among them in equal runs, the shape of a real
// estate with an NSG per application (2,000 NSGs of 200 rules on 4,000
// subnets is about 100 MB of YAML). Without it, NSGs are shared, as landing
// zones share a rule set:
//
//   - nsg-bastion on AzureBastionSubnet has exactly the rules of the Azure
//     Bastion NSG documentation
//     (https://learn.microsoft.com/en-us/azure/bastion/bastion-nsg).
//   - Two legacy NSGs of 960 to 1,000 rules, near Azure's limit of 1,000 per
//     NSG, each on every subnet of one spoke (when there are at least four
//     VNets with subnets): a firewall export, mostly single hosts and CIDR
//     lists to port lists.
//   - One workload NSG of exactly RulesPerNSG rules per group of 20
//     consecutive VNets, on all the group's other subnets; fewer groups when
//     the estimated file would pass 90% of the file size the loader's memory
//     budget allows (topology.Budget). One subnet in fifty has no NSG.
//
// At --vnets 200 --subnets 4000 --vms 50000 --rules-per-nsg 200 this gives
// 10 workload NSGs, 2 legacy NSGs, the Bastion NSG and the NIC NSGs: about
// 4,000 rules in a 7.4 MB file of about 616,000 YAML nodes, most of them
// VMs. Generate fails, rather than write a file nsgsim cannot load, when the
// sizes ask for more than the file size of the current memory budget.
//
// Rules. A workload NSG has two thirds of its rules inbound. The rule that
// decides SSH and RDP from the Bastion subnet sits somewhere in the first
// third, as rules added over the years put it, and follows one of five
// postures: allow both (78%), SSH only then deny all (8%), only from half
// of AzureBastionSubnet (6%, so Bastion flows are Partial), deny from
// VirtualNetwork first (4%), or no rule so that AllowVnetInBound decides
// (4%). The other rules are drawn from the forms real NSGs use: ASG to ASG
// on a tier's ports, lists of CIDRs (other spokes, on-premises, partners'
// public ranges) to port lists and ranges, service tags (AzureLoadBalancer,
// AzureMonitor, Storage.westeurope, ...), denies of management ports from
// Internet, single hosts, UDP and ICMP, source port ranges, and outbound
// rules to PaaS tags, on-premises, partners and denied Internet ports. More
// than half of the workload NSGs end in DenyAllInbound at priority 4096
// (always after an SSH-only or partial posture), a fifth in
// DenyInternetOutbound.
//
// Write prints the YAML of SPEC 1 compactly, one flow-style mapping per
// subnet, rule, VM and flow, which topology.Load reads like any other file.
//
// It owns the generator and its YAML writer. It does not load, validate or
// simulate what it writes (topology.Load and package sim read it like any
// other file), and its mix of rules is a model of estates built on the
// reference architecture above, not a measurement of any real one.
package gen
