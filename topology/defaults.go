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
