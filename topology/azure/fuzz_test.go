package azure

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/nsgsim/nsgsim/internal/topotest"
)

func FuzzImportAz(f *testing.F) {
	for _, dir := range []string{"testdata/az", "testdata/rest"} {
		paths, _ := filepath.Glob(filepath.Join(dir, "*.json"))
		for _, p := range paths {
			data, err := os.ReadFile(p)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(data)
		}
	}
	f.Add([]byte(`{"value": [{"type": "Microsoft.Network/virtualNetworks", "name": "v"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		top, err := ImportAz(map[string][]byte{"in.json": data})
		topotest.ErrorPositions(t, err, "in.json")
		if err == nil && top == nil {
			t.Fatal("ImportAz returned neither a topology nor an error")
		}
	})
}

func FuzzImportARM(f *testing.F) {
	tpl, err := os.ReadFile("testdata/arm/template.json")
	if err != nil {
		f.Fatal(err)
	}
	params, err := os.ReadFile("testdata/arm/template.parameters.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(tpl, params)
	f.Add([]byte(`{"functions": [{"namespace": "n", "members": {"f": {"parameters": [], "output": {"value": "[n.f()]"}}}}],
	  "resources": [{"type": "Microsoft.Network/virtualNetworks", "name": "[n.f()]"}]}`), []byte(`{}`))
	f.Add([]byte(`{"resources": [{"type": "Microsoft.Network/virtualNetworks", "name": "[concat('v', copyIndex())]", "copy": {"name": "c", "count": 3},
	  "properties": {"copy": [{"name": "subnets", "count": 2, "input": {"name": "[string(copyIndex('subnets'))]", "copy": [{"name": "x", "count": 2, "input": "[copyIndex('x')]"}]}}]}}]}`), []byte(`{}`))
	for _, dir := range []string{"arm-azure-bastion-nsg", "arm-mspnp-azure-hub-spoke"} {
		if data, err := os.ReadFile(filepath.Join(topotest.RealDir(), dir, "azuredeploy.json")); err == nil {
			f.Add(data, []byte(`{"bastion-host-name": {"value": "b"}, "adminPassword": {"value": "p"}}`))
		}
	}
	f.Fuzz(func(t *testing.T, tpl, paramsFile []byte) {
		params, err := ReadARMParameters(paramsFile, "p.json")
		if err != nil {
			topotest.ErrorPositions(t, err, "p.json")
			params = nil
		}
		top, err := ImportARM(tpl, params, "t.json")
		topotest.ErrorPositions(t, err, "t.json")
		if err == nil && top == nil {
			t.Fatal("ImportARM returned neither a topology nor an error")
		}
	})
}
