package report

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"

	"github.com/nsgsim/nsgsim/internal/batch"
	"github.com/nsgsim/nsgsim/sim"
	"github.com/nsgsim/nsgsim/topology"
)

// Document is the JSON result of `nsgsim simulate --format json` (SPEC 6).
// Field names are part of the contract.
type Document struct {
	Topology     string        `json:"topology"`
	Flows        []Flow        `json:"flows"`
	Findings     []Finding     `json:"findings"`
	Expectations []Expectation `json:"expectations"`
	Summary      Summary       `json:"summary"`
}

// Flow is one flow's result.
type Flow struct {
	ID          string    `json:"id"`
	Kind        string    `json:"kind"`
	Bastion     string    `json:"bastion,omitempty"`
	Source      string    `json:"source"`
	Destination string    `json:"destination"`
	Protocol    string    `json:"protocol"`
	Port        int       `json:"port"`
	Requirement string    `json:"requirement"`
	Verdict     string    `json:"verdict"`
	Hops        []Hop     `json:"hops"`
	Segments    []Segment `json:"segments"`
	// Allowed and Denied name the allowed and denied subsets of a Partial
	// flow ("203.0.113.0/24", "Internet except 203.0.113.0/24").
	Allowed string `json:"allowed,omitempty"`
	Denied  string `json:"denied,omitempty"`
	// Intended is true for a blocked flow that an expectation with
	// intended: true marks as meant (SPEC 1, 5).
	Intended bool `json:"intended,omitempty"`
}

// Hop is one NSG on the deciding path.
type Hop struct {
	NSG       string `json:"nsg"`
	At        string `json:"at"`
	Direction string `json:"direction"`
	Access    string `json:"access"`
	Rule      string `json:"rule"`
	Priority  int    `json:"priority"`
	Default   bool   `json:"default"`
}

// Segment is a part of a flow's addresses and ports with its own verdict.
type Segment struct {
	Protocol    string `json:"protocol,omitempty"` // the part's protocol, for a flow on "*"
	Source      string `json:"source"`
	SourcePorts string `json:"sourcePorts"`
	Destination string `json:"destination"`
	Verdict     string `json:"verdict"`
	Hops        []Hop  `json:"hops"`
}

// Finding is one lint finding.
type Finding struct {
	ID       string `json:"id"`
	Severity string `json:"severity"`
	Message  string `json:"message"`
	Position string `json:"position"`
	Doc      string `json:"doc,omitempty"`
}

// Expectation is one expectation and what the simulation found.
type Expectation struct {
	Flow string `json:"flow"`
	Want string `json:"want"`
	Got  string `json:"got"`
	OK   bool   `json:"ok"`
	// Intended repeats the expectation's intended: true.
	Intended bool `json:"intended,omitempty"`
}

// Summary counts the flows.
type Summary struct {
	Flows              int `json:"flows"`
	Allowed            int `json:"allowed"`
	Denied             int `json:"denied"`
	Partial            int `json:"partial"`
	NoTraffic          int `json:"noTraffic,omitempty"` // flows with an endpoint that has no address
	RequiredBlocked    int `json:"requiredBlocked"`
	RecommendedBlocked int `json:"recommendedBlocked"`
	Intended           int `json:"intended"` // blocked flows marked intended, in neither count above
	ExpectationsFailed int `json:"expectationsFailed"`
	Errors             int `json:"errors"`
}

