package topology

import (
	"fmt"
	"math"
	"net/netip"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// decoder walks the node tree of a topology file.
type decoder struct {
	suggester
	file string
	dir  string // serviceTags is relative to it
	t    *Topology
	errs ErrorList
	// For the topology scanner: the file, and the lists whose items it has
	// yet to read, by their node in the root mapping. failed is set when it
	// met YAML it does not read there.
	data   []byte
	lazy   map[*yaml.Node][]itemSpan
	failed bool
	// erred is set when a worker decoding a list's items met a problem;
	// then fastParse decodes the file again with inOrder set, the items one
	// after another.
	erred   bool
	inOrder bool
	// Scratch space: the pairs of the mapping object reads, and the
	// fieldNodes it returns, which decodeList drops after each item.
	pairBuf  []pair
	fieldBuf []fieldNode
	// fieldChunk is where fieldSpace cuts Origin.fields from.
	fieldChunk []fieldPos
}

func (d *decoder) pos(n *yaml.Node) Pos {
	if n == nil {
		return Pos{File: d.file, Line: 1, Col: 1}
	}
	return Pos{File: d.file, Line: n.Line, Col: n.Column}
}

// errorf reports a problem at n, prefixed with the context ctx when there
// is one. It returns the problem, for adding related positions.
func (d *decoder) errorf(n *yaml.Node, ctx msgCtx, format string, args ...any) *Error {
	msg := fmt.Sprintf(format, args...)
	if c := ctx.String(); c != "" {
		msg = c + ": " + msg
	}
	e := &Error{Pos: d.pos(n), Msg: clipQuoted(msg)}
	d.errs = append(d.errs, e)
	return e
}

// deref follows an alias to the node it names.
func deref(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i <= MaxDepth; i++ {
		n = n.Alias
	}
	return n
}

func isNull(n *yaml.Node) bool {
	n = deref(n)
	return n == nil || n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

// describe says what n is, for "expected X, got Y".
func describe(n *yaml.Node) string {
	n = deref(n)
	if n == nil {
		return "nothing"
	}
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		if n.ShortTag() == "!!null" {
			return "null"
		}
		v := n.Value
		if utf8.RuneCountInString(v) > 40 {
			v = string([]rune(v)[:40]) + "..."
		}
		return strconv.Quote(v)
	}
	return "a YAML node of another kind"
}

type pair struct {
	k, v   *yaml.Node
	merged bool // from a merge key "<<"
}

// pairs appends to out the key-value pairs of mapping n, with the pairs of
// merge keys ("<<: *base") after the explicit ones.
func (d *decoder) pairs(n *yaml.Node, ctx msgCtx, depth int, out []pair) []pair {
	var merged []pair
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind == yaml.ScalarNode && k.Value == "<<" && k.ShortTag() == "!!merge" {
			if depth > MaxDepth {
				continue
			}
			src := deref(v)
			var srcs []*yaml.Node
			switch {
			case src == nil:
			case src.Kind == yaml.MappingNode:
				srcs = []*yaml.Node{src}
			case src.Kind == yaml.SequenceNode:
				srcs = src.Content
			}
			if srcs == nil {
				d.errorf(v, ctx, "merge key <<: expected a mapping or a list of mappings, got %s", describe(v))
			}
			for _, s := range srcs {
				s := deref(s)
				if s == nil || s.Kind != yaml.MappingNode {
					d.errorf(v, ctx, "merge key <<: expected a mapping or a list of mappings, got a list holding %s", describe(s))
					continue
				}
				for _, p := range d.pairs(s, ctx, depth+1, nil) {
					merged = append(merged, pair{p.k, p.v, true})
				}
			}
			continue
		}
		out = append(out, pair{k: k, v: v})
	}
	return append(out, merged...)
}

// fieldNode is a key of an object and its value.
type fieldNode struct {
	key string
	v   *yaml.Node
}

// fieldNodes are the keys of an object that object read, and their values,
// in the order written. An object has at most a couple of dozen known keys,
// which a scan finds without allocating.
type fieldNodes []fieldNode

// get returns the value of key, and whether the object has it.
func (m fieldNodes) get(key string) (*yaml.Node, bool) {
	for _, f := range m {
		if f.key == key {
			return f.v, true
		}
	}
	return nil, false
}

// node returns the value of key, or nil.
func (m fieldNodes) node(key string) *yaml.Node {
	v, _ := m.get(key)
	return v
}

