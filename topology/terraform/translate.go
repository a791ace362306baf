package terraform

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/nsgsim/nsgsim/topology"
	"github.com/nsgsim/nsgsim/topology/azure"
)

// instance is one resource instance of a plan or a state.
type instance struct {
	addr    string
	modules []addrStep
	mode    string
	typ     string
	name    string
	index   any
	values  map[string]any
	path    string         // JSON path of the resource object
	cfg     map[string]any // its configuration expressions, or nil
	id      string         // effective resource ID, once computed
	idState int
}

func (i *instance) vpath(key string) string { return i.path + ".values." + key }

func (i *instance) str(key string) string {
	s, _ := i.values[key].(string)
	return s
}

// at wraps a value of the instance with its path for Assemble; nil when the
// value is absent or null (unknown until apply, or not set).
func (i *instance) at(key string) any {
	v, ok := i.values[key]
	if !ok || v == nil {
		return nil
	}
	return azure.Located{Value: v, Path: i.vpath(key)}
}

// translator turns azurerm resource instances into Azure resources in the
// ARM REST shape, linking values unknown until apply through the
// configuration's references.
type translator struct {
	file   string
	link   *linker
	errs   topology.ErrorList
	seen   map[string]bool
	byType map[string][]*instance
	byName map[string][]*instance // "TYPE NAME", built on first use
	// Parents whose children are separate resources: NSGs with
	// azurerm_network_security_rule, VNets with azurerm_subnet (lower-case
	// names). Their inline lists are then computed copies, ignored.
	standaloneRules, standaloneSubnets map[string]bool
	// Associations, by the lower-case ID of the subnet or NIC.
	subnetNSG, subnetRT, nicNSG map[string]any
	nicASGs                     map[string][]any
}

func (t *translator) errorf(path, format string, args ...any) {
	e := &topology.Error{Pos: topology.Pos{File: t.file, Path: path}, Msg: topology.ClipQuoted(fmt.Sprintf(format, args...))}
	k := e.Error()
	if t.seen[k] {
		return
	}
	t.seen[k] = true
	t.errs = append(t.errs, e)
}

const sub0 = "/subscriptions/" + azure.DefaultSubscriptionID

// azureTypes maps azurerm resource types to the ARM types of their IDs.
var azureTypes = map[string]string{
	"azurerm_virtual_network":            "Microsoft.Network/virtualNetworks",
	"azurerm_network_security_group":     "Microsoft.Network/networkSecurityGroups",
	"azurerm_application_security_group": "Microsoft.Network/applicationSecurityGroups",
	"azurerm_network_interface":          "Microsoft.Network/networkInterfaces",
	"azurerm_public_ip":                  "Microsoft.Network/publicIPAddresses",
	"azurerm_bastion_host":               "Microsoft.Network/bastionHosts",
	"azurerm_route_table":                "Microsoft.Network/routeTables",
	"azurerm_linux_virtual_machine":      "Microsoft.Compute/virtualMachines",
	"azurerm_windows_virtual_machine":    "Microsoft.Compute/virtualMachines",
	"azurerm_virtual_machine":            "Microsoft.Compute/virtualMachines",

	"azurerm_linux_virtual_machine_scale_set":        "Microsoft.Compute/virtualMachineScaleSets",
	"azurerm_windows_virtual_machine_scale_set":      "Microsoft.Compute/virtualMachineScaleSets",
	"azurerm_orchestrated_virtual_machine_scale_set": "Microsoft.Compute/virtualMachineScaleSets",
	"azurerm_virtual_machine_scale_set":              "Microsoft.Compute/virtualMachineScaleSets",
}

// nameOf is the Azure name of an instance; when it is unknown until apply,
// the instance address stands in for it.
func (t *translator) nameOf(i *instance) string {
	if s := i.str("name"); s != "" {
		return s
	}
	return strings.NewReplacer("/", "_", `"`, "").Replace(i.addr)
}

