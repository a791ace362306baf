package topology

import (
	"errors"
	"fmt"
	"io/fs"
	"net/netip"
	"os"
	"path/filepath"
	"strings"

	"go.yaml.in/yaml/v3"
)

// The keys of each object, in SPEC order.
var (
	topologyKeys = []string{"name", "location", "serviceTags", "virtualNetworks", "networkSecurityGroups",
		"applicationSecurityGroups", "virtualMachines", "bastionHosts", "clients", "flows", "expectations"}
	virtualNetworkKeys = []string{"name", "addressSpace", "peerings", "onPremisesPrefixes", "subnets"}
	subnetKeys         = []string{"name", "addressPrefix", "networkSecurityGroup", "routeTable"}
	nsgKeys            = []string{"name", "securityRules"}
	ruleKeys           = []string{"name", "description", "priority", "direction", "access", "protocol",
		"sourceAddressPrefix", "sourceAddressPrefixes", "sourcePortRange", "sourcePortRanges",
		"destinationAddressPrefix", "destinationAddressPrefixes", "destinationPortRange", "destinationPortRanges",
		"sourceApplicationSecurityGroups", "destinationApplicationSecurityGroups"}
	asgKeys            = []string{"name"}
	virtualMachineKeys = []string{"name", "subnet", "privateIpAddress", "os", "networkSecurityGroup",
		"applicationSecurityGroups", "publicIpAddress"}
	bastionHostKeys = []string{"name", "virtualNetwork", "sku", "scaleUnits", "enableTunneling", "enableIpConnect",
		"enableShareableLink", "enableFileCopy", "enableKerberos", "enableSessionRecording",
		"enablePrivateOnlyBastion", "disableCopyPaste", "customPorts"}
	clientKeys      = []string{"name", "addressPrefix", "addressPrefixes"}
	flowKeys        = []string{"name", "source", "destination", "protocol", "destinationPort", "sourcePortRange", "sourcePortRanges", "requirement"}
	expectationKeys = []string{"flow", "verdict", "intended"}

	// bookkeepingKeys are what az and ARM print on a rule besides its
	// properties; they are accepted and ignored (SPEC 1).
	bookkeepingKeys = []string{"id", "etag", "type", "provisioningState", "resourceGroup"}
	// ruleOuterKeys are the keys of a rule, wrapped the ARM way or not.
	ruleOuterKeys = append(append([]string{"properties"}, ruleKeys...), bookkeepingKeys...)
	// asgRefIgnored are the keys besides id and name that an ARM reference
	// to an application security group may carry.
	asgRefIgnored = append([]string{"location", "tags", "properties", "resourceGuid"}, bookkeepingKeys...)
)

func (d *decoder) topology(root *yaml.Node) bool {
	t := d.t
	root = deref(root)
	if what := azResource(root); what != "" {
		d.errorf(root, msgCtx{}, "this is %s as the az CLI or the ARM REST API prints it, not an nsgsim topology; use nsgsim import az FILE to convert it (every command also reads az output directly)", what)
		return false
	}
	if root == nil || root.Kind != yaml.MappingNode {
		d.errorf(root, msgCtx{}, "expected a mapping with keys such as virtualNetworks and networkSecurityGroups, got %s", describe(root))
		return false
	}
	m, _ := d.object(root, msgCtx{}, topologyKeys, nil, &t.Origin)
	if v, ok := m.get("name"); ok {
		t.Name, _ = d.str(v, msgCtx{}, "name")
	}
	if v, ok := m.get("location"); ok {
		t.Location, _ = d.str(v, msgCtx{}, "location")
	}
	// Service tags first: rules name tags that only the file may know.
	if v, ok := m.get("serviceTags"); ok {
		d.serviceTags(v)
	}
	t.VirtualNetworks = decodeList(d, m, "virtualNetworks", "virtual networks", (*decoder).virtualNetwork)
	t.NetworkSecurityGroups = decodeList(d, m, "networkSecurityGroups", "network security groups", (*decoder).networkSecurityGroup)
	t.ApplicationSecurityGroups = decodeList(d, m, "applicationSecurityGroups", "application security groups", (*decoder).applicationSecurityGroup)
	t.VirtualMachines = decodeList(d, m, "virtualMachines", "virtual machines", (*decoder).virtualMachine)
	t.BastionHosts = decodeList(d, m, "bastionHosts", "Bastion hosts", (*decoder).bastionHost)
	t.Clients = decodeList(d, m, "clients", "clients", (*decoder).client)
	t.Flows = decodeList(d, m, "flows", "flows", (*decoder).flow)
	t.Expectations = decodeList(d, m, "expectations", "expectations", (*decoder).expectation)
	return true
}

