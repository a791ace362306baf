package fix

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/nsgsim/nsgsim/internal/bom"
	"github.com/nsgsim/nsgsim/topology"
)

// fix --emit yaml edits the user's document as text rather than writing a
// new one: yaml.v3's encoder cannot leave lines it did not change alone, so
// the plan becomes edits at the positions of the document's nodes. Comments,
// key order, quoting and flow style all stay; the lines that change are the
// rules the fix adds, the priorities it moves and the expectations it
// rewrites. --emit patch prints the same edits as a unified diff.

// errNotYAML is why an edit is impossible: the topology was not read from
// a YAML file that still says what it said when it was loaded.
var errNotYAML = errors.New("no YAML file to edit")

// source is the user's YAML document: its text, split into lines that keep
// their endings, and its node tree.
type source struct {
	path  string
	lines []string
	eol   string // the document's line ending, for inserted lines
	root  *yaml.Node
}

// readSource reads the YAML text that t was loaded from. It fails with
// errNotYAML when t has no file, or when the file is not YAML (an az, ARM or
// Terraform input, imported).
func readSource(t *topology.Topology) (*source, error) {
	if t.File == "" {
		return nil, fmt.Errorf("%w: the topology was not read from a file", errNotYAML)
	}
	data, err := os.ReadFile(t.File)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w: %s is not on disk (a built-in scenario, or a file that moved)", errNotYAML, t.File)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errNotYAML, err)
	}
	return parseSource(t, data)
}

func parseSource(t *topology.Topology, data []byte) (*source, error) {
	if isJSON(data) {
		return nil, fmt.Errorf("%w: %s is JSON (an az, ARM or Terraform input)", errNotYAML, t.File)
	}
	// Whether the file still says what t says is checked once, on the
	// edited text (Plan.checkedEdits): it must load as the patched topology.
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil || doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 {
		return nil, fmt.Errorf("%w: %s is not one YAML document", errNotYAML, t.File)
	}
	s := &source{path: t.File, lines: strings.SplitAfter(string(data), "\n"), eol: "\n", root: doc.Content[0]}
	if s.lines[len(s.lines)-1] == "" {
		s.lines = s.lines[:len(s.lines)-1]
	}
	if bytes.Count(data, []byte("\r\n")) > bytes.Count(data, []byte("\n"))/2 {
		s.eol = "\r\n"
	}
	return s, nil
}

// isJSON reports whether data starts, after blanks and a byte-order mark,
// with "{" or "[": how nsgsim's inputs tell JSON from YAML.
func isJSON(data []byte) bool {
	data = bom.Trim(data)
	data = bytes.TrimLeft(data, " \t\r\n")
	return len(data) > 0 && (data[0] == '{' || data[0] == '[')
}

// charEdit replaces del bytes at byte offset off of line (0-based) with ins.
type charEdit struct {
	line, off, del int
	ins            string
}

// lineInsert inserts lines before line (0-based; len(lines) appends).
type lineInsert struct {
	before int
	lines  []string
}

// editor collects the edits of one plan to one source.
type editor struct {
	src     *source
	chars   []charEdit
	inserts []lineInsert
	deleted map[int]bool // original lines (0-based) to drop
}

// edits computes the text edits that make the source document say what
// p.Patched says, where it differs from p.Original in what a fix (or a
// review in nsgsim serve) changes: rules added (under a comment giving the
// reason of p.Added), rules whose priority moved, rules changed or removed,
// and expectations' verdicts.
func (p *Plan) edits(src *source) (*editor, error) {
	e := &editor{src: src, deleted: make(map[int]bool)}
	reasons := make(map[string]string)
	for _, a := range p.Added {
		reasons[a.NSG+"\x00"+a.Rule.Name] = a.Reason
	}
	for _, g := range p.Patched.NetworkSecurityGroups {
		og := p.Original.NetworkSecurityGroupByName(g.Name)
		if og == nil {
			return nil, fmt.Errorf("network security group %q is not in %s", g.Name, src.path)
		}
		if err := e.nsgEdits(og, g, reasons); err != nil {
			return nil, err
		}
	}
	if len(p.Patched.Expectations) != len(p.Original.Expectations) {
		return nil, fmt.Errorf("the fix adds or removes expectations; only verdicts are edited")
	}
	items := seqItems(mapValue(src.root, "expectations"))
	for i, x := range p.Patched.Expectations {
		o := p.Original.Expectations[i]
		if x.Flow != o.Flow || x.Intended != o.Intended || i >= len(items) {
			return nil, fmt.Errorf("expectation for %q changed in more than its verdict", x.Flow)
		}
		if x.Verdict == o.Verdict {
			continue
		}
		if err := e.replaceScalar(mapValue(items[i], "verdict"), x.Verdict.String()); err != nil {
			return nil, fmt.Errorf("expectation for %q: %w", x.Flow, err)
		}
	}
	// A line appended after a last line that has no ending gives it one.
	n := len(src.lines)
	for _, in := range e.inserts {
		if in.before == n && n > 0 && !strings.HasSuffix(src.lines[n-1], "\n") {
			e.chars = append(e.chars, charEdit{n - 1, len(src.lines[n-1]), 0, src.eol})
			break
		}
	}
	return e, nil
}

