package azure

import (
	"fmt"
	"sort"
	"strings"

	"github.com/nsgsim/nsgsim/topology"
)

// Options are what a user gives an import besides its input files: one
// value that every command reading Azure or Terraform JSON (import,
// simulate, render, trace, diff, fix) passes to the importers, from the
// flags --parameters, --parameter and --vm-os. The zero value gives nothing.
type Options struct {
	// ParametersFile is an ARM parameters file (--parameters FILE), read
	// by ImportARMFile.
	ParametersFile string
	// Parameters are ARM parameter values, NAME=VALUE (--parameter, in the
	// order given; a later one and any of them win over the file). VALUE
	// is converted to the parameter's declared type; "null" means not
	// supplied, so the parameter's default applies.
	Parameters []string
	// VMOS gives the operating system of a virtual machine whose input
	// does not tell it (no osDisk.osType, no osProfile, an image publisher
	// nsgsim does not know), NAME=Linux or NAME=Windows (--vm-os).
	VMOS []string
}

// IsZero reports whether o gives nothing.
func (o Options) IsZero() bool {
	return o.ParametersFile == "" && len(o.Parameters) == 0 && len(o.VMOS) == 0
}

// ParameterValues parses Parameters: a value by name, a string to convert
// to the parameter's declared type, or nil for "null" (not supplied). A
// caller that reads the parameters file itself merges these over it.
func (o Options) ParameterValues() (map[string]any, error) {
	out := map[string]any{}
	for _, p := range o.Parameters {
		name, value, ok := strings.Cut(p, "=")
		name = strings.TrimSpace(name)
		if !ok || name == "" {
			return nil, fmt.Errorf("--parameter %s: expected NAME=VALUE", topology.ClipQuoted(fmt.Sprintf("%q", p)))
		}
		if value == "null" {
			out[name] = nil
			continue
		}
		out[name] = value
	}
	return out, nil
}

// vmOS parses VMOS, by lower-case VM name.
func (o Options) vmOS() (map[string]topology.OS, error) {
	out := map[string]topology.OS{}
	for _, v := range o.VMOS {
		name, value, ok := strings.Cut(v, "=")
		os, known := topology.ParseOS(strings.TrimSpace(value))
		if !ok || strings.TrimSpace(name) == "" || !known {
			return nil, fmt.Errorf("--vm-os %s: expected NAME=Linux or NAME=Windows", topology.ClipQuoted(fmt.Sprintf("%q", v)))
		}
		out[strings.ToLower(strings.TrimSpace(name))] = os
	}
	return out, nil
}

// Header is the comment that starts the YAML of an imported topology: the
// input files and the options given, so that the file says where it came
// from, and the import's warnings. The value of a parameter that template
// declares secureString or secureObject is not printed, only its name;
// template is the ARM template's content (nil for other inputs). There is
// no timestamp: the same inputs give the same header. Every line is one
// comment line: names and messages with line breaks or other controls are
// printed quoted.
func Header(kind string, inputs []string, o Options, template []byte, warnings topology.ErrorList) string {
	var b strings.Builder
	line := func(format string, args ...any) {
		fmt.Fprintf(&b, "# "+format+"\n", args...)
	}
	line("Imported by `nsgsim import %s` from:", kind)
	for _, in := range inputs {
		line("  %s", quoteIfNeeded(in))
	}
	if o.ParametersFile != "" {
		line("Parameters file: %s", quoteIfNeeded(o.ParametersFile))
	}
	secure := secureParameters(template)
	for _, p := range o.Parameters {
		name, value, _ := strings.Cut(p, "=")
		if secure[strings.ToLower(strings.TrimSpace(name))] {
			line("Parameter %s (secure: value not shown)", quoteIfNeeded(name))
			continue
		}
		line("Parameter %s=%s", quoteIfNeeded(name), quoteIfNeeded(value))
	}
	for _, v := range o.VMOS {
		line("VM OS %s", quoteIfNeeded(v))
	}
	for _, w := range warnings {
		line("Warning: %s", commentSafe(w.Error()))
	}
	return b.String()
}

// commentSafe returns s when it holds nothing that could end or disguise a
// comment line (control characters, U+2028, U+2029, bidirectional
// controls), else s quoted with those escaped.
func commentSafe(s string) string {
	for _, r := range s {
		if r < 0x20 || r == 0x7f || r == 0x2028 || r == 0x2029 || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) || r == 0x200e || r == 0x200f || r == 0x061c {
			return fmt.Sprintf("%+q", s)
		}
	}
	return s
}

// quoteIfNeeded prints s as it is when it holds only printable ASCII other
// than quotes and backslashes, else Go-quoted (control characters, line
// breaks and bidirectional controls escaped).
func quoteIfNeeded(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' {
			return fmt.Sprintf("%+q", s)
		}
	}
	if s == "" {
		return `""`
	}
	return s
}

// secureParameters returns the lower-case names of the parameters a
// template declares secureString or secureObject.
func secureParameters(template []byte) map[string]bool {
	out := map[string]bool{}
	if template == nil {
		return out
	}
	v, err := decodeARM("", template, "")
	if err != nil {
		return out
	}
	params, _ := lookupKey(v, "parameters")
	pm, _ := params.(map[string]any)
	defs, _ := lookupKey(v, "definitions")
	names := make([]string, 0, len(pm))
	for name := range pm {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		decl, _ := pm[name].(map[string]any)
		if resolved, err := resolveType(decl, defs); err == nil {
			decl = resolved
		}
		typ, _ := lookupKey(decl, "type")
		s, _ := typ.(string)
		if strings.EqualFold(s, "securestring") || strings.EqualFold(s, "secureobject") {
			out[strings.ToLower(name)] = true
		}
		// languageVersion 2.0 marks secure values with @secure(): metadata
		// or "sensitive" in the type.
		if sens, _ := lookupKey(decl, "sensitive"); sens == true {
			out[strings.ToLower(name)] = true
		}
	}
	return out
}
