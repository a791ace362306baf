package azure

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"net/netip"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/nsgsim/nsgsim/internal/batch"
	"github.com/nsgsim/nsgsim/internal/jsonpos"
	"github.com/nsgsim/nsgsim/topology"
	"github.com/nsgsim/nsgsim/topology/azure/armexpr"
)

// Resource is one Azure resource for Assemble: a JSON object in the ARM REST
// shape (name, type, id, sku, properties{...}) or in the Azure CLI's
// flattened shape (the same members without the properties wrapper). Values
// anywhere inside may be Located.
type Resource struct {
	File   string // input name, for messages and Origin.Pos
	Path   string // JSON path of the object in File ("value[3]"); "" for the whole file
	Object map[string]any
	// Key identifies the resource for de-duplication; when empty, its
	// resource ID does, so that one resource listed twice (by a list and a
	// show command) counts once. The Terraform importer sets the resource
	// address, so that two resources claiming one Azure name are both kept
	// and validation reports them.
	Key string

	graph bool // read from Azure Resource Graph output
}

// kind is a resource type nsgsim reads.
type kind int

const (
	kUnknown kind = iota
	kVNet
	kSubnet
	kPeering
	kNSG
	kRule
	kNIC
	kASG
	kVM
	kBastion
	kPublicIP
	nKinds
)

// kindByType maps lower-case ARM resource types to kinds
// (https://learn.microsoft.com/en-us/azure/templates/microsoft.network/allversions).
var kindByType = map[string]kind{
	"microsoft.network/virtualnetworks":                        kVNet,
	"microsoft.network/virtualnetworks/subnets":                kSubnet,
	"microsoft.network/virtualnetworks/virtualnetworkpeerings": kPeering,
	"microsoft.network/networksecuritygroups":                  kNSG,
	"microsoft.network/networksecuritygroups/securityrules":    kRule,
	"microsoft.network/networkinterfaces":                      kNIC,
	"microsoft.network/applicationsecuritygroups":              kASG,
	"microsoft.compute/virtualmachines":                        kVM,
	"microsoft.network/bastionhosts":                           kBastion,
	"microsoft.network/publicipaddresses":                      kPublicIP,
}

func kindOf(typ string) kind { return kindByType[strings.ToLower(typ)] }

var kindNames = [nKinds]string{
	kVNet: "virtual network", kSubnet: "subnet", kPeering: "peering",
	kNSG: "network security group", kRule: "security rule", kNIC: "network interface",
	kASG: "application security group", kVM: "virtual machine", kBastion: "Bastion host",
	kPublicIP: "public IP address",
}

// networkKinds are the kinds that make a network to simulate; ASGs and
// public IPs only qualify them.
var networkKinds = map[kind]bool{kVNet: true, kSubnet: true, kPeering: true, kNSG: true, kRule: true, kNIC: true, kVM: true, kBastion: true}

const readTypes = "Microsoft.Network/virtualNetworks (with subnets and virtualNetworkPeerings), " +
	"Microsoft.Network/networkSecurityGroups (with securityRules), Microsoft.Network/networkInterfaces, " +
	"Microsoft.Compute/virtualMachines and Microsoft.Network/bastionHosts, " +
	"with the application security groups and public IP addresses they use"

// noNetwork says that inputs hold no resource of networkKinds, and so
// would import as an empty network in which nothing can be simulated.
// what names the inputs ("the file", "the template"); types are the
// resource types they hold.
func noNetwork(what string, types map[string]bool) string {
	if len(types) == 0 {
		return fmt.Sprintf("%s has no resources; nsgsim reads %s", what, readTypes)
	}
	names := slices.Sorted(maps.Keys(types))
	quoted := make([]string, 0, 10)
	for _, n := range names[:min(len(names), 10)] {
		quoted = append(quoted, strconv.Quote(n))
	}
	list := strings.Join(quoted, ", ")
	if len(names) > 10 {
		list += fmt.Sprintf(" and %d more", len(names)-10)
	}
	return fmt.Sprintf("%s has no resource nsgsim models (it has %s); nsgsim reads %s", what, list, readTypes)
}

// rec is one resource read from the inputs.
type rec struct {
	kind kind
	id   resourceID
	key  string // id.Key()
	// parentKey is the key of the parent's ID (id.Parent().Key()), for a
	// child resource.
	parentKey string
	name      string // the Azure name: the last segment of the ID
	model     string // the name in the topology, after disambiguation
	file      string
	n         node
	order     int
}

// origin is where a resource was read, for the object made from it, with
// its "name".
func (a *assembler) origin(r *rec) topology.Origin {
	o := topology.Origin{Pos: a.posOf(r.file, r.n)}
	if n := fieldsOf[r.kind]; n > 0 {
		o.GrowFields(n)
	}
	a.setField(&o, r.file, "name", r.n.key("name"))
	return o
}

// fieldsOf is how many fields the object of a kind records at most, so
// that its Origin's field positions are sized once: a rule's name, priority,
// direction, access and protocol, its two addresses and two ports, and a
// few list items; a VM's name, subnet, addresses, NSG and a few ASGs.
var fieldsOf = [nKinds]int{kRule: 12, kVM: 8}

