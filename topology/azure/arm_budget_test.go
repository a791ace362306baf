package azure

import (
	"fmt"
	"strings"
	"testing"
)

// hostileTemplates are small templates that ask for enormous work or memory
// (issue: "1–3 KB ARM templates exhaust memory or run for minutes"). Each
// must end quickly with the error in want (a JSON path and the budget), or
// import when want is "".
var hostileTemplates = []struct {
	name, vars, nsgName, want string
}{
	{
		name:    "array doubling",
		vars:    doublingVars("[concat(variables('a%d'), variables('a%d'))]", `["x"]`),
		nsgName: "[concat('nsg', length(variables('a40')))]",
		want:    "t.json: variables.a20: cannot evaluate \"[concat(variables('a19'), variables('a19'))]\": variables(): ARM values grow beyond 2097152 array elements and object members",
	},
	{
		name:    "object doubling",
		vars:    doublingVars("[createObject('l', variables('a%d'), 'r', variables('a%d'))]", `{"x": 1}`),
		nsgName: "[concat('nsg', length(string(variables('a40'))))]",
		want:    "t.json: resources[0].name: cannot evaluate \"[concat('nsg', length(string(variables('a40'))))]\": ARM values grow beyond 2097152",
	},
	{
		name:    "shared array printed",
		vars:    doublingVars("[createArray(variables('a%d'), variables('a%d'))]", `["x"]`),
		nsgName: "[concat('nsg', uniqueString(string(variables('a40'))))]",
		want:    "t.json: resources[0].name: cannot evaluate \"[concat('nsg', uniqueString(string(variables('a40'))))]\": ARM values grow beyond 2097152",
	},
	{
		name:    "union of large arrays",
		vars:    `"big": "[range(0, 10000)]", "u": "[union(variables('big'), range(5000, 10000), variables('big'))]"`,
		nsgName: "[concat('nsg', length(variables('u')))]",
	},
	{
		name:    "union in a loop",
		vars:    `"copy": [{"name": "u", "count": 800, "input": "[length(union(range(0, 10000), range(copyIndex('u'), 10000)))]"}]`,
		nsgName: "[concat('nsg', length(variables('u')))]",
		want:    "ARM values grow beyond 2097152",
	},
	{
		name:    "padLeft to 65536 in a loop",
		vars:    `"copy": [{"name": "p", "count": 300, "input": "[length(padLeft('x', 65536, '0'))]"}]`,
		nsgName: "[concat('nsg', string(length(variables('p'))))]",
	},
	{
		name:    "padLeft beyond the bound",
		vars:    `"p": "[padLeft('x', 65537, '0')]"`,
		nsgName: "[concat('nsg', variables('p'))]",
		want:    "t.json: variables.p: cannot evaluate \"[padLeft('x', 65537, '0')]\": padLeft(): total length 65537 is too large",
	},
}

// doublingVars declares a0 = first and a(i+1) = format(a(i), a(i)), to a40.
func doublingVars(format, first string) string {
	parts := []string{`"a0": ` + first}
	for i := 1; i <= 40; i++ {
		parts = append(parts, fmt.Sprintf(`"a%d": %q`, i, fmt.Sprintf(format, i-1, i-1)))
	}
	return strings.Join(parts, ", ")
}

func hostileTemplate(vars, nsgName string) []byte {
	return []byte(`{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
"contentVersion": "1.0.0.0", "variables": {` + vars + `},
"resources": [{"type": "Microsoft.Network/networkSecurityGroups", "apiVersion": "2023-04-01",
"name": "` + nsgName + `", "location": "westeurope", "properties": {"securityRules": []}}]}`)
}

func TestARMBudgets(t *testing.T) {
	for _, tc := range hostileTemplates {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ImportARM(hostileTemplate(tc.vars, tc.nsgName), nil, "t.json")
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("error: %v", err)
			case tc.want != "" && err == nil:
				t.Fatalf("imported; want an error containing %q", tc.want)
			case tc.want != "" && !strings.Contains(err.Error(), tc.want):
				t.Fatalf("error:\n%v\nwant it to contain:\n%s", err, tc.want)
			}
		})
	}
}

// BenchmarkARMBudgets measures each hostile template: each must end within
// 5 s and 1 GiB (issue 11), reported as ns/op and B/op.
func BenchmarkARMBudgets(b *testing.B) {
	for _, tc := range hostileTemplates {
		data := hostileTemplate(tc.vars, tc.nsgName)
		b.Run(strings.ReplaceAll(tc.name, " ", "-"), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				ImportARM(data, nil, "t.json")
			}
		})
	}
}

// manyResources is a template of n NSGs declared in reverse dependency
// order: each names the next in dependsOn and reads it with reference(), so
// deployment order reverses the whole list.
func manyResources(n int) []byte {
	var rs []string
	for i := range n {
		rs = append(rs, fmt.Sprintf(`{"type": "Microsoft.Network/networkSecurityGroups", "apiVersion": "2024-05-01", "name": "nsg%d",
  "dependsOn": ["nsg%d"], "tags": {"next": "[string(reference('nsg%d', '2024-05-01', 'Full').name)]"}, "properties": {}}`, i, i+1, i+1))
	}
	rs = append(rs, fmt.Sprintf(`{"type": "Microsoft.Network/networkSecurityGroups", "apiVersion": "2024-05-01", "name": "nsg%d", "properties": {}}`, n))
	return []byte(`{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#", "contentVersion": "1.0.0.0",
"resources": [` + strings.Join(rs, ",\n") + `]}`)
}

func TestDeploymentOrderScales(t *testing.T) {
	top, err := ImportARM(manyResources(50), nil, "t.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(top.NetworkSecurityGroups) != 51 {
		t.Fatalf("%d NSGs", len(top.NetworkSecurityGroups))
	}
}

// BenchmarkDeploymentOrder orders 5,000 declarations that each depend on
// the next: ordering must stay near linear in the template's size.
func BenchmarkDeploymentOrder(b *testing.B) {
	data := manyResources(5000)
	b.ReportAllocs()
	for b.Loop() {
		ImportARM(data, nil, "t.json")
	}
}
