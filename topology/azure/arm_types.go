package azure

import (
	"fmt"
	"strings"
)

// User-defined types (languageVersion 2.0 "definitions", which Bicep's
// `type` declarations compile to,
// https://learn.microsoft.com/en-us/azure/azure-resource-manager/templates/definitions):
// a parameter declared {"$ref": "#/definitions/NAME"} takes the type,
// allowed values, nullability and default of that definition, its own keys
// winning; an object type's properties may carry a defaultValue, which a
// value without that property takes.

// maxTypeDepth bounds chains of $ref.
const maxTypeDepth = 32

// resolveType returns decl with its $ref chain merged in.
func resolveType(decl map[string]any, defs any) (map[string]any, error) {
	out := decl
	for depth := 0; ; depth++ {
		ref, ok := lookupKey(out, "$ref")
		if !ok {
			return out, nil
		}
		if depth == maxTypeDepth {
			return nil, fmt.Errorf("the type's $ref chain is longer than %d; is it circular?", maxTypeDepth)
		}
		s, _ := ref.(string)
		name, ok := strings.CutPrefix(s, "#/definitions/")
		if !ok {
			return nil, fmt.Errorf("$ref %q: nsgsim reads references to the template's own definitions (#/definitions/NAME)", s)
		}
		def, ok := lookupKey(defs, name)
		dm, isObj := def.(map[string]any)
		if !ok || !isObj {
			return nil, fmt.Errorf("$ref %q: the template has no definition %q", s, name)
		}
		merged := make(map[string]any, len(out)+len(dm))
		for k, v := range dm {
			merged[k] = v
		}
		for k, v := range out {
			if k != "$ref" {
				merged[k] = v
			}
		}
		if _, own := lookupKey(dm, "$ref"); own {
			merged["$ref"] = dm["$ref"]
		}
		out = merged
	}
}

// isNullable reports whether a parameter may be left without a value: a
// missing value is then null.
func isNullable(decl map[string]any) bool {
	n, _ := lookupKey(decl, "nullable")
	b, _ := n.(bool)
	return b
}

// applyPropertyDefaults fills the properties of an object value that its
// type declares with a defaultValue, when the value lacks them.
func applyPropertyDefaults(decl map[string]any, v any) any {
	m, ok := v.(map[string]any)
	if !ok {
		return v
	}
	props, _ := lookupKey(decl, "properties")
	pm, _ := props.(map[string]any)
	var out map[string]any
	for name, p := range pm {
		pd, _ := p.(map[string]any)
		def, has := lookupKey(pd, "defaultValue")
		if !has {
			continue
		}
		if _, set := lookupKey(m, name); set {
			continue
		}
		if out == nil {
			out = make(map[string]any, len(m)+1)
			for k, x := range m {
				out[k] = x
			}
		}
		out[name] = def
	}
	if out == nil {
		return v
	}
	return out
}
