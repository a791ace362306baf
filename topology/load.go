package topology

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// Limits that make a hostile topology file fail fast instead of exhausting
// memory or time. A real topology is far below each of them.
const (
	// MaxFileSize is the largest topology file Load and Parse read: 32 MiB.
	MaxFileSize = 32 << 20
	// MaxNodes is the most YAML nodes a topology may have, counting the
	// nodes an alias stands for each time the alias is used, so that a
	// "billion laughs" document stops early.
	MaxNodes = 1_000_000
	// MaxDepth is the deepest nesting of mappings and lists read.
	MaxDepth = 100
)

// Load reads the topology file at path (SPEC section 1), checks it with
// Validate, and returns it. On failure the error is an ErrorList, one
// "FILE:LINE:COL: message" per line and sorted by position, or an I/O error
// that wraps the one from the os package.
func Load(path string) (*Topology, error) {
	data, err := ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(path, data)
}

// ReadFile reads an input file whole, refusing a directory and a file over
// MaxFileSize before reading it. The importers' inputs are read with it too.
func ReadFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("reading topology: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("reading topology: %w", err)
	}
	if fi.IsDir() {
		return nil, fmt.Errorf("reading topology: %s is a directory; expected a topology file", path)
	}
	if fi.Mode().IsRegular() && fi.Size() > MaxFileSize {
		return nil, sizeError(path, fmt.Sprint(fi.Size()))
	}
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("reading topology: %w", err)
	}
	if len(data) > MaxFileSize {
		return nil, sizeError(path, fmt.Sprintf("more than %d", MaxFileSize))
	}
	return data, nil
}

func sizeError(file, size string) error {
	var l ErrorList
	l.Add(Pos{File: file, Line: 1, Col: 1}, "file is %s bytes; nsgsim reads topologies up to 32 MiB", size)
	return l.Err()
}

// Parse reads a topology from data; file names it in positions, and a
// serviceTags path in it is read relative to file's directory. Like Load, it
// runs Validate and returns every problem at once, sorted.
//
// On failure the topology is nil.
//
// Missing optional values take Azure's defaults: a Bastion host's sku is
// Standard, the default of the REST API (bastionHost.json, sku.name; the
// Terraform provider and the AVM module default to Basic instead), and its
// scaleUnits is 2, the minimum and the Basic SKU's fixed count
// (https://learn.microsoft.com/en-us/azure/bastion/configuration-settings).
// A flow's requirement is optional.
func Parse(file string, data []byte) (*Topology, error) {
	t, root, errs, ok := parse(file, data)
	if ok {
		errs = append(errs, unreported(Validate(t), errs, root)...)
	}
	errs.Sort()
	if err := errs.Err(); err != nil {
		return nil, err
	}
	return t, nil
}

// parse decodes data into a topology. ok is false when the file could not
// be read as a YAML mapping at all; then Validate has nothing to check.
func parse(file string, data []byte) (t *Topology, root *yaml.Node, errs ErrorList, ok bool) {
	start := Pos{File: file, Line: 1, Col: 1}
	if len(data) > MaxFileSize {
		errs.Add(start, "file is %d bytes; nsgsim reads topologies up to 32 MiB", len(data))
		return nil, nil, errs, false
	}
	if p, msg := checkEncoding(data); msg != "" {
		p.File = file
		errs.Add(p, "%s", msg)
		return nil, nil, errs, false
	}
	// yaml.v3 builds every node before checkLimits can count them: refuse
	// a file with too many first, at the node past the limit.
	if n, past := countNodes(data, MaxNodes); n > MaxNodes {
		past.File = file
		errs.Add(past, "more than %d YAML nodes; nsgsim reads topologies of at most %d nodes", MaxNodes, MaxNodes)
		return nil, nil, errs, false
	}
	root, err := decodeYAML(file, data)
	if err != nil {
		var e *Error
		if errors.As(err, &e) {
			errs = append(errs, e)
		} else {
			errs.Add(start, "%v", err)
		}
		return nil, nil, errs, false
	}
	if e := checkLimits(file, root); e != nil {
		return nil, nil, append(errs, e), false
	}
	d := &decoder{file: file, dir: filepath.Dir(file), t: &Topology{File: file}}
	if !d.topology(root) {
		return nil, nil, d.errs, false
	}
	d.canonicalFlowEndpoints()
	return d.t, root, d.errs, true
}

// unreported returns the problems Validate found that parsing did not
// already explain. Validate sees only the model: where a value did not
// parse, it finds the field empty ("no source" after a bad address, "priority
// 0" after a bad priority). So a problem Validate reports at a YAML node is
// dropped when parsing reported one at that node or inside it.
func unreported(found, reported ErrorList, root *yaml.Node) ErrorList {
	if len(reported) == 0 {
		return found
	}
	ends := make(map[Pos]Pos)
	spans(root, reported[0].Pos.File, ends)
	at := make([]Pos, len(reported))
	for i, r := range reported {
		at[i] = r.Pos
	}
	sort.Slice(at, func(i, j int) bool { return at[i].Before(at[j]) })
	var out ErrorList
	for _, e := range found {
		end, ok := ends[e.Pos]
		if !ok {
			end = e.Pos
		}
		// The first reported position at or after e's; explained if it
		// is not past the end of e's node.
		i := sort.Search(len(at), func(i int) bool { return !at[i].Before(e.Pos) })
		if i < len(at) && !end.Before(at[i]) {
			continue
		}
		out = append(out, e)
	}
	return out
}

// spans records, for each position where a node starts, the last position
// inside the largest node starting there. It does not follow aliases.
func spans(n *yaml.Node, file string, ends map[Pos]Pos) Pos {
	start := Pos{file, n.Line, n.Column}
	end := start
	for _, c := range n.Content {
		if e := spans(c, file, ends); end.Before(e) {
			end = e
		}
	}
	if old, ok := ends[start]; !ok || old.Before(end) {
		ends[start] = end
	}
	return end
}

