package azure

import (
	"container/heap"
	"strings"

	"github.com/nsgsim/nsgsim/topology/azure/armexpr"
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
		// Implicit dependencies: reference('NAME') of a declaration. The
		// quoted literals of a string that calls reference() are looked up
		// by name, so the cost follows the template's size.
		walkStrings(m, func(s string) {
			if !strings.Contains(strings.ToLower(s), "reference") {
				return
			}
			for _, lit := range quotedLiterals(s) {
				for _, j := range byName[strings.ToLower(lit)] {
					if j != i {
						on = append(on, j)
					}
				}
			}
		})
		deps[i] = on
	}
	// Kahn's algorithm, taking the first declaration (in written order)
	// whose dependencies are all placed; a cycle (which Azure rejects)
	// keeps the written order for what it holds.
	waiting := make([]int, n)      // dependencies not yet placed
	dependents := make([][]int, n) // declarations that wait for each
	for i, on := range deps {
		seen := map[int]bool{}
		for _, j := range on {
			if j != i && !seen[j] {
				seen[j] = true
				waiting[i]++
				dependents[j] = append(dependents[j], i)
			}
		}
	}
	ready := &intHeap{}
	for i := range n {
		if waiting[i] == 0 {
			heap.Push(ready, i)
		}
	}
	placed := make([]bool, n)
	order = order[:0]
	next := 0 // the first declaration not yet placed, for cycles
	for len(order) < n {
		var i int
		if ready.Len() > 0 {
			i = heap.Pop(ready).(int)
		} else {
			for placed[next] {
				next++
			}
			i = next
		}
		if placed[i] {
			continue
		}
		placed[i] = true
		order = append(order, i)
		for _, d := range dependents[i] {
			if waiting[d]--; waiting[d] == 0 && !placed[d] {
				heap.Push(ready, d)
			}
		}
	}
	return order
}

// intHeap is a min-heap of declaration indexes.
type intHeap []int

func (h intHeap) Len() int           { return len(h) }
func (h intHeap) Less(i, j int) bool { return h[i] < h[j] }
func (h intHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *intHeap) Push(x any)        { *h = append(*h, x.(int)) }
func (h *intHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// quotedLiterals returns the single-quoted string literals of an
// expression (” is a quote inside one).
func quotedLiterals(s string) []string {
	var out []string
	for i := 0; i < len(s); i++ {
		if s[i] != '\'' {
			continue
		}
		var b strings.Builder
		j := i + 1
		for ; j < len(s); j++ {
			if s[j] == '\'' {
				if j+1 < len(s) && s[j+1] == '\'' {
					b.WriteByte('\'')
					j++
					continue
				}
				break
			}
			b.WriteByte(s[j])
		}
		out = append(out, b.String())
		i = j
	}
	return out
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