// azResource says what n is when it is an Azure resource, or a list of
// them, as `az ... show` or `az ... list` prints it: "an Azure resource
// of type \"Microsoft.Network/networkSecurityGroups\"". It is "" for
// anything else.
func azResource(n *yaml.Node) string {
	if n == nil {
		return ""
	}
	if n.Kind == yaml.SequenceNode && len(n.Content) > 0 {
		if what := azResource(deref(n.Content[0])); what != "" {
			return "a list of Azure resources (the first " + strings.TrimPrefix(what, "an ") + ")"
		}
		return ""
	}
	if n.Kind != yaml.MappingNode {
		return ""
	}
	azOnly := false
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i].Value, deref(n.Content[i+1])
		switch {
		case k == "type" && v != nil && v.Kind == yaml.ScalarNode && strings.HasPrefix(strings.ToLower(v.Value), "microsoft."):
			return fmt.Sprintf("an Azure resource of type %s", quoteClip(v.Value))
		case azOnlyKeys[k]:
			azOnly = true
		}
	}
	if azOnly {
		return "an Azure resource"
	}
	return ""
}

// azOnlyKeys are keys of az CLI output that an nsgsim topology never has.
var azOnlyKeys = map[string]bool{"resourceGuid": true, "defaultSecurityRules": true, "provisioningState": true, "etag": true}

// decodeList decodes the top-level list m[key] of what, one object at a
// time with decode, keeping the objects that decode. A list the topology
// scanner left unread (d.lazy) is scanned and decoded item by item, in
// parallel.
func decodeList[T any](d *decoder, m fieldNodes, key, what string, decode func(*decoder, *yaml.Node, int) *T) []*T {
	items := d.list(m.node(key), msgCtx{}, key, what)
	if spans, ok := d.lazy[m.node(key)]; ok {
		if d.ends != nil {
			return decodeItemsInOrder(d, spans, decode)
		}
		return decodeItems(d, spans, decode)
	}
	var out []*T
	mark := len(d.fieldBuf)
	for i, n := range items {
		if x := decode(d, n, i); x != nil {
			out = append(out, x)
		}
		d.fieldBuf = d.fieldBuf[:mark] // the item's fieldNodes
	}
	return out
}

// serviceTags reads the Service Tags file named by v, relative to the
// topology file's directory and inside it: a topology from someone else must
// not make nsgsim read any file it can reach (a Service Tags file from
// elsewhere is given with --service-tags). When the caller gave one
// (ParseWithServiceTags), the file v names is not read.
func (d *decoder) serviceTags(v *yaml.Node) {
	path, ok := d.str(v, msgCtx{}, "serviceTags")
	if !ok || path == "" {
		return
	}
	d.t.ServiceTagsFile = path
	if d.t.ServiceTags != nil {
		return // given by the caller
	}
	if strings.Contains(path, "://") {
		d.errorf(v, msgCtx{}, "serviceTags %q is a URL; nsgsim works offline: download the file (https://www.microsoft.com/download/details.aspx?id=56519) and name its path", path)
		return
	}
	full := filepath.Join(d.dir, path)
	if !filepath.IsLocal(path) || !insideDir(d.dir, full) {
		d.errorf(v, msgCtx{}, "serviceTags %q is outside the topology's directory; name a file in it, or give the file with --service-tags FILE", path)
		return
	}
	// Refuse what ReadServiceTags would read forever or at length.
	fi, err := os.Stat(full)
	switch {
	case err != nil:
		d.errorf(v, msgCtx{}, "serviceTags %q: %v", path, pathErrorCause(err))
		return
	case fi.IsDir():
		d.errorf(v, msgCtx{}, "serviceTags %q is a directory; expected an Azure Service Tags JSON file", path)
		return
	case !fi.Mode().IsRegular():
		d.errorf(v, msgCtx{}, "serviceTags %q is not a regular file; expected an Azure Service Tags JSON file", path)
		return
	case fi.Size() > maxServiceTagsSize:
		d.errorf(v, msgCtx{}, "serviceTags %q is %d bytes; nsgsim reads Service Tags files up to 64 MiB", path, fi.Size())
		return
	}
	st, err := ReadServiceTags(full)
	var se *Error
	switch {
	case errors.As(err, &se):
		// The problem is in the Service Tags file; the topology names it.
		se.Msg = clipQuoted(se.Msg)
		d.errs = append(d.errs, se.At("named by serviceTags at", d.pos(v)))
	case err != nil:
		d.errorf(v, msgCtx{}, "serviceTags %q: %v", path, pathErrorCause(err))
	default:
		d.t.ServiceTags = st
	}
}

