package terraform

import (
	"fmt"
	"strings"
)

// cfgModule is one module of the plan's "configuration": its resource
// blocks, the modules it calls and its outputs
// (https://developer.hashicorp.com/terraform/internals/json-format#configuration-representation).
type cfgModule struct {
	resources map[string]map[string]any // "azurerm_subnet.x" or "data.azurerm_subnet.x" to expressions
	calls     map[string]*cfgCall
	outputs   map[string]any
}

type cfgCall struct {
	expressions map[string]any
	module      *cfgModule
}

func readModule(v any, depth int) *cfgModule {
	m := &cfgModule{resources: map[string]map[string]any{}, calls: map[string]*cfgCall{}, outputs: map[string]any{}}
	mm, _ := v.(map[string]any)
	if depth > 50 {
		return m
	}
	rs, _ := mm["resources"].([]any)
	for _, r := range rs {
		rm, _ := r.(map[string]any)
		typ, _ := rm["type"].(string)
		name, _ := rm["name"].(string)
		mode, _ := rm["mode"].(string)
		key := typ + "." + name
		if mode == "data" {
			key = "data." + key
		}
		exprs, _ := rm["expressions"].(map[string]any)
		m.resources[key] = exprs
	}
	calls, _ := mm["module_calls"].(map[string]any)
	for name, c := range calls {
		cm, _ := c.(map[string]any)
		exprs, _ := cm["expressions"].(map[string]any)
		m.calls[name] = &cfgCall{expressions: exprs, module: readModule(cm["module"], depth+1)}
	}
	outs, _ := mm["outputs"].(map[string]any)
	for name, o := range outs {
		om, _ := o.(map[string]any)
		m.outputs[name] = om["expression"]
	}
	return m
}

// module finds the configuration of a module instance.
func (m *cfgModule) module(steps []addrStep) *cfgModule {
	cur := m
	for _, s := range steps {
		if cur == nil {
			return nil
		}
		c, ok := cur.calls[s.name]
		if !ok {
			return nil
		}
		cur = c.module
	}
	return cur
}

