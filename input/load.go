package input

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/nsgsim/nsgsim/scenarios"
	"github.com/nsgsim/nsgsim/topology"
	"github.com/nsgsim/nsgsim/topology/azure"
	"github.com/nsgsim/nsgsim/topology/terraform"
)

// Options are what a command's flags say about its inputs.
type Options struct {
	// Kind is the inputs' kind; Auto tells it from each file's content.
	Kind Kind
	// Options are the importers' options: an ARM template's parameters
	// file (--parameters) and NAME=VALUE values (--parameter), and the
	// operating system of VMs an input does not tell (--vm-os).
	azure.Options
	// Prior imports a Terraform plan's prior state instead of its planned
	// values.
	Prior bool
	// ServiceTags is an Azure Service Tags JSON file (--service-tags),
	// from anywhere, used instead of the one a topology names and for
	// imported topologies, which name none.
	ServiceTags string

	tags *topology.ServiceTags // read from ServiceTags by Import
}

// file is one input: its path and its content, without a byte-order mark.
type file struct {
	path string
	data []byte
}

// An importer reads the files of one kind into a topology. Every kind has
// one, with this one signature: the files (several for az, one for the
// others, checked by Import) and the command's options.
type importer func(files []file, o Options) (*topology.Topology, error)

// importers are the importer of each kind.
var importers = map[Kind]importer{
	YAML:      loadYAML,
	Az:        importAz,
	ARG:       importARG,
	ARM:       importARM,
	Terraform: importTerraform,
}

// manyFiles are the kinds that read several files into one topology.
var manyFiles = map[Kind]bool{Az: true, ARG: true}

// what describes each kind for messages.
var what = map[Kind]string{
	Auto:      "a topology file (YAML, or az, ARM or Terraform JSON)",
	YAML:      "a topology file",
	Az:        "az CLI or ARM REST JSON",
	ARG:       "Azure Resource Graph output (az graph query -o json)",
	ARM:       "an ARM deployment template",
	Terraform: "the JSON of terraform show -json",
}

// Load reads one topology file of o.Kind, or of the kind its content shows:
// a YAML topology is loaded, anything else imported. The error lists every
// problem, one per line with its position.
func Load(path string, o Options) (*topology.Topology, error) {
	return Import(o.Kind, []string{path}, o)
}

// Import reads the files of kind (Auto: the kind the first file's content
// shows) into one topology. Only az reads several files.
func Import(kind Kind, paths []string, o Options) (*topology.Topology, error) {
	defer topology.Loading()()
	if _, ok := importers[kind]; !ok && kind != Auto {
		return nil, fmt.Errorf("unknown input kind %q; expected %s", kind, strings.Join(KindNames(), ", "))
	}
	if len(paths) == 0 {
		return nil, fmt.Errorf("no input file")
	}
	if len(paths) > 1 && kind != Auto && !manyFiles[kind] {
		return nil, fmt.Errorf("%s reads one file, got %d", kind, len(paths))
	}
	tags, err := readServiceTags(o.ServiceTags)
	if err != nil {
		return nil, err
	}
	o.tags = tags
	files := make([]file, len(paths))
	for i, p := range paths {
		data, err := ReadFile(p, what[kind])
		if err != nil {
			return nil, err
		}
		files[i] = file{p, data}
	}
	if kind == Auto {
		kind = Detect(files[0].data)
		if kind == YAML {
			return loadDetectedYAML(files[0], o)
		}
	}
	t, err := importers[kind](files, o)
	if err != nil {
		return nil, err
	}
	if kind != YAML {
		nameAfter(t, files)
		if tags != nil {
			t.ServiceTags = tags
		}
	}
	return t, nil
}

// Plan reads a Terraform plan's two sides, its prior state and its planned
// values: what `terraform apply` will change. A plan with no prior state
// (everything is created) has an empty topology as its prior side.
func Plan(path string, o Options) (prior, planned *topology.Topology, err error) {
	data, err := ReadFile(path, what[Terraform])
	if err != nil {
		return nil, nil, err
	}
	tags, err := readServiceTags(o.ServiceTags)
	if err != nil {
		return nil, nil, err
	}
	planned, prior, err = terraform.ImportPlanWith(data, path, o.Options)
	if err != nil {
		return nil, nil, err
	}
	if prior == nil {
		prior = &topology.Topology{}
	}
	nameAfter(prior, []file{{path: path + " (prior state)"}})
	nameAfter(planned, []file{{path: path + " (planned)"}})
	if tags != nil {
		prior.ServiceTags, planned.ServiceTags = tags, tags
	}
	return prior, planned, nil
}