// NewDocument converts a report to its JSON form.
func NewDocument(r *sim.Report) *Document {
	d := &Document{
		Topology:     r.Topology.Name,
		Flows:        make([]Flow, len(r.Results)),
		Findings:     make([]Finding, len(r.Findings)),
		Expectations: make([]Expectation, len(r.Expectations)),
		Summary: Summary{
			Flows: r.Summary.Flows, Allowed: r.Summary.Allowed, Denied: r.Summary.Denied,
			Partial: r.Summary.Partial, NoTraffic: r.Summary.NoTraffic, RequiredBlocked: r.Summary.RequiredBlocked,
			RecommendedBlocked: r.Summary.RecommendedBlocked, Intended: r.Summary.Intended,
			ExpectationsFailed: r.Summary.ExpectationsFailed, Errors: r.Summary.Errors,
		},
	}
	for i, res := range r.Results {
		d.Flows[i] = NewFlow(r.Engine, res)
	}
	for i, f := range r.Findings {
		d.Findings[i] = NewFinding(f)
	}
	for i, x := range r.Expectations {
		got := x.Got.String()
		if !x.Found {
			got = "missing"
		}
		d.Expectations[i] = Expectation{Flow: x.Expectation.Flow, Want: x.Expectation.Verdict.String(), Got: got, OK: x.OK,
			Intended: x.Expectation.Intended}
	}
	return d
}

// NewFlow converts one result to its JSON form.
func NewFlow(e *sim.Engine, res *sim.Result) Flow {
	f := res.Flow
	out := Flow{
		ID: f.ID, Kind: string(f.Kind), Bastion: f.Bastion,
		Source: f.Source.Name, Destination: f.Destination.Name,
		Protocol: f.Protocol.String(), Port: int(f.Port),
		Requirement: f.Requirement.String(), Verdict: res.Verdict.String(),
		Hops: newHops(res.Hops), Segments: []Segment{}, Intended: res.Intended,
	}
	if len(res.Segments) > 1 {
		for _, s := range res.Segments {
			seg := Segment{
				Source:      e.Describe(s.Source, res.Source, f.Source.Name),
				SourcePorts: sim.DescribePorts(s.SourcePorts),
				Destination: e.Describe(s.Destination, res.Dest, f.Destination.Name),
				Verdict:     s.Access.String(),
				Hops:        newHops(s.Hops),
			}
			if f.Protocol == topology.Any {
				seg.Protocol = s.Protocol.String()
			}
			out.Segments = append(out.Segments, seg)
		}
	}
	if res.Verdict == topology.VerdictPartial {
		out.Allowed, out.Denied = Subsets(e, res)
	}
	return out
}

// Subsets names the allowed and denied parts of a Partial flow, along the
// axis where they differ: protocols when whole protocols differ, else
// sources when the sources differ, else destinations, else source ports.
func Subsets(e *sim.Engine, res *sim.Result) (allowed, denied string) {
	f := res.Flow
	if a, d, ok := res.ProtocolSubsets(); ok {
		// A flow on "*" whose protocols decide differently (SPEC 2.3).
		return "over " + a, "over " + d
	}
	aSrc, aDst := res.Allowed()
	dSrc, dDst := res.Denied()
	switch {
	case !aSrc.Equal(res.Source) || !dSrc.Equal(res.Source):
		return "from " + e.Describe(aSrc, res.Source, f.Source.Name), "from " + e.Describe(dSrc, res.Source, f.Source.Name)
	case !aDst.Equal(res.Dest) || !dDst.Equal(res.Dest):
		return "to " + e.Describe(aDst, res.Dest, f.Destination.Name), "to " + e.Describe(dDst, res.Dest, f.Destination.Name)
	}
	var aPorts, dPorts sim.Set
	for _, s := range res.Segments {
		if s.Access == topology.Allow {
			aPorts = aPorts.Union(s.SourcePorts)
		} else {
			dPorts = dPorts.Union(s.SourcePorts)
		}
	}
	return "from source ports " + sim.DescribePorts(aPorts), "from source ports " + sim.DescribePorts(dPorts)
}

// NewFinding converts one finding to its JSON form.
func NewFinding(f sim.Finding) Finding {
	return Finding{ID: f.ID, Severity: f.Severity.String(), Message: f.Message, Position: f.Pos.String(), Doc: f.DocURL}
}

func newHops(hops []sim.Hop) []Hop {
	out := make([]Hop, len(hops))
	for i, h := range hops {
		out[i] = Hop{
			NSG: h.NSG.Name, At: h.At, Direction: h.Direction.String(),
			Access: h.Rule.Access.String(), Rule: h.Rule.Name,
			Priority: h.Rule.Priority, Default: h.Rule.Default,
		}
	}
	return out
}