// nsgEdits edits the rules of one NSG from og's to g's: each rule of g not
// in og is inserted before the next rule of g that og has (or after the
// last); a rule whose priority alone changed gets its new priority; a rule
// otherwise changed is written anew in its place; a rule og has and g has
// not is removed.
func (e *editor) nsgEdits(og, g *topology.NetworkSecurityGroup, reasons map[string]string) error {
	orig := make(map[string]*topology.SecurityRule, len(og.SecurityRules))
	for _, r := range og.SecurityRules {
		orig[r.Name] = r
	}
	kept := make(map[string]bool)
	var pending []Addition
	flush := func(before string) error {
		if len(pending) == 0 {
			return nil
		}
		err := e.insertRules(g.Name, before, pending)
		pending = nil
		return err
	}
	for _, r := range g.SecurityRules {
		o, ok := orig[r.Name]
		if !ok {
			pending = append(pending, Addition{NSG: g.Name, Rule: r, Reason: reasons[g.Name+"\x00"+r.Name]})
			continue
		}
		kept[r.Name] = true
		if err := flush(r.Name); err != nil {
			return err
		}
		if ruleText(o) == ruleText(r) {
			continue
		}
		item, err := e.ruleItem(g.Name, r.Name)
		if err != nil {
			return err
		}
		moved := *o
		moved.Priority = r.Priority
		if ruleText(&moved) == ruleText(r) {
			prio := mapValue(item, "priority")
			if prio == nil {
				prio = mapValue(mapValue(item, "properties"), "priority")
			}
			if err := e.replaceScalar(prio, strconv.Itoa(r.Priority)); err != nil {
				return fmt.Errorf("rule %q of %q: %w", r.Name, g.Name, err)
			}
			continue
		}
		if err := e.replaceRule(item, Addition{NSG: g.Name, Rule: r, Reason: reasons[g.Name+"\x00"+r.Name]}); err != nil {
			return fmt.Errorf("rule %q of %q: %w", r.Name, g.Name, err)
		}
	}
	if err := flush(""); err != nil {
		return err
	}
	for _, o := range og.SecurityRules {
		if kept[o.Name] {
			continue
		}
		item, err := e.ruleItem(g.Name, o.Name)
		if err != nil {
			return err
		}
		if err := e.deleteItem(item); err != nil {
			return fmt.Errorf("rule %q of %q: %w", o.Name, g.Name, err)
		}
	}
	return nil
}

// itemLines returns the original lines (0-based, [from, to)) that hold the
// block sequence item item and nothing else, with the column of its dash;
// ok is false when the item shares a line with something else.
func (e *editor) itemLines(item *yaml.Node) (from, to, dash int, ok bool) {
	dash, err := e.dashColumn(item)
	if err != nil {
		return 0, 0, 0, false
	}
	from, to = item.Line-1, e.lastLine(item)+1
	if item.Style&yaml.FlowStyle != 0 {
		line, off, err := e.closingBracket(item)
		if err != nil || line != from {
			return 0, 0, 0, false
		}
		rest := strings.TrimSpace(e.src.lines[line][off+1:])
		if rest != "" && !strings.HasPrefix(rest, "#") {
			return 0, 0, 0, false
		}
		to = from + 1
	}
	return from, to, dash, true
}