// posOf is the position of a value: its file and JSON path. A member's
// path is made in the assembler's path arena: a large export records
// millions of them.
func (a *assembler) posOf(file string, n node) topology.Pos {
	if n.seg == "" || n.at == "" {
		return topology.Pos{File: file, Path: n.pathOf()}
	}
	return topology.Pos{File: file, Path: a.paths.join(n.at, ".", n.seg)}
}

// setField records where field of o was read, when it was there: most
// often the member of that name of o's own object, or a list member or
// item whose path is o's with "." and the field's name ("sourcePortRanges",
// "sourcePortRanges[0]"), which cost no path.
func (a *assembler) setField(o *topology.Origin, file, field string, n node) {
	switch {
	case n.v == nil:
	case file == o.Pos.File && o.Pos.Path != "" && isMemberPath(n, o.Pos.Path, field):
		o.SetMember(field)
	default:
		o.SetField(field, a.posOf(file, n))
	}
}

// isMemberPath reports whether n's path is path with "." and field added.
func isMemberPath(n node, path, field string) bool {
	if n.seg != "" {
		return n.seg == field && n.at == path
	}
	return len(n.at) == len(path)+1+len(field) && n.at[len(path)] == '.' &&
		strings.HasPrefix(n.at, path) && strings.HasSuffix(n.at, field)
}

type assembler struct {
	paths    arena // the JSON paths of the Origins' field positions
	errs     topology.ErrorList
	warns    topology.ErrorList
	external bool // placeholders for peered VNets not among the inputs
	// owned says that the resources' objects are the assembler's own
	// (decoded by it, not a caller's): it drops a rule's members from the
	// tree once read, so that the collector can take them while the
	// topology is built.
	owned bool
	// placeholders are the external VNets made, by remote ID key.
	placeholders map[string]*topology.VirtualNetwork
	// vmOS is the OS of VMs by lower-case name (Options.VMOS); vmOSUsed
	// the names that were needed.
	vmOS     map[string]topology.OS
	vmOSUsed map[string]bool
	// scaleSets and dynamicIPs are what the inputs hold that nsgsim does
	// not model, for one warning each.
	scaleSets, dynamicIPs   []string
	scaleSetAt, dynamicIPAt readAt // where the first of each was read
	seen                    map[string]bool
	recs                    [nKinds][]*rec
	byID                    map[string]*rec
	byTN                    map[string][]*rec // by type and names, for IDs whose subscription or group differ
	keys                    map[string]bool   // de-duplication keys seen
	order                   int
	// implicitASGs are ASGs known only from references, by ID key.
	implicitASGs   map[string]*topology.ApplicationSecurityGroup
	subnetPrefixes map[*rec]netip.Prefix
	subnetByID     map[string]subnetAt // subnets resolved, by the ID string that named them
	asgByID        map[string]string   // ASGs of the inputs resolved, by the ID string that named them
	// rulesAhead is what readAhead read of the rules of the NSG that add
	// records now, or nil.
	rulesAhead *nsgRules
}

// refString is the ID string of a reference (an object {"id": ...} or an ID
// string), and whether it is one.
func refString(n node) (string, bool) {
	if n.isObject() {
		n = n.key("id")
	}
	s, ok := n.v.(string)
	return s, ok
}

// Assemble builds a topology from Azure resources of any mix of types, in
// order. Types nsgsim does not model are skipped. Objects are named by their
// resource name; when resources of one kind in different resource groups
// share a name, the one whose resource group sorts first keeps it and the
// others become NAME-RESOURCEGROUP. Every problem is reported, each as
// "FILE: JSON.PATH: message".
//
// When the topology is built but does not validate, Assemble returns it
// together with the validation errors, so that a caller can still write it
// out for the user to fix.
func Assemble(rs []Resource) (*topology.Topology, error) {
	return AssembleWith(rs, Options{})
}

// AssembleWith is Assemble with the user's options; it reads VMOS.
func AssembleWith(rs []Resource, o Options) (*topology.Topology, error) {
	return assemble(rs, o, false, false)
}

// assemble is AssembleWith; with external, a peering to a VNet that is not
// among the inputs makes a placeholder for it (see externalVNet) instead of
// an error, as an export of part of a tenant has such peerings.
func assemble(rs []Resource, o Options, external, owned bool) (*topology.Topology, error) {
	vmOS, err := o.vmOS()
	if err != nil {
		return nil, err
	}
	a := &assembler{
		external:       external,
		owned:          owned,
		placeholders:   map[string]*topology.VirtualNetwork{},
		vmOS:           vmOS,
		vmOSUsed:       map[string]bool{},
		seen:           map[string]bool{},
		byID:           map[string]*rec{},
		byTN:           map[string][]*rec{},
		keys:           map[string]bool{},
		implicitASGs:   map[string]*topology.ApplicationSecurityGroup{},
		subnetPrefixes: map[*rec]netip.Prefix{},
		subnetByID:     map[string]subnetAt{},
		asgByID:        map[string]string{},
	}
	read := a.readAhead(rs)
	a.presize(rs, read)
	for i, r := range rs {
		a.add(r, read[i])
	}
	a.keys = nil // add's alone: 400,000 rules' keys in a large export
	if len(a.errs) > 0 {
		return nil, a.errs
	}
	for _, k := range []kind{kVNet, kNSG, kASG, kVM, kBastion} {
		disambiguate(a.recs[k])
	}
	t := a.build()
	if len(a.errs) > 0 {
		return nil, a.errs
	}
	a.unmodelledWarnings()
	for _, name := range sortedKeysOf(a.vmOS) {
		if !a.vmOSUsed[name] {
			// The position is the flag: the value came from no file.
			a.warnf("--vm-os "+name, node{}, "no virtual machine of that name needed it (its OS is known from the input, or there is no such VM)")
		}
	}
	a.warns.Sort()
	t.Warnings = a.warns
	return t, validate(t)
}