// rgOf is an instance's resource group: its value, or the name of the
// azurerm_resource_group it refers to, or "unknown".
func (t *translator) rgOf(i *instance) string {
	if s := i.str("resource_group_name"); s != "" {
		return s
	}
	if is, _ := t.link.resolve(i.modules, references(i.cfg["resource_group_name"]), i.index, 0); len(is) > 0 {
		for _, g := range is {
			if g.typ == "azurerm_resource_group" {
				if s := g.str("name"); s != "" {
					return s
				}
			}
		}
	}
	return "unknown"
}

// idOf is the resource ID of an instance: known, or made from its names.
func (t *translator) idOf(i *instance) string {
	if s := i.str("id"); strings.HasPrefix(s, "/subscriptions/") {
		return s
	}
	if i.idState == 2 {
		return i.id
	}
	if i.idState == 1 {
		return sub0 + "/resourceGroups/unknown/providers/Terraform/cycle/" + t.nameOf(i)
	}
	i.idState = 1
	name := t.nameOf(i)
	base := sub0 + "/resourceGroups/" + t.rgOf(i) + "/providers/"
	var id string
	switch i.typ {
	case "azurerm_subnet":
		if p := t.parent(i, "virtual_network_name", "azurerm_virtual_network"); p != nil {
			id = t.idOf(p) + "/subnets/" + name
		} else {
			id = base + "Microsoft.Network/virtualNetworks/" + orUnknown(i.str("virtual_network_name")) + "/subnets/" + name
		}
	case "azurerm_network_security_rule":
		if p := t.parent(i, "network_security_group_name", "azurerm_network_security_group"); p != nil {
			id = t.idOf(p) + "/securityRules/" + name
		} else {
			id = base + "Microsoft.Network/networkSecurityGroups/" + orUnknown(i.str("network_security_group_name")) + "/securityRules/" + name
		}
	case "azurerm_virtual_network_peering":
		if p := t.parent(i, "virtual_network_name", "azurerm_virtual_network"); p != nil {
			id = t.idOf(p) + "/virtualNetworkPeerings/" + name
		} else {
			id = base + "Microsoft.Network/virtualNetworks/" + orUnknown(i.str("virtual_network_name")) + "/virtualNetworkPeerings/" + name
		}
	default:
		typ, ok := azureTypes[i.typ]
		if !ok {
			typ = "Terraform/" + i.typ
		}
		id = base + typ + "/" + name
	}
	i.id, i.idState = id, 2
	return id
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}

// parent finds the instance a child names by attr (virtual_network_name,
// network_security_group_name): through the configuration's reference, or
// by name and resource group.
func (t *translator) parent(i *instance, attr, typ string) *instance {
	if is, _ := t.link.resolve(i.modules, references(i.cfg[attr]), i.index, 0); len(is) > 0 {
		for _, p := range is {
			if p.typ == typ {
				return p
			}
		}
	}
	name := i.str(attr)
	if name == "" {
		return nil
	}
	if t.byName == nil {
		t.byName = map[string][]*instance{}
		for typ, is := range t.byType {
			for _, p := range is {
				k := typ + " " + p.str("name")
				t.byName[k] = append(t.byName[k], p)
			}
		}
	}
	found := t.byName[typ+" "+name]
	if len(found) > 1 {
		rg := i.str("resource_group_name")
		var same []*instance
		for _, p := range found {
			if strings.EqualFold(p.str("resource_group_name"), rg) {
				same = append(same, p)
			}
		}
		found = same
	}
	if len(found) == 1 {
		return found[0]
	}
	return nil
}

// ref reads an attribute that holds the ID of another resource: its value
// when known, else the ID of the resource the configuration's expression
// refers to. It returns nil when the attribute is not set.
func (t *translator) ref(i *instance, value any, path string, expr any, types ...string) any {
	if s, ok := value.(string); ok && s != "" {
		return azure.Located{Value: s, Path: path}
	}
	refs := references(expr)
	if len(refs) == 0 {
		return nil
	}
	is, err := t.link.resolve(i.modules, refs, i.index, 0)
	is = ofTypes(is, types)
	switch {
	case len(is) == 1:
		return azure.Located{Value: t.idOf(is[0]), Path: path}
	case len(is) > 1:
		t.errorf(path, "unknown until apply, and the configuration refers to %d resources (%s); expected one %s",
			len(is), addrs(is), strings.Join(types, " or "))
	case err != nil:
		t.errorf(path, "unknown until apply, and the configuration's references %q do not lead to a resource in the plan: %v", refs, err)
	default:
		t.errorf(path, "unknown until apply, and the configuration's references %q name no %s in the plan", refs, strings.Join(types, " or "))
	}
	return nil
}