// replaceRule writes rule a anew in place of the rule item item, in the
// item's style.
func (e *editor) replaceRule(item *yaml.Node, a Addition) error {
	from, to, dash, ok := e.itemLines(item)
	if !ok {
		return fmt.Errorf("%s:%d:%d: the rule shares its line with others; edit it by hand", e.src.path, item.Line, item.Column)
	}
	var lines []string
	if item.Style&yaml.FlowStyle != 0 {
		lines = []string{strings.Repeat(" ", dash) + "- " + flowRule(a.Rule) + e.src.eol}
		if a.Reason != "" {
			lines = append([]string{e.commentLine(dash, a)}, lines...)
		}
	} else {
		lines = e.blockLines(dash, []Addition{a})
	}
	for l := from; l < to; l++ {
		e.deleted[l] = true
	}
	e.inserts = append(e.inserts, lineInsert{from, lines})
	return nil
}

// deleteItem removes the lines of a block sequence item.
func (e *editor) deleteItem(item *yaml.Node) error {
	from, to, _, ok := e.itemLines(item)
	if !ok {
		return fmt.Errorf("%s:%d:%d: the rule shares its line with others; remove it by hand", e.src.path, item.Line, item.Column)
	}
	for l := from; l < to; l++ {
		e.deleted[l] = true
	}
	return nil
}

// nsgItem finds the mapping of NSG name.
func (e *editor) nsgItem(name string) (*yaml.Node, error) {
	for _, item := range seqItems(mapValue(e.src.root, "networkSecurityGroups")) {
		if n := mapValue(item, "name"); n != nil && n.Value == name {
			return item, nil
		}
	}
	return nil, fmt.Errorf("network security group %q not found in %s", name, e.src.path)
}

// ruleItem finds the mapping of rule name in NSG nsg.
func (e *editor) ruleItem(nsg, name string) (*yaml.Node, error) {
	g, err := e.nsgItem(nsg)
	if err != nil {
		return nil, err
	}
	for _, item := range seqItems(mapValue(g, "securityRules")) {
		if n := mapValue(item, "name"); n != nil && n.Value == name {
			return item, nil
		}
	}
	return nil, fmt.Errorf("rule %q of network security group %q not found in %s", name, nsg, e.src.path)
}

// insertRules inserts rules into the securityRules of NSG nsg, before the
// rule named before, or after the last rule when before is "".
func (e *editor) insertRules(nsg, before string, rules []Addition) error {
	g, err := e.nsgItem(nsg)
	if err != nil {
		return err
	}
	if g.Style&yaml.FlowStyle != 0 {
		// {name: ..., securityRules: [...]}: keep the flow style.
		seq := mapValue(g, "securityRules")
		if seq == nil || seq.Kind != yaml.SequenceNode {
			return fmt.Errorf("network security group %q at %s:%d:%d is written in flow style without a securityRules list; add one (securityRules: []) and run fix again",
				nsg, e.src.path, g.Line, g.Column)
		}
	}
	key, seq := mapEntry(g, "securityRules")
	switch {
	case seq != nil && seq.Kind == yaml.SequenceNode && seq.Style&yaml.FlowStyle != 0:
		return e.insertFlow(seq, before, rules)
	case seq != nil && seq.Kind == yaml.SequenceNode && len(seq.Content) > 0:
		return e.insertBlock(seq, before, rules)
	case seq != nil && seq.Kind == yaml.ScalarNode && seq.Tag == "!!null":
		// securityRules: (empty), null or ~: the value becomes the list.
		if seq.Value != "" {
			if err := e.replaceScalar(seq, ""); err != nil {
				return err
			}
		}
		dash := key.Column - 1 + 2
		e.inserts = append(e.inserts, lineInsert{key.Line, e.blockLines(dash, rules)})
		return nil
	case seq == nil:
		// No securityRules key: add it at the end of the NSG's mapping.
		keyCol := g.Content[0].Column
		last := e.lastLine(g)
		lines := []string{strings.Repeat(" ", keyCol-1) + "securityRules:" + e.src.eol}
		lines = append(lines, e.blockLines(keyCol-1+2, rules)...)
		e.inserts = append(e.inserts, lineInsert{last + 1, lines})
		return nil
	}
	return fmt.Errorf("securityRules of %q at %s:%d:%d is not a list", nsg, e.src.path, seq.Line, seq.Column)
}

