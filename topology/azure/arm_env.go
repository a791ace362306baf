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
	if full {
		return armexpr.WrapDeployed(r.object(), what)
	}
	return armexpr.WrapDeployed(props, what)
}
