package topology

// Azure's limits that nsgsim checks, said once, each with the document it
// comes from.

// MinPriority and MaxPriority bound a custom security rule's priority:
// "a number between 100 and 4096"
// (https://learn.microsoft.com/en-us/azure/virtual-network/network-security-groups-overview#security-rules).
// The default rules use 65000 to 65500, outside this range.
const (
	MinPriority = 100
	MaxPriority = 4096
)

// MaxPort is the highest port: rule port ranges are 0 to 65535
// (https://learn.microsoft.com/en-us/azure/virtual-network/network-security-groups-overview#security-rules),
// and a Bastion custom port 1 to 65535
// (https://learn.microsoft.com/en-us/azure/bastion/configuration-settings#ports).
const MaxPort = 65535

// MaxRulesPerNSG is Azure's limit on the security rules of one NSG:
// "Security rules per network security group: 1,000"
// (https://learn.microsoft.com/en-us/azure/azure-resource-manager/management/azure-subscription-service-limits#azure-networking-limits).
const MaxRulesPerNSG = 1000

// MinScaleUnits and MaxScaleUnits bound a Bastion host's instance count,
// "between 2 and 50"; Basic and Developer have 2, fixed
// (https://learn.microsoft.com/en-us/azure/bastion/configuration-settings#instance).
const (
	MinScaleUnits = 2
	MaxScaleUnits = 50
)

// BastionSubnetMaxBits is the smallest AzureBastionSubnet Azure accepts
// for a host deployed since 2 November 2021: /26 "or larger"
// (https://learn.microsoft.com/en-us/azure/bastion/configuration-settings#subnet).
// A /27 from before then still works.
const (
	BastionSubnetMaxBits       = 26
	BastionSubnetLegacyMaxBits = 27
)
