package azure

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/nsgsim/nsgsim/internal/jsonpos"
	"github.com/nsgsim/nsgsim/topology"
	"github.com/nsgsim/nsgsim/topology/azure/armexpr"
)

// ARMOptions says how to import an ARM deployment template.
type ARMOptions struct {
	// Name is the template's file name, used in messages and Origin.Pos.
	Name string
	// Parameters are the values given for the template's parameters, from a
	// parameters file (ReadARMParameters) and NAME=VALUE overrides. A string
	// is converted to the parameter's declared type (int, bool, array,
	// object), so overrides from a command line can be passed as strings.
	Parameters map[string]any
	// What resourceGroup() and subscription() return. Empty fields take
	// DefaultSubscriptionID, DefaultResourceGroup and DefaultLocation.
	SubscriptionID string
	ResourceGroup  string
	Location       string
	// VMOS is Options.VMOS: the OS of VMs the template does not tell.
	VMOS []string
	// ReadFile reads a linked template or parameters file beside the
	// template (Name is its path); nil means topology.ReadFile.
	ReadFile func(path string) ([]byte, error)
}

// ImportARM imports an ARM deployment template: it evaluates the
// parameters (params, else their defaults), the variables and the template
// functions, expands copy loops, skips resources whose condition is false,
// and reads the resources nsgsim models (see Assemble). name is the
// template's file name for messages.
//
// A required parameter without a value is an error naming it. An expression
// that cannot be evaluated is an error naming the expression and its JSON
// path when, and only when, the importer needs its value: a reference() to
// a storage account in a VM's diagnostics settings does not stop the import.
func ImportARM(template []byte, params map[string]any, name string) (*topology.Topology, error) {
	return ImportARMWithOptions(template, ARMOptions{Name: name, Parameters: params})
}

// ImportARMWithOptions is ImportARM with the deployment's subscription,
// resource group and location given.
func ImportARMWithOptions(data []byte, opts ARMOptions) (*topology.Topology, error) {
	if opts.SubscriptionID == "" {
		opts.SubscriptionID = DefaultSubscriptionID
	}
	if opts.ResourceGroup == "" {
		opts.ResourceGroup = DefaultResourceGroup
	}
	if opts.Location == "" {
		opts.Location = DefaultLocation
	}
	if opts.ReadFile == nil {
		opts.ReadFile = topology.ReadFile
	}
	file := opts.Name
	v, err := decodeARM(file, data, "expected an ARM deployment template")
	if err != nil {
		return nil, err
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%s: the top level is %s; expected an ARM deployment template, an object with \"$schema\" and \"resources\"", file, typeName(v))
	}
	if err := checkTemplateShape(file, m); err != nil {
		return nil, err
	}
	root := &template{
		file:   file,
		opts:   opts,
		ev:     armexpr.NewEvaluator(),
		byID:   map[string]*armResource{},
		byTN:   map[string][]*armResource{},
		byName: map[string][]*armResource{},
	}
	root.root = root
	root.load(m, opts.Parameters)
	if ob := root.ev.OverBudget(); ob != nil {
		return nil, fmt.Errorf("%s: %s", file, ob.Msg)
	}
	if len(root.errs) > 0 {
		return nil, root.errs
	}
	types, network := map[string]bool{}, false
	for _, r := range root.resources {
		if !r.existing && !isDeployment(r.typ) {
			types[r.typ] = true
			network = network || networkKinds[r.kind]
		}
	}
	if !network {
		return nil, fmt.Errorf("%s: resources: %s", file, topology.ClipQuoted(noNetwork("the template", types)))
	}
	var rs []Resource
	for _, r := range root.resources {
		if r.kind == kUnknown && !strings.EqualFold(r.typ, scaleSetType) || r.existing {
			continue
		}
		if root.ev.Exhausted() {
			return nil, fmt.Errorf("%s: %s", file, armexpr.TooLong(r.path).Msg)
		}
		rs = append(rs, Resource{File: r.file, Path: r.path, Object: r.object()})
	}
	if ob := root.ev.OverBudget(); ob != nil {
		return nil, fmt.Errorf("%s: %s", file, ob.Msg)
	}
	if len(root.errs) > 0 {
		return nil, root.errs
	}
	return AssembleWith(rs, Options{VMOS: opts.VMOS})
}