// references returns the "references" of an expression.
func references(expr any) []string {
	em, _ := expr.(map[string]any)
	list, _ := em["references"].([]any)
	var out []string
	for _, r := range list {
		if s, ok := r.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// exprAt walks an expressions object by attribute names and block indexes.
// Nested blocks are lists of expression objects.
func exprAt(exprs map[string]any, keys ...any) any {
	var cur any = exprs
	for _, k := range keys {
		switch k := k.(type) {
		case string:
			m, ok := cur.(map[string]any)
			if !ok {
				return nil
			}
			cur = m[k]
		case int:
			l, ok := cur.([]any)
			if !ok {
				return nil
			}
			if k >= len(l) {
				if len(l) == 1 {
					k = 0
				} else {
					return nil
				}
			}
			cur = l[k]
		}
	}
	return cur
}

// blockWithName finds, among a list of block expressions, the one whose
// name is the constant name (the blocks of a set do not keep the order of
// the configuration).
func blockWithName(exprs map[string]any, attr, name string) map[string]any {
	l, _ := exprs[attr].([]any)
	for _, b := range l {
		bm, _ := b.(map[string]any)
		nm, _ := bm["name"].(map[string]any)
		if c, _ := nm["constant_value"].(string); c == name {
			return bm
		}
	}
	if len(l) == 1 {
		bm, _ := l[0].(map[string]any)
		return bm
	}
	return nil
}

// linker follows configuration references from a resource instance to the
// instances they name.
type linker struct {
	root      *cfgModule
	instances []*instance
	// byResource holds the instances of each resource (mode, type, name and
	// module instance path), so that following a reference costs the
	// instances of one resource, not of the whole plan; built on first use.
	byResource map[string]*resourceInstances
	// moduleIndexes holds, for each module call ("PREFIX name"), the
	// distinct indexes of its instances, in order.
	moduleIndexes map[string][]any
}

// resourceInstances are the instances of one resource, in order and by key.
type resourceInstances struct {
	all     []*instance
	byIndex map[string]*instance // indexString of an int64 or string key
}

// at returns the instance with key idx, or nil.
func (r *resourceInstances) at(idx any) *instance {
	switch idx.(type) {
	case int64, string:
		return r.byIndex[indexString(idx)]
	}
	for _, c := range r.all {
		if sameIndex(c.index, idx) {
			return c
		}
	}
	return nil
}

func resourceKey(mode, typ, name string, modules []addrStep) string {
	return mode + " " + typ + "." + name + " " + moduleKey(modules)
}

// index builds byResource and moduleIndexes.
func (l *linker) index() {
	if l.byResource != nil {
		return
	}
	l.byResource = make(map[string]*resourceInstances, len(l.instances))
	l.moduleIndexes = map[string][]any{}
	seen := map[string]bool{}
	for _, i := range l.instances {
		k := resourceKey(i.mode, i.typ, i.name, i.modules)
		r := l.byResource[k]
		if r == nil {
			r = &resourceInstances{byIndex: map[string]*instance{}}
			l.byResource[k] = r
		}
		r.all = append(r.all, i)
		switch i.index.(type) {
		case int64, string:
			if ik := indexString(i.index); r.byIndex[ik] == nil {
				r.byIndex[ik] = i
			}
		}
		for d := range i.modules {
			call := moduleKey(i.modules[:d]) + " " + i.modules[d].name
			idx := i.modules[d].index
			if sk := call + " " + indexString(idx); !seen[sk] {
				seen[sk] = true
				l.moduleIndexes[call] = append(l.moduleIndexes[call], idx)
			}
		}
	}
}

// resolve follows references made in module instance mod (from an instance
// with key selfIndex) to resource instances, in order, without repeats.
func (l *linker) resolve(mod []addrStep, refs []string, selfIndex any, depth int) ([]*instance, error) {
	return l.resolveSeen(mod, refs, selfIndex, depth, map[string]bool{})
}

// resolveSeen is resolve with the references already followed, so that
// variables and outputs that refer to each other are followed once.
func (l *linker) resolveSeen(mod []addrStep, refs []string, selfIndex any, depth int, seenRefs map[string]bool) ([]*instance, error) {
	if depth > 20 {
		return nil, fmt.Errorf("references nest too deeply")
	}
	var out []*instance
	seen := map[*instance]bool{}
	var firstErr error
	add := func(is []*instance) {
		for _, i := range is {
			if !seen[i] {
				seen[i] = true
				out = append(out, i)
			}
		}
	}
	// A reference list names each resource twice (with and without the
	// attribute); only the resource matters.
	for _, ref := range refs {
		key := moduleKey(mod) + " " + ref
		if seenRefs[key] {
			continue
		}
		seenRefs[key] = true
		switch {
		case strings.HasPrefix(ref, "var."):
			name, _ := cutIdent(ref[len("var."):])
			if len(mod) == 0 {
				firstErrSet(&firstErr, fmt.Errorf("%s is a root module variable, whose value the plan does not link to a resource", ref))
				continue
			}
			parent := mod[:len(mod)-1]
			pm := l.root.module(parent)
			if pm == nil {
				continue
			}
			call := pm.calls[mod[len(mod)-1].name]
			if call == nil {
				continue
			}
			is, err := l.resolveSeen(parent, references(call.expressions[name]), mod[len(mod)-1].index, depth+1, seenRefs)
			firstErrSet(&firstErr, err)
			add(is)
		case strings.HasPrefix(ref, "module."):
			steps, rest, err := parseModuleSteps(ref)
			if err != nil || len(steps) == 0 {
				continue
			}
			out1, _ := cutIdent(rest)
			child := append(append([]addrStep{}, mod...), steps[0])
			cm := l.root.module(child)
			if cm == nil {
				continue
			}
			if steps[0].index == nil {
				// A module with count or for_each: take the instance
				// matching ours, or the only one.
				child[len(child)-1].index = l.moduleIndex(mod, steps[0].name, selfIndex)
			}
			is, err := l.resolveSeen(child, references(cm.outputs[out1]), selfIndex, depth+1, seenRefs)
			firstErrSet(&firstErr, err)
			add(is)
		case strings.HasPrefix(ref, "local."):
			firstErrSet(&firstErr, fmt.Errorf("%s is a local value; the plan does not record what it refers to", ref))
		case strings.HasPrefix(ref, "count."), strings.HasPrefix(ref, "each."), strings.HasPrefix(ref, "path."),
			strings.HasPrefix(ref, "terraform."), strings.HasPrefix(ref, "self."):
		default:
			a, err := parseResourceAddr(ref)
			if err != nil {
				continue
			}
			is, err := l.find(mod, a, selfIndex)
			firstErrSet(&firstErr, err)
			add(is)
		}
	}
	if len(out) == 0 && firstErr != nil {
		return nil, firstErr
	}
	return out, nil
}

func firstErrSet(dst *error, err error) {
	if *dst == nil && err != nil {
		*dst = err
	}
}

// moduleIndex finds the index of the instance of module name called from
// mod: the one matching selfIndex, or the only one.
func (l *linker) moduleIndex(mod []addrStep, name string, selfIndex any) any {
	l.index()
	idx := l.moduleIndexes[moduleKey(mod)+" "+name]
	for _, x := range idx {
		if sameIndex(x, selfIndex) {
			return x
		}
	}
	if len(idx) == 1 {
		return idx[0]
	}
	return nil
}

// find returns the instances of a resource in module instance mod.
func (l *linker) find(mod []addrStep, a resourceAddr, selfIndex any) ([]*instance, error) {
	l.index()
	r := l.byResource[resourceKey(a.mode, a.typ, a.name, append(append([]addrStep{}, mod...), a.modules...))]
	if r == nil {
		return nil, nil
	}
	if a.hasIdx {
		if c := r.at(a.index); c != nil {
			return []*instance{c}, nil
		}
		return nil, nil
	}
	if len(r.all) == 1 {
		return r.all, nil
	}
	if c := r.at(selfIndex); c != nil {
		return []*instance{c}, nil
	}
	return nil, fmt.Errorf("%s.%s has %d instances and the reference does not say which", a.typ, a.name, len(r.all))
}
