package terraform

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/nsgsim/nsgsim/internal/topotest"
)

func FuzzImportPlan(f *testing.F) {
	for _, name := range []string{"plan.json", "plan-create.json", "state.json"} {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(`{"planned_values": {"root_module": {"child_modules": [{"address": "module.a", "resources": [{"address": "module.a.azurerm_subnet.s[0]",
	  "type": "azurerm_subnet", "name": "s", "index": 0, "values": {"name": "s"}}]}]}},
	  "configuration": {"root_module": {"module_calls": {"a": {"expressions": {"x": {"references": ["var.x"]}},
	    "module": {"resources": [{"address": "azurerm_subnet.s", "type": "azurerm_subnet", "name": "s",
	      "expressions": {"virtual_network_name": {"references": ["var.x", "module.a.y"]}}}]}}}}}}`))
	if data, err := os.ReadFile(filepath.Join(topotest.RealDir(), "tfplan-regula-azurerm-nsg/security_group_no_inbound_22_infra.json")); err == nil {
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		planned, _, err := ImportPlan(data, "p.json")
		if err != nil {
			topotest.ErrorPositions(t, err, "p.json")
			return
		}
		if planned == nil {
			t.Fatal("ImportPlan returned neither a topology nor an error")
		}
	})
}