// armSaveAs says how to save a template or parameters file as UTF-8.
const armSaveAs = "e.g. with Out-File -Encoding utf8 in PowerShell, or in your editor"

// checkTemplateShape tells an ARM template from the other JSON files a user
// may pass by mistake.
func checkTemplateShape(file string, m map[string]any) error {
	schema, _ := m["$schema"].(string)
	_, hasResources := m["resources"]
	switch {
	case strings.Contains(strings.ToLower(schema), "deploymentparameters"):
		return fmt.Errorf("%s: this is an ARM parameters file; give it as the parameters of a template (--parameters), not as the template", file)
	case hasResources:
		return nil
	case m["value"] != nil || m["type"] != nil:
		return fmt.Errorf("%s: this looks like Azure CLI or REST output, not a template; import it with `nsgsim import az`", file)
	}
	return fmt.Errorf("%s: no \"resources\"; expected an ARM deployment template (https://learn.microsoft.com/en-us/azure/azure-resource-manager/templates/syntax)", file)
}

// template is one ARM template being evaluated: the top-level one, or a
// nested deployment's.
type template struct {
	root  *template
	file  string
	opts  ARMOptions
	path  string // JSON path of this template in file; "" for the top level
	scope string // "inner" or "outer" for nested templates

	params  map[string]*armParam
	vars    map[string]*armVar
	funcs   map[string]*userFunc
	outputs any
	// symbols are the languageVersion 2.0 symbolic names of this
	// template's resources (lower case): each template has its own.
	symbols map[string]*armResource

	// Only in the root: state shared by every template of a deployment.
	ev        *armexpr.Evaluator // parsed expressions and budgets
	nLinked   int                // linked templates read
	depth     int                // nesting of user-defined function calls
	errs      topology.ErrorList
	resources []*armResource
	byID      map[string]*armResource
	byTN      map[string][]*armResource
	byName    map[string][]*armResource
}

// fatal records a problem that stops the import.
func (t *template) fatal(path, format string, args ...any) {
	pos := topology.Pos{File: t.file, Path: path}
	t.root.errs = append(t.root.errs, &topology.Error{Pos: pos, Msg: topology.ClipQuoted(fmt.Sprintf(format, args...))})
}

// report records a message that names its JSON path, with long quoted
// values (expressions, names) clipped.
func (t *template) report(msg string) {
	t.root.errs = append(t.root.errs, &topology.Error{Pos: topology.Pos{File: t.file}, Msg: topology.ClipQuoted(msg)})
}

// maxDepth bounds the nesting of user-defined function calls.
const maxDepth = 64

const (
	unevaluated = iota
	evaluating
	evaluated
)

type armParam struct {
	name  string
	decl  map[string]any
	path  string
	value any
	given bool
	state int
}

// keyVaultRef is a parameter given as a Key Vault reference in a parameters
// file: its value is known only in Azure.
type keyVaultRef struct{ secret string }

type armVar struct {
	name  string
	raw   any
	loop  map[string]any // a variable copy loop
	path  string
	value any
	state int
}

type userFunc struct {
	params []string // lower case
	output any
	path   string
	t      *template
}

// armResource is one resource of a template, after copy expansion.
type armResource struct {
	ctx      *armexpr.Context
	file     string // the file that declares it (a linked template's)
	raw      map[string]any
	path     string
	typ      string
	name     string
	id       resourceID
	kind     kind
	existing bool
	child    *template // a nested deployment's template
	props    any
	state    int
	deployed any // props as reference() gives them (withChildIDs), once asked for
}

