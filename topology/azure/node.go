package azure

import (
	"strconv"
	"strings"

	"github.com/nsgsim/nsgsim/internal/jsonpos"
	"github.com/nsgsim/nsgsim/topology/azure/armexpr"
)

// Located is a JSON value together with the path it was read from. A
// Resource handed to Assemble may hold Located values anywhere; Assemble
// reports a problem with such a value at its own path. The Terraform importer
// uses it to point messages at the plan rather than at the ARM shape it
// translates the plan into.
type Located struct {
	Value any
	Path  string
}

// decodeInput decodes one input file. A problem is a *topology.Error at its
// line and column that says what was expected; for a file in UTF-16, which
// Windows PowerShell's ">" writes, saveAs says how to write it as UTF-8.
func decodeInput(file string, data []byte, expected, saveAs string) (any, error) {
	return jsonpos.DecodeFile(jsonpos.Source{File: file, Expected: expected, SaveAs: saveAs}, data)
}

// node is a JSON value with its path, for reading with messages that say
// where a value came from. A missing value is a node whose v is nil.
//
// The path is built only when a message needs it: a scalar member keeps
// its container's path and its own key apart (seg), so that reading the
// hundreds of thousands of fields of a large export allocates no paths.
type node struct {
	v   any
	at  string // the path, or the container's path when seg is set
	seg string // the member's key, for a scalar read by key
}

func newNode(v any, path string) node { return node{at: path}.with(v) }

// pathOf is the node's JSON path.
func (n node) pathOf() string {
	if n.seg != "" {
		return joinPath(n.at, n.seg)
	}
	return n.at
}

// with returns a node for v at n's path, unwrapping Located values. A
// container gets its whole path, as its members will be read.
func (n node) with(v any) node {
	for {
		l, ok := v.(Located)
		if !ok {
			break
		}
		v, n.at, n.seg = l.Value, l.Path, ""
	}
	n.v = v
	switch v.(type) {
	case map[string]any, []any:
		if n.seg != "" {
			n.at, n.seg = joinPath(n.at, n.seg), ""
		}
	}
	return n
}

func joinPath(path, key string) string { return armexpr.JoinPath(path, key) }

// key returns the member k of an object, matched exactly or else
// case-insensitively (ARM property names are case-insensitive).
func (n node) key(k string) node {
	child := node{at: n.pathOf(), seg: k}
	m, ok := n.v.(map[string]any)
	if !ok {
		return child
	}
	if v, ok := m[k]; ok {
		return child.with(v)
	}
	for mk, v := range m {
		// ARM's property names are ASCII, whose case folding keeps the
		// length: comparing lengths first skips most keys cheaply.
		if len(mk) == len(k) && strings.EqualFold(mk, k) {
			child.seg = mk
			return child.with(v)
		}
	}
	return child
}

// has reports whether an object has member k (even a null one).
func (n node) has(k string) bool {
	m, ok := n.v.(map[string]any)
	if !ok {
		return false
	}
	if _, ok := m[k]; ok {
		return true
	}
	for mk := range m {
		if len(mk) == len(k) && strings.EqualFold(mk, k) {
			return true
		}
	}
	return false
}

// field returns member k of a resource-like object in either shape: inside
// its "properties" wrapper (ARM REST, templates) or at the top level (the
// flattened output of the Azure CLI).
func (n node) field(k string) node {
	if m, ok := n.v.(map[string]any); ok {
		// Exact names first: what az and ARM print, without a scan for
		// a name in another case.
		if pv, ok := m["properties"]; ok {
			if pm, ok := unlocated(pv).(map[string]any); ok {
				if _, ok := pm[k]; ok {
					return n.key("properties").key(k)
				}
			}
		} else if _, ok := m[k]; ok {
			return n.key(k)
		} else {
			return n.fieldFolded(m, k)
		}
	}
	if p := n.key("properties"); p.isObject() && p.has(k) {
		return p.key(k)
	}
	return n.key(k)
}

// fieldFolded is field for an object without an exact "properties" member
// nor an exact k (the members a rule does not set, in the flattened shape):
// one pass over its members finds "properties" and k in another case, as
// key would in two.
func (n node) fieldFolded(m map[string]any, k string) node {
	var f folded
	for mk := range m {
		f.note(mk, k)
	}
	return n.foldedField(f, k)
}