// insideDir reports whether path, its symbolic links resolved, is inside
// dir; a path that does not resolve is left to the caller's own checks.
func insideDir(dir, path string) bool {
	resolved, err := filepath.EvalSymlinks(path)
	if err != nil {
		return true
	}
	root, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return false
	}
	rel, err := filepath.Rel(root, resolved)
	return err == nil && filepath.IsLocal(rel)
}

// pathErrorCause returns what went wrong in an I/O error without the path
// it names ("no such file or directory"), for a message that names the
// file already.
func pathErrorCause(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

func (d *decoder) virtualNetwork(n *yaml.Node, i int) *VirtualNetwork {
	v := &VirtualNetwork{}
	ctx := itemCtx("", "virtualNetworks", i)
	m, ok := d.object(n, ctx, virtualNetworkKeys, nil, &v.Origin)
	if !ok {
		return nil
	}
	v.Name, ctx = d.name(m, n, ctx, "virtual network")
	d.require(m, n, ctx, "addressSpace")
	v.AddressSpace = d.prefixList(m.node("addressSpace"), ctx, "addressSpace", &v.Origin)
	v.Peerings = d.nameList(m.node("peerings"), ctx, "peerings", "virtual network names", &v.Origin)
	v.OnPremisesPrefixes = d.prefixList(m.node("onPremisesPrefixes"), ctx, "onPremisesPrefixes", &v.Origin)
	subnets := d.list(m.node("subnets"), ctx, "subnets", "subnets")
	vctx := ctx.String() // once for all the subnets
	mark := len(d.fieldBuf)
	for j, sn := range subnets {
		if s := d.subnet(sn, v.Name, vctx, j); s != nil {
			v.Subnets = append(v.Subnets, s)
		}
		d.fieldBuf = d.fieldBuf[:mark] // the subnet's fieldNodes
	}
	return v
}

func (d *decoder) subnet(n *yaml.Node, vnet, vctx string, i int) *Subnet {
	s := &Subnet{}
	ctx := itemCtx(vctx, "subnets", i)
	m, ok := d.object(n, ctx, subnetKeys, nil, &s.Origin)
	if !ok {
		return nil
	}
	s.Name, _ = d.name(m, n, ctx, "subnet")
	switch {
	case s.Name != "" && vnet != "":
		ctx = ctx.named("subnet", vnet+"/"+s.Name)
	case s.Name != "":
		ctx = textCtx(fmt.Sprintf("%s: subnet %q", vctx, s.Name))
	}
	d.require(m, n, ctx, "addressPrefix")
	if v, ok := m.get("addressPrefix"); ok {
		s.AddressPrefix, _ = d.prefix(v, ctx, "addressPrefix")
	}
	if v, ok := m.get("networkSecurityGroup"); ok {
		s.NetworkSecurityGroup, _ = d.str(v, ctx, "networkSecurityGroup")
	}
	if v, ok := m.get("routeTable"); ok {
		s.RouteTable, _ = d.str(v, ctx, "routeTable")
	}
	return s
}

func (d *decoder) networkSecurityGroup(n *yaml.Node, i int) *NetworkSecurityGroup {
	g := &NetworkSecurityGroup{}
	ctx := itemCtx("", "networkSecurityGroups", i)
	m, ok := d.object(n, ctx, nsgKeys, nil, &g.Origin)
	if !ok {
		return nil
	}
	g.Name, ctx = d.name(m, n, ctx, "network security group")
	rules := d.list(m.node("securityRules"), ctx, "securityRules", "security rules")
	if len(rules) > 0 {
		g.SecurityRules = make([]*SecurityRule, 0, len(rules))
	}
	gctx := ctx.String() // once for all the rules
	mark := len(d.fieldBuf)
	for j, rn := range rules {
		if r := d.securityRule(rn, gctx, j); r != nil {
			g.SecurityRules = append(g.SecurityRules, r)
		}
		d.fieldBuf = d.fieldBuf[:mark] // the rule's fieldNodes
	}
	return g
}

// securityRule reads a rule, flat (as az prints it and SPEC 1 shows it) or
// wrapped the ARM way, {name, properties: {...}}
// (https://learn.microsoft.com/en-us/rest/api/virtualnetwork/security-rules/get).
func (d *decoder) securityRule(n *yaml.Node, gctx string, i int) *SecurityRule {
	r := &SecurityRule{}
	ctx := itemCtx(gctx, "securityRules", i)
	m, ok := d.object(n, ctx, ruleOuterKeys, nil, &r.Origin)
	if !ok {
		return nil
	}
	m.del(bookkeepingKeys...)
	r.Name, ctx = d.name(m, n, ctx, "rule")
	if props, ok := m.get("properties"); ok {
		m.del("properties")
		inner, ok := d.object(props, ctx.with("properties"), ruleKeys[1:], bookkeepingKeys, &r.Origin)
		if ok {
			for _, f := range inner {
				if first, dup := m.get(f.key); dup {
					d.errorf(f.v, ctx, "key %q is set both inside and outside properties", f.key).At("first at", d.pos(first))
					continue
				}
				m.set(f.key, f.v)
			}
		}
		// A key inside properties took the position of the value there;
		// one outside keeps its own (SetField ran in order, outer first).
		for _, f := range m {
			r.SetField(f.key, d.pos(f.v))
		}
	}
	d.require(m, n, ctx, "priority", "direction", "access", "protocol")
	if v, ok := m.get("description"); ok {
		r.Description, _ = d.str(v, ctx, "description")
	}
	if v, ok := m.get("priority"); ok {
		if p, ok := d.integer(v, ctx, "priority"); ok {
			r.Priority = saturatedInt(p) // Validate checks the range
		}
	}
	if v, ok := m.get("direction"); ok {
		r.Direction, _ = enum(d, v, ctx, "direction", ParseDirection, directionExpected)
	}
	if v, ok := m.get("access"); ok {
		r.Access, _ = enum(d, v, ctx, "access", ParseAccess, accessExpected)
	}
	if v, ok := m.get("protocol"); ok {
		r.Protocol, _ = enum(d, v, ctx, "protocol", ParseProtocol, protocolsExpected)
	}
	r.Source = d.ruleSide(m, n, ctx, "source", &r.Origin)
	r.Destination = d.ruleSide(m, n, ctx, "destination", &r.Origin)
	var set bool
	r.SourcePorts, set = d.portRanges(m, ctx, "sourcePortRange", &r.Origin)
	if !set {
		d.errorf(deref(n), ctx, "no source port range (expected sourcePortRange or sourcePortRanges)")
	}
	r.DestinationPorts, set = d.portRanges(m, ctx, "destinationPortRange", &r.Origin)
	if !set {
		d.errorf(deref(n), ctx, "no destination port range (expected destinationPortRange or destinationPortRanges)")
	}
	return r
}

// ruleSide reads the source or the destination of a rule: one of
// sideAddressPrefix ("*", a service tag, an IP or a CIDR),
// sideAddressPrefixes (IPs and CIDRs only: the portal and Terraform allow
// service tags only in the singular field,
// https://learn.microsoft.com/en-us/azure/virtual-network/network-security-groups-overview#augmented-security-rules)
// and sideApplicationSecurityGroups.
func (d *decoder) ruleSide(m fieldNodes, n *yaml.Node, ctx msgCtx, side string, o *Origin) Addresses {
	var a Addresses
	singular, plural, asgs := ruleSideKeys(side)
	var given [3]string // the fields given, non-empty
	set := given[:0]
	if v, ok := m.get(singular); ok && !isEmptyString(v) {
		set = append(set, singular)
		if s, ok := d.str(v, ctx, singular); ok {
			a = d.address(v, s, ctx, singular)
		}
	}
	items := d.list(m.node(plural), ctx, plural, "IPv4 addresses or CIDRs")
	if len(items) > 0 {
		set = append(set, plural)
	}
	var v6 []*yaml.Node // positions of the IPv6 items, recorded after the IPv4 ones
	if len(items) > 0 {
		a.Prefixes = make([]netip.Prefix, 0, len(items))
	}
	for i, item := range items {
		k := indexedKey(plural, i)
		s, ok := d.str(item, ctx, k)
		if !ok {
			continue
		}
		if p, ok := parseIPv6RulePrefix(s); ok {
			a.IPv6Prefixes = append(a.IPv6Prefixes, p)
			v6 = append(v6, item)
			continue
		}
		// Item i of Prefixes is at plural[i], as the importers record it;
		// the IPv6 items follow, as Marshal writes them.
		o.SetField(indexedKey(plural, len(a.Prefixes)), d.pos(item))
		if strings.TrimSpace(s) == "*" {
			d.errorf(item, ctx, "%s: \"*\" in a list; use %s: \"*\"", k, singular)
			continue
		}
		if _, msg := parsePrefix(s); msg != "" && looksLikeTag(s) {
			if tag, ok := CanonicalTag(s, d.t.ServiceTags); ok {
				d.errorf(item, ctx, "%s: service tag %q in a list; Azure allows a service tag only in %s", k, tag, singular)
				continue
			}
		}
		if p, ok := d.prefix(item, ctx, k); ok {
			a.Prefixes = append(a.Prefixes, p)
		}
	}
	for j, item := range v6 {
		o.SetField(indexedKey(plural, len(a.Prefixes)+j), d.pos(item))
	}
	if len(a.Prefixes) == 0 {
		a.Prefixes = nil
	}
	refs := d.list(m.node(asgs), ctx, asgs, "application security groups")
	if len(refs) > 0 {
		set = append(set, asgs)
		a.ApplicationSecurityGroups = d.asgRefs(refs, ctx, asgs, o)
	}
	switch len(set) {
	case 0:
		d.errorf(deref(n), ctx, "no %s (expected %s, %s or %s)", side, singular, plural, asgs)
	case 1:
	default:
		d.errorf(m.node(set[1]), ctx, "both %s and %s are set; expected one of them", set[0], set[1])
	}
	return a
}

// looksLikeTag reports whether s could be a service tag name
// ("AzureCloud.WestEurope") rather than a malformed address.
func looksLikeTag(s string) bool {
	if s == "" || !('a' <= s[0] && s[0] <= 'z' || 'A' <= s[0] && s[0] <= 'Z') {
		return false
	}
	for _, r := range s {
		if !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || r == '.' || r == '_' || r == '-') {
			return false
		}
	}
	return true
}