// presize sizes the lookups and the list of rules once for the resources
// and the children they embed (a large export has 400,000 rules in 2,000
// NSGs), rather than growing them step by step as add records them; read
// is what readAhead read of rs.
func (a *assembler) presize(rs []Resource, read []*readResource) {
	resources, rules := len(rs), 0
	for i, p := range read {
		switch {
		case p == nil:
		case p.rules != nil:
			rules += len(p.rules.children)
		case p.k == kVNet:
			n := newNode(rs[i].Object, rs[i].Path)
			subnets, _ := n.field("subnets").v.([]any)
			peerings, _ := n.field("virtualNetworkPeerings").v.([]any)
			resources += len(subnets) + len(peerings)
		}
	}
	a.keys = make(map[string]bool, resources+rules)
	a.byID = make(map[string]*rec, resources)
	a.recs[kRule] = make([]*rec, 0, rules)
}

// errorf records a problem with the value at n.
func (a *assembler) errorf(file string, n node, format string, args ...any) {
	a.add1(topology.Pos{File: file, Path: n.pathOf()}, fmt.Sprintf(format, args...))
}

// add1 records a problem once.
func (a *assembler) add1(pos topology.Pos, msg string) {
	a.addError(&topology.Error{Pos: pos, Msg: topology.ClipQuoted(msg)})
}

// addError records a problem unless the same was recorded before.
func (a *assembler) addError(e *topology.Error) {
	k := e.Error()
	if a.seen[k] {
		return
	}
	a.seen[k] = true
	a.errs = append(a.errs, e)
}

// bad reports a value that an ARM expression could not give.
func (a *assembler) bad(file string, n node) bool {
	if e, ok := n.v.(*exprError); ok {
		a.add1(topology.Pos{File: file}, e.Msg)
		return true
	}
	return false
}

// str reads a string; null and absent read as "".
func (a *assembler) str(file string, n node) string {
	if a.bad(file, n) {
		return ""
	}
	switch v := n.v.(type) {
	case nil:
		return ""
	case string:
		return v
	}
	if s, ok := scalarString(n.v); ok {
		return s
	}
	a.errorf(file, n, "expected a string, got %s", typeName(n.v))
	return ""
}

// array returns the elements of an array. Absent and null read as no
// elements; anything else is an error that says an array of what was
// expected.
func (a *assembler) array(file string, n node, of string) []node {
	if a.bad(file, n) {
		return nil
	}
	if _, ok := n.v.([]any); !ok && n.v != nil {
		a.errorf(file, n, "expected an array of %s, got %s", of, typeName(n.v))
	}
	return n.list()
}

// integer reads a whole number, also from a numeric string. A number too
// large for an int is reported, as written, as what() (`rule "r": priority`)
// out of [lo, hi], the range Azure allows; a number that fits is returned
// for validation to check against that range.
func (a *assembler) integer(file string, n node, what func() string, lo, hi int) (int, bool) {
	if a.bad(file, n) {
		return 0, false
	}
	var big string // a whole number that does not fit an int, as written
	switch v := n.v.(type) {
	case int64:
		if int64(int(v)) == v {
			return int(v), true
		}
		big = strconv.FormatInt(v, 10)
	case int:
		return v, true
	case jsonpos.BigInt:
		big = string(v)
	case float64:
		if v == math.Trunc(v) && math.Abs(v) < 1<<53 {
			return int(v), true
		}
		if v == math.Trunc(v) {
			big = strconv.FormatFloat(v, 'g', -1, 64)
		}
	case string:
		s := strings.TrimSpace(v)
		i, err := strconv.Atoi(s)
		if err == nil && strconv.Itoa(i) == s {
			return i, true
		}
		if errors.Is(err, strconv.ErrRange) {
			big = strconv.Quote(v)
		}
	}
	if big != "" {
		a.errorf(file, n, "%s %s out of range [%d, %d]", what(), big, lo, hi)
		return 0, false
	}
	a.errorf(file, n, "expected a whole number, got %s", describe(n.v))
	return 0, false
}

// boolean reads a flag; absent and null read as false.
func (a *assembler) boolean(file string, n node) bool {
	if a.bad(file, n) {
		return false
	}
	switch v := n.v.(type) {
	case nil:
		return false
	case bool:
		return v
	case string:
		switch strings.ToLower(v) {
		case "true":
			return true
		case "false", "":
			return false
		}
	}
	a.errorf(file, n, "expected true or false, got %s", describe(n.v))
	return false
}

