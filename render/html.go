package render

import (
	"bytes"
	"fmt"
	"html/template"
	"io"
	"strings"

	"github.com/nsgsim/nsgsim/report"
	"github.com/nsgsim/nsgsim/sim"
	"github.com/nsgsim/nsgsim/topology"
)

// The HTML report is one file that works offline: the diagram as inline
// SVG, the flows, each flow's trace, the findings and the expectations. It
// has no script and loads nothing: its Content-Security-Policy forbids it.
// html/template escapes every name.

type htmlPage struct {
	Title        string
	Summary      string
	Note         string
	Listed       string // which flows are listed, when not all drawn are
	OK           bool
	SVG          template.HTML // Graphviz's SVG of a DOT text whose every name was escaped
	Flows        []htmlFlow
	Findings     []report.Finding
	Expectations []report.Expectation
	TagNote      bool
}

type htmlFlow struct {
	ID, Anchor   string
	Source, Dest string
	ProtoPort    string
	Requirement  string
	Verdict      string
	VerdictClass string
	Tone         string
	DecidedBy    string
	Open         bool
	Hops         []report.Hop
	Segments     []report.Segment
}

// maxHTMLFlows caps the flows an HTML report lists with their traces:
// Chromium takes minutes and gigabytes over the 50,000 flows (57 MB) of
// issue 6's topology. Past the cap the report lists the flow each edge
// links to, then the others, blocked ones first, up to the cap.
const maxHTMLFlows = 2000