// address reads the value of a singular address field: "*", a service tag
// (canonical spelling, SPEC 2.4), an IPv4 address or a CIDR.
func (d *decoder) address(v *yaml.Node, s string, ctx msgCtx, key string) Addresses {
	s = strings.TrimSpace(s)
	if s == "*" {
		return Addresses{Any: true}
	}
	if tag, ok := CanonicalTag(s, d.t.ServiceTags); ok {
		return Addresses{Tag: tag}
	}
	p, msg := parsePrefix(s)
	if msg == "" {
		return Addresses{Prefixes: []netip.Prefix{p}}
	}
	if p, ok := parseIPv6RulePrefix(s); ok {
		return Addresses{IPv6Prefixes: []netip.Prefix{p}}
	}
	if looksLikeTag(s) {
		d.unknownTag(v, ctx, key, s)
		return Addresses{}
	}
	if strings.Contains(s, ":") { // IPv6, or no address at all
		d.errorf(v, ctx.with(key), "%s", msg)
		return Addresses{}
	}
	d.errorf(v, ctx.with(key), "%q is not \"*\", a service tag, an IPv4 address or a CIDR", s)
	return Addresses{}
}

func (d *decoder) unknownTag(v *yaml.Node, ctx msgCtx, key, s string) {
	candidates := builtinTags
	if d.t.ServiceTags != nil {
		candidates = append(d.t.ServiceTags.Names(), builtinTags...)
	}
	hint := ""
	if d.t.ServiceTags == nil {
		hint = " (name a Service Tags file in serviceTags for tags nsgsim does not know)"
	}
	if sug := d.suggest(s, candidates); sug != "" {
		d.errorf(v, ctx.with(key), "unknown service tag %q; did you mean %q?", s, sug)
		return
	}
	d.errorf(v, ctx.with(key), "unknown service tag %q%s", s, hint)
}

