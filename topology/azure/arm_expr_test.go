package azure

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/nsgsim/nsgsim/topology/azure/armexpr"
)

// fmtValue prints an evaluated value compactly: strings bare, the rest as
// JSON.
func fmtValue(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case *exprError:
		return "error: " + v.Msg
	case []any:
		parts := make([]string, len(v))
		for i, x := range v {
			parts[i] = fmtValue(x)
		}
		return "[" + strings.Join(parts, " ") + "]"
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// testTemplate is a template context for evaluating expressions alone.
func testTemplate() *template {
	root := &template{
		file: "t.json", opts: ARMOptions{SubscriptionID: DefaultSubscriptionID, ResourceGroup: "rg", Location: "westeurope"},
		ev: armexpr.NewEvaluator(), byID: map[string]*armResource{}, byTN: map[string][]*armResource{},
		byName: map[string][]*armResource{},
	}
	root.root = root
	root.load(map[string]any{
		"parameters": map[string]any{
			"name":  map[string]any{"type": "string", "defaultValue": "Web"},
			"count": map[string]any{"type": "int", "defaultValue": int64(3)},
			"obj":   map[string]any{"type": "object", "defaultValue": map[string]any{"Key": "v", "list": []any{int64(1), int64(2)}}},
		},
		"variables": map[string]any{
			"greeting": "[concat('hello-', parameters('name'))]",
		},
	}, nil)
	return root
}

func TestEvalExpr(t *testing.T) {
	tests := []struct{ expr, want string }{
		{"plain", "plain"},
		{"[[literal]", "[literal]"},
		{"[not an expression", "[not an expression"},
		{"[parameters('name')]", "Web"},
		{"[parameters('NAME')]", "Web"},
		{"[variables('greeting')]", "hello-Web"},
		{"[concat('a', 'b', 1)]", "ab1"},
		{"[concat(createArray(1), createArray(2, 3))]", "[1 2 3]"},
		{"[format('{0}-{1:D3}-{{x}}', 'a', 7)]", "a-007-{x}"},
		{"[toLower('ABC')]", "abc"},
		{"[toUpper('abc')]", "ABC"},
		{"['it''s']", "it's"},
		{"[equals('a', 'A')]", "false"},
		{"[equals(createArray(1, 'x'), createArray(1, 'x'))]", "true"},
		{"[not(true())]", "false"},
		{"[and(true(), false())]", "false"},
		{"[or(false(), true())]", "true"},
		{"[if(equals(1, 1), 'yes', reference('nope').x)]", "yes"}, // only the branch taken is evaluated
		{"[and(false(), reference('nope').x)]", "false"},
		{"[empty('')]", "true"},
		{"[empty(createArray())]", "true"},
		{"[empty(null())]", "true"},
		{"[length('abcd')]", "4"},
		{"[length(parameters('obj').list)]", "2"},
		{"[parameters('obj').key]", "v"}, // property names are case-insensitive
		{"[parameters('obj')['list'][1]]", "2"},
		{"[string(1)]", "1"},
		{"[string(true())]", "True"},
		{"[string(createArray(1))]", "[1]"},
		{"[int('42')]", "42"},
		{"[bool('TRUE')]", "true"},
		{"[first(createArray('a', 'b'))]", "a"},
		{"[last('xyz')]", "z"},
		{"[contains('abc', 'b')]", "true"},
		{"[contains(createArray(1, 2), 3)]", "false"},
		{"[contains(parameters('obj'), 'KEY')]", "true"},
		{"[union(createArray(1, 2), createArray(2, 3))]", "[1 2 3]"},
		{"[union(createObject('a', 1), createObject('b', 2)).b]", "2"},
		{"[intersection(createArray(1, 2), createArray(2, 3))]", "[2]"},
		{"[split('a,b;c', createArray(',', ';'))]", "[a b c]"},
		{"[replace('a-b-c', '-', '.')]", "a.b.c"},
		{"[uniqueString('a', 'b')]", "k57og3jqbyjhg"},
		{"[length(uniqueString(resourceGroup().id))]", "13"},
		{"[guid('a')]", "d5054dde-373c-5fa7-add0-add2cee51f40"},
		{"[resourceGroup().location]", "westeurope"},
		{"[resourceGroup().name]", "rg"},
		{"[resourceGroup().id]", "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg"},
		{"[subscription().subscriptionId]", "00000000-0000-0000-0000-000000000000"},
		{"[resourceId('Microsoft.Network/virtualNetworks/subnets', 'v', 's')]",
			"/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/s"},
		{"[resourceId('other', 'Microsoft.Network/networkSecurityGroups', 'g')]",
			"/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/other/providers/Microsoft.Network/networkSecurityGroups/g"},
		{"[resourceId('sub', 'other', 'Microsoft.Network/networkSecurityGroups', 'g')]",
			"/subscriptions/sub/resourceGroups/other/providers/Microsoft.Network/networkSecurityGroups/g"},
		{"[subscriptionResourceId('Microsoft.Resources/resourceGroups', 'x')]",
			"/subscriptions/00000000-0000-0000-0000-000000000000/providers/Microsoft.Resources/resourceGroups/x"},
		{"[tenantResourceId('Microsoft.Management/managementGroups', 'mg')]", "/providers/Microsoft.Management/managementGroups/mg"},
		{"[createArray(1, 'a')]", "[1 a]"},
		{"[array('x')]", "[x]"},
		{"[createObject('k', 1).k]", "1"},
		{"[coalesce(null(), 'b')]", "b"},
		{"[range(1, 3)]", "[1 2 3]"},
		{"[padLeft(7, 3, '0')]", "007"},
		{"[substring('abcdef', 1, 3)]", "bcd"},
		{"[indexOf('abcABC', 'C')]", "2"},
		{"[lastIndexOf('abcABC', 'c')]", "5"},
		{"[startsWith('Hello', 'he')]", "true"},
		{"[endsWith('Hello', 'LO')]", "true"},
		{"[trim('  x ')]", "x"},
		{"[skip(createArray(1, 2, 3), 1)]", "[2 3]"},
		{"[take('abc', 2)]", "ab"},
		{"[add(1, mul(2, 3))]", "7"},
		{"[sub(10, div(9, 2))]", "6"},
		{"[mod(7, 3)]", "1"},
		{"[min(createArray(3, 1, 2))]", "1"},
		{"[max(3, 9)]", "9"},
		{"[greater(2, 1)]", "true"},
		{"[lessOrEquals('a', 'b')]", "true"},
		{"[json('{\"a\": [1]}').a[0]]", "1"},
		{"[join(createArray('a', 'b'), '/')]", "a/b"},
		{"[items(createObject('b', 2, 'a', 1))[0].key]", "a"},
		{"[tryGet(parameters('obj'), 'missing')]", "null"},
		{"[cidrSubnet('10.0.0.0/16', 24, 3)]", "10.0.3.0/24"},
		{"[cidrHost('10.0.1.0/24', 3)]", "10.0.1.4"},
		{"[parseCidr('10.0.0.0/26').broadcast]", "10.0.0.63"},
		{"[base64ToString(base64('x'))]", "x"},
		{"[flatten(createArray(createArray(1), createArray(2)))]", "[1 2]"},
		{"[copyIndex()]", "error: t.json: x: cannot evaluate \"[copyIndex()]\": copyIndex() without a loop name is used outside a resource copy loop"},
		{"[parameters('nope')]", "error: t.json: x: cannot evaluate \"[parameters('nope')]\": parameters(): the template declares no parameter \"nope\"; declared: count, name, obj"},
		{"[createArray(1)[5]]", "error: t.json: x: cannot evaluate \"[createArray(1)[5]]\": index 5 is out of range for an array of length 1"},
		{"[div(1, 0)]", "error: t.json: x: cannot evaluate \"[div(1, 0)]\": div(): division by zero"},
		{"[concat('a')", "[concat('a')"},
		{"[concat('a') extra]", "error: t.json: x: cannot evaluate \"[concat('a') extra]\": syntax error: unexpected \"extra\" at offset 13 after the end of the expression"},
		{"[listKeys('x', '2020-01-01').keys[0]]", "error: t.json: x: cannot evaluate \"[listKeys('x', '2020-01-01').keys[0]]\": listKeys() reads a deployed resource; its result is known only in Azure"},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			tp := testTemplate()
			v := tp.ev.Context(tp).EvalTree(tt.expr, "x")
			got := fmtValue(v)
			if e, ok := v.(*exprError); ok {
				got = "error: t.json: " + e.Msg
			}
			if got != tt.want {
				t.Errorf("evalString(%s) = %s, want %s", tt.expr, got, tt.want)
			}
		})
	}
}

