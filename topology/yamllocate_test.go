package topology

import (
	"strings"
	"testing"
)

// TestYAMLSyntaxPositions pins each syntax error at the offending token,
// not at the line yaml.v3 names, with a hint for the common slips.
func TestYAMLSyntaxPositions(t *testing.T) {
	// rules makes a topology whose line 21 is the last rule line, for a
	// slip deep in a file.
	rules := func(last string) string {
		return "name: t\nnetworkSecurityGroups:\n  - name: g\n    securityRules:\n" +
			strings.Repeat("      - name: r\n", 16) + last + "\n"
	}
	tests := []struct {
		name, in, want string
	}{
		{"unclosed-flow-list", "name: t\nvirtualNetworks:\n  - name: hub\n    addressSpace: [10.0.0.0/16\n    subnets: []\n",
			`t.yaml:4:19: YAML syntax: this [ is never closed; expected ',' or ']' before line 5`},
		{"unclosed-flow-line-3", "name: t\nlocation: westeurope\ntags: [a, b\n",
			`t.yaml:3:7: YAML syntax: this [ is never closed; expected ',' or ']'`},
		{"block-list-in-flow", "name: t\nvirtualNetworks: [\n  - name: hub\n",
			`t.yaml:2:18: YAML syntax: this [ is never closed; expected ',' or ']' before line 3`},
		{"tab-line-21", rules("\t  priority: 100"),
			`t.yaml:21:1: YAML syntax: a tab in the indentation; YAML indents with spaces`},
		{"tab-after-spaces", "name: t\nvirtualNetworks:\n  \t- name: hub\n",
			`t.yaml:3:3: YAML syntax: a tab in the indentation; YAML indents with spaces`},
		{"unquoted-star", "name: t\nnetworkSecurityGroups:\n  - name: g\n    securityRules:\n      - name: r\n        sourceAddressPrefix: *\n",
			`t.yaml:6:30: YAML syntax: a bare * starts an alias in YAML; quote it: "*"`},
		{"unquoted-star-in-list", "name: t\nflows:\n  - name: f\n    destinationPorts: [22, *]\n",
			`t.yaml:4:28: YAML syntax: a bare * starts an alias in YAML; quote it: "*"`},
		{"under-indented-key", "name: t\nvirtualNetworks:\n  - name: hub\n    addressSpace: [10.0.0.0/16]\n  subnets: []\n",
			`t.yaml:5:3: YAML syntax: key "subnets" is under-indented: it starts in column 3; expected column 5 (the keys from line 3) or column 3 (the items from line 3)`},
		{"over-indented-key", "name: t\nvirtualNetworks:\n  - name: hub\n     addressSpace: [10.0.0.0/16]\n",
			`t.yaml:4:6: YAML syntax: key "addressSpace" is indented deeper than the line above allows: it starts in column 6; expected column 5 (the keys from line 3) or column 3 (the items from line 3)`},
		{"list-item-indented-wrongly", "name: t\nvirtualNetworks:\n  - name: hub\n    subnets:\n    - name: a\n      addressPrefix: 10.0.0.0/24\n     - name: b\n",
			`t.yaml:7:6: YAML syntax: a list item indented wrongly: it starts in column 6; expected column 7 (the keys from line 5) or column 5 (the items from line 5)`},
		{"list-item-between-levels", "name: t\nvirtualNetworks:\n  - name: hub\n   - name: spoke\n",
			`t.yaml:4:4: YAML syntax: a list item indented wrongly: it starts in column 4; expected column 5 (the keys from line 3) or column 3 (the items from line 3)`},
		{"missing-colon", "name: t\nlocation westeurope\nvirtualNetworks: []\n",
			`t.yaml:2:1: YAML syntax: "location westeurope" has no colon; expected KEY: VALUE`},
		{"unterminated-quote", "name: \"corpus\nlocation: westeurope\n",
			`t.yaml:1:7: YAML syntax: this double-quoted string is never closed; end it with "`},
		{"az-nsg-show", "{\n  \"name\": \"nsg\",\n  \"resourceGuid\": \"0d3b\",\n  \"type\": \"Microsoft.Network/networkSecurityGroups\",\n  \"securityRules\": []\n}\n",
			`t.yaml:1:1: this is an Azure resource of type "Microsoft.Network/networkSecurityGroups" as the az CLI or the ARM REST API prints it, not an nsgsim topology; use nsgsim import az FILE to convert it (every command also reads az output directly)`},
		{"az-nsg-pasted-in", "name: t\nnetworkSecurityGroups:\n  - name: nsg\n    resourceGuid: 0d3b\n    securityRules: []\n",
			"t.yaml:4:5: networkSecurityGroups[0]: unknown key \"resourceGuid\": this object looks pasted from az output (such as `az network nsg show`); use nsgsim import az FILE to convert az output"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("t.yaml", []byte(tt.in))
			if got := ErrorText(err); got != tt.want {
				t.Errorf("Parse(%q) error:\n%s\nwant:\n%s", tt.in, got, tt.want)
			}
		})
	}
}

// TestLocateSyntaxValid checks that the locator finds no slip in files
// yaml.v3 reads, so that it never moves an error onto a correct line.
func TestLocateSyntaxValid(t *testing.T) {
	for _, in := range []string{
		"a:\n- b\n- c\nd: 1\n",
		"a:\n  - b: 1\n    c: |\n      text\n        deeper\n  - d\nz: [1,\n  2]\n",
		"a: \"multi\n  line\"\nb: 'it''s'\nc: it's # comment: here\n",
		"- - a\n  - b\n- c\n",
		"a:\n  b:\n    c: 1\n  d: 2\ne: 3\n",
	} {
		lines, open := scanLines([]byte(in))
		if open.quote != nil || open.flow != nil {
			t.Errorf("scanLines(%q) found unclosed %+v %+v", in, open.quote, open.flow)
		}
		if s, ok := findIndentSlip(lines); ok {
			t.Errorf("findIndentSlip(%q) = %+v, want none", in, s)
		}
	}
}
