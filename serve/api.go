package serve

import (
	"bytes"
	"net/http"
	"slices"

	"github.com/nsgsim/nsgsim/diff"
	"github.com/nsgsim/nsgsim/fix"
	"github.com/nsgsim/nsgsim/render"
	"github.com/nsgsim/nsgsim/report"
	"github.com/nsgsim/nsgsim/sim"
	"github.com/nsgsim/nsgsim/topology"
)

// flowRow is one row of the flow table.
type flowRow struct {
	ID          string `json:"id"`
	Kind        string `json:"kind"`
	Source      string `json:"source"`
	Destination string `json:"destination"`
	Protocol    string `json:"protocol"`
	Port        int    `json:"port"`
	Requirement string `json:"requirement"`
	Verdict     string `json:"verdict"`
	By          string `json:"by"` // the deciding NSG, rule and priority
}

func newFlowRow(e *sim.Engine, res *sim.Result) flowRow {
	f := report.NewFlow(e, res)
	return flowRow{
		ID: f.ID, Kind: f.Kind, Source: f.Source, Destination: f.Destination, Protocol: f.Protocol,
		Port: f.Port, Requirement: f.Requirement, Verdict: f.Verdict, By: report.DecidedBy(res.Hops),
	}
}

// ruleView is one rule as the side panel shows and edits it.
type ruleView struct {
	Name             string `json:"name"`
	Priority         int    `json:"priority"`
	Direction        string `json:"direction"`
	Access           string `json:"access"`
	Protocol         string `json:"protocol"`
	Source           string `json:"source"`
	SourcePorts      string `json:"sourcePorts"`
	Destination      string `json:"destination"`
	DestinationPorts string `json:"destinationPorts"`
	Description      string `json:"description,omitempty"`
	Default          bool   `json:"default,omitempty"`
}

func newRuleView(r *topology.SecurityRule) ruleView {
	return ruleView{
		Name: r.Name, Priority: r.Priority, Direction: r.Direction.String(), Access: r.Access.String(),
		Protocol: r.Protocol.String(), Source: r.Source.String(), SourcePorts: topology.PortRangesString(r.SourcePorts),
		Destination: r.Destination.String(), DestinationPorts: topology.PortRangesString(r.DestinationPorts),
		Description: r.Description, Default: r.Default,
	}
}

// nsgView is one NSG: where it is attached, and its rules in the order
// Azure reads them (by direction, then priority), the default rules last.
type nsgView struct {
	Name     string     `json:"name"`
	Attached []string   `json:"attached"`
	Rules    []ruleView `json:"rules"`
}

func nsgViews(t *topology.Topology, only map[string]bool) []nsgView {
	attached := map[string][]string{}
	for _, v := range t.VirtualNetworks {
		for _, sn := range v.Subnets {
			if sn.NetworkSecurityGroup != "" {
				attached[sn.NetworkSecurityGroup] = append(attached[sn.NetworkSecurityGroup], "subnet "+v.Name+"/"+sn.Name)
			}
		}
	}
	for _, vm := range t.VirtualMachines {
		if vm.NetworkSecurityGroup != "" {
			attached[vm.NetworkSecurityGroup] = append(attached[vm.NetworkSecurityGroup], "NIC of "+vm.Name)
		}
	}
	var out []nsgView
	for _, g := range t.NetworkSecurityGroups {
		if only != nil && !only[g.Name] {
			continue
		}
		rules := slices.Clone(g.SecurityRules)
		slices.SortStableFunc(rules, func(a, b *topology.SecurityRule) int {
			if a.Direction != b.Direction {
				return int(a.Direction) - int(b.Direction)
			}
			return a.Priority - b.Priority
		})
		rules = append(rules, topology.DefaultRules()...)
		v := nsgView{Name: g.Name, Attached: attached[g.Name]}
		for _, r := range rules {
			v.Rules = append(v.Rules, newRuleView(r))
		}
		out = append(out, v)
	}
	return out
}

// model is what the page loads once per version of the file.
type model struct {
	Version   string           `json:"version"`
	Title     string           `json:"title"`
	File      string           `json:"file"`
	Flows     []flowRow        `json:"flows"`
	NSGs      []nsgView        `json:"nsgs"`
	Protocols []string         `json:"protocols"`
	Findings  []report.Finding `json:"findings"`
	Summary   report.Summary   `json:"summary"`
}

func (s *Server) handleVersion(w http.ResponseWriter, r *http.Request) {
	b := s.src.get()
	out := struct {
		Version string `json:"version"`
		Error   string `json:"error,omitempty"`
	}{Version: b.version}
	if b.err != nil {
		out.Error = b.err.Error()
	}
	writeJSON(w, out)
}

func (s *Server) handleModel(w http.ResponseWriter, r *http.Request) {
	b := s.src.get()
	if b.err != nil {
		http.Error(w, b.err.Error(), http.StatusUnprocessableEntity)
		return
	}
	m := model{Version: b.version, Title: b.topo.Name, File: b.topo.File, NSGs: nsgViews(b.topo, nil)}
	for _, p := range []topology.Protocol{topology.Tcp, topology.Udp, topology.Icmp, topology.Esp, topology.Ah, topology.Any} {
		m.Protocols = append(m.Protocols, p.String())
	}
	for _, res := range report.Ordered(b.report.Results) {
		m.Flows = append(m.Flows, newFlowRow(b.report.Engine, res))
	}
	doc := report.NewDocument(b.report)
	m.Findings, m.Summary = doc.Findings, doc.Summary
	writeJSON(w, m)
}