// checkEncoding reports where data stops being UTF-8. YAML also allows
// UTF-16, but nsgsim reads UTF-8 only, as the az CLI and Terraform write it.
func checkEncoding(data []byte) (Pos, string) {
	if bytes.HasPrefix(data, []byte{0xFF, 0xFE}) || bytes.HasPrefix(data, []byte{0xFE, 0xFF}) {
		return Pos{Line: 1, Col: 1}, "file is UTF-16; nsgsim reads UTF-8 YAML (save the file as UTF-8)"
	}
	if utf8.Valid(data) {
		return Pos{}, ""
	}
	line, col := 1, 1
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size <= 1 {
			return Pos{Line: line, Col: col}, fmt.Sprintf("invalid UTF-8 (byte 0x%02X); nsgsim reads UTF-8 YAML", data[i])
		}
		if r == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
		i += size
	}
	return Pos{Line: 1, Col: 1}, "invalid UTF-8; nsgsim reads UTF-8 YAML"
}

var (
	decimalLiteral = regexp.MustCompile(`^[-+]?[0-9][0-9_]*$`)
	yamlLineErr    = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)
	yamlAnchorErr  = regexp.MustCompile(`^yaml: unknown anchor '(.*)' referenced$`)
)

// decodeYAML parses data into a node tree. It returns the root node, or an
// *Error with the position of a syntax error. A YAML stream with a second
// document is an error: a topology is one document.
func decodeYAML(file string, data []byte) (root *yaml.Node, err error) {
	defer func() {
		// yaml.v3 reports its own errors by panicking and recovering; any
		// other panic is a parser bug, and a bad file must not crash nsgsim.
		if r := recover(); r != nil {
			root, err = nil, &Error{Pos{file, 1, 1}, fmt.Sprintf("YAML parser failed: %v", r)}
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if err == io.EOF {
			return nil, &Error{Pos{file, 1, 1}, "no topology in file; expected a mapping with keys such as virtualNetworks and networkSecurityGroups"}
		}
		return nil, yamlError(file, data, err)
	}
	var next yaml.Node
	switch err := dec.Decode(&next); {
	case err == nil:
		return nil, &Error{Pos{file, next.Line, max(next.Column, 1)}, "a second YAML document; a topology file holds one document"}
	case err != io.EOF:
		return nil, yamlError(file, data, err)
	}
	if len(doc.Content) == 0 || isNull(doc.Content[0]) {
		return nil, &Error{Pos{file, 1, 1}, "no topology in file; expected a mapping with keys such as virtualNetworks and networkSecurityGroups"}
	}
	return doc.Content[0], nil
}

// yamlError turns a yaml.v3 error ("yaml: line 3: could not find expected
// ':'") into an Error at FILE:LINE:1; yaml.v3 reports no column.
func yamlError(file string, data []byte, err error) *Error {
	msg := err.Error()
	if strings.HasSuffix(msg, "control characters are not allowed") {
		if i, r := firstControl(data); i >= 0 {
			return &Error{offsetPos(file, data, i), fmt.Sprintf("YAML syntax: control character %U is not allowed", r)}
		}
	}
	if m := yamlLineErr.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		line = max(line, 1)
		if m[2] == "found character that cannot start any token" {
			if col := leadingTab(data, line); col > 0 {
				return &Error{Pos{file, line, col}, "YAML syntax: a tab in the indentation; YAML indents with spaces"}
			}
		}
		return &Error{Pos{file, line, 1}, "YAML syntax: " + m[2]}
	}
	if m := yamlAnchorErr.FindStringSubmatch(msg); m != nil {
		p := Pos{file, 1, 1}
		if i := bytes.Index(data, []byte("*"+m[1])); i >= 0 {
			p = offsetPos(file, data, i)
		}
		return &Error{p, fmt.Sprintf("YAML syntax: alias *%s names no anchor &%s defined before it", m[1], m[1])}
	}
	return &Error{Pos{file, 1, 1}, "YAML syntax: " + strings.TrimPrefix(msg, "yaml: ")}
}

// leadingTab returns the column of a tab in the indentation of line n of
// data, or 0.
func leadingTab(data []byte, n int) int {
	lines := bytes.SplitN(data, []byte("\n"), n+1)
	if n > len(lines) {
		return 0
	}
	for i, c := range lines[n-1] {
		switch c {
		case ' ':
		case '\t':
			return i + 1
		default:
			return 0
		}
	}
	return 0
}

// firstControl returns the offset of the first character YAML does not
// allow in a stream (YAML 1.2, section 5.1, c-printable), and the
// character; -1 when there is none. data is valid UTF-8.
func firstControl(data []byte) (int, rune) {
	for i, r := range string(data) {
		switch {
		case r == '\t', r == '\n', r == '\r', 0x20 <= r && r <= 0x7E, r == 0x85,
			0xA0 <= r && r <= 0xD7FF, 0xE000 <= r && r <= 0xFFFD, 0x10000 <= r && r <= 0x10FFFF:
		default:
			return i, r
		}
	}
	return -1, 0
}

// offsetPos converts a byte offset into a line and a column counted in
// characters, as yaml.v3 counts them.
func offsetPos(file string, data []byte, off int) Pos {
	before := data[:off]
	line := 1 + bytes.Count(before, []byte("\n"))
	if i := bytes.LastIndexByte(before, '\n'); i >= 0 {
		before = before[i+1:]
	}
	return Pos{file, line, 1 + utf8.RuneCount(before)}
}

// checkLimits walks the whole tree, following aliases, and stops at the
// first node past MaxNodes or MaxDepth. It runs before decoding so that the
// decoder never meets a cycle (an alias to its own ancestor) or an
// exponential expansion.
func checkLimits(file string, root *yaml.Node) *Error {
	l := limiter{file: file}
	l.walk(root, 1, nil)
	return l.err
}

