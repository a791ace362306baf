package azure

import (
	"fmt"
	"strings"

	"github.com/nsgsim/nsgsim/topology/azure/armexpr"
)

// The ARM expression language lives in package armexpr; a template is its
// environment (armexpr.Env): parameters, variables, user-defined
// functions, resources for reference(), and the deployment's scope.

type (
	exprError  = armexpr.Error
	resourceID = armexpr.ResourceID
)

// Defaults for what an offline import cannot know: the subscription and
// resource group of an ARM deployment, and its region.
const (
	DefaultSubscriptionID = "00000000-0000-0000-0000-000000000000"
	DefaultResourceGroup  = "rg"
	DefaultLocation       = "eastus"
)

func parseResourceID(s string) (resourceID, bool) { return armexpr.ParseResourceID(s) }

func makeResourceID(sub, rg, fullType string, names []string) (resourceID, bool) {
	return armexpr.MakeResourceID(sub, rg, fullType, names)
}

func lookupKey(x any, name string) (any, bool) { return armexpr.LookupKey(x, name) }

func deepEqual(x, y any) bool { return armexpr.DeepEqual(x, y) }

// Parameter implements armexpr.Env.
func (t *template) Parameter(name string) (any, error) { return t.param(name) }

// Variable implements armexpr.Env.
func (t *template) Variable(name string) (any, error) { return t.variable(name) }

// Scope implements armexpr.Env: the deployment's subscription, resource
// group and region, and the template's own file as its link, so that URIs
// built from deployment().properties.templateLink.uri (_artifactsLocation)
// name the files beside it.
func (t *template) Scope() armexpr.Scope {
	return armexpr.Scope{
		SubscriptionID: t.opts.SubscriptionID,
		ResourceGroup:  t.opts.ResourceGroup,
		Location:       t.opts.Location,
		TenantID:       DefaultSubscriptionID,
		TemplateURI:    templateURI(t.file),
	}
}

// typeNameID reads the other identifier reference() takes besides a name
// and a full ID: the resource's type followed by its names,
// "Microsoft.Resources/deployments/vnet-setup" or
// "Microsoft.Network/virtualNetworks/hub/subnets/AzureBastionSubnet", in
// the deployment's resource group (https://learn.microsoft.com/en-us/azure/
// azure-resource-manager/templates/template-functions-resource#reference).
func typeNameID(s, sub, rg string) (resourceID, bool) {
	parts := strings.Split(s, "/")
	if len(parts) < 3 || len(parts)%2 == 0 || !strings.Contains(parts[0], ".") {
		return resourceID{}, false
	}
	typ := []string{parts[0]}
	var names []string
	for i := 1; i < len(parts); i += 2 {
		typ = append(typ, parts[i])
		names = append(names, parts[i+1])
	}
	return makeResourceID(sub, rg, strings.Join(typ, "/"), names)
}

// Reference implements armexpr.Env: reference() returns the properties the
// template declares for one of its own resources (by symbolic name, name
// or ID; "Full" for the whole resource). What Azure sets only at
// deployment is not known.
func (t *template) Reference(a []any) (any, error) {
	s, ok := armexpr.Unwrap(a[0]).(string)
	if !ok {
		return nil, fmt.Errorf("expects a resource name or ID, got %s", typeName(a[0]))
	}
	full := false
	if len(a) == 3 {
		f, _ := a[2].(string)
		full = strings.EqualFold(f, "Full")
	}
	what := fmt.Sprintf("reference('%s')", s)
	root := t.root
	var r *armResource
	if id, ok := parseResourceID(s); ok {
		r = root.findResource(id)
		if r == nil {
			if props, ok := root.embedded(id); ok && !full {
				return armexpr.WrapDeployed(props, what)
			}
		}
	} else if id, ok := typeNameID(s, t.opts.SubscriptionID, t.opts.ResourceGroup); ok {
		r = root.findResource(id)
	} else {
		r = t.symbols[strings.ToLower(s)]
		if r == nil {
			if rs := root.byName[strings.ToLower(s)]; len(rs) == 1 {
				r = rs[0]
			}
		}
	}
	if r == nil {
		return nil, fmt.Errorf("reference() needs a deployed resource: %q is not defined in this template, so its properties are known only in Azure", s)
	}
	if r.existing {
		return nil, fmt.Errorf("reference() needs a deployed resource: %q is an existing resource, so its properties are known only in Azure", s)
	}
	props := r.properties()
	if ee, ok := props.(*exprError); ok {
		return nil, ee
	}
	if r.deployed == nil {
		r.deployed = withChildIDs(r, props) // once: a copy loop may read it often
	}
	if full {
		obj := r.object()
		obj["properties"] = r.deployed
		return armexpr.WrapDeployed(obj, what)
	}
	return armexpr.WrapDeployed(r.deployed, what)
}

// childLists are the lists of child resources Azure returns inline in a
// resource's properties, each element with the ID Azure gives it.
var childLists = map[string]string{
	"microsoft.network/virtualnetworks":       "subnets",
	"microsoft.network/networksecuritygroups": "securityRules",
}

// withChildIDs returns props as reference() sees them once deployed: the
// inline children of a VNet (subnets) or an NSG (securityRules) carry
// their resource IDs, which templates read as
// reference(vnet).subnets[0].id. props itself is not changed.
func withChildIDs(r *armResource, props any) any {
	key, ok := childLists[strings.ToLower(r.typ)]
	pm, isMap := props.(map[string]any)
	if !ok || !isMap {
		return props
	}
	list, ok := pm[key].([]any)
	if !ok {
		return props
	}
	out := make(map[string]any, len(pm))
	for k, v := range pm {
		out[k] = v
	}
	children := make([]any, len(list))
	for i, c := range list {
		children[i] = c
		cm, ok := c.(map[string]any)
		name, named := cm["name"].(string)
		if _, has := cm["id"]; !ok || !named || has {
			continue
		}
		id, ok := makeResourceID(r.id.Subscription, r.id.ResourceGroup, r.typ+"/"+key, append(append([]string(nil), r.id.Names...), name))
		if !ok {
			continue
		}
		withID := make(map[string]any, len(cm)+1)
		for k, v := range cm {
			withID[k] = v
		}
		withID["id"] = id.String()
		children[i] = withID
	}
	out[key] = children
	return out
}
