package topology

import (
	"fmt"
	"strings"
)

// Protocol is the protocol field of a security rule or a flow
// (SecurityRuleProtocol in networkSecurityGroup.json: Tcp, Udp, Icmp, Esp, Ah, *).
type Protocol uint8

const (
	Any Protocol = iota // "*": every protocol (SPEC 2.1)
	Tcp
	Udp
	Icmp
	Esp
	Ah
)

var protocolNames = [...]string{Any: "*", Tcp: "Tcp", Udp: "Udp", Icmp: "Icmp", Esp: "Esp", Ah: "Ah"}

func (p Protocol) String() string {
	if int(p) < len(protocolNames) {
		return protocolNames[p]
	}
	return fmt.Sprintf("Protocol(%d)", p)
}

// Matches reports whether a rule on protocol p matches traffic of protocol q.
// A rule on "*" matches every protocol (SPEC 2.1; the NSG overview says "Any
// encompasses TCP, UDP, and ICMP", and nsgsim takes it to include ESP and AH).
func (p Protocol) Matches(q Protocol) bool { return p == Any || p == q }

// Protocols lists the concrete protocols a rule on "*" matches, in the
// order nsgsim evaluates a "*" flow (SPEC 2.3).
var Protocols = []Protocol{Tcp, Udp, Icmp, Esp, Ah}

// CarriesPorts reports whether traffic of protocol p has ports. ICMP, ESP and
// AH carry none, so a rule restricted to some ports never matches them
// (SPEC 2.3; the NSG overview does not document the case, nsgsim assumes it:
// https://learn.microsoft.com/en-us/azure/virtual-network/network-security-groups-overview#security-rules).
func (p Protocol) CarriesPorts() bool { return p == Tcp || p == Udp || p == Any }

// ParseProtocol reads a protocol case-insensitively, as Azure does; "Any" and
// "All" (the effective-rules spelling) mean "*".
func ParseProtocol(s string) (Protocol, bool) {
	switch strings.ToLower(s) {
	case "*", "any", "all":
		return Any, true
	case "tcp":
		return Tcp, true
	case "udp":
		return Udp, true
	case "icmp":
		return Icmp, true
	case "esp":
		return Esp, true
	case "ah":
		return Ah, true
	}
	return 0, false
}

// Access is Allow or Deny.
type Access uint8

const (
	Allow Access = iota
	Deny
)

func (a Access) String() string {
	if a == Deny {
		return "Deny"
	}
	return "Allow"
}

// ParseAccess reads Allow or Deny case-insensitively.
func ParseAccess(s string) (Access, bool) {
	switch strings.ToLower(s) {
	case "allow":
		return Allow, true
	case "deny":
		return Deny, true
	}
	return 0, false
}

// Direction is Inbound or Outbound.
type Direction uint8

const (
	Inbound Direction = iota
	Outbound
)

func (d Direction) String() string {
	if d == Outbound {
		return "Outbound"
	}
	return "Inbound"
}

// ParseDirection reads Inbound or Outbound case-insensitively.
func ParseDirection(s string) (Direction, bool) {
	switch strings.ToLower(s) {
	case "inbound":
		return Inbound, true
	case "outbound":
		return Outbound, true
	}
	return 0, false
}

// OS is a virtual machine's operating system; it decides the port Bastion
// connects on: SSH 22 for Linux, RDP 3389 for Windows.
type OS uint8

const (
	Linux OS = iota
	Windows
	// UnknownOS is a VM whose operating system its input does not say
	// (SPEC 1: os may be omitted): Bastion gets no ssh or rdp flow to it.
	UnknownOS
)

func (o OS) String() string {
	switch o {
	case Windows:
		return "Windows"
	case UnknownOS:
		return "unknown OS"
	}
	return "Linux"
}

// ParseOS reads Linux or Windows case-insensitively.
func ParseOS(s string) (OS, bool) {
	switch strings.ToLower(s) {
	case "linux":
		return Linux, true
	case "windows":
		return Windows, true
	}
	return 0, false
}

// SKU is an Azure Bastion SKU (bastionHost.json, sku.name).
type SKU uint8

const (
	Basic SKU = iota
	Developer
	Standard
	Premium
)

var skuNames = [...]string{Basic: "Basic", Developer: "Developer", Standard: "Standard", Premium: "Premium"}

func (s SKU) String() string {
	if int(s) < len(skuNames) {
		return skuNames[s]
	}
	return fmt.Sprintf("SKU(%d)", s)
}

// ParseSKU reads a SKU name case-insensitively.
func ParseSKU(s string) (SKU, bool) {
	for i, n := range skuNames {
		if strings.EqualFold(s, n) {
			return SKU(i), true
		}
	}
	return 0, false
}

// Verdict is the outcome of a flow over all its addresses and ports:
// Allow when every combination is allowed, Deny when none is, Partial
// otherwise (SPEC 2.3).
type Verdict uint8

const (
	VerdictAllow Verdict = iota
	VerdictDeny
	VerdictPartial
	// VerdictNoTraffic: an endpoint resolves to no address at all, so no
	// packet exists to allow or deny (SPEC 2.3).
	VerdictNoTraffic
)

var verdictNames = [...]string{VerdictAllow: "Allow", VerdictDeny: "Deny", VerdictPartial: "Partial", VerdictNoTraffic: "NoTraffic"}

func (v Verdict) String() string {
	if int(v) < len(verdictNames) {
		return verdictNames[v]
	}
	return fmt.Sprintf("Verdict(%d)", v)
}

// ParseVerdict reads Allow, Deny or Partial case-insensitively.
func ParseVerdict(s string) (Verdict, bool) {
	for i, n := range verdictNames {
		if strings.EqualFold(s, n) {
			return Verdict(i), true
		}
	}
	return 0, false
}