func (t *template) load(m map[string]any, supplied map[string]any) {
	t.params = map[string]*armParam{}
	t.vars = map[string]*armVar{}
	t.funcs = map[string]*userFunc{}
	t.loadParameters(m, supplied)
	t.loadVariables(m)
	t.loadFunctions(m)
	t.outputs, _ = lookupKey(m, "outputs")
	if len(t.root.errs) > 0 {
		return
	}
	res, _ := lookupKey(m, "resources")
	t.expand(res, joinPath(t.path, "resources"), nil, t.root.ev.Context(t))
}

func (t *template) loadParameters(m map[string]any, supplied map[string]any) {
	declRaw, _ := lookupKey(m, "parameters")
	decls, ok := declRaw.(map[string]any)
	if declRaw != nil && !ok {
		t.fatal(joinPath(t.path, "parameters"), "expected an object of parameter declarations, got %s", typeName(declRaw))
		return
	}
	defs, _ := lookupKey(m, "definitions")
	for name, d := range decls {
		dm, ok := d.(map[string]any)
		path := joinPath(joinPath(t.path, "parameters"), name)
		if !ok {
			t.fatal(path, "expected a parameter declaration object, got %s", typeName(d))
			continue
		}
		dm, err := resolveType(dm, defs)
		if err != nil {
			t.fatal(path, "%v", err)
			continue
		}
		t.params[strings.ToLower(name)] = &armParam{name: name, decl: dm, path: path}
	}
	var given []string
	for name := range supplied {
		given = append(given, name)
	}
	sort.Strings(given)
	for _, name := range given {
		p, ok := t.params[strings.ToLower(name)]
		if !ok {
			t.fatal(joinPath(t.path, "parameters"), "a value is given for parameter %q, which the template does not declare; declared: %s",
				name, strings.Join(t.paramNames(), ", "))
			continue
		}
		v := supplied[name]
		if v == nil {
			// A null value is no value: the default applies
			// (https://learn.microsoft.com/en-us/azure/azure-resource-manager/bicep/parameters#nullable-parameters).
			continue
		}
		typ, _ := p.decl["type"].(string)
		cv, err := coerceParam(typ, v)
		if err != nil {
			t.fatal(p.path, "parameter %q: %v", p.name, err)
			p.given = true // a value was given, though a wrong one: no "has no value" too
			continue
		}
		cv = applyPropertyDefaults(p.decl, cv)
		p.value, p.given, p.state = cv, true, evaluated
		if err := checkAllowed(p.decl, cv); err != nil {
			t.fatal(p.path, "parameter %q: %v", p.name, err)
		}
	}
	for _, name := range t.paramNames() {
		p := t.params[strings.ToLower(name)]
		if _, hasDefault := lookupKey(p.decl, "defaultValue"); !p.given && !hasDefault && !isNullable(p.decl) {
			t.fatal(p.path, "required parameter %q has no value and no defaultValue; give it a value (in a parameters file, or as %s=VALUE)", p.name, p.name)
		}
	}
}

func (t *template) paramNames() []string {
	var names []string
	for _, p := range t.params {
		names = append(names, p.name)
	}
	sort.Strings(names)
	return names
}

func (t *template) loadVariables(m map[string]any) {
	raw, _ := lookupKey(m, "variables")
	vars, ok := raw.(map[string]any)
	if raw != nil && !ok {
		t.fatal(joinPath(t.path, "variables"), "expected an object of variables, got %s", typeName(raw))
		return
	}
	for name, v := range vars {
		path := joinPath(joinPath(t.path, "variables"), name)
		if strings.EqualFold(name, "copy") {
			loops, ok := v.([]any)
			if !ok || !armexpr.IsPropertyCopy(loops) {
				t.fatal(path, "expected an array of copy loops {\"name\", \"count\", \"input\"}")
				continue
			}
			for i, l := range loops {
				lm := l.(map[string]any)
				vn, _ := lm["name"].(string)
				t.vars[strings.ToLower(vn)] = &armVar{name: vn, loop: lm, path: fmt.Sprintf("%s[%d]", path, i)}
			}
			continue
		}
		t.vars[strings.ToLower(name)] = &armVar{name: name, raw: v, path: path}
	}
}