// refList reads an attribute that holds a list of resource IDs.
func (t *translator) refList(i *instance, value any, path string, expr any, types ...string) []any {
	var out []any
	if l, ok := value.([]any); ok && len(l) > 0 {
		for k, v := range l {
			if s, ok := v.(string); ok && s != "" {
				out = append(out, azure.Located{Value: s, Path: fmt.Sprintf("%s[%d]", path, k)})
			}
		}
		if len(out) == len(l) {
			return out
		}
		out = nil
	}
	refs := references(expr)
	if len(refs) == 0 {
		return out
	}
	is, err := t.link.resolve(i.modules, refs, i.index, 0)
	is = ofTypes(is, types)
	if len(is) == 0 {
		if err == nil {
			err = fmt.Errorf("they name no %s in the plan", strings.Join(types, " or "))
		}
		t.errorf(path, "unknown until apply, and the configuration's references %q do not lead to resources: %v", refs, err)
	}
	for _, r := range is {
		out = append(out, azure.Located{Value: t.idOf(r), Path: path})
	}
	return out
}

func ofTypes(is []*instance, types []string) []*instance {
	var out []*instance
	for _, i := range is {
		for _, typ := range types {
			if i.typ == typ {
				out = append(out, i)
				break
			}
		}
	}
	return out
}

func addrs(is []*instance) string {
	var s []string
	for _, i := range is {
		s = append(s, i.addr)
	}
	return strings.Join(s, ", ")
}

// blocks returns a nested block list with the path of each block. A value
// that is not a list of objects is an error.
func (t *translator) blocks(i *instance, key string) ([]map[string]any, []string) {
	v := i.values[key]
	l, ok := v.([]any)
	if !ok && v != nil {
		t.errorf(i.vpath(key), "expected a list of %s blocks, got %s", key, typeName(v))
	}
	var ms []map[string]any
	var paths []string
	for k, b := range l {
		path := fmt.Sprintf("%s[%d]", i.vpath(key), k)
		m, ok := b.(map[string]any)
		if !ok {
			t.errorf(path, "expected a %s block (an object), got %s", key, typeName(b))
			continue
		}
		ms = append(ms, m)
		paths = append(paths, path)
	}
	return ms, paths
}

// stringAttrs are the attributes read as strings wherever they appear.
var stringAttrs = []string{"name", "id", "resource_group_name", "virtual_network_name", "network_security_group_name", "private_ip_address"}

// checkStrings reports an attribute of stringAttrs that is not a string:
// read as absent, it would be replaced silently (a name by the address).
func (t *translator) checkStrings(i *instance) {
	for _, k := range stringAttrs {
		if v, ok := i.values[k]; ok && v != nil {
			if _, ok := v.(string); !ok {
				t.errorf(i.vpath(k), "expected a string, got %s", typeName(v))
			}
		}
	}
}

func atIn(m map[string]any, key, base string) any {
	v, ok := m[key]
	if !ok || v == nil {
		return nil
	}
	return azure.Located{Value: v, Path: base + "." + key}
}

func idObj(v any) any {
	if v == nil {
		return nil
	}
	return map[string]any{"id": v}
}

// setIf sets m[k] unless v is nil.
func setIf(m map[string]any, k string, v any) {
	if v != nil {
		m[k] = v
	}
}

