package terraform

import (
	"fmt"
	"strings"

	"github.com/nsgsim/nsgsim/internal/jsonpos"
	"github.com/nsgsim/nsgsim/topology"
	"github.com/nsgsim/nsgsim/topology/azure"
)

// ImportPlan imports the JSON of `terraform show -json PLANFILE`: planned
// is the topology after the plan (planned_values), prior the one before it
// (prior_state), or nil when the plan has no prior state (nothing deployed
// yet). name is the file name, for messages.
//
// Values unknown until apply (the IDs of resources the plan creates) are
// linked through the references recorded in the plan's configuration:
// "subnet_id = azurerm_subnet.bastion.id" records
// ["azurerm_subnet.bastion.id", "azurerm_subnet.bastion"], which names the
// planned subnet. References through module variables and module outputs are
// followed; references through locals are not recorded by Terraform and are
// an error when the value is needed.
//
// The JSON of `terraform show -json` for a state (no plan) is accepted too:
// it imports as planned, with prior nil.
//
// As with azure.Assemble, a topology that is built but does not validate is
// returned together with the validation errors.
func ImportPlan(plan []byte, name string) (planned, prior *topology.Topology, err error) {
	return ImportPlanWith(plan, name, azure.Options{})
}

// ImportPlanWith is ImportPlan with the user's options (Options.VMOS; the
// ARM parameters do not apply).
func ImportPlanWith(plan []byte, name string, o azure.Options) (planned, prior *topology.Topology, err error) {
	v, err := jsonpos.DecodeFile(jsonpos.Source{
		File:     name,
		Expected: "expected the output of `terraform show -json PLANFILE`",
		SaveAs:   "e.g. `terraform show -json tfplan > " + name + "` in bash, or Out-File -Encoding utf8",
	}, plan)
	switch {
	case err != nil && LooksLikeHCL(plan):
		return nil, nil, topology.Errorf(topology.Pos{File: name}, "this is Terraform configuration (HCL), which nsgsim does not read; import the JSON plan: `terraform plan -out=tfplan && terraform show -json tfplan > plan.json`")
	case err != nil:
		return nil, nil, err
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, nil, fmt.Errorf("%s: the top level is not an object; expected the output of `terraform show -json PLANFILE`", name)
	}
	var cfg *cfgModule
	if c, ok := m["configuration"].(map[string]any); ok {
		cfg = readModule(c["root_module"], 0)
	}
	p := &planReader{file: name, cfg: cfg, opts: o}
	var root string // where the planned resources are, for messages
	switch {
	case m["planned_values"] != nil:
		pv := p.object(m, "planned_values", "")
		root = "planned_values.root_module"
		p.planned = p.collect(p.object(pv, "root_module", "planned_values"), root, "")
		if ps := p.object(m, "prior_state", ""); ps != nil {
			if vals := p.object(ps, "values", "prior_state"); vals != nil {
				p.prior = p.collect(p.object(vals, "root_module", "prior_state.values"), "prior_state.values.root_module", "")
				p.hasPrior = true
			}
		}
		p.changes = p.collectChanges(m)
	case m["values"] != nil:
		vals := p.object(m, "values", "")
		root = "values.root_module"
		p.planned = p.collect(p.object(vals, "root_module", "values"), root, "")
	case m["resources"] != nil && m["version"] != nil:
		return nil, nil, fmt.Errorf("%s: this is a raw Terraform state file; import the JSON of `terraform show -json` (of a plan file, or of the state) instead", name)
	case m["$schema"] != nil || m["value"] != nil || m["type"] != nil:
		return nil, nil, fmt.Errorf("%s: this is Azure JSON, not a Terraform plan; import it with `nsgsim import az` or `nsgsim import arm`", name)
	default:
		return nil, nil, fmt.Errorf("%s: no planned_values; expected the output of `terraform show -json PLANFILE`", name)
	}
	if len(p.errs) > 0 {
		return nil, nil, p.errs
	}
	if err := p.checkModelled(root); err != nil {
		return nil, nil, err
	}
	// Data sources read during the plan describe resources that exist
	// already; they belong to both sides.
	var data []*instance
	for _, i := range p.prior {
		if i.mode == "data" {
			data = append(data, i)
		}
	}
	planned, err = p.topology(merge(p.planned, data), p.prior, p.changes)
	if err != nil && planned == nil {
		return nil, nil, err
	}
	if !p.hasPrior {
		return planned, nil, err
	}
	prior, perr := p.topology(p.prior, p.planned, p.changes)
	if perr != nil && prior == nil {
		return nil, nil, perr
	}
	if err == nil {
		err = perr
	}
	return planned, prior, err
}

// LooksLikeHCL tells Terraform configuration (HCL) from other text, so that
// a .tf file given where a topology or plan is expected gets a clear message.
func LooksLikeHCL(data []byte) bool {
	s := string(data)
	for _, kw := range []string{"resource \"", "provider \"", "variable \"", "module \"", "terraform {", "output \"", "locals {", "data \""} {
		if strings.Contains(s, kw) {
			return true
		}
	}
	return false
}

type planReader struct {
	file     string
	opts     azure.Options
	cfg      *cfgModule
	planned  []*instance
	prior    []*instance
	changes  []*instance // before and after values of resource_changes
	hasPrior bool
	errs     topology.ErrorList
}

// errorf records a problem with the value at path.
func (p *planReader) errorf(path, format string, args ...any) {
	pos := topology.Pos{File: p.file, Path: path}
	p.errs = append(p.errs, &topology.Error{Pos: pos, Msg: topology.ClipQuoted(fmt.Sprintf(format, args...))})
}

