package topology

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"reflect"
	"sort"
	"strings"

	"github.com/nsgsim/nsgsim/internal/bom"
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

// builtinTags lists the service tag names Azure documents, which nsgsim
// knows without a Service Tags file: every tag of the public and government
// Service Tags downloads (ServiceTags_Public_20250908.json and
// ServiceTags_AzureGovernment_20260720.json, regional forms folded), the
// tags "Available service tags" lists that the downloads omit
// (https://learn.microsoft.com/en-us/azure/virtual-network/service-tags-overview#available-service-tags:
// VirtualNetwork, Internet, AzureLoadBalancer, AzurePlatformDNS, ...), and
// CorpNetSaw, which the Domain Services NSG rule names
// (https://learn.microsoft.com/en-us/entra/identity/domain-services/network-considerations).
// Any of them may also carry a region suffix ("AzureCloud.westeurope").
var builtinTags = []string{
	"ActionGroup", "ApiManagement", "AppConfiguration", "ApplicationInsightsAvailability",
	"AppService", "AppServiceManagement", "AutonomousDevelopmentPlatform", "AzureActiveDirectory",
	"AzureActiveDirectoryDomainServices", "AzureAdvancedThreatProtection", "AzureArcInfrastructure",
	"AzureAttestation", "AzureBackup", "AzureBotService", "AzureCloud", "AzureCognitiveSearch",
	"AzureConnectors", "AzureContainerAppsService", "AzureContainerRegistry", "AzureCosmosDB",
	"AzureDatabricks", "AzureDataExplorerManagement", "AzureDataLake", "AzureDeviceUpdate",
	"AzureDevOps", "AzureDevSpaces", "AzureDigitalTwins", "AzureEventGrid", "AzureFrontDoor.Backend",
	"AzureFrontDoor.FirstParty", "AzureFrontDoor.Frontend", "AzureFrontDoor.MicrosoftSecurity",
	"AzureHealthcareAPIs", "AzureInformationProtection", "AzureIoTHub", "AzureKeyVault",
	"AzureLoadBalancer", "AzureLoadTestingInstanceManagement", "AzureMachineLearning",
	"AzureMachineLearningInference", "AzureManagedGrafana", "AzureMonitor", "AzureMonitorForSAP",
	"AzureOpenDatasets", "AzurePlatformDNS", "AzurePlatformIMDS", "AzurePlatformLKM", "AzurePortal",
	"AzureResourceManager", "AzureSecurityCenter", "AzureSentinel", "AzureSignalR",
	"AzureSiteRecovery", "AzureSphere", "AzureSpringCloud", "AzureStack", "AzureTrafficManager",
	"AzureUpdateDelivery", "AzureWebPubSub", "BatchNodeManagement", "ChaosStudio",
	"CognitiveServicesFrontend", "CognitiveServicesManagement", "CorpNetSaw", "DataFactory",
	"DataFactoryManagement", "Dynamics365BusinessCentral", "Dynamics365ForMarketingEmail",
	"EOPExternalPublishedIPs", "EventHub", "GatewayManager", "Grafana", "GuestAndHybridManagement",
	"HDInsight", "Internet", "KustoAnalytics", "LogicApps", "LogicAppsManagement",
	"M365ManagementActivityApi", "M365ManagementActivityApiWebhook", "Marketplace",
	"MicrosoftAzureFluidRelay", "MicrosoftCloudAppSecurity", "MicrosoftContainerRegistry",
	"MicrosoftDefenderForEndpoint", "MicrosoftPurviewPolicyDistribution", "OneDsCollector", "PowerBI",
	"PowerPlatformInfra", "PowerPlatformPlex", "PowerQueryOnline", "SCCservice", "Scuba",
	"SecurityCopilot", "SerialConsole", "ServiceBus", "ServiceFabric", "Sql", "SqlManagement",
	"Storage", "StorageMover", "StorageSyncService", "SystemServiceAzureSpringAppsResourceProvider",
	"VideoIndexer", "VirtualNetwork", "WindowsAdminCenter", "WindowsVirtualDesktop",
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

// Has reports whether the file holds tag (matched case-insensitively).
func (s *ServiceTags) Has(tag string) bool {
	_, ok := s.tags[strings.ToLower(tag)]
	return ok
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

// maxServiceTagsSize bounds a Service Tags file. The weekly download is
// about 5 MB; the output of `az network list-service-tags`, about 4 MB.
const maxServiceTagsSize = 64 << 20

// ReadServiceTags reads an Azure Service Tags JSON file: the download from
// https://www.microsoft.com/download/details.aspx?id=56519 or the output of
// `az network list-service-tags`. A file over 64 MiB is refused before it is
// read. A problem with the content is an *Error in the file; an I/O error
// wraps the one from the os package.
func ReadServiceTags(path string) (*ServiceTags, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("reading service tags: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("reading service tags: %w", err)
	}
	if fi.Mode().IsRegular() && fi.Size() > maxServiceTagsSize {
		return nil, Errorf(Pos{File: path}, "%s", serviceTagsSizeMsg(fmt.Sprint(fi.Size())))
	}
	data, err := io.ReadAll(io.LimitReader(f, maxServiceTagsSize+1))
	if err != nil {
		return nil, fmt.Errorf("reading service tags: %w", err)
	}
	if len(data) > maxServiceTagsSize {
		return nil, Errorf(Pos{File: path}, "%s", serviceTagsSizeMsg(fmt.Sprintf("more than %d", maxServiceTagsSize)))
	}
	return ParseServiceTags(path, data)
}

func serviceTagsSizeMsg(size string) string {
	return fmt.Sprintf("file is %s bytes; nsgsim reads Service Tags files up to 64 MiB", size)
}

// ParseServiceTags parses the content of a Service Tags file; path names
// it in errors, which are *Error. A UTF-8 byte-order mark, which
// PowerShell writes, is skipped.
func ParseServiceTags(path string, data []byte) (*ServiceTags, error) {
	data = bom.Trim(data)
	fail := func(off int64, format string, args ...any) error {
		pos := Pos{File: path}
		if off >= 0 {
			pos = PosAt(path, data, off)
		}
		return Errorf(pos, format, args...)
	}
	var f serviceTagsFile
	if err := json.Unmarshal(data, &f); err != nil {
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &se):
			off := se.Offset - 1 // Offset counts the offending byte
			if strings.HasSuffix(se.Error(), "unexpected end of JSON input") {
				off = int64(len(data))
			}
			return nil, fail(off, "not JSON: %s; expected an Azure Service Tags JSON file", strings.TrimPrefix(se.Error(), "json: "))
		case errors.As(err, &te) && te.Field == "":
			return nil, fail(valueStart(data, te.Offset), "expected a JSON object with \"values\", got %s", article(te.Value))
		case errors.As(err, &te):
			return nil, fail(valueStart(data, te.Offset), "%s: expected %s, got %s", te.Field, jsonKind(te.Type), article(te.Value))
		}
		return nil, fail(-1, "not a Service Tags JSON file: %v", err)
	}
	if len(f.Values) == 0 {
		return nil, fail(-1, "no service tags in \"values\"; expected the Azure Service Tags JSON format")
	}
	s := &ServiceTags{File: path, tags: make(map[string]serviceTag, len(f.Values))}
	for i, v := range f.Values {
		if v.Name == "" {
			return nil, fail(-1, "values[%d] has no name", i)
		}
		var ps []netip.Prefix
		for _, a := range v.Properties.AddressPrefixes {
			p, err := netip.ParsePrefix(a)
			if err != nil {
				// Where the prefix is written; any place it is written
				// as is will do, since each is as wrong.
				off := int64(bytes.Index(data, []byte(`"`+a+`"`)))
				return nil, fail(off, "values[%d] (%s): bad address prefix %q", i, v.Name, a)
			}
			if p.Addr().Is4() {
				ps = append(ps, p.Masked())
			}
		}
		s.tags[strings.ToLower(v.Name)] = serviceTag{name: v.Name, prefixes: ps}
	}
	return s, nil
}