// describe shows a scalar as written (strings quoted), and names the type
// of anything else.
func describe(v any) string { return armexpr.Describe(v) }

// refID reads a reference to another resource: an object {"id": ...} or an
// ID string.
func (a *assembler) refID(file string, n node) (resourceID, node, bool) {
	idn := n
	if n.isObject() {
		idn = n.key("id")
	}
	s := a.str(file, idn)
	if s == "" {
		if _, isErr := idn.v.(*exprError); !isErr {
			a.errorf(file, idn, "missing resource ID; expected \"/subscriptions/.../providers/...\"")
		}
		return resourceID{}, idn, false
	}
	id, ok := parseResourceID(s)
	if !ok {
		a.errorf(file, idn, "%q is not an Azure resource ID; expected \"/subscriptions/SUB/resourceGroups/RG/providers/TYPE/NAME\"", s)
		return resourceID{}, idn, false
	}
	return id, idn, true
}

func (a *assembler) lookup(id resourceID, k kind) *rec {
	if r, ok := a.byID[id.Key()]; ok && r.kind == k {
		return r
	}
	var found *rec
	for _, r := range a.byTN[id.TypeNameKey()] {
		if r.kind != k {
			continue
		}
		if found != nil {
			return nil // ambiguous without the resource group
		}
		found = r
	}
	return found
}

// add records one input resource and the child resources it embeds, as
// readAhead read it (p), reporting the problems reading it had. A resource
// readAhead left (p nil) is one nsgsim does not model, or one whose
// properties an ARM expression could not give.
func (a *assembler) add(r Resource, p *readResource) {
	n := newNode(r.Object, r.Path)
	if p == nil {
		typ := a.str(r.File, n.key("type"))
		k := kindOf(typ)
		if e, ok := n.key("properties").v.(*exprError); ok && k != kUnknown {
			a.add1(topology.Pos{File: r.File}, e.Msg) // the template could not give the properties
		} else if strings.EqualFold(typ, scaleSetType) {
			name, _ := n.key("name").v.(string)
			a.scaleSets = append(a.scaleSets, name)
			a.scaleSetAt.note(r.File, n)
		}
		return
	}
	for _, e := range p.errs {
		a.addError(e)
	}
	if !p.ok {
		return
	}
	key := r.Key
	if key == "" {
		key = p.idKey
	}
	a.rulesAhead = p.rules
	a.addRec(p.k, p.id, p.idKey, key, p.name, r.File, n)
	a.rulesAhead = nil
}

// nameOf is a resource's name as its "name" member spells it (IDs in
// references do not always keep the case), else the last segment of its ID.
func nameOf(n node, id resourceID) string {
	s, _ := n.key("name").v.(string)
	return nameFrom(s, id)
}

// nameFrom is nameOf for the "name" member s ("" when there is none).
func nameFrom(s string, id resourceID) string {
	if s != "" {
		if last := s[strings.LastIndexByte(s, '/')+1:]; strings.EqualFold(last, id.Name()) {
			return last
		}
	}
	return id.Name()
}

// resourceIDOf returns a resource's ID: its "id" member, or one made from its
// type, name and resource group.
func (a *assembler) resourceIDOf(file string, n node, typ string) (resourceID, bool) {
	if s := a.str(file, n.key("id")); s != "" {
		if id, ok := parseResourceID(s); ok {
			return id, true
		}
		a.errorf(file, n.key("id"), "%q is not an Azure resource ID; expected \"/subscriptions/SUB/resourceGroups/RG/providers/TYPE/NAME\"", s)
		return resourceID{}, false
	}
	name := a.str(file, n.key("name"))
	if name == "" {
		if !a.bad(file, n.key("name")) {
			a.errorf(file, n, "%s has neither \"id\" nor \"name\"; expected at least a name", typ)
		}
		return resourceID{}, false
	}
	rg := a.str(file, n.key("resourceGroup"))
	if rg == "" {
		rg = DefaultResourceGroup
	}
	id, ok := makeResourceID(DefaultSubscriptionID, rg, typ, strings.Split(name, "/"))
	if !ok {
		a.errorf(file, n.key("name"), "name %q does not fit type %s: expected %d name segments separated by \"/\"",
			name, typ, strings.Count(typ, "/"))
		return resourceID{}, false
	}
	return id, true
}

// addRec records a resource named name (nameOf); idKey is id.Key(), dedupe
// the key that tells a resource listed twice.
func (a *assembler) addRec(k kind, id resourceID, idKey, dedupe, name, file string, n node) *rec {
	if a.keys[dedupe] {
		return nil // the same resource in two inputs (a list and a show): the first wins
	}
	a.keys[dedupe] = true
	if idKey != dedupe {
		a.keys[idKey] = true
	}
	r := &rec{kind: k, id: id, key: idKey, name: name, model: name, file: file, n: n, order: a.order}
	if last := len(id.Types) - 1; last >= 1 && !strings.Contains(id.Types[last], "/") && !strings.Contains(id.Names[last], "/") {
		// The key is the lower-case ID, whose last two segments are the
		// child's type and name (ResourceID.String).
		cut := strings.LastIndexByte(idKey[:strings.LastIndexByte(idKey, '/')], '/')
		r.parentKey = idKey[:cut]
	}
	a.order++
	a.recs[k] = append(a.recs[k], r)
	if k == kRule {
		// Nothing refers to a rule by ID: it needs no lookup entries, and
		// a large export has hundreds of thousands of rules.
		return r
	}
	if _, ok := a.byID[idKey]; !ok {
		a.byID[idKey] = r
	}
	tn := id.TypeNameKey()
	a.byTN[tn] = append(a.byTN[tn], r)
	switch k {
	case kVNet:
		a.addChildren(r, "subnets", "subnets", kSubnet)
		a.addChildren(r, "virtualNetworkPeerings", "virtualNetworkPeerings", kPeering)
	case kNSG:
		a.addChildren(r, "securityRules", "securityRules", kRule)
	}
	return r
}