// resources translates every instance nsgsim models.
func (t *translator) resources(instances []*instance) []azure.Resource {
	t.byType = map[string][]*instance{}
	for _, i := range instances {
		t.byType[i.typ] = append(t.byType[i.typ], i)
	}
	t.associations()
	var first, rest []azure.Resource
	for _, i := range instances {
		obj := t.translate(i)
		if obj == nil {
			continue
		}
		r := azure.Resource{File: t.file, Path: i.path, Object: obj, Key: i.mode + " " + i.addr}
		switch i.typ {
		case "azurerm_subnet", "azurerm_network_security_rule", "azurerm_virtual_network_peering":
			// Before their parents, so that they win over the parents'
			// computed inline copies.
			first = append(first, r)
		default:
			rest = append(rest, r)
		}
	}
	return append(first, rest...)
}

// associations reads the association resources.
func (t *translator) associations() {
	t.subnetNSG, t.subnetRT, t.nicNSG = map[string]any{}, map[string]any{}, map[string]any{}
	t.nicASGs = map[string][]any{}
	target := func(a *instance, attr, typ string) string {
		v := t.ref(a, a.values[attr], a.vpath(attr), a.cfg[attr], typ)
		if l, ok := v.(azure.Located); ok {
			s, _ := l.Value.(string)
			return strings.ToLower(s)
		}
		if v == nil {
			t.errorf(a.vpath(attr), "%s has no %s; expected the ID of a %s", a.addr, attr, typ)
		}
		return ""
	}
	for _, a := range t.byType["azurerm_subnet_network_security_group_association"] {
		if k := target(a, "subnet_id", "azurerm_subnet"); k != "" {
			setIf(t.subnetNSG, k, t.ref(a, a.values["network_security_group_id"], a.vpath("network_security_group_id"),
				a.cfg["network_security_group_id"], "azurerm_network_security_group"))
		}
	}
	for _, a := range t.byType["azurerm_subnet_route_table_association"] {
		if k := target(a, "subnet_id", "azurerm_subnet"); k != "" {
			setIf(t.subnetRT, k, t.ref(a, a.values["route_table_id"], a.vpath("route_table_id"), a.cfg["route_table_id"], "azurerm_route_table"))
		}
	}
	for _, a := range t.byType["azurerm_network_interface_security_group_association"] {
		if k := target(a, "network_interface_id", "azurerm_network_interface"); k != "" {
			setIf(t.nicNSG, k, t.ref(a, a.values["network_security_group_id"], a.vpath("network_security_group_id"),
				a.cfg["network_security_group_id"], "azurerm_network_security_group"))
		}
	}
	for _, a := range t.byType["azurerm_network_interface_application_security_group_association"] {
		if k := target(a, "network_interface_id", "azurerm_network_interface"); k != "" {
			if g := t.ref(a, a.values["application_security_group_id"], a.vpath("application_security_group_id"),
				a.cfg["application_security_group_id"], "azurerm_application_security_group"); g != nil {
				t.nicASGs[k] = append(t.nicASGs[k], map[string]any{"id": g})
			}
		}
	}
}

