package topology

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"os"
	"sort"
	"strings"
)

// Service tags whose addresses nsgsim computes itself. Microsoft's download
// page says the platform addresses (168.63.129.16) "are part of the Azure
// platform and NOT included in the JSON files", and VirtualNetwork and
// Internet depend on the VNet where an NSG is evaluated (SPEC 2.4).
const (
	TagVirtualNetwork    = "VirtualNetwork"
	TagAzureLoadBalancer = "AzureLoadBalancer"
	TagInternet          = "Internet"
	TagGatewayManager    = "GatewayManager"
	TagAzureCloud        = "AzureCloud"
)

// builtinTags lists the service tag names nsgsim knows without a Service Tags
// file, from "Available service tags" in
// https://learn.microsoft.com/en-us/azure/virtual-network/service-tags-overview#available-service-tags.
// Any of them may also carry a region suffix ("AzureCloud.westeurope").
var builtinTags = []string{
	"ActionGroup", "ApiManagement", "AppConfiguration", "AppService", "AppServiceManagement",
	"AzureActiveDirectory", "AzureActiveDirectoryDomainServices", "AzureAdvancedThreatProtection",
	"AzureArcInfrastructure", "AzureAttestation", "AzureBackup", "AzureBotService", "AzureCloud",
	"AzureCognitiveSearch", "AzureConnectors", "AzureContainerAppsService", "AzureContainerRegistry",
	"AzureCosmosDB", "AzureDatabricks", "AzureDataExplorerManagement", "AzureDataLake", "AzureDevOps",
	"AzureDigitalTwins", "AzureEventGrid", "AzureFrontDoor.Backend", "AzureFrontDoor.FirstParty",
	"AzureFrontDoor.Frontend", "AzureHealthcareAPIs", "AzureInformationProtection", "AzureIoTHub",
	"AzureKeyVault", "AzureLoadBalancer", "AzureMachineLearning", "AzureMonitor", "AzureOpenDatasets",
	"AzurePlatformDNS", "AzurePlatformIMDS", "AzurePlatformLKM", "AzureResourceManager", "AzureSignalR",
	"AzureSiteRecovery", "AzureSphere", "AzureSpringCloud", "AzureStack", "AzureTrafficManager",
	"AzureUpdateDelivery", "AzureWebPubSub", "BatchNodeManagement", "ChaosStudio",
	"CognitiveServicesFrontend", "CognitiveServicesManagement", "DataFactory", "DataFactoryManagement",
	"Dynamics365ForMarketingEmail", "EventHub", "GatewayManager", "GuestAndHybridManagement", "HDInsight",
	"Internet", "KustoAnalytics", "LogicApps", "LogicAppsManagement", "M365ManagementActivityApi",
	"MicrosoftAzureFluidRelay", "MicrosoftCloudAppSecurity", "MicrosoftContainerRegistry",
	"MicrosoftDefenderForEndpoint", "MicrosoftPurviewPolicyDistribution", "PowerBI", "PowerPlatformInfra",
	"PowerPlatformPlex", "PowerQueryOnline", "Scuba", "SerialConsole", "ServiceBus", "ServiceFabric", "Sql",
	"SqlManagement", "Storage", "StorageMover", "StorageSyncService", "VirtualNetwork",
	"WindowsAdminCenter", "WindowsVirtualDesktop",
}

var builtinTagIndex = func() map[string]string {
	m := make(map[string]string, len(builtinTags))
	for _, t := range builtinTags {
		m[strings.ToLower(t)] = t
	}
	return m
}()

// ServiceTags is the content of an Azure Service Tags file: tag name to IPv4
// prefixes (IPv6 prefixes are dropped: Azure Bastion is IPv4 only).
type ServiceTags struct {
	File string
	tags map[string]serviceTag // by lower-case name
}

type serviceTag struct {
	name     string
	prefixes []netip.Prefix
}

// Names returns the tag names in the file, sorted.
func (s *ServiceTags) Names() []string {
	names := make([]string, 0, len(s.tags))
	for _, t := range s.tags {
		names = append(names, t.name)
	}
	sort.Strings(names)
	return names
}

