package azure

import (
	"strings"
	"testing"

	"github.com/nsgsim/nsgsim/internal/topotest"
)

// Hand-written templates in the shape Bicep compiles today (issue 14 item
// 1): each construct alone, checked by what it imports to.

// importDump imports a template and dumps the topology.
func importDump(t *testing.T, tpl string, params map[string]any) string {
	t.Helper()
	top, err := ImportARM([]byte(tpl), params, "main.json")
	if err != nil {
		t.Fatalf("ImportARM error: %v", err)
	}
	return topotest.Dump(top)
}

// AVM's NSG module builds its rules with map() over a parameter, reading
// each rule's properties with tryGet; a filter, a sort, reduce and the
// object functions are used by the VNet module.
func TestImportARMLambdas(t *testing.T) {
	tpl := `{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "languageVersion": "2.0",
  "contentVersion": "1.0.0.0",
  "parameters": {
    "securityRules": {"type": "array", "defaultValue": [
      {"name": "b-ssh", "properties": {"priority": 200, "access": "Allow", "direction": "Inbound", "protocol": "Tcp", "destinationPortRange": "22"}},
      {"name": "a-https", "properties": {"priority": 100, "access": "Allow", "direction": "Inbound", "protocol": "Tcp", "destinationPortRange": "443"}},
      {"name": "c-off", "properties": {"priority": 300, "access": "Deny", "direction": "Inbound", "protocol": "*", "destinationPortRange": "*"}, "disabled": true}
    ]},
    "subnets": {"type": "array", "defaultValue": [{"name": "web", "prefix": "10.1.1.0/24"}, {"name": "app", "prefix": "10.1.2.0/24"}]}
  },
  "variables": {
    "enabled": "[filter(parameters('securityRules'), lambda('r', not(coalesce(tryGet(lambdaVariables('r'), 'disabled'), false()))))]",
    "sorted": "[sort(variables('enabled'), lambda('x', 'y', less(lambdaVariables('x').properties.priority, lambdaVariables('y').properties.priority)))]",
    "byName": "[toObject(parameters('subnets'), lambda('s', lambdaVariables('s').name), lambda('s', lambdaVariables('s').prefix))]",
    "grouped": "[groupBy(parameters('securityRules'), lambda('r', lambdaVariables('r').properties.access))]",
    "counts": "[mapValues(variables('grouped'), lambda('g', length(lambdaVariables('g'))))]",
    "total": "[reduce(parameters('securityRules'), 0, lambda('acc', 'r', add(lambdaVariables('acc'), lambdaVariables('r').properties.priority)))]"
  },
  "resources": {
    "nsg": {
      "type": "Microsoft.Network/networkSecurityGroups", "apiVersion": "2024-05-01",
      "name": "[format('nsg-{0}-{1}-{2}', variables('counts').Allow, variables('counts').Deny, variables('total'))]",
      "properties": {
        "securityRules": "[map(variables('sorted'), lambda('rule', createObject('name', format('{0}-{1}', lambdaVariables('rule').name, 0), 'properties', createObject('priority', lambdaVariables('rule').properties.priority, 'access', lambdaVariables('rule').properties.access, 'direction', lambdaVariables('rule').properties.direction, 'protocol', lambdaVariables('rule').properties.protocol, 'sourceAddressPrefix', coalesce(tryGet(lambdaVariables('rule').properties, 'sourceAddressPrefix'), '*'), 'sourcePortRange', '*', 'destinationAddressPrefix', '*', 'destinationPortRange', lambdaVariables('rule').properties.destinationPortRange))))]"
      }
    },
    "vnet": {
      "type": "Microsoft.Network/virtualNetworks", "apiVersion": "2024-05-01", "name": "vnet",
      "properties": {
        "addressSpace": {"addressPrefixes": ["10.1.0.0/16"]},
        "subnets": "[map(items(variables('byName')), lambda('kv', 'i', createObject('name', format('{0}{1}', lambdaVariables('kv').key, lambdaVariables('i')), 'properties', createObject('addressPrefix', lambdaVariables('kv').value))))]"
      }
    }
  }
}`
	want := "vnet vnet [10.1.0.0/16]\n  subnet app0 10.1.2.0/24\n  subnet web1 10.1.1.0/24\n" +
		"nsg nsg-2-1-600\n  rule a-https-0 100 Inbound Allow Tcp *:* -> *:443\n  rule b-ssh-0 200 Inbound Allow Tcp *:* -> *:22\n"
	if got := importDump(t, tpl, nil); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

// A nullable parameter without a value, or given null, is not supplied: its
// default applies, or it is null. A user-defined type ($ref to
// definitions) gives a parameter its type and the defaults of its
// properties.
func TestImportARMNullableAndTypes(t *testing.T) {
	tpl := `{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "languageVersion": "2.0",
  "contentVersion": "1.0.0.0",
  "definitions": {
    "subnetType": {"type": "object", "properties": {
      "name": {"type": "string"},
      "addressPrefix": {"type": "string", "defaultValue": "10.2.0.0/24"}}},
    "subnetList": {"type": "array", "items": {"$ref": "#/definitions/subnetType"}},
    "named": {"$ref": "#/definitions/subnetType", "nullable": true}
  },
  "parameters": {
    "nsgName": {"type": "string", "nullable": true},
    "location": {"type": "string", "nullable": true, "defaultValue": "westeurope"},
    "first": {"$ref": "#/definitions/named"},
    "extra": {"$ref": "#/definitions/subnetList", "defaultValue": []}
  },
  "resources": {
    "nsg": {"type": "Microsoft.Network/networkSecurityGroups", "apiVersion": "2024-05-01",
      "name": "[coalesce(parameters('nsgName'), format('nsg-{0}', parameters('location')))]", "properties": {}},
    "vnet": {"type": "Microsoft.Network/virtualNetworks", "apiVersion": "2024-05-01", "name": "vnet",
      "properties": {"addressSpace": {"addressPrefixes": ["10.2.0.0/16"]},
        "subnets": "[map(concat(if(empty(parameters('first')), createArray(), createArray(parameters('first'))), parameters('extra')), lambda('s', createObject('name', lambdaVariables('s').name, 'properties', createObject('addressPrefix', lambdaVariables('s').addressPrefix))))]"}}
  }
}`
	// Not given: nsgName is null, location its default, first null.
	want := "vnet vnet [10.2.0.0/16]\nnsg nsg-westeurope\n"
	if got := importDump(t, tpl, nil); got != want {
		t.Errorf("no parameters: got\n%s\nwant\n%s", got, want)
	}
	// Given null (a parameters file's "value": null, or --parameter X=null):
	// the default still applies. first as a string is read as its type, an
	// object, and takes the addressPrefix default of subnetType.
	params := map[string]any{"location": nil, "nsgName": "custom", "first": `{"name": "s1"}`}
	want = "vnet vnet [10.2.0.0/16]\n  subnet s1 10.2.0.0/24\nnsg custom\n"
	if got := importDump(t, tpl, params); got != want {
		t.Errorf("with parameters: got\n%s\nwant\n%s", got, want)
	}
	// A $ref to a definition that does not exist says so.
	bad := strings.Replace(tpl, `"#/definitions/named"`, `"#/definitions/missing"`, 1)
	if _, err := ImportARM([]byte(bad), nil, "main.json"); err == nil || !strings.Contains(err.Error(), `main.json: parameters.first: $ref "#/definitions/missing": the template has no definition "missing"`) {
		t.Errorf("missing definition: error %v", err)
	}
}

// Comments and strings that span lines, as ARM's template syntax allows; a
// syntax error after a multi-line string is placed at its line in the file.
func TestImportARMComments(t *testing.T) {
	tpl := `{
  // Written by hand, with comments.
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0", /* a block
  comment over two lines, with "quotes" and // slashes */
  "variables": {
    "name": "[concat('nsg-',
      'multi', // a comment inside is not a comment: this is a string
      '-line')]"
  },
  "resources": [
    {"type": "Microsoft.Network/networkSecurityGroups", "apiVersion": "2024-05-01", "name": "[variables('name')]", "properties": {}}
  ]
}`
	tpl = strings.Replace(tpl, "// a comment inside is not a comment: this is a string\n", "\n", 1)
	if got, want := importDump(t, tpl, nil), "nsg nsg-multi-line\n"; got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	broken := strings.Replace(tpl, `"properties": {}}`, `"properties": {}`, 1)
	_, err := ImportARM([]byte(broken), nil, "main.json")
	if err == nil || !strings.Contains(err.Error(), "main.json:13:3: not JSON") {
		t.Errorf("error = %v, want line 13 of the file as written", err)
	}
}

// reference() and module outputs follow deployment order: a module whose
// parameter reads another module's output, declared after it, is read
// after it, in languageVersion 2.0 (symbolic names) and in an array
// (dependsOn by resourceId).
func TestImportARMDeploymentOrder(t *testing.T) {
	module := func(name, params, resources, outputs string) string {
		return `{"type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01", "name": "` + name + `",
      "properties": {"mode": "Incremental", "expressionEvaluationOptions": {"scope": "inner"}, "parameters": {` + params + `},
        "template": {"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#", "contentVersion": "1.0.0.0",
          "parameters": {"prefix": {"type": "string", "defaultValue": ""}}, "resources": [` + resources + `], "outputs": {` + outputs + `}}}}`
	}
	nsgMod := module("nsg-mod", `"prefix": {"value": "[reference('vnet-mod').outputs.space.value]"}`,
		`{"type": "Microsoft.Network/networkSecurityGroups", "apiVersion": "2024-05-01", "name": "nsg",
		  "properties": {"securityRules": [{"name": "from-vnet", "properties": {"priority": 100, "direction": "Inbound", "access": "Allow",
		    "protocol": "Tcp", "sourceAddressPrefix": "[parameters('prefix')]", "sourcePortRange": "*", "destinationAddressPrefix": "*", "destinationPortRange": "22"}}]}}`,
		`"id": {"type": "string", "value": "[resourceId('Microsoft.Network/networkSecurityGroups', 'nsg')]"}`)
	vnetMod := module("vnet-mod", ``,
		`{"type": "Microsoft.Network/virtualNetworks", "apiVersion": "2024-05-01", "name": "vnet", "properties": {"addressSpace": {"addressPrefixes": ["10.3.0.0/16"]}}}`,
		`"space": {"type": "string", "value": "10.3.0.0/16"}`)
	want := "vnet vnet [10.3.0.0/16]\nnsg nsg\n  rule from-vnet 100 Inbound Allow Tcp 10.3.0.0/16:* -> *:22\n"

	symbolic := `{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#", "languageVersion": "2.0", "contentVersion": "1.0.0.0",
  "resources": {"a": ` + strings.Replace(nsgMod, `"type"`, `"dependsOn": ["b"], "type"`, 1) + `, "b": ` + vnetMod + `}}`
	if got := importDump(t, symbolic, nil); got != want {
		t.Errorf("symbolic: got\n%s\nwant\n%s", got, want)
	}
	array := `{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#", "contentVersion": "1.0.0.0",
  "resources": [` + strings.Replace(nsgMod, `"type"`, `"dependsOn": ["[resourceId('Microsoft.Resources/deployments', 'vnet-mod')]"], "type"`, 1) + `, ` + vnetMod + `]}`
	if got := importDump(t, array, nil); got != want {
		t.Errorf("array: got\n%s\nwant\n%s", got, want)
	}
	// Without dependsOn, reference() alone orders them (an implicit
	// dependency).
	implicit := `{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#", "contentVersion": "1.0.0.0",
  "resources": [` + nsgMod + `, ` + vnetMod + `]}`
	if got := importDump(t, implicit, nil); got != want {
		t.Errorf("implicit: got\n%s\nwant\n%s", got, want)
	}
}

// reference() reads a resource as Azure gives it once deployed
// (https://learn.microsoft.com/en-us/azure/azure-resource-manager/templates/template-functions-resource#reference):
// by its type and names as well as its symbolic name, its name and its ID
// ("Microsoft.Resources/deployments/NAME", as older quickstarts read a
// nested deployment's outputs, and a child's
// "Namespace/type/name/childType/childName"); and a VNet with its subnets'
// IDs, as templates read them: reference('vnet').subnets[1].id.
func TestImportARMReferenceForms(t *testing.T) {
	for _, tc := range []struct{ name, tpl, want string }{
		{"type and names", `{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "resources": [
    {"type": "Microsoft.Network/networkSecurityGroups", "apiVersion": "2024-05-01", "name": "nsg",
     "dependsOn": ["Microsoft.Resources/deployments/vnet-setup"],
     "properties": {"securityRules": [{"name": "from-web", "properties": {"priority": 100, "access": "Allow", "direction": "Inbound", "protocol": "Tcp",
       "sourceAddressPrefix": "[reference('Microsoft.Resources/deployments/vnet-setup', '2022-09-01').outputs.webPrefix.value]",
       "sourcePortRange": "*", "destinationAddressPrefix": "[reference('Microsoft.Network/virtualNetworks/vnet/subnets/app').addressPrefix]", "destinationPortRange": "443"}}]}},
    {"type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01", "name": "vnet-setup",
     "properties": {"mode": "Incremental", "expressionEvaluationOptions": {"scope": "inner"}, "template": {
       "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#", "contentVersion": "1.0.0.0",
       "resources": [{"type": "Microsoft.Network/virtualNetworks", "apiVersion": "2024-05-01", "name": "vnet",
         "properties": {"addressSpace": {"addressPrefixes": ["10.7.0.0/16"]}, "subnets": [{"name": "web", "properties": {"addressPrefix": "10.7.1.0/24"}}]}}],
       "outputs": {"webPrefix": {"type": "string", "value": "10.7.1.0/24"}}}}},
    {"type": "Microsoft.Network/virtualNetworks/subnets", "apiVersion": "2024-05-01", "name": "vnet/app",
     "dependsOn": ["Microsoft.Resources/deployments/vnet-setup"], "properties": {"addressPrefix": "10.7.2.0/24"}}
  ]
}`, "rule from-web 100 Inbound Allow Tcp 10.7.1.0/24:* -> 10.7.2.0/24:443"},
		{"subnet IDs", `{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "resources": [
    {"type": "Microsoft.Network/virtualNetworks", "apiVersion": "2024-05-01", "name": "vnet",
     "properties": {"addressSpace": {"addressPrefixes": ["10.8.0.0/16"]}, "subnets": [
       {"name": "web", "properties": {"addressPrefix": "10.8.1.0/24"}}, {"name": "app", "properties": {"addressPrefix": "10.8.2.0/24"}}]}},
    {"type": "Microsoft.Network/networkInterfaces", "apiVersion": "2024-05-01", "name": "nic",
     "properties": {"ipConfigurations": [{"name": "ip", "properties": {"privateIPAllocationMethod": "Static", "privateIPAddress": "10.8.2.4",
       "subnet": {"id": "[reference('vnet').subnets[1].id]"}}}]}},
    {"type": "Microsoft.Compute/virtualMachines", "apiVersion": "2024-07-01", "name": "vm",
     "properties": {"storageProfile": {"osDisk": {"osType": "Linux"}}, "networkProfile": {"networkInterfaces": [{"id": "[resourceId('Microsoft.Network/networkInterfaces', 'nic')]"}]}}}
  ]
}`, "vm vm vnet/app 10.8.2.4 Linux"},
	} {
		if got := importDump(t, tc.tpl, nil); !strings.Contains(got, tc.want) {
			t.Errorf("%s: import lacks %q:\n%s", tc.name, tc.want, got)
		}
	}
}
