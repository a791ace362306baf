package fix

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/nsgsim/nsgsim/topology"
)

// WriteYAML writes the patched topology. For a topology read from a YAML
// file, that is the user's own document with the fix applied as text edits
// (see edit.go): comments, key order, quoting and flow style stay, and only
// the added rules (each under a comment saying why), the moved priorities
// and the rewritten expectations change. For a topology imported from JSON
// (az, ARM, a Terraform plan) it is the whole imported topology
// (topology.Marshal) with the fix, opening with a comment that lists the
// added rules. Expectations about flows the fix changes assert the new
// verdicts, so that simulating the patched file passes.
func (p *Plan) WriteYAML(w io.Writer) error {
	src, err := readSource(p.Original)
	if errors.Is(err, errNotYAML) {
		return p.writeMarshalled(w)
	}
	if err != nil {
		return err
	}
	e, err := p.checkedEdits(src)
	if err != nil {
		// Say why in the header, and write the whole topology.
		p.Notes = append(p.Notes, fmt.Sprintf("%v; the output is the whole topology, without the file's comments", err))
		return p.writeMarshalled(w)
	}
	_, err = io.WriteString(w, strings.Join(e.apply(), ""))
	return err
}

// checkedEdits computes the edits of p to src and checks them: the edited
// text must load as exactly the patched topology. A document where a text
// edit would mean something else (a list shared through a YAML alias, a
// shape the editor does not know) is refused with the reason, rather than
// written wrong.
func (p *Plan) checkedEdits(src *source) (*editor, error) {
	e, err := p.edits(src)
	if err != nil {
		return nil, fmt.Errorf("editing %s: %w", src.path, err)
	}
	if alias := findAlias(src.root); alias != nil {
		return nil, fmt.Errorf("editing %s: the document uses a YAML alias (*%s at %d:%d), and an edit to what it names would change every place that uses it",
			src.path, alias.Value, alias.Line, alias.Column)
	}
	edited := strings.Join(e.apply(), "")
	// The Service Tags are those the topology was loaded with (its file, or
	// one given with --service-tags): the edits do not touch them.
	back, err := topology.ParseWithServiceTags(src.path, []byte(edited), p.Original.ServiceTags)
	if err != nil {
		return nil, fmt.Errorf("editing %s gave a document that does not load: %v", src.path, err)
	}
	if what := differs(back, p.Patched); what != "" {
		return nil, fmt.Errorf("editing %s gave a document that is not the fixed topology (%s)", src.path, what)
	}
	return e, nil
}

// differs says how a differs from b in what a fix edits (the NSGs and
// their rules, the expectations) or in the number of objects of any kind,
// or returns "". The rest of an edited document is the user's text as it
// was.
func differs(a, b *topology.Topology) string {
	counts := func(t *topology.Topology) [8]int {
		return [8]int{len(t.VirtualNetworks), len(t.NetworkSecurityGroups), len(t.ApplicationSecurityGroups),
			len(t.VirtualMachines), len(t.BastionHosts), len(t.Clients), len(t.Flows), len(t.Expectations)}
	}
	if counts(a) != counts(b) {
		return "the number of objects"
	}
	for i, g := range a.NetworkSecurityGroups {
		h := b.NetworkSecurityGroups[i]
		if g.Name != h.Name || len(g.SecurityRules) != len(h.SecurityRules) {
			return fmt.Sprintf("network security group %q", h.Name)
		}
		for j, r := range g.SecurityRules {
			if ruleText(r) != ruleText(h.SecurityRules[j]) {
				return fmt.Sprintf("rule %q of %q", h.SecurityRules[j].Name, h.Name)
			}
		}
	}
	for i, x := range a.Expectations {
		y := b.Expectations[i]
		if x.Flow != y.Flow || x.Verdict != y.Verdict || x.Intended != y.Intended {
			return fmt.Sprintf("expectation for %q", y.Flow)
		}
	}
	return ""
}

