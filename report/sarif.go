package report

import (
	"fmt"
	"io"
	"net/url"
	"path/filepath"
	"strings"

	"github.com/nsgsim/nsgsim/sim"
	"github.com/nsgsim/nsgsim/topology"
)

// SARIF 2.1.0 (https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html),
// the format GitHub code scanning reads. One run, whose tool lists every
// finding ID as a rule; the results are the findings, each blocked required
// flow (FLOW001) and each unmet expectation (EXP001), located in the
// topology file.

// SARIFSchema is the JSON schema of SARIF 2.1.0.
const SARIFSchema = "https://json.schemastore.org/sarif-2.1.0.json"

// InformationURI is nsgsim's home page, for the SARIF tool descriptor.
const InformationURI = "https://github.com/nsgsim/nsgsim"

// SARIFLog is a SARIF log file (sarifLog).
type SARIFLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []SARIFRun `json:"runs"`
}

// SARIFRun is one run of one tool.
type SARIFRun struct {
	Tool    SARIFTool     `json:"tool"`
	Results []SARIFResult `json:"results"`
}

// SARIFTool is the tool that produced the run.
type SARIFTool struct {
	Driver SARIFDriver `json:"driver"`
}

// SARIFDriver describes nsgsim and its rules.
type SARIFDriver struct {
	Name           string      `json:"name"`
	InformationURI string      `json:"informationUri"`
	Rules          []SARIFRule `json:"rules"`
}

// SARIFRule is a reportingDescriptor: one finding ID.
type SARIFRule struct {
	ID                   string             `json:"id"`
	ShortDescription     SARIFMessage       `json:"shortDescription"`
	HelpURI              string             `json:"helpUri,omitempty"`
	DefaultConfiguration SARIFConfiguration `json:"defaultConfiguration"`
}

// SARIFConfiguration holds a rule's default level.
type SARIFConfiguration struct {
	Level string `json:"level"`
}

// SARIFMessage is a plain-text message.
type SARIFMessage struct {
	Text string `json:"text"`
}

// SARIFResult is one result.
type SARIFResult struct {
	RuleID    string          `json:"ruleId"`
	RuleIndex int             `json:"ruleIndex"`
	Level     string          `json:"level"`
	Message   SARIFMessage    `json:"message"`
	Locations []SARIFLocation `json:"locations"`
}

// SARIFLocation is where a result is.
type SARIFLocation struct {
	PhysicalLocation SARIFPhysicalLocation `json:"physicalLocation"`
}

// SARIFPhysicalLocation is a file and a region in it.
type SARIFPhysicalLocation struct {
	ArtifactLocation SARIFArtifactLocation `json:"artifactLocation"`
	Region           *SARIFRegion          `json:"region,omitempty"`
}

// SARIFArtifactLocation names the file.
type SARIFArtifactLocation struct {
	URI string `json:"uri"`
}

// SARIFRegion is a position in the file, counting from 1.
type SARIFRegion struct {
	StartLine   int `json:"startLine"`
	StartColumn int `json:"startColumn,omitempty"`
}

// NewSARIF converts a report to a SARIF log.
func NewSARIF(r *sim.Report) *SARIFLog {
	rules := sim.FindingRules()
	index := make(map[string]int, len(rules))
	driver := SARIFDriver{Name: "nsgsim", InformationURI: InformationURI, Rules: make([]SARIFRule, len(rules))}
	for i, fr := range rules {
		index[fr.ID] = i
		driver.Rules[i] = SARIFRule{
			ID: fr.ID, ShortDescription: SARIFMessage{fr.Title}, HelpURI: fr.DocURL,
			DefaultConfiguration: SARIFConfiguration{sarifLevel(fr.Severity)},
		}
	}
	file := r.Topology.File
	results := []SARIFResult{}
	add := func(id string, sev sim.Severity, msg string, pos topology.Pos) {
		if pos.Path != "" {
			msg = pos.Path + ": " + msg // a region holds no JSON path
		}
		results = append(results, SARIFResult{
			RuleID: id, RuleIndex: index[id], Level: sarifLevel(sev),
			Message: SARIFMessage{msg}, Locations: []SARIFLocation{sarifLocation(pos, file)},
		})
	}
	for _, f := range r.Findings {
		add(f.ID, f.Severity, f.Message, f.Pos)
	}
	for _, res := range r.Results {
		if !res.BlockedUnintended() || res.Flow.Requirement != topology.Required {
			continue
		}
		f := res.Flow
		add("FLOW001", sim.SeverityError, fmt.Sprintf("required flow %s (%s → %s, %s/%d) is %s: %s",
			f.ID, f.Source.Name, f.Destination.Name, f.Protocol, f.Port, VerdictText(r.Engine, res), DecidedBy(res.Hops)), f.Pos)
	}
	for _, x := range r.Expectations {
		if x.OK {
			continue
		}
		got := x.Got.String()
		if !x.Found {
			got = "no such flow"
		}
		add("EXP001", sim.SeverityError, fmt.Sprintf("expectation not met: flow %s: want %s, got %s", x.Expectation.Flow, x.Expectation.Verdict, got), x.Expectation.Pos)
	}
	return &SARIFLog{
		Schema: SARIFSchema, Version: "2.1.0",
		Runs: []SARIFRun{{Tool: SARIFTool{Driver: driver}, Results: results}},
	}
}

func sarifLevel(s sim.Severity) string {
	switch s {
	case sim.SeverityError:
		return "error"
	case sim.SeverityWarning:
		return "warning"
	}
	return "note"
}

// sarifLocation makes a location from a position; file is the topology's
// path when the position has none. A relative path stays relative (to the
// directory nsgsim ran in, which code scanning takes as the repository
// root); an absolute one becomes a file URI.
func sarifLocation(p topology.Pos, file string) SARIFLocation {
	if p.File != "" {
		file = p.File
	}
	loc := SARIFLocation{PhysicalLocation: SARIFPhysicalLocation{ArtifactLocation: SARIFArtifactLocation{URI: fileURI(file)}}}
	if p.IsValid() {
		loc.PhysicalLocation.Region = &SARIFRegion{StartLine: p.Line, StartColumn: p.Col}
	}
	return loc
}

func fileURI(path string) string {
	if path == "" {
		return "topology.yaml"
	}
	slash := filepath.ToSlash(path)
	if filepath.IsAbs(path) {
		if !strings.HasPrefix(slash, "/") {
			slash = "/" + slash // a Windows drive letter
		}
		return (&url.URL{Scheme: "file", Path: slash}).String()
	}
	slash = strings.TrimPrefix(slash, "./")
	return (&url.URL{Path: slash}).String()
}

// WriteSARIF writes the report as a SARIF 2.1.0 log, for code scanning
// (for example GitHub's upload-sarif action).
func WriteSARIF(w io.Writer, r *sim.Report) error {
	return EncodeJSON(w, NewSARIF(r))
}
