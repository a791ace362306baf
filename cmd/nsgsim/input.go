package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/pflag"

	"github.com/nsgsim/nsgsim/internal/jsonpos"
	"github.com/nsgsim/nsgsim/scenarios"
	"github.com/nsgsim/nsgsim/topology"
	"github.com/nsgsim/nsgsim/topology/azure"
	"github.com/nsgsim/nsgsim/topology/terraform"
)

// Input kinds: a topology in nsgsim's YAML, or one of the Azure formats the
// importers read.
const (
	kindYAML      = "yaml"
	kindAz        = "az"        // az CLI or ARM REST JSON
	kindARM       = "arm"       // ARM deployment template
	kindTerraform = "terraform" // `terraform show -json` of a plan or state
)

var inputKinds = []string{kindYAML, kindAz, kindARM, kindTerraform}

// loadTopology reads a topology file, or a built-in scenario when scenario
// is set, of the given kind or the kind its content shows. The returned error lists every problem, one per line with its
// position.
func loadTopology(path, scenario, kind string) (*topology.Topology, error) {
	if scenario != "" {
		return scenarios.Load(scenario)
	}
	return loadInput(path, kind)
}

// inputFormatFlag adds --input-format, for when an input's content does not
// show its kind.
func inputFormatFlag(fs *pflag.FlagSet) *string {
	return fs.String("input-format", "", "read the input as "+strings.Join(inputKinds, ", ")+" (default: detected from its content)")
}

// checkInputFormat checks the value of --input-format of command cmd before
// anything is read: "" (detect) or one of inputKinds.
func checkInputFormat(cmd, kind string) error {
	if kind == "" || slices.Contains(inputKinds, kind) {
		return nil
	}
	return fmt.Errorf("nsgsim %s: --input-format %q: expected %s", cmd, kind, inputKindsList())
}

// inputKindsList is "yaml, az, arm or terraform".
func inputKindsList() string {
	last := len(inputKinds) - 1
	return strings.Join(inputKinds[:last], ", ") + " or " + inputKinds[last]
}

// loadInput reads one input of the given kind, or of the kind its content
// shows when kind is "": JSON from az, ARM or Terraform is imported, anything
// else is read as a YAML topology. A Terraform plan gives its planned values.
func loadInput(path, kind string) (*topology.Topology, error) {
	data, err := topology.ReadFile(path)
	if err != nil {
		return nil, err
	}
	detected := kind == ""
	if detected {
		kind = detectKind(data)
	}
	var t *topology.Topology
	switch kind {
	case kindYAML:
		t, err := topology.ParseOwned(path, data)
		if err != nil && detected {
			if jerr := jsonSyntaxError(path, data); jerr != nil {
				// JSON that is not YAML either: the user meant JSON.
				return nil, jerr
			}
			if terraform.LooksLikeHCL(data) {
				// Terraform source: say what to give instead of a YAML error.
				_, _, err = terraform.ImportPlan(data, path)
			}
		}
		return t, err
	case kindAz:
		t, err = azure.ImportAz(map[string][]byte{path: data})
	case kindARM:
		t, err = azure.ImportARM(data, nil, path)
	case kindTerraform:
		t, _, err = terraform.ImportPlan(data, path)
	default:
		// The commands check --input-format first (checkInputFormat).
		return nil, fmt.Errorf("--input-format %q: expected %s", kind, inputKindsList())
	}
	if err != nil {
		return nil, err
	}
	nameAfter(t, path)
	return t, nil
}

// nameAfter names an imported topology after its file.
func nameAfter(t *topology.Topology, path string) {
	t.File = path
	if t.Name == "" {
		t.Name = strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	}
}

// detectKind tells an input's kind from its content: JSON with a Terraform
// plan's keys, an ARM template's keys, or anything else JSON (az and REST
// output); YAML otherwise.
func detectKind(data []byte) string {
	trimmed := bytes.TrimLeft(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")), " \t\r\n")
	if len(trimmed) == 0 || (trimmed[0] != '{' && trimmed[0] != '[') {
		return kindYAML
	}
	if trimmed[0] == '[' {
		return kindAz
	}
	var top map[string]json.RawMessage
	if json.Unmarshal(trimmed, &top) != nil {
		// Not valid JSON: YAML flow mappings start with '{' too. If it is
		// not YAML either, loadInput reports the JSON error.
		return kindYAML
	}
	_, planned := top["planned_values"]
	_, tfVersion := top["terraform_version"]
	_, values := top["values"]
	_, formatVersion := top["format_version"]
	if planned || tfVersion || (formatVersion && values) {
		return kindTerraform
	}
	var schema string
	_ = json.Unmarshal(top["$schema"], &schema)
	_, resources := top["resources"]
	_, contentVersion := top["contentVersion"]
	if strings.Contains(strings.ToLower(schema), "deploymenttemplate") || (resources && contentVersion) {
		return kindARM
	}
	return kindAz
}

// jsonSyntaxError returns the syntax error of data, at FILE:LINE:COL, when
// data opens like a JSON object ("{" and a quoted key, as az, ARM and
// Terraform write it) but is not JSON; nil otherwise. A YAML flow mapping
// ("{name: hub}") is left to the YAML loader's messages.
func jsonSyntaxError(path string, data []byte) error {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	trimmed := bytes.TrimLeft(data, " \t\r\n")
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return nil
	}
	if rest := bytes.TrimLeft(trimmed[1:], " \t\r\n"); len(rest) > 0 && rest[0] != '"' {
		return nil
	}
	_, err := jsonpos.DecodeFile(jsonpos.Source{File: path}, data)
	return err
}