// addChildren reads the child resources a parent embeds in a property
// (a VNet's subnets, an NSG's securityRules).
func (a *assembler) addChildren(parent *rec, prop, childType string, k kind) {
	lowerType := strings.ToLower(childType)
	list := parent.n.field(prop)
	if a.owned && k == kRule {
		// Each rule's record holds its object from now on, and lets it go
		// once read.
		defer func() {
			if elems, ok := list.v.([]any); ok {
				clear(elems)
			}
		}()
	}
	if k == kRule && a.rulesAhead != nil {
		// Read on every core before (readAhead): record them.
		for _, e := range a.rulesAhead.errs {
			a.addError(e)
		}
		for _, c := range a.rulesAhead.children {
			for _, e := range c.errs {
				a.addError(e)
			}
			if c.ok {
				a.addRec(k, c.id, c.key, c.key, c.name, parent.file, c.n)
			}
		}
		return
	}
	for _, c := range a.array(parent.file, list, kindNames[k]+"s") {
		// An embedded child counts once with the same child listed on its own.
		if id, idKey, name, ok := a.childID(parent, c, childType, lowerType, k); ok {
			a.addRec(k, id, idKey, idKey, name, parent.file, c)
		}
	}
}

// childID is the ID of a child resource its parent embeds, its key
// (id.Key()) and its name (nameOf): its "id" member, or the parent's ID
// with the child's type and "name". A child that is not an object or has
// neither is reported.
func (a *assembler) childID(parent *rec, c node, childType, lowerType string, k kind) (resourceID, string, string, bool) {
	if a.bad(parent.file, c) {
		return resourceID{}, "", "", false
	}
	if !c.isObject() {
		a.errorf(parent.file, c, "expected an object, got %s", typeName(c.v))
		return resourceID{}, "", "", false
	}
	if s := a.str(parent.file, c.key("id")); s != "" {
		id, ok := parseResourceID(s)
		if !ok {
			a.errorf(parent.file, c.key("id"), "%q is not an Azure resource ID", s)
			return resourceID{}, "", "", false
		}
		return id, id.Key(), nameOf(c, id), true
	}
	name := a.str(parent.file, c.key("name"))
	if name == "" {
		if !a.bad(parent.file, c.key("name")) {
			a.errorf(parent.file, c, "%s without a name; expected \"name\"", kindNames[k])
		}
		return resourceID{}, "", "", false
	}
	id := parent.id.Child(childType, name)
	// id.Key(), without formatting the parent's ID again; nameOf, without
	// looking "name" up again.
	return id, parent.key + "/" + lowerType + "/" + strings.ToLower(name), nameFrom(name, id), true
}

// readAhead reads, on every core, what add reads of each resource of rs
// that it can read alone: its kind, ID, key and name, and for an NSG the
// IDs, keys and names of the rules it embeds (a large export has 100,000
// NICs and VMs and 400,000 rules), so that the one pass of add, which must
// go in order, only records them. Reading changes nothing but problems,
// which each resource and rule keeps for add to report where it would have
// met them. The result is indexed as rs, nil for a resource left to add
// (of a kind nsgsim does not read, or whose properties an ARM expression
// could not give).
func (a *assembler) readAhead(rs []Resource) []*readResource {
	out := make([]*readResource, len(rs))
	batch.Run(len(rs), 16, func() *assembler {
		sub := *a
		sub.errs, sub.seen, sub.paths = nil, map[string]bool{}, arena{}
		return &sub
	}, func(sub *assembler, i int) bool {
		out[i] = sub.readOne(rs[i])
		return true
	}, nil)
	return out
}

// readResource is a resource as add reads it, read ahead (readAhead).
type readResource struct {
	k     kind
	id    resourceID
	idKey string
	name  string
	ok    bool              // the ID was read: the resource is recorded
	errs  []*topology.Error // the problems reading its type and ID had
	rules *nsgRules         // an NSG's embedded rules
}

// nsgRules are an NSG's embedded rules as addChildren reads them: what it
// records of each, and the problems reading the list and each rule had.
type nsgRules struct {
	errs     []*topology.Error
	children []ruleChild
}

type ruleChild struct {
	id        resourceID
	key, name string
	n         node
	ok        bool
	errs      []*topology.Error
}