// asgRefs reads application security group references: names, or ARM
// objects {id: /subscriptions/.../applicationSecurityGroups/NAME}.
func (d *decoder) asgRefs(items []*yaml.Node, ctx msgCtx, key string, o *Origin) []string {
	var out []string
	for i, item := range items {
		k := indexedKey(key, i)
		o.SetField(k, d.pos(item))
		n := deref(item)
		if n != nil && n.Kind == yaml.MappingNode {
			m, _ := d.object(n, ctx.with(k), []string{"id", "name"}, asgRefIgnored, nil)
			if name, ok := d.asgRefObject(m, n, ctx.with(k)); ok {
				out = append(out, name)
			}
			continue
		}
		if s, ok := d.str(item, ctx, k); ok {
			out = append(out, s)
		}
	}
	return out
}

func (d *decoder) asgRefObject(m fieldNodes, n *yaml.Node, ctx msgCtx) (string, bool) {
	var name string
	if v, ok := m.get("name"); ok {
		name, _ = d.str(v, ctx, "name")
	}
	v, ok := m.get("id")
	if !ok {
		if name == "" {
			d.errorf(n, ctx, "missing required key \"id\"")
			return "", false
		}
		return name, true
	}
	id, ok := d.str(v, ctx, "id")
	if !ok {
		return "", false
	}
	segs := strings.Split(strings.Trim(id, "/"), "/")
	if len(segs) < 2 || !strings.EqualFold(segs[len(segs)-2], "applicationSecurityGroups") || segs[len(segs)-1] == "" {
		d.errorf(v, ctx.with("id"), "%q is not an application security group ID (.../applicationSecurityGroups/NAME)", id)
		return "", false
	}
	last := segs[len(segs)-1]
	if name != "" && name != last {
		d.errorf(v, ctx.with("id"), "%q names application security group %q, but name is %q", id, last, name)
		return "", false
	}
	return last, true
}