type limiter struct {
	file  string
	nodes int
	err   *Error
}

// walk counts n and what it contains. via is the outermost alias on the
// path to n: a limit crossed inside an alias expansion is reported where the
// alias was used.
func (l *limiter) walk(n *yaml.Node, depth int, via *yaml.Node) bool {
	if n == nil {
		return true
	}
	at := n
	if via != nil {
		at = via
	}
	l.nodes++
	switch {
	case l.nodes > MaxNodes:
		l.err = &Error{Pos{l.file, at.Line, at.Column}, fmt.Sprintf(
			"more than %d YAML nodes once aliases are expanded; nsgsim reads topologies up to %d nodes", MaxNodes, MaxNodes)}
		return false
	case depth > MaxDepth:
		l.err = &Error{Pos{l.file, at.Line, at.Column}, fmt.Sprintf(
			"nested more than %d levels deep; nsgsim reads topologies up to %d levels", MaxDepth, MaxDepth)}
		return false
	}
	if n.Kind == yaml.AliasNode {
		if via == nil {
			via = n
		}
		return l.walk(n.Alias, depth+1, via)
	}
	for _, c := range n.Content {
		if !l.walk(c, depth+1, via) {
			return false
		}
	}
	return true
}

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
	// asgRefIgnored are the keys besides id and name that an ARM reference
	// to an application security group may carry.
	asgRefIgnored = append([]string{"location", "tags", "properties", "resourceGuid"}, bookkeepingKeys...)
)

// decoder walks the node tree of a topology file.
type decoder struct {
	suggester
	file string
	dir  string // serviceTags is relative to it
	t    *Topology
	errs ErrorList
}

func (d *decoder) pos(n *yaml.Node) Pos {
	if n == nil {
		return Pos{File: d.file, Line: 1, Col: 1}
	}
	return Pos{File: d.file, Line: n.Line, Col: n.Column}
}

// errorf reports a problem at n, prefixed with the context ctx when there is one.
func (d *decoder) errorf(n *yaml.Node, ctx, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if ctx != "" {
		msg = ctx + ": " + msg
	}
	d.errs = append(d.errs, &Error{Pos: d.pos(n), Msg: clipQuoted(msg)})
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

// join makes the context of a key: "rule \"x\": priority".
func join(ctx, key string) string {
	if ctx == "" {
		return key
	}
	return ctx + ": " + key
}

type pair struct {
	k, v   *yaml.Node
	merged bool // from a merge key "<<"
}

// pairs returns the key-value pairs of mapping n, with the pairs of merge
// keys ("<<: *base") after the explicit ones.
func (d *decoder) pairs(n *yaml.Node, ctx string, depth int) []pair {
	var out, merged []pair
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
				for _, p := range d.pairs(s, ctx, depth+1) {
					merged = append(merged, pair{p.k, p.v, true})
				}
			}
			continue
		}
		out = append(out, pair{k: k, v: v})
	}
	return append(out, merged...)
}

// object reads mapping n as an object whose keys are known; keys in ignored
// are accepted and skipped. It records n's position and each key's value
// position in o, reports unknown and repeated keys, and returns the value
// nodes by key with null values left out (null means "not set", as in the
// az CLI's output). It returns false when n is not a mapping.
func (d *decoder) object(n *yaml.Node, ctx string, known, ignored []string, o *Origin) (map[string]*yaml.Node, bool) {
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
	m := make(map[string]*yaml.Node)
	seen := make(map[string]*yaml.Node)
	for _, p := range d.pairs(n, ctx, 0) {
		k := deref(p.k)
		if k == nil || k.Kind != yaml.ScalarNode {
			d.errorf(p.k, ctx, "expected a string key, got %s", describe(p.k))
			continue
		}
		key := k.Value
		if first, dup := seen[key]; dup {
			if !p.merged {
				d.errorf(k, ctx, "duplicate key %q; first at %d:%d", key, first.Line, first.Column)
			}
			continue
		}
		seen[key] = k
		switch {
		case contains(known, key):
			if o != nil {
				o.SetField(key, d.pos(p.v))
			}
			if !isNull(p.v) {
				m[key] = p.v
			}
		case contains(ignored, key):
		default:
			d.unknownKey(k, ctx, key, known)
		}
	}
	return m, true
}