func (t *template) loadFunctions(m map[string]any) {
	raw, _ := lookupKey(m, "functions")
	list, _ := raw.([]any)
	for i, ns := range list {
		nsm, _ := ns.(map[string]any)
		nsName, _ := nsm["namespace"].(string)
		members, _ := nsm["members"].(map[string]any)
		for name, f := range members {
			fm, _ := f.(map[string]any)
			path := fmt.Sprintf("%s[%d].members.%s", joinPath(t.path, "functions"), i, name)
			uf := &userFunc{path: path, t: t}
			ps, _ := fm["parameters"].([]any)
			for _, p := range ps {
				pm, _ := p.(map[string]any)
				pn, _ := pm["name"].(string)
				uf.params = append(uf.params, strings.ToLower(pn))
			}
			out, _ := fm["output"].(map[string]any)
			uf.output = out["value"]
			t.funcs[strings.ToLower(nsName+"."+name)] = uf
		}
	}
}

// param returns the value of a parameter.
func (t *template) param(name string) (any, error) {
	p, ok := t.params[strings.ToLower(name)]
	if !ok {
		return nil, fmt.Errorf("the template declares no parameter %q; declared: %s", name, strings.Join(t.paramNames(), ", "))
	}
	switch p.state {
	case evaluating:
		return nil, fmt.Errorf("the default value of parameter %q refers to itself", p.name)
	case unevaluated:
		p.state = evaluating
		def, _ := lookupKey(p.decl, "defaultValue")
		p.value = applyPropertyDefaults(p.decl, (t.root.ev.Context(t)).EvalTree(def, joinPath(p.path, "defaultValue")))
		p.state = evaluated
		if _, isErr := p.value.(*exprError); !isErr {
			if err := checkAllowed(p.decl, p.value); err != nil {
				p.value = &exprError{Msg: fmt.Sprintf("%s: parameter %q: default %v", p.path, p.name, err)}
			}
		}
	}
	switch v := p.value.(type) {
	case *exprError:
		return nil, v
	case keyVaultRef:
		return nil, fmt.Errorf("parameter %q is a Key Vault reference (%s); its value is known only in Azure: give it a value", p.name, v.secret)
	}
	return p.value, nil
}

// variable returns the value of a variable.
func (t *template) variable(name string) (any, error) {
	v, ok := t.vars[strings.ToLower(name)]
	if !ok {
		return nil, fmt.Errorf("the template declares no variable %q", name)
	}
	switch v.state {
	case evaluating:
		return nil, fmt.Errorf("variable %q refers to itself", v.name)
	case unevaluated:
		v.state = evaluating
		ctx := t.root.ev.Context(t)
		if v.loop != nil {
			v.value = ctx.CopyArray(v.loop, v.path)
		} else {
			v.value = ctx.EvalTree(v.raw, v.path)
		}
		v.state = evaluated
	}
	if ee, ok := v.value.(*exprError); ok {
		return nil, ee
	}
	return v.value, nil
}

// CallUser calls a user-defined function (template "functions" section).
func (t *template) CallUser(name, text string, args []any) (any, error) {
	f, ok := t.funcs[name]
	if !ok {
		return nil, fmt.Errorf("unknown function %s()", text)
	}
	root := t.root
	if root.depth >= maxDepth {
		return nil, fmt.Errorf("%s() calls nest too deeply", text)
	}
	root.depth++
	defer func() { root.depth-- }()
	if len(args) != len(f.params) {
		return nil, fmt.Errorf("%s() expects %d arguments, got %d", text, len(f.params), len(args))
	}
	fn := map[string]any{}
	for i, p := range f.params {
		fn[p] = args[i]
	}
	v := root.ev.Context(f.t).WithArgs(fn).EvalTree(f.output, joinPath(f.path, "output.value"))
	if ee, ok := v.(*exprError); ok {
		return nil, ee
	}
	return v, nil
}

