package topology

import (
	"net/netip"
	"strings"
)

// parseIPv6RulePrefix reads an IPv6 address or CIDR as a rule's address
// field may hold one (Azure NSG rules accept IPv6 prefixes,
// https://learn.microsoft.com/en-us/azure/virtual-network/network-security-groups-overview#security-rules).
// ok is false for anything else, IPv4 included, and for an address with a
// zone, which no rule holds. Rule address fields are the only place IPv6
// loads: nsgsim keeps such a prefix so that its rule keeps its priority,
// and it matches no flow (Addresses.IPv6Prefixes).
func parseIPv6RulePrefix(s string) (netip.Prefix, bool) {
	s = strings.TrimSpace(s)
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil || !p.Addr().Is6() || p.Addr().Is4In6() {
			return netip.Prefix{}, false
		}
		return p, true
	}
	a, err := netip.ParseAddr(s)
	if err != nil || !a.Is6() || a.Is4In6() || a.Zone() != "" {
		return netip.Prefix{}, false
	}
	return netip.PrefixFrom(a, 128), true
}
