package armexpr

import (
	"strings"
)

// ResourceID is a parsed Azure resource ID, the form every reference between
// resources takes (https://learn.microsoft.com/en-us/azure/azure-resource-manager/templates/template-functions-resource#resourceid):
//
//	/subscriptions/{sub}/resourceGroups/{rg}/providers/{namespace}/{type}/{name}[/{childType}/{childName}]...
type ResourceID struct {
	Subscription  string
	ResourceGroup string
	Namespace     string   // "Microsoft.Network"
	Types         []string // ["virtualNetworks", "subnets"]
	Names         []string // ["hub", "AzureBastionSubnet"]
}

// ParseResourceID reads a resource ID; it reports false for anything else.
func ParseResourceID(s string) (ResourceID, bool) {
	var id ResourceID
	parts := strings.Split(strings.Trim(strings.TrimSpace(s), "/"), "/")
	i := 0
	next := func() (string, bool) {
		if i >= len(parts) {
			return "", false
		}
		i++
		return parts[i-1], true
	}
	if k, ok := next(); !ok || !strings.EqualFold(k, "subscriptions") {
		return id, false
	}
	sub, ok := next()
	if !ok || sub == "" {
		return id, false
	}
	id.Subscription = sub
	k, ok := next()
	if !ok {
		return id, false
	}
	if strings.EqualFold(k, "resourceGroups") {
		rg, ok := next()
		if !ok || rg == "" {
			return id, false
		}
		id.ResourceGroup = rg
		if k, ok = next(); !ok {
			return id, false
		}
	}
	if !strings.EqualFold(k, "providers") {
		return id, false
	}
	ns, ok := next()
	if !ok || ns == "" {
		return id, false
	}
	id.Namespace = ns
	for i < len(parts) {
		t, _ := next()
		n, ok := next()
		if !ok || t == "" || n == "" || strings.EqualFold(t, "providers") {
			return id, false
		}
		id.Types = append(id.Types, t)
		id.Names = append(id.Names, n)
	}
	if len(id.Types) == 0 {
		return id, false
	}
	return id, true
}

// Type returns the full resource type, "Microsoft.Network/virtualNetworks/subnets".
func (id ResourceID) Type() string {
	return id.Namespace + "/" + strings.Join(id.Types, "/")
}

// Name returns the resource's own name, the last segment.
func (id ResourceID) Name() string { return id.Names[len(id.Names)-1] }

// Parent returns the ID of the resource this child resource belongs to.
func (id ResourceID) Parent() (ResourceID, bool) {
	if len(id.Types) < 2 {
		return ResourceID{}, false
	}
	p := id
	p.Types = id.Types[:len(id.Types)-1]
	p.Names = id.Names[:len(id.Names)-1]
	return p, true
}

// Child returns the ID of a child resource of id.
func (id ResourceID) Child(typ, name string) ResourceID {
	c := id
	c.Types = append(append([]string(nil), id.Types...), typ)
	c.Names = append(append([]string(nil), id.Names...), name)
	return c
}

// String formats the ID as Azure does.
func (id ResourceID) String() string {
	var b strings.Builder
	b.WriteString("/subscriptions/")
	b.WriteString(id.Subscription)
	if id.ResourceGroup != "" {
		b.WriteString("/resourceGroups/")
		b.WriteString(id.ResourceGroup)
	}
	b.WriteString("/providers/")
	b.WriteString(id.Namespace)
	for i := range id.Types {
		b.WriteString("/")
		b.WriteString(id.Types[i])
		b.WriteString("/")
		b.WriteString(id.Names[i])
	}
	return b.String()
}

// key is the lookup key of an ID: Azure compares IDs case-insensitively.
func (id ResourceID) Key() string { return strings.ToLower(id.String()) }

// typeNameKey identifies a resource by type and names only, ignoring
// subscription and resource group.
func (id ResourceID) TypeNameKey() string {
	return strings.ToLower(id.Type() + "|" + strings.Join(id.Names, "/"))
}

// MakeResourceID builds the ID of a resource of fullType ("Microsoft.Network/
// virtualNetworks/subnets") named by names ("hub", "AzureBastionSubnet").
// It reports false when the type and the names do not match in number.
func MakeResourceID(sub, rg, fullType string, names []string) (ResourceID, bool) {
	segs := strings.Split(fullType, "/")
	if len(segs) < 2 || len(segs)-1 != len(names) {
		return ResourceID{}, false
	}
	for _, s := range segs {
		if s == "" {
			return ResourceID{}, false
		}
	}
	for _, n := range names {
		if n == "" {
			return ResourceID{}, false
		}
	}
	return ResourceID{
		Subscription:  sub,
		ResourceGroup: rg,
		Namespace:     segs[0],
		Types:         append([]string(nil), segs[1:]...),
		Names:         append([]string(nil), names...),
	}, true
}
