package scenarios

import (
	"strings"
	"testing"

	"github.com/nsgsim/nsgsim/sim"
	"github.com/nsgsim/nsgsim/topology"
)

// simulate loads and simulates one built-in scenario.
func simulate(t *testing.T, name string) *sim.Report {
	t.Helper()
	file, data, err := Source(name)
	if err != nil {
		t.Fatal(err)
	}
	topo, err := topology.Parse(file, data)
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	r, err := sim.Simulate(topo)
	if err != nil {
		t.Fatalf("simulate: %v", err)
	}
	return r
}

// deciding names the hop that decided a result, for failure messages.
func deciding(r *sim.Result) string {
	if len(r.Hops) == 0 {
		return "no hop"
	}
	h := r.Hops[len(r.Hops)-1]
	return h.At + " " + h.Direction.String() + " " + h.Rule.Name
}

// TestScenarios checks every built-in scenario: it loads, it simulates,
// every expectation holds, and every flow it generates is pinned by an
// expectation, so that a change in the engine or the catalogue cannot slip
// through a scenario unnoticed.
func TestScenarios(t *testing.T) {
	list := List()
	if len(list) == 0 {
		t.Fatal("no built-in scenarios")
	}
	for _, s := range list {
		t.Run(s.Name, func(t *testing.T) {
			r := simulate(t, s.Name)
			if len(r.Results) == 0 {
				t.Error("the scenario generates no flow")
			}
			results := make(map[string]*sim.Result, len(r.Results))
			for _, res := range r.Results {
				if _, dup := results[res.Flow.ID]; dup {
					t.Errorf("flow %s is generated twice", res.Flow.ID)
				}
				results[res.Flow.ID] = res
			}
			pinned := make(map[string]bool)
			for _, x := range r.Expectations {
				id := x.Expectation.Flow
				if pinned[id] {
					t.Errorf("flow %s has two expectations", id)
				}
				pinned[id] = true
				switch {
				case !x.Found:
					t.Errorf("expectation for %s: no such flow is generated", id)
				case !x.OK:
					t.Errorf("flow %s: want %s, got %s (decided at %s)", id, x.Expectation.Verdict, x.Got, deciding(results[id]))
				}
			}
			for _, res := range r.Results {
				if !pinned[res.Flow.ID] {
					t.Errorf("flow %s has no expectation (it is %s, decided at %s)", res.Flow.ID, res.Verdict, deciding(res))
				}
			}
		})
	}
}

// TestScenarioHeaders checks that each scenario opens with a comment line
// saying what it teaches (shown by 'nsgsim scenarios'), that names are
// unique, and that the topology's name is the scenario's.
func TestScenarioHeaders(t *testing.T) {
	seen := make(map[string]bool)
	for _, s := range List() {
		if seen[s.Name] {
			t.Errorf("scenario %s is listed twice", s.Name)
		}
		seen[s.Name] = true
		_, data, err := Source(s.Name)
		if err != nil {
			t.Fatal(err)
		}
		first, _, _ := strings.Cut(string(data), "\n")
		if !strings.HasPrefix(first, "#") || s.Summary == "" {
			t.Errorf("%s.yaml: the first line must be a non-empty comment saying what the scenario teaches, got %q", s.Name, first)
		}
		topo, err := Load(s.Name)
		if err != nil {
			t.Errorf("%s: %v", s.Name, err)
			continue
		}
		if topo.Name != s.Name {
			t.Errorf("%s.yaml: name is %q; want the file's name", s.Name, topo.Name)
		}
	}
}

// TestReferenceAllAllow checks that the documented reference deployment
// passes every flow, required or recommended.
func TestReferenceAllAllow(t *testing.T) {
	r := simulate(t, "reference")
	if len(r.Results) == 0 {
		t.Fatal("reference generates no flow")
	}
	for _, res := range r.Results {
		if res.Verdict != topology.VerdictAllow {
			t.Errorf("reference: flow %s is %s (decided at %s); want Allow", res.Flow.ID, res.Verdict, deciding(res))
		}
	}
	if !r.Summary.OK() && r.Summary.RequiredBlocked+r.Summary.ExpectationsFailed > 0 {
		t.Errorf("reference: summary %+v; want no blocked required flow and no failed expectation", r.Summary)
	}
}

// TestUnknownScenario checks the error for a name that is not built in.
func TestUnknownScenario(t *testing.T) {
	if _, err := Load("no-such-scenario"); err == nil || !strings.Contains(err.Error(), "reference") {
		t.Errorf("Load(no-such-scenario) = %v; want an error listing the scenarios", err)
	}
}