// insertBlock inserts rules into a block sequence, in the style of its
// items: block mappings, or one flow mapping per line.
func (e *editor) insertBlock(seq *yaml.Node, before string, rules []Addition) error {
	items := seq.Content
	at := len(items)
	for i, item := range items {
		if n := mapValue(item, "name"); n != nil && n.Value == before {
			at = i
		}
	}
	ref := items[min(at, len(items)-1)]
	dash, err := e.dashColumn(ref)
	if err != nil {
		return err
	}
	var lines []string
	if ref.Style&yaml.FlowStyle != 0 {
		for _, a := range rules {
			if a.Reason != "" {
				lines = append(lines, e.commentLine(dash, a))
			}
			lines = append(lines, strings.Repeat(" ", dash)+"- "+flowRule(a.Rule)+e.src.eol)
		}
	} else {
		lines = e.blockLines(dash, rules)
	}
	if at < len(items) {
		line := items[at].Line - 1
		// Comments just above the item describe it: insert above them.
		for line > 0 && strings.HasPrefix(strings.TrimSpace(e.src.lines[line-1]), "#") {
			line--
		}
		e.inserts = append(e.inserts, lineInsert{line, lines})
		return nil
	}
	e.inserts = append(e.inserts, lineInsert{e.lastLine(items[len(items)-1]) + 1, lines})
	return nil
}

// insertFlow inserts rules into a flow sequence [...] as flow mappings.
func (e *editor) insertFlow(seq *yaml.Node, before string, rules []Addition) error {
	var texts []string
	for _, a := range rules {
		texts = append(texts, flowRule(a.Rule))
	}
	for _, item := range seq.Content {
		if n := mapValue(item, "name"); n != nil && n.Value == before {
			line, off := item.Line-1, e.offset(item.Line-1, item.Column)
			e.chars = append(e.chars, charEdit{line, off, 0, strings.Join(texts, ", ") + ", "})
			return nil
		}
	}
	line, off, err := e.closingBracket(seq)
	if err != nil {
		return err
	}
	ins := strings.Join(texts, ", ")
	if len(seq.Content) > 0 {
		ins = ", " + ins
	}
	e.chars = append(e.chars, charEdit{line, off, 0, ins})
	return nil
}

// closingBracket finds the "]" that ends the flow sequence seq, reading
// quoted scalars and comments on the way.
func (e *editor) closingBracket(seq *yaml.Node) (line, off int, err error) {
	depth := 0
	line, off = seq.Line-1, e.offset(seq.Line-1, seq.Column)
	for ; line < len(e.src.lines); line, off = line+1, 0 {
		l := e.src.lines[line]
		for i := off; i < len(l); i++ {
			switch c := l[i]; c {
			case '[', '{':
				depth++
			case ']', '}':
				depth--
				if depth == 0 {
					return line, i, nil
				}
			case '#':
				if i == 0 || l[i-1] == ' ' || l[i-1] == '\t' {
					i = len(l)
				}
			case '"', '\'':
				j := i + 1
				for ; j < len(l); j++ {
					if c == '"' && l[j] == '\\' {
						j++
						continue
					}
					if l[j] == c {
						if c == '\'' && j+1 < len(l) && l[j+1] == '\'' {
							j++
							continue
						}
						break
					}
				}
				i = j
			}
		}
	}
	return 0, 0, fmt.Errorf("the list at %s:%d:%d has no closing bracket", e.src.path, seq.Line, seq.Column)
}

// dashColumn returns the 0-based byte column of the "-" that opens the
// block sequence item at item.
func (e *editor) dashColumn(item *yaml.Node) (int, error) {
	l := e.src.lines[item.Line-1]
	off := e.offset(item.Line-1, item.Column)
	i := strings.LastIndexByte(l[:off], '-')
	if i < 0 || strings.TrimSpace(l[:i]) != "" {
		return 0, fmt.Errorf("the list item at %s:%d:%d does not start its line with \"- \"; edit it by hand",
			e.src.path, item.Line, item.Column)
	}
	return i, nil
}

