package azure

import (
	"github.com/nsgsim/nsgsim/topology/azure/armexpr"
	"slices"
	"strings"
)

// Resources are read in deployment order, as Azure deploys them: a
// resource after every resource it depends on, explicitly (dependsOn: a
// symbolic name, a resource name, a copy loop's name or a resource ID,
// https://learn.microsoft.com/en-us/azure/azure-resource-manager/templates/resource-dependency)
// or implicitly (reference() to it), and otherwise in the order written.
// So reference() and a module's outputs find the resource they name, even
// when it is declared later in the template.

// declared is one resource declaration of a "resources" array or object.
type declared struct {
	raw    any
	path   string
	symbol string // languageVersion 2.0 symbolic name, or ""
}

// deploymentOrder returns the indexes of decls in deployment order. It
// evaluates names and dependsOn quietly: what cannot be evaluated yet names
// nothing, and its errors are reported when the resource is read.
func (t *template) deploymentOrder(decls []declared, parent *armResource, ctx *armexpr.Context) []int {
	n := len(decls)
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	if n < 2 {
		return order
	}
	// names[i] holds what a dependency may call declaration i, lower case.
	names := make([][]string, n)
	byName := map[string][]int{}
	for i, d := range decls {
		m, ok := d.raw.(map[string]any)
		if !ok {
			continue
		}
		add := func(s string) {
			if s = strings.ToLower(s); s != "" {
				names[i] = append(names[i], s)
				byName[s] = append(byName[s], i)
			}
		}
		add(d.symbol)
		c := ctx
		if cp, ok := lookupKey(m, "copy"); ok {
			cm, _ := cp.(map[string]any)
			loop, _ := cm["name"].(string)
			add(loop)
			c = ctx.WithLoop(loop, 0, true)
		}
		typ, _ := quiet(c, m, "type").(string)
		if parent != nil && !strings.Contains(typ, "/") {
			typ = parent.typ + "/" + typ
		}
		name, _ := quiet(c, m, "name").(string)
		if name == "" {
			continue
		}
		add(name)
		if typ != "" {
			add(typ + "/" + name)
			if id, ok := makeResourceID(t.opts.SubscriptionID, t.opts.ResourceGroup, typ, strings.Split(name, "/")); ok {
				add(id.TypeNameKey())
			}
		}
	}
	deps := make([][]int, n)
	for i, d := range decls {
		m, ok := d.raw.(map[string]any)
		if !ok {
			continue
		}
		var on []int
		if raw, ok := lookupKey(m, "dependsOn"); ok {
			list, _ := ctx.EvalTree(raw, d.path+".dependsOn").([]any)
			for _, x := range list {
				s, ok := x.(string)
				if !ok {
					continue
				}
				key := strings.ToLower(s)
				if id, ok := parseResourceID(s); ok {
					key = id.TypeNameKey()
				}
				on = append(on, byName[key]...)
			}
		}
		// Implicit dependencies: reference('NAME') of a declaration.
		walkStrings(m, func(s string) {
			if !strings.Contains(strings.ToLower(s), "reference") {
				return
			}
			for j := range decls {
				for _, nm := range names[j] {
					if j != i && strings.Contains(strings.ToLower(s), "'"+nm+"'") {
						on = append(on, j)
						break
					}
				}
			}
		})
		deps[i] = on
	}
	// Kahn's algorithm, taking the first declaration whose dependencies are
	// all placed; a cycle (which Azure rejects) keeps the written order.
	placed := make([]bool, n)
	order = order[:0]
	for len(order) < n {
		next := -1
		for i := range decls {
			if placed[i] {
				continue
			}
			ready := true
			for _, j := range deps[i] {
				if !placed[j] && j != i {
					ready = false
					break
				}
			}
			if ready {
				next = i
				break
			}
		}
		if next < 0 { // a cycle: the first unplaced one
			next = slices.Index(placed, false)
		}
		placed[next] = true
		order = append(order, next)
	}
	return order
}

// quiet evaluates member key of m in c, returning nil for an error.
func quiet(c *armexpr.Context, m map[string]any, key string) any {
	raw, ok := lookupKey(m, key)
	if !ok {
		return nil
	}
	v := c.EvalTree(raw, key)
	if _, isErr := v.(*exprError); isErr {
		return nil
	}
	return v
}

// walkStrings calls f with every string in v.
func walkStrings(v any, f func(string)) {
	switch v := v.(type) {
	case string:
		f(v)
	case []any:
		for _, x := range v {
			walkStrings(x, f)
		}
	case map[string]any:
		for _, x := range v {
			walkStrings(x, f)
		}
	}
}
