package sim

import "github.com/nsgsim/nsgsim/topology"

// Severity of a finding.
type Severity uint8

const (
	SeverityError Severity = iota
	SeverityWarning
	SeverityInfo
)

var severityNames = [...]string{SeverityError: "error", SeverityWarning: "warning", SeverityInfo: "info"}

func (s Severity) String() string { return severityNames[s] }

// Finding is one lint result (SPEC 4): a stable ID, a severity, a message,
// the position in the topology file it is about, and the documentation it
// rests on.
type Finding struct {
	ID       string
	Severity Severity
	Message  string
	Pos      topology.Pos
	DocURL   string
}

// Findings lints the topology, using the flow results where a check depends
// on what the NSGs decide.
func (e *Engine) Findings(results []*Result) []Finding {
	return nil
}