// translate maps one instance; nil for types nsgsim does not model.
func (t *translator) translate(i *instance) map[string]any {
	id := t.idOf(i)
	obj := map[string]any{"id": id, "name": azure.Located{Value: t.nameOf(i), Path: i.vpath("name")}}
	setIf(obj, "location", i.at("location"))
	// The flattened shape (no "properties" wrapper), so that messages about
	// a member name the plan's path with the ARM member's name.
	props := obj
	switch i.typ {
	case "azurerm_virtual_network":
		obj["type"] = "Microsoft.Network/virtualNetworks"
		props["addressSpace"] = map[string]any{"addressPrefixes": i.at("address_space")}
		_, inlineInConfig := i.cfg["subnet"]
		if inlineInConfig || !t.standaloneSubnets[strings.ToLower(t.nameOf(i))] {
			var subs []any
			bs, paths := t.blocks(i, "subnet")
			for k, b := range bs {
				s := map[string]any{"name": atIn(b, "name", paths[k])}
				sp := s
				setIf(s, "id", atIn(b, "id", paths[k]))
				if v := atIn(b, "address_prefixes", paths[k]); v != nil {
					sp["addressPrefixes"] = v
				}
				setIf(sp, "addressPrefix", atIn(b, "address_prefix", paths[k]))
				name, _ := b["name"].(string)
				var expr any
				if bm := blockWithName(i.cfg, "subnet", name); bm != nil {
					expr = bm["security_group"]
				}
				setIf(sp, "networkSecurityGroup", idObj(t.ref(i, b["security_group"], paths[k]+".security_group", expr, "azurerm_network_security_group")))
				subs = append(subs, azure.Located{Value: s, Path: paths[k]})
			}
			props["subnets"] = azure.Located{Value: subs, Path: i.vpath("subnet")}
		}
	case "azurerm_subnet":
		obj["type"] = "Microsoft.Network/virtualNetworks/subnets"
		setIf(props, "addressPrefixes", i.at("address_prefixes"))
		setIf(props, "addressPrefix", i.at("address_prefix"))
		key := strings.ToLower(id)
		nsg := t.subnetNSG[key]
		if nsg == nil {
			nsg = t.ref(i, i.values["network_security_group_id"], i.vpath("network_security_group_id"), i.cfg["network_security_group_id"], "azurerm_network_security_group")
		}
		setIf(props, "networkSecurityGroup", idObj(nsg))
		rt := t.subnetRT[key]
		if rt == nil {
			rt = t.ref(i, i.values["route_table_id"], i.vpath("route_table_id"), i.cfg["route_table_id"], "azurerm_route_table")
		}
		setIf(props, "routeTable", idObj(rt))
	case "azurerm_virtual_network_peering":
		obj["type"] = "Microsoft.Network/virtualNetworks/virtualNetworkPeerings"
		setIf(props, "remoteVirtualNetwork", idObj(t.ref(i, i.values["remote_virtual_network_id"], i.vpath("remote_virtual_network_id"),
			i.cfg["remote_virtual_network_id"], "azurerm_virtual_network")))
		setIf(props, "allowVirtualNetworkAccess", i.at("allow_virtual_network_access"))
	case "azurerm_network_security_group":
		obj["type"] = "Microsoft.Network/networkSecurityGroups"
		_, inlineInConfig := i.cfg["security_rule"]
		if inlineInConfig || !t.standaloneRules[strings.ToLower(t.nameOf(i))] {
			var rules []any
			bs, paths := t.blocks(i, "security_rule")
			for k, b := range bs {
				name, _ := b["name"].(string)
				exprs := blockWithName(i.cfg, "security_rule", name)
				r := t.ruleProps(i, b, paths[k], exprs)
				r["name"] = atIn(b, "name", paths[k])
				rules = append(rules, azure.Located{Value: r, Path: paths[k]})
			}
			props["securityRules"] = azure.Located{Value: rules, Path: i.vpath("security_rule")}
		}
	case "azurerm_network_security_rule":
		obj["type"] = "Microsoft.Network/networkSecurityGroups/securityRules"
		for k, v := range t.ruleProps(i, i.values, i.path+".values", i.cfg) {
			obj[k] = v
		}
	case "azurerm_application_security_group":
		obj["type"] = "Microsoft.Network/applicationSecurityGroups"
	case "azurerm_public_ip":
		obj["type"] = "Microsoft.Network/publicIPAddresses"
		setIf(props, "ipAddress", i.at("ip_address"))
	case "azurerm_network_interface":
		obj["type"] = "Microsoft.Network/networkInterfaces"
		t.nic(i, id, props)
	case "azurerm_linux_virtual_machine", "azurerm_windows_virtual_machine", "azurerm_virtual_machine":
		obj["type"] = "Microsoft.Compute/virtualMachines"
		t.vm(i, obj, props)
	case "azurerm_bastion_host":
		obj["type"] = "Microsoft.Network/bastionHosts"
		t.bastion(i, obj, props)
	case "azurerm_linux_virtual_machine_scale_set", "azurerm_windows_virtual_machine_scale_set",
		"azurerm_orchestrated_virtual_machine_scale_set", "azurerm_virtual_machine_scale_set":
		// Not modelled: passed on by name only, for the warning that
		// lists scale sets.
		obj["type"] = "Microsoft.Compute/virtualMachineScaleSets"
	default:
		return nil
	}
	t.checkStrings(i)
	return obj
}