// Scenario loads the built-in scenario name, with the Service Tags file
// of o.ServiceTags when there is one.
func Scenario(name string, o Options) (*topology.Topology, error) {
	if o.ServiceTags == "" {
		return scenarios.Load(name)
	}
	tags, err := readServiceTags(o.ServiceTags)
	if err != nil {
		return nil, err
	}
	file, data, err := scenarios.Source(name)
	if err != nil {
		return nil, err
	}
	return topology.ParseWithServiceTags(file, data, tags)
}

// readServiceTags reads the Service Tags file at path, or returns nil for
// "". Like any input, a missing, unreadable or directory file is a
// positioned error; so is a device or a FIFO, which could be endless.
func readServiceTags(path string) (*topology.ServiceTags, error) {
	if path == "" {
		return nil, nil
	}
	const what = "an Azure Service Tags JSON file"
	fi, err := os.Stat(path)
	switch {
	case err != nil:
		return nil, fileError(path, "%v; expected %s", cause(err), what)
	case fi.IsDir():
		return nil, fileError(path, "is a directory; expected %s", what)
	case !fi.Mode().IsRegular():
		return nil, fileError(path, "is not a regular file; expected %s", what)
	}
	tags, err := topology.ReadServiceTags(path)
	var e *topology.Error
	switch {
	case errors.As(err, &e):
		return nil, err
	case err != nil:
		return nil, fileError(path, "%v; expected %s", cause(err), what)
	}
	return tags, nil
}

// loadYAML loads a YAML topology. Nothing changes the data read, so the
// topology may keep its strings in it.
func loadYAML(files []file, o Options) (*topology.Topology, error) {
	return topology.ParseOwned(files[0].path, files[0].data, o.tags)
}

// loadDetectedYAML loads a file whose content did not look like JSON: when
// it is not YAML either, the message says what the user more likely meant
// (JSON with a syntax error, or Terraform configuration).
func loadDetectedYAML(f file, o Options) (*topology.Topology, error) {
	t, err := loadYAML([]file{f}, o)
	if err == nil {
		return t, nil
	}
	if jerr := jsonSyntaxError(f.path, f.data); jerr != nil {
		return nil, jerr
	}
	if terraform.LooksLikeHCL(f.data) {
		_, _, err = terraform.ImportPlan(f.data, f.path)
	}
	return nil, err
}

// importAz imports az CLI and ARM REST JSON, from any number of files.
func importAz(files []file, o Options) (*topology.Topology, error) {
	return azure.ImportAzWith(byName(files), o.Options)
}

// importARG imports pages of Azure Resource Graph output.
func importARG(files []file, o Options) (*topology.Topology, error) {
	return azure.ImportARG(byName(files), o.Options)
}

// byName maps each file's path to its content, as the az importers take
// them.
func byName(files []file) map[string][]byte {
	in := make(map[string][]byte, len(files))
	for _, f := range files {
		in[f.path] = f.data
	}
	return in
}

// importARM imports an ARM deployment template with its parameters; the
// importer reads the template again from its path, beside which its
// linked templates are.
func importARM(files []file, o Options) (*topology.Topology, error) {
	return azure.ImportARMFile(files[0].path, o.Options)
}

// importTerraform imports a Terraform plan's planned values, or its prior
// state.
func importTerraform(files []file, o Options) (*topology.Topology, error) {
	planned, prior, err := terraform.ImportPlanWith(files[0].data, files[0].path, o.Options)
	switch {
	case err != nil:
		return nil, err
	case !o.Prior:
		return planned, nil
	case prior == nil:
		return nil, fmt.Errorf("%s: the plan has no prior state (every resource is new)", files[0].path)
	}
	return prior, nil
}

// nameAfter names an imported topology after its file, or "imported" when
// it comes from several.
func nameAfter(t *topology.Topology, files []file) {
	if len(files) > 1 {
		t.Name = "imported"
		return
	}
	path := files[0].path
	t.File = path
	if t.Name == "" {
		t.Name = strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	}
}

// Files are the files a loaded topology was read from besides its own: its
// Service Tags file, relative to the topology's directory as the loader
// reads it. No output may replace them.
func Files(t *topology.Topology) []string {
	if t == nil || t.ServiceTagsFile == "" {
		return nil
	}
	if filepath.IsAbs(t.ServiceTagsFile) || t.File == "" {
		return []string{t.ServiceTagsFile}
	}
	return []string{filepath.Join(filepath.Dir(t.File), t.ServiceTagsFile)}
}

// Header is the comment that starts the YAML `nsgsim import` writes: the
// input files and the options given (never the value of a secure ARM
// parameter) and what the import passed over, without a timestamp.
func Header(kind Kind, paths []string, o Options, t *topology.Topology) string {
	var template []byte
	if kind == ARM && len(paths) == 1 {
		template, _ = ReadFile(paths[0], what[ARM]) // read once already
	}
	return azure.Header(string(kind), paths, o.Options, template, t.Warnings)
}
