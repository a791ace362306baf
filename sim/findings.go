package sim

import (
	"sort"

	"github.com/nsgsim/nsgsim/topology"
)

// Findings are nsgsim's lint results (SPEC section 4): what Azure would
// reject or what defeats the design, each with a stable ID and the document
// it rests on. A blocked required flow is not a finding (the summary counts
// it); a blocked recommended flow is.
//
//	ID       severity          what                                                        documentation
//	NSG001   error             the NSG on AzureBastionSubnet has no explicit Allow for     bastion-nsg
//	                           one of the eight documented rules (Azure rejects it with
//	                           NetworkSecurityGroupNotCompliantForAzureBastionSubnet)
//	NSG002   error             the explicit Allow is there, but higher-priority Deny       bastion-nsg
//	                           rules take its traffic first
//	NSG003   warning           AzureCloud.<region> in the Bastion AzureCloud rule          bastion-nsg
//	NSG004   warning           custom ports not covered by an explicit outbound Allow      bastion-nsg, configuration-settings
//	NSG005   warning           a rule that never matches: higher-priority rules take       network-security-groups-overview
//	                           every packet it matches (shadowed)
//	NSG006   warning           SSH (22) or RDP (3389) open to a VM from Internet or *      bastion-nsg, network-security-groups-overview
//	NSG007   warning           a rule's IPv6 prefixes, which match no flow (IPv4 only)     network-security-groups-overview, bastion-faq
//	SUB001   error / warning   AzureBastionSubnet smaller than /26 (error below /27)       configuration-settings
//	SUB002   error             a route table on AzureBastionSubnet                         bastion-faq
//	SUB003   error             a VM in AzureBastionSubnet                                  configuration-settings
//	SKU001   error             a feature the Bastion SKU does not have                     bastion-sku-comparison
//	SKU002   error             scaleUnits outside 2–50, or not 2 on Basic/Developer        configuration-settings
//	SKU003   error             a private-only Bastion client that is not a private range   private-only-deployment
//	VM001    warning           a VM with a public IP address                               bastion-overview
//	VM002    warning           a VM whose operating system is unknown (no ssh/rdp flow)    bastion-nsg
//	NAME001  error             a name Azure's naming rules reject (findings_names.go)      resource-name-rules
//	FLOW002  warning           a recommended flow is blocked                               bastion-nsg
//	FLOW003  warning           a flow carries no traffic: an endpoint has no address       network-security-groups-overview
//	FLOW004  info              a verdict rests on ICMP, ESP and AH carrying no ports       network-security-groups-overview
//	ASG001   error             the NICs of one ASG are in more than one VNet               application-security-groups
//	TAG001   warning           the Service Tags file lacks GatewayManager or AzureCloud    service-tags-overview
//	TAG002   warning           a documented tag the Service Tags file lacks                service-tags-overview
//	IMP001   warning           an import warning: what an importer passed over             bastion-faq
//
// FLOW001 (a blocked required flow) and EXP001 (an unmet expectation) are
// not findings, but the SARIF output reports them as results with these
// IDs so that code scanning shows them too. docs/findings.md has the table
// with the full URLs (FindingRules returns it).
//
// Findings are sorted by position, then ID, then message.

// Severity of a finding.
type Severity uint8

const (
	SeverityError Severity = iota
	SeverityWarning
	SeverityInfo
)

var severityNames = [...]string{SeverityError: "error", SeverityWarning: "warning", SeverityInfo: "info"}

func (s Severity) String() string { return severityNames[s] }

// Finding is one lint result (SPEC 4): a stable ID, a severity, a message,
// the position in the topology file it is about, and the documentation it
// rests on.
type Finding struct {
	ID       string
	Severity Severity
	Message  string
	Pos      topology.Pos
	DocURL   string
}

// FindingRule describes one finding ID, for documentation and for SARIF's
// rule list.
type FindingRule struct {
	ID       string
	Severity Severity // the usual severity; SUB001 is a warning at /27
	Title    string
	DocURL   string
}

// Documentation the findings cite (Microsoft Learn).
const (
	urlBastionNSG      = "https://learn.microsoft.com/en-us/azure/bastion/bastion-nsg"
	urlConfiguration   = "https://learn.microsoft.com/en-us/azure/bastion/configuration-settings"
	urlSubnet          = "https://learn.microsoft.com/en-us/azure/bastion/configuration-settings#subnet"
	urlFAQ             = "https://learn.microsoft.com/en-us/azure/bastion/bastion-faq"
	urlSKU             = "https://learn.microsoft.com/en-us/azure/bastion/bastion-sku-comparison"
	urlPrivateOnly     = "https://learn.microsoft.com/en-us/azure/bastion/private-only-deployment"
	urlNSGOverview     = "https://learn.microsoft.com/en-us/azure/virtual-network/network-security-groups-overview#security-rules"
	urlBastionOverview = "https://learn.microsoft.com/en-us/azure/bastion/bastion-overview"
	urlTroubleshoot    = "https://learn.microsoft.com/en-us/azure/bastion/troubleshoot"
	urlInstanceScaling = "https://learn.microsoft.com/en-us/azure/bastion/configuration-settings#instance"
)