// coerceParam converts a given value to a parameter's declared type.
func coerceParam(typ string, v any) (any, error) {
	if _, ok := v.(keyVaultRef); ok {
		return v, nil
	}
	if _, ok := v.(*exprError); ok {
		return v, nil
	}
	switch strings.ToLower(typ) {
	case "int":
		switch x := v.(type) {
		case int64:
			return x, nil
		case int:
			return int64(x), nil
		case float64:
			if x == math.Trunc(x) && math.Abs(x) < 1<<63 {
				return int64(x), nil
			}
		case jsonpos.BigInt:
			return nil, fmt.Errorf("value %s is out of range for an int (64 bits)", x)
		case string:
			n, err := strconv.ParseInt(strings.TrimSpace(x), 10, 64)
			if err == nil {
				return n, nil
			}
			if errors.Is(err, strconv.ErrRange) {
				return nil, fmt.Errorf("value %q is out of range for an int (64 bits)", x)
			}
		}
		return nil, fmt.Errorf("value %s is not an int", describe(v))
	case "bool":
		switch x := v.(type) {
		case bool:
			return x, nil
		case string:
			if b, err := strconv.ParseBool(strings.TrimSpace(x)); err == nil {
				return b, nil
			}
		}
		return nil, fmt.Errorf("value %s is not a bool (true or false)", describe(v))
	case "string", "securestring":
		if s, ok := scalarString(v); ok {
			return s, nil
		}
		return nil, fmt.Errorf("value is %s, expected a string", typeName(v))
	case "array":
		if s, ok := v.(string); ok {
			d, err := jsonpos.Decode([]byte(s))
			if a, ok := d.([]any); err == nil && ok {
				return a, nil
			}
			return nil, fmt.Errorf("value %q is not a JSON array", s)
		}
		if a, ok := v.([]any); ok {
			return a, nil
		}
		return nil, fmt.Errorf("value is %s, expected an array", typeName(v))
	case "object", "secureobject":
		if s, ok := v.(string); ok {
			d, err := jsonpos.Decode([]byte(s))
			if o, ok := d.(map[string]any); err == nil && ok {
				return o, nil
			}
			return nil, fmt.Errorf("value %q is not a JSON object", s)
		}
		if o, ok := v.(map[string]any); ok {
			return o, nil
		}
		return nil, fmt.Errorf("value is %s, expected an object", typeName(v))
	}
	return v, nil
}

// checkAllowed checks a value against a parameter's allowedValues.
func checkAllowed(decl map[string]any, v any) error {
	raw, ok := lookupKey(decl, "allowedValues")
	allowed, _ := raw.([]any)
	if !ok || len(allowed) == 0 {
		return nil
	}
	if _, ok := v.(keyVaultRef); ok {
		return nil
	}
	vals := []any{v}
	if a, ok := v.([]any); ok {
		vals = a
	}
	for _, x := range vals {
		found := false
		for _, al := range allowed {
			if deepEqual(x, al) {
				found = true
				break
			}
		}
		if !found {
			var opts []string
			for _, al := range allowed {
				opts = append(opts, describe(al))
			}
			return fmt.Errorf("value %s is not one of the allowed values %s", describe(x), strings.Join(opts, ", "))
		}
	}
	return nil
}

// isDeployment reports whether typ is a nested deployment.
func isDeployment(typ string) bool { return strings.EqualFold(typ, "Microsoft.Resources/deployments") }

// expand reads a "resources" array (or, in languageVersion 2.0, an object of
// symbolic names) and the child resources inside each.
func (t *template) expand(raw any, path string, parent *armResource, ctx *armexpr.Context) {
	var decls []declared
	switch rs := raw.(type) {
	case nil:
	case []any:
		for i, r := range rs {
			decls = append(decls, declared{raw: r, path: fmt.Sprintf("%s[%d]", path, i)})
		}
	case map[string]any:
		keys := make([]string, 0, len(rs))
		for k := range rs {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			decls = append(decls, declared{raw: rs[k], path: joinPath(path, k), symbol: k})
		}
	default:
		t.fatal(path, "expected an array of resources, got %s", typeName(raw))
	}
	for _, i := range t.deploymentOrder(decls, parent, ctx) {
		t.expandOne(decls[i].raw, decls[i].path, decls[i].symbol, parent, ctx)
	}
}