// readOne is readAhead for one resource, with an assembler of its own.
func (sub *assembler) readOne(r Resource) *readResource {
	sub.errs = sub.errs[:0]
	clear(sub.seen) // each resource's problems are its own, as add meets them
	n := newNode(r.Object, r.Path)
	typ, isString := n.key("type").v.(string)
	k := kindOf(typ)
	if !isString || k == kUnknown {
		return nil
	}
	if _, isErr := n.key("properties").v.(*exprError); isErr {
		return nil
	}
	p := &readResource{k: k}
	p.id, p.ok = sub.resourceIDOf(r.File, n, typ)
	if p.ok {
		p.idKey = p.id.Key()
		p.name = nameOf(n, p.id)
	}
	p.errs = slices.Clone(sub.errs)
	if !p.ok || k != kNSG || len(p.errs) > 0 {
		return p
	}
	parent := &rec{kind: kNSG, id: p.id, key: p.idKey, file: r.File, n: n}
	rules := &nsgRules{}
	nodes := sub.array(r.File, n.field("securityRules"), kindNames[kRule]+"s")
	rules.errs = slices.Clone(sub.errs)
	rules.children = make([]ruleChild, len(nodes))
	for j, c := range nodes {
		before := len(sub.errs)
		cid, key, name, ok := sub.childID(parent, c, "securityRules", "securityrules", kRule)
		rules.children[j] = ruleChild{id: cid, key: key, name: name, n: c, ok: ok, errs: slices.Clone(sub.errs[before:])}
	}
	p.rules = rules
	return p
}

// disambiguate gives resources of one kind that share a name distinct model
// names: the one whose resource group sorts first keeps the name, the others
// get "-RESOURCEGROUP" appended (and a number if that is still taken).
func disambiguate(rs []*rec) {
	taken := map[string]bool{}
	groups := map[string][]*rec{}
	var names []string
	for _, r := range rs {
		taken[r.name] = true
		if _, ok := groups[r.name]; !ok {
			names = append(names, r.name)
		}
		groups[r.name] = append(groups[r.name], r)
	}
	for _, name := range names {
		g := groups[name]
		if len(g) < 2 {
			continue
		}
		sort.SliceStable(g, func(i, j int) bool {
			gi, gj := strings.ToLower(g[i].id.ResourceGroup), strings.ToLower(g[j].id.ResourceGroup)
			if gi != gj {
				return gi < gj
			}
			return strings.ToLower(g[i].id.Subscription) < strings.ToLower(g[j].id.Subscription)
		})
		for _, r := range g[1:] {
			if r.id.Key() == g[0].id.Key() {
				continue // one Azure resource claimed twice (a Terraform mistake): validation reports the duplicate
			}
			cand := name + "-" + r.id.ResourceGroup
			for i := 2; taken[cand]; i++ {
				cand = fmt.Sprintf("%s-%s-%d", name, r.id.ResourceGroup, i)
			}
			taken[cand] = true
			r.model = cand
		}
	}
}

// parentOf finds the resource a child belongs to.
func (a *assembler) parentOf(c *rec, k kind) *rec {
	// lookup's first try, by the key made once in addRec.
	if r, ok := a.byID[c.parentKey]; ok && c.parentKey != "" && r.kind == k {
		return r
	}
	pid, ok := c.id.Parent()
	if !ok {
		return nil
	}
	return a.lookup(pid, k)
}

