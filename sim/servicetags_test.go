package sim

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/nsgsim/nsgsim/topology"
)

// With a Service Tags file, tags are their real prefixes: a rule on a CIDR
// that holds GatewayManager's prefixes carries the GatewayManager flow, and
// AzureCloud is only what the file says (service-tags-overview, "Discover
// service tags by using downloadable JSON files").
func TestServiceTagsFile(t *testing.T) {
	src := strings.Replace(base, "%s", ", networkSecurityGroup: b", 1)
	for range 3 {
		src = strings.Replace(src, "%s", "", 1)
	}
	src += "networkSecurityGroups:\n  - name: b\n    securityRules:\n" +
		rule("gm-range", 100, "Inbound", "Allow", "Tcp", "20.36.0.0/16", "*", "*", "443") +
		rule("cloud", 100, "Outbound", "Allow", "Tcp", "*", "*", "AzureCloud", "443") +
		rule("deny-in", 4096, "Inbound", "Deny", "*", "*", "*", "*", "*") +
		rule("deny-out", 4096, "Outbound", "Deny", "*", "*", "*", "*", "*")
	topo, err := topology.Parse("tags.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	verdicts := func() map[string]string {
		r, err := Simulate(topo)
		if err != nil {
			t.Fatal(err)
		}
		out := make(map[string]string)
		for _, res := range r.Results {
			out[res.Flow.ID] = verdictBy(res)
		}
		return out
	}

	// Built-in model: a narrow range is assumed to hold no GatewayManager address.
	got := verdicts()
	if want := "Deny by b/deny-in"; got["bas/gatewaymanager-https"] != want {
		t.Errorf("built-in: gatewaymanager-https = %s, want %s", got["bas/gatewaymanager-https"], want)
	}
	if want := "Allow by b/cloud"; got["bas/azurecloud-https"] != want {
		t.Errorf("built-in: azurecloud-https = %s, want %s", got["bas/azurecloud-https"], want)
	}

	// With the file: GatewayManager is 20.36.0.0/24, inside the allowed range;
	// AzureCloud is two prefixes, and the rule on AzureCloud covers both.
	topo.ServiceTags = topology.NewServiceTags("tags.json", map[string][]netip.Prefix{
		"GatewayManager": {netip.MustParsePrefix("20.36.0.0/24")},
		"AzureCloud":     {netip.MustParsePrefix("20.36.0.0/16"), netip.MustParsePrefix("40.64.0.0/10")},
	})
	got = verdicts()
	for id, want := range map[string]string{
		"bas/gatewaymanager-https":  "Allow by b/gm-range",
		"bas/azurecloud-https":      "Allow by b/cloud",
		"bas/client-https/Internet": "Partial by b/deny-in",
	} {
		if got[id] != want {
			t.Errorf("with file: %s = %s, want %s", id, got[id], want)
		}
	}
}

func TestParseServiceTags(t *testing.T) {
	data := `{"changeNumber": 1, "cloud": "Public", "values": [
	  {"name": "GatewayManager", "id": "GatewayManager", "properties": {"addressPrefixes": ["20.36.0.0/24", "2603:1000::/40"]}},
	  {"name": "AzureCloud.westeurope", "properties": {"addressPrefixes": ["40.64.0.0/10"]}}]}`
	tags, err := topology.ParseServiceTags("t.json", []byte(data))
	if err != nil {
		t.Fatal(err)
	}
	ps, ok := tags.Prefixes("gatewaymanager")
	if !ok || len(ps) != 1 || ps[0].String() != "20.36.0.0/24" {
		t.Errorf("Prefixes(gatewaymanager) = %v, %v; want [20.36.0.0/24] (IPv6 dropped)", ps, ok)
	}
	if tag, ok := topology.CanonicalTag("AZURECLOUD.WestEurope", tags); !ok || tag != "AzureCloud.westeurope" {
		t.Errorf("CanonicalTag = %q, %v; want AzureCloud.westeurope", tag, ok)
	}
	if _, err := topology.ParseServiceTags("t.json", []byte(`{"values": []}`)); err == nil {
		t.Error("empty values: want an error")
	}
}