var ruleFields = [][2]string{
	{"description", "description"}, {"protocol", "protocol"}, {"priority", "priority"},
	{"direction", "direction"}, {"access", "access"},
	{"source_port_range", "sourcePortRange"}, {"source_port_ranges", "sourcePortRanges"},
	{"destination_port_range", "destinationPortRange"}, {"destination_port_ranges", "destinationPortRanges"},
	{"source_address_prefix", "sourceAddressPrefix"}, {"source_address_prefixes", "sourceAddressPrefixes"},
	{"destination_address_prefix", "destinationAddressPrefix"}, {"destination_address_prefixes", "destinationAddressPrefixes"},
}

// ruleProps maps a security rule, inline or standalone.
func (t *translator) ruleProps(i *instance, m map[string]any, base string, exprs map[string]any) map[string]any {
	p := map[string]any{}
	for _, f := range ruleFields {
		setIf(p, f[1], atIn(m, f[0], base))
	}
	for _, side := range []string{"source", "destination"} {
		key := side + "_application_security_group_ids"
		var ids []any
		for _, id := range t.refList(i, m[key], base+"."+key, exprs[key], "azurerm_application_security_group") {
			ids = append(ids, map[string]any{"id": id})
		}
		if len(ids) > 0 {
			p[side+"ApplicationSecurityGroups"] = ids
		}
	}
	return p
}

func (t *translator) nic(i *instance, id string, props map[string]any) {
	key := strings.ToLower(id)
	var ipcs []any
	bs, paths := t.blocks(i, "ip_configuration")
	for k, b := range bs {
		ip := map[string]any{}
		setIf(ip, "subnet", idObj(t.ref(i, b["subnet_id"], paths[k]+".subnet_id", exprAt(i.cfg, "ip_configuration", k, "subnet_id"), "azurerm_subnet")))
		if s, _ := b["private_ip_address"].(string); s != "" {
			ip["privateIPAddress"] = atIn(b, "private_ip_address", paths[k])
		} else if s := i.str("private_ip_address"); s != "" && (len(bs) == 1 || b["primary"] == true) {
			ip["privateIPAddress"] = i.at("private_ip_address")
		}
		setIf(ip, "privateIPAllocationMethod", atIn(b, "private_ip_address_allocation", paths[k]))
		setIf(ip, "primary", atIn(b, "primary", paths[k]))
		setIf(ip, "publicIPAddress", idObj(t.ref(i, b["public_ip_address_id"], paths[k]+".public_ip_address_id",
			exprAt(i.cfg, "ip_configuration", k, "public_ip_address_id"), "azurerm_public_ip")))
		asgs := append([]any{}, t.nicASGs[key]...)
		for _, g := range t.refList(i, b["application_security_group_ids"], paths[k]+".application_security_group_ids",
			exprAt(i.cfg, "ip_configuration", k, "application_security_group_ids"), "azurerm_application_security_group") {
			asgs = append(asgs, map[string]any{"id": g})
		}
		if len(asgs) > 0 {
			ip["applicationSecurityGroups"] = asgs
		}
		ip["name"] = atIn(b, "name", paths[k])
		ipcs = append(ipcs, azure.Located{Value: ip, Path: paths[k]})
	}
	props["ipConfigurations"] = azure.Located{Value: ipcs, Path: i.vpath("ip_configuration")}
	nsg := t.nicNSG[key]
	if nsg == nil {
		nsg = t.ref(i, i.values["network_security_group_id"], i.vpath("network_security_group_id"), i.cfg["network_security_group_id"], "azurerm_network_security_group")
	}
	setIf(props, "networkSecurityGroup", idObj(nsg))
}