func (a *assembler) build() *topology.Topology {
	t := &topology.Topology{}

	// Virtual networks and their subnets.
	vnets := map[*rec]*topology.VirtualNetwork{}
	for _, r := range a.recs[kVNet] {
		v := &topology.VirtualNetwork{Origin: a.origin(r), Name: r.model}
		before := len(a.errs)
		as := r.n.field("addressSpace")
		a.setField(&v.Origin, r.file, "addressSpace", as.key("addressPrefixes"))
		for _, p := range a.array(r.file, as.key("addressPrefixes"), "address prefixes") {
			if pfx, ok := a.prefix(r.file, p); ok && pfx.Addr().Is4() {
				a.setField(&v.Origin, r.file, fmt.Sprintf("addressSpace[%d]", len(v.AddressSpace)), p)
				v.AddressSpace = append(v.AddressSpace, pfx)
			}
		}
		if len(v.AddressSpace) == 0 && len(a.errs) == before && !a.bad(r.file, as.key("addressPrefixes")) {
			a.errorf(r.file, as.key("addressPrefixes"), "virtual network %q has no IPv4 address prefix; expected addressSpace.addressPrefixes", r.name)
		}
		vnets[r] = v
		t.VirtualNetworks = append(t.VirtualNetworks, v)
	}
	for _, r := range a.recs[kSubnet] {
		p := a.parentOf(r, kVNet)
		if p == nil {
			a.errorf(r.file, r.n, "subnet %q belongs to virtual network %q, which is not among the inputs; nsgsim needs the VNet's address space (add `az network vnet show` output or the VNet resource)",
				r.name, r.id.Names[0])
			continue
		}
		s := &topology.Subnet{Origin: a.origin(r), Name: r.name}
		var pn node
		s.AddressPrefix, pn = a.subnetPrefix(r)
		a.setField(&s.Origin, r.file, "addressPrefix", pn)
		a.subnetPrefixes[r] = s.AddressPrefix
		if nsg := r.n.field("networkSecurityGroup"); nsg.isSet() {
			a.setField(&s.Origin, r.file, "networkSecurityGroup", nsg)
			s.NetworkSecurityGroup = a.refName(r, nsg, kNSG)
		}
		if rt := r.n.field("routeTable"); rt.isSet() {
			a.setField(&s.Origin, r.file, "routeTable", rt)
			if id, _, ok := a.refID(r.file, rt); ok {
				s.RouteTable = id.Name() // route tables are only named (SPEC 1)
			}
		}
		vnets[p].Subnets = append(vnets[p].Subnets, s)
	}

	// Peerings, made symmetric.
	// peers holds each VNet's peers, with where the peering was read.
	peers := map[*topology.VirtualNetwork]map[string]topology.Pos{}
	addPeer := func(v *topology.VirtualNetwork, name string, at topology.Pos) {
		if peers[v] == nil {
			peers[v] = map[string]topology.Pos{}
		}
		if _, ok := peers[v][name]; !ok {
			peers[v][name] = at
		}
	}
	for _, r := range a.recs[kPeering] {
		p := a.parentOf(r, kVNet)
		if p == nil {
			a.errorf(r.file, r.n, "peering %q belongs to virtual network %q, which is not among the inputs", r.name, r.id.Names[0])
			continue
		}
		// Azure passes traffic only over a Connected peering that allows
		// virtual network access (https://learn.microsoft.com/en-us/azure/virtual-network/virtual-network-manage-peering#peering-status).
		state := a.str(r.file, r.n.field("peeringState"))
		if strings.EqualFold(state, "Disconnected") || strings.EqualFold(state, "Initiated") {
			continue
		}
		if acc := r.n.field("allowVirtualNetworkAccess"); acc.v != nil && !a.boolean(r.file, acc) {
			continue
		}
		remote := r.n.field("remoteVirtualNetwork")
		id, idn, ok := a.refID(r.file, remote)
		if !ok {
			continue
		}
		rv := a.lookup(id, kVNet)
		if rv == nil && a.external {
			if ext := a.externalVNet(t, r, p, id); ext != nil {
				addPeer(vnets[p], ext.Name, a.posOf(r.file, r.n))
				addPeer(ext, p.model, a.posOf(r.file, r.n))
			}
			continue
		}
		if rv == nil {
			a.errorf(r.file, idn, "peering %q of virtual network %q: remote virtual network %q is not among the inputs; add it, or remove the peering",
				r.name, p.name, id.String())
			continue
		}
		if rv == p {
			continue
		}
		addPeer(vnets[p], rv.model, a.posOf(r.file, r.n))
		addPeer(vnets[rv], p.model, a.posOf(r.file, r.n))
	}
	for v, set := range peers {
		for name := range set {
			v.Peerings = append(v.Peerings, name)
		}
		sort.Strings(v.Peerings)
		for j, name := range v.Peerings {
			v.SetField(fmt.Sprintf("peerings[%d]", j), set[name])
		}
	}

	// Network security groups and their rules.
	nsgs := map[*rec]*topology.NetworkSecurityGroup{}
	for _, r := range a.recs[kNSG] {
		g := &topology.NetworkSecurityGroup{Origin: a.origin(r), Name: r.model}
		nsgs[r] = g
		t.NetworkSecurityGroups = append(t.NetworkSecurityGroups, g)
	}
	parents := make([]*rec, len(a.recs[kRule]))
	for i, r := range a.recs[kRule] {
		parents[i] = a.parentOf(r, kNSG)
	}
	rules, ruleErrs := a.rules(a.recs[kRule], parents)
	for i, r := range a.recs[kRule] {
		p := parents[i]
		if p == nil {
			a.errorf(r.file, r.n, "security rule %q belongs to network security group %q, which is not among the inputs", r.name, r.id.Names[0])
			continue
		}
		for _, e := range ruleErrs[i] {
			a.addError(e)
		}
		if rules[i] != nil {
			nsgs[p].SecurityRules = append(nsgs[p].SecurityRules, rules[i])
		}
	}
	a.recs[kRule] = nil // read: let the records go while the rest is built

	// Application security groups.
	for _, r := range a.recs[kASG] {
		t.ApplicationSecurityGroups = append(t.ApplicationSecurityGroups,
			&topology.ApplicationSecurityGroup{Origin: a.origin(r), Name: r.model})
	}

	// Virtual machines.
	t.VirtualMachines = a.virtualMachines()

	// Bastion hosts.
	for _, r := range a.recs[kBastion] {
		if b := a.bastion(r); b != nil {
			t.BastionHosts = append(t.BastionHosts, b)
		}
	}

	for _, g := range a.implicitASGs {
		t.ApplicationSecurityGroups = append(t.ApplicationSecurityGroups, g)
	}

	// Location: the region of the first VNet, for regional service tags.
	byName := func(x, y string) int { return strings.Compare(x, y) }
	slices.SortStableFunc(t.VirtualNetworks, func(x, y *topology.VirtualNetwork) int { return byName(x.Name, y.Name) })
	location := map[*topology.VirtualNetwork]string{}
	for _, r := range a.recs[kVNet] {
		if loc, ok := r.n.key("location").v.(string); ok {
			location[vnets[r]] = loc
		}
	}
	for _, v := range t.VirtualNetworks {
		if t.Location == "" {
			t.Location = location[v]
		}
		slices.SortStableFunc(v.Subnets, func(x, y *topology.Subnet) int { return byName(x.Name, y.Name) })
	}
	slices.SortStableFunc(t.NetworkSecurityGroups, func(x, y *topology.NetworkSecurityGroup) int { return byName(x.Name, y.Name) })
	for _, g := range t.NetworkSecurityGroups {
		slices.SortStableFunc(g.SecurityRules, compareRules)
	}
	slices.SortStableFunc(t.ApplicationSecurityGroups, func(x, y *topology.ApplicationSecurityGroup) int { return byName(x.Name, y.Name) })
	slices.SortStableFunc(t.VirtualMachines, func(x, y *topology.VirtualMachine) int { return byName(x.Name, y.Name) })
	slices.SortStableFunc(t.BastionHosts, func(x, y *topology.BastionHost) int { return byName(x.Name, y.Name) })
	return t
}