func (t *template) expandOne(raw any, path, symbol string, parent *armResource, ctx *armexpr.Context) {
	m, ok := raw.(map[string]any)
	if !ok {
		t.fatal(path, "expected a resource object, got %s", typeName(raw))
		return
	}
	typRaw, _ := lookupKey(m, "type")
	typV := ctx.EvalTree(typRaw, joinPath(path, "type"))
	typ, ok := typV.(string)
	if !ok || typ == "" {
		if ee, isErr := typV.(*exprError); isErr {
			t.report(ee.Msg)
		} else {
			t.fatal(joinPath(path, "type"), "resource type is %s; expected a string such as \"Microsoft.Network/virtualNetworks\"", describe(typV))
		}
		return
	}
	if parent != nil && !strings.Contains(typ, "/") {
		typ = parent.typ + "/" + typ
	}
	relevant := kindOf(typ) != kUnknown || isDeployment(typ)
	// Problems with a resource nsgsim does not read do not stop the import.
	fail := func(p, format string, args ...any) {
		if relevant {
			t.fatal(p, format, args...)
		}
	}
	failErr := func(ee *exprError) {
		if relevant {
			t.report(ee.Msg)
		}
	}
	copyRaw, hasCopy := lookupKey(m, "copy")
	if !hasCopy {
		t.instance(m, path, symbol, typ, parent, ctx, fail, failErr)
		return
	}
	cm, ok := copyRaw.(map[string]any)
	if !ok {
		fail(joinPath(path, "copy"), "expected an object {\"name\", \"count\"}, got %s", typeName(copyRaw))
		return
	}
	name, _ := cm["name"].(string)
	n, ee := ctx.CopyCount(cm["count"], joinPath(path, "copy.count"))
	if ee != nil {
		failErr(ee)
		return
	}
	for i := range n {
		if t.root.ev.Exhausted() {
			failErr(armexpr.TooLong(path))
			return
		}
		t.instance(m, fmt.Sprintf("%s(copyIndex %d)", path, i), symbol, typ, parent, ctx.WithLoop(name, i, true), fail, failErr)
	}
}

func (t *template) instance(m map[string]any, path, symbol, typ string, parent *armResource, ctx *armexpr.Context,
	fail func(string, string, ...any), failErr func(*exprError)) {
	if cond, ok := lookupKey(m, "condition"); ok {
		v := ctx.EvalTree(cond, joinPath(path, "condition"))
		switch v := v.(type) {
		case *exprError:
			failErr(v)
			return
		case bool:
			if !v {
				return // condition false: not deployed
			}
		default:
			fail(joinPath(path, "condition"), "condition is %s; expected true or false", describe(v))
			return
		}
	}
	nameRaw, _ := lookupKey(m, "name")
	nameV := ctx.EvalTree(nameRaw, joinPath(path, "name"))
	name, ok := nameV.(string)
	if !ok || name == "" {
		if ee, isErr := nameV.(*exprError); isErr {
			failErr(ee)
		} else {
			fail(joinPath(path, "name"), "resource name is %s; expected a string", describe(nameV))
		}
		return
	}
	if parent != nil && strings.Count(name, "/") < strings.Count(typ, "/")-1 {
		name = parent.name + "/" + name
	}
	opts := t.opts
	if rg, ok := lookupKey(m, "resourceGroup"); ok {
		if s, ok := ctx.EvalTree(rg, joinPath(path, "resourceGroup")).(string); ok && s != "" {
			opts.ResourceGroup = s
		}
	}
	if sub, ok := lookupKey(m, "subscriptionId"); ok {
		if s, ok := ctx.EvalTree(sub, joinPath(path, "subscriptionId")).(string); ok && s != "" {
			opts.SubscriptionID = s
		}
	}
	id, ok := makeResourceID(opts.SubscriptionID, opts.ResourceGroup, typ, strings.Split(name, "/"))
	if !ok {
		fail(joinPath(path, "name"), "name %q does not fit type %s: expected %d name segments separated by \"/\"",
			name, typ, strings.Count(typ, "/"))
		return
	}
	r := &armResource{ctx: ctx, file: t.file, raw: m, path: path, typ: typ, name: name, id: id, kind: kindOf(typ)}
	if ex, ok := lookupKey(m, "existing"); ok {
		r.existing, _ = ex.(bool)
	}
	root := t.root
	root.resources = append(root.resources, r)
	if _, dup := root.byID[id.Key()]; !dup {
		root.byID[id.Key()] = r
	}
	root.byTN[id.TypeNameKey()] = append(root.byTN[id.TypeNameKey()], r)
	root.byName[strings.ToLower(name)] = append(root.byName[strings.ToLower(name)], r)
	if symbol != "" {
		if t.symbols == nil {
			t.symbols = map[string]*armResource{}
		}
		t.symbols[strings.ToLower(symbol)] = r
	}
	if isDeployment(typ) && !r.existing {
		t.nested(r, m, opts)
	}
	if children, ok := lookupKey(m, "resources"); ok {
		t.expand(children, joinPath(path, "resources"), r, ctx)
	}
}

