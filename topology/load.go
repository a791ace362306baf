package topology

import (
	"errors"
	"fmt"
	"path/filepath"
)

// Load reads the topology file at path (SPEC section 1), checks it with
// Validate, and returns it. On failure the error is an ErrorList, one
// "FILE:LINE:COL: message" per line and sorted by position, or an I/O error
// that wraps the one from the os package.
func Load(path string) (*Topology, error) {
	data, err := ReadFile(path)
	if err != nil {
		return nil, err
	}
	return parseData(path, data, true, nil)
}

// Parse reads a topology from data; file names it in positions, and a
// serviceTags path in it is read relative to file's directory. Like Load, it
// runs Validate and returns every problem at once, sorted.
//
// On failure the topology is nil.
//
// Missing optional values take Azure's defaults: a Bastion host's sku is
// DefaultSKU (Basic: what a deployment without sku gets; see DefaultSKU for
// the evidence), and its scaleUnits is DefaultScaleUnits (2, the minimum
// and the Basic SKU's fixed count).
// A flow's requirement is optional.
func Parse(file string, data []byte) (*Topology, error) {
	return parseData(file, data, false, nil)
}

// ParseWithServiceTags is Parse with a Service Tags file the caller read
// (nsgsim's --service-tags FILE, which may be anywhere): tags, when not
// nil, stands in for the file the topology's serviceTags names, which is
// then not read.
func ParseWithServiceTags(file string, data []byte, tags *ServiceTags) (*Topology, error) {
	return parseData(file, data, false, tags)
}

// ParseOwned is ParseWithServiceTags for data that nothing changes
// afterwards, as after ReadFile: the topology keeps its strings in data
// rather than in a copy of it (100 MB saved on a 100 MB file).
func ParseOwned(file string, data []byte, tags *ServiceTags) (*Topology, error) {
	return parseData(file, data, true, tags)
}

// parseData is Parse; owned says that nothing else holds data, so that the
// topology may keep its strings in it rather than in copies. tags, when
// not nil, is the Service Tags file given by the caller.
func parseData(file string, data []byte, owned bool, tags *ServiceTags) (*Topology, error) {
	if int64(len(data)) <= CurrentBudget().Limits().TopologySize {
		if t, reported, ok := fastParse(file, data, owned, tags); ok {
			return checked(t, reported)
		}
		if onlyComments(data) {
			// What yaml.v3 would say after reading it all, at once.
			return nil, ErrorList{noTopology(file)}
		}
	}
	return parseYAMLv3(file, data, tags)
}

// checked returns t when decoding it reported no problem and Validate
// finds none, and every problem, sorted, otherwise: those reported and
// those of Validate. The decoder marks the fields it reported and left
// empty (Origin.SetFailed), so that Validate does not report them again as
// missing or out of range.
func checked(t *Topology, reported ErrorList) (*Topology, error) {
	errs := append(reported, Validate(t)...)
	errs.Sort()
	if err := errs.Err(); err != nil {
		return nil, err
	}
	return t, nil
}

// parseYAMLv3 is Parse by yaml.v3's node tree, for every file the topology
// scanner does not read: it places every problem.
func parseYAMLv3(file string, data []byte, tags *ServiceTags) (*Topology, error) {
	t, errs, ok := parse(file, data, tags)
	if ok {
		return checked(t, errs)
	}
	errs.Sort()
	if err := errs.Err(); err != nil {
		return nil, err
	}
	return t, nil
}

// parse decodes data into a topology. ok is false when the file could not
// be read as a YAML mapping at all; then Validate has nothing to check.
func parse(file string, data []byte, tags *ServiceTags) (t *Topology, errs ErrorList, ok bool) {
	start := Pos{File: file, Line: 1, Col: 1}
	b := CurrentBudget()
	lim := b.Limits()
	if int64(len(data)) > lim.TopologySize {
		errs.Add(start, "%s", sizeMessage(fmt.Sprint(len(data)), yamlInputs, lim.TopologySize, b))
		return nil, errs, false
	}
	if p, msg := checkEncoding(data); msg != "" {
		p.File = file
		errs.Add(p, "%s", msg)
		return nil, errs, false
	}
	// yaml.v3 builds every node before checkLimits can count them: refuse
	// a file with too many first, at the node past the limit.
	if n, past := countNodes(data, lim.Nodes); n > lim.Nodes {
		past.File = file
		errs.Add(past, "more than %d YAML nodes; nsgsim reads topologies of at most %d nodes", lim.Nodes, lim.Nodes)
		return nil, errs, false
	}
	root, err := decodeYAML(file, data)
	if err != nil {
		var e *Error
		if errors.As(err, &e) {
			errs = append(errs, e)
		} else {
			errs.Add(start, "%v", err)
		}
		return nil, errs, false
	}
	if e := checkLimits(file, root, lim.Nodes); e != nil {
		return nil, append(errs, e), false
	}
	d := &decoder{file: file, dir: filepath.Dir(file), t: &Topology{File: file, ServiceTags: tags}}
	if !d.topology(root) {
		return nil, d.errs, false
	}
	d.canonicalFlowEndpoints()
	return d.t, d.errs, true
}
