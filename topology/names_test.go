package topology

import (
	"strconv"
	"strings"
	"testing"
)

func TestNameProblem(t *testing.T) {
	for _, tc := range []struct {
		name, want string
	}{
		{"nsg-bastion", ""},
		{"vm's $(rm -rf) `x` ${a} %{b} */ <<EOF \"q\"", ""}, // hostile, but printable: a lint finding, not a load error
		{"café-東京", ""},
		{strings.Repeat("a", MaxNameLength), ""},
		{strings.Repeat("a", MaxNameLength+1), "1025 characters long"},
		{"a\nb", "U+000A"},
		{"a\rb", "U+000D"},
		{"a\tb", "U+0009"},
		{"a\x1b[31mb", "U+001B"},
		{"a\x7fb", "U+007F"},
		{"a\u0085b", "U+0085"},
		{"a\u2028b", "U+2028 (line separator)"},
		{"a\u2029b", "U+2029 (paragraph separator)"},
		{"a\u202eb", "U+202E (a bidirectional-text control)"},
		{"a\u2066b", "U+2066"},
		{"a\u200fb", "U+200F"},
		{"a\u061cb", "U+061C"},
		{"a\xffb", "not UTF-8"},
	} {
		got := NameProblem(tc.name)
		if tc.want == "" && got != "" || tc.want != "" && !strings.Contains(got, tc.want) {
			t.Errorf("NameProblem(%q) = %q, want %q", tc.name, got, tc.want)
		}
	}
}

// TestNamesAreLoadErrors checks that a bad name of every kind of object is
// a positioned load error, each reported at once.
func TestNamesAreLoadErrors(t *testing.T) {
	q := func(s string) string { return strconv.Quote(s) } // a YAML double-quoted scalar
	src := "name: " + q("topo\u2028") + `
virtualNetworks:
  - name: ` + q("hub\n") + `
    addressSpace: [10.0.0.0/16]
    subnets:
      - name: ` + q("s\u202e") + `
        addressPrefix: 10.0.1.0/24
networkSecurityGroups:
  - name: ` + q("nsg\x1b") + `
    securityRules:
      - name: ` + q("r\r") + `
        priority: 100
        direction: Inbound
        access: Allow
        protocol: Tcp
        sourceAddressPrefix: "*"
        sourcePortRange: "*"
        destinationAddressPrefix: "*"
        destinationPortRange: "22"
applicationSecurityGroups:
  - name: ` + q("asg\u2029") + `
virtualMachines:
  - name: ` + q("vm\u2066") + `
    subnet: ` + q("hub\n/s\u202e") + `
    privateIpAddress: 10.0.1.4
    os: Linux
bastionHosts:
  - name: ` + q(strings.Repeat("b", 1100)) + `
    virtualNetwork: ` + q("hub\n") + `
clients:
  - name: ` + q("c\u0085") + `
    addressPrefix: 203.0.113.0/24
flows:
  - name: ` + q("f\x00") + `
    source: 10.0.1.4
    destination: 10.0.1.4
    protocol: Tcp
    destinationPort: 22
`
	_, err := Parse("hostile.yaml", []byte(src))
	if err == nil {
		t.Fatal("Parse accepted names with control characters")
	}
	msg := ErrorText(err)
	for _, want := range []string{
		"hostile.yaml:1:7: topology: name holds U+2028",
		"hostile.yaml:3:11: virtual network \"hub\\n\": name holds U+000A",
		"hostile.yaml:6:15: subnet \"s\\u202e\": name holds U+202E",
		"hostile.yaml:9:11: network security group \"nsg\\x1b\": name holds U+001B",
		"hostile.yaml:11:15: security rule \"r\\r\": name holds U+000D",
		"hostile.yaml:21:11: application security group \"asg\\u2029\": name holds U+2029",
		"hostile.yaml:23:11: virtual machine \"vm\\u2066\": name holds U+2066",
		"hostile.yaml:28:11: bastion host \"bbbb",
		"is 1100 characters long; names are at most 1024 characters",
		"hostile.yaml:31:11: client \"c\\u0085\": name holds U+0085",
		"hostile.yaml:34:11: flow \"f\\x00\": name holds U+0000",
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("Parse error lacks %q; got:\n%s", want, msg)
		}
	}
	for _, line := range strings.Split(msg, "\n") {
		for _, r := range line {
			if UnsafeRune(r) {
				t.Errorf("error line carries %U raw: %q", r, line)
			}
		}
	}
}
