package armexpr

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// fakeEnv is a template with fixed parameters and variables, one
// user-defined function (ns.twice) and one resource for reference().
type fakeEnv struct{ ev *Evaluator }

func (f fakeEnv) Parameter(name string) (any, error) {
	switch strings.ToLower(name) {
	case "name":
		return "web", nil
	case "rules":
		return []any{
			map[string]any{"name": "b", "priority": int64(200)},
			map[string]any{"name": "a", "priority": int64(100)},
		}, nil
	}
	return nil, fmt.Errorf("no parameter %q", name)
}

func (f fakeEnv) Variable(name string) (any, error) {
	if strings.EqualFold(name, "prefix") {
		return "10.0.0.0/16", nil
	}
	return nil, fmt.Errorf("no variable %q", name)
}

func (f fakeEnv) CallUser(name, text string, args []any) (any, error) {
	if name != "ns.twice" {
		return nil, fmt.Errorf("unknown function %s()", text)
	}
	c := f.ev.Context(f).WithArgs(map[string]any{"x": args[0]})
	return c.EvalTree("[concat(parameters('x'), parameters('x'))]", "functions"), nil
}

func (f fakeEnv) Reference(a []any) (any, error) {
	if a[0] == "vnet" {
		return WrapDeployed(map[string]any{"addressSpace": map[string]any{"addressPrefixes": []any{"10.1.0.0/16"}}}, "reference('vnet')")
	}
	return nil, fmt.Errorf("%v is not defined", a[0])
}

func (f fakeEnv) Scope() Scope {
	return Scope{SubscriptionID: "sub", ResourceGroup: "rg", Location: "westeurope", TenantID: "tenant", TemplateURI: "file:///t/main.json"}
}

func show(v any) string {
	if e, ok := v.(*Error); ok {
		return "error: " + e.Msg
	}
	if s, ok := v.(string); ok {
		return s
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func TestEval(t *testing.T) {
	ev := NewEvaluator()
	c := ev.Context(fakeEnv{ev})
	for _, tt := range []struct{ expr, want string }{
		{"plain", "plain"},
		{"[[escaped]", "[escaped]"},
		{"[toUpper(parameters('name'))]", "WEB"},
		{"[ns.twice(parameters('name'))]", "webweb"},
		{"[cidrSubnet(variables('prefix'), 24, 3)]", "10.0.3.0/24"},
		{"[reference('vnet').addressSpace.addressPrefixes[0]]", "10.1.0.0/16"},
		{"[reference('vnet').id]", "error: x: cannot evaluate \"[reference('vnet').id]\": reference('vnet').id is not set in the template; Azure sets it when the resource is deployed, so nsgsim cannot know it"},
		{"[resourceGroup().id]", "/subscriptions/sub/resourceGroups/rg"},
		{"[uri(deployment().properties.templateLink.uri, 'nested/x.json')]", "file:///t/nested/x.json"},
		{"[map(sort(parameters('rules'), lambda('x', 'y', less(lambdaVariables('x').priority, lambdaVariables('y').priority))), lambda('r', 'i', format('{0}{1}', lambdaVariables('r').name, lambdaVariables('i'))))]", `["a0","b1"]`},
		{"[reduce(range(1, 4), 0, lambda('acc', 'n', add(lambdaVariables('acc'), lambdaVariables('n'))))]", "10"},
		{"[union(createArray(1, 2, 2), createArray(2, 3))]", "[1,2,3]"},
		{"[shallowMerge(createArray(createObject('a', createObject('x', 1)), createObject('a', createObject('y', 2), 'b', 3)))]", `{"a":{"y":2},"b":3}`},
		{"[indexFromEnd(createArray('a', 'b', 'c'), 1)]", "c"},
		{"[tryIndexFromEnd(createArray('a'), 2)]", "null"},
		{"[uriComponentToString(uriComponent('a b/c'))]", "a b/c"},
		{"[dataUriToString(dataUri('hello'))]", "hello"},
		{"[deployer().objectId]", "error: x: cannot evaluate \"[deployer().objectId]\": deployer() is known only when the template is deployed"},
		{"[lambdaVariables('x')]", "error: x: cannot evaluate \"[lambdaVariables('x')]\": lambdaVariables(): no enclosing lambda has a parameter \"x\""},
	} {
		if got := show(c.EvalTree(tt.expr, "x")); got != tt.want {
			t.Errorf("%s = %s, want %s", tt.expr, got, tt.want)
		}
	}
}

// The step budget stops an evaluation that would not end, and the
// evaluator says so from then on.
func TestStepBudget(t *testing.T) {
	ev := NewEvaluator()
	c := ev.Context(fakeEnv{ev})
	loop := map[string]any{"name": "i", "count": int64(800), "input": "[range(0, 1000)]"}
	for range 200 {
		c.CopyArray(loop, "v")
		if ev.Exhausted() {
			break
		}
	}
	if !ev.Exhausted() && ev.OverBudget() == nil {
		t.Fatal("200 x 800 ranges of 1,000: no budget spent")
	}
}
