package serve

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/nsgsim/nsgsim/diff"
	"github.com/nsgsim/nsgsim/fix"
	"github.com/nsgsim/nsgsim/render"
	"github.com/nsgsim/nsgsim/report"
	"github.com/nsgsim/nsgsim/sim"
	"github.com/nsgsim/nsgsim/topology"
)

// base is the topology as the file on disk has it, simulated once per
// version of the file. Every request's edits are applied to it afresh.
type base struct {
	version string // changes whenever the file's content does
	topo    *topology.Topology
	report  *sim.Report
	err     error // the file does not load: the page shows why

	validateOnce sync.Once
	fileErrors   map[string]bool // what topology.Validate says of the file itself
}

// source loads the file, and loads it again when it changes on disk.
type source struct {
	load func() (*topology.Topology, error)
	path string // the file to watch; "" for a built-in scenario

	mu      sync.Mutex
	stamp   fileStamp
	current *base
}

type fileStamp struct {
	size int64
	mod  time.Time
}

func (s *source) stat() fileStamp {
	if s.path == "" {
		return fileStamp{}
	}
	fi, err := os.Stat(s.path)
	if err != nil {
		return fileStamp{size: -1}
	}
	return fileStamp{fi.Size(), fi.ModTime()}
}

// get returns the current base, loading the file again when its size or
// modification time changed since it was last read.
func (s *source) get() *base {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.stat()
	if s.current != nil && st == s.stamp {
		return s.current
	}
	s.stamp = st
	b := &base{}
	b.topo, b.err = s.load()
	if b.err == nil {
		b.report, b.err = sim.Simulate(b.topo)
	}
	b.version = versionOf(b)
	s.current = b
	return b
}