func writeHTML(w io.Writer, d *diagram, svg []byte) error {
	r := d.report
	doc := report.NewDocument(r)
	index := make(map[*sim.Result]int, len(r.Results))
	for i, res := range r.Results {
		index[res] = i
	}
	drawn, listed := listedFlows(d)
	page := htmlPage{
		Title:        d.title,
		Summary:      d.summary,
		Note:         d.note,
		OK:           r.Summary.OK(),
		SVG:          template.HTML(svgElement(svg)),
		Findings:     doc.Findings,
		Expectations: doc.Expectations,
		TagNote:      r.Engine != nil && r.Engine.TagAssumptionMatters(),
	}
	if len(listed) < drawn {
		page.Listed = fmt.Sprintf("Listed: %d of the %d flows drawn, the flow each edge links to first, then blocked flows. "+
			"nsgsim simulate --format json reports every flow with its trace; nsgsim trace follows one.", len(listed), drawn)
	}
	for _, res := range report.Ordered(r.Results) {
		if !listed[res] {
			continue
		}
		f, df := res.Flow, doc.Flows[index[res]]
		tone := [...]string{toneAllow: "allow", toneIntended: "intended", tonePartial: "partial", toneDeny: "deny"}[toneOf(res)]
		page.Flows = append(page.Flows, htmlFlow{
			ID: f.ID, Anchor: traceID(f.ID),
			Source: f.Source.Name, Dest: f.Destination.Name,
			ProtoPort:    fmt.Sprintf("%s/%d", f.Protocol, f.Port),
			Requirement:  f.Requirement.String(),
			Verdict:      report.VerdictText(r.Engine, res),
			VerdictClass: strings.ToLower(res.Verdict.String()),
			Tone:         tone,
			DecidedBy:    report.DecidedBy(res.Hops),
			Open:         res.Blocked() && f.Requirement != topology.Optional,
			Hops:         df.Hops,
			Segments:     df.Segments,
		})
	}
	var buf bytes.Buffer
	if err := htmlTemplate.Execute(&buf, page); err != nil {
		return err
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// listedFlows returns how many flows the diagram draws and those the
// report lists: all of them, or, past maxHTMLFlows, the flow each edge
// links to and then, blocked ones first, others up to the cap.
func listedFlows(d *diagram) (int, map[*sim.Result]bool) {
	drawn := 0
	for _, e := range d.edges {
		drawn += len(e.results)
	}
	listed := make(map[*sim.Result]bool, min(drawn, maxHTMLFlows))
	if drawn <= maxHTMLFlows {
		for _, e := range d.edges {
			for _, res := range e.results {
				listed[res] = true
			}
		}
		return drawn, listed
	}
	onEdge := make(map[*sim.Result]bool, drawn)
	for _, e := range d.edges {
		for _, res := range e.results {
			onEdge[res] = true
			if traceID(res.Flow.ID) == e.anchor {
				listed[res] = true
			}
		}
	}
	for _, res := range report.Ordered(d.report.Results) {
		if len(listed) >= maxHTMLFlows {
			break
		}
		if onEdge[res] {
			listed[res] = true
		}
	}
	return drawn, listed
}

// svgElement drops the XML declaration and doctype before <svg>, which do
// not belong inside an HTML document.
func svgElement(svg []byte) []byte {
	if i := bytes.Index(svg, []byte("<svg")); i >= 0 {
		return svg[i:]
	}
	return svg
}

var htmlTemplate = template.Must(template.New("report").Funcs(template.FuncMap{"inc": func(i int) int { return i + 1 }}).Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="generator" content="nsgsim">
<title>{{.Title}} · nsgsim</title>
<style>
:root { --allow: #2e7d32; --deny: #c62828; --partial: #ef6c00; --ink: #212121; --muted: #546e7a; --line: #cfd8dc; }
* { box-sizing: border-box; }
body { margin: 0; padding: 24px 32px 48px; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: var(--ink); background: #fafafa; }
h1 { font-size: 24px; margin: 0 0 4px; }
h2 { font-size: 18px; margin: 32px 0 8px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
nav a { margin-right: 16px; color: #1565c0; }
.summary { font-size: 15px; margin: 4px 0 12px; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 4px; color: #fff; font-weight: 600; margin-right: 8px; }
.badge.ok { background: var(--allow); } .badge.fail { background: var(--deny); }
.note { color: var(--muted); }
.diagram { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 8px; overflow: auto; }
.diagram svg { max-width: 100%; height: auto; display: block; margin: 0 auto; }
.diagram svg a:hover path { stroke-width: 4; }
table { border-collapse: collapse; background: #fff; width: 100%; }
th, td { border: 1px solid var(--line); padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #eceff1; font-weight: 600; }
td.num { text-align: right; }
code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 13px; }
tr.deny td.verdict, details.deny .verdict { color: var(--deny); font-weight: 600; }
tr.partial td.verdict, details.partial .verdict { color: var(--partial); font-weight: 600; }
tr.allow td.verdict, details.allow .verdict { color: var(--allow); }
tr.deny td:first-child { border-left: 4px solid var(--deny); }
tr.partial td:first-child { border-left: 4px solid var(--partial); }
tr.allow td:first-child { border-left: 4px solid var(--allow); }
tr.intended td.verdict, details.intended .verdict { color: #546e7a; }
tr.intended td:first-child { border-left: 4px dashed #546e7a; }
details { background: #fff; border: 1px solid var(--line); border-radius: 6px; margin: 6px 0; padding: 4px 12px; }
details.deny { border-left: 4px solid var(--deny); } details.partial { border-left: 4px solid var(--partial); } details.allow { border-left: 4px solid var(--allow); }
details:target { outline: 2px solid #1565c0; }
summary { cursor: pointer; padding: 4px 0; }
details table { margin: 6px 0 10px; }
td.Deny { color: var(--deny); font-weight: 600; } td.Allow { color: var(--allow); }
.segment { margin: 8px 0 0; font-weight: 600; }
.sev-error { color: var(--deny); font-weight: 600; } .sev-warning { color: var(--partial); font-weight: 600; } .sev-info { color: var(--muted); }
footer { margin-top: 40px; color: var(--muted); font-size: 12px; }
</style>
</head>
<body>
<header>
<h1>{{.Title}}</h1>
<p class="summary"><span class="badge {{if .OK}}ok{{else}}fail{{end}}">{{if .OK}}PASS{{else}}FAIL{{end}}</span>{{.Summary}}</p>
{{- if .Note}}
<p class="note">Drawn: {{.Note}}.</p>
{{- end}}
<nav><a href="#diagram">Diagram</a><a href="#flows">Flows</a><a href="#traces">Traces</a><a href="#findings">Findings</a><a href="#expectations">Expectations</a></nav>
</header>

<section id="diagram">
<h2>Diagram</h2>
<p class="note">Green: allowed. Red: denied, labelled with the NSG, rule and priority that block. Orange: partly allowed, or a blocked recommended flow. Click an edge for its trace.</p>
<div class="diagram">
{{.SVG}}
</div>
</section>

<section id="flows">
<h2>Flows</h2>
{{- if .Listed}}
<p class="note">{{.Listed}}</p>
{{- end}}
<table>
<thead><tr><th>Flow</th><th>Source → destination</th><th>Proto/port</th><th>Requirement</th><th>Verdict</th><th>Decided by (NSG / rule / priority)</th></tr></thead>
<tbody>
{{- range .Flows}}
<tr class="{{.Tone}}"><td><a href="#{{.Anchor}}"><code>{{.ID}}</code></a></td><td>{{.Source}} → {{.Dest}}</td><td>{{.ProtoPort}}</td><td>{{.Requirement}}</td><td class="verdict">{{.Verdict}}</td><td>{{.DecidedBy}}</td></tr>
{{- end}}
</tbody>
</table>
</section>

<section id="traces">
<h2>Traces</h2>
<p class="note">Each NSG on the path, in the order Azure evaluates them, and the rule that decided there. The first Deny ends the path.</p>
{{- range .Flows}}
<details id="{{.Anchor}}" class="{{.Tone}}"{{if .Open}} open{{end}}>
<summary><code>{{.ID}}</code> · {{.Source}} → {{.Dest}} · {{.ProtoPort}} · {{.Requirement}} · <span class="verdict">{{.Verdict}}</span></summary>
{{- if .Segments}}
{{- range .Segments}}
<p class="segment">From {{.Source}} (source ports {{.SourcePorts}}) to {{.Destination}}: {{.Verdict}}</p>
{{template "hops" .Hops}}
{{- end}}
{{- else}}
{{template "hops" .Hops}}
{{- end}}
</details>
{{- end}}
</section>

<section id="findings">
<h2>Findings</h2>
{{- if .Findings}}
<table>
<thead><tr><th>Severity</th><th>ID</th><th>Message</th><th>Position</th><th>Documentation</th></tr></thead>
<tbody>
{{- range .Findings}}
<tr><td class="sev-{{.Severity}}">{{.Severity}}</td><td><code>{{.ID}}</code></td><td>{{.Message}}</td><td><code>{{.Position}}</code></td><td>{{if .Doc}}<a href="{{.Doc}}">{{.Doc}}</a>{{end}}</td></tr>
{{- end}}
</tbody>
</table>
{{- else}}
<p>No findings.</p>
{{- end}}
{{- if .TagNote}}
<p class="note">Without a Service Tags file, GatewayManager and AzureCloud addresses are assumed to lie outside every prefix narrower than all public IPv4 space; set <code>serviceTags</code> to check with real ranges.</p>
{{- end}}
</section>

<section id="expectations">
<h2>Expectations</h2>
{{- if .Expectations}}
<table>
<thead><tr><th>Flow</th><th>Want</th><th>Got</th><th>Result</th></tr></thead>
<tbody>
{{- range .Expectations}}
<tr class="{{if .OK}}allow{{else}}deny{{end}}"><td><code>{{.Flow}}</code></td><td>{{.Want}}</td><td>{{.Got}}</td><td class="verdict">{{if .OK}}ok{{else}}FAIL{{end}}</td></tr>
{{- end}}
</tbody>
</table>
{{- else}}
<p>No expectations.</p>
{{- end}}
</section>

<footer>Drawn by nsgsim from the simulation's traces. Azure Bastion NSG requirements: <a href="https://learn.microsoft.com/en-us/azure/bastion/bastion-nsg">learn.microsoft.com/azure/bastion/bastion-nsg</a>.</footer>
</body>
</html>
{{define "hops"}}
{{- if .}}
<table>
<thead><tr><th>#</th><th>NSG</th><th>At</th><th>Direction</th><th>Rule</th><th>Priority</th><th>Access</th></tr></thead>
<tbody>
{{- range $i, $h := .}}
<tr><td class="num">{{inc $i}}</td><td>{{$h.NSG}}</td><td>{{$h.At}}</td><td>{{$h.Direction}}</td><td>{{$h.Rule}}{{if $h.Default}} <span class="note">(default)</span>{{end}}</td><td class="num">{{$h.Priority}}</td><td class="{{$h.Access}}">{{$h.Access}}</td></tr>
{{- end}}
</tbody>
</table>
{{- else}}
<p class="note">No NSG on the path.</p>
{{- end}}
{{- end}}
`))