// compareRules orders rules inbound first, then by priority, then by name.
func compareRules(x, y *topology.SecurityRule) int {
	if x.Direction != y.Direction {
		return int(x.Direction) - int(y.Direction)
	}
	if x.Priority != y.Priority {
		return x.Priority - y.Priority
	}
	return strings.Compare(x.Name, y.Name)
}

// refName resolves a reference to a resource of kind k to its model name.
func (a *assembler) refName(from *rec, n node, k kind) string {
	id, idn, ok := a.refID(from.file, n)
	if !ok {
		return ""
	}
	if r := a.lookup(id, k); r != nil {
		return r.model
	}
	a.errorf(from.file, idn, "%s %q refers to %s %q, which is not among the inputs; add it to the inputs",
		kindNames[from.kind], from.name, kindNames[k], id.String())
	return ""
}

// asgName resolves a reference to an application security group. An ASG
// known only from the reference is added under the name in its ID.
func (a *assembler) asgName(file string, n node) string {
	// Rules and NICs by the thousand name each ASG: one found by an ID
	// string is found again by it without parsing and looking it up.
	idString, isString := refString(n)
	if name, ok := a.asgByID[idString]; ok && isString {
		return name
	}
	id, idn, ok := a.refID(file, n)
	if !ok {
		return ""
	}
	if r := a.lookup(id, kASG); r != nil {
		if isString {
			a.asgByID[idString] = r.model
		}
		return r.model
	}
	g, ok := a.implicitASGs[id.Key()]
	if !ok {
		g = &topology.ApplicationSecurityGroup{Origin: topology.Origin{Pos: a.posOf(file, idn)}, Name: id.Name()}
		a.implicitASGs[id.Key()] = g
	}
	return g.Name
}

// prefix reads a CIDR prefix (or a bare address, as a host prefix).
func (a *assembler) prefix(file string, n node) (netip.Prefix, bool) {
	s := strings.TrimSpace(a.str(file, n))
	if s == "" {
		if _, isErr := n.v.(*exprError); !isErr {
			a.errorf(file, n, "missing address prefix; expected a CIDR such as \"10.0.0.0/24\"")
		}
		return netip.Prefix{}, false
	}
	p, err := parsePrefix(s)
	if err != nil {
		a.errorf(file, n, "%v", err)
		return netip.Prefix{}, false
	}
	return p, true
}

// parsePrefix reads "10.0.0.0/24" or "10.0.0.4"; host bits are an error, as
// in the topology loader.
func parsePrefix(s string) (netip.Prefix, error) {
	if !strings.Contains(s, "/") {
		addr, err := netip.ParseAddr(s)
		if err != nil {
			return netip.Prefix{}, fmt.Errorf("%q is not an IP address or CIDR prefix", s)
		}
		return netip.PrefixFrom(addr, addr.BitLen()), nil
	}
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("%q is not a CIDR prefix; expected ADDRESS/BITS such as \"10.0.0.0/24\"", s)
	}
	if p.Masked() != p {
		return netip.Prefix{}, fmt.Errorf("%s has host bits set; did you mean %s?", s, p.Masked())
	}
	return p, nil
}

// subnetPrefix reads addressPrefix, or the first IPv4 prefix of
// addressPrefixes; it returns the value it read the prefix from.
func (a *assembler) subnetPrefix(r *rec) (netip.Prefix, node) {
	if n := r.n.field("addressPrefix"); n.isSet() {
		p, _ := a.prefix(r.file, n)
		return p, n
	}
	if _, isErr := r.n.field("addressPrefix").v.(*exprError); isErr {
		a.bad(r.file, r.n.field("addressPrefix"))
		return netip.Prefix{}, node{}
	}
	list := r.n.field("addressPrefixes")
	before := len(a.errs)
	for _, n := range a.array(r.file, list, "address prefixes") {
		if p, ok := a.prefix(r.file, n); ok && p.Addr().Is4() {
			return p, n
		}
	}
	if len(a.errs) == before && !a.bad(r.file, list) {
		a.errorf(r.file, r.n, "subnet %q has no IPv4 address prefix; expected addressPrefix or addressPrefixes", r.name)
	}
	return netip.Prefix{}, node{}
}