func (d *decoder) applicationSecurityGroup(n *yaml.Node, i int) *ApplicationSecurityGroup {
	a := &ApplicationSecurityGroup{}
	ctx := itemCtx("", "applicationSecurityGroups", i)
	m, ok := d.object(n, ctx, asgKeys, nil, &a.Origin)
	if !ok {
		return nil
	}
	a.Name, _ = d.name(m, n, ctx, "application security group")
	return a
}

func (d *decoder) virtualMachine(n *yaml.Node, i int) *VirtualMachine {
	vm := &VirtualMachine{}
	ctx := itemCtx("", "virtualMachines", i)
	m, ok := d.object(n, ctx, virtualMachineKeys, nil, &vm.Origin)
	if !ok {
		return nil
	}
	vm.Name, ctx = d.name(m, n, ctx, "virtual machine")
	d.require(m, n, ctx, "subnet", "privateIpAddress")
	vm.OS = UnknownOS // os may be omitted when unknown (SPEC 1)
	if v, ok := m.get("subnet"); ok {
		if s, ok := d.str(v, ctx, "subnet"); ok {
			vnet, subnet, found := strings.Cut(s, "/")
			if !found || vnet == "" || subnet == "" || strings.Contains(subnet, "/") {
				d.errorf(v, ctx.with("subnet"), "%q is not VNET/SUBNET (for example \"hub/workload\")", s)
			} else {
				vm.VirtualNetwork, vm.Subnet = vnet, subnet
			}
		}
	}
	if v, ok := m.get("privateIpAddress"); ok {
		vm.PrivateIPAddress, _ = d.addr(v, ctx, "privateIpAddress")
	}
	if v, ok := m.get("os"); ok {
		vm.OS, _ = enum(d, v, ctx, "os", ParseOS, osExpected)
	}
	if v, ok := m.get("networkSecurityGroup"); ok {
		vm.NetworkSecurityGroup, _ = d.str(v, ctx, "networkSecurityGroup")
	}
	vm.ApplicationSecurityGroups = d.nameList(m.node("applicationSecurityGroups"), ctx, "applicationSecurityGroups", "application security group names", &vm.Origin)
	if v, ok := m.get("publicIpAddress"); ok {
		vm.PublicIPAddress, _ = d.addr(v, ctx, "publicIpAddress")
	}
	return vm
}