// set sets the value of key.
func (m *fieldNodes) set(key string, v *yaml.Node) {
	for i := range *m {
		if (*m)[i].key == key {
			(*m)[i].v = v
			return
		}
	}
	*m = append(*m, fieldNode{key, v})
}

// del removes the keys of keys.
func (m *fieldNodes) del(keys ...string) {
	*m = slices.DeleteFunc(*m, func(f fieldNode) bool { return slices.Contains(keys, f.key) })
}

// object reads mapping n as an object whose keys are known; keys in ignored
// are accepted and skipped. It records n's position and each key's value
// position in o, reports unknown and repeated keys, and returns the value
// nodes by key with null values left out (null means "not set", as in the
// az CLI's output). It returns false when n is not a mapping.
//
// The fieldNodes returned are valid until the decoder's next list item
// (see decodeList).
func (d *decoder) object(n *yaml.Node, ctx msgCtx, known, ignored []string, o *Origin) (fieldNodes, bool) {
	n = deref(n)
	if n == nil || n.Kind != yaml.MappingNode {
		if n != nil && isNull(n) {
			d.errorf(n, ctx, "expected a mapping, got null")
		} else if n != nil {
			d.errorf(n, ctx, "expected a mapping, got %s", describe(n))
		}
		return nil, false
	}
	if o != nil && !o.Pos.IsValid() {
		o.Pos = d.pos(n)
	}
	pairs := d.pairs(n, ctx, 0, d.pairBuf[:0])
	d.pairBuf = pairs[:0]
	if o != nil && o.fields == nil {
		o.fields = d.fieldSpace(fieldsHint(pairs))
	}
	start := len(d.fieldBuf)
	var seen map[string]*yaml.Node // for objects too large to scan
	if len(pairs) > maxScannedKeys {
		seen = make(map[string]*yaml.Node, len(pairs))
	}
	for i, p := range pairs {
		k := deref(p.k)
		if k == nil || k.Kind != yaml.ScalarNode {
			d.errorf(p.k, ctx, "expected a string key, got %s", describe(p.k))
			continue
		}
		key := k.Value
		first := seen[key]
		if seen == nil {
			first = firstKey(pairs[:i], key)
		} else if first == nil {
			seen[key] = k
		}
		if first != nil {
			if !p.merged {
				d.errorf(k, ctx, "duplicate key %q", key).At("first at", d.pos(first))
			}
			continue
		}
		switch {
		case contains(known, key):
			if o != nil {
				o.SetField(key, d.pos(p.v))
			}
			if !isNull(p.v) {
				d.fieldBuf = append(d.fieldBuf, fieldNode{key, p.v})
			}
		case contains(ignored, key):
		default:
			d.unknownKey(k, ctx, key, known)
		}
	}
	end := len(d.fieldBuf)
	return d.fieldBuf[start:end:end], true
}

// fieldsHint is how many field positions an object with pairs records:
// one per key, and one per item of a list of values ("peerings[1]").
func fieldsHint(pairs []pair) int {
	n := len(pairs)
	for _, p := range pairs {
		if v := p.v; v.Kind == yaml.SequenceNode && len(v.Content) > 0 && v.Content[0].Kind == yaml.ScalarNode {
			n += len(v.Content)
		}
	}
	return n
}

// fieldSpace returns an empty slice with room for n field positions, cut
// from a chunk shared by the objects the decoder reads (a large topology has
// hundreds of thousands, with a dozen fields each) rather than allocated for
// each.
func (d *decoder) fieldSpace(n int) []fieldPos {
	const chunk = 4096
	if n > len(d.fieldChunk) {
		if n > chunk/8 {
			return make([]fieldPos, 0, n)
		}
		d.fieldChunk = make([]fieldPos, chunk)
	}
	s := d.fieldChunk[:0:n]
	d.fieldChunk = d.fieldChunk[n:]
	return s
}

// maxScannedKeys is the most keys an object may have for object to find
// repeated keys by scanning rather than with a map: a topology's objects
// have a dozen, and a scan allocates nothing.
const maxScannedKeys = 32

// firstKey returns the key node of the first of pairs whose key is key, or
// nil.
func firstKey(pairs []pair, key string) *yaml.Node {
	for _, p := range pairs {
		if k := deref(p.k); k != nil && k.Kind == yaml.ScalarNode && k.Value == key {
			return k
		}
	}
	return nil
}

