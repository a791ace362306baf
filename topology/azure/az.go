package azure

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/nsgsim/nsgsim/internal/jsonpos"
	"github.com/nsgsim/nsgsim/topology"
)

// ImportAz imports the JSON that the Azure CLI prints (`az network vnet
// list`, `az network nsg list`, `az network nic list`, `az vm list`, `az
// network bastion list`, `az network asg list`, `az network public-ip list`,
// their `show` forms and the sub-resource lists such as `az network vnet
// subnet list`) and ARM REST GET responses (with the "properties" wrapper,
// one resource or a list {"value": [...]}; an x-ms-examples file's
// responses.200.body too). files maps a file name to its content; files
// are read in name order and resources in file order, so the result is
// deterministic. Any mix of resource types may come in any file: each
// object is recognised by its "type". The topology's strings may share the
// files' memory: the caller must not change their contents afterwards.
func ImportAz(files map[string][]byte) (*topology.Topology, error) {
	return ImportAzWith(files, Options{})
}

// ImportAzWith is ImportAz with the user's options (Options.VMOS; the ARM
// parameters do not apply).
func ImportAzWith(files map[string][]byte, o Options) (*topology.Topology, error) {
	return importAz(files, o, false)
}

// importAz is ImportAzWith; external asks for placeholders of peered VNets
// that are not among the inputs, as Resource Graph output has them (and
// any input with a Resource Graph page gets them).
func importAz(files map[string][]byte, o Options, external bool) (*topology.Topology, error) {
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	var rs []Resource
	var errs topology.ErrorList
	for _, name := range names {
		got, err := azResources(name, files[name])
		var e *topology.Error
		var list topology.ErrorList
		switch {
		case errors.As(err, &list):
			errs = append(errs, list...)
			continue
		case errors.As(err, &e):
			errs = append(errs, e)
			continue
		case err != nil:
			errs = append(errs, topology.Errorf(topology.Pos{File: name}, "%v", err))
			continue
		}
		rs = append(rs, got...)
	}
	if len(errs) > 0 {
		return nil, errs
	}
	types := map[string]map[string]bool{} // by file
	graph := external
	for _, r := range rs {
		graph = graph || r.graph
	}
	for _, r := range rs {
		typ, _ := r.Object["type"].(string)
		if networkKinds[kindOf(typ)] {
			return assemble(rs, o, graph, true)
		}
		if types[r.File] == nil {
			types[r.File] = map[string]bool{}
		}
		types[r.File][typ] = true
	}
	for _, name := range names {
		errs = append(errs, &topology.Error{Pos: topology.Pos{File: name}, Msg: topology.ClipQuoted(noNetwork("the file", types[name]))})
	}
	return nil, errs
}

const azExpected = "expected the JSON output of an `az` list or show command (an array of resources, or one resource with \"type\") or an ARM REST response ({\"value\": [...]})"

// azResources finds the resources in one file.
func azResources(file string, data []byte) ([]Resource, error) {
	// The strings share the file's memory: a large export is read once.
	v, err := jsonpos.DecodeFile(jsonpos.Source{File: file, Expected: azExpected, Shared: true,
		SaveAs: "e.g. `az ... -o json > " + file + "` in bash, or Out-File -Encoding utf8"}, data)
	if err != nil {
		return nil, err
	}
	return azValue(file, v, "")
}

func azValue(file string, v any, path string) ([]Resource, error) {
	switch v := v.(type) {
	case []any:
		return azList(file, v, path)
	case map[string]any:
		if _, ok := v["type"].(string); ok {
			return []Resource{{File: file, Path: path, Object: v}}, nil
		}
		if schema, _ := v["$schema"].(string); strings.Contains(strings.ToLower(schema), "deploymenttemplate") {
			return nil, fmt.Errorf("%sthis is an ARM deployment template; import it with `nsgsim import arm`", at(path))
		}
		if _, ok := v["planned_values"]; ok {
			return nil, fmt.Errorf("%sthis is a Terraform plan; import it with `nsgsim import terraform`", at(path))
		}
		if rows, ok := graphRows(v); ok {
			rs, err := azList(file, rows, joinPath(path, "data"))
			for i := range rs {
				rs[i].graph = true
			}
			return rs, err
		}
		if list, ok := v["value"].([]any); ok {
			for _, el := range list {
				if m, ok := el.(map[string]any); ok {
					if _, ok := m["effectiveSecurityRules"]; ok {
						return nil, fmt.Errorf("%sthis is the output of `az network nic list-effective-nsg` (effective security rules, which Azure has already merged and expanded); nsgsim imports the resources themselves: use `az network nsg list`, `az network vnet list`, `az network nic list` and `az vm list`",
							at(joinPath(path, "value")))
					}
				}
			}
			return azList(file, list, joinPath(path, "value"))
		}
		if resp, ok := v["responses"].(map[string]any); ok {
			// An x-ms-examples file of the REST API specs: the response body.
			for _, code := range []string{"200", "201"} {
				if r, ok := resp[code].(map[string]any); ok {
					if body, ok := r["body"]; ok {
						return azValue(file, body, joinPath(path, "responses."+code+".body"))
					}
				}
			}
		}
		return nil, fmt.Errorf("%sno \"type\" and no \"value\" list; %s", at(path), azExpected)
	}
	return nil, fmt.Errorf("%sthe JSON is %s; %s", at(path), typeName(v), azExpected)
}

func at(path string) string {
	if path == "" {
		return ""
	}
	return path + ": "
}

func azList(file string, list []any, path string) ([]Resource, error) {
	var rs []Resource
	for i, el := range list {
		p := fmt.Sprintf("%s[%d]", path, i)
		m, ok := el.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("%s: element is %s; expected a resource object with \"type\"", p, typeName(el))
		}
		if _, ok := m["type"].(string); !ok {
			return nil, fmt.Errorf("%s: no \"type\"; expected an Azure resource such as {\"type\": \"Microsoft.Network/networkSecurityGroups\", ...}", p)
		}
		rs = append(rs, Resource{File: file, Path: p, Object: m})
	}
	return rs, nil
}
