package input

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/nsgsim/nsgsim/sim"
	"github.com/nsgsim/nsgsim/topology"
	"github.com/nsgsim/nsgsim/topology/azure"
)

// verdicts simulates a topology and returns, by flow ID, the verdict and
// the deciding path.
func verdicts(t *testing.T, topo *topology.Topology) map[string]string {
	t.Helper()
	r, err := sim.Simulate(topo)
	if err != nil {
		t.Fatalf("Simulate: %v", err)
	}
	out := make(map[string]string, len(r.Results))
	for _, res := range r.Results {
		path := ""
		for _, h := range res.Hops {
			path += fmt.Sprintf(" %s/%s/%d@%s", h.NSG.Name, h.Rule.Name, h.Rule.Priority, h.At)
		}
		out[res.Flow.ID] = res.Verdict.String() + path
	}
	return out
}

// TestImportRoundTrip imports each input kind, writes the topology as YAML,
// loads it back and requires the same verdicts, decided by the same rules,
// for every flow (issue: "import -o writes a topology YAML that loads back
// to the same verdicts").
func TestImportRoundTrip(t *testing.T) {
	az, _ := filepath.Glob("../topology/azure/testdata/az/*.json")
	cases := []struct {
		name string
		load func() (*topology.Topology, error)
	}{
		{"az", func() (*topology.Topology, error) { return Import(Az, az, Options{}) }},
		{"rest", func() (*topology.Topology, error) {
			rest, _ := filepath.Glob("../topology/azure/testdata/rest/*.json")
			return Import(Az, rest, Options{})
		}},
		{"arm", func() (*topology.Topology, error) {
			return Import(ARM, []string{"../topology/azure/testdata/arm/template.json"}, Options{Options: azure.Options{ParametersFile: "../topology/azure/testdata/arm/template.parameters.json"}})
		}},
		{"terraform", func() (*topology.Topology, error) {
			return Import(Terraform, []string{"../topology/terraform/testdata/plan.json"}, Options{})
		}},
		{"terraform-prior", func() (*topology.Topology, error) {
			return Import(Terraform, []string{"../topology/terraform/testdata/plan.json"}, Options{Prior: true})
		}},
	}
	real := "../../shared/fixtures/real"
	if _, err := os.Stat(real); err == nil {
		for _, fx := range []struct{ name, template, params string }{
			{"arm-bastion-hub-spoke-vnet", "azuredeploy.json", "azuredeploy.parameters.json"},
			{"arm-azure-bastion-nsg", "azuredeploy.json", "azuredeploy.parameters.json"},
			{"arm-load-balancer-standard-bastion-2020", "azuredeploy.json", "azuredeploy.parameters.json"},
		} {
			fx := fx
			cases = append(cases, struct {
				name string
				load func() (*topology.Topology, error)
			}{"real/" + fx.name, func() (*topology.Topology, error) {
				dir := filepath.Join(real, fx.name)
				return Import(ARM, []string{filepath.Join(dir, fx.template)}, Options{Options: azure.Options{ParametersFile: filepath.Join(dir, fx.params)}})
			}})
		}
	} else {
		t.Logf("%s is absent (a fresh clone has no ../shared): real fixtures not round-tripped", real)
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			imported, err := c.load()
			if err != nil {
				t.Fatalf("import: %v", err)
			}
			want := verdicts(t, imported)
			if len(want) == 0 {
				t.Fatal("the import has no flows: nothing to compare")
			}
			data, err := topology.Marshal(imported)
			if err != nil {
				t.Fatalf("Marshal: %v", err)
			}
			loaded, err := topology.Parse("roundtrip.yaml", data)
			if err != nil {
				t.Fatalf("Parse(Marshal(import)): %v\n%s", err, data)
			}
			got := verdicts(t, loaded)
			for id, w := range want {
				if got[id] != w {
					t.Errorf("%s: after the round trip %q, before %q", id, got[id], w)
				}
			}
			if len(got) != len(want) {
				t.Errorf("round trip has %d flows, import %d", len(got), len(want))
			}
		})
	}
}