// nested reads a nested deployment with an inline template
// (https://learn.microsoft.com/en-us/azure/azure-resource-manager/templates/linked-templates#nested-template).
// With scope "inner" the nested template has its own parameters, given by
// the deployment; with "outer" (the default) its expressions see the
// parent's parameters and variables.
func (t *template) nested(r *armResource, m map[string]any, opts ARMOptions) {
	propsRaw, _ := lookupKey(m, "properties")
	props, _ := propsRaw.(map[string]any)
	ppath := joinPath(r.path, "properties")
	if _, ok := lookupKey(props, "templateLink"); ok {
		child := &template{root: t.root, opts: opts}
		r.child = child
		t.linked(r, child, props, ppath)
		return
	}
	tplRaw, _ := lookupKey(props, "template")
	tpl, ok := tplRaw.(map[string]any)
	if !ok {
		t.fatal(ppath, "nested deployment %q has no inline template; expected properties.template", r.name)
		return
	}
	scope := "outer"
	if eo, ok := lookupKey(props, "expressionEvaluationOptions"); ok {
		if s, ok := lookupKey(eo, "scope"); ok {
			if ss, ok := s.(string); ok {
				scope = strings.ToLower(ss)
			}
		}
	}
	child := &template{root: t.root, file: t.file, opts: opts, path: joinPath(ppath, "template"), scope: scope}
	r.child = child
	if scope != "inner" {
		child.params, child.vars, child.funcs = t.params, t.vars, t.funcs
		child.outputs, _ = lookupKey(tpl, "outputs")
		res, _ := lookupKey(tpl, "resources")
		child.expand(res, joinPath(child.path, "resources"), nil, r.ctx)
		return
	}
	child.load(tpl, t.inlineParameters(r, props, ppath))
}

// properties evaluates a resource's properties once; for a nested
// deployment, they are its outputs, as reference() returns them.
func (r *armResource) properties() any {
	switch r.state {
	case evaluated:
		return r.props
	case evaluating:
		return &exprError{Msg: fmt.Sprintf("%s: the resource's properties refer to themselves through reference()", r.path)}
	}
	r.state = evaluating
	if r.child != nil {
		outs := map[string]any{}
		om, _ := r.child.outputs.(map[string]any)
		ctx := r.child.root.ev.Context(r.child)
		if r.child.scope != "inner" {
			ctx = r.ctx
		}
		for name, o := range om {
			opath := joinPath(joinPath(r.child.path, "outputs"), name)
			oo, _ := o.(map[string]any)
			val, _ := lookupKey(oo, "value")
			typ, _ := lookupKey(oo, "type")
			outs[name] = map[string]any{"type": typ, "value": ctx.EvalTree(val, joinPath(opath, "value"))}
		}
		r.props = map[string]any{"outputs": outs}
	} else if raw, ok := lookupKey(r.raw, "properties"); ok {
		r.props = r.ctx.EvalTree(raw, joinPath(r.path, "properties"))
	} else {
		r.props = map[string]any{}
	}
	r.state = evaluated
	return r.props
}

