package azure

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nsgsim/nsgsim/internal/topotest"
)

const linkedVNet = `{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "parameters": {"space": {"type": "string"}},
  "resources": [{"type": "Microsoft.Network/virtualNetworks", "apiVersion": "2024-05-01", "name": "linked-vnet",
    "properties": {"addressSpace": {"addressPrefixes": ["[parameters('space')]"]}}}],
  "outputs": {"id": {"type": "string", "value": "[resourceId('Microsoft.Network/virtualNetworks', 'linked-vnet')]"}}
}`

// linkedMain is a template whose deployment "vnet" links nested/vnet.json
// by link (a templateLink object), and whose NSG reads the linked
// deployment's output.
func linkedMain(link string) string {
	return `{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "parameters": {
    "_artifactsLocation": {"type": "string", "defaultValue": "[deployment().properties.templateLink.uri]"},
    "_artifactsLocationSasToken": {"type": "securestring", "defaultValue": ""}
  },
  "resources": [
    {"type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01", "name": "vnet",
     "properties": {"mode": "Incremental", "templateLink": ` + link + `,
       "parameters": {"space": {"value": "10.9.0.0/16"}}}},
    {"type": "Microsoft.Network/networkSecurityGroups", "apiVersion": "2024-05-01",
     "name": "[concat('nsg-', last(split(reference('vnet').outputs.id.value, '/')))]", "properties": {}}
  ]
}`
}

func TestImportARMLinked(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "nested"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "nested", "vnet.json"), []byte(linkedVNet), 0o644); err != nil {
		t.Fatal(err)
	}
	want := "vnet linked-vnet [10.9.0.0/16]\nnsg nsg-linked-vnet\n"
	for _, tc := range []struct{ name, link, err string }{
		{"relativePath", `{"relativePath": "nested/vnet.json"}`, ""},
		{"_artifactsLocation", `{"uri": "[uri(parameters('_artifactsLocation'), concat('nested/vnet.json', parameters('_artifactsLocationSasToken')))]"}`, ""},
		{"remote URI ending in a file beside", `{"uri": "https://raw.githubusercontent.com/org/repo/main/quickstarts/x/nested/vnet.json?sv=token"}`, ""},
		{"remote only", `{"uri": "https://example.com/templates/subnets.json"}`,
			`main.json: resources[0].properties.templateLink: the linked template "https://example.com/templates/subnets.json" is remote, and nsgsim works offline: save it beside main.json (as subnets.json) and import again`},
		{"missing relative file", `{"relativePath": "nested/missing.json"}`,
			`resources[0].properties.templateLink: the linked template ` + filepath.Join(dir, "nested", "missing.json") + ` does not exist`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			main := filepath.Join(dir, "main.json")
			if err := os.WriteFile(main, []byte(linkedMain(tc.link)), 0o644); err != nil {
				t.Fatal(err)
			}
			top, err := ImportARMFile(main, Options{})
			if tc.err != "" {
				if err == nil || !strings.Contains(strings.ReplaceAll(err.Error(), main, "main.json"), strings.ReplaceAll(tc.err, main, "main.json")) {
					t.Fatalf("error = %v, want %s", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ImportARMFile: %v", err)
			}
			if got := topotest.Dump(top); got != want {
				t.Errorf("got\n%s\nwant\n%s", got, want)
			}
		})
	}
	// An error in the linked template names the linked file.
	bad := strings.Replace(linkedVNet, `"[parameters('space')]"`, `"[parameters('nope')]"`, 1)
	if err := os.WriteFile(filepath.Join(dir, "nested", "vnet.json"), []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	main := filepath.Join(dir, "main.json")
	os.WriteFile(main, []byte(linkedMain(`{"relativePath": "nested/vnet.json"}`)), 0o644)
	_, err := ImportARMFile(main, Options{})
	if err == nil || !strings.Contains(err.Error(), filepath.Join(dir, "nested", "vnet.json")+": resources[0].properties.addressSpace.addressPrefixes[0]: cannot evaluate") {
		t.Errorf("error = %v, want it placed in the linked file", err)
	}
	// A template that links itself stops at the bound.
	os.WriteFile(main, []byte(strings.Replace(linkedMain(`{"relativePath": "main.json"}`), `"parameters": {"space": {"value": "10.9.0.0/16"}}`, `"parameters": {}`, 1)), 0o644)
	if _, err := ImportARMFile(main, Options{}); err == nil || !strings.Contains(err.Error(), "more than 64 linked templates") {
		t.Errorf("self-link: error = %v", err)
	}
}

func TestImportARMFileOptions(t *testing.T) {
	dir := t.TempDir()
	tpl := `{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#", "contentVersion": "1.0.0.0",
  "parameters": {"name": {"type": "string", "defaultValue": "default"}, "prefix": {"type": "string"}, "n": {"type": "int", "nullable": true, "defaultValue": 7}},
  "resources": [{"type": "Microsoft.Network/networkSecurityGroups", "apiVersion": "2024-05-01", "name": "[format('{0}-{1}-{2}', parameters('prefix'), parameters('name'), parameters('n'))]", "properties": {}}]}`
	main := filepath.Join(dir, "main.json")
	os.WriteFile(main, []byte(tpl), 0o644)
	pf := filepath.Join(dir, "main.parameters.json")
	os.WriteFile(pf, []byte(`{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#", "parameters": {"prefix": {"value": "file"}, "name": {"value": "fromfile"}}}`), 0o644)
	top, err := ImportARMFile(main, Options{ParametersFile: pf, Parameters: []string{"name=given", "n=null"}})
	if err != nil {
		t.Fatal(err)
	}
	if got := top.NetworkSecurityGroups[0].Name; got != "file-given-7" {
		t.Errorf("NSG %q, want file-given-7 (file, then --parameter; null keeps the default)", got)
	}
	if _, err := ImportARMFile(main, Options{Parameters: []string{"novalue"}}); err == nil || !strings.Contains(err.Error(), `--parameter "novalue": expected NAME=VALUE`) {
		t.Errorf("error = %v", err)
	}
}