// versionOf names the content of a base: the hash of the topology as
// Marshal writes it (or of the load error), so that a file touched but not
// changed keeps its version and the page its edits.
func versionOf(b *base) string {
	h := sha256.New()
	if b.err != nil {
		h.Write([]byte("error\x00" + b.err.Error()))
	} else if data, err := topology.Marshal(b.topo); err == nil {
		h.Write(data)
	} else {
		fmt.Fprintf(h, "%p", b.topo)
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// evaluation is a topology with a reviewer's edits applied and simulated.
type evaluation struct {
	base   *base
	topo   *topology.Topology // what was simulated: edited, or the file's when the edits are invalid
	edited *topology.Topology // the edits applied, valid or not, for the rules panel
	// report holds every flow's result. Its findings, expectations and
	// summary are filled in only by a full evaluation: a rule toggle
	// recolours the page from the verdicts first.
	report   *sim.Report
	full     bool
	changes  []ruleChange
	problems []string // edits skipped, and what Validate says of the rest
	diff     *diff.Result
}

// evaluate applies the edits to the base and decides every flow with the
// engine `simulate` uses. With full, it also checks the findings and the
// expectations, as `simulate` does; without, the report has the results
// only, which is all the diagram's colours and the flow table need. Edits
// that cannot apply, or that leave an invalid topology, are reported; with
// an invalid topology the verdicts are the file's.
func evaluate(b *base, edits []Edit, full bool) *evaluation {
	ev := &evaluation{base: b, topo: b.topo, edited: b.topo, report: b.report, full: true}
	ev.diff = diff.Compare(b.report, b.report)
	if len(edits) == 0 {
		return ev
	}
	t, changes, problems := applyEdits(b.topo, edits)
	ev.problems, ev.edited = problems, t
	if errs := b.newErrors(t); len(errs) > 0 {
		ev.problems = append(ev.problems, errs...)
		return ev
	}
	// Only the flows that cross an edited NSG, and that an edited rule can
	// match, are evaluated again (sim.Report.Revise).
	names := make([]string, 0, len(changes))
	for _, c := range changes {
		names = append(names, c.NSG)
	}
	var r *sim.Report
	rev, err := b.report.Revise(t, names...)
	if err == nil {
		if full {
			r, err = rev.Report()
		} else {
			r = &sim.Report{Topology: rev.Topology, Engine: rev.Engine, Results: rev.Results}
		}
	}
	if err != nil {
		ev.problems = append(ev.problems, err.Error())
		return ev
	}
	ev.topo, ev.report, ev.changes, ev.full = t, r, changes, full
	ev.diff = diff.Compare(b.report, r)
	return ev
}

// newErrors runs topology.Validate on an edited topology and returns what
// it says that it did not say of the file: the edits' own problems (a
// priority taken, a prefix with host bits set).
func (b *base) newErrors(t *topology.Topology) []string {
	b.validateOnce.Do(func() {
		b.fileErrors = map[string]bool{}
		for _, e := range topology.Validate(b.topo) {
			b.fileErrors[e.Error()] = true
		}
	})
	var out []string
	for _, e := range topology.Validate(t) {
		if msg := e.Error(); !b.fileErrors[msg] {
			out = append(out, msg)
		}
	}
	return out
}

// highlights marks on the diagram the flows whose verdict the edits
// changed, as `nsgsim diff -o` does.
func (ev *evaluation) highlights() map[string]string {
	if len(ev.diff.Changed) == 0 {
		return nil
	}
	h := map[string]string{}
	for _, c := range ev.diff.Changed {
		if c.VerdictChanged() {
			h[c.ID] = "was " + c.Old.Verdict.String()
		}
	}
	return h
}

// renderOptions are the diagram options for a focus.
func (ev *evaluation) renderOptions(collapseAbove int, focus string) render.Options {
	return render.Options{CollapseAbove: collapseAbove, Focus: focus, Highlight: ev.highlights()}
}

// dot draws the diagram as DOT text, without laying it out.
func (ev *evaluation) dot(o render.Options) ([]byte, error) {
	var buf bytes.Buffer
	err := render.Render(&buf, render.DOT, ev.report, o)
	return buf.Bytes(), err
}

// plan expresses the edits as a fix.Plan, so that fix's emitters write
// them: an added or changed rule is written whole (`az network nsg rule
// create` replaces a rule of the same name,
// https://github.com/Azure/azure-cli/issues/7185, as a Bicep or Terraform
// resource of that name does); a disabled rule is a note, since none of the
// forms deletes.
func (ev *evaluation) plan() *fix.Plan {
	p := &fix.Plan{Original: ev.base.topo, Patched: ev.topo, Before: ev.base.report, After: ev.report}
	for _, c := range ev.changes {
		switch {
		case c.Disabled:
			p.Notes = append(p.Notes, fmt.Sprintf("delete rule %q of NSG %q (priority %d, %s); with az: az network nsg rule delete",
				c.Name, c.NSG, c.Before.Priority, c.Before.Direction))
		case c.Before == nil:
			p.Added = append(p.Added, fix.Addition{NSG: c.NSG, Rule: c.After, Reason: "added in review"})
		default:
			p.Added = append(p.Added, fix.Addition{NSG: c.NSG, Rule: c.After, Reason: "changed in review: " + describeChange(c.Before, c.After)})
		}
	}
	return p
}

// describeChange says what changed in a rule: "access Allow -> Deny".
func describeChange(a, b *topology.SecurityRule) string {
	var parts []string
	add := func(field, x, y string) {
		if x != y {
			parts = append(parts, fmt.Sprintf("%s %s -> %s", field, x, y))
		}
	}
	add("priority", fmt.Sprint(a.Priority), fmt.Sprint(b.Priority))
	add("direction", a.Direction.String(), b.Direction.String())
	add("access", a.Access.String(), b.Access.String())
	add("protocol", a.Protocol.String(), b.Protocol.String())
	add("source", a.Source.String(), b.Source.String())
	add("source ports", topology.PortRangesString(a.SourcePorts), topology.PortRangesString(b.SourcePorts))
	add("destination", a.Destination.String(), b.Destination.String())
	add("destination ports", topology.PortRangesString(a.DestinationPorts), topology.PortRangesString(b.DestinationPorts))
	add("description", a.Description, b.Description)
	return strings.Join(parts, "; ")
}

// trace writes one flow's rule-by-rule trace as `nsgsim trace` prints it.
func (ev *evaluation) trace(flowID string) (string, error) {
	for _, res := range ev.report.Results {
		if res.Flow.ID == flowID {
			var buf bytes.Buffer
			tr, err := ev.report.Engine.Trace(res.Flow)
			if err != nil {
				return "", err
			}
			if err := report.WriteTrace(&buf, ev.report.Engine, tr); err != nil {
				return "", err
			}
			return buf.String(), nil
		}
	}
	return "", fmt.Errorf("no flow %q", flowID)
}