// changedFlow is a flow whose verdict or deciding rule the edits changed;
// the page has the rest of the flow, and what the file decides, from the
// model.
type changedFlow struct {
	ID      string `json:"id"`
	Verdict string `json:"verdict"`
	By      string `json:"by"`
}

// ruleEdit is one rule the edits changed, said in words.
type ruleEdit struct {
	NSG  string `json:"nsg"`
	Rule string `json:"rule"`
	What string `json:"what"`
}

// evalResponse is what an edit brings back at once: the verdicts that
// changed against the file on disk (so that it stays small on a large
// estate) and the diagram's new colours. The findings follow
// (findingsResponse).
type evalResponse struct {
	Problems []string      `json:"problems"`
	Flows    []changedFlow `json:"flows"` // against the file on disk
	Rules    []ruleEdit    `json:"rules"`
	Diff     string        `json:"diff"` // as `nsgsim diff` prints it
	Edges    []edgeStyle   `json:"edges"`
	Nodes    nodeFocus     `json:"nodes"`
	NSGs     []nsgView     `json:"nsgs"` // the edited NSGs
}

func (s *Server) handleEval(w http.ResponseWriter, r *http.Request) {
	req, ev, ok := s.readRequest(w, r, false)
	if !ok {
		return
	}
	out := evalResponse{Problems: ev.problems, Nodes: nodeFocus{}}
	for _, c := range ev.diff.Changed {
		out.Flows = append(out.Flows, changedFlow{ID: c.ID, Verdict: c.New.Verdict.String(), By: report.DecidedBy(c.New.Hops)})
	}
	edited := map[string]bool{}
	for _, c := range ev.changes {
		what := "added"
		switch {
		case c.Disabled:
			what = "disabled (deleted)"
		case c.Before != nil:
			what = describeChange(c.Before, c.After)
		}
		out.Rules = append(out.Rules, ruleEdit{NSG: c.NSG, Rule: c.Name, What: what})
		edited[c.NSG] = true
	}
	for _, e := range req.Edits {
		edited[e.NSG] = true
	}
	out.NSGs = nsgViews(ev.edited, edited)
	dot, err := ev.dot(ev.renderOptions(s.opts.CollapseAbove, req.Focus))
	if err != nil {
		out.Problems = append(out.Problems, err.Error())
	} else {
		out.Edges, out.Nodes = readDOT(dot)
	}
	writeJSON(w, out)
}

// findingsResponse is the second half of an edit's answer: the summary
// and the findings that the edits add and remove, from a full simulation.
type findingsResponse struct {
	Summary         report.Summary   `json:"summary"`
	FindingsAdded   []report.Finding `json:"findingsAdded"`
	FindingsRemoved []report.Finding `json:"findingsRemoved"`
}

func (s *Server) handleFindings(w http.ResponseWriter, r *http.Request) {
	_, ev, ok := s.readRequest(w, r, true)
	if !ok {
		return
	}
	out := findingsResponse{Summary: report.NewDocument(ev.report).Summary}
	for _, f := range ev.diff.FindingsAdded {
		out.FindingsAdded = append(out.FindingsAdded, report.NewFinding(f))
	}
	for _, f := range ev.diff.FindingsRemoved {
		out.FindingsRemoved = append(out.FindingsRemoved, report.NewFinding(f))
	}
	writeJSON(w, out)
}

func (s *Server) handleDiagram(w http.ResponseWriter, r *http.Request) {
	req, ev, ok := s.readRequest(w, r, true)
	if !ok {
		return
	}
	var buf bytes.Buffer
	if err := render.Render(&buf, render.SVG, ev.report, ev.renderOptions(s.opts.CollapseAbove, req.Focus)); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "image/svg+xml")
	w.Write(buf.Bytes())
}

func (s *Server) handleTrace(w http.ResponseWriter, r *http.Request) {
	req, ev, ok := s.readRequest(w, r, false)
	if !ok {
		return
	}
	text, err := ev.trace(req.Flow)
	if err != nil {
		http.Error(w, err.Error(), http.StatusNotFound)
		return
	}
	writeJSON(w, struct {
		Flow string `json:"flow"`
		Text string `json:"text"`
	}{req.Flow, text})
}

// handleEmit answers the changes panel: the flows that change as `nsgsim
// diff` prints them, and the edits in one of fix's forms.
func (s *Server) handleEmit(w http.ResponseWriter, r *http.Request) {
	req, ev, ok := s.readRequest(w, r, true)
	if !ok {
		return
	}
	if !slices.Contains(fix.Formats, req.Format) {
		http.Error(w, "nsgsim serve: unknown format "+req.Format, http.StatusBadRequest)
		return
	}
	var buf bytes.Buffer
	if err := ev.plan().Write(&buf, req.Format); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	var d bytes.Buffer
	if err := diff.WriteTable(&d, ev.diff); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	writeJSON(w, struct {
		Format string `json:"format"`
		Text   string `json:"text"`
		Diff   string `json:"diff"` // as `nsgsim diff` prints it
	}{req.Format, buf.String(), d.String()})
}