// lastLine returns the 0-based index of the last line that belongs to n:
// the line of its last descendant, and any lines after it indented deeper
// than n (a block scalar's).
func (e *editor) lastLine(n *yaml.Node) int {
	last := n.Line
	var walk func(*yaml.Node)
	walk = func(x *yaml.Node) {
		last = max(last, x.Line)
		for _, c := range x.Content {
			walk(c)
		}
	}
	walk(n)
	i := last // 0-based index of the line after
	for ; i < len(e.src.lines); i++ {
		l := strings.TrimRight(e.src.lines[i], "\r\n")
		if strings.TrimSpace(l) == "" || len(l)-len(strings.TrimLeft(l, " ")) < n.Column {
			break
		}
	}
	return i - 1
}

// offset converts yaml.v3's column (1-based, in characters) on line (0-based)
// to a byte offset.
func (e *editor) offset(line, col int) int {
	l := e.src.lines[line]
	off := 0
	for range col - 1 {
		if off >= len(l) {
			break
		}
		_, size := utf8.DecodeRuneInString(l[off:])
		off += size
	}
	return off
}

// replaceScalar replaces the text of the scalar n with value, keeping its
// quoting. An empty value removes the scalar.
func (e *editor) replaceScalar(n *yaml.Node, value string) error {
	if n == nil || n.Kind != yaml.ScalarNode {
		return fmt.Errorf("%s: expected a scalar to edit", e.src.path)
	}
	line := n.Line - 1
	off := e.offset(line, n.Column)
	l := e.src.lines[line]
	var old, repl string
	switch {
	case n.Style&yaml.DoubleQuotedStyle != 0:
		old, repl = `"`+n.Value+`"`, `"`+value+`"`
	case n.Style&yaml.SingleQuotedStyle != 0:
		old, repl = "'"+n.Value+"'", "'"+value+"'"
	case n.Style == 0:
		old, repl = n.Value, value
	default:
		return fmt.Errorf("%s:%d:%d: a block scalar; edit it by hand", e.src.path, n.Line, n.Column)
	}
	if value == "" {
		repl = ""
	}
	if !strings.HasPrefix(l[off:], old) {
		return fmt.Errorf("%s:%d:%d: expected %q there", e.src.path, n.Line, n.Column, old)
	}
	e.chars = append(e.chars, charEdit{line, off, len(old), repl})
	return nil
}

// commentLine is a comment above an added rule saying why fix adds it.
func (e *editor) commentLine(indent int, a Addition) string {
	return strings.Repeat(" ", indent) + "# nsgsim fix: " + commentText(a.Reason) + e.src.eol
}

// blockLines writes rules as block sequence items whose dash is at column
// dash (0-based), each under a comment that says why.
func (e *editor) blockLines(dash int, rules []Addition) []string {
	var out []string
	for _, a := range rules {
		if a.Reason != "" {
			out = append(out, e.commentLine(dash, a))
		}
		for i, kv := range ruleFields(a.Rule) {
			prefix := strings.Repeat(" ", dash+2)
			if i == 0 {
				prefix = strings.Repeat(" ", dash) + "- "
			}
			out = append(out, prefix+kv[0]+": "+kv[1]+e.src.eol)
		}
	}
	return out
}