// valueStart returns the offset where the JSON value starts that a
// json.UnmarshalTypeError with Offset end is about: encoding/json gives the
// offset just past a string, number or literal, and just past the "[" or "{"
// of an array or object.
func valueStart(data []byte, end int64) int64 {
	i := int(end) - 1
	if i < 0 || i >= len(data) {
		return max(0, min(end, int64(len(data))))
	}
	switch c := data[i]; {
	case c == '[' || c == '{':
	case c == '"':
		for j := i - 1; j >= 0; j-- {
			if data[j] == '"' && !escaped(data, j) {
				return int64(j)
			}
		}
	default:
		for i > 0 && isJSONLiteralByte(data[i-1]) {
			i--
		}
	}
	return int64(i)
}

// escaped reports whether data[i] follows an odd number of backslashes.
func escaped(data []byte, i int) bool {
	n := 0
	for i > 0 && data[i-1] == '\\' {
		n++
		i--
	}
	return n%2 == 1
}

func isJSONLiteralByte(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || c == '-' || c == '+' || c == '.' || c == 'E'
}

// jsonKind names the JSON value a Go type decodes from.
func jsonKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Struct, reflect.Map:
		return "an object"
	}
	return "a " + t.Kind().String()
}

// article puts "a" or "an" before the name of a JSON kind ("number",
// "array").
func article(kind string) string {
	if kind != "" && strings.ContainsRune("aeiou", rune(kind[0])) {
		return "an " + kind
	}
	return "a " + kind
}