// object is the resource in the ARM REST shape, for Assemble.
func (r *armResource) object() map[string]any {
	obj := map[string]any{"type": r.typ, "name": r.name, "id": r.id.String(), "properties": r.properties()}
	for _, k := range []string{"location", "sku", "kind", "zones"} {
		if raw, ok := lookupKey(r.raw, k); ok {
			obj[k] = r.ctx.EvalTree(raw, joinPath(r.path, k))
		}
	}
	return obj
}

// findResource finds a resource of the deployment by ID.
func (t *template) findResource(id resourceID) *armResource {
	root := t.root
	if r, ok := root.byID[id.Key()]; ok {
		return r
	}
	if rs := root.byTN[id.TypeNameKey()]; len(rs) == 1 {
		return rs[0]
	}
	return nil
}

// embedded finds a child resource that its parent declares inline (a
// subnet in a VNet's properties.subnets) and returns its properties.
func (t *template) embedded(id resourceID) (any, bool) {
	pid, ok := id.Parent()
	if !ok {
		return nil, false
	}
	p := t.findResource(pid)
	if p == nil || p.existing {
		return nil, false
	}
	props := p.properties()
	list, _ := lookupKey(props, id.Types[len(id.Types)-1])
	arr, _ := list.([]any)
	for _, el := range arr {
		em, ok := el.(map[string]any)
		if !ok {
			continue
		}
		if n, _ := em["name"].(string); strings.EqualFold(n, id.Name()) {
			if pp, ok := lookupKey(em, "properties"); ok {
				return pp, true
			}
			return em, true
		}
	}
	return nil, false
}

// ReadARMParameters reads an ARM parameters file
// ({"parameters": {"NAME": {"value": ...}}},
// https://learn.microsoft.com/en-us/azure/azure-resource-manager/templates/parameter-files)
// into values for ImportARM. A Key Vault reference ({"reference": ...}) is
// kept: the import fails only if the importer needs that parameter's value.
func ReadARMParameters(data []byte, name string) (map[string]any, error) {
	v, err := decodeARM(name, data, "expected an ARM parameters file")
	if err != nil {
		return nil, err
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%s: the top level is %s; expected an ARM parameters file {\"parameters\": {\"NAME\": {\"value\": ...}}}", name, typeName(v))
	}
	params := m
	base := ""
	if p, ok := m["parameters"]; ok {
		if params, ok = p.(map[string]any); !ok {
			return nil, fmt.Errorf("%s: parameters: expected an object, got %s", name, typeName(p))
		}
		base = "parameters"
	} else if _, ok := m["resources"]; ok {
		return nil, fmt.Errorf("%s: this is a template, not a parameters file", name)
	}
	out := map[string]any{}
	var names []string
	for k := range params {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		if base == "" && (k == "$schema" || k == "contentVersion") {
			continue
		}
		pm, ok := params[k].(map[string]any)
		path := joinPath(base, k)
		if !ok {
			return nil, fmt.Errorf("%s: %s: expected {\"value\": ...}, got %s", name, path, typeName(params[k]))
		}
		if val, ok := pm["value"]; ok {
			out[k] = val
			continue
		}
		if ref, ok := pm["reference"]; ok {
			rm, _ := ref.(map[string]any)
			secret, _ := rm["secretName"].(string)
			out[k] = keyVaultRef{secret: "secret " + strconv.Quote(secret)}
			continue
		}
		return nil, fmt.Errorf("%s: %s: expected {\"value\": ...} or a Key Vault {\"reference\": ...}", name, path)
	}
	return out, nil
}