// object returns member key of m, an object; absent and null read as nil,
// anything else is an error. path is m's.
func (p *planReader) object(m map[string]any, key, path string) map[string]any {
	v, ok := m[key]
	if !ok || v == nil {
		return nil
	}
	o, ok := v.(map[string]any)
	if !ok {
		p.errorf(joinPath(path, key), "expected an object, got %s", typeName(v))
	}
	return o
}

// array returns member key of m, an array; absent and null read as nil,
// anything else is an error. path is m's.
func (p *planReader) array(m map[string]any, key, path, of string) []any {
	v, ok := m[key]
	if !ok || v == nil {
		return nil
	}
	a, ok := v.([]any)
	if !ok {
		p.errorf(joinPath(path, key), "expected an array of %s, got %s", of, typeName(v))
	}
	return a
}

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// typeName names the JSON type of v for messages.
func typeName(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case map[string]any:
		return "an object"
	case []any:
		return "an array"
	}
	return "a number"
}

// collect reads the resources of a module (m, at path) and its child
// modules, in order.
func (p *planReader) collect(m map[string]any, path, modAddr string) []*instance {
	if m == nil {
		return nil
	}
	var out []*instance
	for k, r := range p.array(m, "resources", path, "resource objects") {
		rpath := fmt.Sprintf("%s.resources[%d]", path, k)
		rm, ok := r.(map[string]any)
		if !ok {
			p.errorf(rpath, "expected a resource object, got %s", typeName(r))
			continue
		}
		if i := p.instance(rm, rpath); i != nil {
			out = append(out, i)
		}
	}
	for k, c := range p.array(m, "child_modules", path, "module objects") {
		cpath := fmt.Sprintf("%s.child_modules[%d]", path, k)
		cm, ok := c.(map[string]any)
		if !ok {
			p.errorf(cpath, "expected a module object, got %s", typeName(c))
			continue
		}
		addr, _ := cm["address"].(string)
		out = append(out, p.collect(cm, cpath, addr)...)
	}
	return out
}

func (p *planReader) instance(rm map[string]any, path string) *instance {
	addr, ok := rm["address"].(string)
	if !ok && rm["address"] != nil {
		p.errorf(path+".address", "expected a resource address such as \"azurerm_subnet.this[0]\", got %s", typeName(rm["address"]))
		return nil
	}
	a, err := parseResourceAddr(addr)
	if err != nil {
		p.errorf(path+".address", "%v", err)
		return nil
	}
	i := &instance{addr: addr, modules: a.modules, mode: a.mode, typ: a.typ, name: a.name, index: a.index, path: path}
	if mode, ok := rm["mode"].(string); ok {
		i.mode = mode
	}
	if idx, ok := rm["index"]; ok && idx != nil {
		i.index = idx
	}
	i.values = p.object(rm, "values", path)
	if i.values == nil {
		i.values = map[string]any{}
	}
	if p.cfg != nil {
		if mod := p.cfg.module(a.modules); mod != nil {
			key := a.typ + "." + a.name
			if i.mode == "data" {
				key = "data." + key
			}
			i.cfg = mod.resources[key]
		}
	}
	return i
}

// collectChanges reads the before and after values of the plan's
// resource_changes, to find separately managed rules and subnets even when
// the plan deletes them.
func (p *planReader) collectChanges(plan map[string]any) []*instance {
	var out []*instance
	for k, c := range p.array(plan, "resource_changes", "", "resource changes") {
		cpath := fmt.Sprintf("resource_changes[%d]", k)
		cm, ok := c.(map[string]any)
		if !ok {
			p.errorf(cpath, "expected a resource change object, got %s", typeName(c))
			continue
		}
		ch := p.object(cm, "change", cpath)
		for _, side := range []string{"before", "after"} {
			vals := p.object(ch, side, cpath+".change")
			if vals == nil {
				continue
			}
			rm := map[string]any{"address": cm["address"], "mode": cm["mode"], "index": cm["index"], "values": vals}
			if i := p.instance(rm, cpath+".change."+side); i != nil {
				out = append(out, i)
			}
		}
	}
	return out
}

func merge(a, b []*instance) []*instance {
	seen := map[string]bool{}
	var out []*instance
	for _, set := range [][]*instance{a, b} {
		for _, i := range set {
			key := i.mode + " " + i.addr
			if seen[key] {
				continue
			}
			seen[key] = true
			out = append(out, i)
		}
	}
	return out
}

// topology translates one set of instances and assembles it; others are
// the instances of the other side and of the changes, consulted only to
// tell which rules and subnets are separate resources.
func (p *planReader) topology(set []*instance, others ...[]*instance) (*topology.Topology, error) {
	// Instances are shared between the sides only for data sources; reset
	// their memoized IDs, which depend on the side's other instances.
	for _, i := range set {
		i.id, i.idState = "", 0
	}
	link := &linker{root: p.cfg, instances: set}
	if p.cfg == nil {
		link.root = &cfgModule{resources: map[string]map[string]any{}, calls: map[string]*cfgCall{}, outputs: map[string]any{}}
	}
	t := &translator{file: p.file, link: link, seen: map[string]bool{}}
	t.byType = map[string][]*instance{}
	for _, i := range set {
		t.byType[i.typ] = append(t.byType[i.typ], i)
	}
	t.standaloneParents(append([][]*instance{set}, others...)...)
	rs := t.resources(set)
	if len(t.errs) > 0 {
		return nil, t.errs
	}
	return azure.AssembleWith(rs, p.opts)
}