// bastionHost reads a Bastion host. Defaults: DefaultSKU and
// DefaultScaleUnits.
func (d *decoder) bastionHost(n *yaml.Node, i int) *BastionHost {
	b := &BastionHost{SKU: DefaultSKU, ScaleUnits: DefaultScaleUnits}
	ctx := itemCtx("", "bastionHosts", i)
	m, ok := d.object(n, ctx, bastionHostKeys, nil, &b.Origin)
	if !ok {
		return nil
	}
	b.Name, ctx = d.name(m, n, ctx, "bastion host")
	d.require(m, n, ctx, "virtualNetwork")
	if v, ok := m.get("virtualNetwork"); ok {
		b.VirtualNetwork, _ = d.str(v, ctx, "virtualNetwork")
	}
	if v, ok := m.get("sku"); ok {
		if s, ok := enum(d, v, ctx, "sku", ParseSKU, skuExpected); ok {
			b.SKU = s
		}
	}
	if v, ok := m.get("scaleUnits"); ok {
		if u, ok := d.integer(v, ctx, "scaleUnits"); ok {
			b.ScaleUnits = saturatedInt(u) // Validate checks the range
		}
	}
	for _, f := range b.Flags() {
		if v, ok := m.get(f.Name); ok {
			*f.Value = d.boolean(v, ctx, f.Name)
		}
	}
	for j, item := range d.list(m.node("customPorts"), ctx, "customPorts", "ports") {
		k := indexedKey("customPorts", j)
		b.SetField(k, d.pos(item))
		p, ok := d.integer(item, ctx, k)
		if !ok {
			continue
		}
		if p < 1 || p > 65535 {
			d.errorf(item, ctx, "%s: port %d out of range [1, 65535]", k, p)
			continue
		}
		b.CustomPorts = append(b.CustomPorts, uint16(p))
	}
	return b
}

func (d *decoder) client(n *yaml.Node, i int) *Client {
	c := &Client{}
	ctx := itemCtx("", "clients", i)
	m, ok := d.object(n, ctx, clientKeys, nil, &c.Origin)
	if !ok {
		return nil
	}
	c.Name, ctx = d.name(m, n, ctx, "client")
	v, hasS := m.get("addressPrefix")
	items := d.list(m.node("addressPrefixes"), ctx, "addressPrefixes", "IPv4 addresses or CIDRs")
	switch {
	case !hasS && len(items) == 0:
		d.errorf(deref(n), ctx, "no address (expected addressPrefix or addressPrefixes)")
	case hasS && len(items) > 0:
		d.errorf(m.node("addressPrefixes"), ctx, "both addressPrefix and addressPrefixes are set; expected one of them")
	}
	if hasS {
		if s, ok := d.str(v, ctx, "addressPrefix"); ok {
			if tag, ok := CanonicalTag(strings.TrimSpace(s), d.t.ServiceTags); ok {
				c.Tag = tag
			} else if p, msg := parsePrefix(s); msg == "" {
				c.AddressPrefixes = []netip.Prefix{p}
			} else if looksLikeTag(s) {
				d.unknownTag(v, ctx, "addressPrefix", s)
			} else {
				d.errorf(v, ctx.with("addressPrefix"), "%q is not an IPv4 address, a CIDR or a service tag", s)
			}
		}
	}
	c.AddressPrefixes = append(c.AddressPrefixes, d.prefixList(m.node("addressPrefixes"), ctx, "addressPrefixes", &c.Origin)...)
	return c
}

