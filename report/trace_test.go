package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/nsgsim/nsgsim/scenarios"
	"github.com/nsgsim/nsgsim/sim"
	"github.com/nsgsim/nsgsim/topology"
)

func traceOf(t *testing.T, scenario, from, to string, port uint16) (*sim.Engine, *sim.Trace) {
	t.Helper()
	topo, err := scenarios.Load(scenario)
	if err != nil {
		t.Fatal(err)
	}
	e, err := sim.Compile(topo)
	if err != nil {
		t.Fatal(err)
	}
	f, err := sim.NewFlow(topo, "trace", from, to, topology.Tcp, nil, port)
	if err != nil {
		t.Fatal(err)
	}
	tr, err := e.Trace(f)
	if err != nil {
		t.Fatal(err)
	}
	return e, tr
}

// TestTraceJSON checks the NSG diagnostics shape of a trace: one result,
// the NSGs in path order, UserRule_/DefaultRule_ names, the five booleans,
// and the matched rule of the NIC NSG that denies SSH.
func TestTraceJSON(t *testing.T) {
	e, tr := traceOf(t, "nic-nsg-blocks-ssh", "bastion-hub", "vm-linux-2", 22)
	var buf bytes.Buffer
	if err := WriteTraceJSON(&buf, e, tr); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Verdict string `json:"verdict"`
		Results []struct {
			Packet                     map[string]any `json:"packet"`
			NetworkSecurityGroupResult struct {
				SecurityRuleAccessResult       string `json:"securityRuleAccessResult"`
				EvaluatedNetworkSecurityGroups []struct {
					AppliedTo   string `json:"appliedTo"`
					MatchedRule struct {
						RuleName string `json:"ruleName"`
						Action   string `json:"action"`
					} `json:"matchedRule"`
					RulesEvaluationResult []map[string]any `json:"rulesEvaluationResult"`
				} `json:"evaluatedNetworkSecurityGroups"`
			} `json:"networkSecurityGroupResult"`
		} `json:"results"`
	}
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Verdict != "Deny" || len(doc.Results) != 1 {
		t.Fatalf("verdict %s, %d results; want Deny, 1", doc.Verdict, len(doc.Results))
	}
	res := doc.Results[0].NetworkSecurityGroupResult
	var path []string
	for _, n := range res.EvaluatedNetworkSecurityGroups {
		path = append(path, n.AppliedTo+"="+n.MatchedRule.RuleName+"/"+n.MatchedRule.Action)
		for _, r := range n.RulesEvaluationResult {
			name, _ := r["name"].(string)
			if !strings.HasPrefix(name, "UserRule_") && !strings.HasPrefix(name, "DefaultRule_") {
				t.Errorf("rule name %q lacks UserRule_/DefaultRule_", name)
			}
			for _, k := range []string{"protocolMatched", "sourceMatched", "sourcePortMatched", "destinationMatched", "destinationPortMatched"} {
				if _, ok := r[k].(bool); !ok {
					t.Errorf("rule %s: %s missing", name, k)
				}
			}
		}
	}
	want := "subnet hub/AzureBastionSubnet=UserRule_AllowSshRdpOutbound/Allow subnet hub/workload=UserRule_AllowSshRdpFromBastion/Allow nic vm-linux-2=UserRule_DenySshInbound/Deny"
	if got := strings.Join(path, " "); got != want || res.SecurityRuleAccessResult != "Deny" {
		t.Errorf("path = %s (%s)\nwant   %s (Deny)", got, res.SecurityRuleAccessResult, want)
	}
	if got := doc.Results[0].Packet["source"]; got != "10.0.0.4" {
		t.Errorf("packet source = %v, want 10.0.0.4", got)
	}
}

// TestTraceTable checks the terminal form: the verdict line, the deciding
// rule of each NSG, and "not reached" after it.
func TestTraceTable(t *testing.T) {
	e, tr := traceOf(t, "office-rule-internet-client", "Internet", "bastion-hub", 443)
	var buf bytes.Buffer
	if err := WriteTrace(&buf, e, tr); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{
		"Internet → bastion-hub, Tcp/443 from source ports 1024-65535: Partial",
		"Part 1 of ", "MATCH: Allow", "MATCH: Deny", "not reached", "✗ 203.0.113.0/24",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("trace lacks %q:\n%s", want, out)
		}
	}
}