// folded is what a pass over an object's members found for a field read
// case-insensitively: a member "properties" and the field, in any case.
type folded struct {
	props, member           string
	propsFound, memberFound bool
}

// note looks at one member name mk for field k.
func (f *folded) note(mk, k string) {
	if !f.propsFound && len(mk) == len("properties") && strings.EqualFold(mk, "properties") {
		f.props, f.propsFound = mk, true
	}
	if !f.memberFound && len(mk) == len(k) && strings.EqualFold(mk, k) {
		f.member, f.memberFound = mk, true
	}
}

// foldedField is field k from what a pass found, as key would give it.
func (n node) foldedField(f folded, k string) node {
	if f.propsFound {
		if p := n.key(f.props); p.isObject() && p.has(k) {
			return p.key(k)
		}
	}
	child := node{at: n.pathOf(), seg: k}
	if f.memberFound {
		child.seg = f.member
		return child.with(n.v.(map[string]any)[f.member])
	}
	return child
}

// maxMembers is the most fields members reads at once.
const maxMembers = 16

// members reads the fields ks (at most maxMembers) of an object at once
// into out, each as field reads it, with one pass over the object's
// members for all the fields it does not hold under their exact names
// rather than one pass each: a rule's reader asks for 15 fields, of which
// it holds about 9. others are names of members the reader knows it does
// not ask for ("name"), none of them in ks: when every member of the object is one of ks or
// others by its exact name, no field can be there in another case, and
// the pass is skipped.
func (n node) members(ks, others []string, out *memberNodes) {
	out.n, out.names = n, ks[:min(len(ks), maxMembers)]
	m, ok := n.v.(map[string]any)
	if _, wrapped := m["properties"]; !ok || wrapped {
		for i, k := range out.names {
			out.nodes[i] = n.field(k)
		}
		return
	}
	var missing [maxMembers]int
	nMissing, hits := 0, 0
	for i, k := range out.names {
		if v, ok := m[k]; ok {
			// key's exact match, without looking k up again.
			out.nodes[i] = node{at: n.pathOf(), seg: k}.with(v)
			hits++
		} else {
			missing[nMissing] = i
			nMissing++
		}
	}
	if nMissing == 0 {
		return
	}
	for _, k := range others {
		if _, ok := m[k]; ok {
			hits++
		}
	}
	if hits == len(m) {
		for _, i := range missing[:nMissing] {
			out.nodes[i] = node{at: n.pathOf(), seg: ks[i]}
		}
		return
	}
	var found [maxMembers]folded
	for mk := range m {
		for _, i := range missing[:nMissing] {
			found[i].note(mk, ks[i])
		}
	}
	for _, i := range missing[:nMissing] {
		out.nodes[i] = n.foldedField(found[i], ks[i])
	}
}

// memberNodes are fields read at once by members.
type memberNodes struct {
	n     node
	names []string
	nodes [maxMembers]node
}

// field is the field k read by members, or read now if it was not among
// them.
func (m *memberNodes) field(k string) node {
	for i, name := range m.names {
		if name == k {
			return m.nodes[i]
		}
	}
	return m.n.field(k)
}

// unlocated is v without its Located wrappers.
func unlocated(v any) any {
	for {
		l, ok := v.(Located)
		if !ok {
			return v
		}
		v = l.Value
	}
}

func (n node) isObject() bool {
	_, ok := n.v.(map[string]any)
	return ok
}

// list returns the elements of an array; nil for anything else.
func (n node) list() []node {
	a, ok := n.v.([]any)
	if !ok {
		return nil
	}
	out := make([]node, len(a))
	for i, v := range a {
		out[i] = node{at: n.at + "[" + strconv.Itoa(i) + "]"}.with(v)
	}
	return out
}

// isSet reports whether a value is present and not empty: Azure and
// Terraform print unused fields as null, "" or [].
func (n node) isSet() bool {
	switch v := n.v.(type) {
	case nil:
		return false
	case string:
		return v != ""
	case []any:
		return len(v) > 0
	}
	return true
}

// typeName names the JSON type of v for messages.
func typeName(v any) string { return armexpr.TypeName(v) }

// scalarString renders a scalar as ARM would put it in a string.
func scalarString(v any) (string, bool) { return armexpr.ScalarString(v) }