func (d *decoder) flow(n *yaml.Node, i int) *Flow {
	f := &Flow{Requirement: Optional}
	ctx := itemCtx("", "flows", i)
	m, ok := d.object(n, ctx, flowKeys, nil, &f.Origin)
	if !ok {
		return nil
	}
	f.Name, ctx = d.name(m, n, ctx, "flow")
	d.require(m, n, ctx, "source", "destination", "protocol")
	if v, ok := m.get("source"); ok {
		f.Source, _ = d.str(v, ctx, "source")
	}
	if v, ok := m.get("destination"); ok {
		f.Destination, _ = d.str(v, ctx, "destination")
	}
	protoOK := false
	if v, ok := m.get("protocol"); ok {
		f.Protocol, protoOK = enum(d, v, ctx, "protocol", ParseProtocol, protocolsExpected)
	}
	if v, ok := m.get("destinationPort"); ok {
		if p, ok := d.integer(v, ctx, "destinationPort"); ok {
			if p < 0 || p > 65535 {
				d.errorf(v, ctx, "destinationPort %d out of range [0, 65535]", p)
			} else {
				f.DestinationPort = uint16(p)
			}
		}
	} else if protoOK && hasPorts(f.Protocol) {
		d.errorf(deref(n), ctx, "missing required key \"destinationPort\" (needed for protocol %s)", f.Protocol)
	}
	f.SourcePorts, _ = d.portRanges(m, ctx, "sourcePortRange", &f.Origin)
	if v, ok := m.get("requirement"); ok {
		if r, ok := enum(d, v, ctx, "requirement", ParseRequirement, requirementExpected); ok {
			f.Requirement = r
		}
	}
	return f
}

// hasPorts reports whether traffic of protocol p has ports: Tcp, Udp, and
// "*", which includes them.
func hasPorts(p Protocol) bool { return p == Tcp || p == Udp || p == Any }

func (d *decoder) expectation(n *yaml.Node, i int) *Expectation {
	e := &Expectation{}
	ctx := itemCtx("", "expectations", i)
	m, ok := d.object(n, ctx, expectationKeys, nil, &e.Origin)
	if !ok {
		return nil
	}
	d.require(m, n, ctx, "flow", "verdict")
	if v, ok := m.get("flow"); ok {
		if s, ok := d.str(v, ctx, "flow"); ok {
			e.Flow = s
			ctx = textCtx(fmt.Sprintf("expectation for %q", s))
		}
	}
	if v, ok := m.get("verdict"); ok {
		e.Verdict, _ = enum(d, v, ctx, "verdict", ParseVerdict, verdictExpected)
	}
	if v, ok := m.get("intended"); ok {
		e.Intended = d.boolean(v, ctx, "intended")
	}
	return e
}

// canonicalFlowEndpoints spells a flow endpoint that is a service tag the
// canonical way ("internet" becomes "Internet"), unless it names a VM,
// client or Bastion host.
func (d *decoder) canonicalFlowEndpoints() {
	t := d.t
	if len(t.Flows) == 0 {
		return
	}
	x := NewIndex(t) // by name, once: thousands of flows on a large estate
	for _, f := range t.Flows {
		for _, p := range []*string{&f.Source, &f.Destination} {
			if *p == "" || x.endpointObject(*p) {
				continue
			}
			if tag, ok := CanonicalTag(*p, t.ServiceTags); ok {
				*p = tag
			}
		}
	}
}

// endpointObject reports whether name is a VM, client or Bastion host.
func (x *Index) endpointObject(name string) bool {
	return x.VirtualMachines[name] != nil || x.Clients[name] != nil || x.BastionHosts[name] != nil
}
