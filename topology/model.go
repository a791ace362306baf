package topology

import (
	"errors"
	"fmt"
	"net/netip"
	"sort"
	"strconv"
	"strings"
)

// Topology is a whole deployment: the root of SPEC section 1.
type Topology struct {
	Origin
	File     string // path the topology was read from; positions name it too
	Name     string
	Location string // region, for regional service tags
	// ServiceTagsFile is the serviceTags path as written (relative to File);
	// ServiceTags holds what was read from it, or nil for the built-in model.
	ServiceTagsFile string
	ServiceTags     *ServiceTags

	VirtualNetworks           []*VirtualNetwork
	NetworkSecurityGroups     []*NetworkSecurityGroup
	ApplicationSecurityGroups []*ApplicationSecurityGroup
	VirtualMachines           []*VirtualMachine
	BastionHosts              []*BastionHost
	Clients                   []*Client
	Flows                     []*Flow
	Expectations              []*Expectation

	// Warnings are what an importer passed over without refusing its
	// input (a VM scale set it does not model, IPv6 prefixes it dropped),
	// each at the input it read: for the user, not for the model. Empty
	// for a YAML topology.
	Warnings ErrorList
}

// VirtualNetwork is a VNet with its subnets.
type VirtualNetwork struct {
	Origin
	Name         string
	AddressSpace []netip.Prefix
	// Peerings names the VNets this one is peered with. A peering is
	// symmetric once declared on either side, and not transitive.
	Peerings []string
	// OnPremisesPrefixes are ranges reached through a gateway; Azure counts
	// them in the VirtualNetwork service tag.
	OnPremisesPrefixes []netip.Prefix
	Subnets            []*Subnet
}

// Subnet is a subnet of a VNet. A subnet can have zero or one NSG.
type Subnet struct {
	Origin
	Name                 string
	AddressPrefix        netip.Prefix
	NetworkSecurityGroup string // NSG name, or ""
	RouteTable           string // route table name, or "" (only linted)
}

// BastionSubnetName is the name Azure requires, exactly, for the subnet of a
// dedicated Bastion host (https://learn.microsoft.com/en-us/azure/bastion/configuration-settings#subnet).
const BastionSubnetName = "AzureBastionSubnet"

// NetworkSecurityGroup is an NSG and its custom rules. The default rules are
// not stored: every NSG has them (see DefaultRules).
type NetworkSecurityGroup struct {
	Origin
	Name          string
	SecurityRules []*SecurityRule
}

// SecurityRule is one custom rule, with ARM's field meanings.
type SecurityRule struct {
	Origin
	Name             string
	Description      string
	Priority         int
	Direction        Direction
	Access           Access
	Protocol         Protocol
	Source           Addresses
	SourcePorts      []PortRange
	Destination      Addresses
	DestinationPorts []PortRange
	Default          bool // one of the six default rules
}

// Addresses is one side of a security rule: any address, one service tag, a
// list of prefixes (the singular field or the plural one), or application
// security groups. Exactly one of the four is set; the prefixes are
// Prefixes (IPv4) and IPv6Prefixes together.
type Addresses struct {
	Any                       bool
	Tag                       string // canonical service tag name
	Prefixes                  []netip.Prefix
	ApplicationSecurityGroups []string
	// IPv6Prefixes are the side's IPv6 prefixes, kept so that a rule
	// Azure holds stays in the model with its priority. Azure NSG rules
	// accept IPv6 prefixes
	// (https://learn.microsoft.com/en-us/azure/virtual-network/network-security-groups-overview#security-rules),
	// but Azure Bastion and nsgsim are IPv4 only
	// (https://learn.microsoft.com/en-us/azure/bastion/bastion-faq#ipv6):
	// they match no flow, so a side with no other prefix matches nothing.
	IPv6Prefixes []netip.Prefix
}

// HasPrefixes reports whether the side is a list of prefixes, IPv4 or IPv6.
func (a Addresses) HasPrefixes() bool { return len(a.Prefixes) > 0 || len(a.IPv6Prefixes) > 0 }

// AllPrefixes returns the side's prefixes as written: IPv4, then IPv6.
func (a Addresses) AllPrefixes() []netip.Prefix {
	if len(a.IPv6Prefixes) == 0 {
		return a.Prefixes
	}
	return append(append([]netip.Prefix(nil), a.Prefixes...), a.IPv6Prefixes...)
}