func (d *decoder) unknownKey(k *yaml.Node, ctx, key string, known []string) {
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

// require reports the keys of keys that m lacks, at mapping n.
func (d *decoder) require(m map[string]*yaml.Node, n *yaml.Node, ctx string, keys ...string) {
	var missing []string
	for _, k := range keys {
		if _, ok := m[k]; !ok {
			missing = append(missing, strconv.Quote(k))
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
func (d *decoder) name(m map[string]*yaml.Node, n *yaml.Node, ctx, kind string) (string, string) {
	v, ok := m["name"]
	if !ok {
		d.errorf(deref(n), ctx, "missing required key \"name\"")
		return "", ctx
	}
	s, ok := d.str(v, ctx, "name")
	if !ok || s == "" {
		if ok {
			d.errorf(v, ctx, "name is empty")
		}
		return s, ctx
	}
	return s, fmt.Sprintf("%s %q", kind, s)
}

// str reads a scalar as a string. Any scalar is one: `name: 2024` is the
// string "2024".
func (d *decoder) str(v *yaml.Node, ctx, key string) (string, bool) {
	n := deref(v)
	if n == nil || n.Kind != yaml.ScalarNode {
		d.errorf(v, join(ctx, key), "expected a string, got %s", describe(v))
		return "", false
	}
	return n.Value, true
}

// integer reads an integer scalar. A quoted number is a string, not an
// integer, as in JSON.
func (d *decoder) integer(v *yaml.Node, ctx, key string) (int64, bool) {
	n := deref(v)
	if n != nil && n.Kind == yaml.ScalarNode && n.ShortTag() == "!!float" && decimalLiteral.MatchString(n.Value) {
		// yaml.v3 takes an integer past 64 bits for a float.
		d.errorf(v, join(ctx, key), "integer %q is out of range", n.Value)
		return 0, false
	}
	if n == nil || n.Kind != yaml.ScalarNode || n.ShortTag() != "!!int" {
		d.errorf(v, join(ctx, key), "expected an integer, got %s", describe(v))
		return 0, false
	}
	i, err := strconv.ParseInt(strings.ReplaceAll(n.Value, "_", ""), 0, 64)
	if err != nil {
		d.errorf(v, join(ctx, key), "integer %q is out of range", n.Value)
		return 0, false
	}
	return i, true
}

// boolean reads true or false.
func (d *decoder) boolean(v *yaml.Node, ctx, key string) bool {
	n := deref(v)
	if n == nil || n.Kind != yaml.ScalarNode || n.ShortTag() != "!!bool" {
		d.errorf(v, join(ctx, key), "expected true or false, got %s", describe(v))
		return false
	}
	return strings.EqualFold(n.Value, "true")
}

// list returns the items of a list; null is the empty list.
func (d *decoder) list(v *yaml.Node, ctx, key, what string) []*yaml.Node {
	if v == nil || isNull(v) {
		return nil
	}
	n := deref(v)
	if n.Kind != yaml.SequenceNode {
		d.errorf(v, join(ctx, key), "expected a list of %s, got %s", what, describe(v))
		return nil
	}
	return n.Content
}

// enum reads an enumeration with parse, case-insensitively.
func enum[T any](d *decoder, v *yaml.Node, ctx, key string, parse func(string) (T, bool), expected string) (T, bool) {
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

const (
	protocolsExpected   = "Tcp, Udp, Icmp, Esp, Ah or * (any)"
	accessExpected      = "Allow or Deny"
	directionExpected   = "Inbound or Outbound"
	osExpected          = "Linux or Windows"
	skuExpected         = "Developer, Basic, Standard or Premium"
	verdictExpected     = "Allow, Deny or Partial"
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
func (d *decoder) prefix(v *yaml.Node, ctx, key string) (netip.Prefix, bool) {
	s, ok := d.str(v, ctx, key)
	if !ok {
		return netip.Prefix{}, false
	}
	p, msg := parsePrefix(s)
	if msg != "" {
		d.errorf(v, join(ctx, key), "%s", msg)
		return netip.Prefix{}, false
	}
	return p, true
}

// addr reads one scalar as an IPv4 address.
func (d *decoder) addr(v *yaml.Node, ctx, key string) (netip.Addr, bool) {
	s, ok := d.str(v, ctx, key)
	if !ok {
		return netip.Addr{}, false
	}
	a, msg := parseAddr(s)
	if msg != "" {
		d.errorf(v, join(ctx, key), "%s", msg)
		return netip.Addr{}, false
	}
	return a, true
}

// prefixList reads a list of IPv4 addresses and CIDRs, recording the
// position of item i as "key[i]".
func (d *decoder) prefixList(v *yaml.Node, ctx, key string, o *Origin) []netip.Prefix {
	var out []netip.Prefix
	for i, item := range d.list(v, ctx, key, "IPv4 addresses or CIDRs") {
		k := fmt.Sprintf("%s[%d]", key, i)
		o.SetField(k, d.pos(item))
		if p, ok := d.prefix(item, ctx, k); ok {
			out = append(out, p)
		}
	}
	return out
}

// nameList reads a list of names.
func (d *decoder) nameList(v *yaml.Node, ctx, key, what string, o *Origin) []string {
	var out []string
	for i, item := range d.list(v, ctx, key, what) {
		k := fmt.Sprintf("%s[%d]", key, i)
		o.SetField(k, d.pos(item))
		if s, ok := d.str(item, ctx, k); ok {
			out = append(out, s)
		}
	}
	return out
}

// portRange reads "443", 443, "8080-8090" or "*".
func (d *decoder) portRange(v *yaml.Node, ctx, key string) (PortRange, bool) {
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
		d.errorf(v, join(ctx, key), "%v%s", err, hint)
		return PortRange{}, false
	}
	return r, true
}

// portRanges reads the singular and plural port fields of a rule or flow.
// It returns the ranges, whether any field was set, and whether all parsed.
func (d *decoder) portRanges(m map[string]*yaml.Node, ctx, singular string, o *Origin) ([]PortRange, bool) {
	plural := singular + "s"
	var out []PortRange
	sv, hasS := m[singular]
	if hasS && isEmptyString(sv) {
		hasS = false
	}
	items := d.list(m[plural], ctx, plural, "port ranges")
	if hasS && len(items) > 0 {
		d.errorf(m[plural], ctx, "both %s and %s are set; expected one of them", singular, plural)
	}
	if hasS {
		if r, ok := d.portRange(sv, ctx, singular); ok {
			out = append(out, r)
		}
	}
	for i, item := range items {
		k := fmt.Sprintf("%s[%d]", plural, i)
		o.SetField(k, d.pos(item))
		if r, ok := d.portRange(item, ctx, k); ok {
			out = append(out, r)
		}
	}
	return out, hasS || len(items) > 0
}

func isEmptyString(v *yaml.Node) bool {
	n := deref(v)
	return n != nil && n.Kind == yaml.ScalarNode && n.Value == "" && n.ShortTag() == "!!str"
}

func (d *decoder) topology(root *yaml.Node) bool {
	t := d.t
	root = deref(root)
	if root == nil || root.Kind != yaml.MappingNode {
		d.errorf(root, "", "expected a mapping with keys such as virtualNetworks and networkSecurityGroups, got %s", describe(root))
		return false
	}
	m, _ := d.object(root, "", topologyKeys, nil, &t.Origin)
	if v, ok := m["name"]; ok {
		t.Name, _ = d.str(v, "", "name")
	}
	if v, ok := m["location"]; ok {
		t.Location, _ = d.str(v, "", "location")
	}
	// Service tags first: rules name tags that only the file may know.
	if v, ok := m["serviceTags"]; ok {
		d.serviceTags(v)
	}
	t.VirtualNetworks = decodeList(d, m, "virtualNetworks", "virtual networks", d.virtualNetwork)
	t.NetworkSecurityGroups = decodeList(d, m, "networkSecurityGroups", "network security groups", d.networkSecurityGroup)
	t.ApplicationSecurityGroups = decodeList(d, m, "applicationSecurityGroups", "application security groups", d.applicationSecurityGroup)
	t.VirtualMachines = decodeList(d, m, "virtualMachines", "virtual machines", d.virtualMachine)
	t.BastionHosts = decodeList(d, m, "bastionHosts", "Bastion hosts", d.bastionHost)
	t.Clients = decodeList(d, m, "clients", "clients", d.client)
	t.Flows = decodeList(d, m, "flows", "flows", d.flow)
	t.Expectations = decodeList(d, m, "expectations", "expectations", d.expectation)
	return true
}

// decodeList decodes the top-level list m[key] of what, one object at a
// time with decode, keeping the objects that decode.
func decodeList[T any](d *decoder, m map[string]*yaml.Node, key, what string, decode func(*yaml.Node, int) *T) []*T {
	var out []*T
	for i, n := range d.list(m[key], "", key, what) {
		if x := decode(n, i); x != nil {
			out = append(out, x)
		}
	}
	return out
}

// serviceTags reads the Service Tags file named by v, relative to the
// topology file's directory.
func (d *decoder) serviceTags(v *yaml.Node) {
	path, ok := d.str(v, "", "serviceTags")
	if !ok || path == "" {
		return
	}
	d.t.ServiceTagsFile = path
	if strings.Contains(path, "://") {
		d.errorf(v, "", "serviceTags %q is a URL; nsgsim works offline: download the file (https://www.microsoft.com/download/details.aspx?id=56519) and name its path", path)
		return
	}
	full := path
	if !filepath.IsAbs(full) {
		full = filepath.Join(d.dir, path)
	}
	// Refuse what ReadServiceTags would read forever or at length.
	fi, err := os.Stat(full)
	switch {
	case err != nil:
		d.errorf(v, "", "serviceTags %q: %v", path, pathErrorCause(err))
		return
	case fi.IsDir():
		d.errorf(v, "", "serviceTags %q is a directory; expected an Azure Service Tags JSON file", path)
		return
	case !fi.Mode().IsRegular():
		d.errorf(v, "", "serviceTags %q is not a regular file; expected an Azure Service Tags JSON file", path)
		return
	case fi.Size() > maxServiceTagsSize:
		d.errorf(v, "", "serviceTags %q is %d bytes; nsgsim reads Service Tags files up to 64 MiB", path, fi.Size())
		return
	}
	st, err := ReadServiceTags(full)
	var se *ServiceTagsError
	switch {
	case errors.As(err, &se) && se.Line > 0:
		// The message names the file once, as written in the topology.
		d.errorf(v, "", "serviceTags %q: line %d, column %d: %s", path, se.Line, se.Col, se.Msg)
	case errors.As(err, &se):
		d.errorf(v, "", "serviceTags %q: %s", path, se.Msg)
	case err != nil:
		d.errorf(v, "", "serviceTags %q: %v", path, pathErrorCause(err))
	default:
		d.t.ServiceTags = st
	}
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
	ctx := fmt.Sprintf("virtualNetworks[%d]", i)
	m, ok := d.object(n, ctx, virtualNetworkKeys, nil, &v.Origin)
	if !ok {
		return nil
	}
	v.Name, ctx = d.name(m, n, ctx, "virtual network")
	d.require(m, n, ctx, "addressSpace")
	v.AddressSpace = d.prefixList(m["addressSpace"], ctx, "addressSpace", &v.Origin)
	v.Peerings = d.nameList(m["peerings"], ctx, "peerings", "virtual network names", &v.Origin)
	v.OnPremisesPrefixes = d.prefixList(m["onPremisesPrefixes"], ctx, "onPremisesPrefixes", &v.Origin)
	for j, sn := range d.list(m["subnets"], ctx, "subnets", "subnets") {
		if s := d.subnet(sn, v.Name, ctx, j); s != nil {
			v.Subnets = append(v.Subnets, s)
		}
	}
	return v
}

func (d *decoder) subnet(n *yaml.Node, vnet, vctx string, i int) *Subnet {
	s := &Subnet{}
	ctx := fmt.Sprintf("%s: subnets[%d]", vctx, i)
	m, ok := d.object(n, ctx, subnetKeys, nil, &s.Origin)
	if !ok {
		return nil
	}
	s.Name, _ = d.name(m, n, ctx, "subnet")
	switch {
	case s.Name != "" && vnet != "":
		ctx = fmt.Sprintf("subnet %q", vnet+"/"+s.Name)
	case s.Name != "":
		ctx = fmt.Sprintf("%s: subnet %q", vctx, s.Name)
	}
	d.require(m, n, ctx, "addressPrefix")
	if v, ok := m["addressPrefix"]; ok {
		s.AddressPrefix, _ = d.prefix(v, ctx, "addressPrefix")
	}
	if v, ok := m["networkSecurityGroup"]; ok {
		s.NetworkSecurityGroup, _ = d.str(v, ctx, "networkSecurityGroup")
	}
	if v, ok := m["routeTable"]; ok {
		s.RouteTable, _ = d.str(v, ctx, "routeTable")
	}
	return s
}

func (d *decoder) networkSecurityGroup(n *yaml.Node, i int) *NetworkSecurityGroup {
	g := &NetworkSecurityGroup{}
	ctx := fmt.Sprintf("networkSecurityGroups[%d]", i)
	m, ok := d.object(n, ctx, nsgKeys, nil, &g.Origin)
	if !ok {
		return nil
	}
	g.Name, ctx = d.name(m, n, ctx, "network security group")
	for j, rn := range d.list(m["securityRules"], ctx, "securityRules", "security rules") {
		if r := d.securityRule(rn, ctx, j); r != nil {
			g.SecurityRules = append(g.SecurityRules, r)
		}
	}
	return g
}

// securityRule reads a rule, flat (as az prints it and SPEC 1 shows it) or
// wrapped the ARM way, {name, properties: {...}}
// (https://learn.microsoft.com/en-us/rest/api/virtualnetwork/security-rules/get).
func (d *decoder) securityRule(n *yaml.Node, gctx string, i int) *SecurityRule {
	r := &SecurityRule{}
	ctx := fmt.Sprintf("%s: securityRules[%d]", gctx, i)
	outerKeys := append(append([]string{"properties"}, ruleKeys...), bookkeepingKeys...)
	m, ok := d.object(n, ctx, outerKeys, nil, &r.Origin)
	if !ok {
		return nil
	}
	for _, k := range bookkeepingKeys {
		delete(m, k)
	}
	r.Name, _ = d.name(m, n, ctx, "rule")
	if r.Name != "" {
		ctx = fmt.Sprintf("rule %q", r.Name)
	}
	if props, ok := m["properties"]; ok {
		delete(m, "properties")
		inner, ok := d.object(props, join(ctx, "properties"), ruleKeys[1:], bookkeepingKeys, &r.Origin)
		if ok {
			for k, v := range inner {
				if first, dup := m[k]; dup {
					d.errorf(v, ctx, "key %q is set both inside and outside properties (first at %d:%d)", k, first.Line, first.Column)
					continue
				}
				m[k] = v
			}
		}
		// A key inside properties took the position of the value there;
		// one outside keeps its own (SetField ran in order, outer first).
		for k, v := range m {
			r.SetField(k, d.pos(v))
		}
	}
	d.require(m, n, ctx, "priority", "direction", "access", "protocol")
	if v, ok := m["description"]; ok {
		r.Description, _ = d.str(v, ctx, "description")
	}
	if v, ok := m["priority"]; ok {
		if p, ok := d.integer(v, ctx, "priority"); ok {
			if p < 0 || p > 1<<31-1 {
				d.errorf(v, ctx, "priority %d out of range [100, 4096]", p)
			} else {
				r.Priority = int(p)
			}
		}
	}
	if v, ok := m["direction"]; ok {
		r.Direction, _ = enum(d, v, ctx, "direction", ParseDirection, directionExpected)
	}
	if v, ok := m["access"]; ok {
		r.Access, _ = enum(d, v, ctx, "access", ParseAccess, accessExpected)
	}
	if v, ok := m["protocol"]; ok {
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
func (d *decoder) ruleSide(m map[string]*yaml.Node, n *yaml.Node, ctx, side string, o *Origin) Addresses {
	var a Addresses
	singular, plural, asgs := side+"AddressPrefix", side+"AddressPrefixes", side+"ApplicationSecurityGroups"
	var set []string // the fields given, non-empty
	if v, ok := m[singular]; ok && !isEmptyString(v) {
		set = append(set, singular)
		if s, ok := d.str(v, ctx, singular); ok {
			a = d.address(v, s, ctx, singular)
		}
	}
	items := d.list(m[plural], ctx, plural, "IPv4 addresses or CIDRs")
	if len(items) > 0 {
		set = append(set, plural)
	}
	for i, item := range items {
		k := fmt.Sprintf("%s[%d]", plural, i)
		o.SetField(k, d.pos(item))
		s, ok := d.str(item, ctx, k)
		if !ok {
			continue
		}
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
	refs := d.list(m[asgs], ctx, asgs, "application security groups")
	if len(refs) > 0 {
		set = append(set, asgs)
		a.ApplicationSecurityGroups = d.asgRefs(refs, ctx, asgs, o)
	}
	switch len(set) {
	case 0:
		d.errorf(deref(n), ctx, "no %s (expected %s, %s or %s)", side, singular, plural, asgs)
	case 1:
	default:
		d.errorf(m[set[1]], ctx, "both %s and %s are set; expected one of them", set[0], set[1])
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
func (d *decoder) address(v *yaml.Node, s, ctx, key string) Addresses {
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
	if looksLikeTag(s) {
		d.unknownTag(v, ctx, key, s)
		return Addresses{}
	}
	if strings.Contains(s, ":") { // IPv6, or no address at all
		d.errorf(v, join(ctx, key), "%s", msg)
		return Addresses{}
	}
	d.errorf(v, join(ctx, key), "%q is not \"*\", a service tag, an IPv4 address or a CIDR", s)
	return Addresses{}
}

func (d *decoder) unknownTag(v *yaml.Node, ctx, key, s string) {
	candidates := builtinTags
	if d.t.ServiceTags != nil {
		candidates = append(d.t.ServiceTags.Names(), builtinTags...)
	}
	hint := ""
	if d.t.ServiceTags == nil {
		hint = " (name a Service Tags file in serviceTags for tags nsgsim does not know)"
	}
	if sug := d.suggest(s, candidates); sug != "" {
		d.errorf(v, join(ctx, key), "unknown service tag %q; did you mean %q?", s, sug)
		return
	}
	d.errorf(v, join(ctx, key), "unknown service tag %q%s", s, hint)
}

// asgRefs reads application security group references: names, or ARM
// objects {id: /subscriptions/.../applicationSecurityGroups/NAME}.
func (d *decoder) asgRefs(items []*yaml.Node, ctx, key string, o *Origin) []string {
	var out []string
	for i, item := range items {
		k := fmt.Sprintf("%s[%d]", key, i)
		o.SetField(k, d.pos(item))
		n := deref(item)
		if n != nil && n.Kind == yaml.MappingNode {
			m, _ := d.object(n, join(ctx, k), []string{"id", "name"}, asgRefIgnored, nil)
			if name, ok := d.asgRefObject(m, n, join(ctx, k)); ok {
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

func (d *decoder) asgRefObject(m map[string]*yaml.Node, n *yaml.Node, ctx string) (string, bool) {
	var name string
	if v, ok := m["name"]; ok {
		name, _ = d.str(v, ctx, "name")
	}
	v, ok := m["id"]
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
		d.errorf(v, join(ctx, "id"), "%q is not an application security group ID (.../applicationSecurityGroups/NAME)", id)
		return "", false
	}
	last := segs[len(segs)-1]
	if name != "" && name != last {
		d.errorf(v, join(ctx, "id"), "%q names application security group %q, but name is %q", id, last, name)
		return "", false
	}
	return last, true
}

func (d *decoder) applicationSecurityGroup(n *yaml.Node, i int) *ApplicationSecurityGroup {
	a := &ApplicationSecurityGroup{}
	ctx := fmt.Sprintf("applicationSecurityGroups[%d]", i)
	m, ok := d.object(n, ctx, asgKeys, nil, &a.Origin)
	if !ok {
		return nil
	}
	a.Name, _ = d.name(m, n, ctx, "application security group")
	return a
}

func (d *decoder) virtualMachine(n *yaml.Node, i int) *VirtualMachine {
	vm := &VirtualMachine{}
	ctx := fmt.Sprintf("virtualMachines[%d]", i)
	m, ok := d.object(n, ctx, virtualMachineKeys, nil, &vm.Origin)
	if !ok {
		return nil
	}
	vm.Name, ctx = d.name(m, n, ctx, "virtual machine")
	d.require(m, n, ctx, "subnet", "privateIpAddress", "os")
	if v, ok := m["subnet"]; ok {
		if s, ok := d.str(v, ctx, "subnet"); ok {
			vnet, subnet, found := strings.Cut(s, "/")
			if !found || vnet == "" || subnet == "" || strings.Contains(subnet, "/") {
				d.errorf(v, join(ctx, "subnet"), "%q is not VNET/SUBNET (for example \"hub/workload\")", s)
			} else {
				vm.VirtualNetwork, vm.Subnet = vnet, subnet
			}
		}
	}
	if v, ok := m["privateIpAddress"]; ok {
		vm.PrivateIPAddress, _ = d.addr(v, ctx, "privateIpAddress")
	}
	if v, ok := m["os"]; ok {
		vm.OS, _ = enum(d, v, ctx, "os", ParseOS, osExpected)
	}
	if v, ok := m["networkSecurityGroup"]; ok {
		vm.NetworkSecurityGroup, _ = d.str(v, ctx, "networkSecurityGroup")
	}
	vm.ApplicationSecurityGroups = d.nameList(m["applicationSecurityGroups"], ctx, "applicationSecurityGroups", "application security group names", &vm.Origin)
	if v, ok := m["publicIpAddress"]; ok {
		vm.PublicIPAddress, _ = d.addr(v, ctx, "publicIpAddress")
	}
	return vm
}

// bastionHost reads a Bastion host. Defaults: sku Standard (the REST API's
// default for sku.name in bastionHost.json) and scaleUnits 2 (the minimum,
// https://learn.microsoft.com/en-us/azure/bastion/configuration-settings).
func (d *decoder) bastionHost(n *yaml.Node, i int) *BastionHost {
	b := &BastionHost{SKU: Standard, ScaleUnits: 2}
	ctx := fmt.Sprintf("bastionHosts[%d]", i)
	m, ok := d.object(n, ctx, bastionHostKeys, nil, &b.Origin)
	if !ok {
		return nil
	}
	b.Name, ctx = d.name(m, n, ctx, "bastion host")
	d.require(m, n, ctx, "virtualNetwork")
	if v, ok := m["virtualNetwork"]; ok {
		b.VirtualNetwork, _ = d.str(v, ctx, "virtualNetwork")
	}
	if v, ok := m["sku"]; ok {
		if s, ok := enum(d, v, ctx, "sku", ParseSKU, skuExpected); ok {
			b.SKU = s
		}
	}
	if v, ok := m["scaleUnits"]; ok {
		if u, ok := d.integer(v, ctx, "scaleUnits"); ok {
			// Azure allows 2 to 50; outside that a finding says so. What
			// is not a count at all is rejected here.
			if u < 0 || u > 1<<31-1 {
				d.errorf(v, ctx, "scaleUnits %d is not a number of instances (Azure allows 2 to 50)", u)
			} else {
				b.ScaleUnits = int(u)
			}
		}
	}
	for _, f := range b.Flags() {
		if v, ok := m[f.Name]; ok {
			*f.Value = d.boolean(v, ctx, f.Name)
		}
	}
	for j, item := range d.list(m["customPorts"], ctx, "customPorts", "ports") {
		k := fmt.Sprintf("customPorts[%d]", j)
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
	ctx := fmt.Sprintf("clients[%d]", i)
	m, ok := d.object(n, ctx, clientKeys, nil, &c.Origin)
	if !ok {
		return nil
	}
	c.Name, ctx = d.name(m, n, ctx, "client")
	v, hasS := m["addressPrefix"]
	items := d.list(m["addressPrefixes"], ctx, "addressPrefixes", "IPv4 addresses or CIDRs")
	switch {
	case !hasS && len(items) == 0:
		d.errorf(deref(n), ctx, "no address (expected addressPrefix or addressPrefixes)")
	case hasS && len(items) > 0:
		d.errorf(m["addressPrefixes"], ctx, "both addressPrefix and addressPrefixes are set; expected one of them")
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
				d.errorf(v, join(ctx, "addressPrefix"), "%q is not an IPv4 address, a CIDR or a service tag", s)
			}
		}
	}
	c.AddressPrefixes = append(c.AddressPrefixes, d.prefixList(m["addressPrefixes"], ctx, "addressPrefixes", &c.Origin)...)
	return c
}

func (d *decoder) flow(n *yaml.Node, i int) *Flow {
	f := &Flow{Requirement: Optional}
	ctx := fmt.Sprintf("flows[%d]", i)
	m, ok := d.object(n, ctx, flowKeys, nil, &f.Origin)
	if !ok {
		return nil
	}
	f.Name, ctx = d.name(m, n, ctx, "flow")
	d.require(m, n, ctx, "source", "destination", "protocol")
	if v, ok := m["source"]; ok {
		f.Source, _ = d.str(v, ctx, "source")
	}
	if v, ok := m["destination"]; ok {
		f.Destination, _ = d.str(v, ctx, "destination")
	}
	protoOK := false
	if v, ok := m["protocol"]; ok {
		f.Protocol, protoOK = enum(d, v, ctx, "protocol", ParseProtocol, protocolsExpected)
	}
	if v, ok := m["destinationPort"]; ok {
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
	if v, ok := m["requirement"]; ok {
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
	ctx := fmt.Sprintf("expectations[%d]", i)
	m, ok := d.object(n, ctx, expectationKeys, nil, &e.Origin)
	if !ok {
		return nil
	}
	d.require(m, n, ctx, "flow", "verdict")
	if v, ok := m["flow"]; ok {
		if s, ok := d.str(v, ctx, "flow"); ok {
			e.Flow = s
			ctx = fmt.Sprintf("expectation for %q", s)
		}
	}
	if v, ok := m["verdict"]; ok {
		e.Verdict, _ = enum(d, v, ctx, "verdict", ParseVerdict, verdictExpected)
	}
	if v, ok := m["intended"]; ok {
		e.Intended = d.boolean(v, ctx, "intended")
	}
	return e
}

// canonicalFlowEndpoints spells a flow endpoint that is a service tag the
// canonical way ("internet" becomes "Internet"), unless it names a VM,
// client or Bastion host.
func (d *decoder) canonicalFlowEndpoints() {
	t := d.t
	for _, f := range t.Flows {
		for _, p := range []*string{&f.Source, &f.Destination} {
			if *p == "" || t.endpointObject(*p) {
				continue
			}
			if tag, ok := CanonicalTag(*p, t.ServiceTags); ok {
				*p = tag
			}
		}
	}
}

// endpointObject reports whether name is a VM, client or Bastion host.
func (t *Topology) endpointObject(name string) bool {
	return t.VirtualMachineByName(name) != nil || t.ClientByName(name) != nil || t.BastionHostByName(name) != nil
}

// suggestBudget bounds the "did you mean" work for one load or Validate
// call, counted in characters compared: a hostile file with thousands of
// misspellings among a hundred thousand names gets the first suggestions
// only, and still every problem, in well under a second.
const suggestBudget = 20_000_000

// suggester makes suggestions until its budget is spent.
type suggester struct{ used int }

func (s *suggester) suggest(word string, candidates []string) string {
	if s.used >= suggestBudget {
		return ""
	}
	sug, work := suggestWithin(word, candidates, suggestBudget-s.used)
	s.used += work
	return sug
}

// suggest returns the candidate closest to s: one equal to it but for case,
// or else one within two edits; "" when none is close.
func suggest(s string, candidates []string) string {
	sug, _ := suggestWithin(s, candidates, math.MaxInt)
	return sug
}

// suggestWithin is suggest that gives up, returning "", once it has
// compared more than budget characters. It returns the characters compared.
func suggestWithin(s string, candidates []string, budget int) (string, int) {
	work := 0
	for _, c := range candidates {
		if work += len(c) + 1; work > budget {
			return "", work
		}
		if strings.EqualFold(s, c) {
			return c, work
		}
	}
	best, bestDist := "", 3
	ls := strings.ToLower(s)
	n := utf8.RuneCountInString(s)
	if n > 100 {
		return "", work
	}
	for _, c := range candidates {
		if work++; work > budget {
			return "", work
		}
		if m := utf8.RuneCountInString(c); m < n-2 || m > n+2 {
			continue // more than two edits apart
		}
		if work += (n + 1) * (n + 3); work > budget {
			return "", work
		}
		dist := editDistance(ls, strings.ToLower(c))
		// Two edits turn any short word into another; demand that most of
		// the word survive.
		if dist < bestDist && 2*dist < n {
			best, bestDist = c, dist
		}
	}
	return best, work
}

// editDistance counts the insertions, deletions, substitutions and
// transpositions of adjacent runes that turn a into b (the optimal string
// alignment distance: "hbu" is one edit from "hub").
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	if len(ra) > 200 || len(rb) > 200 {
		return 1 << 30
	}
	rows := make([][]int, len(ra)+1)
	for i := range rows {
		rows[i] = make([]int, len(rb)+1)
		rows[i][0] = i
	}
	for j := range rows[0] {
		rows[0][j] = j
	}
	for i := 1; i <= len(ra); i++ {
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			rows[i][j] = min(rows[i-1][j]+1, rows[i][j-1]+1, rows[i-1][j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				rows[i][j] = min(rows[i][j], rows[i-2][j-2]+1)
			}
		}
	}
	return rows[len(ra)][len(rb)]
}