func (t *translator) vm(i *instance, obj, props map[string]any) {
	primaryID := t.ref(i, i.values["primary_network_interface_id"], i.vpath("primary_network_interface_id"),
		i.cfg["primary_network_interface_id"], "azurerm_network_interface")
	nicIDs := t.refList(i, i.values["network_interface_ids"], i.vpath("network_interface_ids"), i.cfg["network_interface_ids"], "azurerm_network_interface")
	var nics []any
	for k, id := range nicIDs {
		// The first NIC is the primary one (azurerm_linux_virtual_machine docs),
		// unless primary_network_interface_id says otherwise.
		isPrimary := k == 0
		if p, ok := primaryID.(azure.Located); ok {
			if l, ok := id.(azure.Located); ok {
				isPrimary = strings.EqualFold(fmt.Sprint(l.Value), fmt.Sprint(p.Value))
			}
		}
		nics = append(nics, map[string]any{"id": id, "primary": isPrimary})
	}
	props["networkProfile"] = map[string]any{"networkInterfaces": azure.Located{Value: nics, Path: i.vpath("network_interface_ids")}}
	osPath := i.path + ".type"
	switch i.typ {
	case "azurerm_linux_virtual_machine":
		props["storageProfile"] = map[string]any{"osDisk": map[string]any{"osType": azure.Located{Value: "Linux", Path: osPath}}}
	case "azurerm_windows_virtual_machine":
		props["storageProfile"] = map[string]any{"osDisk": map[string]any{"osType": azure.Located{Value: "Windows", Path: osPath}}}
	default: // azurerm_virtual_machine
		sp := map[string]any{}
		if ds, paths := t.blocks(i, "storage_os_disk"); len(ds) > 0 {
			if ost := atIn(ds[0], "os_type", paths[0]); ost != nil {
				if s, _ := ds[0]["os_type"].(string); s != "" {
					sp["osDisk"] = map[string]any{"osType": ost}
				}
			}
		}
		if refs, paths := t.blocks(i, "storage_image_reference"); len(refs) > 0 {
			img := map[string]any{}
			for _, k := range []string{"publisher", "offer", "sku"} {
				setIf(img, k, atIn(refs[0], k, paths[0]))
			}
			sp["imageReference"] = img
		}
		props["storageProfile"] = sp
		op := map[string]any{}
		if w, _ := t.blocks(i, "os_profile_windows_config"); len(w) > 0 {
			op["windowsConfiguration"] = map[string]any{}
		}
		if l, _ := t.blocks(i, "os_profile_linux_config"); len(l) > 0 {
			op["linuxConfiguration"] = map[string]any{}
		}
		props["osProfile"] = op
	}
	setIf(obj, "privateIps", i.at("private_ip_address"))
	setIf(obj, "publicIps", i.at("public_ip_address"))
}

func (t *translator) bastion(i *instance, obj, props map[string]any) {
	// Without sku, azurerm_bastion_host is Basic, the provider's default
	// (https://registry.terraform.io/providers/hashicorp/azurerm/latest/docs/resources/bastion_host#sku),
	// which the ARM reading gives an object without sku (topology.DefaultSKU).
	if s := i.at("sku"); s != nil {
		obj["sku"] = map[string]any{"name": s}
	}
	var ipcs []any
	bs, paths := t.blocks(i, "ip_configuration")
	for k, b := range bs {
		ip := map[string]any{}
		setIf(ip, "subnet", idObj(t.ref(i, b["subnet_id"], paths[k]+".subnet_id", exprAt(i.cfg, "ip_configuration", k, "subnet_id"), "azurerm_subnet")))
		ip["name"] = atIn(b, "name", paths[k])
		ipcs = append(ipcs, azure.Located{Value: ip, Path: paths[k]})
	}
	if len(ipcs) > 0 {
		props["ipConfigurations"] = azure.Located{Value: ipcs, Path: i.vpath("ip_configuration")}
	}
	setIf(props, "virtualNetwork", idObj(t.ref(i, i.values["virtual_network_id"], i.vpath("virtual_network_id"), i.cfg["virtual_network_id"], "azurerm_virtual_network")))
	for _, f := range [][2]string{
		{"scale_units", "scaleUnits"}, {"tunneling_enabled", "enableTunneling"}, {"ip_connect_enabled", "enableIpConnect"},
		{"shareable_link_enabled", "enableShareableLink"}, {"file_copy_enabled", "enableFileCopy"},
		{"kerberos_enabled", "enableKerberos"}, {"session_recording_enabled", "enableSessionRecording"},
		{"private_only_enabled", "enablePrivateOnlyBastion"},
	} {
		setIf(props, f[1], i.at(f[0]))
	}
	// copy_paste_enabled defaults to true; the ARM flag is its negation.
	if b, ok := i.values["copy_paste_enabled"].(bool); ok {
		props["disableCopyPaste"] = azure.Located{Value: !b, Path: i.vpath("copy_paste_enabled")}
	}
}