// String renders the side the way the Azure portal lists it.
func (a Addresses) String() string {
	switch {
	case a.Any:
		return "*"
	case a.Tag != "":
		return a.Tag
	case len(a.ApplicationSecurityGroups) > 0:
		return strings.Join(a.ApplicationSecurityGroups, ",")
	}
	all := a.AllPrefixes()
	parts := make([]string, len(all))
	for i, p := range all {
		parts[i] = PrefixString(p)
	}
	return strings.Join(parts, ",")
}

// PrefixString prints a host prefix as a bare address and any other prefix in
// CIDR notation.
func PrefixString(p netip.Prefix) string {
	if p.IsSingleIP() {
		return p.Addr().String()
	}
	return p.String()
}

// PortRange is an inclusive range of ports.
type PortRange struct{ Lo, Hi uint16 }

// AllPorts is "*": 0-65535.
var AllPorts = PortRange{0, 65535}

// EphemeralPorts is the source port range nsgsim assumes for a documented
// flow (SPEC 2.3).
var EphemeralPorts = PortRange{1024, 65535}

// AllPortsRanges reports whether ranges cover every port, 0-65535: "*" or
// ranges that add up to it. A rule on fewer ports never matches ICMP, ESP or
// AH, which carry none (SPEC 2.3).
func AllPortsRanges(ranges []PortRange) bool {
	sorted := append([]PortRange(nil), ranges...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Lo < sorted[j].Lo })
	next := 0
	for _, r := range sorted {
		if int(r.Lo) > next {
			return false
		}
		next = max(next, int(r.Hi)+1)
	}
	return next > 65535
}

// Contains reports whether port is in r.
func (r PortRange) Contains(port uint16) bool { return r.Lo <= port && port <= r.Hi }

func (r PortRange) String() string {
	switch {
	case r == AllPorts:
		return "*"
	case r.Lo == r.Hi:
		return strconv.Itoa(int(r.Lo))
	}
	return fmt.Sprintf("%d-%d", r.Lo, r.Hi)
}

// ParsePortRange reads "443", "8080-8090" or "*".
func ParsePortRange(s string) (PortRange, error) {
	s = strings.TrimSpace(s)
	if s == "*" {
		return AllPorts, nil
	}
	lo, hi, isRange := strings.Cut(s, "-")
	if !isRange {
		p, err := parsePort(s)
		if errors.Is(err, errNotPort) {
			return PortRange{}, fmt.Errorf("port %q is not a number, a range \"LOW-HIGH\" or \"*\"", s)
		}
		return PortRange{p, p}, err
	}
	const expected = `expected "LOW-HIGH" with LOW and HIGH in [0, 65535]`
	if negative := strings.TrimSpace(lo) == "" && startsWithDigit(hi) || strings.HasPrefix(strings.TrimSpace(hi), "-"); negative {
		return PortRange{}, fmt.Errorf("port range %q: a port cannot be negative; %s", s, expected)
	}
	a, err := parsePort(lo)
	if err != nil {
		return PortRange{}, rangeError(s, lo, err, expected)
	}
	b, err := parsePort(hi)
	if err != nil {
		return PortRange{}, rangeError(s, hi, err, expected)
	}
	if b < a {
		return PortRange{}, fmt.Errorf("port range %q is reversed; did you mean \"%d-%d\"?", s, b, a)
	}
	return PortRange{a, b}, nil
}

func startsWithDigit(s string) bool { return s != "" && '0' <= s[0] && s[0] <= '9' }

// errNotPort is parsePort's error for what is not a decimal number.
var errNotPort = errors.New("not a number")

func parsePort(s string) (uint16, error) {
	s = strings.TrimSpace(s)
	n, err := strconv.Atoi(s)
	switch {
	case errors.Is(err, strconv.ErrRange):
		return 0, fmt.Errorf("port %s out of range [0, 65535]", s)
	case err != nil:
		return 0, errNotPort
	case n < 0 || n > 65535:
		return 0, fmt.Errorf("port %d out of range [0, 65535]", n)
	}
	return uint16(n), nil
}

// rangeError explains why side, one end of the port range s, did not parse.
func rangeError(s, side string, err error, expected string) error {
	switch side = strings.TrimSpace(side); {
	case side == "":
		return fmt.Errorf("port range %q: %s", s, expected)
	case errors.Is(err, errNotPort):
		return fmt.Errorf("port range %q: %q is not a number; %s", s, side, expected)
	}
	return err
}