// Prefixes returns the IPv4 prefixes of tag (matched case-insensitively).
func (s *ServiceTags) Prefixes(tag string) ([]netip.Prefix, bool) {
	t, ok := s.tags[strings.ToLower(tag)]
	return t.prefixes, ok
}

// NewServiceTags builds a tag set from a map, for tests and importers.
func NewServiceTags(file string, tags map[string][]netip.Prefix) *ServiceTags {
	s := &ServiceTags{File: file, tags: make(map[string]serviceTag, len(tags))}
	for name, ps := range tags {
		s.tags[strings.ToLower(name)] = serviceTag{name: name, prefixes: ps}
	}
	return s
}

// CanonicalTag returns the canonical spelling of a service tag name, matched
// case-insensitively, and whether it is known: a built-in tag, a tag of the
// file when one is given, or either with a region suffix
// ("AzureCloud.WestEurope" becomes "AzureCloud.westeurope", the file's spelling).
func CanonicalTag(name string, file *ServiceTags) (string, bool) {
	if file != nil {
		if t, ok := file.tags[strings.ToLower(name)]; ok {
			return t.name, true
		}
	}
	if t, ok := builtinTagIndex[strings.ToLower(name)]; ok {
		return t, true
	}
	base, region, ok := cutLast(name, ".")
	if !ok || !isRegionName(region) {
		return "", false
	}
	if t, ok := CanonicalTag(base, nil); ok && !platformTag(t) {
		return t + "." + strings.ToLower(region), true
	}
	return "", false
}

func cutLast(s, sep string) (before, after string, found bool) {
	i := strings.LastIndex(s, sep)
	if i < 0 {
		return s, "", false
	}
	return s[:i], s[i+len(sep):], true
}

func isRegionName(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9') {
			return false
		}
	}
	return true
}

// platformTag reports whether tag is one whose addresses nsgsim computes and
// which has no regional form.
func platformTag(tag string) bool {
	return tag == TagVirtualNetwork || tag == TagInternet || tag == TagAzureLoadBalancer
}

// serviceTagsFile is the shape of the weekly download
// (ServiceTags_Public_YYYYMMDD.json) and of the Service Tag Discovery API,
// which differ only in fields nsgsim ignores.
type serviceTagsFile struct {
	Values []struct {
		Name       string `json:"name"`
		Properties struct {
			AddressPrefixes []string `json:"addressPrefixes"`
		} `json:"properties"`
	} `json:"values"`
}

// ReadServiceTags reads an Azure Service Tags JSON file: the download from
// https://www.microsoft.com/download/details.aspx?id=56519 or the output of
// `az network list-service-tags`.
func ReadServiceTags(path string) (*ServiceTags, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading service tags: %w", err)
	}
	return ParseServiceTags(path, data)
}

// ParseServiceTags parses the content of a Service Tags file.
func ParseServiceTags(path string, data []byte) (*ServiceTags, error) {
	var f serviceTagsFile
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("%s: not a Service Tags JSON file: %v", path, err)
	}
	if len(f.Values) == 0 {
		return nil, fmt.Errorf("%s: no service tags in \"values\"; expected the Azure Service Tags JSON format", path)
	}
	s := &ServiceTags{File: path, tags: make(map[string]serviceTag, len(f.Values))}
	for i, v := range f.Values {
		if v.Name == "" {
			return nil, fmt.Errorf("%s: values[%d] has no name", path, i)
		}
		var ps []netip.Prefix
		for _, a := range v.Properties.AddressPrefixes {
			p, err := netip.ParsePrefix(a)
			if err != nil {
				return nil, fmt.Errorf("%s: values[%d] (%s): bad address prefix %q", path, i, v.Name, a)
			}
			if p.Addr().Is4() {
				ps = append(ps, p.Masked())
			}
		}
		s.tags[strings.ToLower(v.Name)] = serviceTag{name: v.Name, prefixes: ps}
	}
	return s, nil
}