// standaloneParents finds the NSGs and VNets whose rules and subnets are
// separate resources, in any of the given instance sets.
func (t *translator) standaloneParents(sets ...[]*instance) {
	t.standaloneRules, t.standaloneSubnets = map[string]bool{}, map[string]bool{}
	for _, set := range sets {
		for _, i := range set {
			switch i.typ {
			case "azurerm_network_security_rule":
				if p := t.parentName(i, "network_security_group_name", "azurerm_network_security_group"); p != "" {
					t.standaloneRules[strings.ToLower(p)] = true
				}
			case "azurerm_subnet":
				if i.mode == "managed" {
					if p := t.parentName(i, "virtual_network_name", "azurerm_virtual_network"); p != "" {
						t.standaloneSubnets[strings.ToLower(p)] = true
					}
				}
			}
		}
	}
}

func (t *translator) parentName(i *instance, attr, typ string) string {
	if s := i.str(attr); s != "" {
		return s
	}
	if p := t.parent(i, attr, typ); p != nil {
		return t.nameOf(p)
	}
	return ""
}

// networkTypes are the azurerm types that make a network to simulate.
var networkTypes = map[string]bool{
	"azurerm_virtual_network": true, "azurerm_subnet": true, "azurerm_virtual_network_peering": true,
	"azurerm_network_security_group": true, "azurerm_network_security_rule": true,
	"azurerm_network_interface": true, "azurerm_linux_virtual_machine": true,
	"azurerm_windows_virtual_machine": true, "azurerm_virtual_machine": true, "azurerm_bastion_host": true,
}

const readTypes = "azurerm_virtual_network, azurerm_subnet, azurerm_network_security_group, azurerm_network_security_rule, " +
	"azurerm_network_interface, azurerm_linux_virtual_machine, azurerm_windows_virtual_machine, azurerm_virtual_machine " +
	"and azurerm_bastion_host, with their associations, peerings, application security groups and public IPs"

// checkModelled reports a plan that holds none of networkTypes, on either
// side: it would import as an empty network, in which nothing can be
// simulated. root is where the planned resources are.
func (p *planReader) checkModelled(root string) error {
	seen := map[string]bool{}
	for _, set := range [][]*instance{p.planned, p.prior, p.changes} {
		for _, i := range set {
			if networkTypes[i.typ] {
				return nil
			}
			seen[i.typ] = true
		}
	}
	if len(seen) == 0 {
		return fmt.Errorf("%s: %s: the plan has no resources; nsgsim reads %s", p.file, root, readTypes)
	}
	return fmt.Errorf("%s: %s: the plan has no resource nsgsim models (it has %s); nsgsim reads %s",
		p.file, root, quoteSome(seen), readTypes)
}

// quoteSome lists the first ten of a set of names, sorted and quoted.
func quoteSome(set map[string]bool) string {
	names := slices.Sorted(maps.Keys(set))
	var b strings.Builder
	for k, n := range names {
		if k == 10 {
			fmt.Fprintf(&b, " and %d more", len(names)-k)
			break
		}
		if k > 0 {
			b.WriteString(", ")
		}
		b.WriteString(topology.ClipQuoted(strconv.Quote(n)))
	}
	return b.String()
}
