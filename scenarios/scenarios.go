package scenarios

import (
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strings"

	"github.com/nsgsim/nsgsim/topology"
)

//go:embed *.yaml
var files embed.FS

// Scenario is one built-in scenario.
type Scenario struct {
	Name    string // file name without .yaml
	Summary string // the file's opening comment line
}

// List returns the built-in scenarios sorted by name.
func List() []Scenario {
	entries, _ := fs.ReadDir(files, ".")
	var out []Scenario
	for _, e := range entries {
		name, ok := strings.CutSuffix(e.Name(), ".yaml")
		if !ok {
			continue
		}
		data, _ := files.ReadFile(e.Name())
		out = append(out, Scenario{Name: name, Summary: summary(data)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// summary is the text of the first comment line.
func summary(data []byte) string {
	first, _, _ := strings.Cut(string(data), "\n")
	if s, ok := strings.CutPrefix(first, "#"); ok {
		return strings.TrimSpace(s)
	}
	return ""
}

// Source returns the YAML of a scenario and its file name.
func Source(name string) (file string, data []byte, err error) {
	file = name + ".yaml"
	data, err = files.ReadFile(file)
	if err != nil {
		var names []string
		for _, s := range List() {
			names = append(names, s.Name)
		}
		return "", nil, fmt.Errorf("no built-in scenario %q; run 'nsgsim scenarios' to list them (%s)", name, strings.Join(names, ", "))
	}
	return file, data, nil
}

// Load parses a built-in scenario.
func Load(name string) (*topology.Topology, error) {
	file, data, err := Source(name)
	if err != nil {
		return nil, err
	}
	return topology.Parse(file, data)
}