func (d *decoder) unknownKey(k *yaml.Node, ctx msgCtx, key string, known []string) {
	if azOnlyKeys[key] {
		d.errorf(k, ctx, "unknown key %q: this object looks pasted from az output (such as `az network nsg show`); use nsgsim import az FILE to convert az output", key)
		return
	}
	if s := d.suggest(key, known); s != "" {
		d.errorf(k, ctx, "unknown key %q; did you mean %q?", key, s)
		return
	}
	d.errorf(k, ctx, "unknown key %q", key)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// require reports the keys of keys that m lacks, at mapping n, and marks
// them failed in o.
func (d *decoder) require(m fieldNodes, n *yaml.Node, ctx msgCtx, o *Origin, keys ...string) {
	var missing []string
	for _, k := range keys {
		if _, ok := m.get(k); !ok {
			missing = append(missing, strconv.Quote(k))
			o.SetFailed(k)
		}
	}
	switch len(missing) {
	case 0:
	case 1:
		d.errorf(deref(n), ctx, "missing required key %s", missing[0])
	default:
		last := len(missing) - 1
		d.errorf(deref(n), ctx, "missing required keys %s and %s", strings.Join(missing[:last], ", "), missing[last])
	}
}

// name reads the name of an object and returns it with the context to use
// for the object's other problems: `kind "name"`, or ctx when it has none.
// A name that is missing, not a string or empty is marked failed in o.
func (d *decoder) name(m fieldNodes, n *yaml.Node, ctx msgCtx, kind string, o *Origin) (string, msgCtx) {
	v, ok := m.get("name")
	if !ok {
		d.errorf(deref(n), ctx, "missing required key \"name\"")
		o.SetFailed("name")
		return "", ctx
	}
	s, ok := d.str(v, ctx, "name")
	if !ok || s == "" {
		if ok {
			d.errorf(v, ctx, "name is empty")
		}
		o.SetFailed("name")
		return s, ctx
	}
	return s, ctx.named(kind, s)
}

// str reads a scalar as a string. Any scalar is one: `name: 2024` is the
// string "2024".
func (d *decoder) str(v *yaml.Node, ctx msgCtx, key string) (string, bool) {
	n := deref(v)
	if n == nil || n.Kind != yaml.ScalarNode {
		d.errorf(v, ctx.with(key), "expected a string, got %s", describe(v))
		return "", false
	}
	return n.Value, true
}

// decimalLiteral is a decimal integer as written (sign, digits,
// underscores), which yaml.v3 tags !!float when it is past 64 bits.
var decimalLiteral = regexp.MustCompile(`^[-+]?[0-9][0-9_]*$`)

// integer reads an integer scalar. A quoted number is a string, not an
// integer, as in JSON.
func (d *decoder) integer(v *yaml.Node, ctx msgCtx, key string) (int64, bool) {
	n := deref(v)
	if n != nil && n.Kind == yaml.ScalarNode && n.ShortTag() == "!!float" && decimalLiteral.MatchString(n.Value) {
		// yaml.v3 takes an integer past 64 bits for a float.
		d.errorf(v, ctx.with(key), "integer %q is out of range", n.Value)
		return 0, false
	}
	if n == nil || n.Kind != yaml.ScalarNode || n.ShortTag() != "!!int" {
		d.errorf(v, ctx.with(key), "expected an integer, got %s", describe(v))
		return 0, false
	}
	i, err := strconv.ParseInt(strings.ReplaceAll(n.Value, "_", ""), 0, 64)
	if err != nil {
		d.errorf(v, ctx.with(key), "integer %q is out of range", n.Value)
		return 0, false
	}
	return i, true
}

// saturatedInt is i as an int, the nearest one where int has 32 bits.
func saturatedInt(i int64) int {
	switch {
	case i > math.MaxInt:
		return math.MaxInt
	case i < math.MinInt:
		return math.MinInt
	}
	return int(i)
}

// boolean reads true or false.
func (d *decoder) boolean(v *yaml.Node, ctx msgCtx, key string) (bool, bool) {
	n := deref(v)
	if n == nil || n.Kind != yaml.ScalarNode || n.ShortTag() != "!!bool" {
		d.errorf(v, ctx.with(key), "expected true or false, got %s", describe(v))
		return false, false
	}
	return strings.EqualFold(n.Value, "true"), true
}

// list returns the items of a list; null is the empty list. What is not a
// list is reported, and key marked failed in o.
func (d *decoder) list(v *yaml.Node, ctx msgCtx, key, what string, o *Origin) []*yaml.Node {
	if v == nil || isNull(v) {
		return nil
	}
	n := deref(v)
	if n.Kind != yaml.SequenceNode {
		d.errorf(v, ctx.with(key), "expected a list of %s, got %s", what, describe(v))
		o.SetFailed(key)
		return nil
	}
	return n.Content
}

// itemFailed marks item i of the list at key failed in o, and the list
// with it: what the object holds for the list is not all that was written.
func itemFailed(o *Origin, key string, i int) {
	o.SetFailed(indexedKey(key, i))
	o.SetFailed(key)
}

// enum reads an enumeration with parse, case-insensitively.
func enum[T any](d *decoder, v *yaml.Node, ctx msgCtx, key string, parse func(string) (T, bool), expected string) (T, bool) {
	var zero T
	s, ok := d.str(v, ctx, key)
	if !ok {
		return zero, false
	}
	x, ok := parse(s)
	if !ok {
		d.errorf(v, ctx, "unknown %s %q; expected %s", key, s, expected)
		return zero, false
	}
	return x, true
}

// field reads v, the value of key, with read into *dst; when read reports
// a problem, key is marked failed in o (Origin.SetFailed), *dst keeps its
// value and field returns false.
func field[T any](dst *T, read func(*yaml.Node, msgCtx, string) (T, bool), v *yaml.Node, ctx msgCtx, key string, o *Origin) bool {
	x, ok := read(v, ctx, key)
	if !ok {
		o.SetFailed(key)
		return false
	}
	*dst = x
	return true
}

// enumField is field for an enumeration read with enum; *dst keeps its
// default when v is not one of its values.
func enumField[T any](d *decoder, dst *T, v *yaml.Node, ctx msgCtx, key string, parse func(string) (T, bool), expected string, o *Origin) bool {
	read := func(v *yaml.Node, ctx msgCtx, key string) (T, bool) { return enum(d, v, ctx, key, parse, expected) }
	return field(dst, read, v, ctx, key, o)
}

const (
	protocolsExpected   = "Tcp, Udp, Icmp, Esp, Ah or * (any)"
	accessExpected      = "Allow or Deny"
	directionExpected   = "Inbound or Outbound"
	osExpected          = "Linux or Windows"
	skuExpected         = "Developer, Basic, Standard or Premium"
	verdictExpected     = "Allow, Deny, Partial or NoTraffic"
	requirementExpected = "required, recommended or optional"
	// Azure Bastion reaches targets over IPv4 only
	// (https://learn.microsoft.com/en-us/azure/bastion/bastion-faq).
	ipv4Only             = "nsgsim models IPv4 only; Azure Bastion is IPv4 only"
	addressSyntaxPrefix  = "an IPv4 address or CIDR"
	addressSyntaxAddress = "an IPv4 address"
)

// parsePrefix reads an IPv4 address (a /32) or CIDR as written, host bits
// and all: Validate reports host bits, so that importers get the check too.
func parsePrefix(s string) (netip.Prefix, string) {
	s = strings.TrimSpace(s)
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return netip.Prefix{}, fmt.Sprintf("%q is not %s", s, addressSyntaxPrefix)
		}
		if !p.Addr().Is4() {
			return netip.Prefix{}, fmt.Sprintf("%q is IPv6; %s", s, ipv4Only)
		}
		return p, ""
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, fmt.Sprintf("%q is not %s", s, addressSyntaxPrefix)
	}
	if !a.Is4() {
		return netip.Prefix{}, fmt.Sprintf("%q is IPv6; %s", s, ipv4Only)
	}
	return netip.PrefixFrom(a, 32), ""
}

