package topology

// DefaultRules returns the six default security rules every NSG has, in
// evaluation order within each direction. Names are spelled as the API
// returns them (NetworkSecurityGroupGet.json); compare them
// case-insensitively. Source: "Default security rules",
// https://learn.microsoft.com/en-us/azure/virtual-network/network-security-groups-overview#default-security-rules
func DefaultRules() []*SecurityRule {
	any := Addresses{Any: true}
	vnet := Addresses{Tag: "VirtualNetwork"}
	rule := func(name string, prio int, dir Direction, src, dst Addresses, acc Access) *SecurityRule {
		return &SecurityRule{
			Name: name, Priority: prio, Direction: dir, Access: acc, Protocol: Any,
			Source: src, SourcePorts: []PortRange{AllPorts},
			Destination: dst, DestinationPorts: []PortRange{AllPorts},
			Default: true,
		}
	}
	return []*SecurityRule{
		rule("AllowVnetInBound", 65000, Inbound, vnet, vnet, Allow),
		rule("AllowAzureLoadBalancerInBound", 65001, Inbound, Addresses{Tag: "AzureLoadBalancer"}, any, Allow),
		rule("DenyAllInBound", 65500, Inbound, any, any, Deny),
		rule("AllowVnetOutBound", 65000, Outbound, vnet, vnet, Allow),
		rule("AllowInternetOutBound", 65001, Outbound, any, Addresses{Tag: "Internet"}, Allow),
		rule("DenyAllOutBound", 65500, Outbound, any, any, Deny),
	}
}

// DefaultSKU is the Bastion SKU of a host that names none, in every input
// nsgsim reads (YAML, ARM/Bicep/az JSON, Terraform): Basic.
//
// The REST specification lists "Standard" as the default of sku.name
// (bastionHost.json, 2024-05-01), but what a deployment without sku gets is
// Basic: templates that omit sku (the quickstarts of 2020-2021, API
// 2020-05-01, which the fixtures arm-load-balancer-standard-bastion-2020
// and arm-bastion-hub-spoke-vnet-2021 are) predate the Standard SKU
// (general availability November 2021,
// https://azure.microsoft.com/en-us/updates/general-availability-bastion-standard-sku/)
// and deployed Basic, the only SKU then; the portal's default is Basic
// (kubernetes-sigs/cluster-api-provider-azure#3057 notes the REST document
// says Standard while the portal creates Basic); and the azurerm provider's
// sku defaults to "Basic"
// (https://registry.terraform.io/providers/hashicorp/azurerm/latest/docs/resources/bastion_host#sku).
// Basic is also the cautious reading: a feature a design relies on must be
// stated with its SKU, or SKU001 says it is missing
// (https://learn.microsoft.com/en-us/azure/bastion/bastion-sku-comparison).
const DefaultSKU = Basic

// DefaultScaleUnits is the instance count of a Bastion host that names
// none: 2, the minimum and the Basic SKU's fixed count
// (https://learn.microsoft.com/en-us/azure/bastion/configuration-settings#instance).
const DefaultScaleUnits = 2