var findingRules = []FindingRule{
	{"NSG001", SeverityError, "NSG on AzureBastionSubnet lacks an explicit Allow for a documented rule (NetworkSecurityGroupNotCompliantForAzureBastionSubnet)", urlBastionNSG},
	{"NSG002", SeverityError, "Documented Bastion rule is preceded by a higher-priority Deny that takes its traffic", urlBastionNSG},
	{"NSG003", SeverityWarning, "Regional AzureCloud tag in the Bastion AzureCloud outbound rule", urlBastionNSG},
	{"NSG004", SeverityWarning, "Bastion custom ports not covered by an explicit outbound Allow", urlBastionNSG},
	{"NSG005", SeverityWarning, "Shadowed rule: higher-priority rules match all its traffic", urlNSGOverview},
	{"NSG006", SeverityWarning, "SSH or RDP open to a VM from Internet or any source", urlBastionNSG},
	{"NSG007", SeverityWarning, "Rule with IPv6 address prefixes, which match no flow (Azure Bastion is IPv4 only)", urlNSGOverview},
	{"SUB001", SeverityError, "AzureBastionSubnet smaller than /26", urlSubnet},
	{"SUB002", SeverityError, "Route table on AzureBastionSubnet", urlFAQ},
	{"SUB003", SeverityError, "A resource other than Bastion in AzureBastionSubnet", urlSubnet},
	{"SKU001", SeverityError, "Bastion feature not available in its SKU", urlSKU},
	{"SKU002", SeverityError, "Bastion scaleUnits out of range for its SKU", urlInstanceScaling},
	{"SKU003", SeverityError, "Private-only Bastion client outside private address space", urlPrivateOnly},
	{"VM001", SeverityWarning, "VM with a public IP address", urlBastionOverview},
	{"VM002", SeverityWarning, "VM whose operating system is unknown", urlBastionNSG},
	{"NAME001", SeverityError, "Name that Azure's naming rules reject", urlNamingRules},
	{"FLOW001", SeverityError, "Required Bastion flow blocked", urlBastionNSG},
	{"FLOW002", SeverityWarning, "Recommended Bastion flow blocked", urlBastionNSG},
	{"FLOW003", SeverityWarning, "Flow carries no traffic: an endpoint resolves to no address", urlNSGOverview},
	{"FLOW004", SeverityInfo, "Verdict rests on ICMP, ESP and AH carrying no ports (undocumented)", urlNSGOverview},
	{"ASG001", SeverityError, "Application security group with members in more than one virtual network", urlASG},
	{"TAG001", SeverityWarning, "Service Tags file lacks a tag the Bastion flows need; the built-in model stands in", urlServiceTags},
	{"TAG002", SeverityWarning, "Service tag documented by Azure but absent from the Service Tags file", urlServiceTags},
	{"IMP001", SeverityWarning, "Import warning: part of the input that the importer passed over", urlFAQ},
	{"EXP001", SeverityError, "Expectation not met", ""},
}

// FindingRules returns the catalogue of finding IDs, sorted by ID, including
// FLOW001 and EXP001, which the SARIF output uses for blocked required flows
// and unmet expectations.
func FindingRules() []FindingRule {
	out := append([]FindingRule(nil), findingRules...)
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// FindingRuleByID returns the catalogue entry of id.
func FindingRuleByID(id string) (FindingRule, bool) {
	for _, r := range findingRules {
		if r.ID == id {
			return r, true
		}
	}
	return FindingRule{}, false
}

// Findings lints the topology, using the flow results where a check depends
// on what the NSGs decide. It fails when the flows it evaluates itself (see
// checkManagementPorts) go past a budget on pieces.
func (e *Engine) Findings(results []*Result) ([]Finding, error) {
	var l findingList
	e.checkBastionSubnets(&l)
	e.checkExplicitRules(&l)
	e.checkBastionHosts(&l)
	e.checkShadowed(&l)
	if err := e.checkManagementPorts(&l); err != nil {
		return nil, err
	}
	e.checkVMs(&l)
	e.checkNames(&l)
	checkRecommendedFlows(&l, results)
	e.checkASGVNets(&l)
	e.checkServiceTagsFile(&l)
	e.checkFlowNotes(&l, results)
	e.checkInputGaps(&l)
	return l.sorted(), nil
}

type findingList []Finding

func (l *findingList) add(id string, sev Severity, pos topology.Pos, msg string) {
	r, _ := FindingRuleByID(id)
	*l = append(*l, Finding{ID: id, Severity: sev, Message: msg, Pos: pos, DocURL: r.DocURL})
}

// sorted orders findings by position, then ID, then message, and drops
// exact repeats (one NSG attached to two subnets can repeat a finding).
func (l findingList) sorted() []Finding {
	out := []Finding(l)
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Pos != b.Pos {
			return a.Pos.Before(b.Pos)
		}
		if a.ID != b.ID {
			return a.ID < b.ID
		}
		return a.Message < b.Message
	})
	dedup := out[:0]
	for i, f := range out {
		if i > 0 && f == out[i-1] {
			continue
		}
		dedup = append(dedup, f)
	}
	return dedup
}