// parseAddr reads an IPv4 address.
func parseAddr(s string) (netip.Addr, string) {
	a, err := netip.ParseAddr(strings.TrimSpace(s))
	if err != nil {
		return netip.Addr{}, fmt.Sprintf("%q is not %s", s, addressSyntaxAddress)
	}
	if !a.Is4() {
		return netip.Addr{}, fmt.Sprintf("%q is IPv6; %s", s, ipv4Only)
	}
	return a, ""
}

// prefix reads one scalar as an IPv4 address or CIDR.
func (d *decoder) prefix(v *yaml.Node, ctx msgCtx, key string) (netip.Prefix, bool) {
	s, ok := d.str(v, ctx, key)
	if !ok {
		return netip.Prefix{}, false
	}
	p, msg := parsePrefix(s)
	if msg != "" {
		d.errorf(v, ctx.with(key), "%s", msg)
		return netip.Prefix{}, false
	}
	return p, true
}

// addr reads one scalar as an IPv4 address.
func (d *decoder) addr(v *yaml.Node, ctx msgCtx, key string) (netip.Addr, bool) {
	s, ok := d.str(v, ctx, key)
	if !ok {
		return netip.Addr{}, false
	}
	a, msg := parseAddr(s)
	if msg != "" {
		d.errorf(v, ctx.with(key), "%s", msg)
		return netip.Addr{}, false
	}
	return a, true
}