// WriteJSON writes the report as indented JSON: the encoding of
// NewDocument(r), byte for byte, streamed a window of elements at a time so
// that a report of 50,000 flows (and as many findings) never holds the
// whole document in memory. The elements of a window are encoded on every
// core (each element's text is its own), then written in order.
func WriteJSON(w io.Writer, r *sim.Report) error {
	d := NewDocument(&sim.Report{Topology: r.Topology, Engine: r.Engine, Findings: r.Findings,
		Expectations: r.Expectations, Summary: r.Summary})
	bw := bufio.NewWriterSize(w, 1<<16)
	j := &jsonStream{w: bw, enc: newValueEncoder()}
	j.raw("{\n  \"topology\": ")
	j.value(d.Topology, "  ")
	j.raw(",\n  \"flows\": ")
	j.array(len(r.Results), func(i int) any { return NewFlow(r.Engine, r.Results[i]) })
	j.raw(",\n  \"findings\": ")
	j.array(len(d.Findings), func(i int) any { return d.Findings[i] })
	j.raw(",\n  \"expectations\": ")
	j.array(len(d.Expectations), func(i int) any { return d.Expectations[i] })
	j.raw(",\n  \"summary\": ")
	j.value(d.Summary, "  ")
	j.raw("\n}\n")
	if j.err != nil {
		return j.err
	}
	return bw.Flush()
}

// array writes a member of the document that is an array of n elements,
// element(i) each, as encoding/json indents it at the document's second
// level.
func (j *jsonStream) array(n int, element func(i int) any) {
	if n == 0 {
		j.raw("[]")
		return
	}
	j.raw("[\n")
	texts := make([][]byte, min(n, elementWindow))
	errs := make([]error, len(texts))
	for lo := 0; lo < n && j.err == nil; lo += elementWindow {
		size := min(elementWindow, n-lo)
		batch.Run(size, 64, newValueEncoder, func(enc *valueEncoder, i int) bool {
			texts[i], errs[i] = enc.encode(element(lo+i), "    ")
			return errs[i] == nil
		}, nil)
		for i := range size {
			if j.err == nil {
				j.err = errs[i]
			}
			j.raw("    ")
			j.write(texts[i])
			if lo+i < n-1 {
				j.raw(",")
			}
			j.raw("\n")
		}
	}
	j.raw("  ]")
}

// elementWindow is how many elements of an array WriteJSON encodes before
// writing them: enough to share among the cores, few enough to hold (a few
// MB). A test makes it small to cross windows.
var elementWindow = 4096

// jsonStream writes a JSON document piece by piece, each value indented as
// it would be at its depth in the whole document.
type jsonStream struct {
	w   *bufio.Writer
	enc *valueEncoder
	err error
}

func (j *jsonStream) raw(s string) {
	if j.err == nil {
		_, j.err = j.w.WriteString(s)
	}
}

func (j *jsonStream) write(b []byte) {
	if j.err == nil {
		_, j.err = j.w.Write(b)
	}
}

// value writes v indented with two spaces per level below prefix.
func (j *jsonStream) value(v any, prefix string) {
	if j.err != nil {
		return
	}
	var text []byte
	if text, j.err = j.enc.encode(v, prefix); j.err == nil {
		j.write(text)
	}
}

// valueEncoder encodes one value at a time as the document holds it.
type valueEncoder struct {
	buf bytes.Buffer
	enc *json.Encoder
}

func newValueEncoder() *valueEncoder {
	e := &valueEncoder{}
	e.enc = json.NewEncoder(&e.buf)
	e.enc.SetEscapeHTML(false)
	return e
}

// encode returns v's JSON indented with two spaces per level below
// prefix, safe for any reader (JSONSafe), in a slice of its own.
func (e *valueEncoder) encode(v any, prefix string) ([]byte, error) {
	e.buf.Reset()
	e.enc.SetIndent(prefix, "  ")
	if err := e.enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.Clone(JSONSafe(bytes.TrimSuffix(e.buf.Bytes(), []byte("\n")))), nil
}
