package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/nsgsim/nsgsim/internal/simtest"
	"github.com/nsgsim/nsgsim/scenarios"
)

// validateSARIF checks a log against the parts of SARIF 2.1.0 that code
// scanning relies on (sections 3.13 sarifLog, 3.14 run, 3.19 driver, 3.49
// reportingDescriptor, 3.27 result, 3.28 location, 3.30 region of
// https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html), reading
// the JSON generically rather than through nsgsim's own types.
func validateSARIF(data []byte) error {
	var log map[string]any
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&log); err != nil {
		return fmt.Errorf("not JSON: %v", err)
	}
	if v := log["version"]; v != "2.1.0" {
		return fmt.Errorf("version = %v, want 2.1.0", v)
	}
	if s, _ := log["$schema"].(string); !strings.Contains(s, "sarif") || !strings.Contains(s, "2.1.0") {
		return fmt.Errorf("$schema = %q", s)
	}
	runs, ok := log["runs"].([]any)
	if !ok || len(runs) == 0 {
		return fmt.Errorf("runs missing or empty")
	}
	for i, r := range runs {
		run, _ := r.(map[string]any)
		tool, _ := run["tool"].(map[string]any)
		driver, _ := tool["driver"].(map[string]any)
		if name, _ := driver["name"].(string); name == "" {
			return fmt.Errorf("runs[%d].tool.driver.name missing", i)
		}
		if u, _ := driver["informationUri"].(string); u != "" {
			if _, err := url.ParseRequestURI(u); err != nil {
				return fmt.Errorf("informationUri %q: %v", u, err)
			}
		}
		rules, _ := driver["rules"].([]any)
		ids := make(map[string]int)
		for j, x := range rules {
			rule, _ := x.(map[string]any)
			id, _ := rule["id"].(string)
			if id == "" {
				return fmt.Errorf("rules[%d].id missing", j)
			}
			if _, dup := ids[id]; dup {
				return fmt.Errorf("rule %s listed twice", id)
			}
			ids[id] = j
			sd, _ := rule["shortDescription"].(map[string]any)
			if text, _ := sd["text"].(string); text == "" {
				return fmt.Errorf("rule %s: shortDescription.text missing", id)
			}
			if h, ok := rule["helpUri"].(string); ok {
				if _, err := url.ParseRequestURI(h); err != nil {
					return fmt.Errorf("rule %s: helpUri %q: %v", id, h, err)
				}
			}
		}
		results, ok := run["results"].([]any)
		if !ok {
			return fmt.Errorf("runs[%d].results missing", i)
		}
		for j, x := range results {
			res, _ := x.(map[string]any)
			id, _ := res["ruleId"].(string)
			k, known := ids[id]
			if !known {
				return fmt.Errorf("results[%d]: ruleId %q not in the driver's rules", j, id)
			}
			if n, ok := res["ruleIndex"].(json.Number); ok && n.String() != fmt.Sprint(k) {
				return fmt.Errorf("results[%d]: ruleIndex %s, but rule %s is at %d", j, n, id, k)
			}
			switch res["level"] {
			case "none", "note", "warning", "error":
			default:
				return fmt.Errorf("results[%d]: level %v", j, res["level"])
			}
			msg, _ := res["message"].(map[string]any)
			if text, _ := msg["text"].(string); text == "" {
				return fmt.Errorf("results[%d]: message.text missing", j)
			}
			locs, _ := res["locations"].([]any)
			if len(locs) == 0 {
				return fmt.Errorf("results[%d]: no locations", j)
			}
			for _, l := range locs {
				loc, _ := l.(map[string]any)
				phys, _ := loc["physicalLocation"].(map[string]any)
				art, _ := phys["artifactLocation"].(map[string]any)
				uri, _ := art["uri"].(string)
				if uri == "" {
					return fmt.Errorf("results[%d]: artifactLocation.uri missing", j)
				}
				if _, err := url.Parse(uri); err != nil {
					return fmt.Errorf("results[%d]: uri %q: %v", j, uri, err)
				}
				if reg, ok := phys["region"].(map[string]any); ok {
					for _, f := range []string{"startLine", "startColumn"} {
						n, ok := reg[f].(json.Number)
						if f == "startLine" && !ok {
							return fmt.Errorf("results[%d]: region without startLine", j)
						}
						if v, err := n.Int64(); ok && (err != nil || v < 1) {
							return fmt.Errorf("results[%d]: region.%s = %s", j, f, n)
						}
					}
				}
			}
		}
	}
	return nil
}

// TestSARIFValidates writes every built-in scenario as SARIF and validates
// it, and checks that each finding, blocked required flow and unmet
// expectation is a result located in the scenario's file.
func TestSARIFValidates(t *testing.T) {
	for _, s := range scenarios.List() {
		t.Run(s.Name, func(t *testing.T) {
			r := simtest.Scenario(t, s.Name)
			var buf bytes.Buffer
			if err := WriteSARIF(&buf, r); err != nil {
				t.Fatal(err)
			}
			if err := validateSARIF(buf.Bytes()); err != nil {
				t.Fatalf("invalid SARIF: %v\n%s", err, buf.String())
			}
			log := NewSARIF(r)
			want := len(r.Findings) + r.Summary.RequiredBlocked + r.Summary.ExpectationsFailed
			if got := len(log.Runs[0].Results); got != want {
				t.Errorf("%d results, want %d findings + %d blocked required flows + %d unmet expectations",
					got, len(r.Findings), r.Summary.RequiredBlocked, r.Summary.ExpectationsFailed)
			}
			for _, res := range log.Runs[0].Results {
				loc := res.Locations[0].PhysicalLocation
				if loc.ArtifactLocation.URI != s.Name+".yaml" || loc.Region == nil || loc.Region.StartLine < 1 {
					t.Errorf("%s located at %+v %+v, want a line of %s.yaml", res.RuleID, loc.ArtifactLocation, loc.Region, s.Name)
				}
			}
		})
	}
}

// TestSARIFFlowResults checks the FLOW001 result of a blocked required flow.
func TestSARIFFlowResults(t *testing.T) {
	r := simtest.Scenario(t, "omit-https-inbound")
	log := NewSARIF(r)
	var flows, nsg001 int
	for _, res := range log.Runs[0].Results {
		switch res.RuleID {
		case "FLOW001":
			flows++
			if res.Level != "error" || !strings.Contains(res.Message.Text, "bastion-hub/client-https/Internet") ||
				!strings.Contains(res.Message.Text, "DenyAllInbound") {
				t.Errorf("FLOW001 = %s %q", res.Level, res.Message.Text)
			}
		case "NSG001":
			nsg001++
		}
	}
	if flows != 1 || nsg001 != 1 {
		t.Errorf("%d FLOW001 and %d NSG001 results, want 1 and 1", flows, nsg001)
	}
	if err := validateSARIF([]byte(`{"version":"2.1.0","$schema":"sarif-2.1.0","runs":[{"tool":{"driver":{"name":"x","rules":[]}},"results":[{"ruleId":"NOPE","level":"error","message":{"text":"x"},"locations":[]}]}]}`)); err == nil {
		t.Error("validateSARIF accepted a result with an unknown rule")
	}
}

func TestFileURI(t *testing.T) {
	tests := []struct{ in, want string }{
		{"topo.yaml", "topo.yaml"},
		{"./dir/topo.yaml", "dir/topo.yaml"},
		{"my topo.yaml", "my%20topo.yaml"},
		{"/abs/topo.yaml", "file:///abs/topo.yaml"},
	}
	for _, tt := range tests {
		if got := fileURI(tt.in); got != tt.want {
			t.Errorf("fileURI(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