func TestCopyIndexInLoops(t *testing.T) {
	tp := testTemplate()
	c := tp.ev.Context(tp).WithLoop("vms", 2, true).WithLoop("disks", 5, false)
	tests := []struct{ expr, want string }{
		{"[copyIndex()]", "2"},
		{"[copyIndex(1)]", "3"},
		{"[copyIndex('disks')]", "5"},
		{"[copyIndex('DISKS', 10)]", "15"},
		{"[copyIndex('vms')]", "2"},
	}
	for _, tt := range tests {
		if got := fmtValue(c.EvalTree(tt.expr, "x")); got != tt.want {
			t.Errorf("evalString(%s) = %s, want %s", tt.expr, got, tt.want)
		}
	}
}

func TestParseResourceID(t *testing.T) {
	tests := []struct {
		in, typ, name string
		ok            bool
	}{
		{"/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/a", "Microsoft.Network/virtualNetworks/subnets", "a", true},
		{"/SUBSCRIPTIONS/s/RESOURCEGROUPS/rg/PROVIDERS/Microsoft.Network/networkSecurityGroups/g/", "Microsoft.Network/networkSecurityGroups", "g", true},
		{"/subscriptions/s/providers/Microsoft.Resources/resourceGroups/x", "Microsoft.Resources/resourceGroups", "x", true},
		{"/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network", "", "", false},
		{"/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks", "", "", false},
		{"not an id", "", "", false},
		{"", "", "", false},
	}
	for _, tt := range tests {
		id, ok := parseResourceID(tt.in)
		if ok != tt.ok || ok && (id.Type() != tt.typ || id.Name() != tt.name) {
			t.Errorf("parseResourceID(%q) = %v %v, want %s %s %v", tt.in, id, ok, tt.typ, tt.name, tt.ok)
		}
		if ok {
			if again, _ := parseResourceID(id.String()); again.Key() != id.Key() {
				t.Errorf("parseResourceID(%q).String() does not round-trip", tt.in)
			}
		}
	}
}
