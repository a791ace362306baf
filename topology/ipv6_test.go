package topology

import (
	"net/netip"
	"reflect"
	"strings"
	"testing"
)

// TestIPv6RulePrefixes checks that a rule's address fields, and only
// they, load IPv6 prefixes into IPv6Prefixes; that Marshal writes them back
// after the IPv4 ones; and that such a rule keeps its priority.
func TestIPv6RulePrefixes(t *testing.T) {
	src := nsgHead +
		`      - {name: v6, priority: 100, direction: Inbound, access: Deny, protocol: "*", sourceAddressPrefix: "2001:db8::/32", sourcePortRange: "*", destinationAddressPrefix: "*", destinationPortRange: "*"}
      - {name: mixed, priority: 110, direction: Outbound, access: Allow, protocol: Tcp, sourceAddressPrefix: "*", sourcePortRange: "*", destinationAddressPrefixes: ["fd00::1", "10.0.0.0/8", "fd01::/64"], destinationPortRange: "443"}
`
	topo, err := Parse("t.yaml", []byte(src))
	if err != nil {
		t.Fatalf("Parse = %v", err)
	}
	v6, mixed := topo.NetworkSecurityGroups[0].SecurityRules[0], topo.NetworkSecurityGroups[0].SecurityRules[1]
	if want := (Addresses{IPv6Prefixes: []netip.Prefix{netip.MustParsePrefix("2001:db8::/32")}}); !reflect.DeepEqual(v6.Source, want) {
		t.Errorf("v6 source = %+v, want %+v", v6.Source, want)
	}
	wantMixed := Addresses{
		Prefixes:     []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")},
		IPv6Prefixes: []netip.Prefix{netip.MustParsePrefix("fd00::1/128"), netip.MustParsePrefix("fd01::/64")},
	}
	if !reflect.DeepEqual(mixed.Destination, wantMixed) {
		t.Errorf("mixed destination = %+v, want %+v", mixed.Destination, wantMixed)
	}
	// Positions follow AllPrefixes: the IPv4 prefix, then the IPv6 ones.
	for field, col := range map[string]int{"destinationAddressPrefixes[0]": 177, "destinationAddressPrefixes[1]": 166, "destinationAddressPrefixes[2]": 191} {
		if p := mixed.At(field); p.Line != 5 || p.Col != col {
			t.Errorf("position of %s = %v, want 5:%d", field, p, col)
		}
	}
	out, err := Marshal(topo)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{`sourceAddressPrefix: "2001:db8::/32"`, `destinationAddressPrefixes: [10.0.0.0/8, "fd00::1", "fd01::/64"]`} {
		if !strings.Contains(string(out), s) {
			t.Errorf("Marshal lacks %q:\n%s", s, out)
		}
	}
	back, err := Parse("t.yaml", out)
	if err != nil {
		t.Fatalf("Parse(Marshal) = %v\n%s", err, out)
	}
	stripOrigins(topo)
	stripOrigins(back)
	if !reflect.DeepEqual(topo, back) {
		t.Errorf("Parse(Marshal(t)) differs from t:\n%s", out)
	}

	// The rule whose prefixes are all IPv6 still holds its priority.
	dup := src + `      - {name: again, priority: 100, direction: Inbound, access: Allow, protocol: Tcp, sourceAddressPrefix: "*", sourcePortRange: "*", destinationAddressPrefix: "*", destinationPortRange: "22"}` + "\n"
	_, err = Parse("t.yaml", []byte(dup))
	if err == nil || !strings.Contains(err.Error(), `rule "again": priority 100 is already used by inbound rule "v6"`) {
		t.Errorf("Parse(duplicate priority) = %v, want the priority of v6 taken", err)
	}
}

// TestIPv6OnlyInRules checks that IPv6 stays an error outside rule
// address fields, and that a rule's IPv6 prefix cannot mix with a tag.
func TestIPv6OnlyInRules(t *testing.T) {
	for _, src := range []string{
		"virtualNetworks:\n  - {name: hub, addressSpace: [\"fd00::/48\"]}\n",
		"clients:\n  - {name: c, addressPrefix: \"2001:db8::/32\"}\n",
		vnetBase + "virtualMachines:\n  - {name: vm, subnet: hub/workload, privateIpAddress: \"fd00::4\"}\n",
		nsgHead + `      - {name: r, priority: 100, direction: Inbound, access: Deny, protocol: "*", sourceAddressPrefixes: ["fd00::/64", "Internet"], sourcePortRange: "*", destinationAddressPrefix: "*", destinationPortRange: "*"}` + "\n",
	} {
		if _, err := Parse("t.yaml", []byte(src)); err == nil {
			t.Errorf("Parse(%q) = nil error, want one", src)
		}
	}
}