// ruleText is every field of a rule that decides anything, as text.
func ruleText(r *topology.SecurityRule) string {
	return fmt.Sprintf("%s|%d|%s|%s|%s|%s|%s|%s|%s|%s", r.Name, r.Priority, r.Direction, r.Access, r.Protocol,
		r.Source, topology.PortRangesString(r.SourcePorts), r.Destination, topology.PortRangesString(r.DestinationPorts), r.Description)
}

// writeMarshalled writes the whole patched topology under the header.
func (p *Plan) writeMarshalled(w io.Writer) error {
	data, err := topology.Marshal(p.Patched)
	if err != nil {
		return err
	}
	p.header(w, "#", true)
	_, err = w.Write(data)
	return err
}

// patchContext is the number of unchanged lines around each change, as
// diff -u writes them.
const patchContext = 3

// WritePatch writes the fix as a unified diff of the YAML file the topology
// was read from, which `git apply` (or `patch -p1`) applies: the same edits
// as WriteYAML. It refuses a topology that was not read from a YAML file
// (an imported az, ARM or Terraform input): there is no YAML text to patch.
// No change writes nothing.
func (p *Plan) WritePatch(w io.Writer) error {
	src, err := readSource(p.Original)
	if err != nil {
		return fmt.Errorf("--emit patch: %v; use --emit yaml to write the topology with the fix", err)
	}
	e, err := p.checkedEdits(src)
	if err != nil {
		return err
	}
	ops := e.ops()
	if len(ops) == 0 {
		return nil
	}
	name := patchPath(src.path)
	var b strings.Builder
	fmt.Fprintf(&b, "--- a/%s\n+++ b/%s\n", name, name)
	n := len(src.lines)
	delta := 0 // lines added minus lines removed by earlier hunks
	for i := 0; i < len(ops); {
		// A hunk takes every op whose context touches the next one's.
		j := i + 1
		for j < len(ops) && ops[j].from-patchContext <= ops[j-1].to+patchContext {
			j++
		}
		start, end := max(0, ops[i].from-patchContext), min(n, ops[j-1].to+patchContext)
		oldLen, newLen := end-start, end-start
		for _, op := range ops[i:j] {
			newLen += len(op.lines) - (op.to - op.from)
		}
		fmt.Fprintf(&b, "@@ -%s +%s @@\n", hunkRange(start, oldLen), hunkRange(start+delta, newLen))
		at := start
		for _, op := range ops[i:j] {
			for ; at < op.from; at++ {
				patchLine(&b, ' ', src.lines[at])
			}
			for ; at < op.to; at++ {
				patchLine(&b, '-', src.lines[at])
			}
			for _, l := range op.lines {
				patchLine(&b, '+', l)
			}
		}
		for ; at < end; at++ {
			patchLine(&b, ' ', src.lines[at])
		}
		delta += newLen - oldLen
		i = j
	}
	_, err = io.WriteString(w, b.String())
	return err
}

// hunkRange is a hunk header's "START,LENGTH" for lines from start
// (0-based); an empty range names the line before it, as diff -u does.
func hunkRange(start, length int) string {
	if length == 0 {
		return fmt.Sprintf("%d,0", start)
	}
	return fmt.Sprintf("%d,%d", start+1, length)
}

// patchLine writes one line of a hunk; a line without an ending is followed
// by diff's marker for it.
func patchLine(b *strings.Builder, mark byte, line string) {
	b.WriteByte(mark)
	b.WriteString(line)
	if !strings.HasSuffix(line, "\n") {
		b.WriteString("\n\\ No newline at end of file\n")
	}
}

// patchPath is the path in the diff's headers: the topology's path as given,
// with forward slashes, relative to where nsgsim ran.
func patchPath(path string) string {
	p := filepath.ToSlash(filepath.Clean(path))
	return strings.TrimPrefix(p, "/")
}
