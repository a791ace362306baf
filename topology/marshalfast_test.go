package topology

import (
	"net/netip"
	"os"
	"path/filepath"
	"testing"
)

// TestMarshalFastMatchesTree: the fast writer gives yaml.v3's bytes for
// every scenario and for names and descriptions that need quoting,
// escapes, non-ASCII letters and characters yaml.v3 escapes.
func TestMarshalFastMatchesTree(t *testing.T) {
	paths, _ := filepath.Glob("../scenarios/*.yaml")
	paths = append(paths, "testdata/valid.yaml")
	if len(paths) < 10 {
		t.Fatalf("found %d topologies to marshal, want the scenarios", len(paths))
	}
	for _, path := range paths {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		top, err := Parse(path, data)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		checkMarshalFast(t, path, top, true)
	}
	odd := []string{
		"café", "naïve rule", "日本語", "𝒜lpha", "emoji 😀", "tab\there", "line\nbreak", `quote "q"`, `back\slash`,
		"\ufeffbom", "nel\u0085", "nbsp\u00a0x", "ls\u2028", "\x00nul", "bell\x07", "del\x7f", "a: b", "# hash",
		"- dash", "[flow]", "{map}", "yes", "no", "null", "~", "443", "1e3", "0x1F", " lead", "trail ", "two  spaces",
		"'single'", "@at", "`tick", "%pct", "&amp", "*star", "!bang", "|pipe", ">gt", "?q", ":colon", ",comma",
		"a very long description with spaces that goes well past the eighty columns where an emitter might fold it",
	}
	for _, s := range odd {
		top := &Topology{
			Name: s, Location: s,
			VirtualNetworks: []*VirtualNetwork{{Name: s, AddressSpace: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/16")},
				Peerings: []string{s, "b"}, Subnets: []*Subnet{{Name: s, AddressPrefix: netip.MustParsePrefix("10.0.0.0/24"), NetworkSecurityGroup: s}}}},
			NetworkSecurityGroups: []*NetworkSecurityGroup{{Name: s, SecurityRules: []*SecurityRule{{
				Name: s, Priority: 100, Description: s, Source: Addresses{Tag: s}, Destination: Addresses{ApplicationSecurityGroups: []string{s, "x"}},
				SourcePorts: []PortRange{{0, 65535}}, DestinationPorts: []PortRange{{22, 22}, {80, 90}},
			}}}},
			ApplicationSecurityGroups: []*ApplicationSecurityGroup{{Name: s}},
			VirtualMachines:           []*VirtualMachine{{Name: s, VirtualNetwork: s, Subnet: s, ApplicationSecurityGroups: []string{s}}},
			Clients:                   []*Client{{Name: s, Tag: s}},
		}
		checkMarshalFast(t, s, top, true)
	}
	// Shapes left to yaml.v3.
	checkMarshalFast(t, "empty", &Topology{}, false)
	checkMarshalFast(t, "empty NSG", &Topology{NetworkSecurityGroups: []*NetworkSecurityGroup{{}}}, false)
}

// checkMarshalFast checks that Marshal gives marshalTree's bytes, and
// that the fast writer wrote them when fast is set.
func checkMarshalFast(t *testing.T, what string, top *Topology, fast bool) {
	t.Helper()
	w := &yamlWriter{}
	err := marshalTopology(top, w)
	if err == nil {
		_, err = w.bytes()
	}
	if fast != (err == nil) {
		t.Errorf("%q: fast writer: %v, want it to write the document: %v", what, err, fast)
	}
	want, werr := marshalTree(top)
	got, gerr := Marshal(top)
	if (werr == nil) != (gerr == nil) || string(got) != string(want) {
		t.Errorf("%q: Marshal =\n%s (%v)\nwant\n%s (%v)", what, got, gerr, want, werr)
	}
}