// flowRule writes a rule as one flow mapping.
func flowRule(r *topology.SecurityRule) string {
	var parts []string
	for _, kv := range ruleFields(r) {
		parts = append(parts, kv[0]+": "+kv[1])
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

// ruleFields are a rule's keys and YAML values, in the order of SPEC 1.
func ruleFields(r *topology.SecurityRule) [][2]string {
	out := [][2]string{
		{"name", yamlStr(r.Name)},
		{"priority", strconv.Itoa(r.Priority)},
		{"direction", r.Direction.String()},
		{"access", r.Access.String()},
		{"protocol", yamlStr(r.Protocol.String())},
	}
	side := func(name string, a topology.Addresses) {
		if len(a.ApplicationSecurityGroups) > 0 {
			out = append(out, [2]string{name + "ApplicationSecurityGroups", yamlList(a.ApplicationSecurityGroups)})
			return
		}
		vals := sideStrings(a)
		if len(vals) == 1 {
			out = append(out, [2]string{name + "AddressPrefix", yamlStr(vals[0])})
		} else {
			out = append(out, [2]string{name + "AddressPrefixes", yamlList(vals)})
		}
	}
	ports := func(singular string, rs []topology.PortRange) {
		vals := portStrings(rs)
		if len(vals) == 1 {
			out = append(out, [2]string{singular, strconv.Quote(vals[0])})
			return
		}
		quoted := make([]string, len(vals))
		for i, v := range vals {
			quoted[i] = strconv.Quote(v)
		}
		out = append(out, [2]string{singular + "s", "[" + strings.Join(quoted, ", ") + "]"})
	}
	side("source", r.Source)
	ports("sourcePortRange", r.SourcePorts)
	side("destination", r.Destination)
	ports("destinationPortRange", r.DestinationPorts)
	if r.Description != "" {
		out = append(out, [2]string{"description", yamlStr(r.Description)})
	}
	return out
}

func yamlList(vals []string) string {
	out := make([]string, len(vals))
	for i, v := range vals {
		out[i] = yamlStr(v)
	}
	return "[" + strings.Join(out, ", ") + "]"
}

// edited returns each original line with its character edits applied.
func (e *editor) edited() []string {
	lines := slices.Clone(e.src.lines)
	chars := slices.Clone(e.chars)
	// Right to left within a line, so that offsets stay right.
	sort.SliceStable(chars, func(i, j int) bool {
		a, b := chars[i], chars[j]
		if a.line != b.line {
			return a.line < b.line
		}
		return a.off > b.off
	})
	for _, c := range chars {
		l := lines[c.line]
		lines[c.line] = l[:c.off] + c.ins + l[c.off+c.del:]
	}
	return lines
}

// apply returns the edited document's lines.
func (e *editor) apply() []string {
	var out []string
	edited := e.edited()
	insertAt := e.insertAt()
	for l := 0; l <= len(edited); l++ {
		out = append(out, insertAt[l]...)
		if l < len(edited) && !e.deleted[l] {
			out = append(out, edited[l])
		}
	}
	return out
}

func (e *editor) insertAt() map[int][]string {
	m := make(map[int][]string)
	for _, in := range e.inserts {
		m[in.before] = append(m[in.before], in.lines...)
	}
	return m
}

// lineOp replaces lines [from, to) of the original with lines.
type lineOp struct {
	from, to int
	lines    []string
}

// ops describes the edits as line operations on the original, in order,
// adjacent changes merged.
func (e *editor) ops() []lineOp {
	edited := e.edited()
	changed := make(map[int]bool)
	for _, c := range e.chars {
		changed[c.line] = true
	}
	insertAt := e.insertAt()
	var out []lineOp
	for l := 0; l <= len(e.src.lines); l++ {
		add, touched := insertAt[l], l < len(e.src.lines) && (changed[l] || e.deleted[l])
		if len(add) == 0 && !touched {
			continue
		}
		var op *lineOp
		if n := len(out); n > 0 && out[n-1].to == l {
			op = &out[n-1]
		} else {
			out = append(out, lineOp{from: l, to: l})
			op = &out[len(out)-1]
		}
		op.lines = append(op.lines, add...)
		if touched {
			op.to = l + 1
			if !e.deleted[l] {
				op.lines = append(op.lines, edited[l])
			}
		}
	}
	return out
}

// mapEntry returns the key and value nodes of key in mapping m, or nils.
// Keys compare as the loader compares them: exactly.
func mapEntry(m *yaml.Node, key string) (k, v *yaml.Node) {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil, nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i], m.Content[i+1]
		}
	}
	return nil, nil
}

// mapValue returns the value of key in mapping m, or nil.
func mapValue(m *yaml.Node, key string) *yaml.Node {
	_, v := mapEntry(m, key)
	return v
}

// seqItems returns the items of a sequence, or nil.
func seqItems(n *yaml.Node) []*yaml.Node {
	if n == nil || n.Kind != yaml.SequenceNode {
		return nil
	}
	return n.Content
}

// findAlias returns the first alias node under n, or nil.
func findAlias(n *yaml.Node) *yaml.Node {
	if n == nil {
		return nil
	}
	if n.Kind == yaml.AliasNode {
		return n
	}
	for _, c := range n.Content {
		if a := findAlias(c); a != nil {
			return a
		}
	}
	return nil
}
