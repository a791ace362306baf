package input

import (
	"bytes"
	"encoding/json"
	"strings"

	"github.com/nsgsim/nsgsim/internal/jsonpos"
	"github.com/nsgsim/nsgsim/topology/azure"
)

// Kind is the kind of an input file.
type Kind string

// The kinds of input nsgsim reads. Auto, the zero Kind, means "tell from
// the content" (Detect).
const (
	Auto      Kind = ""
	YAML      Kind = "yaml"      // nsgsim's topology (SPEC section 1)
	Az        Kind = "az"        // az CLI or ARM REST JSON
	ARG       Kind = "arg"       // Azure Resource Graph output (az graph query)
	ARM       Kind = "arm"       // an ARM deployment template
	Terraform Kind = "terraform" // `terraform show -json` of a plan or a state
)

// Kinds are the kinds a user can name, in the order help lists them.
var Kinds = []Kind{YAML, Az, ARG, ARM, Terraform}

// KindNames are Kinds as strings, for flags and their completion.
func KindNames() []string {
	names := make([]string, len(Kinds))
	for i, k := range Kinds {
		names[i] = string(k)
	}
	return names
}

// ParseKind returns the kind named s, or false.
func ParseKind(s string) (Kind, bool) {
	for _, k := range Kinds {
		if string(k) == s {
			return k, true
		}
	}
	return Auto, false
}

// Detect tells an input's kind from its content: JSON with a Terraform
// plan's or state's keys, an ARM template's keys, a Resource Graph page's
// keys, or anything else JSON (az and REST output); YAML otherwise. data
// has no byte-order mark.
func Detect(data []byte) Kind {
	trimmed := bytes.TrimLeft(data, " \t\r\n")
	if len(trimmed) == 0 || (trimmed[0] != '{' && trimmed[0] != '[') {
		return YAML
	}
	if trimmed[0] == '[' {
		return Az
	}
	var top map[string]json.RawMessage
	if json.Unmarshal(trimmed, &top) != nil {
		// Not valid JSON: YAML flow mappings start with '{' too. If it is
		// not YAML either, the YAML importer reports the JSON error.
		return YAML
	}
	_, planned := top["planned_values"]
	_, tfVersion := top["terraform_version"]
	_, values := top["values"]
	_, formatVersion := top["format_version"]
	if planned || tfVersion || (formatVersion && values) {
		return Terraform
	}
	var schema string
	_ = json.Unmarshal(top["$schema"], &schema)
	_, resources := top["resources"]
	_, contentVersion := top["contentVersion"]
	if strings.Contains(strings.ToLower(schema), "deploymenttemplate") || (resources && contentVersion) {
		return ARM
	}
	if azure.IsResourceGraph(trimmed) {
		return ARG
	}
	return Az
}

// jsonSyntaxError returns the syntax error of data, at FILE:LINE:COL, when
// data opens like a JSON object ("{" and a quoted key, as az, ARM and
// Terraform write it) but is not JSON; nil otherwise. A YAML flow mapping
// ("{name: hub}") is left to the YAML loader's messages.
func jsonSyntaxError(path string, data []byte) error {
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