// PortRangesString joins ranges with commas, the portal's notation.
func PortRangesString(rs []PortRange) string {
	parts := make([]string, len(rs))
	for i, r := range rs {
		parts[i] = r.String()
	}
	return strings.Join(parts, ",")
}

// ApplicationSecurityGroup is an ASG; membership is declared on VMs.
type ApplicationSecurityGroup struct {
	Origin
	Name string
}

// VirtualMachine is a VM with one NIC and one private address.
type VirtualMachine struct {
	Origin
	Name                      string
	VirtualNetwork            string // from subnet "VNET/SUBNET"
	Subnet                    string
	PrivateIPAddress          netip.Addr
	OS                        OS
	NetworkSecurityGroup      string // NIC-level NSG, or ""
	ApplicationSecurityGroups []string
	PublicIPAddress           netip.Addr // zero when none
}

// BastionHost is an Azure Bastion host (Microsoft.Network/bastionHosts).
type BastionHost struct {
	Origin
	Name                     string
	VirtualNetwork           string
	SKU                      SKU
	ScaleUnits               int
	EnableTunneling          bool
	EnableIPConnect          bool
	EnableShareableLink      bool
	EnableFileCopy           bool
	EnableKerberos           bool
	EnableSessionRecording   bool
	EnablePrivateOnlyBastion bool
	DisableCopyPaste         bool
	CustomPorts              []uint16
}

// BastionFlag is one of a Bastion host's feature flags: its ARM property
// name and the field of the BastionHost that holds it.
type BastionFlag struct {
	Name  string
	Value *bool
}

// Flags returns b's feature flags by the ARM property names of
// Microsoft.Network/bastionHosts (bastionHost.json,
// BastionHostPropertiesFormat), in the order of SPEC section 1:
// https://learn.microsoft.com/en-us/azure/bastion/configuration-settings
func (b *BastionHost) Flags() []BastionFlag {
	return []BastionFlag{
		{"enableTunneling", &b.EnableTunneling},
		{"enableIpConnect", &b.EnableIPConnect},
		{"enableShareableLink", &b.EnableShareableLink},
		{"enableFileCopy", &b.EnableFileCopy},
		{"enableKerberos", &b.EnableKerberos},
		{"enableSessionRecording", &b.EnableSessionRecording},
		{"enablePrivateOnlyBastion", &b.EnablePrivateOnlyBastion},
		{"disableCopyPaste", &b.DisableCopyPaste},
	}
}

// Client is a place users' browsers connect from.
type Client struct {
	Origin
	Name            string
	AddressPrefixes []netip.Prefix
	// Tag is set instead of AddressPrefixes for a client that is a service
	// tag: the default clients Internet and, for private-only Bastion,
	// VirtualNetwork.
	Tag string
}

// Requirement says how much a flow matters: a blocked required flow fails
// the run; a blocked recommended flow is a warning; an optional flow is
// reported only.
type Requirement uint8

const (
	Required Requirement = iota
	Recommended
	Optional
)

var requirementNames = [...]string{Required: "required", Recommended: "recommended", Optional: "optional"}

func (r Requirement) String() string {
	if int(r) < len(requirementNames) {
		return requirementNames[r]
	}
	return fmt.Sprintf("Requirement(%d)", r)
}

// ParseRequirement reads a requirement case-insensitively.
func ParseRequirement(s string) (Requirement, bool) {
	for i, n := range requirementNames {
		if strings.EqualFold(s, n) {
			return Requirement(i), true
		}
	}
	return 0, false
}

// Flow is a flow the user adds beyond the documented Bastion flows. Source
// and Destination name a VM, client, Bastion host or service tag, or are an
// IP address or CIDR.
type Flow struct {
	Origin
	Name            string
	Source          string
	Destination     string
	Protocol        Protocol
	DestinationPort uint16
	SourcePorts     []PortRange // empty: ephemeral 1024-65535
	Requirement     Requirement // default Optional
}

// Expectation asserts the verdict of one flow, by flow ID.
type Expectation struct {
	Origin
	Flow    string
	Verdict Verdict
	// Intended marks a blocked flow as blocked on purpose (SPEC 1, 5): when
	// the flow gets the expected Deny or Partial, it is reported as
	// intended, not counted as a blocked required flow, and fix leaves it
	// alone. Validation refuses it with the verdict Allow.
	Intended bool
}
