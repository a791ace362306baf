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
		field(&t.Name, d.str, v, msgCtx{}, "name", &t.Origin)
	}
	if v, ok := m.get("location"); ok {
		field(&t.Location, d.str, v, msgCtx{}, "location", &t.Origin)
	}
	// Service tags first: rules name tags that only the file may know.
	if v, ok := m.get("serviceTags"); ok && !d.serviceTags(v) {
		t.SetFailed("serviceTags")
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
// time with decode. An item that is not an object is reported and stays in
// the list as nil, which Validate skips, so that the objects after it keep
// their index in Validate's messages ("virtualNetworks[2]"). A list the
// topology scanner left unread (d.lazy) is scanned and decoded item by
// item, in parallel unless d.inOrder.
func decodeList[T any](d *decoder, m fieldNodes, key, what string, decode func(*decoder, *yaml.Node, int) *T) []*T {
	items := d.list(m.node(key), msgCtx{}, key, what, &d.t.Origin)
	if spans, ok := d.lazy[m.node(key)]; ok {
		if d.inOrder {
			return decodeItemsInOrder(d, spans, decode)
		}
		return decodeItems(d, spans, decode)
	}
	var out []*T
	if len(items) > 0 {
		out = make([]*T, len(items))
	}
	mark := len(d.fieldBuf)
	for i, n := range items {
		out[i] = decode(d, n, i)
		d.fieldBuf = d.fieldBuf[:mark] // the item's fieldNodes
	}
	return out
}

// serviceTags reads the Service Tags file named by v, relative to the
// topology file's directory and inside it: a topology from someone else must
// not make nsgsim read any file it can reach (a Service Tags file from
// elsewhere is given with --service-tags). When the caller gave one
// (ParseWithServiceTags), the file v names is not read. It returns false
// when it reported a problem.
func (d *decoder) serviceTags(v *yaml.Node) bool {
	path, ok := d.str(v, msgCtx{}, "serviceTags")
	if !ok {
		return false
	}
	if path == "" {
		return true
	}
	d.t.ServiceTagsFile = path
	if d.t.ServiceTags != nil {
		return true // given by the caller
	}
	if strings.Contains(path, "://") {
		d.errorf(v, msgCtx{}, "serviceTags %q is a URL; nsgsim works offline: download the file (https://www.microsoft.com/download/details.aspx?id=56519) and name its path", path)
		return false
	}
	full := filepath.Join(d.dir, path)
	if !filepath.IsLocal(path) || !insideDir(d.dir, full) {
		d.errorf(v, msgCtx{}, "serviceTags %q is outside the topology's directory; name a file in it, or give the file with --service-tags FILE", path)
		return false
	}
	// Refuse what ReadServiceTags would read forever or at length.
	fi, err := os.Stat(full)
	switch {
	case err != nil:
		d.errorf(v, msgCtx{}, "serviceTags %q: %v", path, pathErrorCause(err))
		return false
	case fi.IsDir():
		d.errorf(v, msgCtx{}, "serviceTags %q is a directory; expected an Azure Service Tags JSON file", path)
		return false
	case !fi.Mode().IsRegular():
		d.errorf(v, msgCtx{}, "serviceTags %q is not a regular file; expected an Azure Service Tags JSON file", path)
		return false
	case fi.Size() > maxServiceTagsSize:
		d.errorf(v, msgCtx{}, "serviceTags %q is %d bytes; nsgsim reads Service Tags files up to 64 MiB", path, fi.Size())
		return false
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
		return true
	}
	return false
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
	v.Name, ctx = d.name(m, n, ctx, "virtual network", &v.Origin)
	d.require(m, n, ctx, &v.Origin, "addressSpace")
	v.AddressSpace = d.prefixList(m.node("addressSpace"), ctx, "addressSpace", &v.Origin)
	v.Peerings = d.nameList(m.node("peerings"), ctx, "peerings", "virtual network names", &v.Origin)
	v.OnPremisesPrefixes = d.prefixList(m.node("onPremisesPrefixes"), ctx, "onPremisesPrefixes", &v.Origin)
	subnets := d.list(m.node("subnets"), ctx, "subnets", "subnets", &v.Origin)
	vctx := ctx.String() // once for all the subnets
	mark := len(d.fieldBuf)
	for j, sn := range subnets {
		// nil when it is not an object, as decodeList keeps it.
		v.Subnets = append(v.Subnets, d.subnet(sn, v.Name, vctx, j))
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
	s.Name, _ = d.name(m, n, ctx, "subnet", &s.Origin)
	switch {
	case s.Name != "" && vnet != "":
		ctx = ctx.named("subnet", vnet+"/"+s.Name)
	case s.Name != "":
		ctx = textCtx(fmt.Sprintf("%s: subnet %q", vctx, s.Name))
	}
	d.require(m, n, ctx, &s.Origin, "addressPrefix")
	if v, ok := m.get("addressPrefix"); ok {
		var ok bool
		if s.AddressPrefix, ok = d.prefix(v, ctx, "addressPrefix"); !ok {
			s.SetFailed("addressPrefix")
		}
	}
	if v, ok := m.get("networkSecurityGroup"); ok {
		field(&s.NetworkSecurityGroup, d.str, v, ctx, "networkSecurityGroup", &s.Origin)
	}
	if v, ok := m.get("routeTable"); ok {
		field(&s.RouteTable, d.str, v, ctx, "routeTable", &s.Origin)
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
	g.Name, ctx = d.name(m, n, ctx, "network security group", &g.Origin)
	rules := d.list(m.node("securityRules"), ctx, "securityRules", "security rules", &g.Origin)
	if len(rules) > 0 {
		g.SecurityRules = make([]*SecurityRule, 0, len(rules))
	}
	gctx := ctx.String() // once for all the rules
	mark := len(d.fieldBuf)
	for j, rn := range rules {
		// nil when it is not an object, as decodeList keeps it.
		g.SecurityRules = append(g.SecurityRules, d.securityRule(rn, gctx, j))
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
	r.Name, ctx = d.name(m, n, ctx, "rule", &r.Origin)
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
	d.require(m, n, ctx, &r.Origin, "priority", "direction", "access", "protocol")
	if v, ok := m.get("description"); ok {
		field(&r.Description, d.str, v, ctx, "description", &r.Origin)
	}
	if v, ok := m.get("priority"); ok {
		if p, ok := d.integer(v, ctx, "priority"); ok {
			r.Priority = saturatedInt(p) // Validate checks the range
		} else {
			r.SetFailed("priority")
		}
	}
	if v, ok := m.get("direction"); ok {
		enumField(d, &r.Direction, v, ctx, "direction", ParseDirection, directionExpected, &r.Origin)
	}
	if v, ok := m.get("access"); ok {
		enumField(d, &r.Access, v, ctx, "access", ParseAccess, accessExpected, &r.Origin)
	}
	if v, ok := m.get("protocol"); ok {
		enumField(d, &r.Protocol, v, ctx, "protocol", ParseProtocol, protocolsExpected, &r.Origin)
	}
	r.Source = d.ruleSide(m, n, ctx, "source", &r.Origin)
	r.Destination = d.ruleSide(m, n, ctx, "destination", &r.Origin)
	var set bool
	r.SourcePorts, set = d.portRanges(m, ctx, "sourcePortRange", &r.Origin)
	if !set {
		d.errorf(deref(n), ctx, "no source port range (expected sourcePortRange or sourcePortRanges)")
		r.SetFailed("sourcePortRange")
	}
	r.DestinationPorts, set = d.portRanges(m, ctx, "destinationPortRange", &r.Origin)
	if !set {
		d.errorf(deref(n), ctx, "no destination port range (expected destinationPortRange or destinationPortRanges)")
		r.SetFailed("destinationPortRange")
	}
	return r
}

// ruleSide reads the source or the destination of a rule: one of
// sideAddressPrefix ("*", a service tag, an IP or a CIDR),
// sideAddressPrefixes (IPs and CIDRs only: the portal and Terraform allow
// service tags only in the singular field,
// https://learn.microsoft.com/en-us/azure/virtual-network/network-security-groups-overview#augmented-security-rules)
// and sideApplicationSecurityGroups. A field with a problem is marked failed
// in o, and so are all three when none is set.
func (d *decoder) ruleSide(m fieldNodes, n *yaml.Node, ctx msgCtx, side string, o *Origin) Addresses {
	var a Addresses
	singular, plural, asgs := ruleSideKeys(side)
	var given [3]string // the fields given, non-empty
	set := given[:0]
	if v, ok := m.get(singular); ok && !isEmptyString(v) {
		set = append(set, singular)
		s, ok := d.str(v, ctx, singular)
		if ok {
			a, ok = d.address(v, s, ctx, singular)
		}
		if !ok {
			o.SetFailed(singular)
		}
	}
	items := d.list(m.node(plural), ctx, plural, "IPv4 addresses or CIDRs", o)
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
			o.SetFailed(plural)
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
		// A failed item is left out, not kept as the zero prefix: positions
		// here go by the index in Prefixes, not in the file.
		if strings.TrimSpace(s) == "*" {
			d.errorf(item, ctx, "%s: \"*\" in a list; use %s: \"*\"", k, singular)
			o.SetFailed(plural)
			continue
		}
		if _, msg := parsePrefix(s); msg != "" && looksLikeTag(s) {
			if tag, ok := CanonicalTag(s, d.t.ServiceTags); ok {
				d.errorf(item, ctx, "%s: service tag %q in a list; Azure allows a service tag only in %s", k, tag, singular)
				o.SetFailed(plural)
				continue
			}
		}
		if p, ok := d.prefix(item, ctx, k); ok {
			a.Prefixes = append(a.Prefixes, p)
		} else {
			o.SetFailed(plural)
		}
	}
	for j, item := range v6 {
		o.SetField(indexedKey(plural, len(a.Prefixes)+j), d.pos(item))
	}
	if len(a.Prefixes) == 0 {
		a.Prefixes = nil
	}
	refs := d.list(m.node(asgs), ctx, asgs, "application security groups", o)
	if len(refs) > 0 {
		set = append(set, asgs)
		a.ApplicationSecurityGroups = d.asgRefs(refs, ctx, asgs, o)
	}
	switch len(set) {
	case 0:
		d.errorf(deref(n), ctx, "no %s (expected %s, %s or %s)", side, singular, plural, asgs)
		o.SetFailed(singular)
		o.SetFailed(plural)
		o.SetFailed(asgs)
	case 1:
	default:
		d.errorf(m.node(set[1]), ctx, "both %s and %s are set; expected one of them", set[0], set[1])
		o.SetFailed(set[1])
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
// (canonical spelling, SPEC 2.4), an IPv4 address or a CIDR. It reports
// what is none of them, and returns false.
func (d *decoder) address(v *yaml.Node, s string, ctx msgCtx, key string) (Addresses, bool) {
	s = strings.TrimSpace(s)
	if s == "*" {
		return Addresses{Any: true}, true
	}
	if tag, ok := CanonicalTag(s, d.t.ServiceTags); ok {
		return Addresses{Tag: tag}, true
	}
	p, msg := parsePrefix(s)
	if msg == "" {
		return Addresses{Prefixes: []netip.Prefix{p}}, true
	}
	if p, ok := parseIPv6RulePrefix(s); ok {
		return Addresses{IPv6Prefixes: []netip.Prefix{p}}, true
	}
	switch {
	case looksLikeTag(s):
		d.unknownTag(v, ctx, key, s)
	case strings.Contains(s, ":"): // IPv6, or no address at all
		d.errorf(v, ctx.with(key), "%s", msg)
	default:
		d.errorf(v, ctx.with(key), "%q is not \"*\", a service tag, an IPv4 address or a CIDR", s)
	}
	return Addresses{}, false
}

// unknownTag reports s, the value of key, which looks like a service tag
// and is none that the topology knows. It is a reference check that stays
// in the loader rather than in Validate: its hint names the topology's
// serviceTags key, which an imported topology (whose unknown tags Validate
// reports) does not have.
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
// objects {id: /subscriptions/.../applicationSecurityGroups/NAME}. A
// reference that does not read is kept as "", marked failed, as prefixList
// keeps an item.
func (d *decoder) asgRefs(items []*yaml.Node, ctx msgCtx, key string, o *Origin) []string {
	out := make([]string, len(items))
	for i, item := range items {
		k := indexedKey(key, i)
		o.SetField(k, d.pos(item))
		var ok bool
		if n := deref(item); n != nil && n.Kind == yaml.MappingNode {
			m, _ := d.object(n, ctx.with(k), []string{"id", "name"}, asgRefIgnored, nil)
			out[i], ok = d.asgRefObject(m, n, ctx.with(k))
		} else {
			out[i], ok = d.str(item, ctx, k)
		}
		if !ok {
			itemFailed(o, key, i)
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
	a.Name, _ = d.name(m, n, ctx, "application security group", &a.Origin)
	return a
}

func (d *decoder) virtualMachine(n *yaml.Node, i int) *VirtualMachine {
	vm := &VirtualMachine{}
	ctx := itemCtx("", "virtualMachines", i)
	m, ok := d.object(n, ctx, virtualMachineKeys, nil, &vm.Origin)
	if !ok {
		return nil
	}
	vm.Name, ctx = d.name(m, n, ctx, "virtual machine", &vm.Origin)
	d.require(m, n, ctx, &vm.Origin, "subnet", "privateIpAddress")
	vm.OS = UnknownOS // os may be omitted when unknown (SPEC 1)
	if v, ok := m.get("subnet"); ok {
		s, ok := d.str(v, ctx, "subnet")
		vnet, subnet, found := strings.Cut(s, "/")
		switch {
		case !ok:
			vm.SetFailed("subnet")
		case !found || vnet == "" || subnet == "" || strings.Contains(subnet, "/"):
			d.errorf(v, ctx.with("subnet"), "%q is not VNET/SUBNET (for example \"hub/workload\")", s)
			vm.SetFailed("subnet")
		default:
			vm.VirtualNetwork, vm.Subnet = vnet, subnet
		}
	}
	if v, ok := m.get("privateIpAddress"); ok {
		field(&vm.PrivateIPAddress, d.addr, v, ctx, "privateIpAddress", &vm.Origin)
	}
	if v, ok := m.get("os"); ok {
		enumField(d, &vm.OS, v, ctx, "os", ParseOS, osExpected, &vm.Origin)
	}
	if v, ok := m.get("networkSecurityGroup"); ok {
		field(&vm.NetworkSecurityGroup, d.str, v, ctx, "networkSecurityGroup", &vm.Origin)
	}
	vm.ApplicationSecurityGroups = d.nameList(m.node("applicationSecurityGroups"), ctx, "applicationSecurityGroups", "application security group names", &vm.Origin)
	if v, ok := m.get("publicIpAddress"); ok {
		field(&vm.PublicIPAddress, d.addr, v, ctx, "publicIpAddress", &vm.Origin)
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
	b.Name, ctx = d.name(m, n, ctx, "bastion host", &b.Origin)
	d.require(m, n, ctx, &b.Origin, "virtualNetwork")
	if v, ok := m.get("virtualNetwork"); ok {
		field(&b.VirtualNetwork, d.str, v, ctx, "virtualNetwork", &b.Origin)
	}
	if v, ok := m.get("sku"); ok {
		enumField(d, &b.SKU, v, ctx, "sku", ParseSKU, skuExpected, &b.Origin)
	}
	if v, ok := m.get("scaleUnits"); ok {
		if u, ok := d.integer(v, ctx, "scaleUnits"); ok {
			b.ScaleUnits = saturatedInt(u) // Validate checks the range
		} else {
			b.SetFailed("scaleUnits")
		}
	}
	for _, f := range b.Flags() {
		if v, ok := m.get(f.Name); ok {
			field(f.Value, d.boolean, v, ctx, f.Name, &b.Origin)
		}
	}
	for j, item := range d.list(m.node("customPorts"), ctx, "customPorts", "ports", &b.Origin) {
		k := indexedKey("customPorts", j)
		b.SetField(k, d.pos(item))
		// A port is checked here only as far as the model's uint16 cannot
		// hold it; Validate refuses port 0, which it can.
		p, ok := d.integer(item, ctx, k)
		if ok && (p < 0 || p > 65535) {
			d.errorf(item, ctx, "%s: port %d out of range [1, 65535]", k, p)
			ok = false
		}
		if !ok {
			itemFailed(&b.Origin, "customPorts", j)
			p = 0 // kept, as prefixList keeps an item
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
	c.Name, ctx = d.name(m, n, ctx, "client", &c.Origin)
	v, hasS := m.get("addressPrefix")
	items := d.list(m.node("addressPrefixes"), ctx, "addressPrefixes", "IPv4 addresses or CIDRs", &c.Origin)
	switch {
	case !hasS && len(items) == 0:
		d.errorf(deref(n), ctx, "no address (expected addressPrefix or addressPrefixes)")
		c.SetFailed("addressPrefix")
		c.SetFailed("addressPrefixes")
	case hasS && len(items) > 0:
		d.errorf(m.node("addressPrefixes"), ctx, "both addressPrefix and addressPrefixes are set; expected one of them")
		c.SetFailed("addressPrefixes")
	}
	if hasS {
		s, ok := d.str(v, ctx, "addressPrefix")
		if ok {
			if tag, isTag := CanonicalTag(strings.TrimSpace(s), d.t.ServiceTags); isTag {
				c.Tag = tag
			} else if p, msg := parsePrefix(s); msg == "" {
				c.AddressPrefixes = []netip.Prefix{p}
			} else if looksLikeTag(s) {
				d.unknownTag(v, ctx, "addressPrefix", s)
				ok = false
			} else {
				d.errorf(v, ctx.with("addressPrefix"), "%q is not an IPv4 address, a CIDR or a service tag", s)
				ok = false
			}
		}
		if !ok {
			c.SetFailed("addressPrefix")
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
	f.Name, ctx = d.name(m, n, ctx, "flow", &f.Origin)
	d.require(m, n, ctx, &f.Origin, "source", "destination", "protocol")
	if v, ok := m.get("source"); ok {
		field(&f.Source, d.str, v, ctx, "source", &f.Origin)
	}
	if v, ok := m.get("destination"); ok {
		field(&f.Destination, d.str, v, ctx, "destination", &f.Origin)
	}
	protoOK := false
	if v, ok := m.get("protocol"); ok {
		protoOK = enumField(d, &f.Protocol, v, ctx, "protocol", ParseProtocol, protocolsExpected, &f.Origin)
	}
	if v, ok := m.get("destinationPort"); ok {
		// The model holds a port as uint16: the range is checked here.
		p, ok := d.integer(v, ctx, "destinationPort")
		if ok && (p < 0 || p > 65535) {
			d.errorf(v, ctx, "destinationPort %d out of range [0, 65535]", p)
			ok = false
		}
		if ok {
			f.DestinationPort = uint16(p)
		} else {
			f.SetFailed("destinationPort")
		}
	} else if protoOK && hasPorts(f.Protocol) {
		d.errorf(deref(n), ctx, "missing required key \"destinationPort\" (needed for protocol %s)", f.Protocol)
		f.SetFailed("destinationPort")
	}
	f.SourcePorts, _ = d.portRanges(m, ctx, "sourcePortRange", &f.Origin)
	if v, ok := m.get("requirement"); ok {
		enumField(d, &f.Requirement, v, ctx, "requirement", ParseRequirement, requirementExpected, &f.Origin)
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
	d.require(m, n, ctx, &e.Origin, "flow", "verdict")
	if v, ok := m.get("flow"); ok {
		if field(&e.Flow, d.str, v, ctx, "flow", &e.Origin) {
			ctx = textCtx(fmt.Sprintf("expectation for %q", e.Flow))
		}
	}
	if v, ok := m.get("verdict"); ok {
		enumField(d, &e.Verdict, v, ctx, "verdict", ParseVerdict, verdictExpected, &e.Origin)
	}
	if v, ok := m.get("intended"); ok {
		field(&e.Intended, d.boolean, v, ctx, "intended", &e.Origin)
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
		if f == nil {
			continue // not an object: reported
		}
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