// prefixList reads a list of IPv4 addresses and CIDRs, recording the
// position of item i as "key[i]". An item that does not parse is reported
// and kept as the zero Prefix, marked failed, so that item i of the list
// is still the one at "key[i]" for what Validate reports of the others.
func (d *decoder) prefixList(v *yaml.Node, ctx msgCtx, key string, o *Origin) []netip.Prefix {
	var out []netip.Prefix
	for i, item := range d.list(v, ctx, key, "IPv4 addresses or CIDRs", o) {
		k := indexedKey(key, i)
		o.SetField(k, d.pos(item))
		p, ok := d.prefix(item, ctx, k)
		if !ok {
			itemFailed(o, key, i)
		}
		out = append(out, p)
	}
	return out
}

// nameList reads a list of names. An item that is not a string is reported
// and kept as "", marked failed, as prefixList keeps one.
func (d *decoder) nameList(v *yaml.Node, ctx msgCtx, key, what string, o *Origin) []string {
	var out []string
	for i, item := range d.list(v, ctx, key, what, o) {
		k := indexedKey(key, i)
		o.SetField(k, d.pos(item))
		s, ok := d.str(item, ctx, k)
		if !ok {
			itemFailed(o, key, i)
		}
		out = append(out, s)
	}
	return out
}

// portRange reads "443", 443, "8080-8090" or "*". Ports are checked here,
// not by Validate: the model holds them as uint16, which cannot hold a port
// out of range.
func (d *decoder) portRange(v *yaml.Node, ctx msgCtx, key string) (PortRange, bool) {
	s, ok := d.str(v, ctx, key)
	if !ok {
		return PortRange{}, false
	}
	r, err := ParsePortRange(s)
	if err != nil {
		hint := ""
		if strings.Contains(s, ",") && !strings.HasSuffix(key, "]") {
			hint = fmt.Sprintf("; for several ports use %ss: [...]", key)
		}
		d.errorf(v, ctx.with(key), "%v%s", err, hint)
		return PortRange{}, false
	}
	return r, true
}

// portRanges reads the singular and plural port fields of a rule or flow.
// It returns the ranges, and whether any field was set. A field that does
// not parse is marked failed in o.
func (d *decoder) portRanges(m fieldNodes, ctx msgCtx, singular string, o *Origin) ([]PortRange, bool) {
	plural := pluralKey(singular)
	var out []PortRange
	sv, hasS := m.get(singular)
	if hasS && isEmptyString(sv) {
		hasS = false
	}
	items := d.list(m.node(plural), ctx, plural, "port ranges", o)
	if hasS && len(items) > 0 {
		d.errorf(m.node(plural), ctx, "both %s and %s are set; expected one of them", singular, plural)
		o.SetFailed(plural)
	}
	if hasS {
		if r, ok := d.portRange(sv, ctx, singular); ok {
			out = append(out, r)
		} else {
			o.SetFailed(singular)
		}
	}
	for i, item := range items {
		k := indexedKey(plural, i)
		o.SetField(k, d.pos(item))
		r, ok := d.portRange(item, ctx, k)
		if !ok {
			itemFailed(o, plural, i) // kept as the zero range, as prefixList keeps an item
		}
		out = append(out, r)
	}
	return out, hasS || len(items) > 0
}

func isEmptyString(v *yaml.Node) bool {
	n := deref(v)
	return n != nil && n.Kind == yaml.ScalarNode && n.Value == "" && n.ShortTag() == "!!str"
}
